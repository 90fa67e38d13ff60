/* Replay protection, durable and batched. A nonce accepted once is refused for the whole timestamp
 * window, on every thread, after a restart (and, with PostgreSQL, on every node), so it is
 * durably recorded before the request is answered.
 *
 * Group commit: each worker thread collects the nonces of the signed requests it verified during
 * one turn of its event loop and submits them together at the end of that turn. Where they are
 * recorded depends on the store:
 *   - a database file on this machine (SQLite): the nonce journal beside it (nonce_journal.h).
 *     The worker checks the batch against the set in memory. By default (lease mode) it writes
 *     the batch to the page cache and answers at once the nonces whose consumer holds a synced
 *     lease over their timestamps; the others wait for the journal's sync thread, which hands
 *     their batch back once synced. Without leases, writer threads write each batch with a
 *     synchronous direct write and hand it back. Either way the worker never waits for the disk:
 *     it goes on verifying the next requests meanwhile.
 *   - a database server (PostgreSQL, shared by several nodes): the oauth_nonce table, one
 *     transaction a batch on the worker's connection (the server does its own group commit);
 *     the primary key refuses a nonce that any node recorded. */
#ifndef SG_OAUTH_NONCE_H
#define SG_OAUTH_NONCE_H

#include <stdbool.h>
#include <stddef.h>
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
 * and waits up to wait_seconds for another process that holds it; sync_each, writers and
 * lease_seconds: the settings nonce_sync, nonce_writers and nonce_lease, see nonce_journal.h; a
 * database server always commits before the answer). */
enum err nonce_store_new(const char *db_url, int wait_seconds, bool sync_each, int writers,
                         int lease_seconds, struct nonce_store **out);
/* Logs the counters at info level and frees the store. NULL is fine. */
void nonce_store_free(struct nonce_store *s);
/* A batch of nonces on its way to the disk. The caller fills reqs and done (and arg). */
struct nonce_batch {
    struct nonce_req *reqs;
    /* Runs on the store's sync thread once every result is set (only when submit returned
     * false). */
    void (*done)(struct nonce_batch *b);
    void *arg;
    /* private to the store */
    struct nonce_batch *next;
    void *segment;
    uint32_t nfresh, nlease, at; /* new nonces, leases after them; their first slot */
    uint64_t gen;                /* lease mode: the sync that makes it durable */
    unsigned char (*fps)[16];    /* their fingerprints */
    struct nonce_req **fresh;    /* their requests */
    unsigned char *slots;        /* their slots */
    unsigned char *image;        /* the slots as they lie in the segment, to be written */
    size_t image_len;
    uint64_t start_us;
    bool ok;
};

/* Records every nonce of the batch (db: the calling thread's connection, used with a database
 * server). Returns true when every result is set already, durably (done is not called); false
 * when the batch waits for a sync: done(b) then runs later on another thread. now and window:
 * the clock and oauth/timestamp_window, to forget nonces that can no longer be replayed. */
bool nonce_store_submit(struct nonce_store *s, struct db *db, struct nonce_batch *b, int64_t now,
                        int64_t window);

#endif
