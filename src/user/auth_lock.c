/* Authentication lock (see auth_lock.h). */
#include "user/auth_lock.h"

#include <ctype.h>

#include "core/arena.h"

#define NAME_MAX_KEY 255

static struct str key_of(struct str name, char *buf)
{
    size_t n = name.len < NAME_MAX_KEY ? name.len : NAME_MAX_KEY;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)name.p[i]);
    return (struct str){buf, n};
}

enum err auth_lock_check(struct db *db, enum lock_kind kind, struct str name, int64_t max_failures,
                         int64_t now, bool *locked)
{
    char buf[NAME_MAX_KEY];
    struct db_stmt *st;
    bool row = false;
    *locked = false;
    enum err e = db_prepare(db,
                            "SELECT failures_count, lock_expires_at FROM oauth_token_request_log"
                            " WHERE user_name = $1 AND user_type = $2",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, key_of(name, buf));
    db_bind_i64(st, 2, kind);
    if ((e = db_next(st, &row)) || !row)
        return e;
    int64_t failures = db_col_i64(st, 0), expires = db_col_i64(st, 1);
    db_done(st);
    /* 0 turns the lock off (Magento would refuse every token request instead) */
    *locked = max_failures > 0 && failures >= max_failures && expires > now;
    return ERR_OK;
}

enum err auth_lock_fail(struct db *db, enum lock_kind kind, struct str name, int64_t timeout,
                        int64_t now)
{
    char buf[NAME_MAX_KEY];
    struct db_stmt *st;
    /* An expired lock starts counting afresh. */
    enum err e = db_prepare(db,
                            "INSERT INTO oauth_token_request_log (user_name, user_type,"
                            " failures_count, lock_expires_at) VALUES ($1, $2, 1, $3)"
                            " ON CONFLICT (user_name, user_type) DO UPDATE SET failures_count ="
                            " CASE WHEN oauth_token_request_log.lock_expires_at <= $4 THEN 1"
                            " ELSE oauth_token_request_log.failures_count + 1 END,"
                            " lock_expires_at = excluded.lock_expires_at",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, key_of(name, buf));
    db_bind_i64(st, 2, kind);
    db_bind_i64(st, 3, now + timeout);
    db_bind_i64(st, 4, now);
    return db_run(st, NULL);
}

enum err auth_lock_clear(struct db *db, enum lock_kind kind, struct str name, bool *cleared)
{
    char buf[NAME_MAX_KEY];
    struct db_stmt *st;
    int64_t changes = 0;
    enum err e = db_prepare(
        db, "DELETE FROM oauth_token_request_log WHERE user_name = $1 AND user_type = $2", &st);
    if (e)
        return e;
    db_bind_text(st, 1, key_of(name, buf));
    db_bind_i64(st, 2, kind);
    e = db_run(st, &changes);
    if (cleared)
        *cleared = changes > 0;
    return e;
}
