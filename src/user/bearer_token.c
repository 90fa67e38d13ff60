/* Admin and customer bearer tokens (see bearer_token.h). */
#include "user/bearer_token.h"

#include "core/clock.h"

enum err bearer_token_issue(struct db *db, enum user_type type, int64_t user_id,
                            int64_t lifetime_hours, char token_out[CRYPTO_TOKEN_LEN + 1])
{
    char hash[65];
    crypto_random_token(token_out);
    crypto_sha256_hex(str_n(token_out, CRYPTO_TOKEN_LEN), hash);
    int64_t now = clock_now();
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            type == USER_ADMIN
                                ? "INSERT INTO oauth_token (admin_id, type, token, user_type,"
                                  " created_at, expires_at) VALUES ($1, 'access', $2, 2, $3, $4)"
                                : "INSERT INTO oauth_token (customer_id, type, token, user_type,"
                                  " created_at, expires_at) VALUES ($1, 'access', $2, 3, $3, $4)",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, user_id);
    db_bind_text(st, 2, str_c(hash));
    db_bind_i64(st, 3, now);
    db_bind_i64(st, 4, lifetime_hours > 0 ? now + lifetime_hours * 3600 : 0);
    return db_run(st, NULL);
}

enum err bearer_token_resolve(struct db *db, struct str token, int64_t now, enum user_type *type,
                              int64_t *user_id)
{
    char hash[65];
    if (token.len != CRYPTO_TOKEN_LEN)
        return ERR_NOT_FOUND;
    crypto_sha256_hex(token, hash);
    struct db_stmt *st;
    bool row = false;
    /* The lookup is by hash: the database compares hashes, never the secret itself, so no
     * timing of the comparison leaks the token. */
    enum err e = db_prepare(
        db,
        "SELECT t.user_type, COALESCE(t.admin_id, t.customer_id), t.expires_at FROM oauth_token t"
        " LEFT JOIN admin_user u ON t.user_type = 2 AND u.user_id = t.admin_id"
        " LEFT JOIN customer_entity c ON t.user_type = 3 AND c.entity_id = t.customer_id"
        " WHERE t.token = $1 AND t.user_type IN (2, 3) AND t.revoked = 0"
        " AND COALESCE(u.is_active, c.is_active, 0) = 1",
        &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(hash));
    e = db_next(st, &row);
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    enum user_type t = (enum user_type)db_col_i64(st, 0);
    int64_t id = db_col_i64(st, 1), expires = db_col_i64(st, 2);
    db_done(st);
    if (expires != 0 && expires <= now)
        return ERR_NOT_FOUND;
    *type = t;
    *user_id = id;
    return ERR_OK;
}

enum err bearer_token_revoke_all(struct db *db, enum user_type type, int64_t user_id,
                                 int64_t *count)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        type == USER_ADMIN ? "DELETE FROM oauth_token WHERE user_type = 2 AND admin_id = $1"
                           : "DELETE FROM oauth_token WHERE user_type = 3 AND customer_id = $1",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, user_id);
    return db_run(st, count);
}

enum err bearer_token_cleanup(struct db *db, int64_t now, int64_t *deleted)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "DELETE FROM oauth_token WHERE user_type IN (2, 3) AND expires_at <> 0"
                            " AND expires_at <= $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, now);
    return db_run(st, deleted);
}
