/* searchCriteria lists (reference section 7): parse, limit, build the SQL over the entity's
 * whitelist, count, and write {"items": [...], "search_criteria": {...}, "total_count": n}.
 * A page is written into the answer buffer; an unpaged answer (no pageSize, or 0) is streamed
 * row by row from a connection of its own, with `fields` applied to each item as it goes, so
 * memory stays flat whatever the number of rows. Also the `fields` filter for every route. */
#include <stdlib.h>
#include <string.h>

#include "catalog/cache.h"
#include "core/log.h"
#include "query/fields.h"
#include "query/search.h"
#include "webapi/api.h"

enum err api_fail_query(struct api_req *q, struct query_error *qe)
{
    return api_fail_msg(q, qe->code, qe->message, qe->params);
}

void api_apply_fields(struct api_req *q)
{
    struct str spec;
    if (!fields_param(q->a, http_query(q->http), &spec))
        return;
    struct str body = buf_str(&q->out);
    struct str t = str_trim(body);
    if (!t.len || (t.p[0] != '{' && t.p[0] != '['))
        return; /* a scalar answer (true, a token) is not filtered */
    struct fields_node *root;
    struct buf out;
    buf_init(&out, q->a, body.len + 2);
    if (!fields_parse(q->a, spec, &root)) {
        buf_add_c(&out, "[]"); /* Magento: a malformed spec empties the answer */
    } else if (!fields_filter(root, body, &out)) {
        return;
    }
    q->out = out;
}

static const char *cat(struct arena *a, const char *x, const char *y, const char *z, const char *w)
{
    return arena_printf(a, "%s%s%s%s", x, y, z ? z : "", w ? w : "");
}

/* --- the streamed (unpaged) answer --- */

struct list_stream {
    struct api_req *q;
    const struct api_list *l;
    struct db *db;        /* the stream's own connection */
    struct db_stmt *rows; /* NULL once every row was written */
    const struct search_criteria *sc;
    int64_t total;
    bool have_fields, items_wanted, echo_wanted, total_wanted;
    const struct fields_node *items_spec, *echo_spec;
    struct arena *item_arena; /* one item's text, reset per item */
    int state;                /* 0: head not written, 1: items, 2: done */
    bool first_item;
    int fields_out; /* top-level keys written so far */
};

static void stream_key(struct list_stream *ls, struct buf *out, const char *key)
{
    if (ls->fields_out++)
        buf_add_ch(out, ',');
    buf_add_c(out, key);
}

static void write_tail(struct list_stream *ls, struct buf *out)
{
    if (ls->echo_wanted) {
        stream_key(ls, out, "\"search_criteria\":");
        struct buf echo;
        buf_init(&echo, ls->item_arena, 256);
        search_echo(ls->sc, &echo);
        if (!ls->echo_spec || !ls->echo_spec->children ||
            !fields_filter(ls->echo_spec, buf_str(&echo), out))
            buf_add_str(out, buf_str(&echo));
    }
    if (ls->total_wanted) {
        stream_key(ls, out, "\"total_count\":");
        buf_add_i64(out, ls->total);
    }
    buf_add_ch(out, '}');
}

static enum http_stream_state stream_fill(void *arg, struct buf *out)
{
    struct list_stream *ls = arg;
    if (ls->state == 0) {
        buf_add_ch(out, '{');
        if (ls->items_wanted)
            stream_key(ls, out, "\"items\":[");
        ls->state = 1;
        ls->first_item = true;
    }
    while (ls->rows && out->len < 60000) {
        bool row = false;
        enum err e = db_next(ls->rows, &row);
        if (e || !row) {
            if (e)
                /* headers are gone: the connection closes without the final chunk, so the
                 * client sees an incomplete answer, never a wrong one */
                log_error("request %s: a streamed list failed after %s",
                          http_request_id(ls->q->http), err_name(e));
            db_query_free(ls->rows);
            ls->rows = NULL;
            if (e)
                return HTTP_STREAM_FAILED;
            break;
        }
        arena_reset(ls->item_arena);
        struct buf item;
        buf_init(&item, ls->item_arena, 2048);
        e = ls->l->item(ls->q, ls->rows, &item, ls->l->arg);
        if (e) {
            log_error("request %s: a streamed list item failed with %s",
                      http_request_id(ls->q->http), err_name(e));
            db_query_free(ls->rows);
            ls->rows = NULL;
            return HTTP_STREAM_FAILED;
        }
        if (!ls->first_item)
            buf_add_ch(out, ',');
        ls->first_item = false;
        if (!ls->items_spec || !ls->items_spec->children ||
            !fields_filter(ls->items_spec, buf_str(&item), out))
            buf_add_str(out, buf_str(&item));
    }
    if (ls->rows)
        return HTTP_STREAM_MORE;
    if (ls->items_wanted)
        buf_add_ch(out, ']');
    arena_reset(ls->item_arena);
    write_tail(ls, out);
    ls->state = 2;
    return HTTP_STREAM_LAST;
}

static void stream_finish(void *arg)
{
    struct list_stream *ls = arg;
    db_query_free(ls->rows);
    ls->rows = NULL;
    if (ls->db) {
        db_read_end(ls->db);
        db_close(ls->db);
        ls->db = NULL;
    }
    arena_free(ls->item_arena);
    ls->item_arena = NULL;
}

static enum err count_rows(struct api_req *q, struct db *db, const char *sql,
                           const struct search_sql *ss, int64_t *total)
{
    struct db_stmt *st;
    enum err e = db_query(db, sql, false, &st);
    if (e)
        return e;
    search_bind(st, ss, 1);
    bool row = false;
    e = db_next(st, &row);
    *total = row ? db_col_i64(st, 0) : 0;
    if (row)
        db_done(st);
    db_query_free(st);
    (void)q;
    return e;
}

/* count_rows(), through the worker's count cache for the catalog's lists. */
static enum err count_cached(struct api_req *q, const struct api_list *l, const char *sql,
                             const struct search_sql *ss, int64_t *total)
{
    struct product_cache *pc = l->catalog ? q->w->products : NULL;
    if (!pc)
        return count_rows(q, q->w->db, sql, ss, total);
    struct buf k;
    buf_init(&k, q->a, 256);
    buf_add_c(&k, sql);
    for (size_t i = 0; i < ss->nvalues; i++) {
        buf_add_ch(&k, '\0');
        buf_add_str(&k, ss->values[i]);
    }
    if (product_cache_count_get(pc, buf_str(&k), total))
        return ERR_OK;
    enum err e = count_rows(q, q->w->db, sql, ss, total);
    if (!e)
        product_cache_count_put(pc, buf_str(&k), *total);
    return e;
}

/* The page's filter: where_walk when walking the sort index in order is expected to read fewer
 * rows than the matches (about (offset + size) x rows / matches against matches), else where. */
static const char *page_where(struct api_req *q, const struct api_list *l,
                              const struct search_sql *ss, int64_t total)
{
    if (!ss->where_walk || !l->estimate_sql || ss->size <= 0 || total <= 0)
        return ss->where;
    struct db_stmt *st;
    bool row = false;
    int64_t rows = 0;
    if (db_prepare(q->w->db, l->estimate_sql, &st) || db_next(st, &row))
        return ss->where;
    if (row) {
        rows = db_col_i64(st, 0);
        db_done(st);
    }
    double walk = (double)(ss->offset + ss->size) * (double)rows / (double)total;
    return walk < (double)total ? ss->where_walk : ss->where;
}

static enum err list_stream(struct api_req *q, const struct api_list *l,
                            const struct search_criteria *sc, const struct search_sql *ss,
                            const char *count_sql, const char *rows_sql)
{
    struct str spec;
    struct fields_node *root = NULL;
    if (fields_param(q->a, http_query(q->http), &spec) && !fields_parse(q->a, spec, &root)) {
        buf_add_c(&q->out, "[]");
        return ERR_OK;
    }
    struct list_stream *ls = arena_calloc(q->a, 1, sizeof(*ls));
    ls->q = q;
    ls->l = l;
    ls->sc = sc;
    ls->have_fields = root != NULL;
    ls->items_spec = root ? fields_child(root, STR_LIT("items")) : NULL;
    ls->echo_spec = root ? fields_child(root, STR_LIT("search_criteria")) : NULL;
    ls->items_wanted = !root || ls->items_spec;
    ls->echo_wanted = !root || ls->echo_spec;
    ls->total_wanted = !root || fields_child(root, STR_LIT("total_count"));
    enum err e = db_open(q->w->app->settings.db_url, false, &ls->db);
    if (e)
        return api_fail(q, e == ERR_NOT_FOUND ? ERR_UNAVAILABLE : e);
    /* one snapshot for the count and the rows (SQLite; PostgreSQL reads in autocommit) */
    e = db_read_begin(ls->db);
    if (!e)
        e = count_rows(q, ls->db, count_sql, ss, &ls->total);
    if (!e && ls->items_wanted) {
        e = db_query(ls->db, rows_sql, true, &ls->rows);
        if (!e)
            search_bind(ls->rows, ss, 1);
    }
    if (e) {
        db_query_free(ls->rows);
        db_read_end(ls->db);
        db_close(ls->db);
        return api_fail(q, e);
    }
    ls->item_arena = arena_new(16384);
    q->streamed = true;
    http_stream(q->http, 200, "application/json; charset=utf-8", stream_fill, stream_finish, ls);
    return ERR_OK;
}

enum err api_list(struct api_req *q, const struct api_list *l)
{
    struct search_criteria sc;
    struct query_error qe;
    if (search_parse(q->a, http_query(q->http), &sc, &qe))
        return api_fail_query(q, &qe);
    if (!sc.present)
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("searchCriteria"));
    const struct store_config *cfg = q->w->config;
    if (search_limit(&sc, store_config_get_bool(cfg, "webapi/validation/input_limit_enabled", -1),
                     store_config_get_int(cfg, "webapi/validation/default_page_size", -1),
                     store_config_get_int(cfg, "webapi/validation/maximum_page_size", -1), &qe))
        return api_fail_query(q, &qe);
    int64_t store_id = q->store ? q->store->id : 0;
    struct search_sql ss;
    if (search_build(l->entity, &sc, store_id, q->a, &ss, &qe))
        return api_fail_query(q, &qe);
    const char *from = search_store_sql(q->a, l->from, store_id);
    const char *select = search_store_sql(q->a, l->select, store_id);
    const char *count_sql =
        ss.count_sql ? ss.count_sql : cat(q->a, "SELECT COUNT(*) ", from, ss.where, NULL);
    if (ss.unlimited)
        return list_stream(q, l, &sc, &ss, count_sql, cat(q->a, select, ss.where, ss.order, NULL));
    /* A page: the filter, sort and limit pick keys only (an index can cover them), then the
     * page's rows are read whole; otherwise every matching row would be read to be sorted. */
    int64_t total = 0;
    enum err e = count_cached(q, l, count_sql, &ss, &total);
    if (e)
        return api_fail(q, e);
    const char *key = search_store_sql(q->a, l->entity->key_expr, store_id);
    const char *rows_sql =
        arena_printf(q->a, "%s WHERE %s IN (SELECT %s %s%s%s%s)%s", select, key, key, from,
                     page_where(q, l, &ss, total), ss.order, ss.limit, ss.order);
    struct buf *out = &q->out;
    buf_add_c(out, "{\"items\":[");
    if (!ss.past_end && total > 0) {
        struct db_stmt *st;
        e = db_query(q->w->db, rows_sql, false, &st);
        if (e)
            return api_fail(q, e);
        search_bind(st, &ss, 1);
        bool row, first = true;
        while ((e = db_next(st, &row)) == ERR_OK && row) {
            if (!first)
                buf_add_ch(out, ',');
            first = false;
            e = l->item(q, st, out, l->arg);
            if (e) {
                db_done(st);
                break;
            }
        }
        db_query_free(st);
        if (e)
            return q->err.code ? q->err.code : api_fail(q, e);
    }
    buf_add_c(out, "],\"search_criteria\":");
    search_echo(&sc, out);
    buf_add_c(out, ",\"total_count\":");
    buf_add_i64(out, total);
    buf_add_ch(out, '}');
    return ERR_OK;
}
