/* Admin accounts (see admin_user.h). */
#include "user/admin_user.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "user/admin_role.h"

/* Lower-cases an ASCII user name into out (the unique key). */
static size_t username_key(struct str name, char *out, size_t outlen)
{
    size_t n = name.len < outlen - 1 ? name.len : outlen - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)name.p[i]);
    out[n] = '\0';
    return n;
}

bool admin_user_validate(const struct admin_user_input *in, char *err, size_t errlen)
{
    if (!in->username || !*in->username) {
        snprintf(err, errlen, "\"User Name\" is required. Enter and try again.");
        return false;
    }
    if (strlen(in->username) > ADMIN_USERNAME_MAX) {
        snprintf(err, errlen, "The user name must be at most %d characters.", ADMIN_USERNAME_MAX);
        return false;
    }
    for (const char *p = in->username; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e) {
            snprintf(err, errlen, "The user name may contain only printable ASCII characters.");
            return false;
        }
    if (!in->email || !*in->email) {
        snprintf(err, errlen, "\"Email\" is required. Enter and try again.");
        return false;
    }
    if (!str_is_email(in->email)) {
        snprintf(err, errlen, "\"%s\" is not a valid email address.", in->email);
        return false;
    }
    if (!in->password || !*in->password) {
        snprintf(err, errlen, "\"Password\" is required. Enter and try again.");
        return false;
    }
    /* Magento's rules for admin passwords. */
    size_t len = strlen(in->password);
    bool alpha = false, digit = false;
    for (const char *p = in->password; *p; p++) {
        alpha |= isalpha((unsigned char)*p) != 0;
        digit |= isdigit((unsigned char)*p) != 0;
    }
    if (len < 7) {
        snprintf(err, errlen, "Your password must be at least 7 characters.");
        return false;
    }
    if (len > 256) {
        snprintf(err, errlen, "Your password must be at most 256 characters.");
        return false;
    }
    if (!alpha || !digit) {
        snprintf(err, errlen, "Your password must include both numeric and alphabetic characters.");
        return false;
    }
    return true;
}

enum err admin_user_create(struct db *db, const struct admin_user_input *in, int64_t *id)
{
    char hash[CRYPTO_PWHASH_LEN], key[ADMIN_USERNAME_MAX + 1];
    enum err e = ERR_OK;
    if (in->password_hash)
        snprintf(hash, sizeof(hash), "%s", in->password_hash);
    else
        e = crypto_password_hash(str_c(in->password), hash);
    if (e)
        return e;
    username_key(str_c(in->username), key, sizeof(key));
    struct db_stmt *st;
    bool row = false;
    int64_t now = clock_now(), role = in->role_id;
    if (role <= 0)
        e = admin_role_find(db, STR_LIT(ADMIN_ROLE_DEFAULT), &role);
    else if (!(e = db_prepare(db, "SELECT 1 FROM admin_role WHERE role_id = $1", &st))) {
        db_bind_i64(st, 1, role);
        if (!(e = db_next(st, &row)))
            e = row ? ERR_OK : ERR_NOT_FOUND;
        if (row)
            db_done(st);
        row = false;
    }
    if (!e)
        e = db_prepare(db,
                       "INSERT INTO admin_user (username, username_key, email, firstname, lastname,"
                       " password_hash, is_active, created_at, updated_at, role_id)"
                       " VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8) RETURNING user_id",
                       &st);
    if (!e) {
        db_bind_i64(st, 8, role);
        db_bind_text(st, 1, str_c(in->username));
        db_bind_text(st, 2, str_c(key));
        db_bind_text(st, 3, str_c(in->email));
        db_bind_text(st, 4, str_c(in->firstname));
        db_bind_text(st, 5, str_c(in->lastname));
        db_bind_text(st, 6, str_c(hash));
        db_bind_i64(st, 7, now);
        e = db_next(st, &row);
    }
    if (!e && row) {
        if (id)
            *id = db_col_i64(st, 0);
        db_done(st);
    }
    crypto_wipe(hash, sizeof(hash));
    return e == ERR_DB_CONSTRAINT ? ERR_EXISTS : e;
}

enum err admin_user_find(struct db *db, struct str username, struct admin_user *out)
{
    char key[ADMIN_USERNAME_MAX + 1];
    if (username.len == 0 || username.len > ADMIN_USERNAME_MAX)
        return ERR_NOT_FOUND;
    username_key(username, key, sizeof(key));
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db,
                            "SELECT user_id, username, password_hash, is_active FROM admin_user"
                            " WHERE username_key = $1",
                            &st);
    if (!e) {
        db_bind_text(st, 1, str_c(key));
        e = db_next(st, &row);
    }
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    out->id = db_col_i64(st, 0);
    struct str name = db_col_text(st, 1), hash = db_col_text(st, 2);
    snprintf(out->username, sizeof(out->username), "%.*s", STR_FMT(name));
    snprintf(out->password_hash, sizeof(out->password_hash), "%.*s", STR_FMT(hash));
    out->active = db_col_i64(st, 3) != 0;
    db_done(st);
    return ERR_OK;
}

bool admin_user_password_ok(const struct admin_user *u, struct str password)
{
    return crypto_password_verify(u->password_hash, password);
}

enum err admin_user_active(struct db *db, int64_t id, bool *active)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db, "SELECT is_active FROM admin_user WHERE user_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_next(st, &row);
    }
    *active = false;
    if (!e && row) {
        *active = db_col_i64(st, 0) != 0;
        db_done(st);
    }
    return e;
}

enum err admin_user_count(struct db *db, int64_t *count)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db, "SELECT COUNT(*) FROM admin_user", &st);
    if (!e)
        e = db_next(st, &row);
    *count = 0;
    if (!e && row) {
        *count = db_col_i64(st, 0);
        db_done(st);
    }
    return e;
}

static enum err user_json(struct db_stmt *st, struct buf *out)
{
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, db_col_i64(st, 0));
    buf_add_c(out, ",\"username\":");
    buf_json_str(out, db_col_text(st, 1));
    buf_add_c(out, ",\"email\":");
    buf_json_str(out, db_col_text(st, 2));
    buf_add_c(out, ",\"firstname\":");
    buf_json_str(out, db_col_text(st, 3));
    buf_add_c(out, ",\"lastname\":");
    buf_json_str(out, db_col_text(st, 4));
    buf_add_c(out, db_col_i64(st, 5) ? ",\"is_active\":true" : ",\"is_active\":false");
    buf_add_c(out, ",\"role_id\":");
    if (db_col_null(st, 6)) {
        buf_add_c(out, "null,\"role\":null}");
        return ERR_OK;
    }
    buf_add_i64(out, db_col_i64(st, 6));
    buf_add_c(out, ",\"role\":");
    buf_json_str(out, db_col_text(st, 7));
    buf_add_ch(out, '}');
    return ERR_OK;
}

enum err admin_user_json(struct db *db, int64_t id, struct buf *out)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db,
                            "SELECT u.user_id, u.username, u.email, u.firstname, u.lastname,"
                            " u.is_active, u.role_id, r.name FROM admin_user u"
                            " LEFT JOIN admin_role r ON r.role_id = u.role_id"
                            " WHERE u.user_id = $1 OR $2 = 0 ORDER BY u.user_id",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, id);
    if (id > 0) {
        if ((e = db_next(st, &row)))
            return e;
        if (!row)
            return ERR_NOT_FOUND;
        user_json(st, out);
        db_done(st);
        return ERR_OK;
    }
    buf_add_ch(out, '[');
    bool first = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        user_json(st, out);
    }
    buf_add_ch(out, ']');
    return e;
}

enum err admin_user_update(struct db *db, int64_t id, int64_t role_id, bool active)
{
    struct db_stmt *st;
    int64_t changes = 0;
    enum err e = db_prepare(db,
                            "UPDATE admin_user SET role_id = $1, is_active = $2, updated_at = $3"
                            " WHERE user_id = $4 AND EXISTS (SELECT 1 FROM admin_role"
                            " WHERE role_id = $1)",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, role_id);
    db_bind_i64(st, 2, active ? 1 : 0);
    db_bind_i64(st, 3, clock_now());
    db_bind_i64(st, 4, id);
    e = db_run(st, &changes);
    return !e && changes == 0 ? ERR_NOT_FOUND : e;
}

enum err admin_user_delete(struct db *db, int64_t id)
{
    struct db_stmt *st;
    int64_t changes = 0;
    enum err e = db_begin(db);
    if (e)
        return e;
    static const char *const sql[] = {
        "DELETE FROM admin_session WHERE admin_id = $1",
        "DELETE FROM oauth_token WHERE user_type = 2 AND admin_id = $1",
        "DELETE FROM admin_user WHERE user_id = $1",
    };
    for (size_t i = 0; !e && i < sizeof(sql) / sizeof(sql[0]); i++) {
        e = db_prepare(db, sql[i], &st);
        if (!e) {
            db_bind_i64(st, 1, id);
            e = db_run(st, &changes);
        }
    }
    if (!e && changes == 0)
        e = ERR_NOT_FOUND;
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    return e;
}
