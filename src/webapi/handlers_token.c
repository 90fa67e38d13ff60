/* Token services (reference section 5.4): POST /V1/integration/admin/token and
 * /V1/integration/customer/token take {"username","password"} and answer a JSON string token;
 * POST /V1/integration/customer/revoke-customer-token revokes the caller's tokens. The Argon2id
 * check runs on the blocking pool; an unknown name costs the same work as a known one, so timing
 * does not tell which names exist. Failures count toward the authentication lock, whose expiry
 * is checked here, by time. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "customer/customer.h"
#include "user/admin_user.h"
#include "user/auth_lock.h"
#include "user/bearer_token.h"
#include "webapi/api.h"

struct sign_in {
    enum user_type type;
    struct str username, password;
    int64_t user_id;
    bool found, active, ok;
    char hash[CRYPTO_PWHASH_LEN];
};

/* The hash of a random password, verified when the user does not exist (made once). */
static char dummy_hash[CRYPTO_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char pw[33];
    crypto_random_token(pw);
    if (crypto_password_hash(str_c(pw), dummy_hash) != ERR_OK)
        dummy_hash[0] = '\0';
    crypto_wipe(pw, sizeof(pw));
}

static void verify_work(void *p)
{
    struct sign_in *s = p;
    if (s->found && s->hash[0]) {
        s->ok = crypto_password_verify(s->hash, s->password);
    } else {
        pthread_once(&dummy_once, make_dummy);
        (void)crypto_password_verify(dummy_hash, s->password);
        s->ok = false;
    }
    crypto_wipe(s->hash, sizeof(s->hash));
}

static enum lock_kind lock_of(enum user_type t)
{
    return t == USER_ADMIN ? LOCK_ADMIN : LOCK_CUSTOMER;
}

static enum err verify_done(struct api_req *q)
{
    struct sign_in *s = q->ctx;
    crypto_wipe((void *)s->password.p, s->password.len);
    const struct store_config *c = q->w->config;
    int64_t now = clock_now();
    if (!s->ok) {
        int64_t timeout = store_config_get_int(c, "oauth/authentication_lock/timeout", -1);
        enum err e = auth_lock_fail(q->w->db, lock_of(s->type), s->username, timeout, now);
        if (e)
            return api_fail(q, e);
        log_info("%s sign-in refused for \"%.*s\"", s->type == USER_ADMIN ? "admin" : "customer",
                 (int)(s->username.len > 64 ? 64 : s->username.len), s->username.p);
        return api_fail(q, ERR_SIGN_IN);
    }
    if (!s->active) /* right password, disabled account: refused, not counted */
        return api_fail(q, ERR_SIGN_IN);
    enum err e = auth_lock_clear(q->w->db, lock_of(s->type), s->username, NULL);
    char token[CRYPTO_TOKEN_LEN + 1];
    int64_t hours =
        store_config_get_int(c,
                             s->type == USER_ADMIN ? "oauth/access_token_lifetime/admin"
                                                   : "oauth/access_token_lifetime/customer",
                             -1);
    if (!e)
        e = bearer_token_issue(q->w->db, s->type, s->user_id, hours, token);
    if (e) {
        crypto_wipe(token, sizeof(token));
        return api_fail(q, e);
    }
    http_set_caller(q->http, s->type == USER_ADMIN ? "admin" : "customer", s->user_id);
    buf_json_str(&q->out, str_n(token, CRYPTO_TOKEN_LEN));
    crypto_wipe(token, sizeof(token));
    return ERR_OK;
}

static enum err sign_in(struct api_req *q, enum user_type type)
{
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

    const struct store_config *c = q->w->config;
    int64_t max = store_config_get_int(c, "oauth/authentication_lock/max_failures_count", -1);
    bool locked = false;
    if ((e = auth_lock_check(q->w->db, lock_of(type), username, max, clock_now(), &locked)))
        return api_fail(q, e);
    if (locked) {
        log_info("sign-in refused for locked \"%.*s\"",
                 (int)(username.len > 64 ? 64 : username.len), username.p);
        return api_fail(q, ERR_SIGN_IN);
    }

    struct sign_in *s = arena_calloc(q->a, 1, sizeof(*s));
    s->type = type;
    s->username = str_c(arena_cstr(q->a, username));
    s->password = str_c(arena_cstr(q->a, password));
    if (type == USER_ADMIN) {
        struct admin_user u;
        e = admin_user_find(q->w->db, username, &u);
        if (e == ERR_OK) {
            s->found = true;
            s->user_id = u.id;
            s->active = u.active;
            memcpy(s->hash, u.password_hash, sizeof(s->hash));
            crypto_wipe(u.password_hash, sizeof(u.password_hash));
        }
    } else {
        struct customer cu;
        int64_t website = q->store ? q->store->website_id : 1;
        e = customer_find_email(q->w->db, username, website ? website : 1, &cu);
        if (e == ERR_OK) {
            s->found = true;
            s->user_id = cu.id;
            s->active = cu.active;
            memcpy(s->hash, cu.password_hash, sizeof(s->hash));
            crypto_wipe(cu.password_hash, sizeof(cu.password_hash));
        }
    }
    if (e && e != ERR_NOT_FOUND)
        return api_fail(q, e);
    q->ctx = s;
    api_defer(q, verify_work, verify_done, s);
    return ERR_OK;
}

enum err api_admin_token(struct api_req *q)
{
    return sign_in(q, USER_ADMIN);
}

enum err api_customer_token(struct api_req *q)
{
    return sign_in(q, USER_CUSTOMER);
}

enum err api_customer_revoke(struct api_req *q)
{
    if (q->caller.kind != CALLER_CUSTOMER)
        return api_fail_param(q, ERR_NOT_AUTHORIZED, "resources", json_string("self"));
    enum err e = bearer_token_revoke_all(q->w->db, USER_CUSTOMER, q->caller.id, NULL);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}
