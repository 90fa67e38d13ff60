/* POST /V1/integration/admin/token (reference section 5.4): {"username","password"} -> a JSON
 * string token. The Argon2id check runs on the blocking pool; an unknown user name costs the same
 * work as a known one, so timing does not tell which names exist. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "user/admin_token.h"
#include "user/admin_user.h"
#include "webapi/api.h"

struct token_job {
    struct admin_user user;
    bool found, ok;
    struct str password;
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
    struct token_job *j = p;
    if (j->found) {
        j->ok = admin_user_password_ok(&j->user, j->password);
    } else {
        struct admin_user dummy = {0};
        pthread_once(&dummy_once, make_dummy);
        memcpy(dummy.password_hash, dummy_hash, sizeof(dummy_hash));
        (void)admin_user_password_ok(&dummy, j->password);
        j->ok = false;
    }
}

static enum err verify_done(struct api_req *q)
{
    struct token_job *j = q->ctx;
    crypto_wipe((void *)j->password.p, j->password.len);
    if (!j->ok || !j->user.active) {
        log_info("admin sign-in refused for \"%.40s\"", j->user.username);
        return api_fail(q, ERR_SIGN_IN);
    }
    char token[CRYPTO_TOKEN_LEN + 1];
    int64_t hours = store_config_get_int(q->w->config, "oauth/access_token_lifetime/admin", -1);
    enum err e = admin_token_issue(q->w->db, j->user.id, hours, token);
    if (e) {
        crypto_wipe(token, sizeof(token));
        return api_fail(q, e);
    }
    http_set_caller(q->http, "admin", j->user.id);
    buf_json_str(&q->out, str_n(token, CRYPTO_TOKEN_LEN));
    crypto_wipe(token, sizeof(token));
    return ERR_OK;
}

enum err api_admin_token(struct api_req *q)
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

    struct token_job *j = arena_calloc(q->a, 1, sizeof(*j));
    j->password = str_c(arena_cstr(q->a, password));
    e = admin_user_find(q->w->db, username, &j->user);
    if (e == ERR_OK)
        j->found = true;
    else if (e != ERR_NOT_FOUND)
        return api_fail(q, e);
    else
        snprintf(j->user.username, sizeof(j->user.username), "%.*s",
                 (int)(username.len > ADMIN_USERNAME_MAX ? ADMIN_USERNAME_MAX : username.len),
                 username.p);
    q->ctx = j;
    api_defer(q, verify_work, verify_done, j);
    return ERR_OK;
}
