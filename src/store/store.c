/* Websites, groups, store views and store configs (see store.h). */
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct website {
    int64_t id, default_group_id;
    char code[STORE_CODE_MAX + 1], name[STORE_NAME_MAX + 1];
};

struct group {
    int64_t id, website_id, root_category_id, default_store_id;
    char code[STORE_CODE_MAX + 1], name[STORE_NAME_MAX + 1];
};

struct store_cache {
    int64_t version;
    bool loaded;
    struct website *websites;
    struct group *groups;
    struct store_view *views;
    size_t nwebsites, ngroups, nviews;
    const struct store_view *default_view;
};

struct store_cache *store_cache_new(void)
{
    struct store_cache *c = calloc(1, sizeof(*c));
    if (c)
        c->version = -1;
    return c;
}

static void clear(struct store_cache *c)
{
    free(c->websites);
    free(c->groups);
    free(c->views);
    c->websites = NULL;
    c->groups = NULL;
    c->views = NULL;
    c->nwebsites = c->ngroups = c->nviews = 0;
    c->default_view = NULL;
}

void store_cache_free(struct store_cache *c)
{
    if (!c)
        return;
    clear(c);
    free(c);
}

static void copy_text(char *dst, size_t cap, struct str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/* Reads all rows of a query into a growing array of fixed-size records via a row callback. */
static enum err load(struct store_cache *c, struct db *db)
{
    struct db_stmt *st;
    bool row;
    size_t cap;
    enum err e;
    clear(c);

    e = db_prepare(db,
                   "SELECT website_id, code, name, default_group_id FROM store_website"
                   " ORDER BY website_id",
                   &st);
    cap = 0;
    while (!e && !(e = db_next(st, &row)) && row) {
        if (c->nwebsites == cap) {
            cap = cap ? cap * 2 : 8;
            void *p = realloc(c->websites, cap * sizeof(*c->websites));
            if (!p)
                goto oom;
            c->websites = p;
        }
        struct website *w = &c->websites[c->nwebsites++];
        w->id = db_col_i64(st, 0);
        copy_text(w->code, sizeof(w->code), db_col_text(st, 1));
        copy_text(w->name, sizeof(w->name), db_col_text(st, 2));
        w->default_group_id = db_col_i64(st, 3);
    }
    if (e)
        return e;

    e = db_prepare(db,
                   "SELECT group_id, website_id, root_category_id, default_store_id, name, code"
                   " FROM store_group ORDER BY group_id",
                   &st);
    cap = 0;
    while (!e && !(e = db_next(st, &row)) && row) {
        if (c->ngroups == cap) {
            cap = cap ? cap * 2 : 8;
            void *p = realloc(c->groups, cap * sizeof(*c->groups));
            if (!p)
                goto oom;
            c->groups = p;
        }
        struct group *g = &c->groups[c->ngroups++];
        g->id = db_col_i64(st, 0);
        g->website_id = db_col_i64(st, 1);
        g->root_category_id = db_col_i64(st, 2);
        g->default_store_id = db_col_i64(st, 3);
        copy_text(g->name, sizeof(g->name), db_col_text(st, 4));
        copy_text(g->code, sizeof(g->code), db_col_text(st, 5));
    }
    if (e)
        return e;

    e = db_prepare(db,
                   "SELECT store_id, code, website_id, group_id, name, sort_order, is_active"
                   " FROM store ORDER BY store_id",
                   &st);
    cap = 0;
    while (!e && !(e = db_next(st, &row)) && row) {
        if (c->nviews == cap) {
            cap = cap ? cap * 2 : 8;
            void *p = realloc(c->views, cap * sizeof(*c->views));
            if (!p)
                goto oom;
            c->views = p;
        }
        struct store_view *v = &c->views[c->nviews++];
        v->id = db_col_i64(st, 0);
        copy_text(v->code, sizeof(v->code), db_col_text(st, 1));
        v->website_id = db_col_i64(st, 2);
        v->group_id = db_col_i64(st, 3);
        copy_text(v->name, sizeof(v->name), db_col_text(st, 4));
        v->sort_order = db_col_i64(st, 5);
        v->active = db_col_i64(st, 6) != 0;
    }
    if (e)
        return e;

    /* Default view: default group's default store of the default website. */
    for (size_t i = 0; i < c->nwebsites && !c->default_view; i++) {
        if (c->websites[i].id == 0)
            continue;
        for (size_t g = 0; g < c->ngroups; g++)
            if (c->groups[g].id == c->websites[i].default_group_id)
                c->default_view = store_find_id(c, c->groups[g].default_store_id);
    }
    if (!c->default_view)
        c->default_view = store_find_id(c, 1);
    return ERR_OK;
oom:
    db_done(st);
    return ERR_DB;
}

enum err store_cache_sync(struct store_cache *c, struct db *db, bool changed)
{
    if (c->loaded && !changed)
        return ERR_OK;
    int64_t v = -1;
    enum err e = cache_version_read(db, "store", &v);
    if (e)
        return e;
    return store_cache_sync_version(c, db, v);
}

enum err store_cache_sync_version(struct store_cache *c, struct db *db, int64_t v)
{
    if (c->loaded && v == c->version)
        return ERR_OK;
    enum err e = load(c, db);
    /* a failed load leaves nothing: make the next request load again */
    c->loaded = e == ERR_OK;
    if (!e)
        c->version = v;
    return e;
}

const struct store_view *store_find_code(const struct store_cache *c, struct str code)
{
    for (size_t i = 0; i < c->nviews; i++)
        if (c->views[i].id != 0 && str_eq_c(code, c->views[i].code))
            return &c->views[i];
    return NULL;
}

const struct store_view *store_find_id(const struct store_cache *c, int64_t id)
{
    for (size_t i = 0; i < c->nviews; i++)
        if (c->views[i].id == id)
            return &c->views[i];
    return NULL;
}

const struct store_view *store_default_view(const struct store_cache *c)
{
    return c->default_view;
}

void store_json_views(const struct store_cache *c, struct buf *out)
{
    buf_add_ch(out, '[');
    for (size_t i = 0; i < c->nviews; i++) {
        const struct store_view *v = &c->views[i];
        if (i)
            buf_add_ch(out, ',');
        buf_add_c(out, "{\"id\":");
        buf_add_i64(out, v->id);
        buf_add_c(out, ",\"code\":");
        buf_json_str(out, str_c(v->code));
        buf_add_c(out, ",\"name\":");
        buf_json_str(out, str_c(v->name));
        buf_add_c(out, ",\"website_id\":");
        buf_add_i64(out, v->website_id);
        buf_add_c(out, ",\"store_group_id\":");
        buf_add_i64(out, v->group_id);
        buf_add_c(out, ",\"is_active\":");
        buf_add_i64(out, v->active ? 1 : 0);
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
}

void store_json_groups(const struct store_cache *c, struct buf *out)
{
    buf_add_ch(out, '[');
    for (size_t i = 0; i < c->ngroups; i++) {
        const struct group *g = &c->groups[i];
        if (i)
            buf_add_ch(out, ',');
        buf_add_c(out, "{\"id\":");
        buf_add_i64(out, g->id);
        buf_add_c(out, ",\"website_id\":");
        buf_add_i64(out, g->website_id);
        buf_add_c(out, ",\"root_category_id\":");
        buf_add_i64(out, g->root_category_id);
        buf_add_c(out, ",\"default_store_id\":");
        buf_add_i64(out, g->default_store_id);
        buf_add_c(out, ",\"name\":");
        buf_json_str(out, str_c(g->name));
        buf_add_c(out, ",\"code\":");
        buf_json_str(out, str_c(g->code));
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
}

void store_json_websites(const struct store_cache *c, struct buf *out)
{
    buf_add_ch(out, '[');
    for (size_t i = 0; i < c->nwebsites; i++) {
        const struct website *w = &c->websites[i];
        if (i)
            buf_add_ch(out, ',');
        buf_add_c(out, "{\"id\":");
        buf_add_i64(out, w->id);
        buf_add_c(out, ",\"code\":");
        buf_json_str(out, str_c(w->code));
        buf_add_c(out, ",\"name\":");
        buf_json_str(out, str_c(w->name));
        buf_add_c(out, ",\"default_group_id\":");
        buf_add_i64(out, w->default_group_id);
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
}

static void url_field(struct buf *out, const char *key, const char *base, const char *suffix)
{
    buf_add_c(out, ",\"");
    buf_add_c(out, key);
    buf_add_c(out, "\":");
    struct buf tmp;
    buf_init(&tmp, out->arena, 256);
    buf_add_c(&tmp, base);
    buf_add_c(&tmp, suffix);
    buf_json_str(out, buf_str(&tmp));
}

void store_json_configs(const struct store_cache *c, const struct store_config *cfg,
                        const char *fallback_base_url, const struct str *codes, size_t ncodes,
                        struct buf *out)
{
    bool first = true;
    buf_add_ch(out, '[');
    for (size_t i = 0; i < c->nviews; i++) {
        const struct store_view *v = &c->views[i];
        if (v->id == 0)
            continue;
        if (ncodes) {
            bool want = false;
            for (size_t k = 0; k < ncodes && !want; k++)
                want = str_eq_c(codes[k], v->code);
            if (!want)
                continue;
        }
        const char *base = store_config_get(cfg, "web/unsecure/base_url", v->id);
        if (!base || !*base)
            base = fallback_base_url;
        const char *secure = store_config_get(cfg, "web/secure/base_url", v->id);
        if (!secure || !*secure)
            secure = base;
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        buf_add_c(out, "{\"id\":");
        buf_add_i64(out, v->id);
        buf_add_c(out, ",\"code\":");
        buf_json_str(out, str_c(v->code));
        buf_add_c(out, ",\"website_id\":");
        buf_add_i64(out, v->website_id);
        buf_add_c(out, ",\"locale\":");
        buf_json_str(out, str_c(store_config_get(cfg, "general/locale/code", v->id)));
        buf_add_c(out, ",\"base_currency_code\":");
        buf_json_str(out, str_c(store_config_get(cfg, "currency/options/base", v->id)));
        buf_add_c(out, ",\"default_display_currency_code\":");
        buf_json_str(out, str_c(store_config_get(cfg, "currency/options/default", v->id)));
        buf_add_c(out, ",\"timezone\":");
        buf_json_str(out, str_c(store_config_get(cfg, "general/locale/timezone", v->id)));
        buf_add_c(out, ",\"weight_unit\":");
        buf_json_str(out, str_c(store_config_get(cfg, "general/locale/weight_unit", v->id)));
        url_field(out, "base_url", base, "");
        url_field(out, "base_link_url", base, "");
        url_field(out, "base_static_url", base, "static/");
        url_field(out, "base_media_url", base, "media/");
        url_field(out, "secure_base_url", secure, "");
        url_field(out, "secure_base_link_url", secure, "");
        url_field(out, "secure_base_static_url", secure, "static/");
        url_field(out, "secure_base_media_url", secure, "media/");
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
}

bool store_code_valid(const char *code, char *err, size_t errlen)
{
    size_t n = strlen(code);
    bool ok = n > 0 && n <= STORE_CODE_MAX && islower((unsigned char)code[0]);
    for (size_t i = 0; ok && i < n; i++)
        ok = islower((unsigned char)code[i]) || isdigit((unsigned char)code[i]) || code[i] == '_';
    if (!ok) {
        snprintf(err, errlen,
                 "The store code \"%s\" is invalid: use at most %d letters (a-z), numbers (0-9) or "
                 "underscores (_), starting with a letter.",
                 code, STORE_CODE_MAX);
        return false;
    }
    if (strcmp(code, "all") == 0 || strcmp(code, "admin") == 0 || strcmp(code, "rest") == 0 ||
        strcmp(code, "schema") == 0) {
        snprintf(err, errlen, "The store code \"%s\" is reserved.", code);
        return false;
    }
    /* "V1" can never collide: codes are lower-case. */
    return true;
}

enum err store_view_create(struct db *db, const char *code, const char *name, int64_t group_id,
                           int64_t sort_order, bool active, int64_t *id)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_begin(db);
    if (e)
        return e;
    int64_t website_id = -1, new_id = 0;
    e = db_prepare(db, "SELECT website_id FROM store_group WHERE group_id = $1 AND group_id <> 0",
                   &st);
    if (!e) {
        db_bind_i64(st, 1, group_id);
        e = db_next(st, &row);
    }
    if (!e && row) {
        website_id = db_col_i64(st, 0);
        db_done(st);
    } else if (!e) {
        e = ERR_NOT_FOUND;
    }
    if (!e)
        e = db_prepare(db, "SELECT COALESCE(MAX(store_id), 0) + 1 FROM store", &st);
    if (!e && !(e = db_next(st, &row)) && row) {
        new_id = db_col_i64(st, 0);
        db_done(st);
    }
    if (!e)
        e = db_prepare(db,
                       "INSERT INTO store (store_id, code, website_id, group_id, name, sort_order,"
                       " is_active) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       &st);
    if (!e) {
        db_bind_i64(st, 1, new_id);
        db_bind_text(st, 2, str_c(code));
        db_bind_i64(st, 3, website_id);
        db_bind_i64(st, 4, group_id);
        db_bind_text(st, 5, str_c(name));
        db_bind_i64(st, 6, sort_order);
        db_bind_i64(st, 7, active ? 1 : 0);
        e = db_run(st, NULL);
        if (e == ERR_DB_CONSTRAINT)
            e = ERR_EXISTS;
    }
    if (!e)
        e = db_prepare(db, "UPDATE cache_version SET version = version + 1 WHERE name = 'store'",
                       &st);
    if (!e)
        e = db_run(st, NULL);
    if (!e)
        db_notify(db); /* delivered with the commit */
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    if (!e && id)
        *id = new_id;
    return e;
}
