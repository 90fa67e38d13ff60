/* Authentication and authorization phases (reference sections 5.3 and 5.5). Who the caller is
 * comes from the Authorization header: a Bearer token (admin; an integration's access token when
 * oauth/consumer/enable_integration_as_bearer is 1) or an OAuth 1.0a signature. An unknown,
 * revoked or expired bearer token is not an error: the caller stays a guest and meets the ACL's
 * 401, as in Magento. A signed request with a bad signature gets the OAuth error; a good one is
 * answered only once its nonce is durably recorded. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "integration/usage.h"
#include "oauth/nonce.h"
#include "oauth/provider.h"
#include "user/admin_role.h"
#include "user/bearer_token.h"
#include "webapi/api.h"

void api_oauth_policy(struct api_req *q, struct oauth_policy *pol)
{
    const struct store_config *c = q->w->config;
    pol->signature_methods = store_config_get(c, "oauth/signature_methods", -1);
    pol->timestamp_window = store_config_get_int(c, "oauth/timestamp_window", -1);
    pol->consumer_expiration = store_config_get_int(c, "oauth/consumer/expiration_period", -1);
    if (pol->consumer_expiration <= 0)
        pol->consumer_expiration = 300;
    pol->now = clock_now();
}

/* The active integration of a consumer; false if none is active (the caller is then a guest). */
static bool active_integration(struct api_req *q, int64_t consumer_id, struct caller *out)
{
    int64_t id;
    bool all;
    if (oauth_cache_active_integration(q->w->oauth, q->w->db, consumer_id, &id, &all) != ERR_OK)
        return false;
    *out = (struct caller){CALLER_INTEGRATION, id, all, 0, false};
    return true;
}

static void set_integration(struct api_req *q, const struct caller *c)
{
    q->caller = *c;
    http_set_caller(q->http, "integration", c->id);
    integration_usage_note(c->id, clock_now());
}

static void bearer(struct api_req *q, struct str token)
{
    int64_t id;
    enum user_type type;
    if (bearer_token_resolve(q->w->db, token, clock_now(), &type, &id) == ERR_OK) {
        bool admin = type == USER_ADMIN;
        q->caller = (struct caller){admin ? CALLER_ADMIN : CALLER_CUSTOMER, id, false, 0, false};
        if (admin && admin_role_of_user(q->w->db, id, &q->caller.role_id,
                                        &q->caller.all_resources) != ERR_OK)
            q->caller.role_id = 0; /* no resources but the root: fail closed */
        http_set_caller(q->http, admin ? "admin" : "customer", id);
        return;
    }
    /* An integration's access token as a bearer token (Magento 2.4.4+ switch, default off). */
    if (token.len != OAUTH_LEN ||
        !store_config_get_bool(q->w->config, "oauth/consumer/enable_integration_as_bearer",
                               q->store ? q->store->id : -1))
        return;
    int64_t iid;
    bool all;
    if (oauth_cache_bearer_integration(q->w->oauth, q->w->db, token, &iid, &all) == ERR_OK) {
        struct caller c = {CALLER_INTEGRATION, iid, all, 0, false};
        set_integration(q, &c);
    }
}

void api_identify_bearer(struct api_req *q)
{
    q->caller = (struct caller){CALLER_GUEST, 0, false, 0, false};
    struct str auth = http_header(q->http, "authorization");
    if (!auth.p)
        return;
    struct str rest;
    struct str scheme = str_cut(auth, ' ', &rest);
    if (str_ieq(scheme, STR_LIT("bearer")) && rest.p && str_find(rest, ' ') < 0)
        bearer(q, rest);
}

bool api_allowed(struct api_req *q, struct str resource)
{
    if (str_eq_c(resource, "anonymous"))
        return true;
    switch (q->caller.kind) {
    case CALLER_ADMIN: {
        /* the role's resources (reference 5.5: an admin token carries its user's ACL role) */
        if (q->caller.all_resources)
            return true;
        bool allowed = false;
        return admin_role_allows(q->w->db, q->caller.role_id, resource, &allowed) == ERR_OK &&
               allowed;
    }
    case CALLER_CUSTOMER:
        return str_eq_c(resource, "self");
    case CALLER_INTEGRATION: {
        if (q->caller.all_resources)
            return true; /* "All" is Magento_Backend::all: every resource, self included */
        struct db_stmt *st;
        bool row = false;
        if (db_prepare(q->w->db,
                       "SELECT 1 FROM integration_resource WHERE integration_id = $1"
                       " AND resource_id = $2",
                       &st))
            return false;
        db_bind_i64(st, 1, q->caller.id);
        db_bind_text(st, 2, resource);
        if (db_next(st, &row) || !row)
            return false;
        db_done(st);
        return true;
    }
    default:
        return false;
    }
}

static enum err acl(struct api_req *q)
{
    const struct route *r = q->route;
    bool ok = !(r->flags & R_ADMIN) || q->caller.kind == CALLER_ADMIN;
    for (int i = 0; i < r->nresources && ok; i++)
        ok = api_allowed(q, r->resources[i]);
    if (ok)
        return ERR_OK;
    /* Magento names every resource of the route, comma and space separated. */
    struct buf list;
    buf_init(&list, q->a, 64);
    for (int i = 0; i < r->nresources; i++) {
        if (i)
            buf_add_c(&list, ", ");
        buf_add_str(&list, r->resources[i]);
    }
    return api_fail_param(q, ERR_NOT_AUTHORIZED, "resources", json_stringn(list.p, list.len));
}

enum err api_oauth_fail(struct api_req *q, const struct oauth_error *oe, bool diagnostics)
{
    if (oe->code == ERR_REQUIRED_FIELD) {
        for (int i = 0; i < oe->nmissing; i++)
            api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_string(oe->missing[i]));
        return api_finish_errors(q);
    }
    if (oe->code == ERR_OAUTH_SIGNATURE && diagnostics) {
        /* Beyond Magento: what the server signed, never a secret, so an integrator can see why
         * the signatures differ. */
        json_t *p = json_object();
        json_object_set_new(p, "base_string_sha256", json_string(oe->base_sha256));
        json_object_set_new(p, "signed_parameters",
                            json_stringn(oe->signed_names.p, oe->signed_names.len));
        return api_fail_list(q, ERR_OAUTH_SIGNATURE, p);
    }
    if (strstr(err_message(oe->code), "%1"))
        return api_fail_list(q, oe->code, json_pack("[s]", oe->param));
    return api_fail(q, oe->code);
}

struct signed_wait {
    struct nonce_wait wait;
    struct api_req *q;
    struct caller caller;
    bool integration_active;
};

static void nonce_resumed(struct http_request *r, void *arg)
{
    (void)r;
    struct signed_wait *w = arg;
    struct api_req *q = w->q;
    q->deferred = false;
    enum err e;
    enum err result = w->wait.nonce.result;
    if (result == ERR_OAUTH_NONCE_USED) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)w->wait.nonce.consumer_id);
        e = api_fail_list(q, ERR_OAUTH_NONCE_USED, json_pack("[s]", id));
    } else if (result) {
        e = api_fail(q, result);
    } else {
        if (w->integration_active)
            set_integration(q, &w->caller);
        e = acl(q);
    }
    api_continue(q, e);
}

static bool diagnostics_on(struct api_req *q, int64_t consumer_id)
{
    struct db_stmt *st;
    bool row = false, on = false;
    if (db_prepare(q->w->db, "SELECT diagnostics_until FROM integration WHERE consumer_id = $1",
                   &st))
        return false;
    db_bind_i64(st, 1, consumer_id);
    if (!db_next(st, &row) && row) {
        on = db_col_i64(st, 0) > clock_now();
        db_done(st);
    }
    return on;
}

static enum err signed_request(struct api_req *q, struct str authorization,
                               const struct oauth_params *header)
{
    struct oauth_policy pol;
    api_oauth_policy(q, &pol);
    struct oauth_input in = {
        .method = http_method(q->http),
        .host = http_host(q->http),
        .path = http_path(q->http),
        .query = http_query(q->http),
        .authorization = authorization,
        .content_type = http_header(q->http, "content-type"),
        .body = http_body(q->http),
        .https = http_is_https(q->http),
        .header = header,
    };
    struct oauth_checked ok;
    struct oauth_error oe;
    enum err e = oauth_check(q->w->db, q->w->oauth, q->a, &q->w->app->key, &pol,
                             OAUTH_STEP_RESOURCE, &in, &ok, &oe);
    crypto_wipe((void *)ok.consumer.secret.p, ok.consumer.secret.len);
    crypto_wipe((void *)ok.token.secret.p, ok.token.secret.len);
    if (e)
        return api_oauth_fail(q, &oe,
                              e == ERR_OAUTH_SIGNATURE && diagnostics_on(q, ok.consumer.id));
    struct signed_wait *w = arena_calloc(q->a, 1, sizeof(*w));
    w->q = q;
    w->integration_active = active_integration(q, ok.consumer.id, &w->caller);
    w->wait.nonce.consumer_id = ok.consumer.id;
    w->wait.nonce.timestamp = ok.timestamp;
    /* (oauth_check() allows at most NONCE_MAX_LEN bytes, and the header parser no NUL) */
    size_t nonce_len = ok.nonce.len < NONCE_MAX_LEN ? ok.nonce.len : NONCE_MAX_LEN;
    const char *nul = memchr(ok.nonce.p, '\0', nonce_len);
    if (nul)
        nonce_len = (size_t)(nul - ok.nonce.p);
    memcpy(w->wait.nonce.nonce, ok.nonce.p, nonce_len);
    w->wait.nonce.nonce[nonce_len] = '\0';
    w->wait.done = nonce_resumed;
    w->wait.arg = w;
    q->deferred = true;
    api_nonce_wait(q, &w->wait);
    return ERR_OK;
}

enum err api_authorize(struct api_req *q)
{
    const struct route *r = q->route;
    if (r->anonymous)
        return ERR_OK;
    if ((r->flags & R_GUEST) &&
        store_config_get_bool(q->w->config, "webapi/webapisecurity/allow_insecure", -1)) {
        /* Anyone may call the route, but a Bearer caller is still known, so what the answer
         * guards by ACL (a product's stock_item) follows that caller, as Magento's user context
         * does; an unknown token leaves a guest. (A signed OAuth call stays a guest here: its
         * check needs the nonce writer, and the route does not need the caller.) */
        struct str auth = http_header(q->http, "authorization"), token;
        if (auth.p && str_ieq(str_cut(auth, ' ', &token), STR_LIT("bearer")) && token.p &&
            str_find(token, ' ') < 0)
            bearer(q, token);
        return ERR_OK;
    }
    q->caller = (struct caller){CALLER_GUEST, 0, false, 0, false};
    struct str auth = http_header(q->http, "authorization");
    if (!auth.p && (r->flags & R_ADMIN)) {
        /* the panel: its session cookie, and the form key on anything that changes state */
        panel_session_caller(q);
        enum err e = panel_check_form_key(q);
        if (e)
            return e;
    }
    if (auth.p) {
        /* Magento splits on single spaces and wants exactly two pieces, the first "bearer". */
        struct str rest;
        struct str scheme = str_cut(auth, ' ', &rest);
        if (str_ieq(scheme, STR_LIT("bearer"))) {
            if (rest.p && str_find(rest, ' ') < 0)
                bearer(q, rest);
        } else if (oauth_is_oauth_header(auth)) {
            /* Magento (OauthUserContext): when nothing at all was extracted, neither protocol
             * parameters nor query or form ones, the caller is a guest, not an OAuth error. */
            struct oauth_params hdr;
            oauth_params_init(&hdr, q->a);
            oauth_header_parse(q->a, auth, &hdr);
            struct str ct = http_header(q->http, "content-type");
            bool form = ct.p && str_istarts(ct, STR_LIT("application/x-www-form-urlencoded")) &&
                        http_body(q->http).len;
            if (hdr.n || http_query(q->http).len || form)
                return signed_request(q, auth, &hdr);
        }
    }
    return acl(q);
}
