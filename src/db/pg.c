/* PostgreSQL driver (libpq): statements prepared once per connection (named s<N>, cached by SQL
 * address), text parameters, NOTIFY sent inside the writer's transaction, and a lost
 * connection reported as "unavailable" (503) and re-established on the next call. Errors are
 * logged with their SQLSTATE and primary message only: PostgreSQL's DETAIL can quote the
 * conflicting values (a token hash, a nonce), which never reach the log. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/driver.h"

#define PG_SLOTS 512
#define PG_MAX_PARAMS 4096

struct pg_stmt {
    struct db_stmt base; /* first */
    const char *key;
    char name[16];
    bool prepared;
    int nparams, cap;
    char **values;
    const char **argv;
    int *lengths;
    size_t *caps;
    bool *null;
    bool bind_failed;
    PGresult *res;
    int row, nrows;
    /* db_query: owned, run with its text (no named statement); stream: single-row mode */
    bool owned, stream, sent, finished;
};

struct pg_db {
    struct db base; /* first */
    PGconn *c;
    char *url;
    struct pg_stmt slots[PG_SLOTS];
    struct pg_stmt spare;
    int next_name;
    bool first_changed_done;
    bool in_txn; /* a statement outside a transaction may be retried on a new connection */
    char err[256];
};

#define DB(d) ((struct pg_db *)(d))
#define ST(s) ((struct pg_stmt *)(s))

static const struct db_ops pg_ops;

/* libpq's notices (a server shutting down, say) go to the log, not raw to stderr. */
static void on_notice(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    while (n && (message[n - 1] == '\n' || message[n - 1] == '\r'))
        n--;
    log_warn("postgresql: %.*s", (int)(n > 300 ? 300 : n), message);
}

static enum err map_result(struct pg_db *db, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    snprintf(db->err, sizeof(db->err), "%s %s", state ? state : "", msg ? msg : "");
    if (PQstatus(db->c) != CONNECTION_OK) {
        log_error("database unavailable: the connection to PostgreSQL is lost");
        return ERR_UNAVAILABLE;
    }
    if (state && strcmp(state, "23505") == 0)
        return ERR_DB_CONSTRAINT;
    if (state && (strncmp(state, "23", 2) == 0))
        return ERR_DB_CONSTRAINT;
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strcmp(state, "55P03") == 0)) {
        log_warn("database busy: %s", db->err);
        return ERR_DB_BUSY;
    }
    if (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0)) {
        log_error("database unavailable: %s", db->err);
        return ERR_UNAVAILABLE;
    }
    log_error("database error: %s", db->err);
    return ERR_DB;
}

/* After a reconnect every statement must be prepared again on the new session. Results already
 * fetched stay valid (they are client memory), so a loop reading one is not disturbed. */
static void forget_statements(struct pg_db *db)
{
    for (size_t i = 0; i < PG_SLOTS; i++)
        db->slots[i].prepared = false;
    db->spare.prepared = false;
}

static bool connected(struct pg_db *db)
{
    if (PQstatus(db->c) == CONNECTION_OK)
        return true;
    /* reconnect: statements must be prepared again on the new session */
    PQreset(db->c);
    PQsetNoticeProcessor(db->c, on_notice, NULL);
    forget_statements(db);
    db->first_changed_done = false;
    if (PQstatus(db->c) != CONNECTION_OK)
        return false;
    PQclear(PQexec(db->c, "LISTEN storegate"));
    log_info("database connection re-established");
    return true;
}

enum err pg_open(const char *url, bool create, struct db **out)
{
    (void)create;
    *out = NULL;
    struct pg_db *db = calloc(1, sizeof(*db));
    if (!db)
        return ERR_DB;
    db->base.ops = &pg_ops;
    db->url = strdup(url);
    /* a short connect timeout so a node answers 503 instead of hanging */
    char conninfo[2048];
    snprintf(conninfo, sizeof(conninfo), "%s%sconnect_timeout=3", url,
             strchr(url, '?') ? "&" : "?");
    db->c = PQconnectdb(conninfo);
    if (PQstatus(db->c) != CONNECTION_OK) {
        log_error("cannot connect to PostgreSQL: %s",
                  PQerrorMessage(db->c) ? PQerrorMessage(db->c) : "");
        PQfinish(db->c);
        free(db->url);
        free(db);
        return ERR_UNAVAILABLE;
    }
    PQsetNoticeProcessor(db->c, on_notice, NULL);
    PQclear(PQexec(db->c, "SET client_min_messages = warning"));
    PQclear(PQexec(db->c, "LISTEN storegate"));
    *out = &db->base;
    return ERR_OK;
}

static void params_free(struct pg_stmt *s)
{
    for (int k = 0; k < s->cap; k++)
        free(s->values[k]);
    free(s->values);
    free(s->argv);
    free(s->lengths);
    free(s->caps);
    free(s->null);
    s->values = NULL;
    s->argv = NULL;
    s->lengths = NULL;
    s->caps = NULL;
    s->null = NULL;
    s->cap = 0;
}

/* Room for n parameters (kept for the statement's next uses). */
static bool params_reserve(struct pg_stmt *s, int n)
{
    if (n <= s->cap)
        return true;
    char **values = realloc(s->values, (size_t)n * sizeof(*values));
    if (values)
        s->values = values;
    const char **argv = realloc(s->argv, (size_t)n * sizeof(*argv));
    if (argv)
        s->argv = argv;
    int *lengths = realloc(s->lengths, (size_t)n * sizeof(*lengths));
    if (lengths)
        s->lengths = lengths;
    size_t *caps = realloc(s->caps, (size_t)n * sizeof(*caps));
    if (caps)
        s->caps = caps;
    bool *null = realloc(s->null, (size_t)n * sizeof(*null));
    if (null)
        s->null = null;
    if (!values || !argv || !lengths || !caps || !null)
        return false;
    for (int k = s->cap; k < n; k++) {
        s->values[k] = NULL;
        s->caps[k] = 0;
        s->lengths[k] = 0;
        s->null[k] = true;
    }
    s->cap = n;
    return true;
}

static void pg_close(struct db *d)
{
    struct pg_db *db = DB(d);
    for (size_t i = 0; i < PG_SLOTS; i++)
        PQclear(db->slots[i].res);
    PQclear(db->spare.res);
    for (size_t i = 0; i < PG_SLOTS; i++)
        params_free(&db->slots[i]);
    params_free(&db->spare);
    PQfinish(db->c);
    free(db->url);
    free(db);
}

static enum err pg_exec(struct db *d, const char *sql)
{
    struct pg_db *db = DB(d);
    if (!connected(db))
        return ERR_UNAVAILABLE;
    PGresult *r = PQexec(db->c, sql);
    ExecStatusType s = PQresultStatus(r);
    /* PGRES_EMPTY_QUERY: text with nothing to run here, such as a migration whose statements are
     * all in {{sqlite:...}} sections (0017) */
    enum err e = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
                     ? ERR_OK
                     : map_result(db, r);
    PQclear(r);
    return e;
}

static enum err pg_prepare(struct db *d, const char *sql, struct db_stmt **out)
{
    struct pg_db *db = DB(d);
    if (!connected(db))
        return ERR_UNAVAILABLE;
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15u;
    size_t idx = (size_t)(h >> 40) & (PG_SLOTS - 1);
    struct pg_stmt *s = NULL;
    for (size_t probe = 0; probe < 8 && !s; probe++) {
        struct pg_stmt *cand = &db->slots[(idx + probe) & (PG_SLOTS - 1)];
        if (cand->key == sql || cand->key == NULL)
            s = cand;
    }
    if (!s) {
        s = &db->spare;
        if (s->key != sql && s->prepared) {
            char sqlbuf[40];
            snprintf(sqlbuf, sizeof(sqlbuf), "DEALLOCATE %s", s->name);
            PQclear(PQexec(db->c, sqlbuf));
            s->prepared = false;
        }
    }
    PQclear(s->res);
    s->res = NULL;
    s->base.db = d;
    if (s->key != sql || !s->prepared) {
        snprintf(s->name, sizeof(s->name), "s%d", ++db->next_name);
        PGresult *r = PQprepare(db->c, s->name, sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            enum err e = map_result(db, r);
            PQclear(r);
            s->key = NULL;
            return e;
        }
        PQclear(r);
        r = PQdescribePrepared(db->c, s->name);
        s->nparams = PQresultStatus(r) == PGRES_COMMAND_OK ? PQnparams(r) : 0;
        PQclear(r);
        if (s->nparams > PG_MAX_PARAMS || !params_reserve(s, s->nparams)) {
            s->key = NULL;
            return ERR_DB;
        }
        s->key = sql;
        s->prepared = true;
    }
    for (int i = 0; i < s->nparams; i++)
        s->null[i] = true;
    s->bind_failed = false;
    *out = &s->base;
    return ERR_OK;
}

static void set_param(struct pg_stmt *s, int idx, const char *p, size_t len)
{
    if (idx < 1 || idx > s->nparams) {
        s->bind_failed = true;
        return;
    }
    int i = idx - 1;
    if (s->caps[i] < len + 1) {
        char *v = realloc(s->values[i], len + 1);
        if (!v) {
            s->bind_failed = true;
            return;
        }
        s->values[i] = v;
        s->caps[i] = len + 1;
    }
    memcpy(s->values[i], p, len);
    s->values[i][len] = '\0';
    s->lengths[i] = (int)len;
    s->null[i] = false;
}

static void pg_bind_i64(struct db_stmt *st, int idx, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%lld", (long long)v);
    set_param(ST(st), idx, text, (size_t)n);
}

static void pg_bind_text(struct db_stmt *st, int idx, struct str v)
{
    set_param(ST(st), idx, v.p ? v.p : "", v.len);
}

static void pg_bind_null(struct db_stmt *st, int idx)
{
    if (idx >= 1 && idx <= ST(st)->nparams)
        ST(st)->null[idx - 1] = true;
}

static enum err prepare_named(struct pg_db *db, struct pg_stmt *s)
{
    PGresult *r = PQprepare(db->c, s->name, s->key, 0, NULL);
    enum err e = PQresultStatus(r) == PGRES_COMMAND_OK ? ERR_OK : map_result(db, r);
    PQclear(r);
    s->prepared = e == ERR_OK;
    return e;
}

/* db_query statements: the whole result at once, or (stream) the first row of single-row mode. */
static enum err execute_owned(struct pg_stmt *s)
{
    struct pg_db *db = DB(s->base.db);
    const char **values = s->argv;
    if (!s->stream) {
        s->res = PQexecParams(db->c, s->key, s->nparams, NULL, values, s->lengths, NULL, 0);
        ExecStatusType st = PQresultStatus(s->res);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            enum err e = map_result(db, s->res);
            PQclear(s->res);
            s->res = NULL;
            return e;
        }
        s->row = -1;
        s->nrows = PQntuples(s->res);
        return ERR_OK;
    }
    if (!PQsendQueryParams(db->c, s->key, s->nparams, NULL, values, s->lengths, NULL, 0) ||
        !PQsetSingleRowMode(db->c)) {
        snprintf(db->err, sizeof(db->err), "%s", PQerrorMessage(db->c));
        log_error("database error: cannot start a streamed query");
        return PQstatus(db->c) == CONNECTION_OK ? ERR_DB : ERR_UNAVAILABLE;
    }
    s->sent = true;
    return ERR_OK;
}

/* Drains what the engine still sends for a streamed statement. */
static void stream_drain(struct pg_stmt *s)
{
    struct pg_db *db = DB(s->base.db);
    if (!s->sent || s->finished)
        return;
    PGcancel *c = PQgetCancel(db->c);
    if (c) {
        char buf[256];
        PQcancel(c, buf, sizeof(buf));
        PQfreeCancel(c);
    }
    PGresult *r;
    while ((r = PQgetResult(db->c)))
        PQclear(r);
    s->finished = true;
}

static enum err stream_next(struct pg_stmt *s, bool *row)
{
    struct pg_db *db = DB(s->base.db);
    PQclear(s->res);
    s->res = NULL;
    if (s->finished)
        return ERR_OK;
    PGresult *r = PQgetResult(db->c);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_SINGLE_TUPLE) {
        s->res = r;
        s->row = 0;
        s->nrows = 1;
        *row = true;
        return ERR_OK;
    }
    enum err e = (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) ? ERR_OK : map_result(db, r);
    PQclear(r);
    while ((r = PQgetResult(db->c)))
        PQclear(r);
    s->finished = true;
    return e;
}

static enum err execute(struct pg_stmt *s)
{
    struct pg_db *db = DB(s->base.db);
    if (s->bind_failed)
        return ERR_DB;
    const char **values = s->argv;
    for (int i = 0; i < s->nparams; i++)
        values[i] = s->null[i] ? NULL : s->values[i];
    if (s->owned)
        return execute_owned(s);
    for (int attempt = 0;; attempt++) {
        s->res = PQexecPrepared(db->c, s->name, s->nparams, values, s->lengths, NULL, 0);
        ExecStatusType st = PQresultStatus(s->res);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
            break;
        enum err e = map_result(db, s->res);
        PQclear(s->res);
        s->res = NULL;
        if (e != ERR_UNAVAILABLE)
            return e;
        forget_statements(db);
        /* The server restarted or the connection dropped: a statement outside a transaction is
         * run again once on a new connection, so clients see no error for it. */
        if (attempt > 0 || db->in_txn || !connected(db) || prepare_named(db, s) != ERR_OK) {
            db->in_txn = false;
            return ERR_UNAVAILABLE;
        }
    }
    s->row = -1;
    s->nrows = PQntuples(s->res);
    return ERR_OK;
}

static enum err pg_next(struct db_stmt *st, bool *row)
{
    struct pg_stmt *s = ST(st);
    *row = false;
    if (s->stream) {
        if (!s->sent) {
            enum err e = execute(s);
            if (e)
                return e;
        }
        return stream_next(s, row);
    }
    if (!s->res) {
        enum err e = execute(s);
        if (e)
            return e;
    }
    if (++s->row < s->nrows) {
        *row = true;
        return ERR_OK;
    }
    PQclear(s->res);
    s->res = NULL;
    return ERR_OK;
}

static enum err pg_run(struct db_stmt *st, int64_t *changes)
{
    struct pg_stmt *s = ST(st);
    PQclear(s->res);
    s->res = NULL;
    enum err e = execute(s);
    if (changes)
        *changes = e ? 0 : strtoll(PQcmdTuples(s->res), NULL, 10);
    PQclear(s->res);
    s->res = NULL;
    return e;
}

static void pg_done(struct db_stmt *st)
{
    PQclear(ST(st)->res);
    ST(st)->res = NULL;
    if (ST(st)->stream)
        stream_drain(ST(st));
}

/* The highest $N of a statement's text, outside quoted literals. */
static int count_params(const char *sql)
{
    int max = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            int n = 0;
            while (p[1] >= '0' && p[1] <= '9' && n < 100000)
                n = n * 10 + (*++p - '0');
            if (n > max)
                max = n;
        }
    }
    return max;
}

static enum err pg_query(struct db *d, const char *sql, bool stream, struct db_stmt **out)
{
    struct pg_db *db = DB(d);
    if (!connected(db))
        return ERR_UNAVAILABLE;
    struct pg_stmt *s = calloc(1, sizeof(*s));
    char *own = db_engine_sections(sql, "postgresql");
    char *text = own ? db_expand_named(own, "@ILIKE@", "ILIKE") : NULL;
    free(own);
    int n = text ? count_params(text) : 0;
    if (!s || !text || n > PG_MAX_PARAMS || !params_reserve(s, n)) {
        if (s)
            params_free(s);
        free(s);
        free(text);
        return ERR_DB;
    }
    s->base.db = d;
    s->key = text;
    s->owned = true;
    s->stream = stream;
    s->nparams = n;
    *out = &s->base;
    return ERR_OK;
}

static void pg_query_free(struct db_stmt *st)
{
    struct pg_stmt *s = ST(st);
    pg_done(st);
    params_free(s);
    free((char *)s->key);
    free(s);
}

static int64_t pg_col_i64(struct db_stmt *st, int col)
{
    struct pg_stmt *s = ST(st);
    return strtoll(PQgetvalue(s->res, s->row, col), NULL, 10);
}

static double pg_col_double(struct db_stmt *st, int col)
{
    struct pg_stmt *s = ST(st);
    return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

static struct str pg_col_text(struct db_stmt *st, int col)
{
    struct pg_stmt *s = ST(st);
    return (struct str){PQgetvalue(s->res, s->row, col), (size_t)PQgetlength(s->res, s->row, col)};
}

static bool pg_col_null(struct db_stmt *st, int col)
{
    struct pg_stmt *s = ST(st);
    return PQgetisnull(s->res, s->row, col) != 0;
}

static int pg_col_count(struct db_stmt *st)
{
    return ST(st)->res ? PQnfields(ST(st)->res) : 0;
}

static const char *pg_col_name(struct db_stmt *st, int col)
{
    return ST(st)->res ? PQfname(ST(st)->res, col) : "";
}

static enum err pg_identity_sync(struct db *d, const char *table, const char *column)
{
    struct pg_db *db = DB(d);
    char *t = PQescapeLiteral(db->c, table, strlen(table));
    char *c = PQescapeLiteral(db->c, column, strlen(column));
    char *ti = PQescapeIdentifier(db->c, table, strlen(table));
    char *ci = PQescapeIdentifier(db->c, column, strlen(column));
    enum err e = ERR_DB;
    if (t && c && ti && ci) {
        char sql[1024];
        snprintf(
            sql, sizeof(sql),
            "SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX(%s) FROM %s), 0)"
            " + 1, false)",
            t, c, ci, ti);
        e = pg_exec(d, sql);
    }
    PQfreemem(t);
    PQfreemem(c);
    PQfreemem(ti);
    PQfreemem(ci);
    return e;
}

static enum err run_sql(struct db *d, const char *sql)
{
    struct db_stmt *st;
    enum err e = db_prepare(d, sql, &st);
    return e ? e : pg_run(st, NULL);
}

static void pg_rollback(struct db *d)
{
    struct pg_db *db = DB(d);
    db->in_txn = false;
    if (PQtransactionStatus(db->c) != PQTRANS_IDLE && PQtransactionStatus(db->c) != PQTRANS_UNKNOWN)
        PQclear(PQexec(db->c, "ROLLBACK"));
}

static enum err pg_begin(struct db *d)
{
    enum err e = run_sql(d, "BEGIN");
    DB(d)->in_txn = e == ERR_OK;
    return e;
}

static enum err pg_commit(struct db *d)
{
    DB(d)->in_txn = false;
    enum err e = run_sql(d, "COMMIT");
    if (e)
        pg_rollback(d);
    return e;
}

/* Reads run in autocommit: one snapshot would cost two more round trips. */
static enum err pg_read_begin(struct db *d)
{
    (void)d;
    return ERR_OK;
}

static void pg_read_end(struct db *d)
{
    (void)d;
}

static bool pg_changed(struct db *d)
{
    /* Always "maybe": a NOTIFY from another process reaches this connection asynchronously, so
     * a request right after a config:set could still miss it; the caches read their version rows
     * (one small query) on every request instead. The notifications are drained so they do not
     * pile up. */
    struct pg_db *db = DB(d);
    if (PQstatus(db->c) == CONNECTION_OK) {
        PQconsumeInput(db->c);
        PGnotify *n;
        while ((n = PQnotifies(db->c)))
            PQfreemem(n);
    }
    return true;
}

static int64_t pg_writes(struct db *d)
{
    (void)d; /* pg_changed() is always true: nothing cached outlives a request */
    return 0;
}

static void pg_notify(struct db *d)
{
    struct pg_db *db = DB(d);
    if (connected(db))
        PQclear(PQexec(db->c, "NOTIFY storegate"));
}

static enum err pg_ping(struct db *d)
{
    struct db_stmt *st;
    enum err e = db_prepare(d, "SELECT 1", &st);
    if (e)
        return e;
    bool row;
    e = pg_next(st, &row);
    pg_done(st);
    return e;
}

static const char *pg_errmsg(struct db *d)
{
    struct pg_db *db = DB(d);
    return db->err[0] ? db->err : PQerrorMessage(db->c);
}

static char *pg_dialect_expand(const struct db *d, const char *sql)
{
    (void)d;
    char *own = db_engine_sections(sql, "postgresql");
    char *out =
        own ? db_expand_macro(own, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY") : NULL;
    free(own);
    return out;
}

static const struct db_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .query = pg_query,
    .query_free = pg_query_free,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .next = pg_next,
    .run = pg_run,
    .done = pg_done,
    .col_i64 = pg_col_i64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_null = pg_col_null,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .identity_sync = pg_identity_sync,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .changed = pg_changed,
    .writes = pg_writes,
    .notify = pg_notify,
    .ping = pg_ping,
    .errmsg = pg_errmsg,
    .dialect_expand = pg_dialect_expand,
};
