/* The OAuth token endpoints /oauth/token/request and /oauth/token/access (reference sections 4.1,
 * 4.3): any method; success and failure are form-encoded bodies served as text/html, as Magento's
 * storefront controllers answer: oauth_token=...&oauth_token_secret=... or
 * oauth_problem=<message with its placeholders filled in>. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/pct.h"
#include "integration/integration.h"
#include "oauth/nonce.h"
#include "oauth/provider.h"
#include "webapi/api.h"

static const char form_ctype[] = "text/html; charset=UTF-8";

/* PHP http_build_query: urlencode (space as '+'). */
static void form_encode(struct buf *out, struct str s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == ' ') {
            buf_add_ch(out, '+');
        } else if (pct_unreserved(c) && c != '~') {
            buf_add_ch(out, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_add(out, e, 3);
        }
    }
}

/* A message with %1 or %fieldName replaced. */
static void fill(struct buf *out, const char *msg, const char *value)
{
    const char *p = msg;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            buf_add_c(out, p);
            break;
        }
        buf_add(out, p, (size_t)(pct - p));
        size_t n = 1;
        while (pct[n] && ((pct[n] >= 'a' && pct[n] <= 'z') || (pct[n] >= 'A' && pct[n] <= 'Z') ||
                          (pct[n] >= '0' && pct[n] <= '9')))
            n++;
        buf_add_c(out, value ? value : "");
        p = pct + n;
    }
}

static void problem(struct api_req *q, enum err code, const struct oauth_error *oe)
{
    struct buf msg, body;
    buf_init(&msg, q->a, 256);
    buf_init(&body, q->a, 512);
    int status = err_status(code);
    if (code == ERR_REQUIRED_FIELD && oe && oe->nmissing) {
        /* several input errors: messages without their final '.', joined by ", " */
        for (int i = 0; i < oe->nmissing; i++) {
            size_t start = msg.len;
            if (i)
                buf_add_c(&msg, ", ");
            start = msg.len;
            fill(&msg, err_message(ERR_REQUIRED_FIELD), oe->missing[i]);
            if (oe->nmissing > 1 && msg.len > start && msg.p[msg.len - 1] == '.')
                msg.len--;
        }
    } else if (status >= 500) {
        log_error("oauth endpoint failed with %s", err_name(code));
        buf_add_c(&msg, "internal_error");
        status = code == ERR_UNAVAILABLE || code == ERR_DB_BUSY ? 503 : 500;
    } else {
        fill(&msg, err_message(code), oe ? oe->param : "");
    }
    buf_add_c(&body, "oauth_problem=");
    form_encode(&body, buf_str(&msg));
    http_respond(q->http, status, form_ctype, buf_str(&body));
}

struct token_wait {
    struct nonce_wait wait;
    struct api_req *q;
    struct oauth_checked checked;
    bool access;
};

static enum err exchange(struct api_req *q, struct token_wait *w)
{
    struct db *db = q->w->db;
    struct oauth_token *t = &w->checked.token;
    enum err e = db_begin(db);
    if (e)
        return e;
    e = oauth_token_advance(db, q->a, &q->w->app->key, t, w->access ? TOKEN_ACCESS : TOKEN_REQUEST);
    if (!e && w->access) {
        /* the only server-side signal of a finished handshake: the integration is Active */
        struct db_stmt *st;
        e = db_prepare(
            db, "UPDATE integration SET status = 1, updated_at = $2 WHERE consumer_id = $1", &st);
        if (!e) {
            db_bind_i64(st, 1, t->consumer_id);
            db_bind_i64(st, 2, clock_now());
            e = db_run(st, NULL);
        }
    }
    if (!e)
        e = integration_log_by_consumer(
            db, t->consumer_id, w->access ? "access token issued" : "request token issued", "");
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    if (!e && w->access)
        log_info("request token exchanged for an access token by consumer %lld",
                 (long long)t->consumer_id);
    return e;
}

static void resumed(struct http_request *r, void *arg)
{
    (void)r;
    struct token_wait *w = arg;
    struct api_req *q = w->q;
    enum err e = w->wait.nonce.result;
    struct oauth_error oe;
    memset(&oe, 0, sizeof(oe));
    if (e == ERR_OAUTH_NONCE_USED)
        snprintf(oe.param, sizeof(oe.param), "%lld", (long long)w->wait.nonce.consumer_id);
    if (!e)
        e = exchange(q, w);
    if (e) {
        crypto_wipe((void *)w->checked.token.secret.p, w->checked.token.secret.len);
        problem(q, e, &oe);
        return;
    }
    struct buf body;
    buf_init(&body, q->a, 128);
    buf_add_c(&body, "oauth_token=");
    buf_add_c(&body, w->checked.token.token);
    buf_add_c(&body, "&oauth_token_secret=");
    buf_add_str(&body, w->checked.token.secret);
    crypto_wipe((void *)w->checked.token.secret.p, w->checked.token.secret.len);
    http_respond(q->http, 200, form_ctype, buf_str(&body));
}

void api_oauth_token_endpoint(struct api_req *q, bool access)
{
    bool changed = api_db_changed(q->w);
    enum err e = store_config_sync(q->w->config, q->w->db, changed);
    oauth_cache_sync(q->w->oauth, q->w->db, changed);
    if (e) {
        problem(q, e, NULL);
        return;
    }
    struct oauth_policy pol;
    api_oauth_policy(q, &pol);
    struct oauth_input in = {
        .method = http_method(q->http),
        .host = http_host(q->http),
        .path = http_path(q->http),
        .query = http_query(q->http),
        .authorization = http_header(q->http, "authorization"),
        .content_type = http_header(q->http, "content-type"),
        .body = http_body(q->http),
        .https = http_is_https(q->http),
    };
    struct token_wait *w = arena_calloc(q->a, 1, sizeof(*w));
    struct oauth_error oe;
    e = oauth_check(q->w->db, q->w->oauth, q->a, &q->w->app->key, &pol,
                    access ? OAUTH_STEP_ACCESS_TOKEN : OAUTH_STEP_REQUEST_TOKEN, &in, &w->checked,
                    &oe);
    crypto_wipe((void *)w->checked.consumer.secret.p, w->checked.consumer.secret.len);
    if (e) {
        crypto_wipe((void *)w->checked.token.secret.p, w->checked.token.secret.len);
        if (e == ERR_OAUTH_EXPIRED)
            integration_log_by_consumer(q->w->db, w->checked.consumer.id, "handshake expired",
                                        "the request-token call came after the window");
        problem(q, e, &oe);
        return;
    }
    w->q = q;
    w->access = access;
    w->wait.nonce.consumer_id = w->checked.consumer.id;
    w->wait.nonce.timestamp = w->checked.timestamp;
    snprintf(w->wait.nonce.nonce, sizeof(w->wait.nonce.nonce), "%.*s", STR_FMT(w->checked.nonce));
    w->wait.done = resumed;
    w->wait.arg = w;
    api_nonce_wait(q, &w->wait);
}
