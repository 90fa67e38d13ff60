/* Admin roles (Magento_Authorization): a named set of ACL resources, either every resource ("All",
 * Magento_Backend::all) or the ticked ids of the tree (Custom). Each admin user holds one role; an
 * admin's bearer token and browser session are limited to that role's resources. The role every
 * fresh store starts with, "Administrators", has All. Role names are unique case-insensitively. */
#ifndef SG_USER_ADMIN_ROLE_H
#define SG_USER_ADMIN_ROLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define ADMIN_ROLE_NAME_MAX 64
#define ADMIN_ROLE_MAX_RESOURCES 256
#define ADMIN_ROLE_DEFAULT "Administrators"

struct admin_role_input {
    const char *name;
    bool all_resources;
    const char *resources[ADMIN_ROLE_MAX_RESOURCES];
    int nresources;
};

/* Checks the name (required, at most ADMIN_ROLE_NAME_MAX characters) and every resource id
 * (known to the ACL tree); writes the first problem into err. */
bool admin_role_validate(const struct admin_role_input *in, char *err, size_t errlen);
/* Inserts a role with its resources in one transaction; ERR_EXISTS if the name is taken. */
enum err admin_role_create(struct db *db, const struct admin_role_input *in, int64_t *id);
/* Replaces name, access and resources; ERR_NOT_FOUND, ERR_EXISTS. */
enum err admin_role_update(struct db *db, int64_t id, const struct admin_role_input *in);
/* Deletes a role that no user holds; ERR_INVALID while users hold it, ERR_NOT_FOUND. */
enum err admin_role_delete(struct db *db, int64_t id);
/* Finds a role id by name, case-insensitively; ERR_NOT_FOUND if none. */
enum err admin_role_find(struct db *db, struct str name, int64_t *id);
/* Appends {"id","name","resource_access":"all"|"custom","resources":[...],"users":N} for one role
 * (id > 0) or a JSON array of every role (id == 0). ERR_NOT_FOUND for an unknown id. */
enum err admin_role_json(struct db *db, int64_t id, struct buf *out);

/* Appends the JSON array of a role's Custom resource ids (empty for All or an unknown role). */
enum err admin_role_resources_json(struct db *db, int64_t id, struct buf *out);
/* The role of an admin user: *all is true for All; *role_id is 0 for a user without a role. */
enum err admin_role_of_user(struct db *db, int64_t user_id, int64_t *role_id, bool *all);
/* Does the role hold this resource? (Custom roles only: the caller handles All.) Every role holds
 * Magento_Backend::admin, the tree's root, as in Magento's role editor. */
enum err admin_role_allows(struct db *db, int64_t role_id, struct str resource, bool *allowed);

#endif
