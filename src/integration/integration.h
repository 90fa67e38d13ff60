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
#include "core/buf.h"
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
    int64_t id, consumer_id, created_at, updated_at, setup_type;
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
/* Activation in three steps so the slow POST can run off the event loop:
 * prepare (database: old tokens revoked at once, a fresh verifier, the handshake window restarts;
 * without a Callback URL the access token is made now and the integration is Active), post
 * (integration_post_callback with plan->fields, blocking), finish (records the outcome). */
struct activation {
    int64_t id;
    bool manual, reauthorize;
    const char *url; /* Callback URL (arena) */
    /* name, value pairs for the POST (arena; the secret is wiped by finish) */
    const char *fields[10];
    int nfields;
    const char *identity_link_url;
    const char *consumer_key;
};
enum err integration_activate_prepare(struct db *db, struct arena *a, const struct crypto_key *key,
                                      const char *store_base_url, int64_t id, int64_t admin_id,
                                      struct activation *plan);
void integration_activate_finish(struct db *db, struct activation *plan, int64_t admin_id,
                                 const struct callback_result *cb);
/* All three steps at once (the CLI). ERR_IO when the POST failed in transport. */
enum err integration_activate(struct db *db, struct arena *a, const struct crypto_key *key,
                              const char *store_base_url, long timeout_s, long max_redirects,
                              int64_t id, struct callback_result *cb);
/* A rehearsal POST with a throw-away verifier, marked with storegate_test=1 as a fifth field so
 * a third party can tell it from a real activation: reports DNS/TLS/HTTP status/latency. */
enum err integration_test_prepare(struct db *db, struct arena *a, const struct crypto_key *key,
                                  const char *store_base_url, int64_t id, struct activation *plan);
/* Updates fields and resources; ERR_EXISTS for a taken name; ERR_INVALID for a config one. */
enum err integration_update(struct db *db, int64_t id, const struct integration_input *in);
/* Deletes the integration, its consumer and every token: its signed requests fail at once.
 * ERR_INVALID for an integration declared in the configuration file. */
enum err integration_delete(struct db *db, int64_t id);
/* Integrations declared in a file (Magento's config-based integrations): creates the missing
 * ones (setup type config); when a declaration's fields or resources changed, updates it, revokes
 * its tokens, gives it a new consumer key and secret and sets status Reset: it needs
 * reauthorizing, as in Magento. *outcome gets "created", "reset" or "unchanged". */
enum err integration_apply_declared(struct db *db, struct arena *a, const struct crypto_key *key,
                                    const struct integration_input *in, const char **outcome);
/* The activation log. */
enum err integration_log_add(struct db *db, int64_t id, const char *event, int64_t admin_id,
                             const char *detail);
enum err integration_log_by_consumer(struct db *db, int64_t consumer_id, const char *event,
                                     const char *detail);
/* Resource ids of a Custom integration, appended to out as a JSON array of strings. */
enum err integration_resources_json(struct db *db, int64_t id, struct buf *out);
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
