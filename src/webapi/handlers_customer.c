/* The customer's own account: GET and PUT /V1/customers/me (resource "self"). */
#include <string.h>

#include "customer/customer.h"
#include "webapi/api.h"

static enum err load_me(struct api_req *q, struct customer *c)
{
    if (q->caller.kind != CALLER_CUSTOMER)
        return api_fail_param(q, ERR_NOT_AUTHORIZED, "resources", json_string("self"));
    enum err e = customer_find_id(q->w->db, q->caller.id, c);
    if (e == ERR_NOT_FOUND) {
        json_t *p = json_pack("{s:s,s:I}", "fieldName", "customerId", "fieldValue",
                              (json_int_t)q->caller.id);
        return api_fail_list(q, ERR_NO_SUCH_ENTITY, p);
    }
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_customer_me(struct api_req *q)
{
    struct customer c;
    enum err e = load_me(q, &c);
    if (e)
        return e;
    crypto_wipe(c.password_hash, sizeof(c.password_hash));
    customer_json(&c, &q->out);
    return ERR_OK;
}

enum err api_customer_me_save(struct api_req *q)
{
    struct customer c;
    enum err e = load_me(q, &c);
    if (e)
        return e;
    crypto_wipe(c.password_hash, sizeof(c.password_hash));
    json_t *obj = json_is_object(q->body) ? json_object_get(q->body, "customer") : NULL;
    if (!json_is_object(obj))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("customer"));
    const char *bad = NULL;
    e = customer_apply(&c, obj, &bad);
    if (e == ERR_FIELD_NOT_SUPPORTED)
        return api_fail_unknown_field(q, bad);
    if (e == ERR_INVALID)
        return api_fail_msg(q, ERR_INVALID, "\"%fieldName\" is longer than %max characters.",
                            json_pack("{s:s,s:i}", "fieldName", bad, "max", 255));
    if (e == ERR_INVALID_TYPE) {
        json_t *p = json_pack("{s:s,s:s}", "value", bad, "type", "string");
        return api_fail_list(q, e, p);
    }
    struct customer_input in = {c.email, c.firstname, c.lastname, NULL, c.website_id, c.store_id};
    char msg[256];
    if (!customer_validate(&in, msg, sizeof(msg))) {
        return api_fail_msg(q, ERR_INVALID, arena_strdup(q->a, msg), NULL);
    }
    e = customer_save(q->w->db, &c);
    if (e == ERR_EXISTS) {
        return api_fail_msg(
            q, ERR_EXISTS,
            "A customer with the same email address already exists in an associated "
            "website.",
            NULL);
    }
    if (e)
        return api_fail(q, e);
    if ((e = customer_find_id(q->w->db, c.id, &c)))
        return api_fail(q, e);
    crypto_wipe(c.password_hash, sizeof(c.password_hash));
    customer_json(&c, &q->out);
    return ERR_OK;
}
