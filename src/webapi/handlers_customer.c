/* Magento_Customer routes (reference section 8.5): the customer's own account (GET/PUT
 * /V1/customers/me, default addresses; resource "self"), account creation (POST /V1/customers,
 * anonymous, Argon2id off the loop), the admin's customer CRUD (GET/PUT/DELETE
 * /V1/customers/:customerId), addresses, and /V1/customers/isEmailAvailable. */
#include <stdio.h>
#include <string.h>

#include "customer/customer.h"
#include "query/search.h"
#include "webapi/api.h"

static void on_free_json(void *p)
{
    json_decref(p);
}

static json_t *own(struct api_req *q, json_t *j)
{
    if (j)
        arena_on_free(q->a, on_free_json, j);
    return j;
}

static enum err type_error(struct api_req *q, json_t *value, const char *type)
{
    json_t *p = json_object();
    if (json_is_string(value)) {
        json_object_set_new(p, "value", json_copy(value));
    } else {
        char *text = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        json_object_set_new(p, "value", json_string(text ? text : ""));
        free(text);
    }
    json_object_set_new(p, "type", json_string(type));
    return api_fail_list(q, ERR_INVALID_TYPE, p);
}

static enum err no_such(struct api_req *q, const char *field, int64_t id)
{
    return api_fail_list(q, ERR_NO_SUCH_ENTITY,
                         json_pack("{s:s,s:I}", "fieldName", field, "fieldValue", (json_int_t)id));
}

/* A path id: digits, else Magento's type error for an int parameter. */
static enum err path_id(struct api_req *q, struct str s, int64_t *id)
{
    /* an int as PHP takes it: optional minus sign, then digits */
    size_t start = s.len > 1 && s.p[0] == '-' ? 1 : 0;
    bool ok = s.len > start && s.len <= 18;
    for (size_t i = start; ok && i < s.len; i++)
        ok = s.p[i] >= '0' && s.p[i] <= '9';
    if (ok && str_to_i64(s, id))
        return ERR_OK;
    json_t *v = own(q, json_stringn(s.p ? s.p : "", str_utf8_valid(s) ? s.len : 0));
    return type_error(q, v, "int");
}

static enum err problem(struct api_req *q, enum err e, const struct customer_problem *p)
{
    switch (e) {
    case ERR_FIELD_NOT_SUPPORTED:
        return api_fail_unknown_field(q, p->key);
    case ERR_INVALID_TYPE:
        return type_error(q, p->value, p->type);
    case ERR_REQUIRED_FIELD: {
        size_t i;
        json_t *name;
        json_array_foreach(p->missing, i, name)
            api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_copy(name));
        json_decref(p->missing);
        return api_finish_errors(q);
    }
    case ERR_INVALID:
        if (p->max)
            return api_fail_msg(q, ERR_INVALID, "\"%fieldName\" is longer than %max characters.",
                                json_pack("{s:s,s:i}", "fieldName", p->key, "max", p->max));
        if (p->message && strcmp(p->message, "country") == 0)
            return api_fail_msg(q, ERR_INVALID,
                                "Invalid value of \"%value\" provided for the %fieldName field.",
                                json_pack("{s:s,s:O}", "fieldName", p->key, "value", p->value));
        return api_fail_msg(q, ERR_INVALID,
                            "The email address is invalid. Verify the email address and try "
                            "again.",
                            NULL);
    default:
        return api_fail(q, e);
    }
}

static enum err load(struct api_req *q, int64_t id, json_t **c)
{
    enum err e = customer_get_json(q->w->db, id, c);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "customerId", id);
    if (e)
        return api_fail(q, e);
    own(q, *c);
    return ERR_OK;
}

static enum err render(struct api_req *q, int64_t id)
{
    json_t *c;
    enum err e = load(q, id, &c);
    if (e)
        return e;
    customer_render(c, &q->out);
    return ERR_OK;
}

/* The "customer" object of the body (its wrapper is required). */
static enum err customer_input(struct api_req *q, json_t **in)
{
    json_t *obj = json_is_object(q->body) ? json_object_get(q->body, "customer") : NULL;
    if (!obj || json_is_null(obj))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("customer"));
    if (!json_is_object(obj))
        return type_error(q, obj, "\\Magento\\Customer\\Api\\Data\\CustomerInterface");
    *in = obj;
    return ERR_OK;
}

/* Magento's customer groups of a fresh install (0 NOT LOGGED IN is not a customer's group). */
static bool group_ok(const json_t *c)
{
    json_t *g = json_object_get(c, "group_id");
    return !g || (json_integer_value(g) >= 1 && json_integer_value(g) <= 3);
}

static enum err save_existing(struct api_req *q, int64_t id, json_t *in, bool keep_scope)
{
    json_t *c;
    enum err e = load(q, id, &c);
    if (e)
        return e;
    json_t *keep = own(q, json_deep_copy(c));
    struct customer_problem p;
    if ((e = customer_merge(c, in, &p)))
        return problem(q, e, &p);
    json_object_set(c, "id", json_object_get(keep, "id"));
    if (keep_scope) /* Magento 2.4 forces these on PUT /V1/customers/me */
        for (const char *const *k =
                 (const char *const[]){"group_id", "website_id", "store_id", NULL};
             *k; k++)
            json_object_set(c, *k, json_object_get(keep, *k));
    if ((e = customer_check(c, &p)))
        return problem(q, e, &p);
    if (!group_ok(c))
        return api_fail_msg(q, ERR_INVALID, "The specified customer group id does not exist.",
                            NULL);
    int64_t saved;
    e = customer_write(q->w->db, c, NULL, NULL, &saved);
    if (e == ERR_EXISTS)
        return api_fail_msg(q, ERR_EXISTS,
                            "A customer with the same email address already exists in an "
                            "associated website.",
                            NULL);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "customerId", id);
    if (e)
        return api_fail(q, e);
    return render(q, saved);
}

/* --- the customer's own account ------------------------------------------------------------------
 */

static enum err me(struct api_req *q, int64_t *id)
{
    if (q->caller.kind != CALLER_CUSTOMER)
        return api_fail_param(q, ERR_NOT_AUTHORIZED, "resources", json_string("self"));
    *id = q->caller.id;
    return ERR_OK;
}

enum err api_customer_me(struct api_req *q)
{
    int64_t id = 0;
    enum err e = me(q, &id);
    return e ? e : render(q, id);
}

enum err api_customer_me_save(struct api_req *q)
{
    int64_t id = 0;
    json_t *in;
    enum err e = me(q, &id);
    if (!e)
        e = customer_input(q, &in);
    return e ? e : save_existing(q, id, in, true);
}

static enum err default_address(struct api_req *q, int64_t customer_id, const char *which)
{
    json_t *c;
    enum err e = load(q, customer_id, &c);
    if (e)
        return e;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c, "addresses"), i, a)
    {
        if (json_is_true(json_object_get(a, which))) {
            customer_address_render(a, &q->out);
            return ERR_OK;
        }
    }
    buf_add_c(&q->out, "null"); /* Magento's getDefault*Address returns null */
    return ERR_OK;
}

enum err api_customer_me_billing(struct api_req *q)
{
    int64_t id = 0;
    enum err e = me(q, &id);
    return e ? e : default_address(q, id, "default_billing");
}

enum err api_customer_me_shipping(struct api_req *q)
{
    int64_t id = 0;
    enum err e = me(q, &id);
    return e ? e : default_address(q, id, "default_shipping");
}

/* --- the admin's routes
 * --------------------------------------------------------------------------- */

enum err api_customer_get(struct api_req *q)
{
    int64_t id = 0;
    enum err e = path_id(q, q->vars[0], &id);
    return e ? e : render(q, id);
}

enum err api_customer_update(struct api_req *q)
{
    int64_t id = 0;
    json_t *in;
    enum err e = path_id(q, q->vars[0], &id);
    if (!e)
        e = customer_input(q, &in);
    return e ? e : save_existing(q, id, in, false);
}

enum err api_customer_delete(struct api_req *q)
{
    int64_t id = 0;
    enum err e = path_id(q, q->vars[0], &id);
    if (e)
        return e;
    e = customer_remove(q->w->db, id);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "customerId", id);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

enum err api_customer_billing(struct api_req *q)
{
    int64_t id = 0;
    enum err e = path_id(q, q->vars[0], &id);
    return e ? e : default_address(q, id, "default_billing");
}

enum err api_customer_shipping(struct api_req *q)
{
    int64_t id = 0;
    enum err e = path_id(q, q->vars[0], &id);
    return e ? e : default_address(q, id, "default_shipping");
}

enum err api_customer_address_get(struct api_req *q)
{
    int64_t id = 0;
    enum err e = path_id(q, q->vars[0], &id);
    if (e)
        return e;
    json_t *a;
    e = customer_address_get(q->w->db, id, &a);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "addressId", id);
    if (e)
        return api_fail(q, e);
    own(q, a);
    customer_address_render(a, &q->out);
    return ERR_OK;
}

/* DELETE /V1/addresses/:addressId */
enum err api_customer_address_delete(struct api_req *q)
{
    int64_t id = 0;
    enum err e = path_id(q, q->vars[0], &id);
    if (e)
        return e;
    e = customer_address_delete(q->w->db, id);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "addressId", id);
    if (e)
        return api_fail(q, e);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

/* --- account creation (anonymous) ---------------------------------------------------------------
 */

/* Magento's AccountManagement::checkPasswordStrength and the email comparison. */
static enum err password_rules(struct api_req *q, const char *pw, const char *email)
{
    size_t len = 0;
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
        len += (*p & 0xc0) != 0x80; /* characters, not bytes */
    if (len > 256)
        return api_fail_msg(q, ERR_INVALID, "Please enter a password with at most %1 characters.",
                            json_pack("[i]", 256));
    if (len < 8)
        return api_fail_msg(q, ERR_INVALID,
                            "The password needs at least %1 characters. Create a new password "
                            "and try again.",
                            json_pack("[i]", 8));
    size_t n = strlen(pw);
    if (pw[0] == ' ' || pw[n - 1] == ' ')
        return api_fail_msg(q, ERR_INVALID,
                            "The password can't begin or end with a space. Verify the password "
                            "and try again.",
                            NULL);
    bool lo = false, up = false, dg = false, sp = false;
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        lo |= *p >= 'a' && *p <= 'z';
        up |= *p >= 'A' && *p <= 'Z';
        dg |= *p >= '0' && *p <= '9';
        sp |= !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'));
    }
    if (lo + up + dg + sp < 3)
        return api_fail_msg(q, ERR_INVALID,
                            "Minimum of different classes of characters in password is %1. "
                            "Classes of characters: Lower Case, Upper Case, Digits, Special "
                            "Characters.",
                            json_pack("[i]", 3));
    if (email && strcasecmp(email, pw) == 0)
        return api_fail_msg(q, ERR_INVALID,
                            "The password can't be the same as the email address. Create a new "
                            "password and try again.",
                            NULL);
    return ERR_OK;
}

struct create {
    json_t *customer;
    char *password;
    char hash[CRYPTO_PWHASH_LEN];
    char created_in[STORE_NAME_MAX + 1];
    enum err hashed;
};

static void hash_work(void *arg)
{
    struct create *c = arg;
    c->hashed = crypto_password_hash(str_c(c->password), c->hash);
    crypto_wipe(c->password, strlen(c->password));
}

static enum err create_done(struct api_req *q)
{
    struct create *c = q->ctx;
    if (c->hashed) {
        crypto_wipe(c->hash, sizeof(c->hash));
        return api_fail(q, c->hashed);
    }
    int64_t id = 0;
    enum err e =
        customer_write(q->w->db, c->customer, c->password ? c->hash : NULL, c->created_in, &id);
    crypto_wipe(c->hash, sizeof(c->hash));
    if (e == ERR_EXISTS)
        return api_fail_msg(q, ERR_EXISTS,
                            "A customer with the same email address already exists in an "
                            "associated website.",
                            NULL);
    if (e)
        return api_fail(q, e);
    return render(q, id);
}

enum err api_customer_create(struct api_req *q)
{
    json_t *in;
    enum err e = customer_input(q, &in);
    if (e)
        return e;
    /* Magento 2.4 (AccountManagementApi): only a caller allowed to manage customers may choose
     * the group. */
    json_t *group = json_object_get(in, "group_id");
    if (!group)
        group = json_object_get(in, "groupId");
    if (group && !json_is_null(group)) {
        api_identify_bearer(q);
        if (!api_allowed(q, STR_LIT("Magento_Customer::manage")))
            return api_fail_param(q, ERR_NOT_AUTHORIZED, "resources",
                                  json_string("Magento_Customer::manage"));
    }
    const struct store_view *store = q->store && q->store->id ? q->store : NULL;
    if (!store)
        store = store_default_view(q->w->stores);
    json_t *c = own(q, json_object());
    json_object_set_new(c, "website_id", json_integer(store ? store->website_id : 1));
    json_object_set_new(c, "store_id", json_integer(store ? store->id : 1));
    struct customer_problem p;
    if ((e = customer_merge(c, in, &p)))
        return problem(q, e, &p);
    json_object_del(c, "id"); /* createAccount makes a new account */
    if ((e = customer_check(c, &p)))
        return problem(q, e, &p);
    if (!group_ok(c))
        return api_fail_msg(q, ERR_INVALID, "The specified customer group id does not exist.",
                            NULL);
    int64_t website = json_integer_value(json_object_get(c, "website_id"));
    const struct store_view *sv =
        store_find_id(q->w->stores, json_integer_value(json_object_get(c, "store_id")));
    if (!sv || sv->id == 0 || sv->website_id != website)
        return api_fail_msg(q, ERR_INVALID, "The store view is not in the associated website.",
                            NULL);
    struct str pw;
    bool has_pw;
    if ((e = api_body_string(q, "password", &pw, &has_pw)))
        return e;
    const char *email = json_string_value(json_object_get(c, "email"));
    char *password = has_pw ? arena_cstr(q->a, pw) : NULL;
    if (password && (e = password_rules(q, password, email)))
        return e;
    bool available = false;
    if ((e = customer_email_available(q->w->db, str_c(email), website, &available)))
        return api_fail(q, e);
    if (!available)
        return api_fail_msg(q, ERR_EXISTS,
                            "A customer with the same email address already exists in an "
                            "associated website.",
                            NULL);
    struct create *cr = arena_calloc(q->a, 1, sizeof(*cr));
    cr->customer = c;
    cr->password = password;
    snprintf(cr->created_in, sizeof(cr->created_in), "%s", sv->name);
    q->ctx = cr;
    if (!password)
        return create_done(q);
    api_defer(q, hash_work, create_done, cr);
    return ERR_OK;
}

/* --- PUT /V1/customers/me/password {"currentPassword", "newPassword"} ---------------------------
 */

struct change {
    char *current, *next;
    char stored[CRYPTO_PWHASH_LEN], hash[CRYPTO_PWHASH_LEN];
    bool matches;
    enum err hashed;
};

static void change_work(void *arg)
{
    struct change *c = arg;
    c->matches = c->stored[0] && crypto_password_verify(c->stored, str_c(c->current));
    c->hashed = c->matches ? crypto_password_hash(str_c(c->next), c->hash) : ERR_OK;
    crypto_wipe(c->current, strlen(c->current));
    crypto_wipe(c->next, strlen(c->next));
    crypto_wipe(c->stored, sizeof(c->stored));
}

static enum err change_done(struct api_req *q)
{
    struct change *c = q->ctx;
    enum err e = ERR_OK;
    if (!c->matches)
        e = api_fail_msg(q, ERR_SIGN_IN,
                         "The password doesn't match this account. Verify the password and try "
                         "again.",
                         NULL);
    else if (c->hashed)
        e = api_fail(q, c->hashed);
    else if ((e = customer_password_set(q->w->db, q->caller.id, c->hash)))
        e = api_fail(q, e);
    crypto_wipe(c->hash, sizeof(c->hash));
    if (!e)
        buf_add_c(&q->out, "true");
    return e;
}

enum err api_customer_me_password(struct api_req *q)
{
    int64_t id = 0;
    enum err e = me(q, &id);
    if (e)
        return e;
    struct str current, next;
    bool has_current, has_next;
    if ((e = api_body_string(q, "currentPassword", &current, &has_current)) ||
        (e = api_body_string(q, "newPassword", &next, &has_next)))
        return e;
    if (!has_current)
        api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_string("currentPassword"));
    if (!has_next)
        api_add_error(q, ERR_REQUIRED_FIELD, "fieldName", json_string("newPassword"));
    if ((e = api_finish_errors(q)))
        return e;
    struct customer cu = {0};
    e = customer_find_id(q->w->db, id, &cu);
    if (e == ERR_NOT_FOUND)
        return no_such(q, "customerId", id);
    if (e)
        return api_fail(q, e);
    struct change *c = arena_calloc(q->a, 1, sizeof(*c));
    memcpy(c->stored, cu.password_hash, sizeof(c->stored));
    crypto_wipe(cu.password_hash, sizeof(cu.password_hash));
    c->current = arena_cstr(q->a, current);
    c->next = arena_cstr(q->a, next);
    if ((e = password_rules(q, c->next, cu.email))) {
        crypto_wipe(c->stored, sizeof(c->stored));
        return e;
    }
    q->ctx = c;
    api_defer(q, change_work, change_done, c);
    return ERR_OK;
}

/* POST /V1/customers/isEmailAvailable {"customerEmail": "...", "websiteId": n} */
enum err api_customer_email_available(struct api_req *q)
{
    struct str email;
    bool has;
    enum err e = api_body_string(q, "customerEmail", &email, &has);
    if (!e && !has)
        e = api_body_string(q, "customer_email", &email, &has);
    if (e)
        return e;
    if (!has)
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("customerEmail"));
    json_t *w = json_is_object(q->body) ? json_object_get(q->body, "websiteId") : NULL;
    if (!w && json_is_object(q->body))
        w = json_object_get(q->body, "website_id");
    int64_t website = 0;
    if (w && !json_is_null(w)) {
        if (json_is_integer(w))
            website = json_integer_value(w);
        else if (!json_is_string(w) || !str_to_i64(str_c(json_string_value(w)), &website))
            return type_error(q, w, "int");
    }
    if (website == 0) {
        const struct store_view *sv =
            q->store && q->store->id ? q->store : store_default_view(q->w->stores);
        website = sv ? sv->website_id : 1;
    }
    bool available = false;
    if ((e = customer_email_available(q->w->db, email, website, &available)))
        return api_fail(q, e);
    buf_add_c(&q->out, available ? "true" : "false");
    return ERR_OK;
}

/* --- GET /V1/customers/search (searchCriteria) --- */

/* clang-format off */
static const struct sc_field customer_search_fields[] = {
    {.name = "id", .expr = "entity_id", .type = SC_INT, .flags = 0}, {.name = "entity_id", .expr = "entity_id", .type = SC_INT, .flags = 0},
    {.name = "email", .expr = "email", .type = SC_TEXT, .flags = 0}, {.name = "firstname", .expr = "firstname", .type = SC_TEXT, .flags = 0},
    {.name = "lastname", .expr = "lastname", .type = SC_TEXT, .flags = 0}, {.name = "middlename", .expr = "middlename", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "prefix", .expr = "prefix", .type = SC_TEXT, .flags = SC_NULLABLE}, {.name = "suffix", .expr = "suffix", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "group_id", .expr = "group_id", .type = SC_INT, .flags = 0}, {.name = "store_id", .expr = "store_id", .type = SC_INT, .flags = 0},
    {.name = "website_id", .expr = "website_id", .type = SC_INT, .flags = 0}, {.name = "created_at", .expr = "created_at", .type = SC_DATETIME, .flags = 0},
    {.name = "updated_at", .expr = "updated_at", .type = SC_DATETIME, .flags = 0}, {.name = "created_in", .expr = "created_in", .type = SC_TEXT, .flags = 0},
    {.name = "dob", .expr = "dob", .type = SC_TEXT, .flags = SC_NULLABLE}, {.name = "gender", .expr = "gender", .type = SC_INT, .flags = SC_NULLABLE},
    {.name = "taxvat", .expr = "taxvat", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "default_billing", .expr = "default_billing", .type = SC_INT, .flags = SC_NULLABLE},
    {.name = "default_shipping", .expr = "default_shipping", .type = SC_INT, .flags = SC_NULLABLE},
    {.name = "disable_auto_group_change", .expr = "disable_auto_group_change", .type = SC_INT, .flags = 0},
};
/* clang-format on */
static const struct sc_entity customer_search = {
    customer_search_fields, sizeof(customer_search_fields) / sizeof(customer_search_fields[0]),
    "entity_id", NULL};

static enum err search_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)arg;
    json_t *c = customer_row_read(row);
    json_t *addresses;
    enum err e =
        customer_addresses_read(q->w->db, json_integer_value(json_object_get(c, "id")), &addresses);
    if (!e) {
        json_object_set_new(c, "addresses", addresses);
        customer_render(c, out);
    }
    json_decref(c);
    return e;
}

enum err api_customer_search(struct api_req *q)
{
    static const struct api_list l = {
        &customer_search, CUSTOMER_SELECT, "FROM customer_entity", search_item, NULL, NULL, false};
    return api_list(q, &l);
}
