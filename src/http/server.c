/* Server start-up and shutdown: h2o configuration, listeners, worker threads, TLS, signals, and
 * the filter that turns h2o's own plain-text errors into the application's JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/internal.h"

bool http_parse_listen(const char *listen, char *host, size_t hostlen, int *port)
{
    const char *colon;
    size_t hl;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':')
            return false;
        hl = (size_t)(close - listen - 1);
        if (hl == 0 || hl >= hostlen)
            return false;
        memcpy(host, listen + 1, hl);
        colon = close + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon || colon == listen)
            return false;
        hl = (size_t)(colon - listen);
        if (hl >= hostlen)
            return false;
        memcpy(host, listen, hl);
    }
    host[hl] = '\0';
    int64_t p;
    if (!str_to_i64(str_c(colon + 1), &p) || p < 1 || p > 65535)
        return false;
    *port = (int)p;
    return true;
}

static int open_listener(const char *host, int port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_PASSIVE};
    struct addrinfo *res = NULL;
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        hints.ai_flags = AI_PASSIVE;
        rc = getaddrinfo(host, portstr, &hints, &res);
    }
    if (rc != 0) {
        log_error("cannot resolve listen address \"%s\": %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        log_error("cannot listen on \"%s:%d\": %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* --- h2o's own errors (body too large, broken chunked encoding) rewritten as JSON --- */

struct json_error_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
};

static void json_error_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *inbufs,
                            size_t inbufcnt, h2o_send_state_t state)
{
    (void)inbufs;
    (void)inbufcnt;
    struct json_error_ostream *o = (void *)self;
    h2o_iovec_t out = o->body;
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        out.len = 0;
    o->body.len = 0; /* only once */
    h2o_ostream_send_next(self, req, &out, out.len ? 1 : 0, state);
}

struct json_error_filter {
    h2o_filter_t super;
    struct http_server *srv;
};

static void json_error_setup(h2o_filter_t *_self, h2o_req_t *req, h2o_ostream_t **slot)
{
    struct json_error_filter *self = (void *)_self;
    /* Only h2o's own errors carry this exact content type; ours are always JSON. */
    bool from_h2o = false;
    for (size_t i = 0; i < req->res.headers.size; i++)
        if (req->res.headers.entries[i].name == &H2O_TOKEN_CONTENT_TYPE->buf &&
            h2o_memis(req->res.headers.entries[i].value.base, req->res.headers.entries[i].value.len,
                      H2O_STRLIT("text/plain; charset=utf-8")))
            from_h2o = true;
    if (req->res.status < 400 || !from_h2o || !self->srv->cfg.render_transport_error) {
        h2o_setup_next_ostream(req, slot);
        return;
    }
    /* h2o's error: a text/plain body it already chose. Replace it by the application's. */
    struct arena *a = arena_new(1024);
    const char *detail = req->res.reason ? req->res.reason : "";
    struct str body = self->srv->cfg.render_transport_error(a, req->res.status, detail,
                                                            self->srv->cfg.max_body_bytes);
    char *copy = h2o_mem_alloc_pool(&req->pool, body.len);
    memcpy(copy, body.p, body.len);
    arena_free(a);
    memset(&req->res.headers, 0, sizeof(req->res.headers));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json; charset=utf-8"));
    req->res.content_length = body.len;
    struct json_error_ostream *o = (void *)h2o_add_ostream(req, sizeof(*o), slot);
    o->super.do_send = json_error_send;
    o->body = h2o_iovec_init(copy, body.len);
    h2o_setup_next_ostream(req, &o->super.next);
}

/* --- workers --- */

static void on_accept(h2o_socket_t *listener, const char *err)
{
    struct http_worker *w = listener->data;
    h2o_socket_t *sock;
    if (err != NULL || (sock = h2o_evloop_socket_accept(listener)) == NULL)
        return;
    h2o_accept(&w->accept_ctx, sock);
}

static void on_stop(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    struct http_worker *w = H2O_STRUCT_FROM_MEMBER(struct http_worker, stop_receiver, receiver);
    while (!h2o_linklist_is_empty(messages))
        h2o_linklist_unlink(messages->next);
    if (w->listener) {
        h2o_socket_read_stop(w->listener);
        h2o_socket_close(w->listener);
        w->listener = NULL;
    }
    w->stopping = true;
    w->last_activity_us = clock_mono_us();
}

static bool connections_open(struct http_worker *w)
{
    return !h2o_linklist_is_empty(&w->ctx.http1._conns) ||
           !h2o_linklist_is_empty(&w->ctx.http2._conns);
}

static void *worker_main(void *arg)
{
    struct http_worker *w = arg;
    struct http_server *srv = w->srv;
    char name[16];
    snprintf(name, sizeof(name), "sg-worker-%d", w->index);
    pthread_setname_np(pthread_self(), name);
    h2o_evloop_t *loop = h2o_evloop_create();
    h2o_context_init(&w->ctx, loop, &srv->globalconf);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = srv->globalconf.hosts;
    w->accept_ctx.ssl_ctx = srv->ssl_ctx;
    w->queue = h2o_multithread_create_queue(loop);
    h2o_multithread_register_receiver(w->queue, &w->done_receiver, http_on_jobs_done);
    h2o_multithread_register_receiver(w->queue, &w->stop_receiver, on_stop);
    w->listener = h2o_evloop_socket_create(loop, w->fd, H2O_SOCKET_FLAG_DONT_READ);
    w->listener->data = w;
    h2o_socket_read_start(w->listener, on_accept);

    /* Shutdown: the listener is closed at once; a request whose headers arrived but whose body
     * is still coming, or that is being handled, finishes (its answer says Connection: close).
     * The loop ends when nothing is in flight and either no connection is left or none has been
     * active for the drain window; shutdown_timeout bounds it all. */
    uint64_t deadline = 0, drain_us = 500000;
    bool closing = false;
    for (;;) {
        h2o_evloop_run(loop, w->stopping ? 50 : 1000);
        if (srv->cfg.turn_end)
            srv->cfg.turn_end(w->app);
        /* one write per turn of the loop, however many requests it finished */
        http_flush_access_log(w);
        if (!w->stopping)
            continue;
        uint64_t now = clock_mono_us();
        if (!deadline)
            deadline = now + (uint64_t)srv->cfg.shutdown_timeout * 1000000u;
        if (w->inflight == 0 && !connections_open(w))
            break;
        if (w->inflight == 0 && now - w->last_activity_us > drain_us) {
            if (closing)
                break;
            /* close idle keep-alive connections, then give them one turn of the loop */
            h2o_context_request_shutdown(&w->ctx);
            closing = true;
            continue;
        }
        if (now > deadline) {
            log_warn("shutdown: %zu requests on worker %d did not finish in time", w->inflight,
                     w->index);
            break;
        }
    }
    http_flush_access_log(w);
    /* The loop and the context stay: h2o 2.2 has no evloop destructor, and disposing a context
     * asserts while client connections are still open. The process exits next; the leak checker
     * is told so in tests/lsan.supp. */
    return NULL;
}

static void *app_init_main(void *arg)
{
    struct http_worker *w = arg;
    w->app = w->srv->cfg.worker_init ? w->srv->cfg.worker_init(w->index, w->srv->cfg.app) : w;
    return NULL;
}

static SSL_CTX *tls_setup(const struct http_config *cfg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
        log_error("cannot load TLS certificate \"%s\"", cfg->tls_cert);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        log_error("cannot load TLS key \"%s\" (or it does not match the certificate)",
                  cfg->tls_key);
        SSL_CTX_free(ctx);
        return NULL;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    return ctx;
}

int http_serve(const struct http_config *cfg, void (*ready)(void *app))
{
    static struct http_server srv; /* one server per process */
    char host[256], err[256];
    int port, rc = 1;
    memset(&srv, 0, sizeof(srv));
    srv.cfg = *cfg;
    if (!http_parse_listen(cfg->listen, host, sizeof(host), &port)) {
        log_error("listen address \"%s\" is not HOST:PORT", cfg->listen);
        return 1;
    }
    if (!http_proxies_parse(cfg->trusted_proxies ? cfg->trusted_proxies : "", &srv.proxies,
                            &srv.nproxies, err, sizeof(err))) {
        log_error("%s", err);
        return 1;
    }
    if (cfg->tls_cert && *cfg->tls_cert) {
        srv.ssl_ctx = tls_setup(cfg);
        if (!srv.ssl_ctx)
            return 1;
    }

    /* Signals: every thread blocks them; this thread waits for them with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&srv.globalconf);
    srv.globalconf.max_request_entity_size = cfg->max_body_bytes;
    srv.globalconf.server_name = h2o_iovec_init(H2O_STRLIT("storegate"));
    h2o_hostconf_t *hostconf =
        h2o_config_register_host(&srv.globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(hostconf, "/", 0);
    h2o_create_handler(path, sizeof(h2o_handler_t))->on_req = http_on_req;
    struct json_error_filter *f = (void *)h2o_create_filter(path, sizeof(*f));
    f->super.on_setup_ostream = json_error_setup;
    f->srv = &srv;
    f = (void *)h2o_create_filter(&hostconf->fallback_path, sizeof(*f));
    f->super.on_setup_ostream = json_error_setup;
    f->srv = &srv;

    srv.nworkers = cfg->threads;
    srv.workers = calloc((size_t)srv.nworkers, sizeof(*srv.workers));
    pthread_t *tids = calloc((size_t)srv.nworkers, sizeof(*tids));
    if (!srv.workers || !tids)
        goto out;
    for (int i = 0; i < srv.nworkers; i++) {
        srv.workers[i].index = i;
        srv.workers[i].srv = &srv;
        srv.workers[i].fd = -1;
    }
    for (int i = 0; i < srv.nworkers; i++)
        if ((srv.workers[i].fd = open_listener(host, port)) < 0)
            goto out;
    /* Application contexts (database connections) are made here, before any worker serves, so a
     * failure stops start-up cleanly; each is then used by its worker thread only. */
    for (int i = 0; i < srv.nworkers; i++) {
        app_init_main(&srv.workers[i]);
        if (!srv.workers[i].app) {
            log_error("worker %d failed to initialise", i);
            goto out;
        }
    }
    if (!http_pool_start(cfg->blocking_threads))
        goto out;
    for (int i = 0; i < srv.nworkers; i++)
        h2o_multithread_create_thread(&tids[i], NULL, worker_main, &srv.workers[i]);
    if (ready)
        ready(cfg->app);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("shutdown: %s received, finishing in-flight requests",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    atomic_store(&srv.stopping, true);
    for (int i = 0; i < srv.nworkers; i++)
        h2o_multithread_send_message(&srv.workers[i].stop_receiver, &srv.workers[i].stop_msg);
    for (int i = 0; i < srv.nworkers; i++)
        pthread_join(tids[i], NULL);
    http_pool_stop();
    h2o_config_dispose(&srv.globalconf);
    rc = 0;
    log_info("shutdown: complete");
out:
    for (int i = 0; srv.workers && i < srv.nworkers; i++) {
        if (srv.workers[i].app && cfg->worker_fini)
            cfg->worker_fini(srv.workers[i].app);
        if (rc != 0 && srv.workers[i].fd >= 0)
            close(srv.workers[i].fd);
        for (int k = 0; k < srv.workers[i].narenas; k++)
            arena_free(srv.workers[i].arena_cache[k]);
    }
    free(tids);
    free(srv.workers);
    free(srv.proxies);
    if (srv.ssl_ctx)
        SSL_CTX_free(srv.ssl_ctx);
    return rc;
}
