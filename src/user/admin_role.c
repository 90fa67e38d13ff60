/* Admin roles (see admin_role.h). */
#include "user/admin_role.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "core/clock.h"

static struct str name_key(const char *name, char *out)
{
    size_t n = strlen(name);
    if (n > ADMIN_ROLE_NAME_MAX)
        n = ADMIN_ROLE_NAME_MAX;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[n] = '\0';
    return (struct str){out, n};
}

bool admin_role_validate(const struct admin_role_input *in, char *err, size_t errlen)
{
    if (!in->name || !*in->name) {
        snprintf(err, errlen, "\"Role Name\" is required. Enter and try again.");
        return false;
    }
    if (strlen(in->name) > ADMIN_ROLE_NAME_MAX) {
        snprintf(err, errlen, "The role name must be at most %d characters.", ADMIN_ROLE_NAME_MAX);
        return false;
    }
    for (const char *p = in->name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            snprintf(err, errlen, "The role name may not contain control characters.");
            return false;
        }
    for (int i = 0; i < in->nresources; i++)
        if (!acl_known(str_c(in->resources[i]))) {
            snprintf(err, errlen, "The resource \"%.200s\" is not in the ACL tree.",
                     in->resources[i]);
            return false;
        }
    return true;
}

static enum err write_resources(struct db *db, int64_t id, const struct admin_role_input *in)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "DELETE FROM admin_role_resource WHERE role_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_run(st, NULL);
    }
    for (int i = 0; !e && !in->all_resources && i < in->nresources; i++) {
        e = db_prepare(db,
                       "INSERT INTO admin_role_resource (role_id, resource_id) VALUES ($1, $2)"
                       " ON CONFLICT (role_id, resource_id) DO NOTHING",
                       &st);
        if (!e) {
            db_bind_i64(st, 1, id);
            db_bind_text(st, 2, str_c(in->resources[i]));
            e = db_run(st, NULL);
        }
    }
    return e;
}

enum err admin_role_create(struct db *db, const struct admin_role_input *in, int64_t *id)
{
    char key[ADMIN_ROLE_NAME_MAX + 1];
    struct db_stmt *st;
    bool row = false;
    int64_t now = clock_now(), rid = 0;
    enum err e = db_begin(db);
    if (e)
        return e;
    e = db_prepare(db,
                   "INSERT INTO admin_role (name, name_key, all_resources, created_at, updated_at)"
                   " VALUES ($1, $2, $3, $4, $4) RETURNING role_id",
                   &st);
    if (!e) {
        db_bind_text(st, 1, str_c(in->name));
        db_bind_text(st, 2, name_key(in->name, key));
        db_bind_i64(st, 3, in->all_resources ? 1 : 0);
        db_bind_i64(st, 4, now);
        e = db_next(st, &row);
    }
    if (!e && row) {
        rid = db_col_i64(st, 0);
        db_done(st);
    }
    if (!e)
        e = write_resources(db, rid, in);
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    if (!e && id)
        *id = rid;
    return e == ERR_DB_CONSTRAINT ? ERR_EXISTS : e;
}

enum err admin_role_update(struct db *db, int64_t id, const struct admin_role_input *in)
{
    char key[ADMIN_ROLE_NAME_MAX + 1];
    struct db_stmt *st;
    int64_t changes = 0;
    enum err e = db_begin(db);
    if (e)
        return e;
    e = db_prepare(db,
                   "UPDATE admin_role SET name = $1, name_key = $2, all_resources = $3,"
                   " updated_at = $4 WHERE role_id = $5",
                   &st);
    if (!e) {
        db_bind_text(st, 1, str_c(in->name));
        db_bind_text(st, 2, name_key(in->name, key));
        db_bind_i64(st, 3, in->all_resources ? 1 : 0);
        db_bind_i64(st, 4, clock_now());
        db_bind_i64(st, 5, id);
        e = db_run(st, &changes);
    }
    if (!e && changes == 0)
        e = ERR_NOT_FOUND;
    if (!e)
        e = write_resources(db, id, in);
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    return e == ERR_DB_CONSTRAINT ? ERR_EXISTS : e;
}

static enum err users_of(struct db *db, int64_t id, int64_t *count)
{
    struct db_stmt *st;
    bool row = false;
    *count = 0;
    enum err e = db_prepare(db, "SELECT COUNT(*) FROM admin_user WHERE role_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_next(st, &row);
    }
    if (!e && row) {
        *count = db_col_i64(st, 0);
        db_done(st);
    }
    return e;
}

enum err admin_role_delete(struct db *db, int64_t id)
{
    int64_t users = 0, changes = 0;
    struct db_stmt *st;
    enum err e = users_of(db, id, &users);
    if (e)
        return e;
    if (users > 0)
        return ERR_INVALID;
    e = db_prepare(db, "DELETE FROM admin_role WHERE role_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_run(st, &changes);
    }
    return !e && changes == 0 ? ERR_NOT_FOUND : e;
}

enum err admin_role_find(struct db *db, struct str name, int64_t *id)
{
    char key[ADMIN_ROLE_NAME_MAX + 1], text[ADMIN_ROLE_NAME_MAX + 1];
    if (name.len == 0 || name.len > ADMIN_ROLE_NAME_MAX)
        return ERR_NOT_FOUND;
    memcpy(text, name.p, name.len);
    text[name.len] = '\0';
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db, "SELECT role_id FROM admin_role WHERE name_key = $1", &st);
    if (!e) {
        db_bind_text(st, 1, name_key(text, key));
        e = db_next(st, &row);
    }
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    *id = db_col_i64(st, 0);
    db_done(st);
    return ERR_OK;
}

enum err admin_role_resources_json(struct db *db, int64_t id, struct buf *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(db,
                            "SELECT resource_id FROM admin_role_resource WHERE role_id = $1"
                            " ORDER BY resource_id",
                            &st);
    if (!e)
        db_bind_i64(st, 1, id);
    buf_add_ch(out, '[');
    bool first = true;
    while (!e && !(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        buf_json_str(out, db_col_text(st, 0));
    }
    buf_add_ch(out, ']');
    return e;
}

static enum err one_json(struct db *db, int64_t id, struct buf *out)
{
    struct db_stmt *st;
    bool row = false;
    enum err e =
        db_prepare(db, "SELECT name, all_resources FROM admin_role WHERE role_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_next(st, &row);
    }
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    bool all = db_col_i64(st, 1) != 0;
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, id);
    buf_add_c(out, ",\"name\":");
    buf_json_str(out, db_col_text(st, 0));
    db_done(st);
    buf_add_c(out, all ? ",\"resource_access\":\"all\"" : ",\"resource_access\":\"custom\"");
    buf_add_c(out, ",\"resources\":");
    e = admin_role_resources_json(db, id, out);
    int64_t users = 0;
    if (!e)
        e = users_of(db, id, &users);
    buf_add_c(out, ",\"users\":");
    buf_add_i64(out, users);
    buf_add_ch(out, '}');
    return e;
}

enum err admin_role_json(struct db *db, int64_t id, struct buf *out)
{
    if (id > 0)
        return one_json(db, id, out);
    int64_t ids[1024];
    size_t n = 0;
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(db, "SELECT role_id FROM admin_role ORDER BY role_id", &st);
    while (!e && !(e = db_next(st, &row)) && row) {
        if (n == sizeof(ids) / sizeof(ids[0])) {
            db_done(st);
            break;
        }
        ids[n++] = db_col_i64(st, 0);
    }
    if (e)
        return e;
    buf_add_ch(out, '[');
    for (size_t i = 0; i < n && !e; i++) {
        if (i)
            buf_add_ch(out, ',');
        e = one_json(db, ids[i], out);
    }
    buf_add_ch(out, ']');
    return e;
}

enum err admin_role_of_user(struct db *db, int64_t user_id, int64_t *role_id, bool *all)
{
    struct db_stmt *st;
    bool row = false;
    *role_id = 0;
    *all = false;
    enum err e = db_prepare(db,
                            "SELECT r.role_id, r.all_resources FROM admin_user u"
                            " JOIN admin_role r ON r.role_id = u.role_id WHERE u.user_id = $1",
                            &st);
    if (!e) {
        db_bind_i64(st, 1, user_id);
        e = db_next(st, &row);
    }
    if (!e && row) {
        *role_id = db_col_i64(st, 0);
        *all = db_col_i64(st, 1) != 0;
        db_done(st);
    }
    return e;
}

enum err admin_role_allows(struct db *db, int64_t role_id, struct str resource, bool *allowed)
{
    *allowed = false;
    if (role_id <= 0)
        return ERR_OK;
    if (str_eq_c(resource, "Magento_Backend::admin")) {
        *allowed = true;
        return ERR_OK;
    }
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db,
                            "SELECT 1 FROM admin_role_resource WHERE role_id = $1"
                            " AND resource_id = $2",
                            &st);
    if (!e) {
        db_bind_i64(st, 1, role_id);
        db_bind_text(st, 2, resource);
        e = db_next(st, &row);
    }
    if (!e && row) {
        *allowed = true;
        db_done(st);
    }
    return e;
}
