/* The customer resource of the Web API (see customer.h, "Customer JSON"): CustomerInterface and
 * AddressInterface as jansson objects keyed by Magento's names, read from customer_entity and
 * customer_address_entity, merged with a request's fields, checked and written in one
 * transaction. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "customer/customer.h"

enum ctype {
    C_ID,   /* int */
    C_INT,  /* int */
    C_REF,  /* an address id, rendered as a string (Magento declares it so) */
    C_STR,  /* string, at most 255 characters */
    C_TIME, /* Unix seconds rendered as "YYYY-MM-DD HH:MM:SS", kept by the server */
    C_DATE, /* YYYY-MM-DD */
    C_SKIP, /* accepted on input and ignored (set by the server) */
};

struct cfield {
    const char *name;
    enum ctype type;
};

/* CustomerInterface's getter order; the SELECT lists the same columns. "addresses" comes after
 * website_id, then disable_auto_group_change and extension_attributes. */
/* clang-format off */
static const struct cfield customer_fields[] = {
    {"id", C_ID}, {"group_id", C_INT}, {"default_billing", C_REF}, {"default_shipping", C_REF},
    {"confirmation", C_SKIP}, {"created_at", C_TIME}, {"updated_at", C_TIME},
    {"created_in", C_SKIP}, {"dob", C_DATE}, {"email", C_STR}, {"firstname", C_STR},
    {"lastname", C_STR}, {"middlename", C_STR}, {"prefix", C_STR}, {"suffix", C_STR},
    {"gender", C_INT}, {"store_id", C_INT}, {"taxvat", C_STR}, {"website_id", C_INT},
};
/* clang-format on */
#define NCUSTOMER (sizeof(customer_fields) / sizeof(customer_fields[0]))

#define ADDRESS_SELECT                                                                             \
    "SELECT a.entity_id, a.parent_id, a.region, a.region_id, a.region_code, a.country_id,"         \
    " a.street, a.company, a.telephone, a.fax, a.postcode, a.city, a.firstname, a.lastname,"       \
    " a.middlename, a.prefix, a.suffix, a.vat_id, c.default_billing, c.default_shipping"           \
    " FROM customer_address_entity a JOIN customer_entity c ON c.entity_id = a.parent_id"

/* AddressInterface text fields after region/region_id/country_id/street, in getter order. */
static const char *const address_text[] = {"company", "telephone", "fax",      "postcode",
                                           "city",    "firstname", "lastname", "middlename",
                                           "prefix",  "suffix",    "vat_id"};
#define NADDRESS_TEXT (sizeof(address_text) / sizeof(address_text[0]))

static void set_text(json_t *o, const char *k, struct db_stmt *st, int col)
{
    if (db_col_null(st, col))
        return;
    struct str s = db_col_text(st, col);
    json_object_set_new(o, k, json_stringn(s.p ? s.p : "", s.len));
}

json_t *customer_row_read(struct db_stmt *st)
{
    json_t *c = json_object();
    for (size_t i = 0; i < NCUSTOMER; i++) {
        const struct cfield *f = &customer_fields[i];
        int col = (int)i;
        if (db_col_null(st, col))
            continue;
        switch (f->type) {
        case C_ID:
        case C_INT:
        case C_TIME:
            json_object_set_new(c, f->name, json_integer(db_col_i64(st, col)));
            break;
        case C_REF: {
            char n[24];
            snprintf(n, sizeof(n), "%lld", (long long)db_col_i64(st, col));
            json_object_set_new(c, f->name, json_string(n));
            break;
        }
        default:
            set_text(c, f->name, st, col);
            break;
        }
    }
    json_object_set_new(c, "disable_auto_group_change",
                        json_integer(db_col_i64(st, (int)NCUSTOMER)));
    return c;
}

static json_t *address_read(struct db_stmt *st)
{
    json_t *a = json_object();
    json_object_set_new(a, "id", json_integer(db_col_i64(st, 0)));
    json_object_set_new(a, "customer_id", json_integer(db_col_i64(st, 1)));
    json_t *region = json_object();
    set_text(region, "region", st, 2);
    json_object_set_new(region, "region_id", json_integer(db_col_i64(st, 3)));
    set_text(region, "region_code", st, 4);
    json_object_set_new(a, "region", region);
    set_text(a, "country_id", st, 5);
    struct str street = db_col_text(st, 6);
    json_t *lines = json_array();
    while (street.p && street.len) {
        struct str rest;
        struct str line = str_cut(street, '\n', &rest);
        json_array_append_new(lines, json_stringn(line.p, line.len));
        street = rest;
    }
    json_object_set_new(a, "street", lines);
    for (size_t i = 0; i < NADDRESS_TEXT; i++)
        set_text(a, address_text[i], st, 7 + (int)i);
    int64_t id = db_col_i64(st, 0);
    json_object_set_new(a, "default_billing",
                        json_boolean(!db_col_null(st, 18) && db_col_i64(st, 18) == id));
    json_object_set_new(a, "default_shipping",
                        json_boolean(!db_col_null(st, 19) && db_col_i64(st, 19) == id));
    return a;
}

enum err customer_addresses_read(struct db *db, int64_t customer_id, json_t **out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, ADDRESS_SELECT " WHERE a.parent_id = $1 ORDER BY a.entity_id", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, customer_id);
    json_t *list = json_array();
    for (;;) {
        bool row = false;
        if ((e = db_next(st, &row)) || !row)
            break;
        json_array_append_new(list, address_read(st));
    }
    if (e) {
        json_decref(list);
        return e;
    }
    *out = list;
    return ERR_OK;
}

enum err customer_get_json(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, CUSTOMER_SELECT " WHERE entity_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    json_t *c = customer_row_read(st);
    db_done(st);
    json_t *addresses;
    if ((e = customer_addresses_read(db, id, &addresses))) {
        json_decref(c);
        return e;
    }
    json_object_set_new(c, "addresses", addresses);
    *out = c;
    return ERR_OK;
}

enum err customer_address_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, ADDRESS_SELECT " WHERE a.entity_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    *out = address_read(st);
    db_done(st);
    return ERR_OK;
}

/* --- rendering ----------------------------------------------------------------------------------
 */

static void key(struct buf *out, bool *first, const char *k)
{
    if (!*first)
        buf_add_ch(out, ',');
    *first = false;
    buf_json_str(out, str_c(k));
    buf_add_ch(out, ':');
}

static void text_or_null(struct buf *out, json_t *v)
{
    if (json_is_string(v))
        buf_json_str(out, str_n(json_string_value(v), json_string_length(v)));
    else
        buf_add_c(out, "null");
}

void customer_address_render(const json_t *a, struct buf *out)
{
    bool first = true;
    buf_add_ch(out, '{');
    key(out, &first, "id");
    buf_add_i64(out, json_integer_value(json_object_get(a, "id")));
    key(out, &first, "customer_id");
    buf_add_i64(out, json_integer_value(json_object_get(a, "customer_id")));
    /* RegionInterface's getters are not nullable: Magento prints the nulls */
    json_t *region = json_object_get(a, "region");
    key(out, &first, "region");
    buf_add_c(out, "{\"region_code\":");
    text_or_null(out, json_object_get(region, "region_code"));
    buf_add_c(out, ",\"region\":");
    text_or_null(out, json_object_get(region, "region"));
    buf_add_c(out, ",\"region_id\":");
    buf_add_i64(out, json_integer_value(json_object_get(region, "region_id")));
    buf_add_ch(out, '}');
    key(out, &first, "region_id");
    buf_add_i64(out, json_integer_value(json_object_get(region, "region_id")));
    json_t *v = json_object_get(a, "country_id");
    if (json_is_string(v)) {
        key(out, &first, "country_id");
        text_or_null(out, v);
    }
    key(out, &first, "street");
    buf_add_ch(out, '[');
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(a, "street"), i, line)
    {
        if (i)
            buf_add_ch(out, ',');
        text_or_null(out, line);
    }
    buf_add_ch(out, ']');
    for (size_t k = 0; k < NADDRESS_TEXT; k++) {
        v = json_object_get(a, address_text[k]);
        if (json_is_string(v)) {
            key(out, &first, address_text[k]);
            text_or_null(out, v);
        }
    }
    key(out, &first, "default_shipping");
    buf_add_c(out, json_is_true(json_object_get(a, "default_shipping")) ? "true" : "false");
    key(out, &first, "default_billing");
    buf_add_c(out, json_is_true(json_object_get(a, "default_billing")) ? "true" : "false");
    buf_add_ch(out, '}');
}

void customer_render(const json_t *c, struct buf *out)
{
    bool first = true;
    buf_add_ch(out, '{');
    for (size_t i = 0; i < NCUSTOMER; i++) {
        const struct cfield *f = &customer_fields[i];
        json_t *v = json_object_get(c, f->name);
        if (!v || json_is_null(v))
            continue;
        key(out, &first, f->name);
        if (f->type == C_TIME) {
            char t[20];
            clock_format(json_integer_value(v), t);
            buf_json_str(out, str_c(t));
        } else if (json_is_integer(v)) {
            buf_add_i64(out, json_integer_value(v));
        } else {
            text_or_null(out, v);
        }
    }
    key(out, &first, "addresses");
    buf_add_ch(out, '[');
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c, "addresses"), i, a)
    {
        if (i)
            buf_add_ch(out, ',');
        customer_address_render(a, out);
    }
    buf_add_ch(out, ']');
    key(out, &first, "disable_auto_group_change");
    buf_add_i64(out, json_integer_value(json_object_get(c, "disable_auto_group_change")));
    key(out, &first, "extension_attributes");
    buf_add_c(out, "{\"is_subscribed\":false}");
    buf_add_ch(out, '}');
}

/* --- input
 * ---------------------------------------------------------------------------------------- */

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

static enum err bad_type(struct customer_problem *p, const char *key, json_t *v, const char *type)
{
    p->key = key;
    p->value = v;
    p->type = type;
    return ERR_INVALID_TYPE;
}

/* PHP's cast of a scalar to int: integers, and strings of digits. */
static bool to_int(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_string(v))
        return str_to_i64(str_n(json_string_value(v), json_string_length(v)), out);
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    return false;
}

/* A scalar as PHP casts it to string; NULL for arrays and objects. */
static json_t *to_text(json_t *v)
{
    char num[32];
    if (json_is_string(v))
        return json_incref(v);
    if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return json_string(num);
    }
    if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        return json_string(num);
    }
    if (json_is_boolean(v))
        return json_string(json_is_true(v) ? "1" : "");
    return NULL;
}

static bool date_ok(const char *s)
{
    if (strlen(s) < 10)
        return false;
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    if (s[10] && s[10] != ' ' && s[10] != 'T')
        return false;
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static enum err text_field(json_t *dst, const char *name, const char *key, json_t *v,
                           struct customer_problem *p)
{
    if (json_is_null(v)) {
        json_object_del(dst, name);
        return ERR_OK;
    }
    json_t *t = to_text(v);
    if (!t)
        return bad_type(p, key, v, "string");
    if (json_string_length(t) > 255) {
        json_decref(t);
        p->key = name;
        p->max = 255;
        return ERR_INVALID;
    }
    json_object_set_new(dst, name, t);
    return ERR_OK;
}

static enum err apply_address(json_t *a, json_t *in, struct customer_problem *p)
{
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        char name[64];
        snake(k, name, sizeof(name));
        enum err e = ERR_OK;
        if (strcmp(name, "id") == 0) {
            int64_t id;
            if (json_is_null(v))
                continue;
            if (!to_int(v, &id))
                return bad_type(p, k, v, "int");
            json_object_set_new(a, "id", json_integer(id));
        } else if (strcmp(name, "customer_id") == 0 || strcmp(name, "extension_attributes") == 0 ||
                   strcmp(name, "custom_attributes") == 0) {
            continue; /* the owner is the customer saved; no extension data kept */
        } else if (strcmp(name, "region") == 0) {
            json_t *r = json_object();
            json_object_set_new(a, "region", r);
            if (json_is_null(v))
                continue;
            if (!json_is_object(v))
                return bad_type(p, k, v, "\\Magento\\Customer\\Api\\Data\\RegionInterface");
            const char *rk;
            json_t *rv;
            json_object_foreach(v, rk, rv)
            {
                char rn[64];
                snake(rk, rn, sizeof(rn));
                if (strcmp(rn, "region_id") == 0) {
                    int64_t id;
                    if (!json_is_null(rv) && !to_int(rv, &id))
                        return bad_type(p, rk, rv, "int");
                    if (!json_is_null(rv))
                        json_object_set_new(r, "region_id", json_integer(id));
                } else if (strcmp(rn, "region") == 0 || strcmp(rn, "region_code") == 0) {
                    if ((e = text_field(r, rn, rk, rv, p)))
                        return e;
                } else if (strcmp(rn, "extension_attributes") != 0) {
                    p->key = rk;
                    return ERR_FIELD_NOT_SUPPORTED;
                }
            }
        } else if (strcmp(name, "region_id") == 0) {
            int64_t id;
            if (json_is_null(v))
                continue;
            if (!to_int(v, &id))
                return bad_type(p, k, v, "int");
            json_t *r = json_object_get(a, "region");
            if (!json_is_object(r)) {
                r = json_object();
                json_object_set_new(a, "region", r);
            }
            json_object_set_new(r, "region_id", json_integer(id));
        } else if (strcmp(name, "street") == 0) {
            json_t *lines = json_array();
            json_object_set_new(a, "street", lines);
            if (json_is_array(v)) {
                size_t i;
                json_t *line;
                json_array_foreach(v, i, line)
                {
                    json_t *t = to_text(line);
                    if (!t || i >= 4) {
                        json_decref(t);
                        return bad_type(p, k, v, "string[]");
                    }
                    if (json_string_length(t) > 255) {
                        json_decref(t);
                        p->key = "street";
                        p->max = 255;
                        return ERR_INVALID;
                    }
                    json_array_append_new(lines, t);
                }
            } else if (!json_is_null(v)) {
                json_t *t = to_text(v);
                if (!t)
                    return bad_type(p, k, v, "string[]");
                json_array_append_new(lines, t);
            }
        } else if (strcmp(name, "country_id") == 0) {
            if ((e = text_field(a, "country_id", k, v, p)))
                return e;
        } else if (strcmp(name, "default_billing") == 0 || strcmp(name, "default_shipping") == 0) {
            int64_t b;
            if (json_is_null(v))
                continue;
            if (!to_int(v, &b))
                return bad_type(p, k, v, "bool");
            json_object_set_new(a, name[8] == 'b' ? "default_billing" : "default_shipping",
                                json_boolean(b != 0));
        } else {
            bool known = false;
            for (size_t i = 0; i < NADDRESS_TEXT && !known; i++)
                if (strcmp(name, address_text[i]) == 0) {
                    known = true;
                    if ((e = text_field(a, address_text[i], k, v, p)))
                        return e;
                }
            if (!known) {
                p->key = k;
                return ERR_FIELD_NOT_SUPPORTED;
            }
        }
    }
    return ERR_OK;
}

enum err customer_merge(json_t *c, json_t *in, struct customer_problem *p)
{
    const char *k;
    json_t *v;
    memset(p, 0, sizeof(*p));
    json_object_foreach(in, k, v)
    {
        char name[64];
        snake(k, name, sizeof(name));
        if (strcmp(name, "addresses") == 0) {
            if (json_is_null(v))
                continue;
            if (!json_is_array(v))
                return bad_type(p, k, v, "\\Magento\\Customer\\Api\\Data\\AddressInterface[]");
            if (json_array_size(v) > CUSTOMER_MAX_ADDRESSES) {
                p->key = "addresses";
                p->max = CUSTOMER_MAX_ADDRESSES;
                return ERR_INVALID;
            }
            json_t *old = json_object_get(c, "addresses");
            json_t *list = json_array();
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item)
            {
                if (!json_is_object(item)) {
                    json_decref(list);
                    return bad_type(p, k, item, "\\Magento\\Customer\\Api\\Data\\AddressInterface");
                }
                /* an address with a known id is merged onto the stored one */
                json_t *a = NULL;
                int64_t id;
                json_t *idv = json_object_get(item, "id");
                if (idv && to_int(idv, &id)) {
                    size_t j;
                    json_t *o;
                    json_array_foreach(old, j,
                                       o) if (json_integer_value(json_object_get(o, "id")) == id)
                        a = json_deep_copy(o);
                }
                if (!a)
                    a = json_object();
                json_array_append_new(list, a);
                enum err e = apply_address(a, item, p);
                if (e) {
                    json_decref(list);
                    return e;
                }
            }
            json_object_set_new(c, "addresses", list);
            json_object_set_new(c, "addresses_given", json_true());
            continue;
        }
        if (strcmp(name, "extension_attributes") == 0 || strcmp(name, "custom_attributes") == 0)
            continue; /* nothing of them is kept */
        if (strcmp(name, "disable_auto_group_change") == 0) {
            int64_t n;
            if (!json_is_null(v)) {
                if (!to_int(v, &n))
                    return bad_type(p, k, v, "int");
                json_object_set_new(c, name, json_integer(n ? 1 : 0));
            }
            continue;
        }
        const struct cfield *f = NULL;
        for (size_t i = 0; i < NCUSTOMER && !f; i++)
            if (strcmp(customer_fields[i].name, name) == 0)
                f = &customer_fields[i];
        if (!f) {
            p->key = k;
            return ERR_FIELD_NOT_SUPPORTED;
        }
        enum err e = ERR_OK;
        int64_t n;
        switch (f->type) {
        case C_ID:
        case C_TIME:
        case C_SKIP:
            break; /* the path, the server or the store decide these */
        case C_INT:
            if (json_is_null(v))
                break;
            if (!to_int(v, &n))
                return bad_type(p, k, v, "int");
            json_object_set_new(c, f->name, json_integer(n));
            break;
        case C_REF:
            if (json_is_null(v)) {
                json_object_del(c, f->name);
                break;
            }
            if (!to_int(v, &n))
                return bad_type(p, k, v, "string");
            {
                char num[24];
                snprintf(num, sizeof(num), "%lld", (long long)n);
                json_object_set_new(c, f->name, json_string(num));
            }
            break;
        case C_DATE:
            if (json_is_null(v) || (json_is_string(v) && !json_string_length(v))) {
                json_object_del(c, f->name);
                break;
            }
            if (!json_is_string(v) || json_string_length(v) > 32 || !date_ok(json_string_value(v)))
                return bad_type(p, k, v, "date");
            json_object_set_new(c, f->name, json_stringn(json_string_value(v), 10));
            break;
        case C_STR:
            e = text_field(c, f->name, k, v, p);
            break;
        }
        if (e)
            return e;
    }
    return ERR_OK;
}

static const char *text(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void need(json_t *missing, const json_t *o, const char *k)
{
    const char *t = text(o, k);
    if (!t || !*t)
        json_array_append_new(missing, json_string(k));
}

enum err customer_check(const json_t *c, struct customer_problem *p)
{
    memset(p, 0, sizeof(*p));
    json_t *missing = json_array();
    need(missing, c, "email");
    need(missing, c, "firstname");
    need(missing, c, "lastname");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c, "addresses"), i, a)
    {
        need(missing, a, "firstname");
        need(missing, a, "lastname");
        json_t *street = json_object_get(a, "street");
        const char *first = json_string_value(json_array_get(street, 0));
        if (!first || !*first)
            json_array_append_new(missing, json_string("street"));
        need(missing, a, "city");
        need(missing, a, "telephone");
        need(missing, a, "postcode");
        need(missing, a, "country_id");
    }
    if (json_array_size(missing)) {
        p->missing = missing;
        return ERR_REQUIRED_FIELD;
    }
    json_decref(missing);
    const char *email = text(c, "email");
    if (!str_is_email(email)) {
        p->key = "email";
        p->value = json_object_get(c, "email");
        return ERR_INVALID;
    }
    json_array_foreach(json_object_get(c, "addresses"), i, a)
    {
        const char *country = text(a, "country_id");
        if (strlen(country) != 2 || !isupper((unsigned char)country[0]) ||
            !isupper((unsigned char)country[1])) {
            p->key = "countryId";
            p->value = json_object_get(a, "country_id");
            p->message = "country";
            return ERR_INVALID;
        }
    }
    return ERR_OK;
}

/* --- writing ------------------------------------------------------------------------------------
 */

static void bind_text(struct db_stmt *st, int idx, const json_t *o, const char *k)
{
    const char *t = text(o, k);
    if (t)
        db_bind_text(st, idx, str_c(t));
    else
        db_bind_null(st, idx);
}

static void bind_int(struct db_stmt *st, int idx, const json_t *o, const char *k, int64_t def)
{
    json_t *v = json_object_get(o, k);
    db_bind_i64(st, idx, json_is_integer(v) ? json_integer_value(v) : def);
}

static void bind_opt_int(struct db_stmt *st, int idx, const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        db_bind_i64(st, idx, json_integer_value(v));
    else
        db_bind_null(st, idx);
}

static void email_key(const char *email, char *out, size_t outlen)
{
    size_t n = 0;
    for (; email[n] && n + 1 < outlen; n++)
        out[n] = (char)tolower((unsigned char)email[n]);
    out[n] = '\0';
}

static enum err write_address(struct db *db, int64_t customer_id, json_t *a, int64_t now,
                              int64_t *id)
{
    json_t *idv = json_object_get(a, "id");
    bool update = json_is_integer(idv);
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        update ? "UPDATE customer_address_entity SET firstname = $2, lastname = $3,"
                 " middlename = $4, prefix = $5, suffix = $6, company = $7, street = $8,"
                 " city = $9, country_id = $10, region = $11, region_id = $12,"
                 " region_code = $13, postcode = $14, telephone = $15, fax = $16, vat_id = $17,"
                 " updated_at = $18 WHERE entity_id = $1 AND parent_id = $19"
               : "INSERT INTO customer_address_entity (firstname, lastname, middlename, prefix,"
                 " suffix, company, street, city, country_id, region, region_id, region_code,"
                 " postcode, telephone, fax, vat_id, updated_at, parent_id, created_at) VALUES"
                 " ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
                 " $19, $1) RETURNING entity_id",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, update ? json_integer_value(idv) : now);
    bind_text(st, 2, a, "firstname");
    bind_text(st, 3, a, "lastname");
    bind_text(st, 4, a, "middlename");
    bind_text(st, 5, a, "prefix");
    bind_text(st, 6, a, "suffix");
    bind_text(st, 7, a, "company");
    char street[1100];
    size_t n = 0, i;
    json_t *line;
    street[0] = '\0';
    json_array_foreach(json_object_get(a, "street"), i, line)
    {
        int w = snprintf(street + n, sizeof(street) - n, "%s%s", i ? "\n" : "",
                         json_string_value(line));
        if (w > 0)
            n += (size_t)w < sizeof(street) - n ? (size_t)w : sizeof(street) - n - 1;
    }
    db_bind_text(st, 8, str_c(street));
    bind_text(st, 9, a, "city");
    bind_text(st, 10, a, "country_id");
    json_t *region = json_object_get(a, "region");
    bind_text(st, 11, region, "region");
    bind_int(st, 12, region, "region_id", 0);
    bind_text(st, 13, region, "region_code");
    bind_text(st, 14, a, "postcode");
    bind_text(st, 15, a, "telephone");
    bind_text(st, 16, a, "fax");
    bind_text(st, 17, a, "vat_id");
    db_bind_i64(st, 18, now);
    db_bind_i64(st, 19, customer_id);
    if (update) {
        int64_t changes = 0;
        e = db_run(st, &changes);
        if (!e && changes == 0) {
            /* an id of another customer's address (or none): a new address, as Magento saves it */
            json_object_del(a, "id");
            return write_address(db, customer_id, a, now, id);
        }
        *id = json_integer_value(idv);
        return e;
    }
    bool row = false;
    e = db_next(st, &row);
    if (!e && !row)
        e = ERR_DB;
    if (!e) {
        *id = db_col_i64(st, 0);
        db_done(st);
    }
    return e;
}

static enum err write_addresses(struct db *db, int64_t customer_id, json_t *c, int64_t now)
{
    json_t *list = json_object_get(c, "addresses");
    int64_t kept[CUSTOMER_MAX_ADDRESSES];
    size_t nkept = 0, i;
    json_t *a;
    int64_t billing = -1, shipping = -1;
    enum err e = ERR_OK;
    json_array_foreach(list, i, a)
    {
        int64_t id = 0;
        if ((e = write_address(db, customer_id, a, now, &id)))
            return e;
        json_object_set_new(a, "id", json_integer(id));
        if (nkept < CUSTOMER_MAX_ADDRESSES)
            kept[nkept++] = id;
        if (json_is_true(json_object_get(a, "default_billing")))
            billing = id;
        if (json_is_true(json_object_get(a, "default_shipping")))
            shipping = id;
    }
    /* addresses left out of the list are removed, as Magento's repository does */
    struct db_stmt *st;
    bool row = false;
    if ((e = db_prepare(db, "SELECT entity_id FROM customer_address_entity WHERE parent_id = $1",
                        &st)))
        return e;
    db_bind_i64(st, 1, customer_id);
    int64_t gone[CUSTOMER_MAX_ADDRESSES];
    size_t ngone = 0;
    while (!(e = db_next(st, &row)) && row) {
        int64_t id = db_col_i64(st, 0);
        bool keep = false;
        for (size_t k = 0; k < nkept; k++)
            keep |= kept[k] == id;
        if (!keep && ngone < CUSTOMER_MAX_ADDRESSES)
            gone[ngone++] = id;
    }
    if (e)
        return e;
    for (size_t k = 0; k < ngone && !e; k++) {
        if (!(e = db_prepare(db, "DELETE FROM customer_address_entity WHERE entity_id = $1",
                             &st))) {
            db_bind_i64(st, 1, gone[k]);
            e = db_run(st, NULL);
        }
    }
    if (e)
        return e;
    char num[24];
    if (billing >= 0) {
        snprintf(num, sizeof(num), "%lld", (long long)billing);
        json_object_set_new(c, "default_billing", json_string(num));
    }
    if (shipping >= 0) {
        snprintf(num, sizeof(num), "%lld", (long long)shipping);
        json_object_set_new(c, "default_shipping", json_string(num));
    }
    return ERR_OK;
}

/* default_billing / default_shipping must name one of the customer's own addresses. */
static enum err write_defaults(struct db *db, int64_t customer_id, const json_t *c)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "UPDATE customer_entity SET"
        " default_billing = (SELECT entity_id FROM customer_address_entity WHERE entity_id = $2"
        " AND parent_id = $1), default_shipping = (SELECT entity_id FROM"
        " customer_address_entity WHERE entity_id = $3 AND parent_id = $1) WHERE entity_id = $1",
        &st);
    if (e)
        return e;
    int64_t b = 0, s = 0;
    const char *t = text(c, "default_billing");
    if (t)
        str_to_i64(str_c(t), &b);
    t = text(c, "default_shipping");
    if (t)
        str_to_i64(str_c(t), &s);
    db_bind_i64(st, 1, customer_id);
    db_bind_i64(st, 2, b);
    db_bind_i64(st, 3, s);
    return db_run(st, NULL);
}

enum err customer_write(struct db *db, json_t *c, const char *password_hash, const char *created_in,
                        int64_t *id)
{
    json_t *idv = json_object_get(c, "id");
    bool update = json_is_integer(idv);
    int64_t now = clock_now();
    char key[256];
    email_key(text(c, "email"), key, sizeof(key));
    enum err e = db_begin(db);
    if (e)
        return e;
    struct db_stmt *st;
    e = db_prepare(
        db,
        update ? "UPDATE customer_entity SET email = $2, email_key = $3, group_id = $4,"
                 " store_id = $5, website_id = $6, firstname = $7, lastname = $8,"
                 " middlename = $9, prefix = $10, suffix = $11, dob = $12, gender = $13,"
                 " taxvat = $14, disable_auto_group_change = $15, updated_at = $16"
                 " WHERE entity_id = $1"
               : "INSERT INTO customer_entity (created_at, email, email_key, group_id, store_id,"
                 " website_id, firstname, lastname, middlename, prefix, suffix, dob, gender,"
                 " taxvat, disable_auto_group_change, updated_at, password_hash, created_in)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
                 " $17, $18) RETURNING entity_id",
        &st);
    if (!e) {
        db_bind_i64(st, 1, update ? json_integer_value(idv) : now);
        bind_text(st, 2, c, "email");
        db_bind_text(st, 3, str_c(key));
        bind_int(st, 4, c, "group_id", 1);
        bind_int(st, 5, c, "store_id", 1);
        bind_int(st, 6, c, "website_id", 1);
        bind_text(st, 7, c, "firstname");
        bind_text(st, 8, c, "lastname");
        bind_text(st, 9, c, "middlename");
        bind_text(st, 10, c, "prefix");
        bind_text(st, 11, c, "suffix");
        bind_text(st, 12, c, "dob");
        bind_opt_int(st, 13, c, "gender");
        bind_text(st, 14, c, "taxvat");
        bind_int(st, 15, c, "disable_auto_group_change", 0);
        db_bind_i64(st, 16, now);
        if (update) {
            int64_t changes = 0;
            e = db_run(st, &changes);
            if (!e && changes == 0)
                e = ERR_NOT_FOUND;
            if (!e)
                *id = json_integer_value(idv);
        } else {
            if (password_hash && *password_hash)
                db_bind_text(st, 17, str_c(password_hash));
            else
                db_bind_null(st, 17);
            db_bind_text(st, 18, str_c(created_in ? created_in : "Default Store View"));
            bool row = false;
            e = db_next(st, &row);
            if (!e && !row)
                e = ERR_DB;
            if (!e) {
                *id = db_col_i64(st, 0);
                db_done(st);
            }
        }
    }
    if (e == ERR_DB_CONSTRAINT)
        e = ERR_EXISTS;
    if (!e && json_is_true(json_object_get(c, "addresses_given")))
        e = write_addresses(db, *id, c, now);
    if (!e)
        e = write_defaults(db, *id, c);
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    return e;
}

enum err customer_remove(struct db *db, int64_t id)
{
    enum err e = db_begin(db);
    if (e)
        return e;
    static const char *const sql[] = {
        "DELETE FROM oauth_token WHERE user_type = 3 AND customer_id = $1",
        "DELETE FROM customer_address_entity WHERE parent_id = $1",
        "DELETE FROM customer_entity WHERE entity_id = $1",
    };
    int64_t changes = 0;
    for (size_t i = 0; i < 3 && !e; i++) {
        struct db_stmt *st;
        if (!(e = db_prepare(db, sql[i], &st))) {
            db_bind_i64(st, 1, id);
            e = db_run(st, &changes);
        }
    }
    if (!e && changes == 0)
        e = ERR_NOT_FOUND;
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    return e;
}

enum err customer_email_available(struct db *db, struct str email, int64_t website_id, bool *free_)
{
    struct customer c = {0};
    enum err e = customer_find_email(db, email, website_id, &c);
    crypto_wipe(c.password_hash, sizeof(c.password_hash));
    *free_ = e == ERR_NOT_FOUND;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

enum err customer_address_delete(struct db *db, int64_t id)
{
    enum err e = db_begin(db);
    if (e)
        return e;
    static const char *const sql[] = {
        "UPDATE customer_entity SET default_billing = NULL WHERE default_billing = $1",
        "UPDATE customer_entity SET default_shipping = NULL WHERE default_shipping = $1",
        "DELETE FROM customer_address_entity WHERE entity_id = $1",
    };
    int64_t changes = 0;
    for (size_t i = 0; i < 3 && !e; i++) {
        struct db_stmt *st;
        if (!(e = db_prepare(db, sql[i], &st))) {
            db_bind_i64(st, 1, id);
            e = db_run(st, &changes);
        }
    }
    if (!e && changes == 0)
        e = ERR_NOT_FOUND;
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    return e;
}

enum err customer_password_set(struct db *db, int64_t id, const char *hash)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db, "UPDATE customer_entity SET password_hash = $2, updated_at = $3 WHERE entity_id = $1",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, str_c(hash));
    db_bind_i64(st, 3, clock_now());
    int64_t changes = 0;
    e = db_run(st, &changes);
    return !e && changes == 0 ? ERR_NOT_FOUND : e;
}
