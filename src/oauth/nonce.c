/* Nonce group commit (see nonce.h). */
#include "oauth/nonce.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "oauth/nonce_journal.h"

struct nonce_store {
    struct nonce_journal *journal; /* NULL: the oauth_nonce table */
    atomic_llong commits, nonces, commit_us;
};

enum err nonce_store_new(const char *db_url, int wait_seconds, bool sync_each, int writers,
                         int lease_seconds, struct nonce_store **out)
{
    *out = NULL;
    struct nonce_store *s = calloc(1, sizeof(*s));
    if (!s)
        return ERR_UNAVAILABLE;
    char db_path[PATH_MAX - 16], path[PATH_MAX];
    if (db_url_file(db_url, db_path, sizeof(db_path))) {
        snprintf(path, sizeof(path), "%s-nonces", db_path);
        enum nonce_journal_mode mode = !sync_each          ? NONCE_JOURNAL_BACKGROUND
                                       : lease_seconds > 0 ? NONCE_JOURNAL_LEASED
                                                           : NONCE_JOURNAL_SYNC;
        enum err e = nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, wait_seconds, mode,
                                        writers, lease_seconds, &s->journal);
        if (e) {
            free(s);
            return e;
        }
        log_info("nonce journal \"%s\": %zu nonces read back; answers wait for %s", path,
                 nonce_journal_count(s->journal),
                 mode == NONCE_JOURNAL_BACKGROUND ? "the write only (nonce_sync 0)"
                 : mode == NONCE_JOURNAL_LEASED
                     ? "the write under a synced lease, else fdatasync (nonce_sync 1, nonce_lease)"
                 : nonce_journal_direct(s->journal)
                     ? "a synchronous direct write (nonce_sync 1, nonce_lease 0, nonce_writers)"
                     : "fdatasync (nonce_sync 1, nonce_lease 0)");
    }
    *out = s;
    return ERR_OK;
}

void nonce_store_free(struct nonce_store *s)
{
    if (!s)
        return;
    long long commits = atomic_load(&s->commits), nonces = atomic_load(&s->nonces);
    if (commits)
        log_info("nonces: %lld recorded in %lld commits (%.1f a commit, %lld us a commit)", nonces,
                 commits, (double)nonces / (double)commits, atomic_load(&s->commit_us) / commits);
    nonce_journal_close(s->journal);
    free(s);
}

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

/* One transaction: the primary key (nonce, consumer) makes a nonce recorded by any node, or
 * earlier in this batch, a replay; concurrent inserts of the same key wait for each other. */
static void commit_table(struct db *db, struct nonce_req *batch)
{
    long long n = 0;
    enum err e = db_begin(db);
    for (struct nonce_req *r = batch; !e && r; r = r->next) {
        bool fresh = false;
        e = insert(db, r, &fresh);
        r->result = fresh ? ERR_OK : ERR_OAUTH_NONCE_USED;
        n++;
    }
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    if (e) {
        log_error("nonce batch of %lld failed: %s", n, err_message(e));
        for (struct nonce_req *r = batch; r; r = r->next)
            r->result = ERR_UNAVAILABLE;
    }
}

static void count(struct nonce_store *s, struct nonce_batch *b)
{
    long long fresh = 0;
    for (struct nonce_req *r = b->reqs; r; r = r->next)
        fresh += r->result == ERR_OK;
    atomic_fetch_add(&s->commits, 1);
    atomic_fetch_add(&s->nonces, fresh);
    atomic_fetch_add(&s->commit_us, (long long)(clock_mono_us() - b->start_us));
}

bool nonce_store_submit(struct nonce_store *s, struct db *db, struct nonce_batch *b, int64_t now,
                        int64_t window)
{
    b->start_us = clock_mono_us();
    if (!s->journal) {
        commit_table(db, b->reqs);
        count(s, b);
        return true;
    }
    return nonce_journal_submit(s->journal, b, now, window); /* the journal counts its own */
}
