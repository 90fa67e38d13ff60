/* Consumers and integration tokens (reference sections 1.2, 1.3, 4.7). Keys, tokens, secrets and
 * verifiers are 32 characters of [0-9a-z]; secrets are sealed with the install key at rest and
 * opened into the caller's arena. An integration has one token row that moves
 * verifier -> request -> access, as Magento's does. */
#ifndef SG_OAUTH_STORE_H
#define SG_OAUTH_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

#define OAUTH_LEN 32

enum oauth_token_type { TOKEN_VERIFIER, TOKEN_REQUEST, TOKEN_ACCESS };

struct oauth_consumer {
    int64_t id, created_at, updated_at;
    char key[OAUTH_LEN + 1];
    struct str secret; /* opened, in the arena */
};

struct oauth_token {
    int64_t id, consumer_id;
    enum oauth_token_type type;
    bool revoked;
    char token[OAUTH_LEN + 1], verifier[OAUTH_LEN + 1];
    struct str secret; /* opened, in the arena */
};

/* Creates a consumer named name with fresh key and secret. */
enum err oauth_consumer_create(struct db *db, struct arena *a, const struct crypto_key *key,
                               const char *name, struct oauth_consumer *out);
enum err oauth_consumer_by_key(struct db *db, struct arena *a, const struct crypto_key *key,
                               struct str consumer_key, struct oauth_consumer *out);
enum err oauth_consumer_by_id(struct db *db, struct arena *a, const struct crypto_key *key,
                              int64_t id, struct oauth_consumer *out);
/* Starts the handshake window (the activation POST). */
enum err oauth_consumer_touch(struct db *db, int64_t id, int64_t now);

/* The integration token row of a consumer (ERR_NOT_FOUND if none). */
enum err oauth_token_of_consumer(struct db *db, struct arena *a, const struct crypto_key *key,
                                 int64_t consumer_id, struct oauth_token *out);
/* An integration token by its value (ERR_NOT_FOUND if none). */
enum err oauth_token_by_value(struct db *db, struct arena *a, const struct crypto_key *key,
                              struct str token, struct oauth_token *out);
/* The active integration behind an access token used as a Bearer token, in one query and
 * without opening any secret: ERR_NOT_FOUND unless the token is an unrevoked access token of an
 * Active integration. */
enum err oauth_bearer_integration(struct db *db, struct str token, int64_t *integration_id,
                                  bool *all_resources);
/* The Active integration of a consumer (ERR_NOT_FOUND if none is Active). */
enum err oauth_active_integration(struct db *db, int64_t consumer_id, int64_t *integration_id,
                                  bool *all_resources);
/* Deletes the consumer's integration token rows (reauthorize, stale handshakes). */
enum err oauth_token_clear(struct db *db, int64_t consumer_id);
/* Reuses the consumer's verifier row or creates one (Magento's createVerifierToken). */
enum err oauth_token_create_verifier(struct db *db, struct arena *a, const struct crypto_key *key,
                                     int64_t consumer_id, struct oauth_token *out);
/* Moves a row to the next type with a new token and secret (request, then access). */
enum err oauth_token_advance(struct db *db, struct arena *a, const struct crypto_key *key,
                             struct oauth_token *t, enum oauth_token_type to);
const char *oauth_token_type_name(enum oauth_token_type t);

#endif
