/* Private to the webapi module: the request context every phase and handler works on, the route
 * type, and the helpers handlers use to read input and write output. */
#ifndef SG_WEBAPI_API_H
#define SG_WEBAPI_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/settings.h"
#include "config/store_config.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "db/db.h"
#include "http/http.h"
#include "oauth/cache.h"
#include "oauth/nonce.h"
#include "store/store.h"

enum http_verb { VERB_GET, VERB_POST, VERB_PUT, VERB_DELETE, VERB_OTHER };

enum route_flag {
    R_GUEST = 1 << 0,
    R_BODY = 1 << 1,
    R_ADMIN = 1 << 2, /* the admin JSON API: admin callers only, not part of the REST description */
};

struct api_req;
typedef enum err (*api_handler)(struct api_req *q);

#define ROUTE_MAX_SEGMENTS 12
#define ROUTE_MAX_VARS 6
#define ROUTE_MAX_RESOURCES 4

struct route {
    enum http_verb verb;
    const char *template_, *handler_name, *resources_text;
    api_handler handler;
    int flags;
    /* compiled */
    int nsegs;
    struct str segs[ROUTE_MAX_SEGMENTS]; /* a variable segment keeps its ":" */
    int nresources;
    struct str resources[ROUTE_MAX_RESOURCES];
    bool anonymous;
};

/* Everything shared by every worker (read-only after start). */
struct nonce_store;

struct catalog_writer;
struct webapi_app {
    struct settings settings;
    struct crypto_key key;
    struct nonce_store *nonces;
    struct catalog_writer *catalog; /* product and stock saves, group-committed */
    /* NULL: each worker owns a connection; else workers lease one per slice (db_pool_size). */
    struct db_pool *pool;
};

/* A request waiting for its nonce to be recorded: queued during a turn of the worker's loop,
 * committed with the turn's other nonces at its end (api_nonce_flush), then done(r, arg) runs on
 * the loop with nonce.result set. */
struct nonce_wait {
    struct nonce_req nonce;
    struct http_ticket *ticket;
    void (*done)(struct http_request *r, void *arg);
    void *arg;
    struct nonce_wait *next;
};

/* One per worker thread. */
struct webapi_worker {
    const struct webapi_app *app;
    struct db *db; /* with a shared pool: leased for the current slice only */
    struct store_config *config;
    struct store_cache *stores;
    struct oauth_cache *oauth;      /* rows that authenticate requests (oauth/cache.h) */
    struct product_cache *products; /* product answers (catalog/cache.h); NULL with a pool */
    struct nonce_wait *nonces_head, *nonces_tail; /* this turn's signed requests */
    bool turn_checked; /* the database was asked for other connections' commits this turn */
};

enum caller_kind { CALLER_GUEST, CALLER_ADMIN, CALLER_CUSTOMER, CALLER_INTEGRATION };

struct caller {
    enum caller_kind kind;
    int64_t id;
    bool all_resources; /* integration with Resource Access = All, or an admin whose role has All */
    int64_t role_id;    /* an admin's role (0: none, so only Magento_Backend::admin) */
    bool session;       /* an admin signed in to the panel (cookie), not a bearer token */
};

struct api_error {
    enum err code;
    json_t *params;      /* object or array, or NULL */
    json_t *errors;      /* array of {message, parameters} for aggregates, or NULL */
    const char *message; /* overrides the table's phrase (already substituted), or NULL */
};

struct api_req {
    struct http_request *http;
    struct arena *a;
    struct webapi_worker *w;
    enum http_verb verb;
    const struct route *route;
    struct str vars[ROUTE_MAX_VARS]; /* decoded path variables, in template order */
    const struct store_view *store;  /* store view of the URL; admin (0) for /rest/all */
    bool store_explicit;             /* the URL named the store (/rest/<code>/V1, /rest/all/V1) */
    struct caller caller;
    bool caller_resolved;
    json_t *body; /* parsed JSON body (R_BODY routes), owned by the arena */
    struct api_error err;
    struct buf out; /* the JSON answer */
    bool deferred;
    bool streamed; /* the answer went out through http_stream(); nothing left to send */
    api_handler deferred_done;
    void *ctx;                /* a handler's own state across a deferred step */
    struct str session_token; /* the panel session cookie's value, when it identified the caller */
    void *confirm;            /* panel.c: the password confirmation in flight */
};

/* route.c */
bool route_table_init(char *err, size_t errlen);
/* Finds the route for verb and path (segments after /rest[/store]); *path_known is set when some
 * route has this path under another verb. */
const struct route *route_match(enum http_verb verb, struct str path, struct arena *a,
                                struct str *vars, bool *path_known);
const struct route *route_table(size_t *n);
enum http_verb route_verb(struct str method);

/* error.c: record an error with parameters; returns the code so handlers can `return` it. */
enum err api_fail(struct api_req *q, enum err code);
enum err api_fail_param(struct api_req *q, enum err code, const char *name, json_t *value);
enum err api_fail_list(struct api_req *q, enum err code, json_t *positional);
/* 400 "%fieldName" is not supported... with the key in Magento's CamelCase. */
enum err api_fail_unknown_field(struct api_req *q, const char *key);
/* An error whose phrase is not the table's (message is a raw phrase; params may be NULL). */
enum err api_fail_msg(struct api_req *q, enum err code, const char *message, json_t *params);
/* Adds one error to an aggregate (INPUT_ERRORS with several entries, promoted to a single
 * top-level error when only one). */
void api_add_error(struct api_req *q, enum err code, const char *name, json_t *value);
enum err api_finish_errors(struct api_req *q);
void api_render_error(struct api_req *q, struct buf *out, int *status);
struct str api_transport_error(struct arena *a, int status, const char *detail, size_t max_body);

/* input.c */
enum err api_read_body(struct api_req *q);
enum err api_check_accept(struct api_req *q);
/* A string field of the JSON body: numbers and booleans are stringified as PHP would; *present is
 * false for missing, null or empty. Arrays and objects are a type error. */
enum err api_body_string(struct api_req *q, const char *name, struct str *out, bool *present);

/* list.c: a searchCriteria list answer {items, search_criteria, total_count} over an entity.
 * select: "SELECT <columns> FROM <tables>" and from: "FROM <tables>" (both may use @STORE@);
 * item() writes one element from the current row (it may query q->w->db). Without a page size
 * the answer is streamed from a connection of its own, never held whole. */
struct sc_entity;
struct api_list {
    const struct sc_entity *entity;
    const char *select, *from;
    enum err (*item)(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg);
    void *arg;
    /* Optional: about how many rows the entity has (cheap, an upper bound is fine): lets a page
     * walk its sort index when the matches are many (search_sql.where_walk). */
    const char *estimate_sql;
    /* The rows are the catalog's: counts are kept per worker under the catalog version. */
    bool catalog;
};
enum err api_list(struct api_req *q, const struct api_list *l);
struct query_error;
enum err api_fail_query(struct api_req *q, struct query_error *qe);
/* Applies ?fields= to a successful answer (dispatch.c calls it for every route). */
void api_apply_fields(struct api_req *q);

/* auth.c: authenticate and authorize. Returns ERR_OK (go on), an error, or ERR_OK with
 * q->deferred set when a signed request waits for its nonce to be committed; the dispatcher's
 * api_continue() then carries on. */
enum err api_authorize(struct api_req *q);
/* On an anonymous route: who the caller is when a Bearer token says so (admin, customer, or an
 * integration's token when that is enabled); a guest otherwise. Never fails. */
void api_identify_bearer(struct api_req *q);
/* Does the current caller hold this ACL resource? */
bool api_allowed(struct api_req *q, struct str resource);
/* The rest of the phases after authorization (input, handler, answer). */
void api_continue(struct api_req *q, enum err e);
/* oauth_endpoints.c: /oauth/token/request and /oauth/token/access */
void api_oauth_token_endpoint(struct api_req *q, bool access);
/* The store's OAuth policy from configuration, for now. */
struct oauth_policy;
struct oauth_error;
void api_oauth_policy(struct api_req *q, struct oauth_policy *pol);
/* Records an OAuth failure of a signed REST call for Magento's JSON error shape. */
enum err api_oauth_fail(struct api_req *q, const struct oauth_error *oe, bool diagnostics);

/* dispatch.c: answers a request whose handler left it waiting (q->deferred), with the result e. */
void api_finish(struct api_req *q, enum err e);
/* dispatch.c: suspends the request until its nonce (nw->nonce, filled in) is recorded at the end
 * of this turn of the loop; then nw->done runs. */
void api_nonce_wait(struct api_req *q, struct nonce_wait *nw);
/* Whether another connection (or process, or node) committed since the worker last asked, asked
 * once a turn of the event loop: the requests of one turn arrived together, so none of them can
 * depend on a commit made after the turn began (a client sees a write's answer, which leaves after
 * its commit, before it sends what depends on it, and that arrives in a later turn). The other
 * requests of the turn get false: the caches then keep what the first one synced. Writes of the
 * worker's own connection are not commits of another: see db_writes(). */
bool api_db_changed(struct webapi_worker *w);

/* panel.c: the admin panel around the JSON API. */
/* The value of the cookie called name in a Cookie header (RFC 6265 5.4: "a=b; c=d"), trimmed;
 * STR_NULL when absent. The result points into header. */
struct str panel_cookie_value(struct str header, const char *name);
/* The admin session of the request's cookie, if any: sets q->caller and q->session_token. */
void panel_session_caller(struct api_req *q);
/* CSRF: a state-changing request made with the session cookie must carry the session's form key
 * in X-Form-Key (ERR_FORM_KEY otherwise). */
enum err panel_check_form_key(struct api_req *q);
/* Security headers of every admin page and admin API answer. */
void panel_security_headers(struct http_request *r, bool html);
/* Serves the panel's embedded pages and files for GET/HEAD /admin/...; false if path is not one. */
bool panel_serve_static(struct api_req *q);

/* GET/HEAD /swagger and /swagger/<file>: Swagger UI, embedded (swagger_page.c). Answers and
 * returns true for the page and its files (or, in a build without swagger-ui-dist, a 404 page
 * saying so); false for any other path, left to the dispatcher. */
bool swagger_page_serve(struct api_req *q);
/* The security headers of every /swagger answer (CSP, nosniff, no framing). */
void swagger_page_headers(struct http_request *r);
/* Confirms the signed-in admin's current password ("current_password", also inside
 * "integration") before next runs: required from session callers, checked when present from
 * bearer callers. Failures count toward the admin lock-out; the lock ends the admin's sessions. */
enum err panel_confirm_password(struct api_req *q, api_handler next);

/* dispatch.c: hand slow work to the blocking pool; done runs on the loop and finishes the
 * request like a handler would. */
void api_defer(struct api_req *q, void (*work)(void *arg), api_handler done, void *arg);

/* handlers_media.c: GET/HEAD /media/catalog/product/...: the image file, or an error to render. */
enum err api_media_file(struct api_req *q);

/* handlers */
#define ROUTE(verb, path, handler, resources, flags) enum err api_##handler(struct api_req *q);
#include "webapi/routes.def"
#undef ROUTE

#endif
