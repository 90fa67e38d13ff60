/* Replay protection, durable and batched. A nonce accepted once is refused for the whole timestamp
 * window, on every thread, after a restart (and, with PostgreSQL, on every node), so it is
 * durably recorded before the request is answered.
 *
 * Group commit without a thread hop: each worker thread collects the nonces of the signed requests
 * it verified during one turn of its event loop and records them all at the end of that turn, on
 * its own thread, with one sync; then it answers them. Where they are recorded depends on the
 * store:
 *   - a database file on this machine (SQLite): the nonce journal beside it (nonce_journal.h),
 *     one pwrite and one fdatasync a batch, the set of nonces in memory;
 *   - a database server (PostgreSQL, shared by several nodes): the oauth_nonce table, one
 *     transaction a batch on the worker's connection; the primary key refuses a nonce that any
 *     node recorded. */
#ifndef SG_OAUTH_NONCE_H
#define SG_OAUTH_NONCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define NONCE_MAX_LEN 255

struct db;
struct nonce_store;

struct nonce_req {
    int64_t consumer_id, timestamp;
    char nonce[NONCE_MAX_LEN + 1];
    /* Set by nonce_store_commit(): ERR_OK (recorded now, durably), ERR_OAUTH_NONCE_USED (seen
     * before, or earlier in the same batch), or ERR_UNAVAILABLE (nothing of the batch was
     * recorded). */
    enum err result;
    struct nonce_req *next; /* the batch's list */
};

/* Sets up the store for the database at db_url (for a file: opens the journal, reading it back,
 * and waits up to wait_seconds for another process that holds it). */
enum err nonce_store_new(const char *db_url, int wait_seconds, struct nonce_store **out);
/* Logs the counters at info level and frees the store. NULL is fine. */
void nonce_store_free(struct nonce_store *s);
/* Records every nonce of the list (db: the calling thread's connection, used for a database
 * server) and returns once they are durable, each request's result set. now and window: the
 * clock and oauth/timestamp_window, to forget nonces that can no longer be replayed. */
void nonce_store_commit(struct nonce_store *s, struct db *db, struct nonce_req *batch, int64_t now,
                        int64_t window);

#endif
