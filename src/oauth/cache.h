/* A worker thread's cache of the rows that authenticate a request: consumers by key, integration
 * tokens by value (their secrets stay sealed in the cache; a signed request uses the HMAC key
 * made ready from them, kept in guarded memory: oauth_cache_hmac_key()), the Active integration of
 * a consumer, and the integration behind an access token used as a Bearer token. One per worker
 * thread; never shared.
 *
 * Nothing stale is ever used: oauth_cache_sync(), called at the start of every request with
 * db_changed()'s answer, forgets everything when another connection, process or node may have
 * committed (SQLite's data_version; always, with PostgreSQL, where the cache therefore never
 * serves a row) or when this thread's own connection changed a row since (db_writes()). A
 * revocation, deletion or reauthorize is thus seen by the very next request on every thread, as
 * without the cache. Nonces never go through the database on SQLite (nonce_journal.h), so signed
 * traffic does not itself empty the cache. */
#ifndef SG_OAUTH_CACHE_H
#define SG_OAUTH_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "oauth/signature.h"
#include "oauth/store.h"

struct oauth_cache;

struct oauth_cache *oauth_cache_new(void);
void oauth_cache_free(struct oauth_cache *c);
/* changed: what db_changed() just answered for this request. */
void oauth_cache_sync(struct oauth_cache *c, struct db *db, bool changed);
/* As oauth_consumer_by_key() / oauth_token_by_value() / oauth_bearer_integration(), through the
 * cache (c may be NULL: straight to the database). Without open_secret, a row the cache answers
 * has no secret (STR_NULL: see oauth_cache_hmac_key()); a row read from the database has it. */
enum err oauth_cache_consumer(struct oauth_cache *c, struct db *db, struct arena *a,
                              const struct crypto_key *key, struct str consumer_key,
                              bool open_secret, struct oauth_consumer *out);
enum err oauth_cache_token(struct oauth_cache *c, struct db *db, struct arena *a,
                           const struct crypto_key *key, struct str token, bool open_secret,
                           struct oauth_token *out);
/* The HMAC key (method m) of the consumer and token that oauth_cache_consumer() and
 * oauth_cache_token() just answered for this request (no other lookup in between), kept with the
 * token's row: made ready from the two secrets (consumer_secret / token_secret when the caller has
 * them opened, else the sealed bytes the cache holds) the first time, then reused until the row is
 * forgotten, so that a signed request neither opens the secrets nor keys the HMAC again. NULL when
 * the cache does not hold both rows (or could not get guarded memory): the caller then signs with
 * the secrets. */
const struct oauth_hmac_key *
oauth_cache_hmac_key(struct oauth_cache *c, struct arena *a, const struct crypto_key *key,
                     struct str consumer_key, struct str token, int64_t consumer_id,
                     enum oauth_method m, struct str consumer_secret, struct str token_secret);
enum err oauth_cache_bearer_integration(struct oauth_cache *c, struct db *db, struct str token,
                                        int64_t *integration_id, bool *all_resources);
/* The Active integration of a consumer (ERR_NOT_FOUND if none is Active). */
enum err oauth_cache_active_integration(struct oauth_cache *c, struct db *db, int64_t consumer_id,
                                        int64_t *integration_id, bool *all_resources);

#endif
