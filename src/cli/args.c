/* Option parsing shared by the commands (see cli.h): --name value, --name=value, positionals,
 * and the clear messages for what is wrong. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"

static int find_opt(const struct cli_cmd *cmd, const char *name, size_t len)
{
    for (int i = 0; i < CLI_MAX_OPTS && cmd->opts[i].name; i++)
        if (strlen(cmd->opts[i].name) == len && strncmp(cmd->opts[i].name, name, len) == 0)
            return i;
    return -1;
}

void cli_print_help(const struct cli_cmd *cmd)
{
    printf("Usage: storegate [--var-dir DIR] %s%s%s\n\n%s\n", cmd->name,
           cmd->args_usage[0] ? " " : "", cmd->args_usage, cmd->summary);
    if (cmd->opts[0].name) {
        printf("\nOptions:\n");
        for (int i = 0; i < CLI_MAX_OPTS && cmd->opts[i].name; i++) {
            char left[64];
            snprintf(left, sizeof(left), "--%s%s", cmd->opts[i].name,
                     cmd->opts[i].has_value ? " VALUE" : "");
            printf("  %-28s %s\n", left, cmd->opts[i].help);
        }
    }
    printf("  %-28s %s\n", "--var-dir DIR",
           "the store's folder (env STOREGATE_VAR_DIR, default ./var)");
    printf("  %-28s %s\n", "--help", "show this help");
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("storegate: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'storegate %s --help' for usage.\n", cmd->name);
    return 2;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *out)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++) {
                if (out->npos == CLI_MAX_POS || out->npos >= cmd->max_pos)
                    return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[i]);
                out->pos[out->npos++] = argv[i];
            }
            break;
        }
        if (strncmp(arg, "--", 2) == 0) {
            const char *name = arg + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int k = find_opt(cmd, name, len);
            if (k < 0)
                return cli_usage_error(cmd, "unknown option \"--%.*s\"", (int)len, name);
            if (out->given[k] && !cmd->opts[k].multi)
                return cli_usage_error(cmd, "option \"--%s\" given twice", cmd->opts[k].name);
            out->given[k] = true;
            if (cmd->opts[k].has_value) {
                if (eq) {
                    out->value[k] = eq + 1;
                } else if (i + 1 < argc) {
                    out->value[k] = argv[++i];
                } else {
                    return cli_usage_error(cmd, "option \"--%s\" needs a value", cmd->opts[k].name);
                }
                if (cmd->opts[k].multi) {
                    if (out->nmulti == CLI_MAX_MULTI)
                        return cli_usage_error(cmd, "too many \"--%s\" options", cmd->opts[k].name);
                    out->multi[out->nmulti++] = out->value[k];
                }
            } else if (eq) {
                return cli_usage_error(cmd, "option \"--%s\" takes no value", cmd->opts[k].name);
            }
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0')
            return cli_usage_error(cmd, "unknown option \"%s\"", arg);
        if (out->npos == CLI_MAX_POS || out->npos >= cmd->max_pos)
            return cli_usage_error(cmd, "unexpected argument \"%s\"", arg);
        out->pos[out->npos++] = arg;
    }
    if (out->npos < cmd->min_pos)
        return cli_usage_error(cmd, "missing argument%s: %s", cmd->min_pos > 1 ? "s" : "",
                               cmd->args_usage);
    return 0;
}

const char *cli_get(const struct cli_args *a, const char *name)
{
    int k = find_opt(a->cmd, name, strlen(name));
    return k >= 0 ? a->value[k] : NULL;
}

bool cli_has(const struct cli_args *a, const char *name)
{
    int k = find_opt(a->cmd, name, strlen(name));
    return k >= 0 && a->given[k];
}

bool cli_settings(const struct cli_args *a, struct settings *s)
{
    char err[512];
    if (!settings_load(s, a->var_dir, err, sizeof(err))) {
        fprintf(stderr, "storegate: %s\n", err);
        return false;
    }
    return true;
}

bool cli_int(const char *text, long long min, long long max, long long *out)
{
    int64_t v;
    if (!text || !str_to_i64(str_c(text), &v) || v < min || v > max)
        return false;
    *out = v;
    return true;
}

struct db *cli_open_db(const struct settings *s, bool require_current_schema)
{
    struct db *db;
    enum err e = db_open(s->db_url, false, &db);
    if (e == ERR_NOT_FOUND) {
        fprintf(stderr, "storegate: no store in \"%s\": run 'storegate setup:install' first\n",
                s->var_dir);
        return NULL;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot open the database \"%s\": %s\n", s->db_url,
                err_message(e));
        return NULL;
    }
    if (require_current_schema) {
        int pending = 0;
        e = db_migrations_pending(db, &pending);
        if (e || pending) {
            fprintf(stderr,
                    "storegate: the database schema is not current (%d migrations pending): run "
                    "'storegate setup:upgrade'\n",
                    pending);
            db_close(db);
            return NULL;
        }
    }
    return db;
}
