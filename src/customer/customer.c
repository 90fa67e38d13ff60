/* Customer accounts (see customer.h). */
#include "customer/customer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

static void key_of(const char *email, char *out, size_t outlen)
{
    size_t n = strlen(email);
    if (n >= outlen)
        n = outlen - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)email[i]);
    out[n] = '\0';
}

static bool name_ok(const char *s)
{
    return s && *s && strlen(s) <= 255;
}

bool customer_validate(const struct customer_input *in, char *err, size_t errlen)
{
    if (!in->email || !*in->email) {
        snprintf(err, errlen, "\"email\" is required. Enter and try again.");
        return false;
    }
    if (!str_is_email(in->email)) {
        snprintf(err, errlen, "\"%.200s\" is not a valid email address.", in->email);
        return false;
    }
    static const char *const names[] = {"firstname", "lastname"};
    const char *values[] = {in->firstname, in->lastname};
    for (int i = 0; i < 2; i++) {
        if (!values[i] || !*values[i]) {
            snprintf(err, errlen, "\"%s\" is required. Enter and try again.", names[i]);
            return false;
        }
        if (!name_ok(values[i])) {
            snprintf(err, errlen, "\"%s\" is longer than 255 characters.", names[i]);
            return false;
        }
    }
    if (in->password) {
        /* Magento: 8+ characters from 3 of lower, upper, digits, special. */
        int classes = 0;
        bool lo = false, up = false, dg = false, sp = false;
        for (const char *p = in->password; *p; p++) {
            lo |= islower((unsigned char)*p) != 0;
            up |= isupper((unsigned char)*p) != 0;
            dg |= isdigit((unsigned char)*p) != 0;
            sp |= !isalnum((unsigned char)*p);
        }
        classes = lo + up + dg + sp;
        if (strlen(in->password) < 8) {
            snprintf(err, errlen,
                     "The password needs at least 8 characters. Create a new "
                     "password and try again.");
            return false;
        }
        if (classes < 3) {
            snprintf(err, errlen,
                     "Minimum of different classes of characters in password is 3. Classes of "
                     "characters: Lower Case, Upper Case, Digits, Special Characters.");
            return false;
        }
    }
    return true;
}

enum err customer_create(struct db *db, const struct customer_input *in, int64_t *id)
{
    char hash[CRYPTO_PWHASH_LEN] = "", key[255];
    enum err e = ERR_OK;
    if (in->password && (e = crypto_password_hash(str_c(in->password), hash)))
        return e;
    key_of(in->email, key, sizeof(key));
    struct db_stmt *st;
    bool row = false;
    int64_t now = clock_now();
    e = db_prepare(db,
                   "INSERT INTO customer_entity (website_id, email, email_key, store_id, firstname,"
                   " lastname, password_hash, created_at, updated_at)"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING entity_id",
                   &st);
    if (!e) {
        db_bind_i64(st, 1, in->website_id ? in->website_id : 1);
        db_bind_text(st, 2, str_c(in->email));
        db_bind_text(st, 3, str_c(key));
        db_bind_i64(st, 4, in->store_id ? in->store_id : 1);
        db_bind_text(st, 5, str_c(in->firstname));
        db_bind_text(st, 6, str_c(in->lastname));
        if (hash[0])
            db_bind_text(st, 7, str_c(hash));
        else
            db_bind_null(st, 7);
        db_bind_i64(st, 8, now);
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

#define CUSTOMER_COLUMNS                                                                           \
    "entity_id, website_id, group_id, store_id, created_at, updated_at, is_active, email,"         \
    " firstname, lastname, created_in, COALESCE(password_hash, '')"

static void copy(char *dst, size_t cap, struct str s)
{
    snprintf(dst, cap, "%.*s", STR_FMT(s));
}

static enum err read_row(struct db_stmt *st, struct customer *out)
{
    bool row = false;
    enum err e = db_next(st, &row);
    if (e)
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    out->id = db_col_i64(st, 0);
    out->website_id = db_col_i64(st, 1);
    out->group_id = db_col_i64(st, 2);
    out->store_id = db_col_i64(st, 3);
    out->created_at = db_col_i64(st, 4);
    out->updated_at = db_col_i64(st, 5);
    out->active = db_col_i64(st, 6) != 0;
    copy(out->email, sizeof(out->email), db_col_text(st, 7));
    copy(out->firstname, sizeof(out->firstname), db_col_text(st, 8));
    copy(out->lastname, sizeof(out->lastname), db_col_text(st, 9));
    copy(out->created_in, sizeof(out->created_in), db_col_text(st, 10));
    copy(out->password_hash, sizeof(out->password_hash), db_col_text(st, 11));
    db_done(st);
    return ERR_OK;
}

enum err customer_find_email(struct db *db, struct str email, int64_t website_id,
                             struct customer *out)
{
    char key[255];
    if (email.len == 0 || email.len >= sizeof(key))
        return ERR_NOT_FOUND;
    char tmp[255];
    snprintf(tmp, sizeof(tmp), "%.*s", STR_FMT(email));
    key_of(tmp, key, sizeof(key));
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT " CUSTOMER_COLUMNS " FROM customer_entity"
                            " WHERE email_key = $1 AND website_id = $2",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(key));
    db_bind_i64(st, 2, website_id);
    return read_row(st, out);
}

enum err customer_find_id(struct db *db, int64_t id, struct customer *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db, "SELECT " CUSTOMER_COLUMNS " FROM customer_entity WHERE entity_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    return read_row(st, out);
}

bool customer_password_ok(const struct customer *c, struct str password)
{
    return c->password_hash[0] && crypto_password_verify(c->password_hash, password);
}
