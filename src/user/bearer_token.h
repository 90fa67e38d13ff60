/* Bearer tokens of admins (POST /V1/integration/admin/token) and customers (.../customer/token):
 * 32 random characters handed to the caller once, stored only as their SHA-256 in oauth_token,
 * valid for oauth/access_token_lifetime/admin or /customer hours (0: no expiry, as Magento's
 * "We will disable this feature if the value is empty"). */
#ifndef SG_USER_BEARER_TOKEN_H
#define SG_USER_BEARER_TOKEN_H

#include <stdint.h>

#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

/* Magento's UserContextInterface values. */
enum user_type { USER_INTEGRATION = 1, USER_ADMIN = 2, USER_CUSTOMER = 3 };

/* Creates a token for an admin or customer; token_out gets the clear token. */
enum err bearer_token_issue(struct db *db, enum user_type type, int64_t user_id,
                            int64_t lifetime_hours, char token_out[CRYPTO_TOKEN_LEN + 1]);
/* Resolves a presented token to an active admin or customer; ERR_NOT_FOUND when unknown,
 * revoked, expired or its user is inactive (the caller then stays a guest, as in Magento). */
enum err bearer_token_resolve(struct db *db, struct str token, int64_t now, enum user_type *type,
                              int64_t *user_id);
/* Revokes (deletes) every token of a user; *count gets how many there were. */
enum err bearer_token_revoke_all(struct db *db, enum user_type type, int64_t user_id,
                                 int64_t *count);
/* Deletes expired admin and customer tokens; *deleted gets the count. */
enum err bearer_token_cleanup(struct db *db, int64_t now, int64_t *deleted);

#endif
