/* setup:install and setup:upgrade. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/store_config.h"
#include "core/crypto.h"
#include "db/migrate.h"
#include "integration/integration.h"
#include <jansson.h>
#include "user/admin_user.h"

static bool mkdirs(const char *path)
{
    char tmp[SETTINGS_STR_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    return mkdir(tmp, 0750) == 0 || errno == EEXIST;
}

static bool url_ok(const char *url)
{
    const char *host;
    if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else
        return false;
    if (!*host || *host == '/' || strlen(url) > 1000)
        return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return !strchr(url, '?') && !strchr(url, '#');
}

int cmd_setup_install(const struct cli_args *a)
{
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    char generated[21] = "";
    struct admin_user_input admin = {
        .username = cli_get(a, "admin-user") ? cli_get(a, "admin-user") : "admin",
        .password = cli_get(a, "admin-password"),
        .email = cli_get(a, "admin-email") ? cli_get(a, "admin-email") : "admin@example.com",
        .firstname = cli_get(a, "admin-firstname") ? cli_get(a, "admin-firstname") : "Store",
        .lastname = cli_get(a, "admin-lastname") ? cli_get(a, "admin-lastname") : "Admin",
    };
    if (!admin.password) {
        /* 20 random characters from [A-Za-z0-9], with at least a letter and a digit. */
        do
            crypto_random_alnum(generated, 20);
        while (!strpbrk(generated, "0123456789") ||
               !strpbrk(generated, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"));
        admin.password = generated;
    }
    char err[512];
    if (!admin_user_validate(&admin, err, sizeof(err)))
        return cli_usage_error(a->cmd, "%s", err);
    const char *base = cli_get(a, "base-url");
    if (base) {
        if (!url_ok(base))
            return cli_usage_error(a->cmd,
                                   "base URL \"%s\" must be an absolute http:// or https:// URL "
                                   "without query",
                                   base);
        size_t n = strlen(base);
        snprintf(s.base_url, sizeof(s.base_url), "%s%s", base, base[n - 1] == '/' ? "" : "/");
    }
    const char *db_url = cli_get(a, "db-url");
    bool pg = db_url && (strncmp(db_url, "postgresql://", 13) == 0 ||
                         strncmp(db_url, "postgres://", 11) == 0);
    if (db_url && pg) {
        if (strlen(db_url) >= sizeof(s.db_url))
            return cli_usage_error(a->cmd, "the database URL is too long");
        snprintf(s.db_url, sizeof(s.db_url), "%s", db_url);
    } else if (db_url) {
        if (strncmp(db_url, "sqlite:", 7) != 0 || !db_url[7])
            return cli_usage_error(a->cmd,
                                   "database URL \"%s\" is not supported: use sqlite:PATH or "
                                   "postgresql://USER:PASSWORD@HOST:PORT/DB",
                                   db_url);
        if (db_url[7] == '/') {
            snprintf(s.db_url, sizeof(s.db_url), "%s", db_url);
        } else {
            char cwd[SETTINGS_STR_MAX / 2];
            if (!getcwd(cwd, sizeof(cwd)))
                return cli_usage_error(a->cmd, "cannot resolve \"%s\"", db_url);
            snprintf(s.db_url, sizeof(s.db_url), "sqlite:%s/%.400s", cwd, db_url + 7);
        }
    }
    bool sqlite = strncmp(s.db_url, "sqlite:", 7) == 0;

    char ini[SETTINGS_STR_MAX + 16];
    settings_var_path(&s, "env.ini", ini, sizeof(ini));
    if (access(ini, F_OK) == 0) {
        fprintf(stderr,
                "storegate: a store is already installed in \"%s\" (%s exists); use "
                "'storegate setup:upgrade', or remove the folder to start over\n",
                s.var_dir, ini);
        return 1;
    }
    if (sqlite && access(s.db_url + 7, F_OK) == 0) {
        fprintf(stderr, "storegate: the database \"%s\" already exists; refusing to overwrite it\n",
                s.db_url + 7);
        return 1;
    }
    if (!mkdirs(s.var_dir)) {
        fprintf(stderr, "storegate: cannot create \"%s\": %s\n", s.var_dir, strerror(errno));
        return 1;
    }

    struct db *db = NULL;
    enum err e = db_open(s.db_url, true, &db);
    int applied = 0, pending = 0;
    /* A PostgreSQL database must be empty: installing never overwrites a store. */
    if (!e && !sqlite && !db_migrations_pending(db, &pending) &&
        pending != (int)db_migrations_count) {
        fprintf(stderr, "storegate: the database already holds a storegate store; refusing to "
                        "install over it\n");
        db_close(db);
        return 1;
    }
    if (!e)
        e = db_migrate(db, &applied);
    if (!e)
        e = store_config_set(db, "web/unsecure/base_url", SCOPE_DEFAULT, 0, s.base_url);
    if (!e && strncmp(s.base_url, "https://", 8) == 0)
        e = store_config_set(db, "web/secure/base_url", SCOPE_DEFAULT, 0, s.base_url);
    if (!e)
        e = admin_user_create(db, &admin, NULL);
    db_close(db);
    if (!e && access(s.key_file, F_OK) != 0)
        e = crypto_key_create(s.key_file);
    if (!e && !settings_write_ini(&s, ini))
        e = ERR_IO;
    if (e) {
        fprintf(stderr, "storegate: installation failed: %s\n", err_message(e));
        unlink(ini);
        if (sqlite)
            unlink(s.db_url + 7);
        return 1;
    }
    printf("storegate installed in %s\n", s.var_dir);
    printf("  database:     %s (%d migrations)\n", s.db_url, applied);
    printf("  install key:  %s (mode 0600)\n", s.key_file);
    printf("  base URL:     %s\n", s.base_url);
    printf("  admin user:   %s\n", admin.username);
    if (generated[0])
        printf("  admin password: %s  (generated; shown only now)\n", generated);
    crypto_wipe(generated, sizeof(generated));
    return 0;
}

/* The integrations file: {"integrations": [{"name", "email", "endpoint", "identity_link_url",
 * "resources": [...] or "all"}]} (or the bare array). */
static int apply_integrations(const struct settings *s, struct db *db)
{
    if (access(s->integrations_file, F_OK) != 0)
        return 0;
    json_error_t jerr;
    json_t *root = json_load_file(s->integrations_file, 0, &jerr);
    if (!root) {
        fprintf(stderr, "storegate: %s line %d: %s\n", s->integrations_file, jerr.line, jerr.text);
        return 1;
    }
    json_t *list = json_is_array(root) ? root : json_object_get(root, "integrations");
    if (!json_is_array(list)) {
        fprintf(stderr, "storegate: %s: expected {\"integrations\": [...]}\n",
                s->integrations_file);
        json_decref(root);
        return 1;
    }
    struct crypto_key key;
    if (crypto_key_load(s->key_file, &key) != ERR_OK) {
        fprintf(stderr, "storegate: cannot read the install key \"%s\"\n", s->key_file);
        json_decref(root);
        return 1;
    }
    struct arena *a = arena_new(0);
    int rc = 0;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        struct integration_input in;
        memset(&in, 0, sizeof(in));
        json_t *v;
        in.name = json_string_value(json_object_get(item, "name"));
        in.email = json_string_value(json_object_get(item, "email"));
        in.endpoint = json_string_value(json_object_get(item, "endpoint"));
        in.identity_link_url = json_string_value(json_object_get(item, "identity_link_url"));
        json_t *res = json_object_get(item, "resources");
        in.all_resources = json_is_string(res) && strcmp(json_string_value(res), "all") == 0;
        size_t k;
        json_array_foreach(res, k, v)
        {
            if (json_is_string(v) && in.nresources < INTEGRATION_MAX_RESOURCES)
                in.resources[in.nresources++] = json_string_value(v);
        }
        char err[512];
        const char *warning = NULL, *outcome = "";
        if (!integration_validate(&in, false, err, sizeof(err), &warning)) {
            fprintf(stderr, "storegate: %s entry %zu: %s\n", s->integrations_file, i + 1, err);
            rc = 1;
            continue;
        }
        enum err e = integration_apply_declared(db, a, &key, &in, &outcome);
        if (e) {
            fprintf(stderr, "storegate: integration \"%s\": %s\n", in.name, err_message(e));
            rc = 1;
            continue;
        }
        printf("integration \"%s\": %s%s\n", in.name, outcome,
               strcmp(outcome, "reset") == 0 ? " (its declaration changed: reauthorize it)" : "");
    }
    arena_free(a);
    crypto_wipe(&key, sizeof(key));
    json_decref(root);
    return rc;
}

int cmd_setup_upgrade(const struct cli_args *a)
{
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, false);
    if (!db)
        return 1;
    int applied = 0;
    enum err e = db_migrate(db, &applied);
    if (e) {
        db_close(db);
        fprintf(stderr, "storegate: upgrade failed: %s\n", err_message(e));
        return 1;
    }
    printf(applied ? "applied %d migrations\n" : "the schema is current (%d migrations applied)\n",
           applied);
    int rc = apply_integrations(&s, db);
    db_close(db);
    return rc;
}
