/* Admin accounts (Magento_User): user names unique case-insensitively, Argon2id password hashes.
 * Hashing and verifying take tens of milliseconds by design: the server runs them on its
 * blocking-work pool, never on an event loop. */
#ifndef SG_USER_ADMIN_USER_H
#define SG_USER_ADMIN_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"

#define ADMIN_USERNAME_MAX 40

struct admin_user_input {
    const char *username, *password, *email, *firstname, *lastname;
    int64_t role_id;           /* 0: the Administrators role */
    const char *password_hash; /* made beforehand (off the event loop), or NULL to hash here */
};

struct admin_user {
    int64_t id;
    bool active;
    char username[ADMIN_USERNAME_MAX + 1];
    char password_hash[CRYPTO_PWHASH_LEN];
};

/* Checks the fields as Magento's admin:user:create does; writes the first problem into err. */
bool admin_user_validate(const struct admin_user_input *in, char *err, size_t errlen);
/* Hashes the password and inserts the user with its role; ERR_EXISTS if the name is taken (any
 * case), ERR_NOT_FOUND if the role does not exist. */
enum err admin_user_create(struct db *db, const struct admin_user_input *in, int64_t *id);
/* Finds a user by name, case-insensitively; ERR_NOT_FOUND if none. */
enum err admin_user_find(struct db *db, struct str username, struct admin_user *out);
/* Verifies a password against the stored hash (slow: Argon2id). */
bool admin_user_password_ok(const struct admin_user *u, struct str password);
/* True if an active user with this id exists. */
enum err admin_user_active(struct db *db, int64_t id, bool *active);
enum err admin_user_count(struct db *db, int64_t *count);
/* Appends {"id","username","email","firstname","lastname","is_active","role_id","role"} for one
 * user (id > 0; ERR_NOT_FOUND if unknown) or an array of every user (id == 0). */
enum err admin_user_json(struct db *db, int64_t id, struct buf *out);
/* Changes a user's role and active flag; ERR_NOT_FOUND for an unknown user or role. */
enum err admin_user_update(struct db *db, int64_t id, int64_t role_id, bool active);
/* Deletes a user (its tokens and sessions go with it); ERR_NOT_FOUND if unknown. */
enum err admin_user_delete(struct db *db, int64_t id);

#endif
