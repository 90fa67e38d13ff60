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

void customer_json(const struct customer *c, struct buf *out)
{
    char created[20], updated[20];
    clock_format(c->created_at, created);
    clock_format(c->updated_at, updated);
    buf_add_c(out, "{\"id\":");
    buf_add_i64(out, c->id);
    buf_add_c(out, ",\"group_id\":");
    buf_add_i64(out, c->group_id);
    buf_add_c(out, ",\"created_at\":");
    buf_json_str(out, str_c(created));
    buf_add_c(out, ",\"updated_at\":");
    buf_json_str(out, str_c(updated));
    buf_add_c(out, ",\"created_in\":");
    buf_json_str(out, str_c(c->created_in));
    buf_add_c(out, ",\"email\":");
    buf_json_str(out, str_c(c->email));
    buf_add_c(out, ",\"firstname\":");
    buf_json_str(out, str_c(c->firstname));
    buf_add_c(out, ",\"lastname\":");
    buf_json_str(out, str_c(c->lastname));
    buf_add_c(out, ",\"store_id\":");
    buf_add_i64(out, c->store_id);
    buf_add_c(out, ",\"website_id\":");
    buf_add_i64(out, c->website_id);
    buf_add_c(out, ",\"addresses\":[],\"disable_auto_group_change\":0,"
                   "\"extension_attributes\":{\"is_subscribed\":false}}");
}

/* snake_case or camelCase key -> snake_case name */
static void snake(const char *k, char *out, size_t outlen)
{
    size_t n = 0;
    for (const char *p = k; *p && n + 2 < outlen; p++) {
        if (isupper((unsigned char)*p)) {
            if (n)
                out[n++] = '_';
            out[n++] = (char)tolower((unsigned char)*p);
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

enum err customer_apply(struct customer *c, json_t *obj, const char **bad_key)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        char name[64];
        snake(k, name, sizeof(name));
        char *dst = NULL;
        size_t cap = 0;
        if (strcmp(name, "email") == 0) {
            dst = c->email;
            cap = sizeof(c->email);
        } else if (strcmp(name, "firstname") == 0) {
            dst = c->firstname;
            cap = sizeof(c->firstname);
        } else if (strcmp(name, "lastname") == 0) {
            dst = c->lastname;
            cap = sizeof(c->lastname);
        } else if (strcmp(name, "id") == 0 || strcmp(name, "group_id") == 0 ||
                   strcmp(name, "website_id") == 0 || strcmp(name, "store_id") == 0 ||
                   strcmp(name, "created_at") == 0 || strcmp(name, "updated_at") == 0 ||
                   strcmp(name, "created_in") == 0 || strcmp(name, "addresses") == 0 ||
                   strcmp(name, "disable_auto_group_change") == 0 ||
                   strcmp(name, "extension_attributes") == 0 ||
                   strcmp(name, "custom_attributes") == 0) {
            continue; /* forced by the server or not kept yet */
        } else {
            *bad_key = k;
            return ERR_FIELD_NOT_SUPPORTED;
        }
        if (!json_is_string(v)) {
            *bad_key = k;
            return ERR_INVALID_TYPE;
        }
        if (json_string_length(v) >= cap) {
            *bad_key = k;
            return ERR_INVALID; /* refused, never truncated */
        }
        snprintf(dst, cap, "%s", json_string_value(v));
    }
    return ERR_OK;
}

enum err customer_save(struct db *db, const struct customer *c)
{
    char key[255];
    key_of(c->email, key, sizeof(key));
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "UPDATE customer_entity SET email = $2, email_key = $3, firstname = $4,"
                            " lastname = $5, updated_at = $6 WHERE entity_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, c->id);
    db_bind_text(st, 2, str_c(c->email));
    db_bind_text(st, 3, str_c(key));
    db_bind_text(st, 4, str_c(c->firstname));
    db_bind_text(st, 5, str_c(c->lastname));
    db_bind_i64(st, 6, clock_now());
    e = db_run(st, NULL);
    return e == ERR_DB_CONSTRAINT ? ERR_EXISTS : e;
}
