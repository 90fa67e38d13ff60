/* The HTTP layer: libh2o-evloop glue. N worker threads, each with its own event loop, its own
 * SO_REUSEPORT listener and its own application context (database connection, caches); a small
 * pool of threads for blocking work whose results come back to the request's loop thread; TLS;
 * trusted proxies; request caps; one access-log line per request; graceful shutdown.
 *
 * This module knows nothing of the Web API: it hands each request to one handler function and
 * gives it a small request API. Everything a request allocates comes from its arena, which lives
 * until the response has been sent (or the client went away). */
#ifndef SG_HTTP_HTTP_H
#define SG_HTTP_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"

struct http_request;

struct http_config {
    const char *listen; /* HOST:PORT, [v6]:PORT */
    int threads, blocking_threads;
    const char *tls_cert, *tls_key; /* both or neither */
    const char *trusted_proxies;    /* comma-separated addresses or CIDRs */
    size_t max_body_bytes, max_header_bytes, max_url_bytes;
    int shutdown_timeout; /* seconds */
    FILE *access_log;     /* NULL: no access log */
    /* Runs on each worker thread before it serves; returns the worker's application context
     * (NULL: the server fails to start). */
    void *(*worker_init)(int index, void *app);
    void (*worker_fini)(void *worker_ctx);
    /* Handles one request. It must eventually call http_respond() exactly once, either before
     * returning or later from a blocking-work completion (http_defer). */
    void (*handler)(struct http_request *r);
    /* Optional: called on the worker thread right before and right after each synchronous slice
     * of application code (the handler; a deferred job's or a resumed request's done callback),
     * so the application can lease per-slice resources such as a pooled database connection. */
    void (*slice_enter)(void *worker_ctx);
    void (*slice_leave)(void *worker_ctx);
    /* Optional: runs on each worker thread after every turn of its event loop (the ready events
     * handled), before it waits again, outside any slice; finishes work that the turn's requests
     * batched up (a group commit). May answer suspended requests with http_resume_now(). */
    void (*turn_end)(void *worker_ctx);
    /* Rewrites an error answer that h2o itself produced (413 body too large, 400 malformed) into
     * the application's format; writes the body and content type. */
    struct str (*render_transport_error)(struct arena *a, int status, const char *detail,
                                         size_t max_body_bytes);
    void *app;
};

/* Parses HOST:PORT; false if malformed. host gets at most hostlen-1 bytes. */
bool http_parse_listen(const char *listen, char *host, size_t hostlen, int *port);
/* Checks a trusted-proxies list; writes the problem into err. */
bool http_proxies_valid(const char *list, char *err, size_t errlen);
/* Binds, starts the workers, prints nothing; calls ready(app) once every listener is bound and
 * blocks until SIGTERM or SIGINT, then finishes in-flight requests and returns 0 (1 on a start-up
 * failure, with the reason logged). */
int http_serve(const struct http_config *cfg, void (*ready)(void *app));

/* --- the request API (loop thread only) --- */
struct arena *http_arena(struct http_request *r);
void *http_worker_ctx(struct http_request *r);
struct str http_method(struct http_request *r);
/* The request target's path (before '?'), undecoded; and the query (after '?', may be empty). */
struct str http_path(struct http_request *r);
struct str http_query(struct http_request *r);
/* The raw request target as sent (path and query). */
struct str http_target(struct http_request *r);
/* A request header by lower-case name; STR_NULL (p == NULL) when absent. */
struct str http_header(struct http_request *r, const char *lc_name);
struct str http_body(struct http_request *r);
bool http_has_body(struct http_request *r);
/* Effective scheme and host: from X-Forwarded-Proto / X-Forwarded-Host only when the peer is a
 * trusted proxy, else from the connection (TLS or not) and the Host header. */
bool http_is_https(struct http_request *r);
struct str http_host(struct http_request *r);
/* Total bytes of the request headers (names, values and separators). */
size_t http_header_bytes(struct http_request *r);
const char *http_request_id(struct http_request *r);
/* Who the caller is, for the access log: kind ("guest", "admin", ...) and id. */
void http_set_caller(struct http_request *r, const char *kind, int64_t id);
void http_add_header(struct http_request *r, const char *name, struct str value);
/* Sends the response; body must stay valid until the request ends (arena memory is). With
 * HEAD the body is not sent. */
void http_respond(struct http_request *r, int status, const char *content_type, struct str body);
/* Streams an answer whose length is not known in advance (chunked on HTTP/1.1), so a large
 * answer is never held whole: fill(arg, out) appends the next piece to out and returns
 * HTTP_STREAM_MORE, HTTP_STREAM_LAST when that piece is the last, or HTTP_STREAM_FAILED when the
 * answer cannot be completed (the piece is sent, then the connection is closed without the final
 * chunk, so the client sees an incomplete answer, never a complete-looking truncated one); it is
 * called again only once the previous piece has been handed to the socket, and out's memory is
 * reused between calls. finish(arg) runs exactly once, on the loop thread, after the last piece
 * or when the client went away; the request (and its arena) stays valid until then. */
enum http_stream_state { HTTP_STREAM_MORE, HTTP_STREAM_LAST, HTTP_STREAM_FAILED };
void http_stream(struct http_request *r, int status, const char *content_type,
                 enum http_stream_state (*fill)(void *arg, struct buf *out),
                 void (*finish)(void *arg), void *arg);
/* Runs work(arg) on the blocking pool, then done(r, arg) back on this request's loop thread. If
 * the client disconnected meanwhile, done is not called (the arena is freed after work ends). */
void http_defer(struct http_request *r, void (*work)(void *arg),
                void (*done)(struct http_request *r, void *arg), void *arg);
/* Suspends the request while another thread works for it (a group commit, say): any thread may
 * later call http_resume() exactly once, and done(r, arg) then runs on the request's loop thread
 * (not at all if the client went away; the request is released either way). */
struct http_ticket;
struct http_ticket *http_suspend(struct http_request *r);
void http_resume(struct http_ticket *t, void (*done)(struct http_request *r, void *arg), void *arg);
/* The same, from the request's own loop thread: done(r, arg) runs before this returns (not at all
 * if the client went away), then the ticket is spent. No message, no extra turn of the loop. */
void http_resume_now(struct http_ticket *t, void (*done)(struct http_request *r, void *arg),
                     void *arg);
/* True once shutdown began (handlers may answer 503 to long work). */
bool http_stopping(struct http_request *r);

#endif
