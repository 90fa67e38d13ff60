/* Private to the http module: the worker and request structures shared by its files. */
#ifndef SG_HTTP_INTERNAL_H
#define SG_HTTP_INTERNAL_H

#include <h2o.h>
#include <h2o/multithread.h>
#include <netinet/in.h>
#include <stdatomic.h>

#include "http/http.h"

struct proxy_net {
    int family;
    unsigned char addr[16];
    int prefix;
};

struct http_server {
    struct http_config cfg;
    h2o_globalconf_t globalconf;
    SSL_CTX *ssl_ctx;
    struct proxy_net *proxies;
    size_t nproxies;
    struct http_worker *workers;
    int nworkers;
    atomic_bool stopping;
};

#define ARENA_CACHE 16

struct http_worker {
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener;
    int fd, index;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t done_receiver, stop_receiver;
    h2o_multithread_message_t stop_msg;
    size_t inflight;
    bool stopping;
    uint64_t seq, last_activity_us;
    void *app;
    struct http_server *srv;
    struct arena *arena_cache[ARENA_CACHE];
    int narenas;
    /* access-log lines, written with one write() per turn of the loop */
    char logbuf[32768];
    time_t log_sec;  /* the second log_ts shows (0: none yet) */
    char log_ts[32]; /* "YYYY-MM-DDTHH:MM:SS" */
    size_t loglen;
};

/* request.c: writes the worker's buffered access-log lines. */
void http_flush_access_log(struct http_worker *w);

struct http_request {
    h2o_req_t *req; /* NULL once h2o disposed of the request (client gone or response done) */
    struct http_worker *w;
    struct arena *arena;
    uint64_t start_us;
    int refs;
    bool responded, https;
    int status;
    size_t bytes;
    const char *caller_kind;
    int64_t caller_id;
    struct str method, path, query, target, host;
    char id[32];
};

/* request.c */
int http_on_req(h2o_handler_t *self, h2o_req_t *req);
void http_request_release(struct http_request *r);
/* pool.c */
bool http_pool_start(int threads);
void http_pool_stop(void);
void http_on_jobs_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);
/* proxy.c */
bool http_proxies_parse(const char *list, struct proxy_net **out, size_t *n, char *err,
                        size_t errlen);
bool http_proxy_trusted(const struct http_server *srv, const struct sockaddr *sa);

#endif
