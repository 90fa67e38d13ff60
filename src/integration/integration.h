/* Integrations (reference sections 1.1, 1.7, 2, 3): a third-party system registered by the
 * administrator, with its OAuth consumer, its resource access (All, or Custom ACL ids), and its
 * activation: without a Callback URL the access token is made at once (Magento's manual path);
 * with one, the consumer's credentials and a verifier are POSTed to it and the third party runs
 * the token exchange within the handshake window. */
#ifndef SG_INTEGRATION_INTEGRATION_H
#define SG_INTEGRATION_INTEGRATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

enum integration_status { STATUS_INACTIVE = 0, STATUS_ACTIVE = 1, STATUS_RESET = 2 };

#define INTEGRATION_MAX_RESOURCES 256

struct integration_input {
    const char *name, *email, *endpoint, *identity_link_url;
    bool all_resources;
    const char *resources[INTEGRATION_MAX_RESOURCES];
    int nresources;
};

struct integration {
    int64_t id, consumer_id, created_at, updated_at;
    enum integration_status status;
    bool all_resources;
    const char *name, *email, *endpoint, *identity_link_url; /* arena */
};

struct integration_credentials {
    const char *consumer_key, *consumer_secret, *access_token, *access_token_secret; /* arena */
};

/* The answer of a callback POST (Magento counts any HTTP answer as delivered). */
struct callback_result {
    bool delivered;   /* an HTTP answer came back */
    long http_status; /* 0 when not delivered */
    long latency_ms;
    char error[256];   /* transport failure: DNS, connect, TLS, timeout */
    char excerpt[201]; /* the start of the answer's body */
};

/* Validates the input; writes the problem into err and returns false. *warning gets a note for an
 * http:// Callback URL (accepted unless require_https). */
bool integration_validate(const struct integration_input *in, bool require_https, char *err,
                          size_t errlen, const char **warning);
/* Creates the integration with its consumer; ERR_EXISTS when the name is taken. */
enum err integration_create(struct db *db, struct arena *a, const struct crypto_key *key,
                            const struct integration_input *in, int64_t *id);
/* By id (digits) or by name. */
enum err integration_find(struct db *db, struct arena *a, const char *id_or_name,
                          struct integration *out);
/* Activates or reauthorizes: the manual path makes the access token now; with a Callback URL
 * the credentials are POSTed (timeout and redirects from the store configuration). Old tokens are
 * revoked at once and the handshake window restarts. */
enum err integration_activate(struct db *db, struct arena *a, const struct crypto_key *key,
                              const char *store_base_url, long timeout_s, long max_redirects,
                              int64_t id, struct callback_result *cb);
/* The four credentials (access token ones NULL when there is no access token yet). */
enum err integration_credentials(struct db *db, struct arena *a, const struct crypto_key *key,
                                 int64_t id, struct integration_credentials *out);
/* Turns signature diagnostics on for an hour, or off. */
enum err integration_set_diagnostics(struct db *db, int64_t id, bool on, int64_t now);
const char *integration_status_label(enum integration_status s);

/* callback.c: POST the form fields to url (blocking: run it off the event loops). */
void integration_post_callback(const char *url, const char *const *fields, int nfields,
                               long timeout_s, long max_redirects, struct callback_result *out);

#endif
