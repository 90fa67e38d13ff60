/* Admin bearer tokens (POST /rest/V1/integration/admin/token): 32 random characters handed to the
 * caller once, stored only as their SHA-256, valid for oauth/access_token_lifetime/admin hours
 * (0: no expiry, as Magento's "We will disable this feature if the value is empty"). */
#ifndef SG_USER_ADMIN_TOKEN_H
#define SG_USER_ADMIN_TOKEN_H

#include <stdint.h>

#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

/* Creates a token for user_id; token_out gets the clear token. */
enum err admin_token_issue(struct db *db, int64_t user_id, int64_t lifetime_hours,
                           char token_out[CRYPTO_TOKEN_LEN + 1]);
/* Resolves a presented token to its active admin user; ERR_NOT_FOUND when unknown, revoked,
 * expired or its user is inactive (the caller then stays a guest, as in Magento). */
enum err admin_token_resolve(struct db *db, struct str token, int64_t now, int64_t *user_id);
/* Deletes expired admin tokens; *deleted gets the count. */
enum err admin_token_cleanup(struct db *db, int64_t now, int64_t *deleted);

#endif
