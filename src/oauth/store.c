/* Consumers and integration tokens (see store.h). */
#include "oauth/store.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"

const char *oauth_token_type_name(enum oauth_token_type t)
{
    return t == TOKEN_ACCESS ? "access" : t == TOKEN_REQUEST ? "request" : "verifier";
}

static enum oauth_token_type type_of(struct str s)
{
    return str_eq_c(s, "access")    ? TOKEN_ACCESS
           : str_eq_c(s, "request") ? TOKEN_REQUEST
                                    : TOKEN_VERIFIER;
}

static void copy32(char dst[OAUTH_LEN + 1], struct str s)
{
    size_t n = s.len < OAUTH_LEN ? s.len : OAUTH_LEN;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static enum err open_secret(struct arena *a, const struct crypto_key *key, struct str sealed,
                            struct str *out)
{
    return crypto_open(a, key, sealed, out) ? ERR_OK : ERR_CRYPTO;
}

enum err oauth_consumer_create(struct db *db, struct arena *a, const struct crypto_key *key,
                               const char *name, struct oauth_consumer *out)
{
    char k[OAUTH_LEN + 1], sec[OAUTH_LEN + 1];
    crypto_random_token(k);
    crypto_random_token(sec);
    char *sealed = crypto_seal(a, key, str_c(sec));
    struct db_stmt *st;
    bool row = false;
    int64_t now = clock_now();
    enum err e = db_prepare(db,
                            "INSERT INTO oauth_consumer (name, key, secret, created_at, updated_at)"
                            " VALUES ($1, $2, $3, $4, 0) RETURNING entity_id",
                            &st);
    if (!e) {
        db_bind_text(st, 1, str_c(name));
        db_bind_text(st, 2, str_c(k));
        db_bind_text(st, 3, str_c(sealed));
        db_bind_i64(st, 4, now);
        e = db_next(st, &row);
    }
    if (!e && row) {
        out->id = db_col_i64(st, 0);
        db_done(st);
        out->created_at = now;
        out->updated_at = 0;
        memcpy(out->key, k, sizeof(k));
        out->secret = str_c(arena_strdup(a, sec));
    }
    crypto_wipe(sec, sizeof(sec));
    return e ? e : row ? ERR_OK : ERR_DB;
}

static enum err read_consumer(struct db_stmt *st, struct arena *a, const struct crypto_key *key,
                              struct oauth_consumer *out)
{
    bool row = false;
    enum err e = db_next(st, &row);
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    out->id = db_col_i64(st, 0);
    copy32(out->key, db_col_text(st, 1));
    e = open_secret(a, key, db_col_text(st, 2), &out->secret);
    out->created_at = db_col_i64(st, 3);
    out->updated_at = db_col_i64(st, 4);
    db_done(st);
    return e;
}

enum err oauth_consumer_by_key(struct db *db, struct arena *a, const struct crypto_key *key,
                               struct str consumer_key, struct oauth_consumer *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT entity_id, key, secret, created_at, updated_at"
                            " FROM oauth_consumer WHERE key = $1",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, consumer_key);
    return read_consumer(st, a, key, out);
}

enum err oauth_consumer_by_id(struct db *db, struct arena *a, const struct crypto_key *key,
                              int64_t id, struct oauth_consumer *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT entity_id, key, secret, created_at, updated_at"
                            " FROM oauth_consumer WHERE entity_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    return read_consumer(st, a, key, out);
}

enum err oauth_consumer_touch(struct db *db, int64_t id, int64_t now)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(db, "UPDATE oauth_consumer SET updated_at = $2 WHERE entity_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, now);
    return db_run(st, NULL);
}

static enum err read_token(struct db_stmt *st, struct arena *a, const struct crypto_key *key,
                           struct oauth_token *out)
{
    bool row = false;
    enum err e = db_next(st, &row);
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    out->id = db_col_i64(st, 0);
    out->consumer_id = db_col_i64(st, 1);
    out->type = type_of(db_col_text(st, 2));
    copy32(out->token, db_col_text(st, 3));
    e = open_secret(a, key, db_col_text(st, 4), &out->secret);
    copy32(out->verifier, db_col_text(st, 5));
    out->revoked = db_col_i64(st, 6) != 0;
    db_done(st);
    return e;
}

enum err oauth_token_of_consumer(struct db *db, struct arena *a, const struct crypto_key *key,
                                 int64_t consumer_id, struct oauth_token *out)
{
    struct db_stmt *st;
    /* One row per consumer by construction; the newest wins should an old one linger. */
    enum err e = db_prepare(db,
                            "SELECT entity_id, consumer_id, type, token, secret, verifier, revoked"
                            " FROM oauth_token WHERE consumer_id = $1 AND user_type = 1"
                            " ORDER BY entity_id DESC LIMIT 1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, consumer_id);
    return read_token(st, a, key, out);
}

enum err oauth_token_by_value(struct db *db, struct arena *a, const struct crypto_key *key,
                              struct str token, struct oauth_token *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT entity_id, consumer_id, type, token, secret, verifier, revoked"
                            " FROM oauth_token WHERE token = $1 AND user_type = 1",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, token);
    return read_token(st, a, key, out);
}

enum err oauth_token_clear(struct db *db, int64_t consumer_id)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(db, "DELETE FROM oauth_token WHERE consumer_id = $1 AND user_type = 1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, consumer_id);
    return db_run(st, NULL);
}

enum err oauth_token_create_verifier(struct db *db, struct arena *a, const struct crypto_key *key,
                                     int64_t consumer_id, struct oauth_token *out)
{
    enum err e = oauth_token_of_consumer(db, a, key, consumer_id, out);
    if (e == ERR_OK && out->type == TOKEN_VERIFIER)
        return ERR_OK;
    if (e == ERR_OK) {
        /* A half-finished handshake (a request token) must never block re-activation
         * (Magento issue #36326): start over from a fresh verifier. */
        if (out->type == TOKEN_ACCESS)
            return ERR_EXISTS;
        if ((e = oauth_token_clear(db, consumer_id)))
            return e;
    } else if (e != ERR_NOT_FOUND) {
        return e;
    }
    char tok[OAUTH_LEN + 1], sec[OAUTH_LEN + 1], ver[OAUTH_LEN + 1];
    crypto_random_token(tok);
    crypto_random_token(sec);
    crypto_random_token(ver);
    struct db_stmt *st;
    bool row = false;
    e = db_prepare(db,
                   "INSERT INTO oauth_token (consumer_id, type, token, secret, verifier,"
                   " callback_url, user_type, created_at) VALUES ($1, 'verifier', $2, $3, $4,"
                   " 'oob', 1, $5) RETURNING entity_id",
                   &st);
    if (!e) {
        db_bind_i64(st, 1, consumer_id);
        db_bind_text(st, 2, str_c(tok));
        db_bind_text(st, 3, str_c(crypto_seal(a, key, str_c(sec))));
        db_bind_text(st, 4, str_c(ver));
        db_bind_i64(st, 5, clock_now());
        e = db_next(st, &row);
    }
    if (!e && row) {
        out->id = db_col_i64(st, 0);
        db_done(st);
        out->consumer_id = consumer_id;
        out->type = TOKEN_VERIFIER;
        out->revoked = false;
        memcpy(out->token, tok, sizeof(tok));
        memcpy(out->verifier, ver, sizeof(ver));
        out->secret = str_c(arena_strdup(a, sec));
    }
    crypto_wipe(sec, sizeof(sec));
    return e ? e : row ? ERR_OK : ERR_DB;
}

enum err oauth_token_advance(struct db *db, struct arena *a, const struct crypto_key *key,
                             struct oauth_token *t, enum oauth_token_type to)
{
    char tok[OAUTH_LEN + 1], sec[OAUTH_LEN + 1];
    crypto_random_token(tok);
    crypto_random_token(sec);
    struct db_stmt *st;
    int64_t changes = 0;
    /* The type in the WHERE clause makes the move happen once: a request token is used once
     * even if two exchanges race on different threads or nodes. */
    enum err e = db_prepare(db,
                            "UPDATE oauth_token SET type = $2, token = $3, secret = $4,"
                            " created_at = $5 WHERE entity_id = $1 AND type = $6",
                            &st);
    if (!e) {
        db_bind_i64(st, 1, t->id);
        db_bind_text(st, 2, str_c(oauth_token_type_name(to)));
        db_bind_text(st, 3, str_c(tok));
        db_bind_text(st, 4, str_c(crypto_seal(a, key, str_c(sec))));
        db_bind_i64(st, 5, clock_now());
        db_bind_text(st, 6, str_c(oauth_token_type_name(t->type)));
        e = db_run(st, &changes);
    }
    if (!e && changes != 1)
        e = ERR_OAUTH_TOKEN_USED;
    if (!e) {
        t->type = to;
        memcpy(t->token, tok, sizeof(tok));
        t->secret = str_c(arena_strdup(a, sec));
    }
    crypto_wipe(sec, sizeof(sec));
    return e;
}

enum err oauth_bearer_integration(struct db *db, struct str token, int64_t *integration_id,
                                  bool *all_resources)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db,
                            "SELECT i.integration_id, i.all_resources FROM oauth_token t"
                            " JOIN integration i ON i.consumer_id = t.consumer_id"
                            " WHERE t.token = $1 AND t.user_type = 1 AND t.type = 'access'"
                            " AND t.revoked = 0 AND i.status = 1",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, token);
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    *integration_id = db_col_i64(st, 0);
    *all_resources = db_col_i64(st, 1) != 0;
    db_done(st);
    return ERR_OK;
}

enum err oauth_active_integration(struct db *db, int64_t consumer_id, int64_t *integration_id,
                                  bool *all_resources)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db,
                            "SELECT integration_id, all_resources FROM integration"
                            " WHERE consumer_id = $1 AND status = 1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, consumer_id);
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    *integration_id = db_col_i64(st, 0);
    *all_resources = db_col_i64(st, 1) != 0;
    db_done(st);
    return ERR_OK;
}
