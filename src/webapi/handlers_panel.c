/* The admin JSON API behind the panel's own screens: sign-in and sign-out (the session cookie),
 * who is signed in, the dashboard's counts, Stores > Configuration (the Web API and OAuth
 * sections), and System > Permissions (admin users and roles). */
#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "core/clock.h"
#include "core/log.h"
#include "user/admin_role.h"
#include "user/admin_session.h"
#include "user/admin_user.h"
#include "user/auth_lock.h"
#include "webapi/api.h"

/* --- sign-in --- */

struct panel_sign_in {
    char username[ADMIN_USERNAME_MAX + 1];
    struct str password;
    int64_t user_id;
    bool found, active, ok;
    char hash[CRYPTO_PWHASH_LEN];
};

static void sign_in_work(void *p)
{
    struct panel_sign_in *s = p;
    /* an unknown name costs the same Argon2id work as a known one (timing tells nothing) */
    static const char *const filler = "$argon2id$v=19$m=65536,t=2,p=1$c3RvcmVnYXRlLXBhbmVs$"
                                      "4Bq2Vb8wzV3xY4b2w8mF1QyVv7pR3sT6uJ9kL0nM2aE";
    if (s->found && s->hash[0])
        s->ok = crypto_password_verify(s->hash, s->password);
    else
        (void)crypto_password_verify(filler, s->password);
    crypto_wipe(s->hash, sizeof(s->hash));
}

static bool secure_request(struct api_req *q)
{
    return http_is_https(q->http);
}

static void set_cookie(struct api_req *q, const char *value, bool clear)
{
    char *c = arena_printf(q->a, "%s=%s; Path=/admin; HttpOnly; SameSite=Strict%s%s",
                           ADMIN_SESSION_COOKIE, value, secure_request(q) ? "; Secure" : "",
                           clear ? "; Max-Age=0" : "");
    http_add_header(q->http, "set-cookie", str_c(c));
}

/* {"username","role","resource_access","resources":[...],"form_key"} */
static enum err whoami(struct api_req *q, int64_t id, struct str token)
{
    struct buf *out = &q->out;
    int64_t role = 0;
    bool all = false;
    enum err e = admin_role_of_user(q->w->db, id, &role, &all);
    if (e)
        return api_fail(q, e);
    buf_add_c(out, "{\"user\":");
    if ((e = admin_user_json(q->w->db, id, out)))
        return api_fail(q, e);
    buf_add_c(out, all ? ",\"resource_access\":\"all\"" : ",\"resource_access\":\"custom\"");
    buf_add_c(out, ",\"resources\":");
    if ((e = admin_role_resources_json(q->w->db, role, out)))
        return api_fail(q, e);
    buf_add_c(out, ",\"session_lifetime\":");
    buf_add_i64(out, store_config_get_int(q->w->config, "admin/security/session_lifetime", -1));
    buf_add_c(out, ",\"form_key\":");
    if (token.p) {
        char key[ADMIN_FORM_KEY_LEN + 1];
        admin_session_form_key(token, key);
        buf_json_str(out, str_n(key, ADMIN_FORM_KEY_LEN));
        crypto_wipe(key, sizeof(key));
    } else {
        buf_add_c(out, "null");
    }
    buf_add_ch(out, '}');
    return ERR_OK;
}

static enum err sign_in_done(struct api_req *q)
{
    struct panel_sign_in *s = q->ctx;
    crypto_wipe((void *)s->password.p, s->password.len);
    const struct store_config *c = q->w->config;
    int64_t minutes = store_config_get_int(c, "admin/security/lockout_threshold", -1);
    int64_t now = clock_now();
    struct str name = str_c(s->username);
    enum err e;
    if (!s->ok) {
        /* counted on the account: only names that exist are locked (Magento's admin lock-out) */
        if (s->found && (e = auth_lock_fail(q->w->db, LOCK_ADMIN_PANEL, name, minutes * 60, now)))
            return api_fail(q, e);
        log_info("admin panel sign-in refused for \"%s\"", s->username);
        return api_fail(q, ERR_SIGN_IN);
    }
    if (!s->active)
        return api_fail(q, ERR_SIGN_IN);
    char token[CRYPTO_TOKEN_LEN + 1];
    if (!(e = auth_lock_clear(q->w->db, LOCK_ADMIN_PANEL, name, NULL)))
        e = admin_session_create(q->w->db, s->user_id, now, token);
    if (e) {
        crypto_wipe(token, sizeof(token));
        return api_fail(q, e);
    }
    set_cookie(q, token, false);
    http_set_caller(q->http, "admin-session", s->user_id);
    log_info("admin \"%s\" signed in to the panel", s->username);
    e = whoami(q, s->user_id, str_c(arena_strdup(q->a, token)));
    crypto_wipe(token, sizeof(token));
    return e;
}

/* Sign-in needs no form key (there is no session yet); a cross-site sign-in attempt is refused by
 * its Origin. */
static bool same_origin(struct api_req *q)
{
    struct str origin = http_header(q->http, "origin");
    if (!origin.p)
        return true;
    struct str host = http_host(q->http);
    struct str rest;
    struct str scheme = str_cut(origin, ':', &rest);
    if (!rest.p || !str_starts(rest, STR_LIT("//")))
        return false;
    rest = (struct str){rest.p + 2, rest.len - 2};
    return str_eq_c(scheme, http_is_https(q->http) ? "https" : "http") && rest.len == host.len &&
           strncasecmp(rest.p, host.p, host.len) == 0;
}

enum err api_admin_session_create(struct api_req *q)
{
    if (!same_origin(q))
        return api_fail(q, ERR_FORM_KEY);
    struct str username, password;
    bool has_user, has_password;
    enum err e = api_body_string(q, "username", &username, &has_user);
    if (!e)
        e = api_body_string(q, "password", &password, &has_password);
    if (e)
        return e;
    if (!has_user)
        api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_string("username"));
    if (!has_password)
        api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_string("password"));
    if ((e = api_finish_errors(q)))
        return e;
    if (password.len > 256)
        return api_fail(q, ERR_SIGN_IN);
    int64_t max = store_config_get_int(q->w->config, "admin/security/lockout_failures", -1);
    bool locked = false;
    if ((e = auth_lock_check(q->w->db, LOCK_ADMIN_PANEL, username, max, clock_now(), &locked)))
        return api_fail(q, e);
    if (locked) {
        log_info("admin panel sign-in refused for locked \"%.*s\"",
                 (int)(username.len > 64 ? 64 : username.len), username.p);
        return api_fail(q, ERR_SIGN_IN);
    }
    struct panel_sign_in *s = arena_calloc(q->a, 1, sizeof(*s));
    snprintf(s->username, sizeof(s->username), "%.*s",
             (int)(username.len > ADMIN_USERNAME_MAX ? ADMIN_USERNAME_MAX : username.len),
             username.p);
    s->password = str_c(arena_cstr(q->a, password));
    struct admin_user u;
    e = admin_user_find(q->w->db, username, &u);
    if (e == ERR_OK) {
        s->found = true;
        s->user_id = u.id;
        s->active = u.active;
        memcpy(s->hash, u.password_hash, sizeof(s->hash));
        crypto_wipe(u.password_hash, sizeof(u.password_hash));
    } else if (e != ERR_NOT_FOUND) {
        return api_fail(q, e);
    }
    q->ctx = s;
    api_defer(q, sign_in_work, sign_in_done, s);
    return ERR_OK;
}

enum err api_admin_session_get(struct api_req *q)
{
    return whoami(q, q->caller.id, q->session_token);
}

enum err api_admin_session_delete(struct api_req *q)
{
    enum err e = ERR_OK;
    if (q->session_token.p)
        e = admin_session_end(q->w->db, q->session_token);
    if (e)
        return api_fail(q, e);
    set_cookie(q, "", true);
    buf_add_c(&q->out, "{\"message\":\"You have logged out.\"}");
    return ERR_OK;
}

/* --- dashboard --- */

enum err api_admin_dashboard(struct api_req *q)
{
    static const struct {
        const char *key, *sql;
    } counts[] = {
        {"websites", "SELECT COUNT(*) FROM store_website WHERE website_id <> 0"},
        {"store_views", "SELECT COUNT(*) FROM store WHERE store_id <> 0"},
        {"products", "SELECT COUNT(*) FROM catalog_product"},
        {"categories", "SELECT COUNT(*) FROM catalog_category WHERE parent_id <> 0"},
        {"customers", "SELECT COUNT(*) FROM customer_entity"},
        {"admin_users", "SELECT COUNT(*) FROM admin_user"},
        {"integrations", "SELECT COUNT(*) FROM integration"},
        {"integrations_active", "SELECT COUNT(*) FROM integration WHERE status = 1"},
        {"integrations_inactive", "SELECT COUNT(*) FROM integration WHERE status = 0"},
        {"integrations_reset", "SELECT COUNT(*) FROM integration WHERE status = 2"},
    };
    struct buf *out = &q->out;
    buf_add_ch(out, '{');
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        struct db_stmt *st;
        bool row = false;
        int64_t n = 0;
        enum err e = db_prepare(q->w->db, counts[i].sql, &st);
        if (!e)
            e = db_next(st, &row);
        if (e)
            return api_fail(q, e);
        if (row) {
            n = db_col_i64(st, 0);
            db_done(st);
        }
        if (i)
            buf_add_ch(out, ',');
        buf_printf(out, "\"%s\":%lld", counts[i].key, (long long)n);
    }
    buf_add_c(out, ",\"allow_insecure\":");
    buf_add_c(out, store_config_get_bool(q->w->config, "webapi/webapisecurity/allow_insecure", -1)
                       ? "true"
                       : "false");
    buf_add_ch(out, '}');
    return ERR_OK;
}

/* --- Stores > Configuration > Services --- */

/* The fields the panel edits, each under the ACL resource of its section (reference 10.1, 10.2). */
static const struct {
    const char *path, *resource;
} config_fields[] = {
    /* clang-format off */
    {"webapi/webapisecurity/allow_insecure",         "Magento_Webapi::config_webapi"},
    {"oauth/access_token_lifetime/customer",         "Magento_Integration::config_oauth"},
    {"oauth/access_token_lifetime/admin",            "Magento_Integration::config_oauth"},
    {"oauth/cleanup/cleanup_probability",            "Magento_Integration::config_oauth"},
    {"oauth/cleanup/expiration_period",              "Magento_Integration::config_oauth"},
    {"oauth/consumer/expiration_period",             "Magento_Integration::config_oauth"},
    {"oauth/consumer/post_maxredirects",             "Magento_Integration::config_oauth"},
    {"oauth/consumer/post_timeout",                  "Magento_Integration::config_oauth"},
    {"oauth/consumer/enable_integration_as_bearer",  "Magento_Integration::config_oauth"},
    {"oauth/authentication_lock/max_failures_count", "Magento_Integration::config_oauth"},
    {"oauth/authentication_lock/timeout",            "Magento_Integration::config_oauth"},
    {"oauth/signature_methods",                      "Magento_Integration::config_oauth"},
    {"oauth/timestamp_window",                       "Magento_Integration::config_oauth"},
    /* clang-format on */
};
#define NCONFIG (sizeof(config_fields) / sizeof(config_fields[0]))

static int config_field(const char *path)
{
    for (size_t i = 0; i < NCONFIG; i++)
        if (strcmp(config_fields[i].path, path) == 0)
            return (int)i;
    return -1;
}

/* {"values":{path:value}} for the fields whose section the caller may see. */
static void config_values_json(struct api_req *q, struct buf *out)
{
    buf_add_c(out, "{\"values\":{");
    bool first = true;
    for (size_t i = 0; i < NCONFIG; i++) {
        if (!api_allowed(q, str_c(config_fields[i].resource)))
            continue;
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        buf_json_str(out, str_c(config_fields[i].path));
        buf_add_ch(out, ':');
        buf_json_str(out, str_c(store_config_get(q->w->config, config_fields[i].path, -1)));
    }
    buf_add_c(out, "}}");
}

enum err api_admin_config_get(struct api_req *q)
{
    config_values_json(q, &q->out);
    return ERR_OK;
}

/* {"values": {"path": "value", ...}}: every value is checked before any is written. */
enum err api_admin_config_save(struct api_req *q)
{
    json_t *values = json_is_object(q->body) ? json_object_get(q->body, "values") : NULL;
    if (!json_is_object(values))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("values"));
    const char *k;
    json_t *v;
    char err[512];
    json_object_foreach(values, k, v)
    {
        int i = config_field(k);
        if (i < 0)
            return api_fail_msg(q, ERR_INVALID,
                                "The \"%1\" path doesn't exist. Verify and try again.",
                                json_pack("[s]", k));
        if (!api_allowed(q, str_c(config_fields[i].resource)))
            return api_fail_param(q, ERR_NOT_AUTHORIZED, "resources",
                                  json_string(config_fields[i].resource));
        const char *text = json_is_string(v)  ? json_string_value(v)
                           : json_is_true(v)  ? "1"
                           : json_is_false(v) ? "0"
                           : json_is_integer(v)
                               ? arena_printf(q->a, "%lld", (long long)json_integer_value(v))
                               : NULL;
        if (!text)
            return api_fail_list(q, ERR_INVALID_TYPE,
                                 json_pack("{s:s,s:s}", "value", k, "type", "string"));
        if (!store_config_validate(k, text, SCOPE_DEFAULT, err, sizeof(err)))
            return api_fail_msg(q, ERR_INVALID, arena_strdup(q->a, err), NULL);
    }
    json_object_foreach(values, k, v)
    {
        const char *text = json_is_string(v) ? json_string_value(v)
                           : json_is_true(v) ? "1"
                           : json_is_false(v)
                               ? "0"
                               : arena_printf(q->a, "%lld", (long long)json_integer_value(v));
        enum err e = store_config_set(q->w->db, k, SCOPE_DEFAULT, 0, text);
        if (e)
            return api_fail(q, e);
        log_info("admin %lld set \"%s\"", (long long)q->caller.id, k);
    }
    /* this thread's cache reloads now; the others see the version move (and other nodes the
     * NOTIFY), so the next request anywhere uses the new values */
    store_config_invalidate(q->w->config);
    enum err e = store_config_sync(q->w->config, q->w->db, true);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "{\"message\":\"You saved the configuration.\",\"config\":");
    config_values_json(q, &q->out);
    buf_add_ch(&q->out, '}');
    return ERR_OK;
}

/* --- System > Permissions: roles --- */

static enum err path_id(struct api_req *q, int64_t *id)
{
    if (!str_to_i64(q->vars[0], id) || *id <= 0) {
        json_t *p = json_pack("{s:s,s:s#}", "fieldName", "id", "fieldValue", q->vars[0].p,
                              (int)q->vars[0].len);
        return api_fail_list(q, ERR_NO_SUCH_ENTITY, p);
    }
    return ERR_OK;
}

static enum err no_such(struct api_req *q, const char *what, int64_t id)
{
    return api_fail_msg(q, ERR_NO_SUCH_ENTITY,
                        arena_printf(q->a, "The %s with ID \"%%1\" doesn't exist.", what),
                        json_pack("[s]", arena_printf(q->a, "%lld", (long long)id)));
}

static enum err check_fields(struct api_req *q, json_t *obj, const char *const *known, size_t n)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
            ok = strcmp(k, known[i]) == 0;
        if (!ok)
            return api_fail_unknown_field(q, k);
    }
    return ERR_OK;
}

static enum err role_input(struct api_req *q, struct admin_role_input *in)
{
    static const char *const known[] = {"name", "all_resources", "resources", "current_password",
                                        "id"};
    if (!json_is_object(q->body))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("name"));
    enum err e = check_fields(q, q->body, known, sizeof(known) / sizeof(known[0]));
    if (e)
        return e;
    memset(in, 0, sizeof(*in));
    json_t *name = json_object_get(q->body, "name");
    in->name = json_is_string(name) ? json_string_value(name) : NULL;
    json_t *all = json_object_get(q->body, "all_resources");
    in->all_resources = json_is_true(all) || (json_is_integer(all) && json_integer_value(all));
    json_t *list = json_object_get(q->body, "resources");
    size_t i;
    json_t *v;
    if (list && !json_is_array(list))
        return api_fail_list(q, ERR_INVALID_TYPE,
                             json_pack("{s:s,s:s}", "value", "resources", "type", "string[]"));
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v) || in->nresources == ADMIN_ROLE_MAX_RESOURCES)
            return api_fail_list(q, ERR_INVALID_TYPE,
                                 json_pack("{s:s,s:s}", "value", "resources", "type", "string[]"));
        in->resources[in->nresources++] = json_string_value(v);
    }
    char err[512];
    if (!admin_role_validate(in, err, sizeof(err)))
        return api_fail_msg(q, ERR_INVALID, arena_strdup(q->a, err), NULL);
    return ERR_OK;
}

static enum err role_saved(struct api_req *q, int64_t id, enum err e, const char *name)
{
    if (e == ERR_EXISTS)
        return api_fail_msg(q, ERR_EXISTS, "A role with the name \"%1\" already exists.",
                            json_pack("[s]", name));
    if (e == ERR_NOT_FOUND)
        return no_such(q, "role", id);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "{\"message\":\"You saved the role.\",\"role\":");
    if ((e = admin_role_json(q->w->db, id, &q->out)))
        return api_fail(q, e);
    buf_add_ch(&q->out, '}');
    return ERR_OK;
}

enum err api_admin_role_list(struct api_req *q)
{
    enum err e = admin_role_json(q->w->db, 0, &q->out);
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_admin_role_get(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    e = admin_role_json(q->w->db, id, &q->out);
    return e == ERR_NOT_FOUND ? no_such(q, "role", id) : e ? api_fail(q, e) : ERR_OK;
}

static enum err role_create_confirmed(struct api_req *q)
{
    struct admin_role_input in;
    enum err e = role_input(q, &in);
    if (e)
        return e;
    int64_t id = 0;
    e = admin_role_create(q->w->db, &in, &id);
    return role_saved(q, id, e, in.name);
}

enum err api_admin_role_create(struct api_req *q)
{
    struct admin_role_input in;
    enum err e = role_input(q, &in);
    return e ? e : panel_confirm_password(q, role_create_confirmed);
}

static enum err role_update_confirmed(struct api_req *q)
{
    int64_t id;
    struct admin_role_input in;
    enum err e = path_id(q, &id);
    if (!e)
        e = role_input(q, &in);
    if (e)
        return e;
    e = admin_role_update(q->w->db, id, &in);
    return role_saved(q, id, e, in.name);
}

enum err api_admin_role_update(struct api_req *q)
{
    int64_t id;
    struct admin_role_input in;
    enum err e = path_id(q, &id);
    if (!e)
        e = role_input(q, &in);
    return e ? e : panel_confirm_password(q, role_update_confirmed);
}

enum err api_admin_role_delete(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    e = admin_role_delete(q->w->db, id);
    if (e == ERR_INVALID)
        return api_fail_msg(q, ERR_INVALID,
                            "This role is assigned to users. Assign them another role first.",
                            NULL);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "role", id);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "{\"message\":\"You deleted the role.\"}");
    return ERR_OK;
}

/* --- System > Permissions: users --- */

static const char *text_of(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static enum err role_of_body(struct api_req *q, int64_t *role_id)
{
    json_t *role = json_object_get(q->body, "role_id");
    *role_id = 0;
    if (!role || json_is_null(role))
        return ERR_OK;
    if (!json_is_integer(role) || json_integer_value(role) <= 0)
        return api_fail_list(q, ERR_INVALID_TYPE,
                             json_pack("{s:s,s:s}", "value", "role_id", "type", "int"));
    *role_id = json_integer_value(role);
    return ERR_OK;
}

struct user_job {
    struct admin_user_input in;
    char hash[CRYPTO_PWHASH_LEN];
    enum err e;
};

static void user_hash_work(void *p)
{
    struct user_job *j = p;
    j->e = crypto_password_hash(str_c(j->in.password), j->hash);
}

static enum err user_create_hashed(struct api_req *q)
{
    struct user_job *j = q->ctx;
    int64_t id = 0;
    enum err e = j->e;
    if (!e) {
        j->in.password_hash = j->hash;
        e = admin_user_create(q->w->db, &j->in, &id);
    }
    crypto_wipe(j->hash, sizeof(j->hash));
    if (e == ERR_EXISTS)
        return api_fail_msg(q, ERR_EXISTS, "A user with the same user name already exists.", NULL);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "role", j->in.role_id);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "{\"message\":\"You saved the user.\",\"user\":");
    if ((e = admin_user_json(q->w->db, id, &q->out)))
        return api_fail(q, e);
    buf_add_ch(&q->out, '}');
    return ERR_OK;
}

static enum err user_create_confirmed(struct api_req *q)
{
    struct user_job *j = arena_calloc(q->a, 1, sizeof(*j));
    j->in = (struct admin_user_input){
        .username = text_of(q->body, "username"),
        .password = text_of(q->body, "password"),
        .email = text_of(q->body, "email"),
        .firstname = text_of(q->body, "firstname") ? text_of(q->body, "firstname") : "",
        .lastname = text_of(q->body, "lastname") ? text_of(q->body, "lastname") : "",
    };
    enum err e = role_of_body(q, &j->in.role_id);
    if (e)
        return e;
    char err[512];
    if (!admin_user_validate(&j->in, err, sizeof(err)))
        return api_fail_msg(q, ERR_INVALID, arena_strdup(q->a, err), NULL);
    /* Argon2id takes tens of milliseconds: on the blocking pool, never on the loop */
    q->ctx = j;
    api_defer(q, user_hash_work, user_create_hashed, j);
    return ERR_OK;
}

static const char *const user_fields[] = {"username",  "password",         "email",
                                          "firstname", "lastname",         "role_id",
                                          "is_active", "current_password", "id"};

enum err api_admin_user_list(struct api_req *q)
{
    enum err e = admin_user_json(q->w->db, 0, &q->out);
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_admin_user_get(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    e = admin_user_json(q->w->db, id, &q->out);
    return e == ERR_NOT_FOUND ? no_such(q, "user", id) : e ? api_fail(q, e) : ERR_OK;
}

enum err api_admin_user_create(struct api_req *q)
{
    if (!json_is_object(q->body))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("username"));
    enum err e = check_fields(q, q->body, user_fields, sizeof(user_fields) / sizeof(*user_fields));
    int64_t role;
    if (!e)
        e = role_of_body(q, &role);
    return e ? e : panel_confirm_password(q, user_create_confirmed);
}

static enum err user_update_confirmed(struct api_req *q)
{
    int64_t id, role;
    enum err e = path_id(q, &id);
    if (!e)
        e = role_of_body(q, &role);
    if (e)
        return e;
    json_t *active = json_object_get(q->body, "is_active");
    bool on = !active || json_is_true(active) ||
              (json_is_integer(active) && json_integer_value(active) != 0);
    if (id == q->caller.id && !on)
        return api_fail_msg(q, ERR_INVALID, "You cannot disable your own account.", NULL);
    if (role == 0) {
        bool all;
        if ((e = admin_role_of_user(q->w->db, id, &role, &all)))
            return api_fail(q, e);
    }
    e = admin_user_update(q->w->db, id, role, on);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "user or role", id);
    if (e)
        return api_fail(q, e);
    if (!on)
        admin_session_end_all(q->w->db, id);
    buf_add_c(&q->out, "{\"message\":\"You saved the user.\",\"user\":");
    if ((e = admin_user_json(q->w->db, id, &q->out)))
        return api_fail(q, e);
    buf_add_ch(&q->out, '}');
    return ERR_OK;
}

/* PUT {"role_id", "is_active", "current_password"}: names and passwords change from the CLI. */
enum err api_admin_user_update(struct api_req *q)
{
    static const char *const known[] = {"role_id", "is_active", "current_password", "id"};
    if (!json_is_object(q->body))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("role_id"));
    enum err e = check_fields(q, q->body, known, sizeof(known) / sizeof(*known));
    return e ? e : panel_confirm_password(q, user_update_confirmed);
}

enum err api_admin_user_delete(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    if (id == q->caller.id)
        return api_fail_msg(q, ERR_INVALID, "You cannot delete your own account.", NULL);
    e = admin_user_delete(q->w->db, id);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "user", id);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "{\"message\":\"You deleted the user.\"}");
    return ERR_OK;
}
