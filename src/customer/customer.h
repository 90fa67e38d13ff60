/* Customer accounts (Magento_Customer's core): email unique per website (case-insensitively),
 * names, Argon2id password (customer.c); the Web API's customer resource with its address book
 * (account.c). */
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

/* --- Customer JSON: the Web API's CustomerInterface and AddressInterface (account.c) ---------
 * A customer is a jansson object keyed by Magento's names (id, group_id, default_billing, ...,
 * website_id, addresses: [...], disable_auto_group_change); addresses likewise (id, customer_id,
 * region {region_code, region, region_id}, country_id, street [...], ..., default_billing,
 * default_shipping). Callers own the objects they receive. */

#define CUSTOMER_MAX_ADDRESSES 100

/* What was wrong with an input: ERR_FIELD_NOT_SUPPORTED (key as sent), ERR_INVALID_TYPE (key,
 * value, expected type), ERR_REQUIRED_FIELD (missing: an array of field names, owned by the
 * caller), ERR_INVALID (key and max for a value over max characters; key "email" for a bad
 * address; message "country" with key countryId for an unknown country). */
struct customer_problem {
    const char *key, *type, *message;
    json_t *value, *missing;
    int max;
};

/* The SELECT of a customer row (FROM customer_entity, no WHERE) and its reader. */
#define CUSTOMER_SELECT                                                                            \
    "SELECT entity_id, group_id, default_billing, default_shipping, confirmation, created_at,"     \
    " updated_at, created_in, dob, email, firstname, lastname, middlename, prefix, suffix,"        \
    " gender, store_id, taxvat, website_id, disable_auto_group_change FROM customer_entity"
json_t *customer_row_read(struct db_stmt *st);
/* A customer with its addresses; ERR_NOT_FOUND if none. */
enum err customer_get_json(struct db *db, int64_t id, json_t **out);
enum err customer_addresses_read(struct db *db, int64_t customer_id, json_t **out);
enum err customer_address_get(struct db *db, int64_t id, json_t **out);
void customer_render(const json_t *c, struct buf *out);
void customer_address_render(const json_t *a, struct buf *out);
/* Merges a request's "customer" object (snake_case or camelCase) into c; "addresses", when
 * given, replaces the address list (entries with a known id merge onto the stored address). */
enum err customer_merge(json_t *c, json_t *in, struct customer_problem *p);
/* Required fields of the customer and of each address, the email and the country codes. */
enum err customer_check(const json_t *c, struct customer_problem *p);
/* Inserts (no "id") or updates c with its addresses and default addresses, in one transaction;
 * *id gets the customer's id. password_hash and created_in are used on insert only.
 * ERR_EXISTS: the email is taken on the website; ERR_NOT_FOUND: no such customer to update. */
enum err customer_write(struct db *db, json_t *c, const char *password_hash, const char *created_in,
                        int64_t *id);
/* Deletes the customer, the addresses and the customer's tokens. */
enum err customer_remove(struct db *db, int64_t id);
/* Deletes an address (and the defaults naming it); ERR_NOT_FOUND if none. */
enum err customer_address_delete(struct db *db, int64_t id);
/* Stores a new Argon2id hash as the customer's password. */
enum err customer_password_set(struct db *db, int64_t id, const char *hash);
enum err customer_email_available(struct db *db, struct str email, int64_t website_id,
                                  bool *available);

#endif
