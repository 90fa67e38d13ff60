/* Usage tallies (see usage.h). */
#include "integration/usage.h"

#include <pthread.h>
#include <stdlib.h>

#define USAGE_SLOTS 1024

struct tally {
    int64_t id, count, last;
};

static struct tally table[USAGE_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct tally *slot(int64_t id, bool create)
{
    size_t h = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15u >> 54) % USAGE_SLOTS;
    for (size_t probe = 0; probe < USAGE_SLOTS; probe++) {
        struct tally *t = &table[(h + probe) % USAGE_SLOTS];
        if (t->id == id)
            return t;
        if (t->id == 0) {
            if (!create)
                return NULL;
            t->id = id;
            return t;
        }
    }
    return NULL; /* full until the next flush: this request goes uncounted */
}

void integration_usage_note(int64_t integration_id, int64_t now)
{
    pthread_mutex_lock(&lock);
    struct tally *t = slot(integration_id, true);
    if (t) {
        t->count++;
        if (now > t->last)
            t->last = now;
    }
    pthread_mutex_unlock(&lock);
}

void integration_usage_pending(int64_t integration_id, int64_t *count, int64_t *last_used)
{
    pthread_mutex_lock(&lock);
    struct tally *t = slot(integration_id, false);
    *count = t ? t->count : 0;
    *last_used = t ? t->last : 0;
    pthread_mutex_unlock(&lock);
}

enum err integration_usage_flush(struct db *db)
{
    static struct tally batch[USAGE_SLOTS];
    size_t n = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < USAGE_SLOTS; i++)
        if (table[i].id) {
            batch[n++] = table[i];
            table[i] = (struct tally){0, 0, 0};
        }
    pthread_mutex_unlock(&lock);
    if (!n)
        return ERR_OK;
    enum err e = db_begin(db);
    for (size_t i = 0; !e && i < n; i++) {
        struct db_stmt *st;
        e = db_prepare(db,
                       "INSERT INTO integration_usage (integration_id, last_used_at, request_count)"
                       " SELECT integration_id, CAST($2 AS BIGINT), CAST($3 AS BIGINT)"
                       " FROM integration WHERE integration_id = $1"
                       " ON CONFLICT (integration_id) DO UPDATE SET request_count ="
                       " integration_usage.request_count + excluded.request_count,"
                       " last_used_at = CASE WHEN excluded.last_used_at >"
                       " integration_usage.last_used_at THEN excluded.last_used_at"
                       " ELSE integration_usage.last_used_at END",
                       &st);
        if (!e) {
            db_bind_i64(st, 1, batch[i].id);
            db_bind_i64(st, 2, batch[i].last);
            db_bind_i64(st, 3, batch[i].count);
            e = db_run(st, NULL);
        }
    }
    if (!e)
        return db_commit(db);
    db_rollback(db);
    /* put the tallies back for the next try */
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n; i++) {
        struct tally *t = slot(batch[i].id, true);
        if (t) {
            t->count += batch[i].count;
            if (batch[i].last > t->last)
                t->last = batch[i].last;
        }
    }
    pthread_mutex_unlock(&lock);
    return e;
}
