/* CMS pages and blocks (see cms.h). */
#include "cms/cms.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

enum ftype {
    F_ID,      /* the entity id: int */
    F_STR,     /* text; max bytes when max > 0 */
    F_INT_STR, /* an integer column Magento's interface declares as string (sort_order) */
    F_BOOL,    /* is_active, `active` in the interface */
    F_TIME,    /* creation_time, update_time: Unix seconds, set by the server */
    F_DATE,    /* custom_theme_from/to: YYYY-MM-DD */
};

struct field {
    const char *name; /* the interface's key */
    enum ftype type;
    int max;
    bool design; /* kept unless the caller holds Magento_Cms::save_design */
};

/* Getter order of Magento\Cms\Api\Data\PageInterface and BlockInterface (the JSON key order);
 * the SQL below lists the same columns in the same order. */
/* clang-format off */
static const struct field page_fields[] = {
    {"id", F_ID, 0, false},
    {"identifier", F_STR, 100, false},
    {"title", F_STR, 255, false},
    {"page_layout", F_STR, 255, true},
    {"meta_title", F_STR, 255, false},
    {"meta_keywords", F_STR, 65535, false},
    {"meta_description", F_STR, 65535, false},
    {"content_heading", F_STR, 255, false},
    {"content", F_STR, 0, false},
    {"creation_time", F_TIME, 0, false},
    {"update_time", F_TIME, 0, false},
    {"sort_order", F_INT_STR, 0, false},
    {"layout_update_xml", F_STR, 65535, true},
    {"custom_theme", F_STR, 100, true},
    {"custom_root_template", F_STR, 255, false},
    {"custom_layout_update_xml", F_STR, 65535, true},
    {"custom_theme_from", F_DATE, 0, true},
    {"custom_theme_to", F_DATE, 0, true},
    {"active", F_BOOL, 0, false},
};
static const struct field block_fields[] = {
    {"id", F_ID, 0, false},
    {"identifier", F_STR, 255, false},
    {"title", F_STR, 255, false},
    {"content", F_STR, 0, false},
    {"creation_time", F_TIME, 0, false},
    {"update_time", F_TIME, 0, false},
    {"active", F_BOOL, 0, false},
};
/* clang-format on */

#define PAGE_COLUMNS                                                                               \
    "page_id, identifier, title, page_layout, meta_title, meta_keywords, meta_description,"        \
    " content_heading, content, creation_time, update_time, sort_order, layout_update_xml,"        \
    " custom_theme, custom_root_template, custom_layout_update_xml, custom_theme_from,"            \
    " custom_theme_to, is_active"
#define BLOCK_COLUMNS "block_id, identifier, title, content, creation_time, update_time, is_active"

struct kind_sql {
    const struct field *fields;
    size_t nfields;
    const char *columns, *by_id, *by_identifier, *insert, *update, *delete_, *taken;
    const char *stores_clear, *store_add;
};

static const struct kind_sql kinds[] = {
    [CMS_PAGE] =
        {
            page_fields,
            sizeof(page_fields) / sizeof(page_fields[0]),
            PAGE_COLUMNS,
            "SELECT " PAGE_COLUMNS " FROM cms_page WHERE page_id = $1",
            "SELECT " PAGE_COLUMNS " FROM cms_page WHERE identifier = $1 ORDER BY page_id LIMIT 1",
            "INSERT INTO cms_page (identifier, title, page_layout, meta_title, meta_keywords,"
            " meta_description, content_heading, content, creation_time, update_time, sort_order,"
            " layout_update_xml, custom_theme, custom_root_template, custom_layout_update_xml,"
            " custom_theme_from, custom_theme_to, is_active) VALUES ($1, $2, $3, $4, $5, $6, $7,"
            " $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING page_id",
            "UPDATE cms_page SET identifier = $2, title = $3, page_layout = $4, meta_title = $5,"
            " meta_keywords = $6, meta_description = $7, content_heading = $8, content = $9,"
            " creation_time = $10, update_time = $11, sort_order = $12, layout_update_xml = $13,"
            " custom_theme = $14, custom_root_template = $15, custom_layout_update_xml = $16,"
            " custom_theme_from = $17, custom_theme_to = $18, is_active = $19 WHERE page_id = $1",
            "DELETE FROM cms_page WHERE page_id = $1",
            /* Magento: a page's URL key is unique per store view; "all store views" (0) meets
             * every store. */
            "SELECT 1 FROM cms_page p JOIN cms_page_store s ON s.page_id = p.page_id"
            " WHERE p.identifier = $1 AND p.page_id <> $2"
            " AND ($3 = 0 OR s.store_id = 0 OR s.store_id = $3) LIMIT 1",
            "DELETE FROM cms_page_store WHERE page_id = $1",
            "INSERT INTO cms_page_store (page_id, store_id) VALUES ($1, $2)",
        },
    [CMS_BLOCK] =
        {
            block_fields,
            sizeof(block_fields) / sizeof(block_fields[0]),
            BLOCK_COLUMNS,
            "SELECT " BLOCK_COLUMNS " FROM cms_block WHERE block_id = $1",
            "SELECT " BLOCK_COLUMNS
            " FROM cms_block WHERE identifier = $1 ORDER BY block_id LIMIT 1",
            "INSERT INTO cms_block (identifier, title, content, creation_time, update_time,"
            " is_active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING block_id",
            "UPDATE cms_block SET identifier = $2, title = $3, content = $4, creation_time = $5,"
            " update_time = $6, is_active = $7 WHERE block_id = $1",
            "DELETE FROM cms_block WHERE block_id = $1",
            /* Magento's getIsUniqueBlockToStores (MySQL compares identifiers case-blind) */
            "SELECT 1 FROM cms_block b JOIN cms_block_store s ON s.block_id = b.block_id"
            " WHERE lower(b.identifier) = lower($1) AND b.block_id <> $2"
            " AND ($3 = 0 OR s.store_id = 0 OR s.store_id = $3) LIMIT 1",
            "DELETE FROM cms_block_store WHERE block_id = $1",
            "INSERT INTO cms_block_store (block_id, store_id) VALUES ($1, $2)",
        },
};

const char *cms_select_columns(enum cms_kind kind)
{
    return kinds[kind].columns;
}

static const struct field *find_field(enum cms_kind kind, const char *name)
{
    const struct kind_sql *k = &kinds[kind];
    for (size_t i = 0; i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0)
            return &k->fields[i];
    return NULL;
}

bool cms_is_design_field(enum cms_kind kind, const char *name)
{
    const struct field *f = find_field(kind, name);
    return f && f->design;
}

json_t *cms_row_read(enum cms_kind kind, struct db_stmt *st)
{
    const struct kind_sql *k = &kinds[kind];
    json_t *row = json_object();
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field *f = &k->fields[i];
        int col = (int)i;
        if (db_col_null(st, col))
            continue;
        json_t *v = NULL;
        switch (f->type) {
        case F_ID:
        case F_TIME:
            v = json_integer(db_col_i64(st, col));
            break;
        case F_STR:
        case F_DATE: {
            struct str s = db_col_text(st, col);
            v = json_stringn(s.p ? s.p : "", s.len);
            break;
        }
        case F_INT_STR: {
            char n[24];
            snprintf(n, sizeof(n), "%lld", (long long)db_col_i64(st, col));
            v = json_string(n);
            break;
        }
        case F_BOOL:
            v = json_boolean(db_col_i64(st, col) != 0);
            break;
        }
        if (v)
            json_object_set_new(row, f->name, v);
    }
    return row;
}

static enum err read_one(enum cms_kind kind, struct db_stmt *st, json_t **row)
{
    bool have = false;
    enum err e = db_next(st, &have);
    if (e)
        return e;
    if (!have)
        return ERR_NOT_FOUND;
    *row = cms_row_read(kind, st);
    db_done(st);
    return ERR_OK;
}

enum err cms_load_id(struct db *db, enum cms_kind kind, int64_t id, json_t **row)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, kinds[kind].by_id, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    return read_one(kind, st, row);
}

static bool all_digits(struct str s)
{
    if (!s.len || s.len > 18)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

enum err cms_load(struct db *db, enum cms_kind kind, struct str ref, json_t **row)
{
    int64_t id;
    if (all_digits(ref) && str_to_i64(ref, &id))
        return cms_load_id(db, kind, id, row);
    if (!ref.len || !str_utf8_valid(ref))
        return ERR_NOT_FOUND;
    struct db_stmt *st;
    enum err e = db_prepare(db, kinds[kind].by_identifier, &st);
    if (e)
        return e;
    db_bind_text(st, 1, ref);
    return read_one(kind, st, row);
}

/* snake_case or camelCase -> snake_case (Magento maps both onto the same getter) */
static void snake(const char *k, char *out, size_t outlen)
{
    size_t n = 0;
    for (const char *p = k; *p && n + 2 < outlen; p++) {
        if (isupper((unsigned char)*p)) {
            if (n)
                out[n++] = '_';
            out[n++] = (char)tolower((unsigned char)*p);
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

static bool date_ok(const char *s, char out[11])
{
    /* YYYY-MM-DD, optionally followed by a time that is dropped (the column is a date) */
    if (strlen(s) < 10)
        return false;
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    if (s[10] && s[10] != ' ' && s[10] != 'T')
        return false;
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    memcpy(out, s, 10);
    out[10] = '\0';
    return true;
}

/* A JSON scalar as PHP would cast it to string; false for arrays and objects. */
static bool as_string(json_t *v, char *num, size_t numlen, const char **s, size_t *len)
{
    if (json_is_string(v)) {
        *s = json_string_value(v);
        *len = json_string_length(v);
    } else if (json_is_integer(v)) {
        snprintf(num, numlen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *s = num;
        *len = strlen(num);
    } else if (json_is_real(v)) {
        snprintf(num, numlen, "%.17g", json_real_value(v));
        *s = num;
        *len = strlen(num);
    } else if (json_is_true(v)) {
        *s = "1";
        *len = 1;
    } else if (json_is_false(v)) {
        *s = "";
        *len = 0;
    } else {
        return false;
    }
    return true;
}

static enum err type_problem(struct cms_problem *p, const char *key, const char *type)
{
    p->key = key;
    p->type = type;
    return ERR_INVALID_TYPE;
}

static enum err apply_store(json_t *v, const char *key, int64_t *stores, size_t *nstores,
                            struct cms_problem *p)
{
    size_t n = 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            char num[32];
            const char *s;
            size_t len;
            int64_t id;
            if (n == CMS_MAX_STORES || !as_string(item, num, sizeof(num), &s, &len) ||
                !str_to_i64(str_n(s, len), &id) || id < 0)
                return type_problem(p, key, "int[]");
            stores[n++] = id;
        }
    } else {
        char num[32];
        const char *s;
        size_t len;
        int64_t id;
        if (!as_string(v, num, sizeof(num), &s, &len) || !str_to_i64(str_n(s, len), &id) || id < 0)
            return type_problem(p, key, "int[]");
        stores[n++] = id;
    }
    *nstores = n;
    return ERR_OK;
}

enum err cms_apply(enum cms_kind kind, json_t *row, json_t *input, bool design_allowed,
                   int64_t *stores, size_t *nstores, struct cms_problem *p)
{
    const char *key;
    json_t *v;
    *nstores = 0;
    memset(p, 0, sizeof(*p));
    json_object_foreach(input, key, v)
    {
        char name[64];
        snake(key, name, sizeof(name));
        if (strcmp(name, "store_id") == 0) {
            /* storegate's addition (Magento's data interfaces have no store field, issue
             * magento/magento2#20053): one store id or a list. */
            if (json_is_null(v))
                continue;
            enum err e = apply_store(v, key, stores, nstores, p);
            if (e)
                return e;
            continue;
        }
        const struct field *f = find_field(kind, name);
        if (!f) {
            p->key = key;
            return ERR_FIELD_NOT_SUPPORTED;
        }
        if (f->type == F_TIME)
            continue; /* kept by the server, as Magento's database does */
        if (f->design && !design_allowed)
            continue; /* Magento 2.3+: kept as stored (new rows: empty) */
        if (json_is_null(v)) {
            if (f->type != F_ID)
                json_object_del(row, f->name);
            continue;
        }
        char num[32];
        const char *s;
        size_t len;
        switch (f->type) {
        case F_ID: {
            int64_t id;
            if (!as_string(v, num, sizeof(num), &s, &len) || !str_to_i64(str_n(s, len), &id))
                return type_problem(p, key, "int");
            json_object_set_new(row, "id", json_integer(id));
            break;
        }
        case F_STR:
            if (!as_string(v, num, sizeof(num), &s, &len))
                return type_problem(p, key, "string");
            if (f->max > 0 && len > (size_t)f->max) {
                p->key = f->name;
                p->max = f->max;
                return ERR_INVALID;
            }
            json_object_set_new(row, f->name, json_stringn(s, len));
            break;
        case F_INT_STR: {
            int64_t n;
            if (!as_string(v, num, sizeof(num), &s, &len) || !str_to_i64(str_n(s, len), &n) ||
                n < -32768 || n > 32767)
                return type_problem(p, key, "int");
            snprintf(num, sizeof(num), "%lld", (long long)n);
            json_object_set_new(row, f->name, json_string(num));
            break;
        }
        case F_BOOL: {
            bool b;
            if (json_is_boolean(v)) {
                b = json_is_true(v);
            } else if (json_is_integer(v) &&
                       (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
                b = json_integer_value(v) == 1;
            } else if (json_is_string(v)) {
                const char *t = json_string_value(v);
                if (strcmp(t, "1") == 0 || strcmp(t, "true") == 0)
                    b = true;
                else if (strcmp(t, "0") == 0 || strcmp(t, "false") == 0 || !*t)
                    b = false;
                else
                    return type_problem(p, key, "bool");
            } else {
                return type_problem(p, key, "bool");
            }
            json_object_set_new(row, f->name, json_boolean(b));
            break;
        }
        case F_DATE: {
            char d[11];
            if (!as_string(v, num, sizeof(num), &s, &len))
                return type_problem(p, key, "string");
            if (len == 0) {
                json_object_del(row, f->name);
                break;
            }
            if (len > 32 || !date_ok(s, d)) {
                p->key = f->name;
                p->message = "The date is invalid. Use the YYYY-MM-DD format.";
                return ERR_INVALID;
            }
            json_object_set_new(row, f->name, json_string(d));
            break;
        }
        case F_TIME:
            break;
        }
    }
    return ERR_OK;
}

static const char *get_str(const json_t *row, const char *name)
{
    json_t *v = json_object_get(row, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Magento's isValidPageIdentifier: ^[a-z0-9][a-z0-9_\/-]+(\.[a-z0-9_-]+)?$ */
static bool page_identifier_ok(const char *s)
{
    size_t n = strlen(s), i = 0;
#define LOWER_DIGIT(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9'))
    if (n < 2 || !LOWER_DIGIT(s[0]))
        return false;
    i = 1;
    size_t start = i;
    while (i < n && (LOWER_DIGIT(s[i]) || s[i] == '_' || s[i] == '/' || s[i] == '-'))
        i++;
    if (i == start)
        return false;
    if (i == n)
        return true;
    if (s[i] != '.')
        return false;
    i++;
    start = i;
    while (i < n && (LOWER_DIGIT(s[i]) || s[i] == '_' || s[i] == '-'))
        i++;
#undef LOWER_DIGIT
    return i == n && i > start;
}

static bool same_text(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

enum err cms_validate(enum cms_kind kind, const json_t *row, const json_t *old,
                      struct cms_problem *p)
{
    memset(p, 0, sizeof(*p));
    const char *identifier = get_str(row, "identifier");
    if (kind == CMS_PAGE) {
        /* Magento 2.3.4+: layout update XML may be kept or removed through the API, never set
         * or changed. */
        static const char *const layout[] = {"layout_update_xml", "custom_layout_update_xml"};
        for (int i = 0; i < 2; i++) {
            const char *now = get_str(row, layout[i]);
            if (now && *now && !(old && same_text(now, get_str(old, layout[i])))) {
                p->message = "Custom layout update text cannot be changed, only removed";
                return ERR_INVALID;
            }
        }
        if (!identifier || !page_identifier_ok(identifier)) {
            p->message = "The page URL key can't use capital letters or disallowed symbols. "
                         "Remove the letters and symbols and try again.";
            return ERR_INVALID;
        }
        if (strspn(identifier, "0123456789") == strlen(identifier)) {
            p->message = "The page URL key can't use only numbers. Add letters or words and try "
                         "again.";
            return ERR_INVALID;
        }
        return ERR_OK;
    }
    if (!identifier || !*identifier) {
        p->key = "identifier";
        return ERR_REQUIRED_FIELD;
    }
    const char *title = get_str(row, "title");
    if (!title || !*title) {
        p->key = "title";
        return ERR_REQUIRED_FIELD;
    }
    /* Magento's Block::beforeSave: a block must not embed itself. */
    const char *content = get_str(row, "content");
    json_t *id = json_object_get(row, "id");
    char needle[48];
    if (json_is_integer(id))
        snprintf(needle, sizeof(needle), "block_id=\"%" JSON_INTEGER_FORMAT "\"",
                 json_integer_value(id));
    else
        snprintf(needle, sizeof(needle), "block_id=\"\"");
    if (content && strstr(content, needle)) {
        p->message = "Make sure that static block content does not reference the block itself.";
        return ERR_INVALID;
    }
    return ERR_OK;
}

static void bind_field(struct db_stmt *st, int idx, const struct field *f, const json_t *row,
                       int64_t now)
{
    json_t *v = json_object_get(row, f->name);
    switch (f->type) {
    case F_ID:
        db_bind_i64(st, idx, json_integer_value(v));
        return;
    case F_STR:
    case F_DATE:
        if (json_is_string(v))
            db_bind_text(st, idx, str_n(json_string_value(v), json_string_length(v)));
        else
            db_bind_null(st, idx);
        return;
    case F_INT_STR: {
        int64_t n = 0;
        if (json_is_string(v))
            str_to_i64(str_c(json_string_value(v)), &n);
        db_bind_i64(st, idx, n);
        return;
    }
    case F_BOOL:
        db_bind_i64(st, idx, v ? json_is_true(v) : 1); /* Magento's default: active */
        return;
    case F_TIME:
        if (strcmp(f->name, "creation_time") == 0 && json_is_integer(v))
            db_bind_i64(st, idx, json_integer_value(v));
        else
            db_bind_i64(st, idx, now);
        return;
    }
}

static enum err identifier_taken(struct db *db, enum cms_kind kind, const json_t *row, int64_t id,
                                 const int64_t *stores, size_t nstores, bool *taken)
{
    *taken = false;
    for (size_t i = 0; i < nstores && !*taken; i++) {
        struct db_stmt *st;
        enum err e = db_prepare(db, kinds[kind].taken, &st);
        if (e)
            return e;
        db_bind_text(st, 1, str_c(get_str(row, "identifier")));
        db_bind_i64(st, 2, id);
        db_bind_i64(st, 3, stores[i]);
        e = db_next(st, taken);
        if (e)
            return e;
        if (*taken)
            db_done(st);
    }
    return ERR_OK;
}

enum err cms_save(struct db *db, enum cms_kind kind, json_t *row, const int64_t *stores,
                  size_t nstores)
{
    const struct kind_sql *k = &kinds[kind];
    json_t *idv = json_object_get(row, "id");
    bool update = json_is_integer(idv);
    int64_t id = update ? json_integer_value(idv) : 0, now = clock_now();
    enum err e = db_begin(db);
    if (e)
        return e;
    bool taken = false;
    e = identifier_taken(db, kind, row, id, stores, nstores, &taken);
    if (!e && taken)
        e = ERR_EXISTS;
    struct db_stmt *st = NULL;
    if (!e)
        e = db_prepare(db, update ? k->update : k->insert, &st);
    if (!e) {
        int shift = update ? 1 : 0;
        if (update)
            db_bind_i64(st, 1, id);
        for (size_t i = 1; i < k->nfields; i++)
            bind_field(st, (int)i + shift, &k->fields[i], row, now);
        if (update) {
            int64_t changes = 0;
            e = db_run(st, &changes);
            if (!e && changes == 0)
                e = ERR_NOT_FOUND;
        } else {
            bool have = false;
            e = db_next(st, &have);
            if (!e && !have)
                e = ERR_DB;
            if (!e) {
                id = db_col_i64(st, 0);
                db_done(st);
            }
        }
    }
    if (!e)
        e = db_prepare(db, k->stores_clear, &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_run(st, NULL);
    }
    for (size_t i = 0; !e && i < nstores; i++) {
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= stores[j] == stores[i];
        if (dup)
            continue;
        e = db_prepare(db, k->store_add, &st);
        if (!e) {
            db_bind_i64(st, 1, id);
            db_bind_i64(st, 2, stores[i]);
            e = db_run(st, NULL);
        }
    }
    if (!e)
        e = db_commit(db);
    if (e) {
        db_rollback(db);
        return e;
    }
    json_object_set_new(row, "id", json_integer(id));
    return ERR_OK;
}

enum err cms_delete(struct db *db, enum cms_kind kind, int64_t id)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, kinds[kind].delete_, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    int64_t changes = 0;
    e = db_run(st, &changes);
    if (!e && changes == 0)
        e = ERR_NOT_FOUND;
    return e;
}

void cms_json(enum cms_kind kind, const json_t *row, struct buf *out)
{
    const struct kind_sql *k = &kinds[kind];
    bool first = true;
    buf_add_ch(out, '{');
    for (size_t i = 0; i < k->nfields; i++) {
        const struct field *f = &k->fields[i];
        json_t *v = json_object_get(row, f->name);
        if (!v || json_is_null(v))
            continue;
        if (f->type == F_TIME && json_integer_value(v) <= 0)
            continue; /* seeded rows carry no time */
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        buf_json_str(out, str_c(f->name));
        buf_add_ch(out, ':');
        switch (f->type) {
        case F_ID:
            buf_add_i64(out, json_integer_value(v));
            break;
        case F_TIME: {
            char t[20];
            clock_format(json_integer_value(v), t);
            buf_json_str(out, str_c(t));
            break;
        }
        case F_BOOL:
            buf_add_c(out, json_is_true(v) ? "true" : "false");
            break;
        default:
            buf_json_str(out, str_n(json_string_value(v), json_string_length(v)));
            break;
        }
    }
    buf_add_ch(out, '}');
}
