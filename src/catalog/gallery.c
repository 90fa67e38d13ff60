/* A product's media gallery (see gallery.h). */
#include "catalog/gallery.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog/product.h"
#include "core/clock.h"
#include "core/log.h"
#include "media/image.h"
#include "query/bind.h"

#define MSG_CONTENT_INVALID "The image content is invalid. Verify the content and try again."
#define MSG_NO_IMAGE_ID "No image with the provided ID was found. Verify the ID and try again."

/* The roles, i.e. the product's media attributes (Magento's media_image attributes). */
static const char *const roles[] = {"image", "small_image", "thumbnail", "swatch_image"};
#define N_ROLES (sizeof(roles) / sizeof(roles[0]))

/* --- the files of a save --- */

static void txn_push(struct gallery_txn *t, bool written, const char *path)
{
    const char ***list = written ? &t->written : &t->orphans;
    size_t *n = written ? &t->n_written : &t->n_orphans;
    size_t *cap = written ? &t->cap_written : &t->cap_orphans;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        const char **grown = arena_alloc(t->a, ncap * sizeof(*grown));
        if (*n)
            memcpy(grown, *list, *n * sizeof(*grown));
        *list = grown;
        *cap = ncap;
    }
    (*list)[(*n)++] = path;
}

void gallery_txn_settle(struct gallery_txn *t, bool committed)
{
    if (!t)
        return;
    const char **list = committed ? t->orphans : t->written;
    size_t n = committed ? t->n_orphans : t->n_written;
    for (size_t i = 0; i < n; i++)
        if (unlink(list[i]) != 0)
            log_warn("cannot remove the image file \"%s\"", list[i]);
    t->n_written = t->n_orphans = 0;
}

/* --- binding an entry (reference 5.2: snake_case or camelCase keys) --- */

struct entry_in {
    bool has_id, has_media_type, has_label, has_position, has_disabled, has_types, has_content;
    int64_t id, position;
    const char *media_type, *label, *file;
    bool disabled;
    const char *types; /* comma-separated */
    /* content {base64_encoded_data, type, name}; each NULL when missing */
    const char *b64, *ctype, *cname;
    size_t b64_len;
};

static enum err bind_content(struct arena *a, json_t *c, struct entry_in *in,
                             struct query_error *qe)
{
    if (!json_is_object(c))
        return bind_type_error(a, qe, "content", c, "object");
    in->has_content = true;
    const char *k;
    json_t *v;
    json_object_foreach(c, k, v)
    {
        const char *s = bind_snake(a, k);
        enum err e = ERR_OK;
        if (strcmp(s, "base64_encoded_data") == 0) {
            if (json_is_null(v))
                continue;
            if (json_is_string(v)) {
                in->b64 = json_string_value(v);
                in->b64_len = json_string_length(v);
            } else {
                e = bind_as_string(a, qe, k, v, &in->b64);
                in->b64_len = in->b64 ? strlen(in->b64) : 0;
            }
        } else if (strcmp(s, "type") == 0) {
            if (!json_is_null(v))
                e = bind_as_string(a, qe, k, v, &in->ctype);
        } else if (strcmp(s, "name") == 0) {
            if (json_is_null(v))
                continue;
            e = bind_as_string(a, qe, k, v, &in->cname);
            /* a NUL inside the name is a forbidden character, not the end of it */
            if (!e && json_is_string(v) && strlen(in->cname) != json_string_length(v))
                in->cname = "/";
        } else {
            e = bind_unknown_key(a, qe, k);
        }
        if (e)
            return e;
    }
    return ERR_OK;
}

static enum err bind_entry(struct arena *a, json_t *m, struct entry_in *in, struct query_error *qe)
{
    memset(in, 0, sizeof(*in));
    if (!json_is_object(m))
        return bind_type_error(a, qe, "media_gallery_entries", m, "object");
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        const char *s = bind_snake(a, k);
        enum err e = ERR_OK;
        if (json_is_null(v)) {
            if (strcmp(s, "label") == 0)
                in->has_label = true;
            continue;
        }
        if (strcmp(s, "id") == 0) {
            e = bind_as_int(a, qe, k, v, &in->id);
            in->has_id = true;
        } else if (strcmp(s, "media_type") == 0) {
            e = bind_as_string(a, qe, k, v, &in->media_type);
            in->has_media_type = true;
        } else if (strcmp(s, "label") == 0) {
            e = bind_as_string(a, qe, k, v, &in->label);
            in->has_label = true;
        } else if (strcmp(s, "position") == 0) {
            e = bind_as_int(a, qe, k, v, &in->position);
            in->has_position = true;
        } else if (strcmp(s, "disabled") == 0) {
            e = bind_as_bool(a, qe, k, v, &in->disabled);
            in->has_disabled = true;
        } else if (strcmp(s, "file") == 0) {
            e = bind_as_string(a, qe, k, v, &in->file);
            if (!e && !*in->file)
                in->file = NULL;
        } else if (strcmp(s, "types") == 0) {
            if (!json_is_array(v))
                return bind_type_error(a, qe, k, v, "string[]");
            struct buf types;
            buf_init(&types, a, 64);
            size_t j;
            json_t *t;
            json_array_foreach(v, j, t)
            {
                const char *ts;
                if ((e = bind_as_string(a, qe, "types", t, &ts)))
                    return e;
                if (strchr(ts, ','))
                    return bind_type_error(a, qe, "types", t, "string");
                if (types.len)
                    buf_add_ch(&types, ',');
                buf_add_c(&types, ts);
            }
            in->types = buf_cstr(&types);
            in->has_types = true;
        } else if (strcmp(s, "content") == 0) {
            e = bind_content(a, v, in, qe);
        } else if (strcmp(s, "extension_attributes") != 0) {
            e = bind_unknown_key(a, qe, k);
        }
        if (e)
            return e;
    }
    return ERR_OK;
}

enum err gallery_entry_validate(struct arena *a, json_t *entry, struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    struct entry_in in;
    return bind_entry(a, entry, &in, qe);
}

/* Checks an entry's image (Magento's messages in qe). */
static enum err check_content(struct arena *a, const struct entry_in *in, struct image_upload *up,
                              struct query_error *qe)
{
    enum image_problem p = image_upload_check(a, in->b64, in->b64_len, in->ctype, in->cname, up);
    if (p == IMAGE_TOO_BIG)
        return bind_fail(qe, ERR_INVALID, image_problem_message(p),
                         json_pack("[I]", (json_int_t)IMAGE_MAX_BYTES));
    if (p == IMAGE_NAME_LONG)
        return bind_fail(qe, ERR_INVALID, image_problem_message(p),
                         json_pack("[i]", IMAGE_NAME_MAX));
    if (p != IMAGE_OK)
        return bind_fail(qe, ERR_INVALID, image_problem_message(p), NULL);
    return ERR_OK;
}

/* Stores a checked image; *rel gets its file ("/c/c/name.ext"). */
static enum err store_upload(struct arena *a, const struct image_upload *up, struct gallery_txn *t,
                             const char **rel, struct query_error *qe)
{
    if (!t || !t->root)
        return bind_fail(qe, ERR_INVALID, MSG_CONTENT_INVALID, NULL);
    const char *abs;
    enum err e = image_store(a, t->root, up, rel, &abs);
    if (e) {
        log_error("cannot store an image under \"%s\"", t->root);
        return e;
    }
    txn_push(t, true, abs);
    return ERR_OK;
}

static enum err store_content(struct arena *a, const struct entry_in *in, struct gallery_txn *t,
                              const char **rel, struct query_error *qe)
{
    struct image_upload up;
    enum err e = check_content(a, in, &up, qe);
    return e ? e : store_upload(a, &up, t, rel, qe);
}

/* --- rows --- */

static enum err run1(struct db *db, const char *sql, int64_t a1)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, a1);
    return db_run(st, NULL);
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

static enum err insert_entry(struct db *db, int64_t product_id, const struct entry_in *in,
                             const char *file, int64_t *id)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "INSERT INTO catalog_product_media (product_id, media_type, label,"
                            " position, disabled, types, file) VALUES ($1, $2, $3, $4, $5, $6,"
                            " $7) RETURNING value_id",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, product_id);
    db_bind_text(st, 2, str_c(in->media_type ? in->media_type : "image"));
    if (in->label)
        db_bind_text(st, 3, str_c(in->label));
    else
        db_bind_null(st, 3);
    db_bind_i64(st, 4, in->position);
    db_bind_i64(st, 5, in->disabled);
    db_bind_text(st, 6, str_c(in->types ? in->types : ""));
    db_bind_text(st, 7, str_c(file));
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_DB;
    *id = db_col_i64(st, 0);
    db_done(st);
    return ERR_OK;
}

/* Fields the entry gives overwrite the row's; file when not NULL. */
static enum err update_entry(struct db *db, int64_t id, const struct entry_in *in, const char *file)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "UPDATE catalog_product_media SET media_type = COALESCE($2, media_type),"
        " label = CASE WHEN $3 = 1 THEN $4 ELSE label END, position = COALESCE($5, position),"
        " disabled = COALESCE($6, disabled), types = COALESCE($7, types),"
        " file = COALESCE($8, file) WHERE value_id = $1",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    if (in->has_media_type)
        db_bind_text(st, 2, str_c(in->media_type));
    else
        db_bind_null(st, 2);
    db_bind_i64(st, 3, in->has_label);
    if (in->label)
        db_bind_text(st, 4, str_c(in->label));
    else
        db_bind_null(st, 4);
    if (in->has_position)
        db_bind_i64(st, 5, in->position);
    else
        db_bind_null(st, 5);
    if (in->has_disabled)
        db_bind_i64(st, 6, in->disabled);
    else
        db_bind_null(st, 6);
    if (in->has_types)
        db_bind_text(st, 7, str_c(in->types));
    else
        db_bind_null(st, 7);
    if (file)
        db_bind_text(st, 8, str_c(file));
    else
        db_bind_null(st, 8);
    return db_run(st, NULL);
}

/* The entry's file, when the entry is the product's; *found false otherwise. */
static enum err entry_file(struct db *db, struct arena *a, int64_t product_id, int64_t id,
                           const char **file, bool *found)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT file FROM catalog_product_media WHERE value_id = $1 AND"
                            " product_id = $2",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, product_id);
    *found = false;
    if ((e = db_next(st, found)) || !*found)
        return e;
    struct str f = db_col_text(st, 0);
    *file = arena_strndup(a, f.p, f.len);
    db_done(st);
    return ERR_OK;
}

/* A file no entry refers to any more is removed once the transaction commits; only files this
 * module could have written (never a path a client made up). */
static enum err maybe_orphan(struct db *db, struct gallery_txn *t, const char *file)
{
    if (!t || !t->root || !image_path_safe(str_c(file)))
        return ERR_OK;
    struct db_stmt *st;
    enum err e = db_prepare(db, "SELECT 1 FROM catalog_product_media WHERE file = $1 LIMIT 1", &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(file));
    bool used = false;
    if ((e = db_next(st, &used)))
        return e;
    if (used) {
        db_done(st);
        return ERR_OK;
    }
    txn_push(t, false, arena_printf(t->a, "%s%s", t->root, file));
    return ERR_OK;
}

static bool has_role(struct str types, const char *role)
{
    struct str rest = types;
    while (rest.p && rest.len) {
        struct str t = str_cut(rest, ',', &rest);
        if (str_eq_c(t, role))
            return true;
    }
    return false;
}

/* Magento's roles: each media attribute names the file of the (last) entry holding the role. */
static enum err sync_roles(struct db *db, struct arena *a, int64_t product_id, int64_t store_id)
{
    const char *files[N_ROLES] = {0};
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT types, file FROM catalog_product_media WHERE product_id = $1"
                            " ORDER BY position, value_id",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, product_id);
    bool row = false;
    while (!(e = db_next(st, &row)) && row) {
        struct str types = db_col_text(st, 0);
        for (size_t r = 0; r < N_ROLES; r++)
            if (has_role(types, roles[r])) {
                struct str f = db_col_text(st, 1);
                files[r] = arena_strndup(a, f.p, f.len);
            }
    }
    if (e)
        return e;
    for (size_t r = 0; r < N_ROLES && !e; r++) {
        if (files[r]) {
            e = db_prepare(db,
                           "INSERT INTO catalog_product_value (product_id, store_id,"
                           " attribute_code, value) VALUES ($1, $2, $3, $4) ON CONFLICT"
                           " (product_id, store_id, attribute_code) DO UPDATE SET value ="
                           " excluded.value",
                           &st);
        } else {
            e = db_prepare(db,
                           "DELETE FROM catalog_product_value WHERE product_id = $1 AND"
                           " store_id = $2 AND attribute_code = $3",
                           &st);
        }
        if (e)
            return e;
        db_bind_i64(st, 1, product_id);
        db_bind_i64(st, 2, store_id);
        db_bind_text(st, 3, str_c(roles[r]));
        if (files[r])
            db_bind_text(st, 4, str_c(files[r]));
        e = db_run(st, NULL);
    }
    return e;
}

/* Takes the roles in types away from the product's entries other than keep (a role belongs to one
 * image: Magento's GalleryManagement::update). */
static enum err strip_roles(struct db *db, struct arena *a, int64_t product_id, int64_t keep,
                            const char *types)
{
    if (!types || !*types)
        return ERR_OK;
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT value_id, types FROM catalog_product_media WHERE"
                            " product_id = $1 AND value_id <> $2",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, product_id);
    db_bind_i64(st, 2, keep);
    /* collect first: the statement cannot stay open under the updates */
    size_t n = 0, cap = 8;
    int64_t *ids = arena_alloc(a, cap * sizeof(*ids));
    const char **left = arena_alloc(a, cap * sizeof(*left));
    bool row = false;
    while (!(e = db_next(st, &row)) && row) {
        struct str old = db_col_text(st, 1), rest = old;
        struct buf kept;
        buf_init(&kept, a, old.len + 1);
        bool changed = false;
        while (rest.p && rest.len) {
            struct str t = str_cut(rest, ',', &rest);
            if (!t.len)
                continue;
            if (has_role(str_c(types), arena_strndup(a, t.p, t.len))) {
                changed = true;
                continue;
            }
            if (kept.len)
                buf_add_ch(&kept, ',');
            buf_add_str(&kept, t);
        }
        if (!changed)
            continue;
        if (n == cap) {
            int64_t *gi = arena_alloc(a, 2 * cap * sizeof(*gi));
            const char **gl = arena_alloc(a, 2 * cap * sizeof(*gl));
            memcpy(gi, ids, n * sizeof(*gi));
            memcpy(gl, left, n * sizeof(*gl));
            ids = gi;
            left = gl;
            cap *= 2;
        }
        ids[n] = db_col_i64(st, 0);
        left[n++] = buf_cstr(&kept);
    }
    if (e)
        return e;
    for (size_t i = 0; i < n && !e; i++) {
        if ((e = db_prepare(db, "UPDATE catalog_product_media SET types = $2 WHERE value_id = $1",
                            &st)))
            return e;
        db_bind_i64(st, 1, ids[i]);
        db_bind_text(st, 2, str_c(left[i]));
        e = db_run(st, NULL);
    }
    return e;
}

static enum err touch_product(struct db *db, int64_t product_id)
{
    return run2(db, "UPDATE catalog_product SET updated_at = $2 WHERE entity_id = $1", product_id,
                clock_now());
}

/* --- product save --- */

enum err gallery_save_entries(struct db *db, struct arena *a, int64_t product_id, int64_t store_id,
                              json_t *entries, struct gallery_txn *t, struct query_error *qe)
{
    if (!json_is_array(entries))
        return bind_type_error(a, qe, "media_gallery_entries", entries, "array");
    size_t n = json_array_size(entries);
    struct entry_in *in = arena_calloc(a, n ? n : 1, sizeof(*in));
    struct image_upload *ups = arena_calloc(a, n ? n : 1, sizeof(*ups));
    /* every entry is checked, its image too, before anything is written */
    for (size_t i = 0; i < n; i++) {
        enum err e = bind_entry(a, json_array_get(entries, i), &in[i], qe);
        if (e)
            return e;
        if (!in[i].has_content && !in[i].file && !in[i].has_id)
            return bind_fail(qe, ERR_INVALID, MSG_CONTENT_INVALID, NULL);
        if (in[i].has_content && (e = check_content(a, &in[i], &ups[i], qe)))
            return e;
    }
    /* the product's entries now: those the list leaves out go */
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT value_id, file FROM catalog_product_media WHERE"
                            " product_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, product_id);
    size_t n_old = 0, cap_old = 8;
    int64_t *old_ids = arena_alloc(a, cap_old * sizeof(*old_ids));
    const char **old_files = arena_alloc(a, cap_old * sizeof(*old_files));
    bool row = false;
    while (!(e = db_next(st, &row)) && row) {
        if (n_old == cap_old) {
            int64_t *gi = arena_alloc(a, 2 * cap_old * sizeof(*gi));
            const char **gf = arena_alloc(a, 2 * cap_old * sizeof(*gf));
            memcpy(gi, old_ids, n_old * sizeof(*gi));
            memcpy(gf, old_files, n_old * sizeof(*gf));
            old_ids = gi;
            old_files = gf;
            cap_old *= 2;
        }
        struct str f = db_col_text(st, 1);
        old_ids[n_old] = db_col_i64(st, 0);
        old_files[n_old++] = arena_strndup(a, f.p, f.len);
    }
    if (e)
        return e;
    bool *kept = arena_calloc(a, n_old ? n_old : 1, sizeof(*kept));
    const char **replaced = arena_calloc(a, n ? n : 1, sizeof(*replaced));
    for (size_t i = 0; i < n; i++) {
        size_t k = n_old;
        if (in[i].has_id)
            for (k = 0; k < n_old && old_ids[k] != in[i].id; k++)
                ;
        const char *file = in[i].file;
        if (in[i].has_content && (e = store_upload(a, &ups[i], t, &file, qe)))
            return e;
        if (k < n_old && !kept[k]) {
            kept[k] = true;
            if (file && strcmp(file, old_files[k]) != 0)
                replaced[i] = old_files[k];
            e = update_entry(db, old_ids[k], &in[i], file);
        } else {
            /* an id that is not the product's is a new entry, as Magento treats it */
            if (!file)
                return bind_fail(qe, ERR_INVALID, MSG_CONTENT_INVALID, NULL);
            int64_t id;
            e = insert_entry(db, product_id, &in[i], file, &id);
        }
        if (e)
            return e;
    }
    for (size_t k = 0; k < n_old && !e; k++)
        if (!kept[k])
            e = run1(db, "DELETE FROM catalog_product_media WHERE value_id = $1", old_ids[k]);
    for (size_t k = 0; k < n_old && !e; k++)
        if (!kept[k])
            e = maybe_orphan(db, t, old_files[k]);
    for (size_t i = 0; i < n && !e; i++)
        if (replaced[i])
            e = maybe_orphan(db, t, replaced[i]);
    if (!e)
        e = sync_roles(db, a, product_id, store_id);
    return e;
}

/* --- the media routes --- */

static void entry_json(struct db_stmt *st, struct buf *out)
{
    /* columns: value_id, media_type, label, position, disabled, types, file (as product.c) */
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, db_col_i64(st, 0));
    buf_add_c(out, ",\"media_type\":");
    buf_json_str(out, db_col_text(st, 1));
    buf_add_c(out, ",\"label\":");
    if (db_col_null(st, 2))
        buf_add_c(out, "null");
    else
        buf_json_str(out, db_col_text(st, 2));
    buf_add_c(out, ",\"position\":");
    buf_add_i64(out, db_col_i64(st, 3));
    buf_add_c(out, db_col_i64(st, 4) ? ",\"disabled\":true,\"types\":["
                                     : ",\"disabled\":false,\"types\":[");
    struct str rest = db_col_text(st, 5);
    for (int k = 0; rest.p && rest.len;) {
        struct str t = str_cut(rest, ',', &rest);
        if (!t.len)
            continue;
        if (k++)
            buf_add_ch(out, ',');
        buf_json_str(out, t);
    }
    buf_add_c(out, "],\"file\":");
    buf_json_str(out, db_col_text(st, 6));
    buf_add_ch(out, '}');
}

enum err gallery_list_json(struct db *db, struct str sku, struct buf *out)
{
    int64_t pid;
    enum err e = product_id_by_sku(db, sku, &pid);
    if (e)
        return e;
    struct db_stmt *st;
    if ((e = db_prepare(db,
                        "SELECT value_id, media_type, label, position, disabled, types, file"
                        " FROM catalog_product_media WHERE product_id = $1 ORDER BY position,"
                        " value_id",
                        &st)))
        return e;
    db_bind_i64(st, 1, pid);
    buf_add_ch(out, '[');
    bool row = false;
    for (int n = 0; !(e = db_next(st, &row)) && row; n++) {
        if (n)
            buf_add_ch(out, ',');
        entry_json(st, out);
    }
    buf_add_ch(out, ']');
    return e;
}

enum err gallery_entry_json(struct db *db, struct str sku, struct str entry_id, struct buf *out,
                            struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    int64_t pid, id = 0;
    enum err e = product_id_by_sku(db, sku, &pid);
    if (e == ERR_PRODUCT_NOT_FOUND)
        return bind_fail(qe, ERR_NO_SUCH_ENTITY, "The product doesn't exist. Verify and try again.",
                         NULL);
    if (e)
        return e;
    bool row = false;
    struct db_stmt *st;
    if (str_to_i64(entry_id, &id)) {
        if ((e = db_prepare(db,
                            "SELECT value_id, media_type, label, position, disabled, types,"
                            " file FROM catalog_product_media WHERE product_id = $1 AND"
                            " value_id = $2",
                            &st)))
            return e;
        db_bind_i64(st, 1, pid);
        db_bind_i64(st, 2, id);
        if ((e = db_next(st, &row)))
            return e;
    }
    if (!row)
        return bind_fail(qe, ERR_NO_SUCH_ENTITY, "The image doesn't exist. Verify and try again.",
                         NULL);
    entry_json(st, out);
    db_done(st);
    return ERR_OK;
}

static enum err entry_count(struct db *db, int64_t product_id, int64_t *n)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(db, "SELECT COUNT(*) FROM catalog_product_media WHERE product_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, product_id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    *n = row ? db_col_i64(st, 0) : 0;
    if (row)
        db_done(st);
    return ERR_OK;
}

enum err gallery_create_tx(struct db *db, struct arena *a, struct str sku, int64_t store_id,
                           json_t *entry, struct gallery_txn *t, int64_t *entry_id,
                           struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    struct entry_in in;
    enum err e = bind_entry(a, entry, &in, qe);
    if (e)
        return e;
    /* GalleryManagement::create checks the content before it looks for the product */
    if (!in.has_content)
        return bind_fail(qe, ERR_INVALID, MSG_CONTENT_INVALID, NULL);
    struct image_upload up;
    if ((e = check_content(a, &in, &up, qe)))
        return e;
    int64_t pid, count;
    if ((e = product_id_by_sku(db, sku, &pid)) || (e = entry_count(db, pid, &count)))
        return e;
    if (count == 0 && (!in.types || !*in.types)) {
        in.types = "image,small_image,thumbnail,swatch_image";
        in.has_types = true;
    }
    const char *file;
    if ((e = store_upload(a, &up, t, &file, qe)))
        return e;
    if ((e = insert_entry(db, pid, &in, file, entry_id)))
        return e;
    if ((e = strip_roles(db, a, pid, *entry_id, in.types)) ||
        (e = sync_roles(db, a, pid, store_id)))
        return e;
    return touch_product(db, pid);
}

enum err gallery_update_tx(struct db *db, struct arena *a, struct str sku, int64_t store_id,
                           int64_t entry_id, json_t *entry, struct gallery_txn *t,
                           struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    struct entry_in in;
    enum err e = bind_entry(a, entry, &in, qe);
    if (e)
        return e;
    int64_t pid;
    if ((e = product_id_by_sku(db, sku, &pid)))
        return e;
    int64_t id = in.has_id ? in.id : entry_id;
    const char *old_file;
    bool found;
    if ((e = entry_file(db, a, pid, id, &old_file, &found)))
        return e;
    if (!found)
        return bind_fail(qe, ERR_NO_SUCH_ENTITY, MSG_NO_IMAGE_ID, NULL);
    const char *file = in.file;
    if (in.has_content && (e = store_content(a, &in, t, &file, qe)))
        return e;
    if ((e = update_entry(db, id, &in, file)))
        return e;
    if (file && strcmp(file, old_file) != 0 && (e = maybe_orphan(db, t, old_file)))
        return e;
    if (in.has_types && (e = strip_roles(db, a, pid, id, in.types)))
        return e;
    if ((e = sync_roles(db, a, pid, store_id)))
        return e;
    return touch_product(db, pid);
}

enum err gallery_remove_tx(struct db *db, struct arena *a, struct str sku, int64_t store_id,
                           int64_t entry_id, struct gallery_txn *t, struct query_error *qe)
{
    memset(qe, 0, sizeof(*qe));
    int64_t pid;
    enum err e = product_id_by_sku(db, sku, &pid);
    if (e)
        return e;
    const char *file;
    bool found;
    if ((e = entry_file(db, a, pid, entry_id, &file, &found)))
        return e;
    if (!found)
        return bind_fail(qe, ERR_NO_SUCH_ENTITY, MSG_NO_IMAGE_ID, NULL);
    if ((e = run2(db, "DELETE FROM catalog_product_media WHERE value_id = $1 AND product_id = $2",
                  entry_id, pid)) ||
        (e = maybe_orphan(db, t, file)) || (e = sync_roles(db, a, pid, store_id)))
        return e;
    return touch_product(db, pid);
}
