/* The admin JSON API for the panel (/admin/api/..., admin callers only): integrations (list, get,
 * create, update, delete, activate, reauthorize, tokens, test-callback, activation log) and the
 * ACL resource tree. Activation's callback POST runs on the blocking-work pool, so API traffic
 * never waits for a third party. */
#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/pct.h"
#include "integration/integration.h"
#include "integration/usage.h"
#include "webapi/api.h"

static enum err integration_id(struct api_req *q, int64_t *id)
{
    if (!str_to_i64(q->vars[0], id) || *id <= 0) {
        json_t *p = json_pack("{s:s,s:s#}", "fieldName", "id", "fieldValue", q->vars[0].p,
                              (int)q->vars[0].len);
        return api_fail_list(q, ERR_NO_SUCH_ENTITY, p);
    }
    return ERR_OK;
}

static enum err load(struct api_req *q, int64_t *id, struct integration *in)
{
    enum err e = integration_id(q, id);
    if (e)
        return e;
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)*id);
    e = integration_find(q->w->db, q->a, text, in);
    if (e == ERR_NOT_FOUND)
        return api_fail_msg(q, ERR_NO_SUCH_ENTITY, "The integration with ID \"%1\" doesn't exist.",
                            json_pack("[s]", text));
    return e ? api_fail(q, e) : ERR_OK;
}

static const char *base_url(struct api_req *q)
{
    const char *b = store_config_get(q->w->config, "web/unsecure/base_url", -1);
    return b && *b ? b : q->w->app->settings.base_url;
}

static void str_field(struct buf *out, const char *key, const char *value, bool comma)
{
    if (comma)
        buf_add_ch(out, ',');
    buf_add_ch(out, '"');
    buf_add_c(out, key);
    buf_add_c(out, "\":");
    if (value)
        buf_json_str(out, str_c(value));
    else
        buf_add_c(out, "null");
}

static void time_field(struct buf *out, const char *key, int64_t t)
{
    char text[20];
    buf_add_c(out, ",\"");
    buf_add_c(out, key);
    buf_add_c(out, "\":");
    if (t <= 0) {
        buf_add_c(out, "null");
        return;
    }
    clock_format(t, text);
    buf_json_str(out, str_c(text));
}

static enum err integration_json(struct api_req *q, const struct integration *in, struct buf *out)
{
    struct db_stmt *st;
    bool row = false;
    int64_t last = 0, count = 0, pending_count, pending_last;
    enum err e = db_prepare(q->w->db,
                            "SELECT last_used_at, request_count FROM integration_usage"
                            " WHERE integration_id = $1",
                            &st);
    if (!e) {
        db_bind_i64(st, 1, in->id);
        e = db_next(st, &row);
    }
    if (!e && row) {
        last = db_col_i64(st, 0);
        count = db_col_i64(st, 1);
        db_done(st);
    }
    if (e)
        return api_fail(q, e);
    integration_usage_pending(in->id, &pending_count, &pending_last);
    count += pending_count;
    if (pending_last > last)
        last = pending_last;
    bool insecure = (in->endpoint && strncmp(in->endpoint, "http:", 5) == 0) ||
                    (in->identity_link_url && strncmp(in->identity_link_url, "http:", 5) == 0);
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, in->id);
    str_field(out, "name", in->name, true);
    str_field(out, "email", in->email, true);
    str_field(out, "endpoint", in->endpoint, true);
    str_field(out, "identity_link_url", in->identity_link_url, true);
    buf_add_c(out, ",\"status\":");
    buf_add_i64(out, in->status);
    str_field(out, "status_label", integration_status_label(in->status), true);
    buf_add_c(out, ",\"setup_type\":");
    buf_add_i64(out, in->setup_type);
    str_field(out, "resource_access", in->all_resources ? "all" : "custom", true);
    buf_add_c(out, ",\"resources\":");
    if (in->all_resources)
        buf_add_c(out, "[]");
    else if ((e = integration_resources_json(q->w->db, in->id, out)))
        return api_fail(q, e);
    buf_add_c(out, ",\"insecure\":");
    buf_add_c(out, insecure ? "true" : "false");
    time_field(out, "created_at", in->created_at);
    time_field(out, "updated_at", in->updated_at);
    time_field(out, "last_used_at", last);
    buf_add_c(out, ",\"request_count\":");
    buf_add_i64(out, count);
    buf_add_ch(out, '}');
    return ERR_OK;
}

enum err api_admin_integration_list(struct api_req *q)
{
    struct db_stmt *st;
    bool row;
    int64_t ids[4096];
    size_t n = 0;
    enum err e =
        db_prepare(q->w->db, "SELECT integration_id FROM integration ORDER BY integration_id", &st);
    while (!e && !(e = db_next(st, &row)) && row) {
        if (n == sizeof(ids) / sizeof(ids[0])) {
            db_done(st);
            break;
        }
        ids[n++] = db_col_i64(st, 0);
    }
    if (e)
        return api_fail(q, e);
    buf_add_ch(&q->out, '[');
    for (size_t i = 0; i < n; i++) {
        struct integration in;
        char text[24];
        snprintf(text, sizeof(text), "%lld", (long long)ids[i]);
        if (integration_find(q->w->db, q->a, text, &in) != ERR_OK)
            continue;
        if (q->out.len > 1)
            buf_add_ch(&q->out, ',');
        if ((e = integration_json(q, &in, &q->out)))
            return e;
    }
    buf_add_ch(&q->out, ']');
    return ERR_OK;
}

enum err api_admin_integration_get(struct api_req *q)
{
    int64_t id;
    struct integration in;
    enum err e = load(q, &id, &in);
    return e ? e : integration_json(q, &in, &q->out);
}

static const char *body_text(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* {"name","email","endpoint","identity_link_url","all_resources","resources":[...]}, bare or
 * wrapped in "integration". */
static enum err read_input(struct api_req *q, struct integration_input *in, const char **warning)
{
    json_t *obj = q->body;
    if (json_is_object(obj) && json_is_object(json_object_get(obj, "integration")))
        obj = json_object_get(obj, "integration");
    if (!json_is_object(obj))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("integration"));
    static const char *const known[] = {
        "name",      "email", "endpoint", "identity_link_url", "all_resources",
        "resources", "id",    "status",   "current_password"};
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
            ok = strcmp(k, known[i]) == 0;
        if (!ok)
            return api_fail_unknown_field(q, k);
    }
    memset(in, 0, sizeof(*in));
    in->name = body_text(obj, "name");
    in->email = body_text(obj, "email");
    in->endpoint = body_text(obj, "endpoint");
    in->identity_link_url = body_text(obj, "identity_link_url");
    json_t *all = json_object_get(obj, "all_resources");
    in->all_resources = json_is_true(all) || (json_is_integer(all) && json_integer_value(all));
    json_t *list = json_object_get(obj, "resources");
    if (list && !json_is_array(list))
        return api_fail_list(q, ERR_INVALID_TYPE,
                             json_pack("{s:s,s:s}", "value", "resources", "type", "string[]"));
    size_t i;
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v) || in->nresources == INTEGRATION_MAX_RESOURCES)
            return api_fail_list(q, ERR_INVALID_TYPE,
                                 json_pack("{s:s,s:s}", "value", "resources", "type", "string[]"));
        in->resources[in->nresources++] = json_string_value(v);
    }
    char err[512];
    bool require_https =
        store_config_get_bool(q->w->config, "oauth/consumer/require_https_callback", -1);
    if (!integration_validate(in, require_https, err, sizeof(err), warning)) {
        return api_fail_msg(q, ERR_INVALID, arena_strdup(q->a, err), NULL);
    }
    return ERR_OK;
}

static enum err saved(struct api_req *q, int64_t id, const char *warning)
{
    struct integration in;
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    enum err e = integration_find(q->w->db, q->a, text, &in);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "{\"integration\":");
    if ((e = integration_json(q, &in, &q->out)))
        return e;
    buf_add_c(&q->out, ",\"message\":");
    buf_json_str(&q->out,
                 str_c(arena_printf(q->a, "The integration '%s' has been saved.", in.name)));
    buf_add_c(&q->out, ",\"warnings\":[");
    if (warning)
        buf_json_str(&q->out, str_c(warning));
    buf_add_c(&q->out, "]}");
    return ERR_OK;
}

static enum err name_taken(struct api_req *q, const char *name)
{
    return api_fail_msg(q, ERR_EXISTS, "The integration with name \"%1\" exists.",
                        json_pack("[s]", name));
}

static enum err integration_create_confirmed(struct api_req *q)
{
    struct integration_input in;
    const char *warning = NULL;
    enum err e = read_input(q, &in, &warning);
    if (e)
        return e;
    int64_t id = 0;
    e = integration_create(q->w->db, q->a, &q->w->app->key, &in, &id);
    if (e == ERR_EXISTS)
        return name_taken(q, in.name);
    if (e)
        return api_fail(q, e);
    integration_log_add(q->w->db, id, "saved", q->caller.id, "created by the admin API");
    return saved(q, id, warning);
}

static enum err integration_update_confirmed(struct api_req *q)
{
    int64_t id;
    struct integration cur;
    enum err e = load(q, &id, &cur);
    if (e)
        return e;
    if (cur.setup_type != 0) {
        return api_fail_msg(q, ERR_INVALID,
                            "The integrations created in the config file can't be edited.", NULL);
    }
    struct integration_input in;
    const char *warning = NULL;
    if ((e = read_input(q, &in, &warning)))
        return e;
    e = integration_update(q->w->db, id, &in);
    if (e == ERR_EXISTS)
        return name_taken(q, in.name);
    if (e)
        return api_fail(q, e);
    integration_log_add(q->w->db, id, "saved", q->caller.id, "edited");
    return saved(q, id, warning);
}

/* Magento 2.4 asks for the admin's current password to save an integration (reference 2.2); the
 * input is checked first, so a mistake in it costs no password attempt. */
enum err api_admin_integration_create(struct api_req *q)
{
    struct integration_input in;
    const char *warning = NULL;
    enum err e = read_input(q, &in, &warning);
    return e ? e : panel_confirm_password(q, integration_create_confirmed);
}

enum err api_admin_integration_update(struct api_req *q)
{
    int64_t id;
    struct integration cur;
    enum err e = load(q, &id, &cur);
    if (e)
        return e;
    if (cur.setup_type != 0) {
        return api_fail_msg(q, ERR_INVALID,
                            "The integrations created in the config file can't be edited.", NULL);
    }
    struct integration_input in;
    const char *warning = NULL;
    if ((e = read_input(q, &in, &warning)))
        return e;
    return panel_confirm_password(q, integration_update_confirmed);
}

enum err api_admin_integration_delete(struct api_req *q)
{
    int64_t id;
    struct integration cur;
    enum err e = load(q, &id, &cur);
    if (e)
        return e;
    e = integration_delete(q->w->db, id);
    if (e == ERR_INVALID) {
        return api_fail_msg(
            q, ERR_INVALID,
            arena_printf(q->a, "Uninstall the extension to remove integration '%s'.", cur.name),
            NULL);
    }
    if (e)
        return api_fail(q, e);
    log_info("integration %lld deleted by admin %lld", (long long)id, (long long)q->caller.id);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

/* --- activation --- */

struct activate_job {
    struct activation plan;
    struct callback_result cb;
    long timeout, redirects;
    const char *success_call_back;
    bool test;
};

static void post_work(void *p)
{
    struct activate_job *j = p;
    integration_post_callback(j->plan.url, j->plan.fields, j->plan.nfields, j->timeout,
                              j->redirects, &j->cb);
}

static void callback_json(struct buf *out, const struct activate_job *j)
{
    buf_add_c(out, "{\"url\":");
    buf_json_str(out, str_c(j->plan.url));
    buf_add_c(out, ",\"delivered\":");
    buf_add_c(out, j->cb.delivered ? "true" : "false");
    buf_add_c(out, ",\"http_status\":");
    buf_add_i64(out, j->cb.http_status);
    buf_add_c(out, ",\"latency_ms\":");
    buf_add_i64(out, j->cb.latency_ms);
    buf_add_c(out, ",\"body_excerpt\":");
    buf_json_str(out, str_c(j->cb.excerpt));
    buf_add_c(out, ",\"error\":");
    if (j->cb.delivered)
        buf_add_c(out, "null");
    else
        buf_json_str(out, str_c(j->cb.error));
    buf_add_c(out, ",\"warning\":");
    if (j->cb.delivered && (j->cb.http_status < 200 || j->cb.http_status > 299))
        buf_json_str(out, str_c("The Callback URL answered with a non-2xx status: the third party "
                                "may not have stored the credentials."));
    else
        buf_add_c(out, "null");
    buf_add_ch(out, '}');
}

static enum err credentials_json(struct api_req *q, int64_t id, struct buf *out)
{
    struct integration_credentials cr;
    enum err e = integration_credentials(q->w->db, q->a, &q->w->app->key, id, &cr);
    if (e)
        return api_fail(q, e);
    buf_add_ch(out, '{');
    str_field(out, "consumer_key", cr.consumer_key, false);
    str_field(out, "consumer_secret", cr.consumer_secret, true);
    str_field(out, "access_token", cr.access_token, true);
    str_field(out, "access_token_secret", cr.access_token_secret, true);
    buf_add_ch(out, '}');
    crypto_wipe((void *)cr.consumer_secret, strlen(cr.consumer_secret));
    if (cr.access_token_secret)
        crypto_wipe((void *)cr.access_token_secret, strlen(cr.access_token_secret));
    return ERR_OK;
}

static enum err activated(struct api_req *q)
{
    struct activate_job *j = q->ctx;
    if (j->test) {
        integration_activate_finish(q->w->db, &j->plan, q->caller.id, &j->cb);
        integration_log_add(q->w->db, j->plan.id, "test callback", q->caller.id,
                            j->cb.delivered ? "delivered" : j->cb.error);
        callback_json(&q->out, j);
        return ERR_OK;
    }
    integration_activate_finish(q->w->db, &j->plan, q->caller.id, &j->cb);
    if (!j->cb.delivered) {
        return api_fail_msg(q, ERR_INVALID,
                            "The attempt to post data to the Callback URL \"%1\" failed: %2",
                            json_pack("[s,s]", j->plan.url, j->cb.error));
    }
    int64_t id = j->plan.id;
    struct integration in;
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)id);
    enum err e = integration_find(q->w->db, q->a, text, &in);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "{\"integration\":");
    if ((e = integration_json(q, &in, &q->out)))
        return e;
    buf_add_c(&q->out, ",\"message\":");
    buf_json_str(&q->out,
                 str_c(arena_printf(q->a, "Integration '%s' has been sent for %s.", in.name,
                                    j->plan.reauthorize ? "re-authorization" : "activation")));
    buf_add_c(&q->out, ",\"callback\":");
    callback_json(&q->out, j);
    buf_add_c(&q->out, ",\"identity_link\":");
    if (j->plan.identity_link_url && *j->plan.identity_link_url) {
        /* Magento appends '?' even to a URL with a query; storegate uses '&' then. */
        struct buf link;
        buf_init(&link, q->a, 256);
        buf_add_c(&link, j->plan.identity_link_url);
        buf_add_ch(&link, strchr(j->plan.identity_link_url, '?') ? '&' : '?');
        buf_add_c(&link, "oauth_consumer_key=");
        pct_encode(&link, str_c(j->plan.consumer_key));
        buf_add_c(&link, "&success_call_back=");
        pct_encode(&link, str_c(j->success_call_back));
        buf_json_str(&q->out, buf_str(&link));
    } else {
        buf_add_c(&q->out, "null");
    }
    buf_add_c(&q->out, ",\"tokens\":null}");
    return ERR_OK;
}

static enum err activate(struct api_req *q, bool test)
{
    int64_t id;
    struct integration cur;
    enum err e = load(q, &id, &cur);
    if (e)
        return e;
    struct activate_job *j = arena_calloc(q->a, 1, sizeof(*j));
    j->test = test;
    j->timeout = (long)store_config_get_int(q->w->config, "oauth/consumer/post_timeout", -1);
    j->redirects = (long)store_config_get_int(q->w->config, "oauth/consumer/post_maxredirects", -1);
    if (j->timeout <= 0)
        j->timeout = 5;
    if (j->redirects < 0)
        j->redirects = 0;
    /* The body, if any: {"success_call_back": absolute http(s) URL}, checked before anything
     * changes (the working tokens stay until the request is known to be good). */
    const char *cb = NULL;
    if (q->body && !json_is_object(q->body))
        return api_fail_list(q, ERR_INVALID_TYPE,
                             json_pack("{s:s,s:s}", "value", "body", "type", "object"));
    if (q->body) {
        const char *k;
        json_t *v;
        json_object_foreach(q->body, k, v)
        {
            if (strcmp(k, "success_call_back") != 0)
                return api_fail_unknown_field(q, k);
            bool http = json_is_string(v) && (strncmp(json_string_value(v), "https://", 8) == 0 ||
                                              strncmp(json_string_value(v), "http://", 7) == 0);
            if (!http || json_string_length(v) > 1024 ||
                strpbrk(json_string_value(v), " \"<>\\\r\n\t"))
                return api_fail_msg(q, ERR_INVALID,
                                    "\"%fieldName\" must be an absolute http(s) URL.",
                                    json_pack("{s:s}", "fieldName", "success_call_back"));
            cb = json_string_value(v);
        }
    }
    j->success_call_back =
        cb ? cb : arena_printf(q->a, "%sadmin/integrations/success", base_url(q));
    if (test) {
        e = integration_test_prepare(q->w->db, q->a, &q->w->app->key, base_url(q), id, &j->plan);
        if (e == ERR_NOT_FOUND) {
            return api_fail_msg(q, ERR_INVALID, "The integration has no Callback URL to test.",
                                NULL);
        }
    } else {
        e = integration_activate_prepare(q->w->db, q->a, &q->w->app->key, base_url(q), id,
                                         q->caller.id, &j->plan);
    }
    if (e)
        return api_fail(q, e);
    if (j->plan.manual) {
        /* No Callback URL: the access token exists now; show the four values. */
        buf_add_c(&q->out, "{\"integration\":");
        struct integration in;
        char text[24];
        snprintf(text, sizeof(text), "%lld", (long long)id);
        if ((e = integration_find(q->w->db, q->a, text, &in)) ||
            (e = integration_json(q, &in, &q->out)))
            return e ? api_fail(q, e) : e;
        buf_add_c(&q->out, ",\"message\":");
        buf_json_str(&q->out,
                     str_c(arena_printf(q->a, "The integration '%s' has been %s.", in.name,
                                        j->plan.reauthorize ? "re-authorized" : "activated")));
        buf_add_c(&q->out, ",\"callback\":null,\"identity_link\":null,\"tokens\":");
        if ((e = credentials_json(q, id, &q->out)))
            return e;
        buf_add_ch(&q->out, '}');
        integration_log_add(q->w->db, id, "tokens viewed", q->caller.id, "shown after activation");
        return ERR_OK;
    }
    q->ctx = j;
    api_defer(q, post_work, activated, j);
    return ERR_OK;
}

enum err api_admin_integration_activate(struct api_req *q)
{
    return activate(q, false);
}

enum err api_admin_integration_reauthorize(struct api_req *q)
{
    return activate(q, false);
}

enum err api_admin_integration_test(struct api_req *q)
{
    return activate(q, true);
}

enum err api_admin_integration_tokens(struct api_req *q)
{
    int64_t id;
    struct integration cur;
    enum err e = load(q, &id, &cur);
    if (e)
        return e;
    if ((e = credentials_json(q, id, &q->out)))
        return e;
    integration_log_add(q->w->db, id, "tokens viewed", q->caller.id, "");
    return ERR_OK;
}

enum err api_admin_integration_log(struct api_req *q)
{
    int64_t id;
    struct integration cur;
    enum err e = load(q, &id, &cur);
    if (e)
        return e;
    struct db_stmt *st;
    bool row;
    e = db_prepare(q->w->db,
                   "SELECT l.created_at, l.event, l.detail, l.admin_id, u.username"
                   " FROM integration_log l LEFT JOIN admin_user u ON u.user_id = l.admin_id"
                   " WHERE l.integration_id = $1 ORDER BY l.log_id DESC LIMIT 200",
                   &st);
    if (!e)
        db_bind_i64(st, 1, id);
    buf_add_ch(&q->out, '[');
    bool first = true;
    while (!e && !(e = db_next(st, &row)) && row) {
        char at[20];
        clock_format(db_col_i64(st, 0), at);
        if (!first)
            buf_add_ch(&q->out, ',');
        first = false;
        buf_add_c(&q->out, "{\"at\":");
        buf_json_str(&q->out, str_c(at));
        buf_add_c(&q->out, ",\"event\":");
        buf_json_str(&q->out, db_col_text(st, 1));
        buf_add_c(&q->out, ",\"detail\":");
        buf_json_str(&q->out, db_col_text(st, 2));
        buf_add_c(&q->out, ",\"admin\":");
        if (db_col_null(st, 3))
            buf_add_c(&q->out, "null");
        else
            buf_json_str(&q->out, db_col_text(st, 4));
        buf_add_ch(&q->out, '}');
    }
    buf_add_ch(&q->out, ']');
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_admin_acl_tree(struct api_req *q)
{
    acl_tree_json(&q->out, NULL);
    return ERR_OK;
}
