/* Customer accounts (Magento_Customer's core): email unique per website (case-insensitively),
 * names, Argon2id password. The full resource (addresses, search, admin CRUD) grows from here in
 * the Web API issue. */
#ifndef SG_CUSTOMER_CUSTOMER_H
#define SG_CUSTOMER_CUSTOMER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

struct customer {
    int64_t id, website_id, group_id, store_id, created_at, updated_at;
    bool active;
    char email[255], firstname[256], lastname[256], created_in[256];
    char password_hash[CRYPTO_PWHASH_LEN];
};

struct customer_input {
    const char *email, *firstname, *lastname, *password;
    int64_t website_id, store_id;
};

/* Magento's rules; writes the first problem into err. password may be NULL (no password). */
bool customer_validate(const struct customer_input *in, char *err, size_t errlen);
/* Hashes the password (slow) and inserts; ERR_EXISTS when the email is taken on the website. */
enum err customer_create(struct db *db, const struct customer_input *in, int64_t *id);
enum err customer_find_email(struct db *db, struct str email, int64_t website_id,
                             struct customer *out);
enum err customer_find_id(struct db *db, int64_t id, struct customer *out);
bool customer_password_ok(const struct customer *c, struct str password);
/* Magento's CustomerInterface JSON. */
void customer_json(const struct customer *c, struct buf *out);
/* Applies a JSON "customer" object to c (firstname, lastname, email, ...): unknown keys give
 * ERR_FIELD_NOT_SUPPORTED with *bad_key set; type errors ERR_INVALID_TYPE. */
enum err customer_apply(struct customer *c, json_t *obj, const char **bad_key);
/* Saves names and email; ERR_EXISTS when the new email is taken. */
enum err customer_save(struct db *db, const struct customer *c);

#endif
