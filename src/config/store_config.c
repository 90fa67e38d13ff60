/* Store configuration rows and their cache (see store_config.h). */
#include "config/store_config.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"

enum value_kind { V_BOOL, V_INT, V_TEXT, V_LIST };

/* The paths storegate knows, with Magento's defaults (reference section 10) and storegate's own
 * additions. default_only: Magento shows the field only at default scope. */
static const struct known_path {
    const char *path, *def;
    enum value_kind kind;
    int64_t min, max;
    bool default_only;
} known[] = {
    /* clang-format off */
    {"webapi/webapisecurity/allow_insecure",         "0",   V_BOOL, 0, 1, true},
    {"webapi/validation/input_limit_enabled",        "0",   V_BOOL, 0, 1, true},
    {"webapi/validation/complex_array_limit",        "999999", V_INT, 1, 1000000000, true},
    {"webapi/validation/maximum_page_size",          "300", V_INT, 1, 1000000000, true},
    {"webapi/validation/default_page_size",          "999999", V_INT, 1, 1000000000, true},
    {"oauth/access_token_lifetime/customer",         "1",   V_INT, 0, 1000000, true},
    {"oauth/access_token_lifetime/admin",            "4",   V_INT, 0, 1000000, true},
    {"oauth/cleanup/cleanup_probability",            "100", V_INT, 0, 1000000, true},
    {"oauth/cleanup/expiration_period",              "120", V_INT, 0, 1000000, true},
    {"oauth/consumer/expiration_period",             "300", V_INT, 0, 100000000, true},
    {"oauth/consumer/post_maxredirects",             "0",   V_INT, 0, 100, true},
    {"oauth/consumer/post_timeout",                  "5",   V_INT, 0, 600, true},
    {"oauth/consumer/enable_integration_as_bearer",  "0",   V_BOOL, 0, 1, false},
    {"oauth/consumer/require_https_callback",        "0",   V_BOOL, 0, 1, true},
    {"oauth/authentication_lock/max_failures_count", "6",   V_INT, 0, 1000000, true},
    {"oauth/authentication_lock/timeout",            "1800", V_INT, 0, 100000000, true},
    {"oauth/signature_methods",                      "HMAC-SHA1,HMAC-SHA256", V_LIST, 0, 0, true},
    {"oauth/timestamp_window",                       "600", V_INT, 1, 100000000, true},
    {"admin/security/session_lifetime",              "900", V_INT, 60, 31536000, true},
    {"admin/security/lockout_failures",              "6",   V_INT, 0, 1000000, true},
    {"admin/security/lockout_threshold",             "30",  V_INT, 0, 1000000, true},
    {"web/secure/offloader_header",                  "X-Forwarded-Proto", V_TEXT, 0, 0, true},
    {"web/unsecure/base_url",                        "",    V_TEXT, 0, 0, false},
    {"web/secure/base_url",                          "",    V_TEXT, 0, 0, false},
    {"general/locale/code",                          "en_US", V_TEXT, 0, 0, false},
    {"general/locale/timezone",                      "UTC", V_TEXT, 0, 0, false},
    {"general/locale/weight_unit",                   "lbs", V_TEXT, 0, 0, false},
    {"currency/options/base",                        "USD", V_TEXT, 0, 0, false},
    {"currency/options/default",                     "USD", V_TEXT, 0, 0, false},
    /* clang-format on */
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

struct row {
    char *path, *value;
    int scope; /* enum config_scope */
    int64_t scope_id;
};

struct store_config {
    int64_t version;
    bool stale;
    struct row *rows;
    size_t nrows;
    /* store_id -> website_id, for the stores -> websites -> default fallback */
    int64_t *store_website;
    size_t nstores;
};

static const struct known_path *find_known(const char *path)
{
    for (size_t i = 0; i < NKNOWN; i++)
        if (strcmp(known[i].path, path) == 0)
            return &known[i];
    return NULL;
}

bool store_config_known(const char *path)
{
    return find_known(path) != NULL;
}

const char *store_config_scope_name(enum config_scope scope)
{
    return scope == SCOPE_STORES ? "stores" : scope == SCOPE_WEBSITES ? "websites" : "default";
}

struct store_config *store_config_new(void)
{
    struct store_config *c = calloc(1, sizeof(*c));
    if (c) {
        c->version = -1;
        c->stale = true;
    }
    return c;
}

static void clear_rows(struct store_config *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        free(c->rows[i].path);
        free(c->rows[i].value);
    }
    free(c->rows);
    free(c->store_website);
    c->rows = NULL;
    c->store_website = NULL;
    c->nrows = c->nstores = 0;
}

void store_config_free(struct store_config *c)
{
    if (!c)
        return;
    clear_rows(c);
    free(c);
}

void store_config_invalidate(struct store_config *c)
{
    c->stale = true;
}

enum err cache_version_read(struct db *db, const char *name, int64_t *v)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db, "SELECT version FROM cache_version WHERE name = $1", &st);
    if (!e) {
        db_bind_text(st, 1, str_c(name));
        e = db_next(st, &row);
    }
    if (!e && row) {
        *v = db_col_i64(st, 0);
        db_done(st);
    }
    return e;
}

static enum err reload(struct store_config *c, struct db *db)
{
    struct db_stmt *st;
    bool row;
    clear_rows(c);
    enum err e = db_prepare(db, "SELECT path, scope, scope_id, value FROM core_config_data", &st);
    size_t cap = 0;
    while (!e && !(e = db_next(st, &row)) && row) {
        if (c->nrows == cap) {
            cap = cap ? cap * 2 : 32;
            struct row *r = realloc(c->rows, cap * sizeof(*r));
            if (!r) {
                db_done(st);
                return ERR_DB;
            }
            c->rows = r;
        }
        struct row *r = &c->rows[c->nrows++];
        struct str scope = db_col_text(st, 1);
        r->path = strndup(db_col_text(st, 0).p, db_col_text(st, 0).len);
        if (!r->path) {
            c->nrows--;
            db_done(st);
            return ERR_DB;
        }
        r->scope = str_eq_c(scope, "stores")     ? SCOPE_STORES
                   : str_eq_c(scope, "websites") ? SCOPE_WEBSITES
                                                 : SCOPE_DEFAULT;
        r->scope_id = db_col_i64(st, 2);
        r->value =
            db_col_null(st, 3) ? NULL : strndup(db_col_text(st, 3).p, db_col_text(st, 3).len);
    }
    if (!e)
        e = db_prepare(db, "SELECT store_id, website_id FROM store ORDER BY store_id", &st);
    size_t scap = 0;
    while (!e && !(e = db_next(st, &row)) && row) {
        int64_t id = db_col_i64(st, 0);
        if (id < 0 || id > 100000)
            continue;
        if ((size_t)id >= scap) {
            size_t n = (size_t)id + 16;
            int64_t *m = realloc(c->store_website, n * sizeof(*m));
            if (!m) {
                db_done(st);
                return ERR_DB;
            }
            for (size_t k = scap; k < n; k++)
                m[k] = -1;
            c->store_website = m;
            scap = n;
        }
        c->store_website[id] = db_col_i64(st, 1);
        if ((size_t)id + 1 > c->nstores)
            c->nstores = (size_t)id + 1;
    }
    return e;
}

enum err cache_versions_read(struct db *db, int64_t *config, int64_t *store, int64_t *catalog)
{
    struct db_stmt *st;
    bool row = false;
    *config = *store = *catalog = -1;
    enum err e = db_prepare(db,
                            "SELECT name, version FROM cache_version"
                            " WHERE name IN ('config', 'store', 'catalog')",
                            &st);
    while (!e && !(e = db_next(st, &row)) && row) {
        struct str name = db_col_text(st, 0);
        if (str_eq_c(name, "config"))
            *config = db_col_i64(st, 1);
        else if (str_eq_c(name, "store"))
            *store = db_col_i64(st, 1);
        else
            *catalog = db_col_i64(st, 1);
    }
    return e;
}

enum err store_config_sync(struct store_config *c, struct db *db, bool changed)
{
    if (!c->stale && !changed)
        return ERR_OK;
    int64_t v = -1;
    enum err e = cache_version_read(db, "config", &v);
    if (e)
        return e;
    return store_config_sync_version(c, db, v);
}

enum err store_config_sync_version(struct store_config *c, struct db *db, int64_t v)
{
    enum err e;
    if (v != c->version || c->stale) {
        e = reload(c, db);
        if (e) {
            /* the rows are gone: the next request must try again, whatever db_changed says */
            c->stale = true;
            return e;
        }
        c->version = v;
    }
    c->stale = false;
    return ERR_OK;
}

static const char *lookup(const struct store_config *c, const char *path, int scope, int64_t id,
                          bool *found)
{
    for (size_t i = 0; i < c->nrows; i++) {
        const struct row *r = &c->rows[i];
        if (r->scope == scope && r->scope_id == id && strcmp(r->path, path) == 0) {
            *found = true;
            return r->value ? r->value : "";
        }
    }
    *found = false;
    return NULL;
}

const char *store_config_get(const struct store_config *c, const char *path, int64_t store_id)
{
    const struct known_path *k = find_known(path);
    bool found = false;
    const char *v;
    if (store_id >= 0 && !(k && k->default_only)) {
        v = lookup(c, path, SCOPE_STORES, store_id, &found);
        if (found)
            return v;
        if ((size_t)store_id < c->nstores && c->store_website[store_id] >= 0) {
            v = lookup(c, path, SCOPE_WEBSITES, c->store_website[store_id], &found);
            if (found)
                return v;
        }
    }
    v = lookup(c, path, SCOPE_DEFAULT, 0, &found);
    if (found)
        return v;
    return k ? k->def : NULL;
}

int64_t store_config_get_int(const struct store_config *c, const char *path, int64_t store_id)
{
    const char *v = store_config_get(c, path, store_id);
    int64_t n = 0;
    if (!v || !str_to_i64(str_trim(str_c(v)), &n)) {
        const struct known_path *k = find_known(path);
        if (!k || !str_to_i64(str_c(k->def), &n))
            n = 0;
    }
    return n;
}

bool store_config_get_bool(const struct store_config *c, const char *path, int64_t store_id)
{
    return store_config_get_int(c, path, store_id) != 0;
}

bool store_config_validate(const char *path, const char *value, enum config_scope scope, char *err,
                           size_t errlen)
{
    const struct known_path *k = find_known(path);
    if (!k) {
        snprintf(err, errlen, "The \"%s\" path doesn't exist. Verify and try again.", path);
        return false;
    }
    if (k->default_only && scope != SCOPE_DEFAULT) {
        snprintf(err, errlen, "The \"%s\" path can be set only at the default scope.", path);
        return false;
    }
    int64_t n;
    switch (k->kind) {
    case V_BOOL:
        if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0) {
            snprintf(err, errlen, "The \"%s\" value must be 0 (No) or 1 (Yes).", path);
            return false;
        }
        break;
    case V_INT:
        if (!str_to_i64(str_c(value), &n) || n < k->min || n > k->max) {
            snprintf(err, errlen, "The \"%s\" value must be a whole number from %lld to %lld.",
                     path, (long long)k->min, (long long)k->max);
            return false;
        }
        break;
    case V_LIST:
        if (strcmp(path, "oauth/signature_methods") == 0) { /* not a secret */
            struct str rest = str_c(value);
            if (!rest.len)
                goto bad_list;
            while (rest.p) {
                struct str item = str_trim(str_cut(rest, ',', &rest));
                if (!str_eq_c(item, "HMAC-SHA1") && !str_eq_c(item, "HMAC-SHA256"))
                    goto bad_list;
            }
        }
        break;
    case V_TEXT:
        if (strlen(value) > 4096) {
            snprintf(err, errlen, "The \"%s\" value is too long.", path);
            return false;
        }
        break;
    }
    return true;
bad_list:
    snprintf(err, errlen,
             "The \"%s\" value must be a comma-separated list of HMAC-SHA1 and HMAC-SHA256.", path);
    return false;
}

enum err store_config_set(struct db *db, const char *path, enum config_scope scope,
                          int64_t scope_id, const char *value)
{
    struct db_stmt *st;
    enum err e = db_begin(db);
    if (e)
        return e;
    e = db_prepare(db,
                   "INSERT INTO core_config_data (scope, scope_id, path, value, updated_at)"
                   " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, scope_id, path)"
                   " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                   &st);
    if (!e) {
        db_bind_text(st, 1, str_c(store_config_scope_name(scope)));
        db_bind_i64(st, 2, scope_id);
        db_bind_text(st, 3, str_c(path));
        db_bind_text(st, 4, str_c(value));
        db_bind_i64(st, 5, clock_now());
        e = db_run(st, NULL);
    }
    if (!e)
        e = db_prepare(db, "UPDATE cache_version SET version = version + 1 WHERE name = 'config'",
                       &st);
    if (!e)
        e = db_run(st, NULL);
    if (!e)
        db_notify(db); /* delivered with the commit */
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    return e;
}

enum err store_config_print(struct db *db, const char *only_path, FILE *out)
{
    struct store_config *c = store_config_new();
    if (!c)
        return ERR_DB;
    enum err e = store_config_sync(c, db, true);
    if (e) {
        store_config_free(c);
        return e;
    }
    if (only_path) {
        const char *v = store_config_get(c, only_path, -1);
        if (v)
            fprintf(out, "%s\n", v);
        e = v ? ERR_OK : ERR_NOT_FOUND;
    } else {
        for (size_t i = 0; i < NKNOWN; i++)
            fprintf(out, "%s - %s\n", known[i].path, store_config_get(c, known[i].path, -1));
        for (size_t i = 0; i < c->nrows; i++)
            if (c->rows[i].scope != SCOPE_DEFAULT || !find_known(c->rows[i].path))
                fprintf(out, "%s [%s %lld] - %s\n", c->rows[i].path,
                        store_config_scope_name(c->rows[i].scope), (long long)c->rows[i].scope_id,
                        c->rows[i].value ? c->rows[i].value : "");
    }
    store_config_free(c);
    return e;
}
