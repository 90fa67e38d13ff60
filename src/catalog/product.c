/* Products: JSON, whitelist, save and delete (see product.h). */
#include "catalog/product.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog/cache.h"
#include "catalog/gallery.h"
#include "core/clock.h"
#include "query/bind.h"

/* --- the searchCriteria whitelist --- */

#define OV(code)                                                                                   \
    "(SELECT v.value FROM catalog_product_value v WHERE v.product_id = p.entity_id"                \
    " AND v.store_id = @STORE@ AND v.attribute_code = '" code "')"
#define DEF(code)                                                                                  \
    "(SELECT v.value FROM catalog_product_value v WHERE v.product_id = p.entity_id"                \
    " AND v.store_id = 0 AND v.attribute_code = '" code "')"
#define CUSTOM(code) "COALESCE(" OV(code) ", " DEF(code) ")"
/* A number under a store view, for filters. The outer CAST gives the expression SQLite's INTEGER
 * affinity, so that the text-bound filter values compare as numbers (a bare COALESCE has none, and
 * 2 = '2' is false there). */
#define FLAG(col) "CAST(COALESCE(CAST(" OV(col) " AS INTEGER), p." col ") AS INTEGER)"

/* clang-format off */
#define COMMON_FIELDS                                                                             \
    {"entity_id", "p.entity_id", SC_INT, 0, NULL, NULL, NULL},                                                      \
    {"id", "p.entity_id", SC_INT, 0, NULL, NULL, NULL},                                                             \
    {"sku", "p.sku", SC_TEXT, 0, NULL, NULL, NULL},                                                                 \
    {"attribute_set_id", "p.attribute_set_id", SC_INT, 0, NULL, NULL, NULL},                                        \
    {"price", "p.price", SC_FLOAT, SC_WALK, NULL, NULL, NULL},                                                      \
    {"type_id", "p.type_id", SC_TEXT, 0, NULL, NULL, NULL},                                                         \
    {"created_at", "p.created_at", SC_DATETIME, 0, NULL, NULL, NULL},                                               \
    {"updated_at", "p.updated_at", SC_DATETIME, 0, NULL, NULL, NULL},                                               \
    {"weight", "p.weight", SC_FLOAT, SC_NULLABLE, NULL, NULL, NULL},                                                \
    {"description", CUSTOM("description"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                                 \
    {"short_description", CUSTOM("short_description"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                     \
    {"url_key", CUSTOM("url_key"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                                         \
    {"meta_title", CUSTOM("meta_title"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                                   \
    {"meta_keyword", CUSTOM("meta_keyword"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                               \
    {"meta_description", CUSTOM("meta_description"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                       \
    {"special_price", "CAST(" DEF("special_price") " AS DOUBLE PRECISION)", SC_FLOAT, SC_NULLABLE, NULL, NULL, NULL},\
    {"tax_class_id", "CAST(" DEF("tax_class_id") " AS INTEGER)", SC_INT, SC_NULLABLE, NULL, NULL, NULL},            \
    {"color", DEF("color"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                                                \
    {"size", DEF("size"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                                                  \
    {"manufacturer", DEF("manufacturer"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                                  \
    {"news_from_date", DEF("news_from_date"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                              \
    {"special_from_date", DEF("special_from_date"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},                        \
    {"qty", "(SELECT s.qty FROM cataloginventory_stock_item s WHERE s.product_id = p.entity_id)", \
     SC_FLOAT, SC_NULLABLE, NULL, NULL, NULL},                                                    \
    /* Magento's ProductCategoryFilter: the category-product links (primary key category_id,   \
     * product_id: the subquery reads the listed categories' index ranges only) */                \
    {"category_id", "p.entity_id IN (SELECT cp.product_id FROM catalog_category_product cp"       \
     " WHERE cp.category_id IN (?))", SC_INT, SC_LINK | SC_NOSORT, NULL, NULL,                    \
     "SELECT COUNT(*) FROM catalog_category_product cp WHERE cp.category_id = ?"}

static const struct sc_field global_fields[] = {
    COMMON_FIELDS,
    {"name", "p.name", SC_TEXT, 0,
     /* migration 0010: SQLite's trigram index answers LIKE on its own; PostgreSQL's pg_trgm
      * index serves ILIKE directly. A prefix pattern is left to the NOCASE index. */
     "{{sqlite:p.entity_id IN (SELECT rowid FROM catalog_product_name_fts WHERE"
     " catalog_product_name_fts.name LIKE ?)}}{{postgresql:p.name ILIKE ?}}",
     /* %text%: a trigram phrase query is a case-insensitive substring match */
     "{{sqlite:p.entity_id IN (SELECT rowid FROM catalog_product_name_fts WHERE"
     " catalog_product_name_fts.name MATCH ('\"' || substr(?, 2, length(?) - 2) || '\"'))}}"
     "{{postgresql:p.name ILIKE ?}}",
     /* the trigram index holds one row per product (triggers keep it so): it counts alone */
     "{{sqlite:SELECT COUNT(*) FROM catalog_product_name_fts WHERE catalog_product_name_fts.name"
     " MATCH ('\"' || substr(?, 2, length(?) - 2) || '\"')}}"
     "{{postgresql:SELECT COUNT(*) FROM catalog_product p WHERE p.name ILIKE ?}}"},
    {"status", "p.status", SC_INT, 0, NULL, NULL, NULL},
    {"visibility", "p.visibility", SC_INT, 0, NULL, NULL, NULL},
};
static const struct sc_field store_fields[] = {
    COMMON_FIELDS,
    {"name", "COALESCE(" OV("name") ", p.name)", SC_TEXT, 0, NULL, NULL, NULL},
    {"status", FLAG("status"), SC_INT, 0, NULL, NULL, NULL},
    {"visibility", FLAG("visibility"), SC_INT, 0, NULL, NULL, NULL},
};
/* clang-format on */

static const struct sc_entity global_entity = {
    global_fields, sizeof(global_fields) / sizeof(global_fields[0]), "p.entity_id", NULL};
static const struct sc_entity store_entity = {
    store_fields, sizeof(store_fields) / sizeof(store_fields[0]), "p.entity_id", NULL};

#define SELECT_COLS(name, status, visibility)                                                      \
    "SELECT p.entity_id, p.sku, " name ", p.attribute_set_id, p.price, " status ", " visibility    \
    ", p.type_id, p.created_at, p.updated_at, p.weight FROM catalog_product p"

static const char global_select[] = SELECT_COLS("p.name", "p.status", "p.visibility");
static const char store_select[] = SELECT_COLS(
    "COALESCE(" OV("name") ", p.name)", "COALESCE(CAST(" OV("status") " AS INTEGER), p.status)",
    "COALESCE(CAST(" OV("visibility") " AS INTEGER), p.visibility)");

enum err product_list_sql(struct db *db, int64_t store_id, struct product_list_sql *out)
{
    bool overrides = false;
    if (store_id > 0) {
        struct db_stmt *st;
        enum err e = db_prepare(db,
                                "SELECT 1 FROM catalog_product_value WHERE store_id = $1 AND"
                                " attribute_code IN ('name', 'status', 'visibility') LIMIT 1",
                                &st);
        if (e)
            return e;
        db_bind_i64(st, 1, store_id);
        e = db_next(st, &overrides);
        if (overrides)
            db_done(st);
        if (e)
            return e;
    }
    out->entity = overrides ? &store_entity : &global_entity;
    out->select = overrides ? store_select : global_select;
    out->from = "FROM catalog_product p";
    return ERR_OK;
}

/* --- JSON --- */

static void add_num(struct buf *out, double v)
{
    if (!isfinite(v)) {
        buf_add_c(out, "0");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15)
        buf_add_i64(out, (int64_t)v);
    else
        buf_printf(out, "%.15g", v);
}

static void add_datetime(struct buf *out, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    gmtime_r(&tt, &tm);
    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm);
    buf_add_ch(out, '"');
    buf_add_c(out, s);
    buf_add_ch(out, '"');
}

static enum err add_stock_item(struct db *db, int64_t id, struct buf *out, bool *found)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(db,
                   "SELECT qty, is_in_stock, is_qty_decimal, min_qty, min_sale_qty,"
                   " max_sale_qty, backorders, notify_stock_qty, manage_stock,"
                   " low_stock_date FROM cataloginventory_stock_item WHERE product_id = $1",
                   &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)) || !row) {
        *found = false;
        return e;
    }
    *found = true;
    buf_add_c(out, "{\"item_id\":");
    buf_add_i64(out, id);
    buf_add_c(out, ",\"product_id\":");
    buf_add_i64(out, id);
    buf_add_c(out, ",\"stock_id\":1,\"qty\":");
    add_num(out, db_col_double(st, 0));
    buf_add_c(out, db_col_i64(st, 1) ? ",\"is_in_stock\":true" : ",\"is_in_stock\":false");
    buf_add_c(out, db_col_i64(st, 2) ? ",\"is_qty_decimal\":true" : ",\"is_qty_decimal\":false");
    buf_add_c(out, ",\"show_default_notification_message\":false,\"use_config_min_qty\":true,"
                   "\"min_qty\":");
    add_num(out, db_col_double(st, 3));
    buf_add_c(out, ",\"use_config_min_sale_qty\":1,\"min_sale_qty\":");
    add_num(out, db_col_double(st, 4));
    buf_add_c(out, ",\"use_config_max_sale_qty\":true,\"max_sale_qty\":");
    add_num(out, db_col_double(st, 5));
    buf_add_c(out, ",\"use_config_backorders\":true,\"backorders\":");
    buf_add_i64(out, db_col_i64(st, 6));
    buf_add_c(out, ",\"use_config_notify_stock_qty\":true,\"notify_stock_qty\":");
    add_num(out, db_col_double(st, 7));
    buf_add_c(out, ",\"use_config_qty_increments\":true,\"qty_increments\":0,"
                   "\"use_config_enable_qty_inc\":true,\"enable_qty_increments\":false,"
                   "\"use_config_manage_stock\":true,\"manage_stock\":");
    buf_add_c(out, db_col_i64(st, 8) ? "true" : "false");
    if (!db_col_null(st, 9)) {
        buf_add_c(out, ",\"low_stock_date\":");
        add_datetime(out, db_col_i64(st, 9));
    }
    buf_add_c(out, ",\"is_decimal_divided\":false,\"stock_status_changed_auto\":0}");
    db_done(st);
    return ERR_OK;
}

/* Everything of a product beyond its row, in one statement (each extra statement costs a round
 * through the engine): kind 1 website, 2 category link, 3 media entry, 4 tier price, 5 custom
 * attribute value (the store view's and the default scope's; the first one wins). Columns: kind,
 * two sort keys, i1-i3, d1-d2, t1-t4. */
static const char product_parts_sql[] =
    "SELECT 1, website_id, 0, website_id, 0, 0, 0.0, 0.0, NULL, NULL, NULL, NULL"
    " FROM catalog_product_website WHERE product_id = $1"
    " UNION ALL SELECT 2, category_id, 0, category_id, position, 0, 0.0, 0.0, NULL, NULL, NULL,"
    " NULL FROM catalog_category_product WHERE product_id = $1"
    " UNION ALL SELECT 3, position, value_id, value_id, position, disabled, 0.0, 0.0, media_type,"
    " label, types, file FROM catalog_product_media WHERE product_id = $1"
    " UNION ALL SELECT 4, value_id, 0, customer_group_id, 0, 0, qty, value, NULL, NULL, NULL, NULL"
    " FROM catalog_product_tier_price WHERE product_id = $1"
    " UNION ALL SELECT 5, a.position, 0 - v.store_id, v.store_id, 0, 0, 0.0, 0.0,"
    " v.attribute_code, v.value, NULL, NULL FROM catalog_product_value v JOIN eav_attribute a"
    " ON a.attribute_code = v.attribute_code WHERE v.product_id = $1 AND (v.store_id = 0 OR"
    " v.store_id = $2) AND a.is_custom = 1"
    " ORDER BY 1, 2, 3";

/* Where the writer of one product stands: each stage opens and closes a part of the JSON. */
struct parts {
    struct db *db;
    struct buf *out;
    int64_t id;
    int flags;
    int stage; /* the kind being written: 0 none yet */
    int n;     /* items written in this stage */
    struct buf cats;
    char last_code[64];
};

static enum err enter_stage(struct parts *p, int kind)
{
    struct buf *out = p->out;
    while (p->stage < kind) {
        /* close the current stage */
        switch (p->stage) {
        case 0:
            buf_add_c(out, ",\"extension_attributes\":{\"website_ids\":[");
            break;
        case 1:
            buf_add_ch(out, ']');
            break;
        case 2:
            if (p->n)
                buf_add_ch(out, ']');
            if (p->flags & PRODUCT_STOCK) {
                size_t mark = out->len;
                buf_add_c(out, ",\"stock_item\":");
                bool found;
                enum err e = add_stock_item(p->db, p->id, out, &found);
                if (e)
                    return e;
                if (!found)
                    out->len = mark;
            }
            buf_add_c(out, "},\"product_links\":[],\"options\":[],\"media_gallery_entries\":[");
            break;
        case 3:
            buf_add_c(out, "],\"tier_prices\":[");
            break;
        case 4:
            buf_add_ch(out, ']');
            break;
        case 5:
            if (p->cats.len) {
                buf_add_c(out, p->n ? ",{\"attribute_code\":\"category_ids\",\"value\":["
                                    : ",\"custom_attributes\":[{\"attribute_code\":"
                                      "\"category_ids\",\"value\":[");
                buf_add_str(out, buf_str(&p->cats));
                buf_add_c(out, "]}");
                p->n++;
            }
            if (p->n)
                buf_add_ch(out, ']');
            buf_add_ch(out, '}');
            break;
        }
        p->stage++;
        p->n = 0;
    }
    return ERR_OK;
}

static void add_part(struct parts *p, struct db_stmt *st, int kind)
{
    struct buf *out = p->out;
    switch (kind) {
    case 1:
        if (p->n++)
            buf_add_ch(out, ',');
        buf_add_i64(out, db_col_i64(st, 3));
        break;
    case 2:
        buf_add_c(out, p->n++ ? ",{\"position\":" : ",\"category_links\":[{\"position\":");
        buf_add_i64(out, db_col_i64(st, 4));
        buf_add_c(out, ",\"category_id\":\"");
        buf_add_i64(out, db_col_i64(st, 3));
        buf_add_c(out, "\"}");
        buf_add_c(&p->cats, p->cats.len ? ",\"" : "\"");
        buf_add_i64(&p->cats, db_col_i64(st, 3));
        buf_add_ch(&p->cats, '"');
        break;
    case 3: {
        buf_add_c(out, p->n++ ? ",{\"id\":" : "{\"id\":");
        buf_add_i64(out, db_col_i64(st, 3));
        buf_add_c(out, ",\"media_type\":");
        buf_json_str(out, db_col_text(st, 8));
        buf_add_c(out, ",\"label\":");
        if (db_col_null(st, 9))
            buf_add_c(out, "null");
        else
            buf_json_str(out, db_col_text(st, 9));
        buf_add_c(out, ",\"position\":");
        buf_add_i64(out, db_col_i64(st, 4));
        buf_add_c(out, db_col_i64(st, 5) ? ",\"disabled\":true,\"types\":["
                                         : ",\"disabled\":false,\"types\":[");
        struct str rest = db_col_text(st, 10);
        for (int k = 0; rest.p && rest.len;) {
            struct str t = str_cut(rest, ',', &rest);
            if (!t.len)
                continue;
            if (k++)
                buf_add_ch(out, ',');
            buf_json_str(out, t);
        }
        buf_add_c(out, "],\"file\":");
        buf_json_str(out, db_col_text(st, 11));
        buf_add_ch(out, '}');
        break;
    }
    case 4:
        buf_add_c(out, p->n++ ? ",{\"customer_group_id\":" : "{\"customer_group_id\":");
        buf_add_i64(out, db_col_i64(st, 3));
        buf_add_c(out, ",\"qty\":");
        add_num(out, db_col_double(st, 6));
        buf_add_c(out, ",\"value\":");
        add_num(out, db_col_double(st, 7));
        buf_add_c(out, ",\"extension_attributes\":{\"website_id\":0}}");
        break;
    case 5: {
        /* rows come store view first: a default value behind a store view's own is skipped */
        struct str code = db_col_text(st, 8);
        bool same = code.len < sizeof(p->last_code) && strlen(p->last_code) == code.len &&
                    memcmp(p->last_code, code.p, code.len) == 0;
        if (same)
            break;
        if (code.len < sizeof(p->last_code)) {
            memcpy(p->last_code, code.p, code.len);
            p->last_code[code.len] = '\0';
        }
        if (db_col_null(st, 9))
            break;
        buf_add_c(out, p->n++ ? ",{\"attribute_code\":"
                              : ",\"custom_attributes\":[{\"attribute_code\":");
        buf_json_str(out, code);
        buf_add_c(out, ",\"value\":");
        buf_json_str(out, db_col_text(st, 9));
        buf_add_ch(out, '}');
        break;
    }
    }
}

static enum err write_product(struct db *db, int64_t id, int64_t store_id, int flags,
                              struct db_stmt *row, struct buf *out)
{
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, id);
    buf_add_c(out, ",\"sku\":");
    buf_json_str(out, db_col_text(row, 1));
    buf_add_c(out, ",\"name\":");
    buf_json_str(out, db_col_text(row, 2));
    buf_add_c(out, ",\"attribute_set_id\":");
    buf_add_i64(out, db_col_i64(row, 3));
    buf_add_c(out, ",\"price\":");
    add_num(out, db_col_double(row, 4));
    buf_add_c(out, ",\"status\":");
    buf_add_i64(out, db_col_i64(row, 5));
    buf_add_c(out, ",\"visibility\":");
    buf_add_i64(out, db_col_i64(row, 6));
    buf_add_c(out, ",\"type_id\":");
    buf_json_str(out, db_col_text(row, 7));
    buf_add_c(out, ",\"created_at\":");
    add_datetime(out, db_col_i64(row, 8));
    buf_add_c(out, ",\"updated_at\":");
    add_datetime(out, db_col_i64(row, 9));
    if (!db_col_null(row, 10)) {
        buf_add_c(out, ",\"weight\":");
        add_num(out, db_col_double(row, 10));
    }
    struct parts p = {.db = db, .out = out, .id = id, .flags = flags};
    buf_init(&p.cats, out->arena, 32);
    struct db_stmt *st;
    enum err e = db_prepare(db, product_parts_sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, store_id);
    bool r;
    while (!(e = db_next(st, &r)) && r) {
        int kind = (int)db_col_i64(st, 0);
        if (kind < 1 || kind > 5)
            continue;
        if ((e = enter_stage(&p, kind))) {
            db_done(st);
            return e;
        }
        add_part(&p, st, kind);
    }
    if (e)
        return e;
    return enter_stage(&p, 6);
}

enum err product_json_row(struct db *db, struct db_stmt *row, int64_t store_id, int flags,
                          struct arena *a, struct buf *out)
{
    (void)a;
    return write_product(db, db_col_i64(row, 0), store_id, flags, row, out);
}

#define OVP(code)                                                                                  \
    "(SELECT v.value FROM catalog_product_value v WHERE v.product_id = p.entity_id"                \
    " AND v.store_id = $2 AND v.attribute_code = '" code "')"

enum err product_json_sku(struct db *db, struct str sku, int64_t store_id, int flags,
                          struct arena *a, struct buf *out)
{
    (void)a;
    /* one cached statement whatever the store: the store view's values are point lookups */
    struct db_stmt *st;
    enum err e =
        db_prepare(db,
                   SELECT_COLS("COALESCE(" OVP("name") ", p.name)",
                               "COALESCE(CAST(" OVP("status") " AS INTEGER), p.status)",
                               "COALESCE(CAST(" OVP(
                                   "visibility") " AS INTEGER), p.visibility)") " WHERE p.sku = $1",
                   &st);
    if (e)
        return e;
    db_bind_text(st, 1, sku);
    db_bind_i64(st, 2, store_id);
    bool row = false;
    e = db_next(st, &row);
    if (!e && !row)
        e = ERR_PRODUCT_NOT_FOUND;
    if (!e) {
        e = write_product(db, db_col_i64(st, 0), store_id, flags, st, out);
        db_done(st);
    }
    return e;
}

/* --- binding a product body (reference section 5.2) --- */

static enum err as_float(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                         double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return ERR_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        double d = strtod(s, &end);
        if (*s && *end == '\0' && isfinite(d) && !strpbrk(s, "xXnNiI")) {
            *out = d;
            return ERR_OK;
        }
    }
    return bind_type_error(a, qe, field, v, "float");
}

struct product_in {
    const char *sku, *name, *type_id;
    bool has_name, has_set, has_price, has_status, has_visibility, has_type, has_weight;
    int64_t attribute_set_id, status, visibility;
    double price, weight;
    bool weight_null;
    json_t *custom, *websites, *category_links, *stock, *tier, *media;
};

static enum err bind_stock(struct arena *a, json_t *obj, struct query_error *qe);

static enum err bind_extension(struct arena *a, json_t *ext, struct product_in *in,
                               struct query_error *qe)
{
    if (!json_is_object(ext))
        return bind_type_error(a, qe, "extension_attributes", ext, "object");
    const char *key;
    json_t *v;
    json_object_foreach(ext, key, v)
    {
        const char *k = bind_snake(a, key);
        if (json_is_null(v))
            continue;
        if (strcmp(k, "website_ids") == 0) {
            if (!json_is_array(v))
                return bind_type_error(a, qe, "website_ids", v, "int[]");
            size_t i;
            json_t *w;
            json_array_foreach(v, i, w)
            {
                int64_t id;
                enum err e = bind_as_int(a, qe, "website_ids", w, &id);
                if (e)
                    return e;
            }
            in->websites = v;
        } else if (strcmp(k, "category_links") == 0) {
            if (!json_is_array(v))
                return bind_type_error(a, qe, "category_links", v, "array");
            size_t i;
            json_t *l;
            json_array_foreach(v, i, l)
            {
                if (!json_is_object(l))
                    return bind_type_error(a, qe, "category_links", l, "object");
                const char *lk;
                json_t *lv;
                json_object_foreach(l, lk, lv)
                {
                    const char *s = bind_snake(a, lk);
                    int64_t x;
                    if (strcmp(s, "position") != 0 && strcmp(s, "category_id") != 0 &&
                        strcmp(s, "extension_attributes") != 0)
                        return bind_unknown_key(a, qe, lk);
                    if (strcmp(s, "extension_attributes") != 0 && !json_is_null(lv)) {
                        enum err e = bind_as_int(a, qe, s, lv, &x);
                        if (e)
                            return e;
                    }
                }
                if (!json_object_get(l, "category_id") && !json_object_get(l, "categoryId"))
                    return bind_fail(qe, ERR_REQUIRED_FIELD, NULL,
                                     json_pack("{s:s}", "fieldName", "category_id"));
            }
            in->category_links = v;
        } else if (strcmp(k, "stock_item") == 0) {
            enum err e = bind_stock(a, v, qe);
            if (e)
                return e;
            in->stock = v;
        } else {
            return bind_unknown_key(a, qe, key);
        }
    }
    return ERR_OK;
}

static enum err bind_product(struct arena *a, json_t *p, struct product_in *in,
                             struct query_error *qe)
{
    memset(in, 0, sizeof(*in));
    const char *key;
    json_t *v;
    enum err e = ERR_OK;
    json_object_foreach(p, key, v)
    {
        const char *k = bind_snake(a, key);
        if (json_is_null(v)) {
            if (strcmp(k, "weight") == 0) {
                in->has_weight = true;
                in->weight_null = true;
            }
            continue;
        }
        if (strcmp(k, "sku") == 0) {
            e = bind_as_string(a, qe, "sku", v, &in->sku);
        } else if (strcmp(k, "name") == 0) {
            e = bind_as_string(a, qe, "name", v, &in->name);
            in->has_name = true;
        } else if (strcmp(k, "attribute_set_id") == 0) {
            e = bind_as_int(a, qe, key, v, &in->attribute_set_id);
            in->has_set = true;
        } else if (strcmp(k, "price") == 0) {
            e = as_float(a, qe, key, v, &in->price);
            in->has_price = true;
        } else if (strcmp(k, "status") == 0) {
            e = bind_as_int(a, qe, key, v, &in->status);
            in->has_status = true;
        } else if (strcmp(k, "visibility") == 0) {
            e = bind_as_int(a, qe, key, v, &in->visibility);
            in->has_visibility = true;
        } else if (strcmp(k, "type_id") == 0) {
            e = bind_as_string(a, qe, key, v, &in->type_id);
            in->has_type = true;
        } else if (strcmp(k, "weight") == 0) {
            e = as_float(a, qe, key, v, &in->weight);
            in->has_weight = true;
        } else if (strcmp(k, "id") == 0 || strcmp(k, "created_at") == 0 ||
                   strcmp(k, "updated_at") == 0) {
            /* read-only: Magento ignores them on save */
            int64_t x;
            const char *s;
            bool is_id = strcmp(k, "id") == 0;
            e = is_id ? bind_as_int(a, qe, k, v, &x) : bind_as_string(a, qe, k, v, &s);
        } else if (strcmp(k, "extension_attributes") == 0) {
            e = bind_extension(a, v, in, qe);
        } else if (strcmp(k, "custom_attributes") == 0) {
            if (!json_is_array(v) && !json_is_object(v))
                e = bind_type_error(a, qe, key, v, "array");
            in->custom = v;
        } else if (strcmp(k, "tier_prices") == 0) {
            if (!json_is_array(v))
                e = bind_type_error(a, qe, key, v, "array");
            in->tier = v;
        } else if (strcmp(k, "media_gallery_entries") == 0) {
            if (!json_is_array(v))
                e = bind_type_error(a, qe, key, v, "array");
            in->media = v;
        } else if (strcmp(k, "product_links") == 0 || strcmp(k, "options") == 0) {
            /* links and custom options are not stored yet: accepted only when empty */
            if (!json_is_array(v))
                e = bind_type_error(a, qe, key, v, "array");
            else if (json_array_size(v))
                e = bind_unknown_key(a, qe, key);
        } else {
            e = bind_unknown_key(a, qe, key);
        }
        if (e)
            return e;
    }
    if (in->has_status && in->status != 1 && in->status != 2)
        return bind_fail(qe, ERR_INVALID, "Invalid attribute value for \"%1\": %2",
                         json_pack("[sI]", "status", (json_int_t)in->status));
    if (in->has_visibility && (in->visibility < 1 || in->visibility > 4))
        return bind_fail(qe, ERR_INVALID, "Invalid attribute value for \"%1\": %2",
                         json_pack("[sI]", "visibility", (json_int_t)in->visibility));
    if (in->has_type) {
        static const char *const types[] = {"simple", "virtual", "configurable",
                                            "bundle", "grouped", "downloadable"};
        bool ok = false;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            ok = ok || strcmp(in->type_id, types[i]) == 0;
        if (!ok)
            return bind_fail(qe, ERR_INVALID, "Invalid attribute value for \"%1\": %2",
                             json_pack("[ss]", "type_id", in->type_id));
    }
    return ERR_OK;
}

static enum err run1(struct db *db, const char *sql, int64_t a1, int64_t a2)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, a1);
    if (strstr(sql, "$2"))
        db_bind_i64(st, 2, a2);
    return db_run(st, NULL);
}

static enum err put_value(struct db *db, int64_t id, int64_t store, const char *code,
                          const char *value)
{
    struct db_stmt *st;
    enum err e;
    if (!value) {
        e = db_prepare(db,
                       "DELETE FROM catalog_product_value WHERE product_id = $1 AND store_id = $2"
                       " AND attribute_code = $3",
                       &st);
    } else {
        e = db_prepare(db,
                       "INSERT INTO catalog_product_value (product_id, store_id, attribute_code,"
                       " value) VALUES ($1, $2, $3, $4) ON CONFLICT (product_id, store_id,"
                       " attribute_code) DO UPDATE SET value = excluded.value",
                       &st);
    }
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, store);
    db_bind_text(st, 3, str_c(code));
    if (value)
        db_bind_text(st, 4, str_c(value));
    return db_run(st, NULL);
}

/* scope of an attribute (0 store view, 1 global, 2 website); -1 when unknown */
static enum err attribute_scope(struct db *db, const char *code, int *scope, bool *custom)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(db, "SELECT scope, is_custom FROM eav_attribute WHERE attribute_code = $1", &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(code));
    bool row = false;
    e = db_next(st, &row);
    *scope = row ? (int)db_col_i64(st, 0) : -1;
    *custom = row && db_col_i64(st, 1);
    if (row)
        db_done(st);
    return e;
}

static enum err save_categories(struct db *db, int64_t id, json_t *links, json_t *ids)
{
    enum err e = run1(db, "DELETE FROM catalog_category_product WHERE product_id = $1", id, 0);
    size_t i;
    json_t *l;
    json_array_foreach(links ? links : ids, i, l)
    {
        if (e)
            break;
        int64_t cat = 0, pos = 0;
        json_t *c = links ? json_object_get(l, "category_id") : l;
        if (links && !c)
            c = json_object_get(l, "categoryId");
        json_t *p = links ? json_object_get(l, "position") : NULL;
        if (json_is_integer(c))
            cat = json_integer_value(c);
        else if (json_is_string(c))
            str_to_i64(str_c(json_string_value(c)), &cat);
        if (json_is_integer(p))
            pos = json_integer_value(p);
        else if (json_is_string(p))
            str_to_i64(str_c(json_string_value(p)), &pos);
        struct db_stmt *st;
        if ((e = db_prepare(db, "SELECT 1 FROM catalog_category WHERE entity_id = $1", &st)))
            break;
        db_bind_i64(st, 1, cat);
        bool row = false;
        if ((e = db_next(st, &row)))
            break;
        if (!row)
            return ERR_NO_SUCH_ENTITY;
        db_done(st);
        if ((e = db_prepare(db,
                            "INSERT INTO catalog_category_product (category_id, product_id,"
                            " position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            &st)))
            break;
        db_bind_i64(st, 1, cat);
        db_bind_i64(st, 2, id);
        db_bind_i64(st, 3, pos);
        e = db_run(st, NULL);
    }
    return e;
}

static enum err save_custom(struct db *db, struct arena *a, int64_t id, int64_t store_id,
                            json_t *custom, json_t **category_ids, struct query_error *qe)
{
    /* a list of {attribute_code, value}, or a map code -> value */
    size_t n = json_is_array(custom) ? json_array_size(custom) : 0;
    void *iter = json_is_object(custom) ? json_object_iter(custom) : NULL;
    for (size_t i = 0; i < n || iter; i++) {
        const char *code;
        json_t *value;
        if (iter) {
            code = json_object_iter_key(iter);
            value = json_object_iter_value(iter);
            iter = json_object_iter_next(custom, iter);
        } else {
            json_t *item = json_array_get(custom, i);
            if (!json_is_object(item) || json_object_size(item) == 0)
                return bind_fail(qe, ERR_INVALID, "There is an empty custom attribute specified.",
                                 NULL);
            json_t *c = json_object_get(item, "attribute_code");
            if (!c)
                c = json_object_get(item, "attributeCode");
            if (!json_is_string(c) || !json_string_length(c))
                return bind_fail(qe, ERR_INVALID,
                                 "A custom attribute is specified without an attribute code.",
                                 NULL);
            code = json_string_value(c);
            if (!json_object_get(item, "value"))
                return bind_fail(qe, ERR_INVALID, "Value is not set for attribute code \"%1\"",
                                 json_pack("[s]", code));
            value = json_object_get(item, "value");
        }
        if (strcmp(code, "category_ids") == 0) {
            if (json_is_string(value)) /* "3,4" */
                value = json_pack("[s]", json_string_value(value));
            else
                json_incref(value);
            if (!json_is_array(value)) {
                json_decref(value);
                return bind_type_error(a, qe, "category_ids", value, "array");
            }
            json_decref(*category_ids);
            *category_ids = value;
            continue;
        }
        int scope;
        bool is_custom;
        enum err e = attribute_scope(db, code, &scope, &is_custom);
        if (e)
            return e;
        if (scope < 0 || !is_custom)
            continue; /* Magento ignores attributes outside the product's set */
        const char *text = NULL;
        if (!json_is_null(value) && (e = bind_as_string(a, qe, code, value, &text)))
            return e;
        e = put_value(db, id, scope == 0 ? store_id : 0, code, text);
        if (e)
            return e;
    }
    return ERR_OK;
}

static enum err save_tier(struct db *db, struct arena *a, int64_t id, json_t *tier,
                          struct query_error *qe)
{
    enum err e = run1(db, "DELETE FROM catalog_product_tier_price WHERE product_id = $1", id, 0);
    size_t i;
    json_t *t;
    json_array_foreach(tier, i, t)
    {
        if (e)
            return e;
        if (!json_is_object(t))
            return bind_type_error(a, qe, "tier_prices", t, "object");
        int64_t group = 32000;
        double qty = 1, value = 0;
        const char *k;
        json_t *v;
        json_object_foreach(t, k, v)
        {
            const char *s = bind_snake(a, k);
            if (strcmp(s, "customer_group_id") == 0)
                e = bind_as_int(a, qe, k, v, &group);
            else if (strcmp(s, "qty") == 0)
                e = as_float(a, qe, k, v, &qty);
            else if (strcmp(s, "value") == 0)
                e = as_float(a, qe, k, v, &value);
            else if (strcmp(s, "extension_attributes") != 0)
                e = bind_unknown_key(a, qe, k);
            if (e)
                return e;
        }
        struct db_stmt *st;
        if ((e = db_prepare(db,
                            "INSERT INTO catalog_product_tier_price (product_id,"
                            " customer_group_id, qty, value) VALUES ($1, $2, $3, $4)",
                            &st)))
            return e;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, group);
        db_bind_text(st, 3, str_c(arena_printf(a, "%.17g", qty)));
        db_bind_text(st, 4, str_c(arena_printf(a, "%.17g", value)));
        e = db_run(st, NULL);
    }
    return e;
}

/* The stock item fields a client may write (reference 8.1 StockItem). */
static enum err bind_stock(struct arena *a, json_t *obj, struct query_error *qe)
{
    if (!json_is_object(obj))
        return bind_type_error(a, qe, "stock_item", obj, "object");
    static const char *const known[] = {"item_id",
                                        "product_id",
                                        "stock_id",
                                        "qty",
                                        "is_in_stock",
                                        "is_qty_decimal",
                                        "show_default_notification_message",
                                        "use_config_min_qty",
                                        "min_qty",
                                        "use_config_min_sale_qty",
                                        "min_sale_qty",
                                        "use_config_max_sale_qty",
                                        "max_sale_qty",
                                        "use_config_backorders",
                                        "backorders",
                                        "use_config_notify_stock_qty",
                                        "notify_stock_qty",
                                        "use_config_qty_increments",
                                        "qty_increments",
                                        "use_config_enable_qty_inc",
                                        "enable_qty_increments",
                                        "use_config_manage_stock",
                                        "manage_stock",
                                        "low_stock_date",
                                        "is_decimal_divided",
                                        "stock_status_changed_auto",
                                        "extension_attributes"};
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        const char *s = bind_snake(a, k);
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
            ok = strcmp(s, known[i]) == 0;
        if (!ok)
            return bind_unknown_key(a, qe, k);
        if (json_is_null(v))
            continue;
        double d;
        bool b;
        enum err e = ERR_OK;
        if (strcmp(s, "qty") == 0 || strcmp(s, "min_qty") == 0 || strcmp(s, "min_sale_qty") == 0 ||
            strcmp(s, "max_sale_qty") == 0 || strcmp(s, "notify_stock_qty") == 0)
            e = as_float(a, qe, k, v, &d);
        else if (strcmp(s, "is_in_stock") == 0 || strcmp(s, "is_qty_decimal") == 0 ||
                 strcmp(s, "manage_stock") == 0)
            e = bind_as_bool(a, qe, k, v, &b);
        if (e)
            return e;
    }
    return ERR_OK;
}

static json_t *stock_get(json_t *obj, const char *snake_key, const char *camel)
{
    json_t *v = json_object_get(obj, snake_key);
    if (!v && camel)
        v = json_object_get(obj, camel);
    return v && !json_is_null(v) ? v : NULL;
}

static enum err save_stock(struct db *db, struct arena *a, int64_t id, json_t *obj,
                           struct query_error *qe)
{
    enum err e = run1(db,
                      "INSERT INTO cataloginventory_stock_item (product_id, qty, is_in_stock)"
                      " VALUES ($1, 0, 0) ON CONFLICT (product_id) DO NOTHING",
                      id, 0);
    if (e || !obj)
        return e;
    static const struct {
        const char *key, *camel;
        int kind; /* 0 float, 1 bool, 2 int */
    } cols[] = {
        {"qty", NULL, 0},
        {"is_in_stock", "isInStock", 1},
        {"is_qty_decimal", "isQtyDecimal", 1},
        {"min_qty", "minQty", 0},
        {"min_sale_qty", "minSaleQty", 0},
        {"max_sale_qty", "maxSaleQty", 0},
        {"backorders", NULL, 2},
        {"notify_stock_qty", "notifyStockQty", 0},
        {"manage_stock", "manageStock", 1},
    };
    /* one statement: a column keeps its value where the body has none ($n NULL) */
    struct db_stmt *st;
    if ((e = db_prepare(db,
                        "UPDATE cataloginventory_stock_item SET"
                        " qty = COALESCE(CAST($2 AS DOUBLE PRECISION), qty),"
                        " is_in_stock = COALESCE($3, is_in_stock),"
                        " is_qty_decimal = COALESCE($4, is_qty_decimal),"
                        " min_qty = COALESCE(CAST($5 AS DOUBLE PRECISION), min_qty),"
                        " min_sale_qty = COALESCE(CAST($6 AS DOUBLE PRECISION), min_sale_qty),"
                        " max_sale_qty = COALESCE(CAST($7 AS DOUBLE PRECISION), max_sale_qty),"
                        " backorders = COALESCE($8, backorders),"
                        " notify_stock_qty = COALESCE(CAST($9 AS DOUBLE PRECISION),"
                        " notify_stock_qty), manage_stock = COALESCE($10, manage_stock)"
                        " WHERE product_id = $1",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        int idx = (int)i + 2;
        json_t *v = stock_get(obj, cols[i].key, cols[i].camel);
        if (!v) {
            db_bind_null(st, idx);
        } else if (cols[i].kind == 0) {
            double d = 0;
            if ((e = as_float(a, qe, cols[i].key, v, &d)))
                return e;
            db_bind_text(st, idx, str_c(arena_printf(a, "%.17g", d)));
        } else if (cols[i].kind == 1) {
            bool b = false;
            if ((e = bind_as_bool(a, qe, cols[i].key, v, &b)))
                return e;
            db_bind_i64(st, idx, b);
        } else {
            int64_t n = 0;
            if ((e = bind_as_int(a, qe, cols[i].key, v, &n)))
                return e;
            db_bind_i64(st, idx, n);
        }
    }
    if ((e = db_run(st, NULL)))
        return e;
    /* Magento keeps low_stock_date: set when qty falls to notify_stock_qty, cleared above it */
    return run1(db,
                "UPDATE cataloginventory_stock_item SET low_stock_date = CASE WHEN manage_stock ="
                " 1 AND qty < notify_stock_qty THEN COALESCE(low_stock_date, $2) ELSE NULL END"
                " WHERE product_id = $1",
                id, clock_now());
}

static enum err save_in_txn(struct db *db, struct product_in *in, int64_t store_id, struct arena *a,
                            int64_t *id, struct query_error *qe, struct gallery_txn *media)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "SELECT entity_id FROM catalog_product WHERE sku = $1", &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(in->sku));
    bool exists = false;
    if ((e = db_next(st, &exists)))
        return e;
    int64_t now = clock_now();
    if (exists) {
        *id = db_col_i64(st, 0);
        db_done(st);
    } else {
        if (!in->has_name || !*in->name)
            return bind_fail(
                qe, ERR_INVALID,
                "The \"%1\" attribute value is empty. Set the attribute and try again.",
                json_pack("[s]", "name"));
        if (!in->has_price)
            return bind_fail(
                qe, ERR_INVALID,
                "The \"%1\" attribute value is empty. Set the attribute and try again.",
                json_pack("[s]", "price"));
        if ((e = db_prepare(db,
                            "INSERT INTO catalog_product (sku, name, attribute_set_id, price,"
                            " status, visibility, type_id, weight, created_at, updated_at)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING entity_id",
                            &st)))
            return e;
        db_bind_text(st, 1, str_c(in->sku));
        db_bind_text(st, 2, str_c(in->name));
        db_bind_i64(st, 3, in->has_set ? in->attribute_set_id : 4);
        db_bind_text(st, 4, str_c(arena_printf(a, "%.17g", in->price)));
        db_bind_i64(st, 5, in->has_status ? in->status : 1);
        db_bind_i64(st, 6, in->has_visibility ? in->visibility : 4);
        db_bind_text(st, 7, str_c(in->has_type ? in->type_id : "simple"));
        if (in->has_weight && !in->weight_null)
            db_bind_text(st, 8, str_c(arena_printf(a, "%.17g", in->weight)));
        else
            db_bind_null(st, 8);
        db_bind_i64(st, 9, now);
        bool row = false;
        if ((e = db_next(st, &row)))
            return e;
        if (!row)
            return ERR_DB;
        *id = db_col_i64(st, 0);
        db_done(st);
        if (!in->websites && (e = run1(db,
                                       "INSERT INTO catalog_product_website (product_id,"
                                       " website_id) VALUES ($1, 1)",
                                       *id, 0)))
            return e;
        in->has_name = in->has_status = in->has_visibility = false; /* written above */
    }
    if (in->has_set) {
        if ((e = db_prepare(db, "SELECT 1 FROM eav_attribute_set WHERE attribute_set_id = $1",
                            &st)))
            return e;
        db_bind_i64(st, 1, in->attribute_set_id);
        bool row = false;
        if ((e = db_next(st, &row)))
            return e;
        if (!row)
            return bind_fail(qe, ERR_NO_SUCH_ENTITY, NULL,
                             json_pack("{s:s,s:I}", "fieldName", "attributeSetId", "fieldValue",
                                       (json_int_t)in->attribute_set_id));
        db_done(st);
    }
    /* global columns; name/status/visibility go to the store view when one is addressed */
    bool scoped = store_id > 0;
    if ((e = db_prepare(db,
                        "UPDATE catalog_product SET name = CASE WHEN $2 = 1 THEN $3 ELSE name END,"
                        " attribute_set_id = COALESCE($4, attribute_set_id),"
                        " price = COALESCE(CAST($5 AS DOUBLE PRECISION), price),"
                        " status = COALESCE($6, status), visibility = COALESCE($7, visibility),"
                        " type_id = COALESCE($8, type_id),"
                        " weight = CASE WHEN $9 = 1 THEN CAST($10 AS DOUBLE PRECISION) ELSE weight"
                        " END, updated_at = $11 WHERE entity_id = $1",
                        &st)))
        return e;
    db_bind_i64(st, 1, *id);
    db_bind_i64(st, 2, in->has_name && !scoped);
    db_bind_text(st, 3, str_c(in->name ? in->name : ""));
    if (in->has_set)
        db_bind_i64(st, 4, in->attribute_set_id);
    else
        db_bind_null(st, 4);
    if (in->has_price)
        db_bind_text(st, 5, str_c(arena_printf(a, "%.17g", in->price)));
    else
        db_bind_null(st, 5);
    if (in->has_status && !scoped)
        db_bind_i64(st, 6, in->status);
    else
        db_bind_null(st, 6);
    if (in->has_visibility && !scoped)
        db_bind_i64(st, 7, in->visibility);
    else
        db_bind_null(st, 7);
    if (in->has_type)
        db_bind_text(st, 8, str_c(in->type_id));
    else
        db_bind_null(st, 8);
    db_bind_i64(st, 9, in->has_weight);
    if (in->has_weight && !in->weight_null)
        db_bind_text(st, 10, str_c(arena_printf(a, "%.17g", in->weight)));
    else
        db_bind_null(st, 10);
    db_bind_i64(st, 11, now);
    if ((e = db_run(st, NULL)))
        return e;
    if (scoped) {
        if (in->has_name && (e = put_value(db, *id, store_id, "name", in->name)))
            return e;
        if (in->has_status &&
            (e = put_value(db, *id, store_id, "status", arena_printf(a, "%" PRId64, in->status))))
            return e;
        if (in->has_visibility && (e = put_value(db, *id, store_id, "visibility",
                                                 arena_printf(a, "%" PRId64, in->visibility))))
            return e;
    }
    json_t *category_ids = NULL;
    if (in->custom && (e = save_custom(db, a, *id, store_id, in->custom, &category_ids, qe))) {
        json_decref(category_ids);
        return e;
    }
    if (in->category_links || category_ids)
        e = save_categories(db, *id, in->category_links, category_ids);
    json_decref(category_ids);
    if (e == ERR_NO_SUCH_ENTITY)
        return bind_fail(qe, ERR_INVALID,
                         "Could not save product \"%1\" with position %2 to category %3",
                         json_pack("[Iss]", (json_int_t)*id, "-", "-"));
    if (e)
        return e;
    if (in->websites) {
        if ((e = run1(db, "DELETE FROM catalog_product_website WHERE product_id = $1", *id, 0)))
            return e;
        size_t i;
        json_t *w;
        json_array_foreach(in->websites, i, w)
        {
            int64_t wid = 0;
            bind_as_int(a, qe, "website_ids", w, &wid);
            if ((e = db_prepare(db,
                                "SELECT 1 FROM store_website WHERE website_id = $1 AND"
                                " website_id > 0",
                                &st)))
                return e;
            db_bind_i64(st, 1, wid);
            bool row = false;
            if ((e = db_next(st, &row)))
                return e;
            if (!row)
                return bind_fail(qe, ERR_NO_SUCH_ENTITY, NULL,
                                 json_pack("{s:s,s:I}", "fieldName", "website_id", "fieldValue",
                                           (json_int_t)wid));
            db_done(st);
            if ((e = run1(db,
                          "INSERT INTO catalog_product_website (product_id, website_id) VALUES"
                          " ($1, $2) ON CONFLICT DO NOTHING",
                          *id, wid)))
                return e;
        }
    }
    if ((e = save_stock(db, a, *id, in->stock, qe)))
        return e;
    if (in->tier && (e = save_tier(db, a, *id, in->tier, qe)))
        return e;
    if (in->media && (e = gallery_save_entries(db, a, *id, store_id, in->media, media, qe)))
        return e;
    return ERR_OK;
}

enum err product_validate(struct arena *a, json_t *product, struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    if (!json_is_object(product))
        return bind_type_error(a, qe, "product", product, "object");
    struct product_in in;
    return bind_product(a, product, &in, qe);
}

enum err stock_item_validate(struct arena *a, json_t *item, struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    return bind_stock(a, item, qe);
}

enum err product_save_tx(struct db *db, json_t *product, int64_t store_id, struct arena *a,
                         int64_t *id, struct query_error *qe, struct gallery_txn *media)
{
    memset(qe, 0, sizeof(*qe));
    if (!json_is_object(product))
        return bind_type_error(a, qe, "product", product, "object");
    struct product_in in;
    enum err e = bind_product(a, product, &in, qe);
    if (e)
        return e;
    if (!in.sku || !*in.sku)
        return bind_fail(qe, ERR_REQUIRED_FIELD, NULL, json_pack("{s:s}", "fieldName", "sku"));
    if (strlen(in.sku) > PRODUCT_SKU_MAX)
        return bind_fail(qe, ERR_INVALID, "SKU length should be 64 characters maximum.", NULL);
    return save_in_txn(db, &in, store_id, a, id, qe, media);
}

enum err product_save(struct db *db, json_t *product, int64_t store_id, struct arena *a,
                      int64_t *id, struct query_error *qe)
{
    enum err e = db_begin(db);
    if (e)
        return e;
    e = product_save_tx(db, product, store_id, a, id, qe, NULL);
    if (!e)
        e = catalog_touch(db);
    if (e) {
        db_rollback(db);
        return e;
    }
    return db_commit(db);
}

enum err product_delete(struct db *db, struct str sku)
{
    struct db_stmt *st;
    enum err e = db_begin(db);
    if (e)
        return e;
    if (!(e = db_prepare(db, "DELETE FROM catalog_product WHERE sku = $1", &st))) {
        db_bind_text(st, 1, sku);
        int64_t n = 0;
        e = db_run(st, &n);
        if (!e && n == 0)
            e = ERR_PRODUCT_NOT_FOUND;
    }
    if (!e)
        e = catalog_touch(db);
    if (e) {
        db_rollback(db);
        return e;
    }
    return db_commit(db);
}

void product_types_json(struct buf *out)
{
    buf_add_c(out, "[{\"name\":\"simple\",\"label\":\"Simple Product\"},"
                   "{\"name\":\"virtual\",\"label\":\"Virtual Product\"},"
                   "{\"name\":\"downloadable\",\"label\":\"Downloadable Product\"},"
                   "{\"name\":\"configurable\",\"label\":\"Configurable Product\"},"
                   "{\"name\":\"grouped\",\"label\":\"Grouped Product\"},"
                   "{\"name\":\"bundle\",\"label\":\"Bundle Product\"}]");
}

enum err product_attribute_json(struct db *db, struct str code, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT attribute_id, attribute_code, frontend_input, backend_type,"
                            " frontend_label, is_required, is_user_defined, is_unique, scope"
                            " FROM eav_attribute WHERE attribute_code = $1",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, code);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NO_SUCH_ENTITY;
    static const char *const scopes[] = {"store", "global", "website"};
    int64_t scope = db_col_i64(st, 8);
    buf_add_c(out,
              "{\"is_wysiwyg_enabled\":false,\"is_html_allowed_on_front\":false,"
              "\"used_for_sort_by\":false,\"is_filterable\":false,"
              "\"is_filterable_in_search\":false,\"is_used_in_grid\":true,"
              "\"is_visible_in_grid\":false,\"is_filterable_in_grid\":true,\"position\":0,"
              "\"apply_to\":[],\"is_searchable\":\"0\",\"is_visible_in_advanced_search\":\"0\","
              "\"is_comparable\":\"0\",\"is_used_for_promo_rules\":\"0\","
              "\"is_visible_on_front\":\"0\",\"used_in_product_listing\":\"0\","
              "\"is_visible\":true,\"scope\":");
    buf_json_str(out, str_c(scopes[scope >= 0 && scope <= 2 ? scope : 0]));
    buf_add_c(out, ",\"attribute_id\":");
    buf_add_i64(out, db_col_i64(st, 0));
    buf_add_c(out, ",\"attribute_code\":");
    buf_json_str(out, db_col_text(st, 1));
    buf_add_c(out, ",\"frontend_input\":");
    buf_json_str(out, db_col_text(st, 2));
    buf_add_c(out, ",\"entity_type_id\":\"4\",\"is_required\":");
    buf_add_c(out, db_col_i64(st, 5) ? "true" : "false");
    buf_add_c(out, ",\"options\":[],\"is_user_defined\":");
    buf_add_c(out, db_col_i64(st, 6) ? "true" : "false");
    buf_add_c(out, ",\"default_frontend_label\":");
    buf_json_str(out, db_col_text(st, 4));
    buf_add_c(out, ",\"frontend_labels\":[],\"backend_type\":");
    buf_json_str(out, db_col_text(st, 3));
    buf_add_c(out, ",\"is_unique\":");
    buf_add_c(out, db_col_i64(st, 7) ? "\"1\"" : "\"0\"");
    buf_add_c(out, ",\"validation_rules\":[]}");
    db_done(st);
    return ERR_OK;
}

/* clang-format off */
static const struct sc_field set_fields[] = {
    {"attribute_set_id", "attribute_set_id", SC_INT, 0, NULL, NULL, NULL},
    {"attribute_set_name", "attribute_set_name", SC_TEXT, 0, NULL, NULL, NULL},
    {"sort_order", "sort_order", SC_INT, 0, NULL, NULL, NULL},
    {"entity_type_id", "entity_type_id", SC_INT, 0, NULL, NULL, NULL},
};
/* clang-format on */
const struct sc_entity product_attribute_set_entity = {
    set_fields, sizeof(set_fields) / sizeof(set_fields[0]), "attribute_set_id", NULL};

void product_attribute_set_json(struct db_stmt *row, struct buf *out)
{
    buf_add_c(out, "{\"attribute_set_id\":");
    buf_add_i64(out, db_col_i64(row, 0));
    buf_add_c(out, ",\"attribute_set_name\":");
    buf_json_str(out, db_col_text(row, 1));
    buf_add_c(out, ",\"sort_order\":");
    buf_add_i64(out, db_col_i64(row, 2));
    buf_add_c(out, ",\"entity_type_id\":");
    buf_add_i64(out, db_col_i64(row, 3));
    buf_add_ch(out, '}');
}

/* --- inventory --- */

enum err product_id_by_sku(struct db *db, struct str sku, int64_t *id)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "SELECT entity_id FROM catalog_product WHERE sku = $1", &st);
    if (e)
        return e;
    db_bind_text(st, 1, sku);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_PRODUCT_NOT_FOUND;
    *id = db_col_i64(st, 0);
    db_done(st);
    return ERR_OK;
}

enum err stock_item_json_sku(struct db *db, struct str sku, struct buf *out)
{
    int64_t id;
    enum err e = product_id_by_sku(db, sku, &id);
    bool found;
    if (!e)
        e = add_stock_item(db, id, out, &found);
    if (!e && !found)
        e = ERR_PRODUCT_NOT_FOUND;
    return e;
}

enum err stock_status_json_sku(struct db *db, struct str sku, struct buf *out)
{
    int64_t id;
    enum err e = product_id_by_sku(db, sku, &id);
    if (e)
        return e;
    struct db_stmt *st;
    if ((e = db_prepare(db,
                        "SELECT qty, is_in_stock FROM cataloginventory_stock_item WHERE"
                        " product_id = $1",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_PRODUCT_NOT_FOUND;
    double qty = db_col_double(st, 0);
    int64_t in_stock = db_col_i64(st, 1);
    db_done(st);
    buf_add_c(out, "{\"product_id\":");
    buf_add_i64(out, id);
    buf_add_c(out, ",\"stock_id\":1,\"qty\":");
    add_num(out, qty);
    buf_add_c(out, ",\"stock_status\":");
    buf_add_i64(out, in_stock);
    buf_add_c(out, ",\"stock_item\":");
    bool found;
    if ((e = add_stock_item(db, id, out, &found)))
        return e;
    buf_add_ch(out, '}');
    return ERR_OK;
}

enum err stock_item_save_tx(struct db *db, struct str sku, json_t *item, struct arena *a,
                            int64_t *item_id, struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    enum err e = bind_stock(a, item, qe);
    int64_t id = 0;
    if (!e)
        e = product_id_by_sku(db, sku, &id);
    if (!e)
        e = save_stock(db, a, id, item, qe);
    if (!e)
        e = run1(db, "UPDATE catalog_product SET updated_at = $2 WHERE entity_id = $1", id,
                 clock_now());
    *item_id = id;
    return e;
}

/* clang-format off */
static const struct sc_field low_fields[] = {
    {"qty", "s.qty", SC_FLOAT, 0, NULL, NULL, NULL},
    {"product_id", "s.product_id", SC_INT, 0, NULL, NULL, NULL},
};
/* clang-format on */
const struct sc_entity stock_low_entity = {low_fields, 2, "s.product_id", NULL};
