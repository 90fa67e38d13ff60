/* A request's life: created when h2o hands it over, owned by h2o (through a shared chunk in its
 * pool) and by any pending blocking job; its arena goes back to the worker's cache when the last
 * owner lets go. The access-log line is written when h2o is done with the request. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/internal.h"

struct h2o_link {
    struct http_request *r;
};

static struct arena *take_arena(struct http_worker *w)
{
    if (w->narenas)
        return w->arena_cache[--w->narenas];
    return arena_new(8192);
}

static void give_arena(struct http_worker *w, struct arena *a)
{
    if (w->narenas < ARENA_CACHE) {
        arena_reset(a);
        w->arena_cache[w->narenas++] = a;
    } else {
        arena_free(a);
    }
}

void http_request_release(struct http_request *r)
{
    if (--r->refs > 0)
        return;
    struct http_worker *w = r->w;
    w->inflight--;
    w->last_activity_us = clock_mono_us();
    give_arena(w, r->arena);
}

/* Appends the decimal digits of v at o; returns where they end. */
static char *put_u64(char *o, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(o, tmp + i, sizeof(tmp) - i);
    return o + sizeof(tmp) - i;
}

static char *put_i64(char *o, int64_t v)
{
    if (v < 0)
        *o++ = '-';
    return put_u64(o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

static char *put_text(char *o, const char *p, size_t len)
{
    memcpy(o, p, len);
    return o + len;
}

static void access_log(struct http_request *r)
{
    FILE *out = r->w->srv->cfg.access_log;
    if (!out)
        return;
    struct http_worker *w = r->w;
    time_t now = time(NULL);
    if (now != w->log_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(w->log_ts, sizeof(w->log_ts), "%Y-%m-%dT%H:%M:%S", &tm);
        w->log_sec = now;
    }
    /* "<ts>Z access <id> <method> <path> <status> <bytes> <us>us <caller kind>:<caller id>\n",
     * written without printf (a line per request). Path only: the query is not logged (it may
     * carry search values a shop considers private); never headers, so no token or signature
     * reaches the log. The method (16 bytes at most), the path (256) and the rest fit the line. */
    char line[512];
    const char *kind = r->caller_kind ? r->caller_kind : "none";
    size_t ts_len = strlen(w->log_ts), id_len = strnlen(r->id, sizeof(r->id)),
           kind_len = strlen(kind);
    size_t method_len = r->method.len > 16 ? 16 : r->method.len;
    size_t path_len = r->path.len > 256 ? 256 : r->path.len;
    if (ts_len + id_len + kind_len + method_len + path_len + 4 * 20 + 24 > sizeof(line))
        return; /* (a caller kind is a short name) */
    char *o = line;
    o = put_text(o, w->log_ts, ts_len);
    o = put_text(o, "Z access ", 9);
    o = put_text(o, r->id, id_len);
    *o++ = ' ';
    o = put_text(o, r->method.p, method_len);
    *o++ = ' ';
    o = put_text(o, r->path.p, path_len);
    *o++ = ' ';
    o = put_i64(o, r->status);
    *o++ = ' ';
    o = put_u64(o, r->bytes);
    *o++ = ' ';
    o = put_u64(o, clock_mono_us() - r->start_us);
    o = put_text(o, "us ", 3);
    o = put_text(o, kind, kind_len);
    *o++ = ':';
    o = put_i64(o, r->caller_id);
    *o++ = '\n';
    size_t n = (size_t)(o - line);
    if (w->loglen + n > sizeof(w->logbuf))
        http_flush_access_log(w);
    memcpy(w->logbuf + w->loglen, line, n);
    w->loglen += n;
}

void http_flush_access_log(struct http_worker *w)
{
    FILE *out = w->srv->cfg.access_log;
    if (!w->loglen || !out)
        return;
    flockfile(out);
    fwrite(w->logbuf, 1, w->loglen, out);
    fflush(out);
    funlockfile(out);
    w->loglen = 0;
}

static void on_h2o_dispose(void *p)
{
    struct http_request *r = ((struct h2o_link *)p)->r;
    if (!r->responded)
        r->status = 499; /* the client went away before an answer */
    access_log(r);
    r->req = NULL;
    http_request_release(r);
}

int http_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    struct http_worker *w = (struct http_worker *)req->conn->ctx;
    struct arena *a = take_arena(w);
    struct http_request *r = arena_calloc(a, 1, sizeof(*r));
    r->req = req;
    r->w = w;
    r->arena = a;
    r->start_us = clock_mono_us();
    r->refs = 1;
    r->caller_kind = "guest";
    w->inflight++;
    w->last_activity_us = r->start_us;
    /* "<worker>-<sequence>" (a worker index of a few digits and 20 at most fit) */
    *put_u64(put_text(put_i64(r->id, w->index), "-", 1), ++w->seq) = '\0';
    struct h2o_link *link = h2o_mem_alloc_shared(&req->pool, sizeof(*link), on_h2o_dispose);
    link->r = r;

    r->method = (struct str){req->method.base, req->method.len};
    r->target = (struct str){req->path.base, req->path.len};
    r->path = str_cut(r->target, '?', &r->query);
    if (!r->query.p)
        r->query = (struct str){"", 0};
    r->https = w->srv->ssl_ctx != NULL;
    r->host = (struct str){req->authority.base, req->authority.len};
    if (w->srv->nproxies) {
        struct sockaddr_storage ss;
        socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
        if (sl && http_proxy_trusted(w->srv, (struct sockaddr *)&ss)) {
            struct str proto = http_header(r, "x-forwarded-proto");
            struct str host = http_header(r, "x-forwarded-host");
            if (proto.p) /* the first (client-side) value of a list */
                r->https = str_ieq(str_trim(str_cut(proto, ',', NULL)), STR_LIT("https"));
            if (host.p && host.len)
                r->host = str_trim(str_cut(host, ',', NULL));
        }
    }
    if (atomic_load(&w->srv->stopping))
        req->http1_is_persistent = 0;
    const struct http_config *cfg = &w->srv->cfg;
    if (cfg->slice_enter)
        cfg->slice_enter(w->app);
    cfg->handler(r);
    if (cfg->slice_leave)
        cfg->slice_leave(w->app);
    return 0;
}

struct arena *http_arena(struct http_request *r)
{
    return r->arena;
}

void *http_worker_ctx(struct http_request *r)
{
    return r->w->app;
}

struct str http_method(struct http_request *r)
{
    return r->method;
}

struct str http_path(struct http_request *r)
{
    return r->path;
}

struct str http_query(struct http_request *r)
{
    return r->query;
}

struct str http_target(struct http_request *r)
{
    return r->target;
}

struct str http_header(struct http_request *r, const char *lc_name)
{
    h2o_req_t *req = r->req;
    size_t n = strlen(lc_name);
    for (size_t i = 0; i < req->headers.size; i++) {
        const h2o_header_t *h = &req->headers.entries[i];
        if (h->name->len == n && memcmp(h->name->base, lc_name, n) == 0)
            return (struct str){h->value.base, h->value.len};
    }
    return STR_NULL;
}

size_t http_header_bytes(struct http_request *r)
{
    size_t total = r->req->authority.len + 8;
    for (size_t i = 0; i < r->req->headers.size; i++)
        total += r->req->headers.entries[i].name->len + r->req->headers.entries[i].value.len + 4;
    return total;
}

struct str http_body(struct http_request *r)
{
    return (struct str){r->req->entity.base ? r->req->entity.base : "", r->req->entity.len};
}

bool http_has_body(struct http_request *r)
{
    return r->req->entity.base != NULL;
}

bool http_is_https(struct http_request *r)
{
    return r->https;
}

struct str http_host(struct http_request *r)
{
    return r->host;
}

const char *http_request_id(struct http_request *r)
{
    return r->id;
}

void http_set_caller(struct http_request *r, const char *kind, int64_t id)
{
    r->caller_kind = kind;
    r->caller_id = id;
}

bool http_stopping(struct http_request *r)
{
    return atomic_load(&r->w->srv->stopping);
}

void http_add_header(struct http_request *r, const char *name, struct str value)
{
    h2o_req_t *req = r->req;
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, value.p,
                          value.len);
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

void http_respond(struct http_request *r, int status, const char *content_type, struct str body)
{
    h2o_req_t *req = r->req;
    if (!req || r->responded)
        return;
    r->responded = true;
    r->status = status;
    req->res.status = status;
    req->res.reason = reason(status);
    if (content_type)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                       strlen(content_type));
    if (atomic_load(&r->w->srv->stopping))
        req->http1_is_persistent = 0;
    bool head = str_eq_c(r->method, "HEAD");
    r->bytes = head ? 0 : body.len;
    /* h2o_send_inline copies the body into the request pool and handles HEAD; it leaves the
     * length unset, so say it (no chunked encoding for a body known in full). */
    req->res.content_length = body.len;
    if (status == 304)
        req->res.content_length = SIZE_MAX; /* RFC 9110 15.4.5: no body, and no length of one */
    h2o_send_inline(req, body.p ? body.p : "", body.len);
}

/* --- streamed answers --- */

struct stream {
    h2o_generator_t super; /* first */
    struct http_request *r;
    enum http_stream_state (*fill)(void *arg, struct buf *out);
    void (*finish)(void *arg);
    void *arg;
    struct arena *chunk; /* the piece being sent; reset once h2o asks for the next */
    bool finished;
};

static void stream_finish(struct stream *st)
{
    if (st->finished)
        return;
    st->finished = true;
    st->finish(st->arg);
    http_request_release(st->r);
}

static void stream_send(struct stream *st, h2o_req_t *req)
{
    arena_reset(st->chunk);
    struct buf out;
    buf_init(&out, st->chunk, 32768);
    enum http_stream_state state = st->fill(st->arg, &out);
    st->r->bytes += out.len;
    h2o_iovec_t v = h2o_iovec_init(out.p, out.len);
    if (state != HTTP_STREAM_MORE)
        stream_finish(st);
    if (state == HTTP_STREAM_FAILED)
        req->http1_is_persistent = 0;
    h2o_send(req, &v, 1,
             state == HTTP_STREAM_MORE   ? H2O_SEND_STATE_IN_PROGRESS
             : state == HTTP_STREAM_LAST ? H2O_SEND_STATE_FINAL
                                         : H2O_SEND_STATE_ERROR);
}

static void stream_proceed(h2o_generator_t *g, h2o_req_t *req)
{
    /* each later piece is a synchronous slice of its own (a pooled connection is leased) */
    struct stream *st = (struct stream *)g;
    const struct http_config *cfg = &st->r->w->srv->cfg;
    if (cfg->slice_enter)
        cfg->slice_enter(st->r->w->app);
    stream_send(st, req);
    if (cfg->slice_leave)
        cfg->slice_leave(st->r->w->app);
}

static void stream_stop(h2o_generator_t *g, h2o_req_t *req)
{
    (void)req;
    stream_finish((struct stream *)g); /* the client went away; finish() needs no database */
}

static void stream_dispose(void *p)
{
    struct stream *st = p;
    stream_finish(st);
    arena_free(st->chunk);
}

void http_stream(struct http_request *r, int status, const char *content_type,
                 enum http_stream_state (*fill)(void *arg, struct buf *out),
                 void (*finish)(void *arg), void *arg)
{
    h2o_req_t *req = r->req;
    if (!req || r->responded) {
        finish(arg);
        return;
    }
    r->responded = true;
    r->status = status;
    req->res.status = status;
    req->res.reason = reason(status);
    if (content_type)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                       strlen(content_type));
    if (atomic_load(&r->w->srv->stopping))
        req->http1_is_persistent = 0;
    struct stream *st = h2o_mem_alloc_shared(&req->pool, sizeof(*st), stream_dispose);
    memset(st, 0, sizeof(*st));
    st->super.proceed = stream_proceed;
    st->super.stop = stream_stop;
    st->r = r;
    st->fill = fill;
    st->finish = finish;
    st->arg = arg;
    st->chunk = arena_new(65536);
    r->refs++; /* the stream holds the request until finish() ran */
    h2o_start_response(req, &st->super);
    if (str_eq_c(r->method, "HEAD")) {
        stream_finish(st);
        h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
        return;
    }
    stream_send(st, req);
}
