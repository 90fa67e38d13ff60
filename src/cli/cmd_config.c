/* config:set, config:show, config:check. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/store_config.h"
#include "db/db.h"

static enum err scope_id_of(struct db *db, enum config_scope scope, const char *code, int64_t *id)
{
    struct db_stmt *st;
    bool row = false;
    enum err e =
        db_prepare(db,
                   scope == SCOPE_WEBSITES ? "SELECT website_id FROM store_website WHERE code = $1"
                                           : "SELECT store_id FROM store WHERE code = $1",
                   &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(code));
    e = db_next(st, &row);
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    *id = db_col_i64(st, 0);
    db_done(st);
    return ERR_OK;
}

int cmd_config_set(const struct cli_args *a)
{
    const char *path = a->pos[0], *value = a->pos[1];
    const char *scope_text = cli_get(a, "scope") ? cli_get(a, "scope") : "default";
    const char *code = cli_get(a, "scope-code");
    enum config_scope scope;
    if (strcmp(scope_text, "default") == 0)
        scope = SCOPE_DEFAULT;
    else if (strcmp(scope_text, "websites") == 0 || strcmp(scope_text, "website") == 0)
        scope = SCOPE_WEBSITES;
    else if (strcmp(scope_text, "stores") == 0 || strcmp(scope_text, "store") == 0)
        scope = SCOPE_STORES;
    else
        return cli_usage_error(a->cmd, "scope \"%s\" is not one of default, websites, stores",
                               scope_text);
    if (scope != SCOPE_DEFAULT && !code)
        return cli_usage_error(a->cmd, "--scope %s needs --scope-code", scope_text);
    if (scope == SCOPE_DEFAULT && code)
        return cli_usage_error(a->cmd, "--scope-code is only for --scope websites or stores");
    char err[512];
    if (!store_config_validate(path, value, scope, err, sizeof(err)))
        return cli_usage_error(a->cmd, "%s", err);
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    int64_t id = 0;
    enum err e = scope == SCOPE_DEFAULT ? ERR_OK : scope_id_of(db, scope, code, &id);
    if (e == ERR_NOT_FOUND) {
        db_close(db);
        fprintf(stderr, "storegate: no %s with code \"%s\"\n",
                scope == SCOPE_WEBSITES ? "website" : "store view", code);
        return 2;
    }
    if (!e)
        e = store_config_set(db, path, scope, id, value);
    db_close(db);
    if (e) {
        fprintf(stderr, "storegate: cannot save \"%s\": %s\n", path, err_message(e));
        return 1;
    }
    printf("Value was saved.\n");
    return 0;
}

int cmd_config_show(const struct cli_args *a)
{
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    const char *path = a->npos ? a->pos[0] : NULL;
    if (path && !store_config_known(path)) {
        fprintf(stderr, "storegate: the \"%s\" path doesn't exist. Verify and try again.\n", path);
        return 2;
    }
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    enum err e = store_config_print(db, path, stdout);
    db_close(db);
    if (e) {
        fprintf(stderr, "storegate: cannot read the configuration: %s\n", err_message(e));
        return 1;
    }
    return 0;
}

int cmd_config_check(const struct cli_args *a)
{
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    printf("Effective deployment settings (defaults < %s/env.ini < STOREGATE_* < flags):\n",
           s.var_dir);
    settings_print(&s, stdout);
    return 0;
}
