/* admin:user:create. */
#include <stdio.h>

#include "cli/cli.h"
#include "user/admin_user.h"

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
    enum err e = admin_user_create(db, &in, &id);
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
