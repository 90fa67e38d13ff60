/* Magento_Catalog and Magento_CatalogInventory routes (reference section 8.1): products, their
 * types, attribute sets and attributes, stock items and statuses. Input binding follows section
 * 5.2: the wrapper key ("product", "stockItem"), snake_case or camelCase keys, the path SKU
 * forced into a lone wrapper object on PUT. */
#include <string.h>

#include "catalog/cache.h"
#include "catalog/category.h"
#include "catalog/product.h"
#include "catalog/writer.h"
#include "query/search.h"
#include "webapi/api.h"

static int product_flags(struct api_req *q)
{
    return api_allowed(q, STR_LIT("Magento_CatalogInventory::cataloginventory")) ? PRODUCT_STOCK
                                                                                 : 0;
}

static int64_t read_store(struct api_req *q)
{
    return q->store ? q->store->id : 0;
}

/* Where a save writes store-scoped values: the addressed store view, or the default scope for
 * /rest/V1 and /rest/all. */
static int64_t write_store(struct api_req *q)
{
    return q->store_explicit && q->store ? q->store->id : 0;
}

struct product_list_arg {
    int flags;
    int64_t store;
};

static enum err product_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    struct product_list_arg *p = arg;
    return product_json_row(q->w->db, row, p->store, p->flags, q->a, out);
}

enum err api_products_list(struct api_req *q)
{
    struct product_list_sql ls;
    struct product_list_arg *arg = arena_calloc(q->a, 1, sizeof(*arg));
    arg->store = read_store(q);
    arg->flags = product_flags(q);
    enum err e = product_list_sql(q->w->db, arg->store, &ls);
    if (e)
        return api_fail(q, e);
    struct api_list *l = arena_calloc(q->a, 1, sizeof(*l));
    *l = (struct api_list){ls.entity, ls.select,
                           ls.from,   product_item,
                           arg,       "SELECT COALESCE(MAX(entity_id), 0) FROM catalog_product",
                           true};
    return api_list(q, l);
}

enum err api_product_get(struct api_req *q)
{
    struct product_cache *pc = q->w->products;
    int64_t store = read_store(q);
    int flags = product_flags(q);
    if (pc && product_cache_get(pc, q->vars[0], store, flags, &q->out))
        return ERR_OK;
    size_t mark = q->out.len;
    enum err e = product_json_sku(q->w->db, q->vars[0], store, flags, q->a, &q->out);
    if (e)
        return api_fail(q, e);
    if (pc)
        product_cache_put(pc, q->vars[0], store, flags,
                          (struct str){q->out.p + mark, q->out.len - mark});
    return ERR_OK;
}

/* {"product": {...}, "saveOptions": bool}; the wrapper is required (Magento answers 500). */
static enum err product_body(struct api_req *q, json_t **product)
{
    json_t *p = json_is_object(q->body) ? json_object_get(q->body, "product") : NULL;
    if (!p || json_is_null(p))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("product"));
    *product = p;
    return ERR_OK;
}

/* Saves go to the catalog writer (group commit); the request waits, suspended, and is answered
 * on its own loop once the save is committed. */
struct save_wait {
    struct catalog_job job;
    struct http_ticket *ticket;
    struct api_req *q;
};

static void save_resumed(struct http_request *r, void *arg)
{
    (void)r;
    struct save_wait *sw = arg;
    struct api_req *q = sw->q;
    struct catalog_job *j = &sw->job;
    enum err e = j->result;
    if (e) {
        e = j->qe.code ? api_fail_query(q, &j->qe) : api_fail(q, e);
    } else if (j->kind == JOB_STOCK_SAVE) {
        buf_add_i64(&q->out, j->id);
    } else {
        /* the product as saved, read back in the URL's store view */
        json_t *sku = json_object_get(j->body, "sku");
        struct str s = {json_string_value(sku), json_string_length(sku)};
        e = product_json_sku(q->w->db, s, read_store(q), product_flags(q), q->a, &q->out);
        if (e)
            e = api_fail(q, e);
    }
    api_finish(q, e);
}

static void save_committed(struct catalog_job *job)
{
    struct save_wait *sw = job->arg;
    http_resume(sw->ticket, save_resumed, sw);
}

static enum err submit(struct api_req *q, enum catalog_job_kind kind, json_t *body)
{
    struct save_wait *sw = arena_calloc(q->a, 1, sizeof(*sw));
    sw->q = q;
    sw->job.kind = kind;
    sw->job.body = body;
    sw->job.store_id = write_store(q);
    sw->job.sku = q->vars[0];
    sw->job.media.root =
        arena_printf(q->a, "%s/media/catalog/product", q->w->app->settings.var_dir);
    sw->job.a = q->a;
    sw->job.done = save_committed;
    sw->job.arg = sw;
    sw->ticket = http_suspend(q->http);
    q->deferred = true;
    catalog_writer_submit(q->w->app->catalog, &sw->job);
    return ERR_OK;
}

static enum err save_and_answer(struct api_req *q, json_t *product)
{
    /* input errors are answered at once, without a trip through the writer */
    struct query_error qe;
    enum err e = product_validate(q->a, product, &qe);
    if (e)
        return api_fail_query(q, &qe);
    return submit(q, JOB_PRODUCT_SAVE, product);
}

enum err api_product_create(struct api_req *q)
{
    json_t *product;
    enum err e = product_body(q, &product);
    if (e)
        return e;
    if (json_is_object(product)) {
        json_t *sku = json_object_get(product, "sku");
        if (sku && json_is_number(sku)) /* a numeric SKU is a string to Magento */
            json_object_set_new(
                product, "sku",
                json_string(
                    json_is_integer(sku)
                        ? arena_printf(q->a, "%" JSON_INTEGER_FORMAT, json_integer_value(sku))
                        : arena_printf(q->a, "%.17g", json_real_value(sku))));
    }
    return save_and_answer(q, product);
}

enum err api_product_update(struct api_req *q)
{
    json_t *product;
    enum err e = product_body(q, &product);
    if (e)
        return e;
    /* reference 5.2: with one top-level object, the path's SKU is forced into it */
    if (json_object_size(q->body) == 1 && json_is_object(product))
        json_object_set_new(product, "sku", json_stringn(q->vars[0].p, q->vars[0].len));
    else if (json_is_object(product) && !json_is_string(json_object_get(product, "sku")))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("sku"));
    return save_and_answer(q, product);
}

enum err api_product_remove(struct api_req *q)
{
    enum err e = product_delete(q->w->db, q->vars[0]);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

enum err api_product_types(struct api_req *q)
{
    product_types_json(&q->out);
    return ERR_OK;
}

enum err api_product_attribute(struct api_req *q)
{
    enum err e = product_attribute_json(q->w->db, q->vars[0], &q->out);
    if (e == ERR_NO_SUCH_ENTITY) {
        json_t *params = json_object();
        json_object_set_new(params, "fieldName", json_string("attribute_code"));
        json_object_set_new(params, "fieldValue", json_stringn(q->vars[0].p, q->vars[0].len));
        return api_fail_msg(q, ERR_NO_SUCH_ENTITY,
                            "The attribute with a \"%fieldName\" attributeCode doesn't exist. "
                            "Verify the attribute and try again.",
                            params);
    }
    return e ? api_fail(q, e) : ERR_OK;
}

static enum err set_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)q;
    (void)arg;
    product_attribute_set_json(row, out);
    return ERR_OK;
}

enum err api_attribute_sets_list(struct api_req *q)
{
    static const struct api_list l = {&product_attribute_set_entity,
                                      PRODUCT_ATTRIBUTE_SET_SELECT,
                                      PRODUCT_ATTRIBUTE_SET_FROM,
                                      set_item,
                                      NULL,
                                      NULL,
                                      false};
    return api_list(q, &l);
}

enum err api_stock_item_get(struct api_req *q)
{
    enum err e = stock_item_json_sku(q->w->db, q->vars[0], &q->out);
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_stock_status_get(struct api_req *q)
{
    enum err e = stock_status_json_sku(q->w->db, q->vars[0], &q->out);
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_stock_item_update(struct api_req *q)
{
    json_t *item = json_is_object(q->body) ? json_object_get(q->body, "stockItem") : NULL;
    if (!item && json_is_object(q->body))
        item = json_object_get(q->body, "stock_item");
    if (!item || json_is_null(item))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("stockItem"));
    struct query_error qe;
    enum err e = stock_item_validate(q->a, item, &qe);
    if (e)
        return api_fail_query(q, &qe);
    return submit(q, JOB_STOCK_SAVE, item);
}

/* GET /V1/stockItems/lowStock?scopeId=&qty=&currentPage=&pageSize= (StockRegistry::
 * getLowStockItems): stock items whose qty is below qty, as a list answer. */
static enum err low_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)arg;
    struct str sku = db_col_text(row, 0);
    return stock_item_json_sku(q->w->db, sku, out);
}

enum err api_stock_low(struct api_req *q)
{
    struct str rest = http_query(q->http), scope = STR_NULL, qty = STR_NULL, page = STR_NULL,
               size = STR_NULL;
    while (rest.p && rest.len) {
        struct str value;
        struct str key = str_cut(str_cut(rest, '&', &rest), '=', &value);
        if (str_eq_c(key, "scopeId") || str_eq_c(key, "scope_id"))
            scope = value.p ? value : STR_LIT("");
        else if (str_eq_c(key, "qty"))
            qty = value.p ? value : STR_LIT("");
        else if (str_eq_c(key, "currentPage") || str_eq_c(key, "current_page"))
            page = value;
        else if (str_eq_c(key, "pageSize") || str_eq_c(key, "page_size"))
            size = value;
    }
    if (!scope.p)
        api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_string("scopeId"));
    if (!qty.p)
        api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_string("qty"));
    enum err e = api_finish_errors(q);
    if (e)
        return e;
    int64_t n_page = 1, n_size = 0;
    struct str bad = STR_NULL;
    const char *badname = NULL;
    if (page.p && !str_to_i64(page, &n_page)) {
        bad = page;
        badname = "currentPage";
    }
    if (size.p && !str_to_i64(size, &n_size)) {
        bad = size;
        badname = "pageSize";
    }
    if (!str_utf8_valid(qty) || (qty.len && (qty.p[0] < '0' || qty.p[0] > '9')) || qty.len > 20) {
        bad = qty;
        badname = "qty";
    }
    if (badname)
        return api_fail_msg(
            q, ERR_INVALID_TYPE,
            arena_printf(q->a,
                         "Error occurred during \"%s\" processing. The \"%.*s\" value's type is "
                         "invalid. The \"%s\" type was expected. Verify and try again.",
                         badname, (int)(bad.len > 100 ? 100 : bad.len), bad.p,
                         strcmp(badname, "qty") ? "int" : "float"),
            NULL);
    struct search_criteria *sc = arena_calloc(q->a, 1, sizeof(*sc));
    (void)sc;
    /* Translated to searchCriteria over the stock table, so paging and counting are the
     * lists' own. */
    struct buf query;
    buf_init(&query, q->a, 256);
    buf_add_c(&query, "searchCriteria[filterGroups][0][filters][0][field]=qty&searchCriteria["
                      "filterGroups][0][filters][0][conditionType]=lt&searchCriteria[filterGroups]"
                      "[0][filters][0][value]=");
    buf_add_str(&query, qty);
    buf_printf(&query, "&searchCriteria[currentPage]=%lld&searchCriteria[pageSize]=%lld",
               (long long)n_page, (long long)(n_size > 0 ? n_size : 0));
    struct search_criteria crit;
    struct query_error qe;
    if (search_parse(q->a, buf_str(&query), &crit, &qe))
        return api_fail_query(q, &qe);
    struct search_sql ss;
    if (search_build(&stock_low_entity, &crit, 0, q->a, &ss, &qe))
        return api_fail_query(q, &qe);
    const char *where = ss.where;
    struct db_stmt *st;
    const char *count =
        arena_printf(q->a, "SELECT COUNT(*) FROM cataloginventory_stock_item s%s", where);
    if ((e = db_query(q->w->db, count, false, &st)))
        return api_fail(q, e);
    search_bind(st, &ss, 1);
    bool row = false;
    int64_t total = 0;
    e = db_next(st, &row);
    if (row) {
        total = db_col_i64(st, 0);
        db_done(st);
    }
    db_query_free(st);
    if (e)
        return api_fail(q, e);
    const char *rows = arena_printf(q->a,
                                    "SELECT p.sku FROM cataloginventory_stock_item s JOIN"
                                    " catalog_product p ON p.entity_id = s.product_id%s%s%s",
                                    where, ss.order, ss.limit);
    buf_add_c(&q->out, "{\"items\":[");
    if (!ss.past_end) {
        if ((e = db_query(q->w->db, rows, false, &st)))
            return api_fail(q, e);
        search_bind(st, &ss, 1);
        for (int n = 0; !(e = db_next(st, &row)) && row; n++) {
            if (n)
                buf_add_ch(&q->out, ',');
            if ((e = low_item(q, st, &q->out, NULL))) {
                db_done(st);
                break;
            }
        }
        db_query_free(st);
        if (e)
            return api_fail(q, e);
    }
    buf_add_c(&q->out, "],\"search_criteria\":");
    search_echo(&crit, &q->out);
    buf_add_c(&q->out, ",\"total_count\":");
    buf_add_i64(&q->out, total);
    buf_add_ch(&q->out, '}');
    return ERR_OK;
}

/* --- categories (reference section 8.2) --- */

static enum err path_id(struct api_req *q, struct str v, int64_t *id)
{
    if (str_to_i64(v, id))
        return ERR_OK;
    json_t *params = json_object();
    json_object_set_new(params, "value", json_stringn(v.p, v.len > 200 ? 200 : v.len));
    json_object_set_new(params, "type", json_string("int"));
    return api_fail_msg(q, ERR_INVALID_TYPE, NULL, params);
}

static enum err no_category(struct api_req *q, int64_t id)
{
    json_t *params = json_object();
    json_object_set_new(params, "fieldName", json_string("id"));
    json_object_set_new(params, "fieldValue", json_integer(id));
    return api_fail_msg(q, ERR_NO_SUCH_ENTITY, NULL, params);
}

/* A query parameter's raw value (camelCase or snake_case name); STR_NULL when absent. */
static struct str query_param(struct api_req *q, const char *camel, const char *snake)
{
    struct str rest = http_query(q->http), found = STR_NULL;
    while (rest.p && rest.len) {
        struct str value;
        struct str key = str_cut(str_cut(rest, '&', &rest), '=', &value);
        if (str_eq_c(key, camel) || str_eq_c(key, snake))
            found = value.p ? value : STR_LIT("");
    }
    return found;
}

static enum err int_param(struct api_req *q, const char *camel, const char *snake, int64_t *out,
                          bool *present)
{
    struct str v = query_param(q, camel, snake);
    *present = v.p && v.len;
    if (!*present)
        return ERR_OK;
    if (str_to_i64(v, out))
        return ERR_OK;
    return api_fail_msg(
        q, ERR_INVALID_TYPE,
        arena_printf(q->a,
                     "Error occurred during \"%s\" processing. The \"%.*s\" value's type is "
                     "invalid. The \"int\" type was expected. Verify and try again.",
                     camel, (int)(v.len > 100 ? 100 : v.len), v.p),
        NULL);
}

enum err api_categories_tree(struct api_req *q)
{
    int64_t root = 0, depth = -1;
    bool has_root, has_depth;
    enum err e = int_param(q, "rootCategoryId", "root_category_id", &root, &has_root);
    if (!e)
        e = int_param(q, "depth", "depth", &depth, &has_depth);
    if (e)
        return e;
    if (!has_root && (e = category_store_root(q->w->db, read_store(q), &root)))
        return api_fail(q, e);
    e = category_tree_json(q->w->db, root,
                           has_depth ? (int)(depth < 0    ? 0
                                             : depth > 64 ? 64
                                                          : depth)
                                     : -1,
                           read_store(q), &q->out);
    if (e == ERR_NO_SUCH_ENTITY)
        return no_category(q, root);
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_category_get(struct api_req *q)
{
    int64_t id, store = read_store(q);
    bool has_store;
    enum err e = path_id(q, q->vars[0], &id);
    if (!e) /* CategoryRepositoryInterface::get(categoryId, storeId): the store to read */
        e = int_param(q, "storeId", "store_id", &store, &has_store);
    if (e)
        return e;
    e = category_json(q->w->db, id, has_store ? store : read_store(q), &q->out);
    if (e == ERR_NO_SUCH_ENTITY)
        return no_category(q, id);
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_category_products(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, q->vars[0], &id);
    if (e)
        return e;
    e = category_products_json(q->w->db, id, &q->out);
    if (e == ERR_NO_SUCH_ENTITY)
        return no_category(q, id);
    return e ? api_fail(q, e) : ERR_OK;
}

static enum err category_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)arg;
    return category_json(q->w->db, db_col_i64(row, 0), read_store(q), out);
}

enum err api_categories_list(struct api_req *q)
{
    struct api_list *l = arena_calloc(q->a, 1, sizeof(*l));
    *l = (struct api_list){category_list_entity(read_store(q)),
                           CATEGORY_SELECT,
                           CATEGORY_FROM,
                           category_item,
                           NULL,
                           NULL,
                           false};
    return api_list(q, l);
}

/* Where a category save writes store-scoped values: as Magento 2.4's CategoryRepository, the
 * current store — the URL's store view, the default store view for /rest/V1 (reference 5.1),
 * the default scope (store 0) for /rest/all. */
static int64_t category_write_store(struct api_req *q)
{
    return read_store(q);
}

static enum err category_saved(struct api_req *q, enum err e, const struct query_error *qe,
                               int64_t id)
{
    if (e) {
        struct query_error copy = *qe;
        return qe->code ? api_fail_query(q, &copy) : api_fail(q, e);
    }
    e = category_json(q->w->db, id, read_store(q), &q->out);
    return e ? api_fail(q, e) : ERR_OK;
}

static enum err category_body(struct api_req *q, json_t **category)
{
    json_t *c = json_is_object(q->body) ? json_object_get(q->body, "category") : NULL;
    if (!c || json_is_null(c))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("category"));
    *category = c;
    return ERR_OK;
}

enum err api_category_create(struct api_req *q)
{
    json_t *c;
    enum err e = category_body(q, &c);
    if (e)
        return e;
    struct query_error qe;
    int64_t id = 0;
    e = category_save(q->w->db, c, -1, category_write_store(q), q->a, &id, &qe);
    return category_saved(q, e, &qe, id);
}

enum err api_category_update(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, q->vars[0], &id);
    if (e)
        return e;
    json_t *c;
    if ((e = category_body(q, &c)))
        return e;
    struct query_error qe;
    int64_t saved = 0;
    e = category_save(q->w->db, c, id, category_write_store(q), q->a, &saved, &qe);
    return category_saved(q, e, &qe, saved);
}

enum err api_category_remove(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, q->vars[0], &id);
    if (e)
        return e;
    struct query_error qe;
    e = category_delete(q->w->db, id, &qe);
    if (e)
        return qe.code ? api_fail_query(q, &qe) : api_fail(q, e);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

enum err api_category_move(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, q->vars[0], &id);
    if (e)
        return e;
    json_t *parent = NULL, *after = NULL;
    if (json_is_object(q->body)) {
        parent = json_object_get(q->body, "parentId");
        if (!parent)
            parent = json_object_get(q->body, "parent_id");
        after = json_object_get(q->body, "afterId");
        if (!after)
            after = json_object_get(q->body, "after_id");
    }
    if (!parent || json_is_null(parent))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("parentId"));
    int64_t parent_id = 0, after_id = -1;
    if (json_is_integer(parent))
        parent_id = json_integer_value(parent);
    else if (!json_is_string(parent) || !str_to_i64(str_c(json_string_value(parent)), &parent_id))
        return api_fail_msg(q, ERR_INVALID_TYPE,
                            "Error occurred during \"parentId\" processing. The value's type is "
                            "invalid. The \"int\" type was expected. Verify and try again.",
                            NULL);
    if (after && json_is_integer(after))
        after_id = json_integer_value(after);
    else if (after && json_is_string(after))
        str_to_i64(str_c(json_string_value(after)), &after_id);
    struct query_error qe;
    e = category_move(q->w->db, id, parent_id, after_id, &qe);
    if (e)
        return qe.code ? api_fail_query(q, &qe) : api_fail(q, e);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}
