/* Categories (see category.h). */
#include "catalog/category.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog/cache.h"
#include "core/clock.h"
#include "query/bind.h"

static enum err no_such(struct query_error *qe, int64_t id)
{
    return bind_fail(qe, ERR_NO_SUCH_ENTITY, NULL,
                     json_pack("{s:s,s:I}", "fieldName", "id", "fieldValue", (json_int_t)id));
}

static void add_datetime(struct buf *out, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    gmtime_r(&tt, &tm);
    strftime(s, sizeof(s), "\"%Y-%m-%d %H:%M:%S\"", &tm);
    buf_add_c(out, s);
}

struct cat_row {
    int64_t id, parent, position, level, created, updated;
    bool active, menu;
    char name[256], path[512];
};

/* The category as store $2 sees it: the store view's own value of an attribute kept as a
 * column when it has one, else the column (the default scope). */
#define OWN(code)                                                                                  \
    "(SELECT v.value FROM catalog_category_value v WHERE v.category_id = c.entity_id"              \
    " AND v.store_id = $2 AND v.attribute_code = '" code "')"
/* clang-format off */
static const char load_sql[] =
    "SELECT c.entity_id, c.parent_id, COALESCE(" OWN("name") ", c.name), c.path, c.level,"
    " c.position, COALESCE(CAST(" OWN("is_active") " AS INTEGER), c.is_active), c.created_at,"
    " c.updated_at, COALESCE(CAST(" OWN("include_in_menu") " AS INTEGER), c.include_in_menu)"
    " FROM catalog_category c WHERE c.entity_id = $1";
/* clang-format on */

/* The category as a store view sees it (store 0: the default scope). */
static enum err load(struct db *db, int64_t id, int64_t store, struct cat_row *c, bool *found)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, load_sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, store);
    if ((e = db_next(st, found)) || !*found)
        return e;
    c->id = db_col_i64(st, 0);
    c->parent = db_col_i64(st, 1);
    struct str name = db_col_text(st, 2), path = db_col_text(st, 3);
    snprintf(c->name, sizeof(c->name), "%.*s", STR_FMT(name));
    snprintf(c->path, sizeof(c->path), "%.*s", STR_FMT(path));
    c->level = db_col_i64(st, 4);
    c->position = db_col_i64(st, 5);
    c->active = db_col_i64(st, 6) != 0;
    c->created = db_col_i64(st, 7);
    c->updated = db_col_i64(st, 8);
    c->menu = db_col_i64(st, 9) != 0;
    db_done(st);
    return ERR_OK;
}

enum err category_json(struct db *db, int64_t id, int64_t store, struct buf *out)
{
    struct cat_row c;
    bool found;
    enum err e = load(db, id, store, &c, &found);
    if (e)
        return e;
    if (!found || id == 1) /* the invisible root is not an entity a client reads */
        return ERR_NO_SUCH_ENTITY;
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, c.id);
    buf_add_c(out, ",\"parent_id\":");
    buf_add_i64(out, c.parent);
    buf_add_c(out, ",\"name\":");
    buf_json_str(out, str_c(c.name));
    buf_add_c(out, c.active ? ",\"is_active\":true" : ",\"is_active\":false");
    buf_add_c(out, ",\"position\":");
    buf_add_i64(out, c.position);
    buf_add_c(out, ",\"level\":");
    buf_add_i64(out, c.level);
    /* children: the direct children's ids, comma-separated, in position order */
    struct db_stmt *st;
    if ((e = db_prepare(db,
                        "SELECT entity_id FROM catalog_category WHERE parent_id = $1"
                        " ORDER BY position, entity_id",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    buf_add_c(out, ",\"children\":\"");
    bool row;
    for (int n = 0; !(e = db_next(st, &row)) && row; n++) {
        if (n)
            buf_add_ch(out, ',');
        buf_add_i64(out, db_col_i64(st, 0));
    }
    if (e)
        return e;
    buf_add_c(out, "\",\"created_at\":");
    add_datetime(out, c.created);
    buf_add_c(out, ",\"updated_at\":");
    add_datetime(out, c.updated);
    buf_add_c(out, ",\"path\":");
    buf_json_str(out, str_c(c.path));
    buf_add_c(out, ",\"available_sort_by\":[],\"include_in_menu\":");
    buf_add_c(out, c.menu ? "true" : "false");
    /* the store view's values and the default ones, the store view's first for each code; the
     * attributes kept as columns are written above */
    if ((e = db_prepare(db,
                        "SELECT attribute_code, value FROM catalog_category_value WHERE"
                        " category_id = $1 AND (store_id = 0 OR store_id = $2) AND value IS NOT"
                        " NULL AND attribute_code NOT IN ('name', 'is_active', 'include_in_menu')"
                        " ORDER BY attribute_code, store_id DESC",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, store);
    int n = 0;
    char last[128] = "";
    while (!(e = db_next(st, &row)) && row) {
        struct str code = db_col_text(st, 0);
        if (str_eq_c(code, last))
            continue; /* a default value behind the store view's own */
        snprintf(last, sizeof(last), "%.*s", STR_FMT(code));
        buf_add_c(out,
                  n++ ? ",{\"attribute_code\":" : ",\"custom_attributes\":[{\"attribute_code\":");
        buf_json_str(out, code);
        buf_add_c(out, ",\"value\":");
        buf_json_str(out, db_col_text(st, 1));
        buf_add_ch(out, '}');
    }
    if (e)
        return e;
    if (n)
        buf_add_ch(out, ']');
    buf_add_ch(out, '}');
    return ERR_OK;
}

static enum err tree_node(struct db *db, const struct cat_row *c, int64_t store, int depth,
                          int level, struct buf *out)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(db, "SELECT COUNT(*) FROM catalog_category_product WHERE category_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, c->id);
    bool row = false;
    int64_t count = 0;
    if ((e = db_next(st, &row)))
        return e;
    if (row) {
        count = db_col_i64(st, 0);
        db_done(st);
    }
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, c->id);
    buf_add_c(out, ",\"parent_id\":");
    buf_add_i64(out, c->parent);
    buf_add_c(out, ",\"name\":");
    buf_json_str(out, str_c(c->name));
    buf_add_c(out, c->active ? ",\"is_active\":true" : ",\"is_active\":false");
    buf_add_c(out, ",\"position\":");
    buf_add_i64(out, c->position);
    buf_add_c(out, ",\"level\":");
    buf_add_i64(out, c->level);
    buf_add_c(out, ",\"product_count\":");
    buf_add_i64(out, count);
    buf_add_c(out, ",\"children_data\":[");
    if ((depth < 0 || level < depth) && level < CATEGORY_MAX_DEPTH) {
        /* the children are read first: the statement is reused by the recursion */
        int64_t ids[512];
        size_t n = 0;
        if ((e = db_prepare(db,
                            "SELECT entity_id FROM catalog_category WHERE parent_id = $1"
                            " ORDER BY position, entity_id",
                            &st)))
            return e;
        db_bind_i64(st, 1, c->id);
        while (!(e = db_next(st, &row)) && row) {
            if (n < sizeof(ids) / sizeof(ids[0]))
                ids[n++] = db_col_i64(st, 0);
        }
        if (e)
            return e;
        for (size_t i = 0; i < n; i++) {
            struct cat_row child;
            bool found;
            if ((e = load(db, ids[i], store, &child, &found)))
                return e;
            if (!found)
                continue;
            if (i)
                buf_add_ch(out, ',');
            if ((e = tree_node(db, &child, store, depth, level + 1, out)))
                return e;
        }
    }
    buf_add_c(out, "]}");
    return ERR_OK;
}

enum err category_tree_json(struct db *db, int64_t root, int depth, int64_t store, struct buf *out)
{
    struct cat_row c;
    bool found;
    enum err e = load(db, root, store, &c, &found);
    if (e)
        return e;
    if (!found)
        return ERR_NO_SUCH_ENTITY;
    return tree_node(db, &c, store, depth, 0, out);
}

enum err category_products_json(struct db *db, int64_t id, struct buf *out)
{
    struct cat_row c;
    bool found;
    enum err e = load(db, id, 0, &c, &found);
    if (e)
        return e;
    if (!found)
        return ERR_NO_SUCH_ENTITY;
    struct db_stmt *st;
    if ((e = db_prepare(db,
                        "SELECT p.sku, l.position FROM catalog_category_product l JOIN"
                        " catalog_product p ON p.entity_id = l.product_id WHERE l.category_id = $1"
                        " ORDER BY l.position, p.entity_id",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    buf_add_ch(out, '[');
    bool row;
    for (int n = 0; !(e = db_next(st, &row)) && row; n++) {
        buf_add_c(out, n ? ",{\"sku\":" : "{\"sku\":");
        buf_json_str(out, db_col_text(st, 0));
        buf_add_c(out, ",\"position\":");
        buf_add_i64(out, db_col_i64(st, 1));
        buf_printf(out, ",\"category_id\":\"%" PRId64 "\"}", id);
    }
    if (e)
        return e;
    buf_add_ch(out, ']');
    return ERR_OK;
}

enum err category_store_root(struct db *db, int64_t store_id, int64_t *root)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT g.root_category_id FROM store s JOIN store_group g ON"
                            " g.group_id = s.group_id WHERE s.store_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, store_id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    *root = row ? db_col_i64(st, 0) : 0;
    if (row)
        db_done(st);
    if (*root <= 0)
        *root = 1; /* the admin store: every root below the invisible one */
    return ERR_OK;
}

/* --- writes --- */

static enum err type_error(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                           const char *type)
{
    const char *shown = json_is_string(v)   ? json_string_value(v)
                        : json_is_array(v)  ? "Array"
                        : json_is_object(v) ? "Object"
                                            : "value";
    return bind_fail(
        qe, ERR_INVALID_TYPE,
        arena_printf(a,
                     "Error occurred during \"%s\" processing. The \"%s\" value's type is "
                     "invalid. The \"%s\" type was expected. Verify and try again.",
                     field, shown, type),
        NULL);
}

static bool as_int(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_string(v))
        return str_to_i64(str_trim(str_c(json_string_value(v))), out);
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    return false;
}

static bool as_bool(json_t *v, bool *out)
{
    int64_t n;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        *out = strcmp(s, "1") == 0 || strcmp(s, "true") == 0;
        return true;
    }
    if (!as_int(v, &n))
        return false;
    *out = n != 0;
    return true;
}

struct category_in {
    const char *name;
    bool has_parent, has_active, has_position, has_menu;
    int64_t parent, position;
    bool active, menu;
    json_t *custom;
};

/* A custom attribute's code ("attribute_code" or "attributeCode"); NULL when missing. */
static const char *custom_code(json_t *item)
{
    json_t *c = json_object_get(item, "attribute_code");
    if (!c)
        c = json_object_get(item, "attributeCode");
    return json_is_string(c) && json_string_length(c) ? json_string_value(c) : NULL;
}

/* name, is_active and include_in_menu are fields of the category object; sent among the custom
 * attributes they are taken as those fields unless the object names them itself. */
static enum err bind_custom_fields(struct arena *a, struct category_in *in, struct query_error *qe)
{
    size_t i;
    json_t *item;
    json_array_foreach(in->custom, i, item)
    {
        const char *code = json_is_object(item) ? custom_code(item) : NULL;
        json_t *v = code ? json_object_get(item, "value") : NULL;
        if (!v || json_is_null(v))
            continue;
        if (strcmp(code, "name") == 0 && !in->name) {
            if (!json_is_string(v))
                return type_error(a, qe, code, v, "string");
            in->name = json_string_value(v);
        } else if (strcmp(code, "is_active") == 0 && !in->has_active) {
            if (!as_bool(v, &in->active))
                return type_error(a, qe, code, v, "bool");
            in->has_active = true;
        } else if (strcmp(code, "include_in_menu") == 0 && !in->has_menu) {
            if (!as_bool(v, &in->menu))
                return type_error(a, qe, code, v, "bool");
            in->has_menu = true;
        }
    }
    return ERR_OK;
}

static enum err bind(struct arena *a, json_t *obj, struct category_in *in, struct query_error *qe)
{
    memset(in, 0, sizeof(*in));
    if (!json_is_object(obj))
        return type_error(a, qe, "category", obj, "object");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const char *k = bind_snake(a, key);
        if (json_is_null(v))
            continue;
        if (strcmp(k, "name") == 0) {
            if (!json_is_string(v) && !json_is_number(v))
                return type_error(a, qe, key, v, "string");
            in->name = json_is_string(v) ? json_string_value(v)
                                         : arena_printf(a, "%g", json_number_value(v));
        } else if (strcmp(k, "parent_id") == 0) {
            if (!as_int(v, &in->parent))
                return type_error(a, qe, key, v, "int");
            in->has_parent = true;
        } else if (strcmp(k, "position") == 0) {
            if (!as_int(v, &in->position))
                return type_error(a, qe, key, v, "int");
            in->has_position = true;
        } else if (strcmp(k, "is_active") == 0) {
            if (!as_bool(v, &in->active))
                return type_error(a, qe, key, v, "bool");
            in->has_active = true;
        } else if (strcmp(k, "include_in_menu") == 0) {
            if (!as_bool(v, &in->menu))
                return type_error(a, qe, key, v, "bool");
            in->has_menu = true;
        } else if (strcmp(k, "custom_attributes") == 0) {
            if (!json_is_array(v))
                return type_error(a, qe, key, v, "array");
            in->custom = v;
        } else if (strcmp(k, "id") == 0 || strcmp(k, "level") == 0 || strcmp(k, "children") == 0 ||
                   strcmp(k, "created_at") == 0 || strcmp(k, "updated_at") == 0 ||
                   strcmp(k, "path") == 0 || strcmp(k, "available_sort_by") == 0 ||
                   strcmp(k, "extension_attributes") == 0) {
            /* computed or not kept: Magento recomputes them on save */
        } else {
            return bind_unknown_key(a, qe, key);
        }
    }
    return in->custom ? bind_custom_fields(a, in, qe) : ERR_OK;
}

static enum err run2(struct db *db, const char *sql, int64_t a1, int64_t a2)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, a1);
    db_bind_i64(st, 2, a2);
    return db_run(st, NULL);
}

/* Sets (value) or removes (NULL: the store view falls back to the default) one value. */
static enum err put_value(struct db *db, int64_t id, int64_t store, const char *code,
                          const char *value)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            value ? "INSERT INTO catalog_category_value (category_id, store_id,"
                                    " attribute_code, value) VALUES ($1, $2, $3, $4) ON CONFLICT"
                                    " (category_id, store_id, attribute_code) DO UPDATE SET value ="
                                    " excluded.value"
                                  : "DELETE FROM catalog_category_value WHERE category_id = $1 AND"
                                    " store_id = $2 AND attribute_code = $3",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, store);
    db_bind_text(st, 3, str_c(code));
    if (value)
        db_bind_text(st, 4, str_c(value));
    return db_run(st, NULL);
}

/* Where a value of code goes when the store is addressed: the store itself for store-view
 * attributes, the default scope for global ones. An attribute that is not one of Magento's
 * category attributes is kept at the default scope (Magento's scope for a new attribute). */
static enum err value_store(struct db *db, const char *code, int64_t store, int64_t *out)
{
    *out = 0;
    if (store <= 0)
        return ERR_OK;
    struct db_stmt *st;
    enum err e = db_prepare(
        db, "SELECT scope FROM catalog_category_attribute WHERE attribute_code = $1", &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(code));
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (row) {
        if (db_col_i64(st, 0) == 0)
            *out = store;
        db_done(st);
    }
    return ERR_OK;
}

static enum err save_custom(struct db *db, struct arena *a, int64_t id, int64_t store,
                            json_t *custom, struct query_error *qe)
{
    size_t i;
    json_t *item;
    json_array_foreach(custom, i, item)
    {
        if (!json_is_object(item) || json_object_size(item) == 0)
            return bind_fail(qe, ERR_INVALID, "There is an empty custom attribute specified.",
                             NULL);
        const char *code = custom_code(item);
        if (!code)
            return bind_fail(qe, ERR_INVALID,
                             "A custom attribute is specified without an attribute code.", NULL);
        json_t *v = json_object_get(item, "value");
        if (!v)
            return bind_fail(qe, ERR_INVALID, "Value is not set for attribute code \"%1\"",
                             json_pack("[s]", code));
        if (strcmp(code, "name") == 0 || strcmp(code, "is_active") == 0 ||
            strcmp(code, "include_in_menu") == 0)
            continue; /* taken as the category's fields (bind_custom_fields) */
        const char *text = NULL;
        if (json_is_string(v))
            text = json_string_value(v);
        else if (json_is_integer(v))
            text = arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_boolean(v))
            text = json_is_true(v) ? "1" : "0";
        else if (!json_is_null(v))
            return type_error(a, qe, code, v, "string");
        struct db_stmt *st;
        enum err e;
        bool url = strcmp(code, "url_key") == 0; /* not a secret */
        if (text && url) {
            /* products and categories share one URL namespace (observed) */
            if ((e = db_prepare(db,
                                "SELECT 1 FROM catalog_product_value WHERE attribute_code ="
                                " 'url_key' AND value = $1 UNION ALL SELECT 1 FROM"
                                " catalog_category_value WHERE attribute_code = 'url_key' AND"
                                " value = $1 AND category_id <> $2",
                                &st)))
                return e;
            db_bind_text(st, 1, str_c(text));
            db_bind_i64(st, 2, id);
            bool taken = false;
            if ((e = db_next(st, &taken)))
                return e;
            if (taken) {
                db_done(st);
                return bind_fail(qe, ERR_INVALID, "URL key for specified store already exists.",
                                 NULL);
            }
        }
        int64_t where;
        if ((e = value_store(db, code, store, &where)) ||
            (e = put_value(db, id, where, code, text)))
            return e;
    }
    return ERR_OK;
}

/* A store view's own name / is_active / include_in_menu, for the fields the body names. */
static enum err save_overrides(struct db *db, const struct category_in *in, int64_t id,
                               int64_t store)
{
    enum err e = ERR_OK;
    if (in->name)
        e = put_value(db, id, store, "name", in->name);
    if (!e && in->has_active)
        e = put_value(db, id, store, "is_active", in->active ? "1" : "0");
    if (!e && in->has_menu)
        e = put_value(db, id, store, "include_in_menu", in->menu ? "1" : "0");
    return e;
}

static enum err move_tx(struct db *db, int64_t id, int64_t parent_id, int64_t after_id,
                        struct query_error *qe);

static enum err save_tx(struct db *db, struct category_in *in, int64_t id, int64_t store,
                        struct arena *a, int64_t *saved, struct query_error *qe)
{
    int64_t now = clock_now();
    struct cat_row cur, parent;
    bool found;
    enum err e;
    if (id >= 0) {
        if ((e = load(db, id, 0, &cur, &found)))
            return e;
        if (!found || id == 1)
            return no_such(qe, id);
    }
    int64_t parent_id = in->has_parent ? in->parent : id >= 0 ? cur.parent : 2;
    bool new_parent = id < 0 || (in->has_parent && in->parent != cur.parent);
    if (new_parent) {
        if ((e = load(db, parent_id, 0, &parent, &found)))
            return e;
        if (!found)
            return no_such(qe, parent_id);
    }
    if (id < 0) {
        if (!in->name || !*in->name)
            return bind_fail(
                qe, ERR_INVALID,
                "The \"%1\" attribute value is empty. Set the attribute and try again.",
                json_pack("[s]", "Name"));
        struct db_stmt *st;
        if ((e = db_prepare(db,
                            "SELECT COALESCE(MAX(entity_id), 0) + 1, (SELECT COALESCE(MAX("
                            "position), 0) + 1 FROM catalog_category WHERE parent_id = $1)"
                            " FROM catalog_category",
                            &st)))
            return e;
        db_bind_i64(st, 1, parent_id);
        bool row = false;
        if ((e = db_next(st, &row)) || !row)
            return e ? e : ERR_DB;
        id = db_col_i64(st, 0);
        int64_t pos = in->has_position ? in->position : db_col_i64(st, 1);
        db_done(st);
        if ((e = db_prepare(db,
                            "INSERT INTO catalog_category (entity_id, parent_id, name, path, level,"
                            " position, is_active, created_at, updated_at, include_in_menu)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
                            &st)))
            return e;
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, parent_id);
        db_bind_text(st, 3, str_c(in->name));
        db_bind_text(st, 4, str_c(arena_printf(a, "%s/%" PRId64, parent.path, id)));
        db_bind_i64(st, 5, parent.level + 1);
        db_bind_i64(st, 6, pos);
        db_bind_i64(st, 7, in->has_active ? in->active : 1);
        db_bind_i64(st, 8, now);
        db_bind_i64(st, 9, in->has_menu ? in->menu : 1);
        if ((e = db_run(st, NULL)))
            return e;
        /* Magento, creating through a store view, writes these required attributes to the
         * default scope (the columns above) and to the store view too */
        if (store > 0 && (e = save_overrides(db, in, id, store)))
            return e;
    } else {
        if (in->name && !*in->name)
            return bind_fail(
                qe, ERR_INVALID,
                "The \"%1\" attribute value is empty. Set the attribute and try again.",
                json_pack("[s]", "Name"));
        /* the default scope's columns, or only the global ones when a store view is addressed */
        bool scoped = store > 0;
        struct db_stmt *st;
        if ((e = db_prepare(db,
                            "UPDATE catalog_category SET name = COALESCE($2, name),"
                            " position = COALESCE($3, position), is_active = COALESCE($4,"
                            " is_active), include_in_menu = COALESCE($5, include_in_menu),"
                            " updated_at = $6 WHERE entity_id = $1",
                            &st)))
            return e;
        db_bind_i64(st, 1, id);
        if (in->name && !scoped)
            db_bind_text(st, 2, str_c(in->name));
        else
            db_bind_null(st, 2);
        if (in->has_position)
            db_bind_i64(st, 3, in->position);
        else
            db_bind_null(st, 3);
        if (in->has_active && !scoped)
            db_bind_i64(st, 4, in->active);
        else
            db_bind_null(st, 4);
        if (in->has_menu && !scoped)
            db_bind_i64(st, 5, in->menu);
        else
            db_bind_null(st, 5);
        db_bind_i64(st, 6, now);
        if ((e = db_run(st, NULL)))
            return e;
        if (scoped && (e = save_overrides(db, in, id, store)))
            return e;
        if (new_parent && (e = move_tx(db, id, parent_id, -1, qe)))
            return e;
    }
    if (in->custom && (e = save_custom(db, a, id, store, in->custom, qe)))
        return e;
    *saved = id;
    return ERR_OK;
}

enum err category_save(struct db *db, json_t *category, int64_t id, int64_t store_id,
                       struct arena *a, int64_t *saved_id, struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    struct category_in in;
    enum err e = bind(a, category, &in, qe);
    if (e)
        return e;
    if ((e = db_begin(db)))
        return e;
    e = save_tx(db, &in, id, store_id, a, saved_id, qe);
    if (!e)
        e = catalog_touch(db);
    if (e) {
        db_rollback(db);
        return e;
    }
    return db_commit(db);
}

/* Moves id (and its subtree) under parent_id, after after_id (< 0: first), inside the caller's
 * transaction. */
static enum err move_tx(struct db *db, int64_t id, int64_t parent_id, int64_t after_id,
                        struct query_error *qe)
{
    struct cat_row c, p;
    bool found;
    enum err e = load(db, id, 0, &c, &found);
    if (e)
        return e;
    if (!found || id <= 1)
        return no_such(qe, id);
    if ((e = load(db, parent_id, 0, &p, &found)))
        return e;
    if (!found)
        return no_such(qe, parent_id);
    size_t cl = strlen(c.path);
    if (parent_id == id || (strncmp(p.path, c.path, cl) == 0 && p.path[cl] == '/'))
        return bind_fail(qe, ERR_INVALID,
                         "Operation do not allow to move a parent category to any of children "
                         "category",
                         NULL);
    int64_t pos = 1;
    if (after_id > 0) {
        struct cat_row after;
        if ((e = load(db, after_id, 0, &after, &found)))
            return e;
        if (found && after.parent == parent_id)
            pos = after.position + 1;
    }
    if ((e = run2(db,
                  "UPDATE catalog_category SET position = position + 1 WHERE parent_id = $1 AND"
                  " position >= $2",
                  parent_id, pos)))
        return e;
    char newpath[600];
    snprintf(newpath, sizeof(newpath), "%s/%" PRId64, p.path, id);
    struct db_stmt *st;
    if ((e = db_prepare(db,
                        "UPDATE catalog_category SET path = $2 || substr(path, $3),"
                        " level = level + $4 WHERE entity_id = $1 OR path LIKE $5",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, str_c(newpath));
    db_bind_i64(st, 3, (int64_t)cl + 1);
    db_bind_i64(st, 4, p.level + 1 - c.level);
    char like[530];
    snprintf(like, sizeof(like), "%s/%%", c.path);
    db_bind_text(st, 5, str_c(like));
    if ((e = db_run(st, NULL)))
        return e;
    struct db_stmt *u;
    if ((e = db_prepare(db,
                        "UPDATE catalog_category SET parent_id = $2, position = $3, updated_at = $4"
                        " WHERE entity_id = $1",
                        &u)))
        return e;
    db_bind_i64(u, 1, id);
    db_bind_i64(u, 2, parent_id);
    db_bind_i64(u, 3, pos);
    db_bind_i64(u, 4, clock_now());
    return db_run(u, NULL);
}

enum err category_move(struct db *db, int64_t id, int64_t parent_id, int64_t after_id,
                       struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    enum err e = db_begin(db);
    if (e)
        return e;
    e = move_tx(db, id, parent_id, after_id, qe);
    if (!e)
        e = catalog_touch(db);
    if (e) {
        db_rollback(db);
        return e;
    }
    return db_commit(db);
}

enum err category_delete(struct db *db, int64_t id, struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    struct cat_row c;
    bool found;
    enum err e = load(db, id, 0, &c, &found);
    if (e)
        return e;
    if (!found || id == 1)
        return no_such(qe, id);
    if (c.level <= 1)
        return bind_fail(qe, ERR_INVALID, "Cannot delete category with id %1",
                         json_pack("[I]", (json_int_t)id));
    if ((e = db_begin(db)))
        return e;
    char like[530];
    snprintf(like, sizeof(like), "%s/%%", c.path);
    struct db_stmt *st;
    if (!(e = db_prepare(db, "DELETE FROM catalog_category WHERE entity_id = $1 OR path LIKE $2",
                         &st))) {
        db_bind_i64(st, 1, id);
        db_bind_text(st, 2, str_c(like));
        e = db_run(st, NULL);
    }
    if (!e)
        e = catalog_touch(db); /* the products' category links went with it */
    if (e) {
        db_rollback(db);
        return e;
    }
    return db_commit(db);
}

/* The list's fields; under a store view the store-scoped ones read its value, else the default. */
#define OV(code)                                                                                   \
    "(SELECT v.value FROM catalog_category_value v WHERE v.category_id = c.entity_id"              \
    " AND v.store_id = @STORE@ AND v.attribute_code = '" code "')"
#define DEF(code)                                                                                  \
    "(SELECT v.value FROM catalog_category_value v WHERE v.category_id = c.entity_id"              \
    " AND v.store_id = 0 AND v.attribute_code = '" code "')"
/* A flag column under a store view. The outer CAST gives the expression SQLite's INTEGER
 * affinity, so that the text-bound filter values compare as numbers (a bare COALESCE has none). */
#define FLAG(col) "CAST(COALESCE(" OV(col) ", CAST(c." col " AS TEXT)) AS INTEGER)"
/* clang-format off */
#define COMMON_FIELDS                                                                              \
    {"entity_id", "c.entity_id", SC_INT, 0, NULL, NULL, NULL},                                     \
    {"id", "c.entity_id", SC_INT, 0, NULL, NULL, NULL},                                            \
    {"parent_id", "c.parent_id", SC_INT, 0, NULL, NULL, NULL},                                     \
    {"path", "c.path", SC_TEXT, 0, NULL, NULL, NULL},                                              \
    {"level", "c.level", SC_INT, 0, NULL, NULL, NULL},                                             \
    {"position", "c.position", SC_INT, 0, NULL, NULL, NULL},                                       \
    {"created_at", "c.created_at", SC_DATETIME, 0, NULL, NULL, NULL},                              \
    {"updated_at", "c.updated_at", SC_DATETIME, 0, NULL, NULL, NULL}

static const struct sc_field category_fields[] = {
    COMMON_FIELDS,
    {"name", "c.name", SC_TEXT, 0, NULL, NULL, NULL},
    {"is_active", "c.is_active", SC_INT, 0, NULL, NULL, NULL},
    {"include_in_menu", "c.include_in_menu", SC_INT, 0, NULL, NULL, NULL},
    {"url_key", DEF("url_key"), SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},
};
static const struct sc_field category_store_fields[] = {
    COMMON_FIELDS,
    {"name", "COALESCE(" OV("name") ", c.name)", SC_TEXT, 0, NULL, NULL, NULL},
    {"is_active", FLAG("is_active"), SC_INT, 0, NULL, NULL, NULL},
    {"include_in_menu", FLAG("include_in_menu"), SC_INT, 0, NULL, NULL, NULL},
    {"url_key", "COALESCE(" OV("url_key") ", " DEF("url_key") ")", SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},
};
/* clang-format on */
static const struct sc_entity category_entity = {
    category_fields, sizeof(category_fields) / sizeof(category_fields[0]), "c.entity_id", NULL};
static const struct sc_entity category_store_entity = {
    category_store_fields, sizeof(category_store_fields) / sizeof(category_store_fields[0]),
    "c.entity_id", NULL};

const struct sc_entity *category_list_entity(int64_t store_id)
{
    return store_id > 0 ? &category_store_entity : &category_entity;
}
