/* Admin panel sessions: a random 32-character token in an HttpOnly cookie, stored only as its
 * SHA-256 in admin_session, so every node sharing the database sees a sign-in or sign-out at once.
 * A session ends after admin/security/session_lifetime seconds without a request (idle timeout),
 * at sign-out, or when its admin is deleted or disabled. The form key (the CSRF token a page sends
 * back on state-changing requests) is derived from the session token, never stored. */
#ifndef SG_USER_ADMIN_SESSION_H
#define SG_USER_ADMIN_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

#define ADMIN_SESSION_COOKIE "storegate_admin"
#define ADMIN_FORM_KEY_LEN 64

/* Starts a session for an admin; token_out gets the cookie's value. */
enum err admin_session_create(struct db *db, int64_t admin_id, int64_t now,
                              char token_out[CRYPTO_TOKEN_LEN + 1]);
/* Resolves a cookie value to the active admin of a live session and refreshes its idle clock
 * (written at most every few seconds, so a page's burst of requests costs one write). A session
 * idle for lifetime seconds or more is deleted and ERR_NOT_FOUND is returned, as for an unknown
 * token or a disabled admin. */
enum err admin_session_resolve(struct db *db, struct str token, int64_t now, int64_t lifetime,
                               int64_t *admin_id);
/* Ends one session (sign-out); ERR_OK also when it did not exist. */
enum err admin_session_end(struct db *db, struct str token);
/* Ends every session of an admin (locked, disabled, deleted, password changed). */
enum err admin_session_end_all(struct db *db, int64_t admin_id);
/* Deletes sessions idle since before cutoff; *deleted gets the count. */
enum err admin_session_cleanup(struct db *db, int64_t cutoff, int64_t *deleted);
/* The form key of a session token: hex SHA-256 of a domain prefix and the token. */
void admin_session_form_key(struct str token, char out[ADMIN_FORM_KEY_LEN + 1]);

#endif
