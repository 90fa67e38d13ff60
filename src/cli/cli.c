/* The command table and the entry point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/crypto.h"
#include "core/log.h"

/* Options leave .multi out unless they repeat: the table stays readable. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
/* clang-format off */
static const struct cli_cmd commands[] = {
    {"setup:install", "", "Creates a new store: database with all migrations, var/env.ini, the "
     "install key (mode 0600) and the first admin user.", 0, 0,
     {{"base-url", true, "store base URL (default http://127.0.0.1:8080/)"},
      {"admin-user", true, "admin user name (default admin)"},
      {"admin-password", true, "admin password (default: random, printed once)"},
      {"admin-email", true, "admin email (default admin@example.com)"},
      {"admin-firstname", true, "admin first name"},
      {"admin-lastname", true, "admin last name"},
      {"db-url", true, "database URL, sqlite:PATH (default sqlite:<var>/storegate.db)"}},
     cmd_setup_install},
    {"setup:upgrade", "", "Applies pending database migrations.", 0, 0, {{0}}, cmd_setup_upgrade},
    {"serve", "", "Runs the HTTP server until SIGTERM or SIGINT.", 0, 0,
     {{"listen", true, "HOST:PORT to listen on (default 127.0.0.1:8080)"},
      {"threads", true, "worker threads (default: one per core)"},
      {"db-pool-size", true, "database connections the workers share (default 0: one per thread)"},
      {"tls-cert", true, "TLS certificate chain file (PEM)"},
      {"tls-key", true, "TLS private key file (PEM)"},
      {"trusted-proxies", true, "addresses/CIDRs whose X-Forwarded-Proto/-Host are believed"},
      {"access-log", true, "stderr (default), off, or a file path"}},
     cmd_serve},
    {"db:migrate", "", "Copies the store into an empty database (SQLite to PostgreSQL): every row, "
     "secrets still sealed, integrations keep their tokens.", 0, 0,
     {{"to", true, "target database URL: postgresql://USER:PASSWORD@HOST:PORT/DB (required)"}},
     cmd_db_migrate},
    {"config:set", "PATH VALUE", "Sets a store configuration value (takes effect at once, "
     "also in a running server).", 2, 2,
     {{"scope", true, "default (default), websites or stores"},
      {"scope-code", true, "website or store view code for --scope websites|stores"}},
     cmd_config_set},
    {"config:show", "[PATH]", "Shows store configuration values (all, or one path).", 0, 1,
     {{0}}, cmd_config_show},
    {"config:check", "", "Shows the effective deployment settings (secrets masked).", 0, 0,
     {{0}}, cmd_config_check},
    {"admin:user:create", "", "Creates an admin user.", 0, 0,
     {{"admin-user", true, "user name (required)"},
      {"admin-password", true, "password: 7+ characters with letters and digits (required)"},
      {"admin-email", true, "email (required)"},
      {"admin-firstname", true, "first name"},
      {"admin-lastname", true, "last name"},
      {"role", true, "the user's role, by name (default Administrators)"}},
     cmd_admin_user_create},
    {"admin:role:create", "", "Creates an admin role: All resources, or the listed ones.", 0, 0,
     {{"name", true, "role name (required)"},
      {"all-resources", false, "Resource Access = All"},
      {"resource", true, "an ACL resource id for Resource Access = Custom (repeatable)", true}},
     cmd_admin_role_create},
    {"admin:user:unlock", "USER", "Unlocks an admin locked by failed token requests or panel sign-ins.", 1, 1,
     {{0}}, cmd_admin_user_unlock},
    {"customer:create", "", "Creates a customer account (storegate's addition, for demos and "
     "tests).", 0, 0,
     {{"email", true, "email (required)"},
      {"firstname", true, "first name (required)"},
      {"lastname", true, "last name (required)"},
      {"password", true, "password: 8+ characters of 3 kinds (required)"},
      {"website-id", true, "website id (default 1)"},
      {"json", false, "print JSON"}},
     cmd_customer_create},
    {"store:view:create", "", "Adds a store view, usable as /rest/<code>/V1/...", 0, 0,
     {{"code", true, "store code: a-z, 0-9, _ (required)"},
      {"name", true, "store view name (required)"},
      {"group-id", true, "store group id (default 1)"},
      {"sort-order", true, "sort order (default 0)"},
      {"inactive", false, "create the store view disabled"}},
     cmd_store_view_create},
    {"sampledata:deploy", "", "Adds demo data: categories, products with stock.", 0, 0,
     {{"products", true, "number of products (default 100)"}},
     cmd_sampledata_deploy},
    {"integration:create", "", "Registers an integration (a third-party system).", 0, 0,
     {{"name", true, "unique name (required)"},
      {"email", true, "contact email"},
      {"endpoint", true, "Callback URL, where OAuth credentials are POSTed (https recommended)"},
      {"identity-link-url", true, "Identity Link URL, the third party's login page"},
      {"all-resources", false, "Resource Access = All"},
      {"resource", true, "an ACL resource id for Resource Access = Custom (repeatable)", true},
      {"json", false, "print JSON"}},
     cmd_integration_create},
    {"integration:list", "", "Lists the integrations.", 0, 0, {{"json", false, "print JSON"}},
     cmd_integration_list},
    {"integration:show", "ID|NAME", "Shows an integration with its status and credentials.", 1,
     1, {{"json", false, "print JSON"}}, cmd_integration_show},
    {"integration:activate", "ID|NAME", "Activates (or reauthorizes) an integration: with a "
     "Callback URL its credentials are POSTed there, otherwise its access token is made now.", 1,
     1, {{"json", false, "print JSON"}}, cmd_integration_activate},
    {"integration:reauthorize", "ID|NAME", "Reauthorizes an integration: new tokens, the old ones "
     "revoked at once, the handshake window restarted.", 1, 1, {{"json", false, "print JSON"}},
     cmd_integration_activate},
    {"integration:delete", "ID|NAME", "Deletes an integration and revokes everything it holds.",
     1, 1, {{0}}, cmd_integration_delete},
    {"integration:test-callback", "ID|NAME", "Rehearses the credentials POST to the Callback URL "
     "(a throw-away verifier) and reports DNS/TLS/HTTP status and latency.", 1, 1,
     {{"json", false, "print JSON"}}, cmd_integration_test_callback},
    {"integration:diagnostics", "ID|NAME on|off", "Signature diagnostics in 401 answers for an "
     "hour (they name what the server signed, never a secret).", 2, 2, {{0}},
     cmd_integration_diagnostics},
};
/* clang-format on */
#pragma GCC diagnostic pop
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_list(FILE *out)
{
    fprintf(out, "storegate: a store back-office server, Magento 2 REST compatible.\n\n"
                 "Usage: storegate [--var-dir DIR] COMMAND [options]\n\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *dot = strchr(commands[i].summary, '.');
        int len = dot ? (int)(dot - commands[i].summary) : (int)strlen(commands[i].summary);
        fprintf(out, "  %-20s %.*s\n", commands[i].name, len, commands[i].summary);
    }
    fprintf(out, "\nRun 'storegate COMMAND --help' for a command's options.\n");
}

int cli_main(int argc, char **argv)
{
    if (crypto_init() != ERR_OK) {
        fputs("storegate: cannot initialise libsodium\n", stderr);
        return 1;
    }
    log_setup(LOG_INFO, NULL);
    /* --var-dir is global: accepted before or after the command. */
    const char *var_dir = getenv("STOREGATE_VAR_DIR");
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    if (!rest)
        return 1;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--var-dir") == 0) {
            if (i + 1 >= argc) {
                fputs("storegate: option \"--var-dir\" needs a value\n", stderr);
                free(rest);
                return 2;
            }
            var_dir = argv[++i];
        } else if (strncmp(argv[i], "--var-dir=", 10) == 0) {
            var_dir = argv[i] + 10;
        } else {
            rest[n++] = argv[i];
        }
    }
    if (!var_dir || !*var_dir)
        var_dir = "var";
    int rc;
    if (n == 0 || strcmp(rest[0], "list") == 0 || strcmp(rest[0], "--help") == 0 ||
        strcmp(rest[0], "-h") == 0 || strcmp(rest[0], "help") == 0) {
        print_list(n == 0 ? stderr : stdout);
        rc = n == 0 ? 2 : 0;
        goto out;
    }
    const struct cli_cmd *cmd = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, rest[0]) == 0)
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr,
                "storegate: unknown command \"%s\"\nRun 'storegate list' for the commands.\n",
                rest[0]);
        rc = 2;
        goto out;
    }
    for (int i = 1; i < n; i++)
        if (strcmp(rest[i], "--help") == 0 || strcmp(rest[i], "-h") == 0) {
            cli_print_help(cmd);
            rc = 0;
            goto out;
        }
    struct cli_args a;
    memset(&a, 0, sizeof(a));
    a.cmd = cmd;
    a.var_dir = var_dir;
    rc = cli_parse(cmd, n - 1, rest + 1, &a);
    if (rc == 0)
        rc = cmd->run(&a);
out:
    free(rest);
    return rc;
}
