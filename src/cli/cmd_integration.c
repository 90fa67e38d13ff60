/* integration:create, :list, :show, :activate, :diagnostics. JSON output uses the field names
 * id, name, status, consumer_key, consumer_secret, access_token, access_token_secret. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/store_config.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "integration/integration.h"

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        printf("%s\n", s);
        free(s);
    }
    json_decref(j);
}

struct ctx {
    struct settings s;
    struct crypto_key key;
    struct db *db;
    struct arena *a;
};

static bool open_ctx(const struct cli_args *args, struct ctx *c)
{
    memset(c, 0, sizeof(*c));
    if (!cli_settings(args, &c->s))
        return false;
    if (crypto_key_load(c->s.key_file, &c->key) != ERR_OK) {
        fprintf(stderr, "storegate: cannot read the install key \"%s\"\n", c->s.key_file);
        return false;
    }
    c->db = cli_open_db(&c->s, true);
    if (!c->db)
        return false;
    c->a = arena_new(0);
    return true;
}

static void close_ctx(struct ctx *c)
{
    db_close(c->db);
    arena_free(c->a);
    crypto_wipe(&c->key, sizeof(c->key));
}

static int find(struct ctx *c, const char *id_or_name, struct integration *out)
{
    enum err e = integration_find(c->db, c->a, id_or_name, out);
    if (e == ERR_NOT_FOUND) {
        fprintf(stderr, "storegate: no integration \"%s\"\n", id_or_name);
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot read the integration: %s\n", err_message(e));
        return 1;
    }
    return 0;
}

/* The callback POST's settings and the store base URL the third party is told. */
struct post_settings {
    long timeout, redirects;
    char base[SETTINGS_STR_MAX];
};

static void post_settings(struct ctx *c, struct post_settings *p)
{
    struct store_config *cfg = store_config_new();
    store_config_sync(cfg, c->db, true);
    p->timeout = (long)store_config_get_int(cfg, "oauth/consumer/post_timeout", -1);
    p->redirects = (long)store_config_get_int(cfg, "oauth/consumer/post_maxredirects", -1);
    if (p->timeout <= 0)
        p->timeout = 5;
    if (p->redirects < 0)
        p->redirects = 0;
    const char *base = store_config_get(cfg, "web/unsecure/base_url", -1);
    snprintf(p->base, sizeof(p->base), "%s", base && *base ? base : c->s.base_url);
    store_config_free(cfg);
}

static json_t *describe(struct ctx *c, const struct integration *in, bool with_credentials)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(in->id));
    json_object_set_new(j, "name", json_string(in->name));
    json_object_set_new(j, "email", json_string(in->email));
    json_object_set_new(j, "endpoint", in->endpoint ? json_string(in->endpoint) : json_null());
    json_object_set_new(j, "identity_link_url",
                        in->identity_link_url ? json_string(in->identity_link_url) : json_null());
    json_object_set_new(j, "status", json_string(integration_status_label(in->status)));
    json_object_set_new(j, "resource_access", json_string(in->all_resources ? "All" : "Custom"));
    if (with_credentials) {
        struct integration_credentials cr;
        if (integration_credentials(c->db, c->a, &c->key, in->id, &cr) == ERR_OK) {
            json_object_set_new(j, "consumer_key", json_string(cr.consumer_key));
            json_object_set_new(j, "consumer_secret", json_string(cr.consumer_secret));
            json_object_set_new(j, "access_token",
                                cr.access_token ? json_string(cr.access_token) : json_null());
            json_object_set_new(j, "access_token_secret",
                                cr.access_token_secret ? json_string(cr.access_token_secret)
                                                       : json_null());
        }
    }
    return j;
}

static void print_text(json_t *j)
{
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        if (json_is_string(v))
            printf("%-20s %s\n", k, json_string_value(v));
        else if (json_is_integer(v))
            printf("%-20s %lld\n", k, (long long)json_integer_value(v));
        else
            printf("%-20s -\n", k);
    }
}

int cmd_integration_create(const struct cli_args *a)
{
    struct integration_input in = {
        .name = cli_get(a, "name"),
        .email = cli_get(a, "email") ? cli_get(a, "email") : "",
        .endpoint = cli_get(a, "endpoint"),
        .identity_link_url = cli_get(a, "identity-link-url"),
        .all_resources = cli_has(a, "all-resources"),
    };
    if (!in.name)
        return cli_usage_error(a->cmd, "--name is required");
    if (in.all_resources && a->nmulti)
        return cli_usage_error(a->cmd, "--all-resources and --resource exclude each other");
    if (!in.all_resources && !a->nmulti)
        return cli_usage_error(a->cmd, "give --all-resources or at least one --resource");
    for (int i = 0; i < a->nmulti; i++)
        in.resources[in.nresources++] = a->multi[i];
    struct ctx c;
    if (!open_ctx(a, &c))
        return 1;
    struct store_config *cfg = store_config_new();
    store_config_sync(cfg, c.db, true);
    bool require_https = store_config_get_bool(cfg, "oauth/consumer/require_https_callback", -1);
    store_config_free(cfg);
    char err[512];
    const char *warning = NULL;
    if (!integration_validate(&in, require_https, err, sizeof(err), &warning)) {
        close_ctx(&c);
        return cli_usage_error(a->cmd, "%s", err);
    }
    int64_t id = 0;
    enum err e = integration_create(c.db, c.a, &c.key, &in, &id);
    if (e == ERR_EXISTS) {
        fprintf(stderr, "storegate: The integration with name \"%s\" exists.\n", in.name);
        close_ctx(&c);
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot save the integration: %s\n", err_message(e));
        close_ctx(&c);
        return 1;
    }
    if (warning)
        fprintf(stderr, "storegate: warning: %s\n", warning);
    struct integration saved;
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    int rc = find(&c, idtext, &saved);
    if (!rc) {
        json_t *j = describe(&c, &saved, false);
        if (cli_has(a, "json")) {
            print_json(j);
        } else {
            printf("The integration '%s' has been saved.\n", saved.name);
            print_text(j);
            json_decref(j);
        }
    }
    close_ctx(&c);
    return rc;
}

int cmd_integration_list(const struct cli_args *a)
{
    struct ctx c;
    if (!open_ctx(a, &c))
        return 1;
    struct db_stmt *st;
    bool row;
    json_t *list = json_array();
    enum err e =
        db_prepare(c.db, "SELECT integration_id FROM integration ORDER BY integration_id", &st);
    while (!e && !(e = db_next(st, &row)) && row)
        json_array_append_new(list, json_integer(db_col_i64(st, 0)));
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        char idtext[24];
        struct integration in;
        snprintf(idtext, sizeof(idtext), "%lld", (long long)json_integer_value(v));
        if (integration_find(c.db, c.a, idtext, &in) == ERR_OK)
            json_array_append_new(out, describe(&c, &in, false));
    }
    json_decref(list);
    if (cli_has(a, "json")) {
        print_json(out);
    } else {
        printf("%-6s %-30s %-10s %s\n", "ID", "Name", "Status", "Email");
        json_array_foreach(out, i, v)
        {
            printf("%-6lld %-30s %-10s %s\n",
                   (long long)json_integer_value(json_object_get(v, "id")),
                   json_string_value(json_object_get(v, "name")),
                   json_string_value(json_object_get(v, "status")),
                   json_string_value(json_object_get(v, "email")));
        }
        json_decref(out);
    }
    close_ctx(&c);
    return e ? 1 : 0;
}

int cmd_integration_show(const struct cli_args *a)
{
    struct ctx c;
    if (!open_ctx(a, &c))
        return 1;
    struct integration in;
    int rc = find(&c, a->pos[0], &in);
    if (!rc) {
        json_t *j = describe(&c, &in, true);
        if (cli_has(a, "json")) {
            print_json(j);
        } else {
            print_text(j);
            json_decref(j);
        }
    }
    close_ctx(&c);
    return rc;
}

int cmd_integration_activate(const struct cli_args *a)
{
    struct ctx c;
    if (!open_ctx(a, &c))
        return 1;
    struct integration in;
    int rc = find(&c, a->pos[0], &in);
    if (rc) {
        close_ctx(&c);
        return rc;
    }
    struct post_settings ps;
    post_settings(&c, &ps);
    struct callback_result cb;
    enum err e =
        integration_activate(c.db, c.a, &c.key, ps.base, ps.timeout, ps.redirects, in.id, &cb);
    bool reauthorize = in.status != STATUS_INACTIVE;
    if (e == ERR_IO) {
        fprintf(stderr,
                "storegate: the attempt to post data to the Callback URL \"%s\" failed: %s\n",
                in.endpoint, cb.error);
        close_ctx(&c);
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot activate the integration: %s\n", err_message(e));
        close_ctx(&c);
        return 1;
    }
    struct integration now;
    find(&c, a->pos[0], &now);
    json_t *j = describe(&c, &now, true);
    if (in.endpoint && *in.endpoint) {
        json_t *post = json_object();
        json_object_set_new(post, "url", json_string(in.endpoint));
        json_object_set_new(post, "http_status", json_integer(cb.http_status));
        json_object_set_new(post, "latency_ms", json_integer(cb.latency_ms));
        json_object_set_new(post, "body_excerpt", json_string(cb.excerpt));
        json_object_set_new(j, "callback", post);
        if (cb.http_status < 200 || cb.http_status > 299)
            fprintf(stderr, "storegate: warning: the Callback URL answered HTTP %ld\n",
                    cb.http_status);
    }
    if (cli_has(a, "json")) {
        print_json(j);
    } else {
        if (in.endpoint && *in.endpoint)
            printf("Integration '%s' has been sent for %s (HTTP %ld in %ld ms).\n", in.name,
                   reauthorize ? "re-authorization" : "activation", cb.http_status, cb.latency_ms);
        else
            printf("The integration '%s' has been %s.\n", in.name,
                   reauthorize ? "re-authorized" : "activated");
        json_object_del(j, "callback");
        print_text(j);
        json_decref(j);
    }
    close_ctx(&c);
    return 0;
}

int cmd_integration_diagnostics(const struct cli_args *a)
{
    const char *mode = a->pos[1];
    if (strcmp(mode, "on") != 0 && strcmp(mode, "off") != 0)
        return cli_usage_error(a->cmd, "the second argument must be on or off, not \"%s\"", mode);
    struct ctx c;
    if (!open_ctx(a, &c))
        return 1;
    struct integration in;
    int rc = find(&c, a->pos[0], &in);
    if (!rc) {
        enum err e = integration_set_diagnostics(c.db, in.id, strcmp(mode, "on") == 0, clock_now());
        if (e) {
            fprintf(stderr, "storegate: cannot change diagnostics: %s\n", err_message(e));
            rc = 1;
        } else {
            printf("Signature diagnostics for '%s' are %s%s.\n", in.name, mode,
                   strcmp(mode, "on") == 0 ? " for one hour" : "");
        }
    }
    close_ctx(&c);
    return rc;
}

int cmd_integration_delete(const struct cli_args *a)
{
    struct ctx c;
    if (!open_ctx(a, &c))
        return 1;
    struct integration in;
    int rc = find(&c, a->pos[0], &in);
    if (!rc) {
        enum err e = integration_delete(c.db, in.id);
        if (e == ERR_INVALID) {
            fprintf(stderr, "storegate: Uninstall the extension to remove integration '%s'.\n",
                    in.name);
            rc = 1;
        } else if (e) {
            fprintf(stderr, "storegate: cannot delete the integration: %s\n", err_message(e));
            rc = 1;
        } else {
            printf("The integration '%s' has been deleted.\n", in.name);
        }
    }
    close_ctx(&c);
    return rc;
}

int cmd_integration_test_callback(const struct cli_args *a)
{
    struct ctx c;
    if (!open_ctx(a, &c))
        return 1;
    struct integration in;
    int rc = find(&c, a->pos[0], &in);
    if (rc) {
        close_ctx(&c);
        return rc;
    }
    struct post_settings ps;
    post_settings(&c, &ps);
    struct activation plan;
    enum err e = integration_test_prepare(c.db, c.a, &c.key, ps.base, in.id, &plan);
    if (e == ERR_NOT_FOUND) {
        fprintf(stderr, "storegate: the integration '%s' has no Callback URL to test\n", in.name);
        close_ctx(&c);
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot test the callback: %s\n", err_message(e));
        close_ctx(&c);
        return 1;
    }
    struct callback_result cb;
    integration_post_callback(plan.url, plan.fields, plan.nfields, ps.timeout, ps.redirects, &cb);
    integration_activate_finish(c.db, &plan, 0, &cb);
    integration_log_add(c.db, in.id, "test callback", 0, cb.delivered ? "delivered" : cb.error);
    json_t *j = json_pack("{s:s,s:b,s:I,s:I,s:s,s:s?}", "url", plan.url, "delivered", cb.delivered,
                          "http_status", (json_int_t)cb.http_status, "latency_ms",
                          (json_int_t)cb.latency_ms, "body_excerpt", cb.excerpt, "error",
                          cb.delivered ? NULL : cb.error);
    if (cli_has(a, "json"))
        print_json(j);
    else {
        if (cb.delivered)
            printf("%s answered HTTP %ld in %ld ms%s\n", plan.url, cb.http_status, cb.latency_ms,
                   cb.http_status >= 200 && cb.http_status <= 299 ? "" : " (not a 2xx answer)");
        else
            printf("%s failed after %ld ms: %s\n", plan.url, cb.latency_ms, cb.error);
        json_decref(j);
    }
    close_ctx(&c);
    return cb.delivered ? 0 : 1;
}
