/* The admin panel around the admin JSON API: the session cookie as a caller, the form key (CSRF
 * token) on state-changing requests, the security headers of every admin answer, the embedded
 * static pages, and the confirmation of the admin's current password that saving asks for. */
#include <stdio.h>
#include <string.h>

#include "admin/assets.h"
#include "core/clock.h"
#include "core/log.h"
#include "user/admin_role.h"
#include "user/admin_session.h"
#include "user/auth_lock.h"
#include "webapi/api.h"

/* No inline script or style anywhere in the panel; pages, scripts and API calls from this origin
 * only; never framed; the identity-link popup is opened with window.open, which CSP does not
 * restrict. */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                          "base-uri 'none'; frame-ancestors 'none'";

void panel_security_headers(struct http_request *r, bool html)
{
    http_add_header(r, "content-security-policy", str_c(csp));
    http_add_header(r, "x-frame-options", STR_LIT("DENY"));
    http_add_header(r, "x-content-type-options", STR_LIT("nosniff"));
    http_add_header(r, "referrer-policy", STR_LIT("same-origin"));
    http_add_header(r, "cache-control", html ? STR_LIT("no-cache") : STR_LIT("no-store"));
}

struct str panel_cookie_value(struct str header, const char *name)
{
    struct str rest = header;
    while (rest.p && rest.len) {
        struct str pair = str_trim(str_cut(rest, ';', &rest));
        struct str value;
        struct str key = str_trim(str_cut(pair, '=', &value));
        if (value.p && str_eq_c(key, name))
            return str_trim(value);
    }
    return STR_NULL;
}

void panel_session_caller(struct api_req *q)
{
    struct str cookies = http_header(q->http, "cookie");
    if (!cookies.p)
        return;
    struct str token = panel_cookie_value(cookies, ADMIN_SESSION_COOKIE);
    if (!token.p || token.len != CRYPTO_TOKEN_LEN)
        return;
    int64_t lifetime = store_config_get_int(q->w->config, "admin/security/session_lifetime", -1),
            id = 0;
    if (admin_session_resolve(q->w->db, token, clock_now(), lifetime, &id) != ERR_OK)
        return; /* unknown, idle too long or disabled: a guest, who meets the ACL's 401 */
    q->caller = (struct caller){CALLER_ADMIN, id, false, 0, true};
    if (admin_role_of_user(q->w->db, id, &q->caller.role_id, &q->caller.all_resources))
        q->caller.role_id = 0;
    q->session_token = token;
    http_set_caller(q->http, "admin-session", id);
}

enum err panel_check_form_key(struct api_req *q)
{
    if (!q->caller.session || q->verb == VERB_GET)
        return ERR_OK;
    char expected[ADMIN_FORM_KEY_LEN + 1];
    admin_session_form_key(q->session_token, expected);
    struct str got = http_header(q->http, "x-form-key");
    bool ok = got.p && crypto_eq(got, str_n(expected, ADMIN_FORM_KEY_LEN));
    crypto_wipe(expected, sizeof(expected));
    if (!ok) {
        log_warn("admin %lld: a state-changing request without a valid form key was refused",
                 (long long)q->caller.id);
        return api_fail(q, ERR_FORM_KEY);
    }
    return ERR_OK;
}

/* --- static pages --- */

bool panel_serve_static(struct api_req *q)
{
    struct str path = http_path(q->http);
    struct str rel;
    if (str_eq_c(path, "/admin/") || str_eq_c(path, "/admin/index.html"))
        rel = STR_LIT("/index.html");
    else if (str_eq_c(path, "/admin/login") || str_eq_c(path, "/admin/login.html"))
        rel = STR_LIT("/login.html");
    else if (str_starts(path, STR_LIT("/admin/")))
        rel = (struct str){path.p + 6, path.len - 6};
    else
        return false;
    const struct admin_asset *a = admin_asset_find(rel);
    if (!a)
        return false;
    panel_security_headers(q->http, true);
    http_respond(q->http, 200, a->content_type, (struct str){(const char *)a->data, a->len});
    return true;
}

/* --- password confirmation --- */

struct confirm {
    api_handler next;
    char username[64];
    char hash[CRYPTO_PWHASH_LEN];
    struct str password;
    bool ok;
};

static void confirm_work(void *p)
{
    struct confirm *c = p;
    c->ok = c->hash[0] && crypto_password_verify(c->hash, c->password);
    crypto_wipe(c->hash, sizeof(c->hash));
}

static enum err confirm_done(struct api_req *q)
{
    struct confirm *c = q->confirm;
    crypto_wipe((void *)c->password.p, c->password.len);
    const struct store_config *cfg = q->w->config;
    int64_t max = store_config_get_int(cfg, "admin/security/lockout_failures", -1);
    int64_t minutes = store_config_get_int(cfg, "admin/security/lockout_threshold", -1);
    struct str name = str_c(c->username);
    int64_t now = clock_now();
    enum err e;
    if (c->ok) {
        if ((e = auth_lock_clear(q->w->db, LOCK_ADMIN_PANEL, name, NULL)))
            return api_fail(q, e);
        return c->next(q);
    }
    bool locked = false;
    if (max > 0) {
        if (!(e = auth_lock_fail(q->w->db, LOCK_ADMIN_PANEL, name, minutes * 60, now)))
            e = auth_lock_check(q->w->db, LOCK_ADMIN_PANEL, name, max, now, &locked);
        if (e)
            return api_fail(q, e);
    }
    if (locked) {
        /* Magento's UserLockedException: the admin is signed out everywhere */
        admin_session_end_all(q->w->db, q->caller.id);
        log_info("admin \"%s\" locked after failed password confirmations", c->username);
        return api_fail_msg(q, ERR_SIGN_IN, "Your account is temporarily disabled.", NULL);
    }
    return api_fail_msg(q, ERR_INVALID, "You have entered an invalid password for current user.",
                        NULL);
}

static json_t *password_field(json_t *body)
{
    json_t *v = json_object_get(body, "current_password");
    if (!v && json_is_object(json_object_get(body, "integration")))
        v = json_object_get(json_object_get(body, "integration"), "current_password");
    return v;
}

enum err panel_confirm_password(struct api_req *q, api_handler next)
{
    json_t *v = q->body ? password_field(q->body) : NULL;
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        if (!q->caller.session)
            return next(q); /* a bearer token is itself the fresh credential of a script */
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("current_password"));
    }
    if (!json_is_string(v) || json_string_length(v) > 256)
        return api_fail_list(q, ERR_INVALID_TYPE,
                             json_pack("{s:s,s:s}", "value", "current_password", "type", "string"));
    struct confirm *c = arena_calloc(q->a, 1, sizeof(*c));
    c->next = next;
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(
        q->w->db, "SELECT username, password_hash FROM admin_user WHERE user_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, q->caller.id);
        e = db_next(st, &row);
    }
    if (e)
        return api_fail(q, e);
    if (!row)
        return api_fail(q, ERR_SIGN_IN);
    struct str n = db_col_text(st, 0), h = db_col_text(st, 1);
    snprintf(c->username, sizeof(c->username), "%.*s", STR_FMT(n));
    snprintf(c->hash, sizeof(c->hash), "%.*s", STR_FMT(h));
    db_done(st);
    /* already locked: refused without spending a hash */
    int64_t max = store_config_get_int(q->w->config, "admin/security/lockout_failures", -1);
    bool locked = false;
    if ((e = auth_lock_check(q->w->db, LOCK_ADMIN_PANEL, str_c(c->username), max, clock_now(),
                             &locked)))
        return api_fail(q, e);
    if (locked) {
        crypto_wipe(c->hash, sizeof(c->hash));
        admin_session_end_all(q->w->db, q->caller.id);
        return api_fail_msg(q, ERR_SIGN_IN, "Your account is temporarily disabled.", NULL);
    }
    c->password = str_c(arena_strdup(q->a, json_string_value(v)));
    q->confirm = c;
    api_defer(q, confirm_work, confirm_done, c);
    return ERR_OK;
}
