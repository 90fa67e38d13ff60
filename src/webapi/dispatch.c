/* The dispatcher: every REST request goes through the same phases, in order,
 *   caps -> store code -> route -> Accept -> authorize -> input -> handler -> answer,
 * and every failure leaves through api_render_error(). Also the server's wiring: per-worker
 * contexts (database connection, caches) and /health. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/writer.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/migrate.h"
#include "catalog/cache.h"
#include "db/pool.h"
#include "oauth/nonce.h"
#include "webapi/cleanup.h"
#include "webapi/api.h"
#include "webapi/schema.h"
#include "webapi/webapi.h"

static const char json_ctype[] = "application/json; charset=utf-8";

static void respond(struct api_req *q, enum err e)
{
    int status = 200;
    struct buf *out = &q->out;
    if (e != ERR_OK) {
        if (!q->err.code)
            q->err.code = e;
        buf_init(out, q->a, 256);
        api_render_error(q, out, &status);
    } else {
        api_apply_fields(q);
    }
    if (q->verb == VERB_OTHER && str_eq_c(http_method(q->http), "HEAD"))
        out->len = 0; /* HEAD: status and headers only */
    if (str_starts(http_path(q->http), STR_LIT("/admin/")))
        panel_security_headers(q->http, false);
    else if (str_eq_c(http_path(q->http), "/swagger") ||
             str_starts(http_path(q->http), STR_LIT("/swagger/")))
        swagger_page_headers(q->http);
    http_respond(q->http, status, json_ctype, buf_str(out));
}

static void health(struct api_req *q)
{
    enum err e = db_ping(q->w->db);
    buf_init(&q->out, q->a, 128);
    if (e == ERR_OK) {
        buf_add_c(&q->out, "{\"status\":\"ok\",\"database\":\"ok\"}");
        http_respond(q->http, 200, json_ctype, buf_str(&q->out));
    } else {
        buf_add_c(&q->out, "{\"status\":\"unavailable\",\"database\":");
        buf_json_str(&q->out, str_c(err_message(e)));
        buf_add_ch(&q->out, '}');
        http_respond(q->http, 503, json_ctype, buf_str(&q->out));
    }
}

/* /rest[/<store>]/V1/... -> the store view and the route path (reference 5.1 and the observed
 * table: an unknown code, or "v1" in lower case, is 400 "Specified request cannot be
 * processed."). */
/* Magento routes any /V<digits>/ path (SynchronousRequestMatcher ^/V\d+); only V1 exists. */
static bool api_version(struct str seg)
{
    bool ok = seg.len >= 2 && seg.p[0] == 'V';
    for (size_t i = 1; ok && i < seg.len; i++)
        ok = seg.p[i] >= '0' && seg.p[i] <= '9';
    return ok;
}

static enum err resolve_store(struct api_req *q, struct str after_rest, struct str *route_path)
{
    struct str rest;
    struct str first = str_cut(after_rest, '/', &rest);
    if (api_version(first)) {
        q->store = store_default_view(q->w->stores);
        *route_path = (struct str){first.p - 1, after_rest.len + 1};
        return q->store ? ERR_OK : api_fail(q, ERR_BAD_REQUEST_PATH);
    }
    if (!rest.p)
        return api_fail(q, ERR_BAD_REQUEST_PATH);
    if (str_eq_c(first, "all"))
        q->store = store_find_id(q->w->stores, 0);
    else
        q->store = store_find_code(q->w->stores, first);
    if (!q->store || !api_version(str_cut(rest, '/', NULL)))
        return api_fail(q, ERR_BAD_REQUEST_PATH);
    q->store_explicit = true;
    *route_path = (struct str){rest.p - 1, rest.len + 1};
    return ERR_OK;
}

/* /rest/schema, /rest/<store>/schema, /rest/all/schema: the API description (schema.c). Its
 * caller is identified as for any route (a Bearer token or a signed request shows more) but
 * needs no resource: the document lists only what the caller may use. */
static const struct route schema_route = {
    .verb = VERB_GET,
    .template_ = "/schema",
    .handler_name = "schema",
    .resources_text = "",
    .handler = api_schema,
};

static bool schema_path(struct api_req *q, struct str after_rest)
{
    if (str_eq_c(after_rest, "schema")) {
        q->store = store_default_view(q->w->stores);
        return true;
    }
    struct str rest;
    struct str code = str_cut(after_rest, '/', &rest);
    if (!rest.p || !str_eq_c(rest, "schema") || api_version(code))
        return false;
    q->store = str_eq_c(code, "all") ? store_find_id(q->w->stores, 0)
                                     : store_find_code(q->w->stores, code);
    return true;
}

static enum err schema_phases(struct api_req *q)
{
    if (!q->store)
        return api_fail(q, ERR_BAD_REQUEST_PATH);
    if (q->verb != VERB_GET)
        return api_fail(q, ERR_NO_ROUTE);
    q->route = &schema_route;
    enum err e = api_check_accept(q);
    return e ? e : api_authorize(q);
}

static enum err run_phases(struct api_req *q)
{
    const struct webapi_app *app = q->w->app;
    struct str target = http_target(q->http);
    if (target.len > (size_t)app->settings.max_url_bytes)
        return api_fail_list(q, ERR_URI_TOO_LONG,
                             json_pack("[I]", (json_int_t)app->settings.max_url_bytes));
    if (http_header_bytes(q->http) > (size_t)app->settings.max_header_bytes)
        return api_fail_list(q, ERR_HEADERS_TOO_LARGE,
                             json_pack("[I]", (json_int_t)app->settings.max_header_bytes));
    struct str path = http_path(q->http);
    bool admin = str_starts(path, STR_LIT("/admin/api/"));
    if (!str_starts(path, STR_LIT("/rest/")) && !admin)
        return api_fail(q, ERR_NO_ROUTE);
    if (q->verb == VERB_OTHER) {
        struct str m = http_method(q->http);
        return api_fail_list(q, ERR_METHOD_NOT_ALLOWED, json_pack("[s#]", m.p, m.len));
    }
    /* Both caches' versions in one query when the database may have changed (always on
     * PostgreSQL: one round trip); else only a cache marked stale reads its own. */
    enum err e, e2;
    bool changed = api_db_changed(q->w);
    int64_t catalog_v = -1;
    if (changed) {
        int64_t config_v, store_v;
        e = cache_versions_read(q->w->db, &config_v, &store_v, &catalog_v);
        if (!e)
            e = store_config_sync_version(q->w->config, q->w->db, config_v);
        e2 = e ? ERR_OK : store_cache_sync_version(q->w->stores, q->w->db, store_v);
    } else {
        e = store_config_sync(q->w->config, q->w->db, false);
        e2 = store_cache_sync(q->w->stores, q->w->db, false);
    }
    if (q->w->products && !e && !e2) {
        /* the product cache: the catalog version is read again after any commit by another
         * connection and after any write of this worker's own connection */
        int64_t writes = db_writes(q->w->db);
        if (!changed && writes != product_cache_writes(q->w->products))
            e2 = cache_version_read(q->w->db, "catalog", &catalog_v);
        if (changed || writes != product_cache_writes(q->w->products))
            product_cache_sync(q->w->products, e2 ? -1 : catalog_v, writes);
    }
    oauth_cache_sync(q->w->oauth, q->w->db, changed);
    if (!e)
        e = e2;
    if (e)
        return api_fail(q, e == ERR_DB_BUSY ? ERR_DB_BUSY : ERR_UNAVAILABLE);
    struct str route_path = path;
    if (admin)
        q->store = store_find_id(q->w->stores, 0);
    else if (schema_path(q, (struct str){path.p + 6, path.len - 6}))
        return schema_phases(q);
    else if ((e = resolve_store(q, (struct str){path.p + 6, path.len - 6}, &route_path)))
        return e;
    bool known = false;
    q->route = route_match(q->verb, route_path, q->a, q->vars, &known);
    if (!q->route || ((q->route->flags & R_ADMIN) != 0) != admin)
        return api_fail(q, ERR_NO_ROUTE);
    if ((e = api_check_accept(q)))
        return e;
    return api_authorize(q);
}

/* After authorization (at once, or once a signed request's nonce is committed). */
void api_continue(struct api_req *q, enum err e)
{
    if (!e && (q->route->flags & R_BODY) && (q->verb == VERB_POST || q->verb == VERB_PUT))
        e = api_read_body(q);
    if (!e) {
        buf_init(&q->out, q->a, 1024);
        e = q->route->handler(q);
    }
    if (!q->deferred && !q->streamed)
        respond(q, e);
}

static void handle(struct http_request *r)
{
    struct arena *a = http_arena(r);
    struct api_req *q = arena_calloc(a, 1, sizeof(*q));
    q->http = r;
    q->a = a;
    q->w = http_worker_ctx(r);
    q->verb = route_verb(http_method(r));
    struct str path = http_path(r);
    if (str_eq_c(path, "/health") && q->verb == VERB_GET) {
        health(q);
        return;
    }
    if (str_eq_c(path, "/admin/integrations/success") && q->verb == VERB_GET) {
        /* Where the identity-link popup returns (Magento's loginSuccessCallback): the admin
         * panel watches for this address; a person sees that they may close the window. */
        static const char page[] =
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Integration linked</title><script type=\"module\" "
            "src=\"/admin/js/popup-close.js\"></script></head><body><p>The third-party account "
            "is linked. You can close this window.</p></body></html>";
        panel_security_headers(r, true);
        http_respond(r, 200, "text/html; charset=utf-8", STR_LIT(page));
        return;
    }
    if (str_eq_c(path, "/admin") && (q->verb == VERB_GET || str_eq_c(http_method(r), "HEAD"))) {
        panel_security_headers(r, true);
        http_add_header(r, "location", STR_LIT("/admin/"));
        http_respond(r, 302, "text/plain; charset=utf-8", STR_LIT("/admin/\n"));
        return;
    }
    bool panel_api = str_starts(path, STR_LIT("/admin/api/"));
    if (!panel_api && str_starts(path, STR_LIT("/admin/")) &&
        (q->verb == VERB_GET || str_eq_c(http_method(r), "HEAD")) && panel_serve_static(q))
        return;
    if ((str_eq_c(path, "/swagger") || str_starts(path, STR_LIT("/swagger/"))) &&
        (q->verb == VERB_GET || str_eq_c(http_method(r), "HEAD")) && swagger_page_serve(q))
        return;
    /* product images, public as Magento's pub/media */
    if (str_starts(path, STR_LIT("/media/catalog/product/")) &&
        (q->verb == VERB_GET || str_eq_c(http_method(r), "HEAD"))) {
        enum err fe = api_media_file(q);
        if (fe)
            respond(q, fe);
        return;
    }
    if (str_eq_c(path, "/oauth/token/request") || str_eq_c(path, "/oauth/token/access")) {
        api_oauth_token_endpoint(q, str_eq_c(path, "/oauth/token/access"));
        return;
    }
    /* A GET reads only: its reads share one snapshot (one lock round trip, not one per
     * statement), ended before the loop moves on. Not the admin API's: a panel session's idle
     * clock is written on reads too. */
    bool snapshot = q->verb == VERB_GET && !panel_api && db_read_begin(q->w->db) == ERR_OK;
    enum err e = run_phases(q);
    if (e || !q->deferred)
        api_continue(q, e);
    if (snapshot)
        db_read_end(q->w->db);
}

void api_nonce_wait(struct api_req *q, struct nonce_wait *nw)
{
    struct webapi_worker *w = q->w;
    nw->ticket = http_suspend(q->http);
    nw->next = NULL;
    if (w->nonces_tail)
        w->nonces_tail->next = nw;
    else
        w->nonces_head = nw;
    w->nonces_tail = nw;
}

/* A turn's nonces on their way to the disk. */
struct turn_batch {
    struct nonce_batch b;
    struct nonce_wait *list;
};

/* The nonce store's sync thread: the batch is durable; each request carries on on its loop. */
static void turn_batch_synced(struct nonce_batch *b)
{
    struct turn_batch *t = (struct turn_batch *)b;
    for (struct nonce_wait *nw = t->list; nw;) {
        struct nonce_wait *next = nw->next; /* nw lives in the arena its loop may free now */
        http_resume(nw->ticket, nw->done, nw->arg);
        nw = next;
    }
    free(t);
}

static void slice_enter(void *p);
static void slice_leave(void *p);

/* End of a turn of the loop: the turn's signed requests submit their nonces together. Answering
 * at once (a replay, or a database server) can start a pipelined request that queues a nonce
 * again: repeat. */
bool api_db_changed(struct webapi_worker *w)
{
    if (w->turn_checked)
        return false;
    w->turn_checked = true;
    return db_changed(w->db);
}

static void worker_turn_end(void *ctx)
{
    struct webapi_worker *w = ctx;
    w->turn_checked = false;
    while (w->nonces_head) {
        struct nonce_wait *list = w->nonces_head;
        w->nonces_head = w->nonces_tail = NULL;
        struct turn_batch *t = calloc(1, sizeof(*t));
        if (!t) {
            log_error("out of memory submitting nonces");
            abort();
        }
        t->list = list;
        t->b.reqs = &list->nonce;
        t->b.done = turn_batch_synced;
        for (struct nonce_wait *nw = list; nw; nw = nw->next)
            nw->nonce.next = nw->next ? &nw->next->nonce : NULL;
        /* a slice of its own: with a connection pool, the commit (database server) leases one */
        slice_enter(w);
        bool now =
            nonce_store_submit(w->app->nonces, w->db, &t->b, clock_now(),
                               store_config_get_int(w->config, "oauth/timestamp_window", -1));
        slice_leave(w);
        if (!now)
            continue; /* turn_batch_synced() takes over */
        for (struct nonce_wait *nw = list; nw;) {
            struct nonce_wait *next = nw->next; /* nw lives in the arena done may free */
            http_resume_now(nw->ticket, nw->done, nw->arg);
            nw = next;
        }
        free(t);
    }
}

struct deferred {
    struct api_req *q;
    void (*work)(void *);
    void *arg;
};

static void deferred_work(void *p)
{
    struct deferred *d = p;
    d->work(d->arg);
}

void api_finish(struct api_req *q, enum err e)
{
    q->deferred = false;
    if (!q->streamed)
        respond(q, e);
}

static void deferred_done(struct http_request *r, void *p)
{
    (void)r;
    struct deferred *d = p;
    struct api_req *q = d->q;
    q->deferred = false;
    enum err e = q->deferred_done(q);
    if (!q->deferred && !q->streamed)
        respond(q, e);
}

void api_defer(struct api_req *q, void (*work)(void *arg), api_handler done, void *arg)
{
    struct deferred *d = arena_alloc(q->a, sizeof(*d));
    d->q = q;
    d->work = work;
    d->arg = arg;
    q->deferred = true;
    q->deferred_done = done;
    http_defer(q->http, deferred_work, deferred_done, d);
}

/* --- server wiring --- */

static void worker_fini(void *p)
{
    struct webapi_worker *w = p;
    store_config_free(w->config);
    store_cache_free(w->stores);
    oauth_cache_free(w->oauth);
    product_cache_free(w->products);
    if (w->app->pool && w->db)
        db_pool_put(w->app->pool, w->db);
    else if (!w->app->pool)
        db_close(w->db);
    free(w);
}

static void *worker_init(int index, void *appp)
{
    const struct webapi_app *app = appp;
    struct webapi_worker *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->app = app;
    enum err e = ERR_OK;
    if (app->pool)
        w->db = db_pool_get(app->pool);
    else
        e = db_open(app->settings.db_url, false, &w->db);
    if (e) {
        log_error("worker %d cannot open the database: %s", index, err_message(e));
        free(w);
        return NULL;
    }
    w->config = store_config_new();
    w->stores = store_cache_new();
    /* The row cache tells changes apart by its connection's data_version and write count: only
     * with a connection of its own (a pooled one serves several workers). */
    w->oauth = app->pool ? NULL : oauth_cache_new();
    w->products = app->pool ? NULL : product_cache_new();
    if (!w->config || !w->stores || (!app->pool && (!w->oauth || !w->products)) ||
        store_config_sync(w->config, w->db, true) || store_cache_sync(w->stores, w->db, true)) {
        log_error("worker %d cannot read the store configuration", index);
        worker_fini(w);
        return NULL;
    }
    if (app->pool) {
        db_pool_put(app->pool, w->db);
        w->db = NULL;
    }
    return w;
}

static void slice_enter(void *p)
{
    struct webapi_worker *w = p;
    if (w->app->pool)
        w->db = db_pool_get(w->app->pool);
}

static void slice_leave(void *p)
{
    struct webapi_worker *w = p;
    if (w->app->pool) {
        db_pool_put(w->app->pool, w->db);
        w->db = NULL;
    }
}

static void on_ready(void *appp)
{
    const struct webapi_app *app = appp;
    printf("storegate: listening on %s://%s/\n", app->settings.tls_cert[0] ? "https" : "http",
           app->settings.listen);
    fflush(stdout);
}

bool webapi_routes_valid(char *err, size_t errlen)
{
    return route_table_init(err, errlen) && schema_init(err, errlen);
}

int webapi_serve(const struct settings *s)
{
    char err[256];
    static struct webapi_app app;
    memset(&app, 0, sizeof(app));
    app.settings = *s;
    if (!route_table_init(err, sizeof(err)) || !schema_init(err, sizeof(err))) {
        log_error("route table: %s", err);
        return 1;
    }
    enum err e = crypto_key_load(s->key_file, &app.key);
    if (e) {
        log_error("cannot read the install key \"%s\": run setup:install first", s->key_file);
        return 1;
    }
    /* The schema must be current before serving: refuse to run old code on a new schema or
     * the other way round. */
    struct db *db;
    e = db_open(s->db_url, false, &db);
    if (e) {
        log_error("cannot open the database \"%s\": %s", s->db_url,
                  e == ERR_NOT_FOUND ? "it does not exist (run setup:install)" : err_message(e));
        return 1;
    }
    int pending = 0;
    e = db_migrations_pending(db, &pending);
    db_close(db);
    if (e || pending) {
        log_error("the database schema is not current (%d migrations pending): run setup:upgrade",
                  pending);
        return 1;
    }
    /* A second process on the same SQLite store waits for the first to finish its shutdown. */
    e = nonce_store_new(s->db_url, (int)s->shutdown_timeout + 5, s->nonce_sync != 0,
                        (int)s->nonce_writers, (int)s->nonce_lease, &app.nonces);
    if (e) {
        log_error("cannot set up the nonce store: %s", err_message(e));
        return 1;
    }
    e = catalog_writer_start(s->db_url, &app.catalog);
    if (e) {
        log_error("cannot start the catalog writer: %s", err_message(e));
        nonce_store_free(app.nonces);
        return 1;
    }
    FILE *access = NULL;
    if (strcmp(s->access_log, "stderr") == 0) {
        access = stderr;
    } else if (strcmp(s->access_log, "off") != 0) {
        access = fopen(s->access_log, "ae");
        if (!access) {
            log_error("cannot open the access log \"%s\"", s->access_log);
            return 1;
        }
    }
    int threads = (int)s->threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    /* A shared pool only when it is smaller than the worker count; else one connection each. */
    if (s->db_pool_size > 0 && s->db_pool_size < threads) {
        e = db_pool_open(s->db_url, (int)s->db_pool_size, &app.pool);
        if (e) {
            log_error("cannot open %d database connections: %s", (int)s->db_pool_size,
                      err_message(e));
            catalog_writer_stop(app.catalog);
            nonce_store_free(app.nonces);
            if (access && access != stderr)
                fclose(access);
            return 1;
        }
        log_info("database connections: %d, shared by %d worker threads", (int)s->db_pool_size,
                 threads);
    }
    struct http_config cfg = {
        .listen = s->listen,
        .threads = threads,
        .blocking_threads = (int)s->blocking_threads,
        .tls_cert = s->tls_cert,
        .tls_key = s->tls_key,
        .trusted_proxies = s->trusted_proxies,
        .max_body_bytes = (size_t)s->max_body_bytes,
        .max_header_bytes = (size_t)s->max_header_bytes,
        .max_url_bytes = (size_t)s->max_url_bytes,
        .shutdown_timeout = (int)s->shutdown_timeout,
        .access_log = access,
        .worker_init = worker_init,
        .worker_fini = worker_fini,
        .handler = handle,
        .slice_enter = slice_enter,
        .slice_leave = slice_leave,
        .turn_end = worker_turn_end,
        .render_transport_error = api_transport_error,
        .app = &app,
    };
    struct cleanup *cleaner = cleanup_start(s->db_url, (int)s->cleanup_interval);
    if (!cleaner)
        log_warn("background cleanup did not start; expired tokens stay until the next start");
    int rc = http_serve(&cfg, on_ready);
    cleanup_stop(cleaner);
    catalog_writer_stop(app.catalog);
    nonce_store_free(app.nonces);
    db_pool_close(app.pool);
    if (access && access != stderr)
        fclose(access);
    crypto_wipe(&app.key, sizeof(app.key));
    return rc;
}
