/* Admin panel sessions (see admin_session.h). */
#include "user/admin_session.h"

#include <string.h>

#include "core/arena.h"

/* A busy page makes several requests a second: refresh last_seen_at only when it is this old. */
#define SEEN_GRANULARITY 5

enum err admin_session_create(struct db *db, int64_t admin_id, int64_t now,
                              char token_out[CRYPTO_TOKEN_LEN + 1])
{
    char hash[65];
    crypto_random_token(token_out);
    crypto_sha256_hex(str_n(token_out, CRYPTO_TOKEN_LEN), hash);
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "INSERT INTO admin_session (token_hash, admin_id, created_at,"
                            " last_seen_at) VALUES ($1, $2, $3, $3)",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(hash));
    db_bind_i64(st, 2, admin_id);
    db_bind_i64(st, 3, now);
    return db_run(st, NULL);
}

enum err admin_session_resolve(struct db *db, struct str token, int64_t now, int64_t lifetime,
                               int64_t *admin_id)
{
    char hash[65];
    if (token.len != CRYPTO_TOKEN_LEN)
        return ERR_NOT_FOUND;
    crypto_sha256_hex(token, hash);
    struct db_stmt *st;
    bool row = false;
    /* Looked up by hash: the database compares hashes, never the secret itself. */
    enum err e = db_prepare(db,
                            "SELECT s.session_id, s.admin_id, s.last_seen_at, u.is_active"
                            " FROM admin_session s JOIN admin_user u ON u.user_id = s.admin_id"
                            " WHERE s.token_hash = $1",
                            &st);
    if (!e) {
        db_bind_text(st, 1, str_c(hash));
        e = db_next(st, &row);
    }
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    int64_t sid = db_col_i64(st, 0), uid = db_col_i64(st, 1), seen = db_col_i64(st, 2);
    bool active = db_col_i64(st, 3) != 0;
    db_done(st);
    if (!active || seen + lifetime <= now) {
        e = db_prepare(db, "DELETE FROM admin_session WHERE session_id = $1", &st);
        if (!e) {
            db_bind_i64(st, 1, sid);
            e = db_run(st, NULL);
        }
        return e ? e : ERR_NOT_FOUND;
    }
    if (now - seen >= SEEN_GRANULARITY) {
        e = db_prepare(db, "UPDATE admin_session SET last_seen_at = $1 WHERE session_id = $2", &st);
        if (!e) {
            db_bind_i64(st, 1, now);
            db_bind_i64(st, 2, sid);
            e = db_run(st, NULL);
        }
        if (e)
            return e;
    }
    *admin_id = uid;
    return ERR_OK;
}

enum err admin_session_end(struct db *db, struct str token)
{
    char hash[65];
    if (token.len != CRYPTO_TOKEN_LEN)
        return ERR_OK;
    crypto_sha256_hex(token, hash);
    struct db_stmt *st;
    enum err e = db_prepare(db, "DELETE FROM admin_session WHERE token_hash = $1", &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(hash));
    return db_run(st, NULL);
}

enum err admin_session_end_all(struct db *db, int64_t admin_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "DELETE FROM admin_session WHERE admin_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, admin_id);
    return db_run(st, NULL);
}

enum err admin_session_cleanup(struct db *db, int64_t cutoff, int64_t *deleted)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "DELETE FROM admin_session WHERE last_seen_at <= $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, cutoff);
    return db_run(st, deleted);
}

void admin_session_form_key(struct str token, char out[ADMIN_FORM_KEY_LEN + 1])
{
    char buf[16 + CRYPTO_TOKEN_LEN];
    size_t n = token.len < CRYPTO_TOKEN_LEN ? token.len : CRYPTO_TOKEN_LEN;
    memcpy(buf, "storegate-form:", 15);
    memcpy(buf + 15, token.p, n);
    crypto_sha256_hex(str_n(buf, 15 + n), out);
    crypto_wipe(buf, sizeof(buf));
}
