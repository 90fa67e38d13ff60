/* The nonce writer (see nonce.h). */
#include "oauth/nonce.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/db.h"

struct nonce_store {
    struct db *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct nonce_req *head, *tail;
    bool stop;
    int64_t cleanup_cutoff; /* > 0: a cleanup was asked for */
    int64_t cleaned;
    bool cleanup_done;
    pthread_cond_t cleanup_cond;
};

static enum err insert(struct db *db, struct nonce_req *r, bool *fresh)
{
    struct db_stmt *st;
    int64_t changes = 0;
    enum err e = db_prepare(db,
                            "INSERT INTO oauth_nonce (nonce, consumer_id, timestamp)"
                            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(r->nonce));
    db_bind_i64(st, 2, r->consumer_id);
    db_bind_i64(st, 3, r->timestamp);
    e = db_run(st, &changes);
    *fresh = changes == 1;
    return e;
}

static void commit_batch(struct nonce_store *s, struct nonce_req *batch)
{
    enum err e = db_begin(s->db);
    for (struct nonce_req *r = batch; !e && r; r = r->next) {
        bool fresh = false;
        e = insert(s->db, r, &fresh);
        r->seen = !fresh;
    }
    if (!e)
        e = db_commit(s->db);
    else
        db_rollback(s->db);
    if (e)
        log_error("nonce batch failed: %s", err_message(e));
    /* Answers go out only after the commit: an accepted nonce is durable before its request is
     * answered. */
    for (struct nonce_req *r = batch; r;) {
        struct nonce_req *next = r->next;
        r->done(r, e ? ERR_UNAVAILABLE : r->seen ? ERR_OAUTH_NONCE_USED : ERR_OK);
        r = next;
    }
}

static void run_cleanup(struct nonce_store *s)
{
    struct db_stmt *st;
    int64_t deleted = 0;
    enum err e = db_prepare(s->db, "DELETE FROM oauth_nonce WHERE timestamp < $1", &st);
    if (!e) {
        db_bind_i64(st, 1, s->cleanup_cutoff);
        e = db_run(st, &deleted);
    }
    s->cleaned = e ? -1 : deleted;
}

static void *writer_main(void *arg)
{
    struct nonce_store *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->stop && !s->cleanup_cutoff)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->cleanup_cutoff) {
            pthread_mutex_unlock(&s->lock);
            run_cleanup(s);
            pthread_mutex_lock(&s->lock);
            s->cleanup_cutoff = 0;
            s->cleanup_done = true;
            pthread_cond_broadcast(&s->cleanup_cond);
            continue;
        }
        struct nonce_req *batch = s->head;
        s->head = s->tail = NULL;
        if (!batch && s->stop)
            break;
        pthread_mutex_unlock(&s->lock);
        commit_batch(s, batch);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

enum err nonce_store_start(const char *db_url, struct nonce_store **out)
{
    struct nonce_store *s = calloc(1, sizeof(*s));
    if (!s)
        return ERR_DB;
    enum err e = db_open(db_url, false, &s->db);
    if (e) {
        free(s);
        return e;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    pthread_cond_init(&s->cleanup_cond, NULL);
    if (pthread_create(&s->thread, NULL, writer_main, s) != 0) {
        db_close(s->db);
        free(s);
        return ERR_DB;
    }
    *out = s;
    return ERR_OK;
}

void nonce_store_submit(struct nonce_store *s, struct nonce_req *req)
{
    req->next = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->tail)
        s->tail->next = req;
    else
        s->head = req;
    s->tail = req;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void nonce_store_stop(struct nonce_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    db_close(s->db);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    pthread_cond_destroy(&s->cleanup_cond);
    free(s);
}

enum err nonce_store_cleanup(struct nonce_store *s, int64_t cutoff, int64_t *deleted)
{
    pthread_mutex_lock(&s->lock);
    s->cleanup_done = false;
    s->cleanup_cutoff = cutoff > 0 ? cutoff : 1;
    pthread_cond_signal(&s->cond);
    while (!s->cleanup_done)
        pthread_cond_wait(&s->cleanup_cond, &s->lock);
    int64_t n = s->cleaned;
    pthread_mutex_unlock(&s->lock);
    if (n < 0)
        return ERR_DB;
    if (deleted)
        *deleted = n;
    return ERR_OK;
}
