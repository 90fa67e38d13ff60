/* store:view:create. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

int cmd_store_view_create(const struct cli_args *a)
{
    const char *code = cli_get(a, "code"), *name = cli_get(a, "name");
    long long group = 1, sort = 0;
    char err[512];
    if (!code)
        return cli_usage_error(a->cmd, "--code is required");
    if (!name || !*name)
        return cli_usage_error(a->cmd, "--name is required");
    if (strlen(name) > STORE_NAME_MAX)
        return cli_usage_error(a->cmd, "--name is longer than %d characters", STORE_NAME_MAX);
    if (!store_code_valid(code, err, sizeof(err)))
        return cli_usage_error(a->cmd, "%s", err);
    if (cli_get(a, "group-id") && !cli_int(cli_get(a, "group-id"), 1, 1000000, &group))
        return cli_usage_error(a->cmd, "--group-id must be a positive whole number");
    if (cli_get(a, "sort-order") && !cli_int(cli_get(a, "sort-order"), -1000000, 1000000, &sort))
        return cli_usage_error(a->cmd, "--sort-order must be a whole number");
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    int64_t id = 0;
    enum err e = store_view_create(db, code, name, group, sort, !cli_has(a, "inactive"), &id);
    db_close(db);
    if (e == ERR_EXISTS) {
        fprintf(stderr, "storegate: the store code \"%s\" is already used\n", code);
        return 1;
    }
    if (e == ERR_NOT_FOUND) {
        fprintf(stderr, "storegate: no store group with id %lld\n", group);
        return 2;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot create the store view: %s\n", err_message(e));
        return 1;
    }
    printf("Created store view %s (id %lld): /rest/%s/V1/...\n", code, (long long)id, code);
    return 0;
}
