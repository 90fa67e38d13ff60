/* The authentication lock for admin and customer token requests (reference section 5.4):
 * oauth/authentication_lock/max_failures_count consecutive failures lock the account for
 * oauth/authentication_lock/timeout seconds. Unlike Magento (which relies on a cron job), the
 * lock's expiry is checked by time in the request path. Names are keyed case-insensitively. */
#ifndef SG_USER_AUTH_LOCK_H
#define SG_USER_AUTH_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "user/bearer_token.h"

/* Magento's RequestThrottler values (not the user-context ones). */
enum lock_kind {
    LOCK_CUSTOMER = 2,
    LOCK_ADMIN = 3,
    /* storegate's own: the admin panel's sign-in and password confirmations, locked by
     * admin/security/lockout_failures and lockout_threshold (Magento keeps these counts on
     * admin_user; here they share the table, keyed on the lower-cased user name) */
    LOCK_ADMIN_PANEL = 4,
};

/* *locked is true when the name has max_failures or more failures and the lock has not expired. */
enum err auth_lock_check(struct db *db, enum lock_kind kind, struct str name, int64_t max_failures,
                         int64_t now, bool *locked);
/* Counts a failure and (re)starts the lock period. */
enum err auth_lock_fail(struct db *db, enum lock_kind kind, struct str name, int64_t timeout,
                        int64_t now);
/* Forgets the failures (a success, or admin:user:unlock); *cleared (may be NULL) tells if any. */
enum err auth_lock_clear(struct db *db, enum lock_kind kind, struct str name, bool *cleared);

#endif
