/* The command line: storegate COMMAND [options], named as Magento's bin/magento where a command
 * exists. Exit codes: 0 success, 1 failure while running, 2 bad arguments. */
#ifndef SG_CLI_CLI_H
#define SG_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"

#define CLI_MAX_OPTS 16
#define CLI_MAX_POS 4

struct cli_opt {
    const char *name; /* without the leading -- */
    bool has_value;
    const char *help;
    bool multi; /* may be given several times (values in cli_args.multi) */
};

#define CLI_MAX_MULTI 256

struct cli_cmd;

struct cli_args {
    const struct cli_cmd *cmd;
    const char *value[CLI_MAX_OPTS]; /* by index in the command's option list; NULL if absent */
    bool given[CLI_MAX_OPTS];
    const char *pos[CLI_MAX_POS];
    int npos;
    const char *multi[CLI_MAX_MULTI]; /* every value of the command's multi option */
    int nmulti;
    const char *var_dir;
};

struct cli_cmd {
    const char *name, *args_usage, *summary;
    int min_pos, max_pos;
    struct cli_opt opts[CLI_MAX_OPTS];
    int (*run)(const struct cli_args *a);
};

int cli_main(int argc, char **argv);

/* args.c */
/* Parses argv (after the command name); prints the problem and returns 2, or 0. */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *out);
const char *cli_get(const struct cli_args *a, const char *name);
bool cli_has(const struct cli_args *a, const char *name);
/* Prints a usage error for the command and returns 2. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_print_help(const struct cli_cmd *cmd);
/* Loads the settings for a.var_dir; prints the problem and returns false. */
bool cli_settings(const struct cli_args *a, struct settings *s);
/* Parses a whole number in [min, max]; false if not one. */
bool cli_int(const char *text, long long min, long long max, long long *out);

/* The commands. */
int cmd_setup_install(const struct cli_args *a);
int cmd_setup_upgrade(const struct cli_args *a);
int cmd_serve(const struct cli_args *a);
int cmd_config_set(const struct cli_args *a);
int cmd_config_show(const struct cli_args *a);
int cmd_config_check(const struct cli_args *a);
int cmd_admin_user_create(const struct cli_args *a);
int cmd_admin_role_create(const struct cli_args *a);
int cmd_store_view_create(const struct cli_args *a);
int cmd_sampledata_deploy(const struct cli_args *a);
int cmd_admin_user_unlock(const struct cli_args *a);
int cmd_db_migrate(const struct cli_args *a);
int cmd_customer_create(const struct cli_args *a);
int cmd_integration_create(const struct cli_args *a);
int cmd_integration_list(const struct cli_args *a);
int cmd_integration_show(const struct cli_args *a);
int cmd_integration_activate(const struct cli_args *a);
int cmd_integration_diagnostics(const struct cli_args *a);
int cmd_integration_delete(const struct cli_args *a);
int cmd_integration_test_callback(const struct cli_args *a);

/* Opens the store's database (existing) with schema check; prints the problem on failure. */
struct db;
struct db *cli_open_db(const struct settings *s, bool require_current_schema);

#endif
