/* The OAuth 1.0a provider's checks (reference sections 4.2-4.6), shared by the two token endpoints
 * and by every signed REST call. oauth_check() runs the protocol validation in Magento's order
 * (version, required fields, token length, signature method, consumer, timestamp, consumer
 * expiry, token, verifier, signature); the caller then records the nonce durably (nonce.h) and
 * finishes with the step's action. Stricter than Magento: timestamps outside the window are
 * refused, and a request whose signature fails does not use up its nonce. */
#ifndef SG_OAUTH_PROVIDER_H
#define SG_OAUTH_PROVIDER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"
#include "oauth/signature.h"
#include "oauth/store.h"

enum oauth_step { OAUTH_STEP_REQUEST_TOKEN, OAUTH_STEP_ACCESS_TOKEN, OAUTH_STEP_RESOURCE };

struct oauth_input {
    struct str method, host, path, query, authorization, content_type, body;
    bool https;
    /* the authorization header as oauth_header_parse() gave it, when the caller has parsed it
     * already (NULL: oauth_check() parses it) */
    const struct oauth_params *header;
};

struct oauth_policy {
    const char *signature_methods; /* "HMAC-SHA1,HMAC-SHA256" */
    int64_t timestamp_window;      /* seconds either side of now */
    int64_t consumer_expiration;   /* handshake window, seconds */
    int64_t now;
};

#define OAUTH_MAX_MISSING 8

struct oauth_error {
    enum err code;
    const char *missing[OAUTH_MAX_MISSING]; /* required fields absent (400) */
    int nmissing;
    char param[80]; /* the %1 of the message, when it has one */
    /* signature diagnostics: hash of the RFC base string and the names signed */
    char base_sha256[65];
    struct str signed_names;
};

struct oauth_checked {
    struct oauth_consumer consumer;
    struct oauth_token token; /* verifier/request/access row, per step */
    struct str nonce;
    int64_t timestamp;
    bool has_token;
};

/* Validates a request for a step. On failure returns the error code with details in *err. */
struct oauth_cache;
/* cache: the worker's row cache, synced for this request (NULL: straight to the database). */
enum err oauth_check(struct db *db, struct oauth_cache *cache, struct arena *a,
                     const struct crypto_key *key, const struct oauth_policy *pol,
                     enum oauth_step step, const struct oauth_input *in, struct oauth_checked *out,
                     struct oauth_error *err);
/* True if the Authorization header is an OAuth one (the caller is then an OAuth caller). */
bool oauth_is_oauth_header(struct str authorization);

#endif
