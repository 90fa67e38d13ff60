/* Replay protection, durable and batched. A nonce accepted once is refused for the whole timestamp
 * window, on every thread, after a restart (and, with PostgreSQL, on every node), so it is
 * committed to the database before the request is answered. One writer thread with its own
 * connection takes every nonce queued since its last commit and inserts them in one transaction
 * (group commit): one fsync serves many requests. */
#ifndef SG_OAUTH_NONCE_H
#define SG_OAUTH_NONCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define NONCE_MAX_LEN 255

struct nonce_store;

struct nonce_req {
    int64_t consumer_id, timestamp;
    char nonce[NONCE_MAX_LEN + 1];
    /* Called on the writer thread: ERR_OK (recorded now), ERR_OAUTH_NONCE_USED (seen before),
     * or a database error. */
    void (*done)(struct nonce_req *req, enum err result);
    void *arg;
    /* private to the writer */
    struct nonce_req *next;
    bool seen;
};

enum err nonce_store_start(const char *db_url, struct nonce_store **out);
/* Queues a nonce (any thread). */
void nonce_store_submit(struct nonce_store *s, struct nonce_req *req);
/* Commits what is queued, then stops the writer. */
void nonce_store_stop(struct nonce_store *s);
/* Deletes nonces older than the cutoff timestamp; *deleted gets the count. */
enum err nonce_store_cleanup(struct nonce_store *s, int64_t cutoff, int64_t *deleted);

#endif
