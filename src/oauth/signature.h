/* OAuth 1.0a signatures (RFC 5849 section 3.4) as Magento verifies them, and as RFC-correct clients
 * (python3-oauthlib) compute them. Magento's base string departs from the RFC in three ways
 * (reference section 4.4 and the observed table): keys sorted in natural order (digit runs by
 * value), '+' in the query signed literally instead of as a space, and %2F (and other reserved
 * characters) in the path decoded before signing (laminas-uri normalisation). storegate accepts a
 * signature made either way: it builds the base string per variant and compares each in constant
 * time. */
#ifndef SG_OAUTH_SIGNATURE_H
#define SG_OAUTH_SIGNATURE_H

#include <openssl/sha.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"

enum oauth_variant {
    OAUTH_RFC,     /* RFC 5849: byte order, query '+' is a space, path as sent */
    OAUTH_MAGENTO, /* Magento 2.4: natural order, '+' literal, reserved path escapes decoded */
    OAUTH_VARIANTS
};

enum oauth_method { OAUTH_HMAC_SHA1, OAUTH_HMAC_SHA256, OAUTH_METHOD_UNKNOWN };

struct oauth_param {
    struct str name, value; /* decoded */
};

struct oauth_params {
    struct oauth_param *items;
    size_t n, cap;
};

#define OAUTH_MAX_PARAMS 256

void oauth_params_init(struct oauth_params *p, struct arena *a);
/* Adds a pair; false when the list is full (OAUTH_MAX_PARAMS). */
bool oauth_params_add(struct oauth_params *p, struct arena *a, struct str name, struct str value);
/* Last value for a name, or STR_NULL. */
struct str oauth_params_get(const struct oauth_params *p, const char *name);
bool oauth_params_has(const struct oauth_params *p, const char *name);

/* True if name matches Magento's unanchored /oauth_[a-z_-]+/. */
bool oauth_is_protocol_name(struct str name);
/* Parses "Authorization: OAuth k="v", ..." (Magento 2.4: case-insensitive "oauth " anywhere;
 * pieces split on ',', trimmed, split on the first '=', names matching the protocol pattern,
 * values with their quotes stripped, both percent-decoded). Returns false when the header is not
 * an OAuth header. realm is ignored. The names and values are slices (not NUL-terminated) that
 * may borrow the header's bytes: they live as long as the header and the arena. */
bool oauth_header_parse(struct arena *a, struct str header, struct oauth_params *out);
/* The query parameters that enter the signature, per variant. Protocol parameters in the query
 * are never used (the caller stays a guest in Magento). */
void oauth_query_params(struct arena *a, struct str query, enum oauth_variant v,
                        struct oauth_params *out);
/* application/x-www-form-urlencoded body parameters (non-protocol ones). */
void oauth_form_params(struct arena *a, struct str body, struct oauth_params *out);

/* The signature base string: METHOD&enc(base URL)&enc(normalised parameters), where params are
 * all the signed parameters (oauth_signature excluded by the function). scheme is "http" or
 * "https"; host is the Host header (port kept, default port removed); path is the raw path. */
struct str oauth_base_string(struct arena *a, struct str method, bool https, struct str host,
                             struct str path, const struct oauth_params *params,
                             enum oauth_variant v);
enum oauth_method oauth_method_parse(struct str name);
/* Base64 HMAC of base with key enc(consumer_secret)&enc(token_secret). */
struct str oauth_sign(struct arena *a, enum oauth_method m, struct str consumer_secret,
                      struct str token_secret, struct str base);

/* An HMAC key made ready (RFC 2104): the hash states after the key's inner and outer padded
 * blocks, so that a signature costs the hashing of the base string alone. It can sign in place of
 * the secrets it came from: treat it as a secret (wipe it, never log it). */
struct oauth_hmac_key {
    enum oauth_method method;
    union {
        struct {
            SHA256_CTX inner, outer;
        } sha256;
        struct {
            SHA_CTX inner, outer;
        } sha1;
    } u;
};

/* The key enc(consumer_secret)&enc(token_secret) for method m; the encoded key itself is wiped. */
void oauth_hmac_key_init(struct oauth_hmac_key *k, enum oauth_method m, struct str consumer_secret,
                         struct str token_secret);
/* As oauth_sign(), with a ready key. */
struct str oauth_hmac_sign(struct arena *a, const struct oauth_hmac_key *k, struct str base);
/* strnatcmp as PHP implements it (the subset Magento's keys exercise: digit runs by value). */
int oauth_natcmp(struct str a, struct str b);

#endif
