/* admin:user:create, admin:role:create, admin:user:unlock. */
#include <stdio.h>

#include "cli/cli.h"
#include "user/admin_role.h"
#include "user/admin_user.h"
#include "user/auth_lock.h"

int cmd_admin_user_create(const struct cli_args *a)
{
    struct admin_user_input in = {
        .username = cli_get(a, "admin-user"),
        .password = cli_get(a, "admin-password"),
        .email = cli_get(a, "admin-email"),
        .firstname = cli_get(a, "admin-firstname") ? cli_get(a, "admin-firstname") : "",
        .lastname = cli_get(a, "admin-lastname") ? cli_get(a, "admin-lastname") : "",
    };
    if (!in.username)
        return cli_usage_error(a->cmd, "--admin-user is required");
    if (!in.password)
        return cli_usage_error(a->cmd, "--admin-password is required");
    if (!in.email)
        return cli_usage_error(a->cmd, "--admin-email is required");
    char err[512];
    if (!admin_user_validate(&in, err, sizeof(err)))
        return cli_usage_error(a->cmd, "%s", err);
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    int64_t id = 0;
    enum err e = ERR_OK;
    const char *role = cli_get(a, "role");
    if (role && (e = admin_role_find(db, str_c(role), &in.role_id)) == ERR_NOT_FOUND) {
        db_close(db);
        fprintf(stderr, "storegate: no admin role \"%s\" (admin:role:create makes one)\n", role);
        return 1;
    }
    if (!e)
        e = admin_user_create(db, &in, &id);
    db_close(db);
    if (e == ERR_EXISTS) {
        fprintf(stderr, "storegate: the user name \"%s\" is already taken\n", in.username);
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot create the admin user: %s\n", err_message(e));
        return 1;
    }
    printf("Created admin user %s (id %lld)\n", in.username, (long long)id);
    return 0;
}

int cmd_admin_user_unlock(const struct cli_args *a)
{
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    struct admin_user u;
    enum err e = admin_user_find(db, str_c(a->pos[0]), &u);
    bool cleared = false;
    bool panel = false;
    if (e == ERR_OK)
        e = auth_lock_clear(db, LOCK_ADMIN, str_c(a->pos[0]), &cleared);
    if (e == ERR_OK) /* the admin panel's lock too, as Magento's admin:user:unlock */
        e = auth_lock_clear(db, LOCK_ADMIN_PANEL, str_c(a->pos[0]), &panel);
    cleared = cleared || panel;
    db_close(db);
    if (e == ERR_NOT_FOUND) {
        fprintf(stderr, "storegate: no admin user \"%s\"\n", a->pos[0]);
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot unlock: %s\n", err_message(e));
        return 1;
    }
    printf(cleared ? "Unlocked admin user %s.\n" : "Admin user %s was not locked.\n", u.username);
    return 0;
}

int cmd_admin_role_create(const struct cli_args *a)
{
    struct admin_role_input in = {.name = cli_get(a, "name"),
                                  .all_resources = cli_has(a, "all-resources")};
    if (!in.name)
        return cli_usage_error(a->cmd, "--name is required");
    if (in.all_resources && a->nmulti)
        return cli_usage_error(a->cmd, "--all-resources and --resource exclude each other");
    if (!in.all_resources && !a->nmulti)
        return cli_usage_error(a->cmd, "give --all-resources or at least one --resource");
    for (int i = 0; i < a->nmulti && in.nresources < ADMIN_ROLE_MAX_RESOURCES; i++)
        in.resources[in.nresources++] = a->multi[i];
    char err[512];
    if (!admin_role_validate(&in, err, sizeof(err)))
        return cli_usage_error(a->cmd, "%s", err);
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    int64_t id = 0;
    enum err e = admin_role_create(db, &in, &id);
    db_close(db);
    if (e == ERR_EXISTS) {
        fprintf(stderr, "storegate: the role name \"%s\" is already taken\n", in.name);
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot create the role: %s\n", err_message(e));
        return 1;
    }
    printf("Created admin role %s (id %lld)\n", in.name, (long long)id);
    return 0;
}
