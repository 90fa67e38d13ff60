/* Magento_Sales routes (reference section 8.6, Magento 2.4's resources): orders (GET by id and
 * list, comments, cancel, hold, unhold), POST /V1/order/:orderId/invoice and /ship (with
 * tracking numbers), invoices and shipments (GET by id and list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/search.h"
#include "sales/sales.h"
#include "webapi/api.h"

static const char missing_entity[] =
    "The entity that was requested doesn't exist. Verify the entity and try again.";

static void on_free_json(void *p)
{
    json_decref(p);
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

static enum err path_id(struct api_req *q, int64_t *id)
{
    struct str s = q->vars[0];
    /* an int as PHP takes it: optional minus sign, then digits */
    size_t start = s.len > 1 && s.p[0] == '-' ? 1 : 0;
    bool ok = s.len > start && s.len <= 18;
    for (size_t i = start; ok && i < s.len; i++)
        ok = s.p[i] >= '0' && s.p[i] <= '9';
    if (ok && str_to_i64(s, id))
        return ERR_OK;
    json_t *v = json_stringn(s.p ? s.p : "", str_utf8_valid(s) ? s.len : 0);
    arena_on_free(q->a, on_free_json, v);
    return type_error(q, v, "int");
}

static enum err fail(struct api_req *q, enum err e, const char *why)
{
    if (e == ERR_NOT_FOUND)
        return api_fail_msg(q, ERR_NOT_FOUND, missing_entity, NULL);
    if (e == ERR_INVALID)
        return api_fail_msg(q, ERR_INVALID, arena_strdup(q->a, why), NULL);
    return api_fail(q, e);
}

/* A key of a request object in snake_case or camelCase. */
static json_t *field(json_t *obj, const char *snake, const char *camel)
{
    json_t *v = json_object_get(obj, snake);
    return v ? v : json_object_get(obj, camel);
}

static bool known_key(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(key, *names) == 0) /* not a secret */
            return true;
    return false;
}

static enum err check_keys(struct api_req *q, json_t *obj, const char *const *names)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (!known_key(key, names))
            return api_fail_unknown_field(q, key);
    }
    return ERR_OK;
}

static enum err int_value(struct api_req *q, json_t *v, int64_t *out)
{
    if (!v || json_is_null(v)) {
        *out = 0;
        return ERR_OK;
    }
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return ERR_OK;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return ERR_OK;
    }
    if (json_is_string(v) && str_to_i64(str_c(json_string_value(v)), out))
        return ERR_OK;
    return type_error(q, v, "int");
}

static enum err text_value(struct api_req *q, json_t *v, const char **out)
{
    *out = NULL;
    if (!v || json_is_null(v))
        return ERR_OK;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return ERR_OK;
    }
    if (json_is_integer(v) || json_is_real(v)) {
        char *text = json_dumps(v, JSON_ENCODE_ANY);
        *out = arena_strdup(q->a, text ? text : "");
        free(text);
        return ERR_OK;
    }
    return type_error(q, v, "string");
}

/* --- reads
 * ---------------------------------------------------------------------------------------- */

static enum err one(struct api_req *q, enum err (*render)(struct db *, int64_t, struct buf *))
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    if (id == 0) /* the repositories' own check */
        return api_fail_msg(q, ERR_INVALID, "An ID is needed. Set the ID and try again.", NULL);
    e = render(q->w->db, id, &q->out);
    return e ? fail(q, e, NULL) : ERR_OK;
}

enum err api_order_get(struct api_req *q)
{
    return one(q, sales_order_json);
}

enum err api_order_comments(struct api_req *q)
{
    return one(q, sales_order_comments_json);
}

enum err api_invoice_get(struct api_req *q)
{
    return one(q, sales_invoice_json);
}

enum err api_shipment_get(struct api_req *q)
{
    return one(q, sales_shipment_json);
}

/* --- order operations
 * ----------------------------------------------------------------------------- */

enum err api_order_comment_add(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    json_t *h = json_is_object(q->body) ? field(q->body, "statusHistory", "status_history") : NULL;
    if (!h || json_is_null(h))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("statusHistory"));
    if (!json_is_object(h))
        return type_error(q, h, "\\Magento\\Sales\\Api\\Data\\OrderStatusHistoryInterface");
    static const char *const keys[] = {"comment",
                                       "created_at",
                                       "createdAt",
                                       "entity_id",
                                       "entityId",
                                       "entity_name",
                                       "entityName",
                                       "is_customer_notified",
                                       "isCustomerNotified",
                                       "is_visible_on_front",
                                       "isVisibleOnFront",
                                       "parent_id",
                                       "parentId",
                                       "status",
                                       "extension_attributes",
                                       "extensionAttributes",
                                       NULL};
    if ((e = check_keys(q, h, keys)))
        return e;
    const char *comment, *status;
    int64_t notified = 0, visible = 0;
    json_t *n = field(h, "is_customer_notified", "isCustomerNotified");
    if ((e = text_value(q, json_object_get(h, "comment"), &comment)) ||
        (e = text_value(q, json_object_get(h, "status"), &status)) ||
        (e = int_value(q, n, &notified)) ||
        (e = int_value(q, field(h, "is_visible_on_front", "isVisibleOnFront"), &visible)))
        return e;
    e = sales_order_comment(q->w->db, id, comment, status,
                            n && !json_is_null(n) ? (notified ? 1 : 0) : -1, visible ? 1 : 0);
    if (e)
        return fail(q, e, NULL);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

enum err api_order_cancel(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    bool done = false;
    if ((e = sales_order_cancel(q->w->db, id, &done)))
        return fail(q, e, NULL);
    buf_add_c(&q->out, done ? "true" : "false");
    return ERR_OK;
}

static enum err hold_op(struct api_req *q, enum err (*op)(struct db *, int64_t, char *))
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e)
        return e;
    char why[SALES_WHY] = "";
    if ((e = op(q->w->db, id, why)))
        return fail(q, e, why);
    buf_add_c(&q->out, "true");
    return ERR_OK;
}

enum err api_order_hold(struct api_req *q)
{
    return hold_op(q, sales_order_hold);
}

enum err api_order_unhold(struct api_req *q)
{
    return hold_op(q, sales_order_unhold);
}

/* --- invoice and ship
 * ----------------------------------------------------------------------------- */

#define MAX_LINES 200
#define MAX_TRACKS 50

static enum err read_lines(struct api_req *q, struct sales_line *lines, size_t *n)
{
    *n = 0;
    json_t *items = json_is_object(q->body) ? json_object_get(q->body, "items") : NULL;
    if (!items || json_is_null(items))
        return ERR_OK;
    if (!json_is_array(items))
        return type_error(q, items, "array");
    if (json_array_size(items) > MAX_LINES)
        return api_fail_msg(q, ERR_INVALID, "The number of items is over the limit of %1.",
                            json_pack("[i]", MAX_LINES));
    static const char *const keys[] = {"order_item_id",        "orderItemId",         "qty",
                                       "extension_attributes", "extensionAttributes", NULL};
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (!json_is_object(it))
            return type_error(q, it, "object");
        enum err e = check_keys(q, it, keys);
        if (e)
            return e;
        json_t *oid = field(it, "order_item_id", "orderItemId"), *qty = json_object_get(it, "qty");
        if (!oid || json_is_null(oid))
            return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("order_item_id"));
        if (!qty || json_is_null(qty))
            return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("qty"));
        int64_t item_id;
        if ((e = int_value(q, oid, &item_id)))
            return e;
        double d;
        if (json_is_number(qty))
            d = json_number_value(qty);
        else if (json_is_string(qty) && sscanf(json_string_value(qty), "%lf", &d) == 1)
            ;
        else
            return type_error(q, qty, "float");
        lines[(*n)++] = (struct sales_line){item_id, d};
    }
    return ERR_OK;
}

static enum err read_comment(struct api_req *q, const char **text, int *visible)
{
    *text = NULL;
    *visible = 0;
    json_t *c = json_is_object(q->body) ? json_object_get(q->body, "comment") : NULL;
    if (!c || json_is_null(c))
        return ERR_OK;
    if (!json_is_object(c))
        return type_error(q, c, "object");
    static const char *const keys[] = {"comment",
                                       "is_visible_on_front",
                                       "isVisibleOnFront",
                                       "extension_attributes",
                                       "extensionAttributes",
                                       NULL};
    enum err e = check_keys(q, c, keys);
    int64_t v = 0;
    if (!e)
        e = text_value(q, json_object_get(c, "comment"), text);
    if (!e)
        e = int_value(q, field(c, "is_visible_on_front", "isVisibleOnFront"), &v);
    *visible = v ? 1 : 0;
    return e;
}

/* The body of InvoiceOrderInterface / ShipOrderInterface: every parameter is optional, and
 * Magento ignores top-level keys that are not parameters. */
static enum err check_body(struct api_req *q)
{
    if (!q->body || json_is_null(q->body) || json_is_object(q->body))
        return ERR_OK;
    return type_error(q, q->body, "object");
}

static void id_answer(struct api_req *q, int64_t id)
{
    /* Magento answers the new document's id as it comes from the database: a JSON string */
    char n[24];
    snprintf(n, sizeof(n), "%lld", (long long)id);
    buf_json_str(&q->out, str_c(n));
}

enum err api_order_invoice(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e || (e = check_body(q)))
        return e;
    struct sales_line *lines = arena_calloc(q->a, MAX_LINES, sizeof(*lines));
    size_t n = 0;
    const char *comment;
    int visible;
    if ((e = read_lines(q, lines, &n)) || (e = read_comment(q, &comment, &visible)))
        return e;
    char why[SALES_WHY] = "";
    int64_t invoice = 0;
    e = sales_invoice_create(q->w->db, id, lines, n, comment, visible, &invoice, why);
    if (e)
        return fail(q, e, why);
    id_answer(q, invoice);
    return ERR_OK;
}

enum err api_order_ship(struct api_req *q)
{
    int64_t id;
    enum err e = path_id(q, &id);
    if (e || (e = check_body(q)))
        return e;
    struct sales_line *lines = arena_calloc(q->a, MAX_LINES, sizeof(*lines));
    size_t n = 0, ntracks = 0;
    const char *comment;
    int visible;
    if ((e = read_lines(q, lines, &n)) || (e = read_comment(q, &comment, &visible)))
        return e;
    struct sales_track *tracks = arena_calloc(q->a, MAX_TRACKS, sizeof(*tracks));
    json_t *list = json_is_object(q->body) ? json_object_get(q->body, "tracks") : NULL;
    if (list && !json_is_null(list)) {
        if (!json_is_array(list))
            return type_error(q, list, "array");
        if (json_array_size(list) > MAX_TRACKS)
            return api_fail_msg(q, ERR_INVALID, "The number of tracks is over the limit of %1.",
                                json_pack("[i]", MAX_TRACKS));
        static const char *const keys[] = {
            "track_number",         "trackNumber",         "title",
            "carrier_code",         "carrierCode",         "description",
            "extension_attributes", "extensionAttributes", NULL};
        size_t i;
        json_t *t;
        json_array_foreach(list, i, t)
        {
            if (!json_is_object(t))
                return type_error(q, t, "object");
            struct sales_track *tr = &tracks[ntracks++];
            if ((e = check_keys(q, t, keys)) ||
                (e = text_value(q, field(t, "track_number", "trackNumber"), &tr->track_number)) ||
                (e = text_value(q, json_object_get(t, "title"), &tr->title)) ||
                (e = text_value(q, field(t, "carrier_code", "carrierCode"), &tr->carrier_code)) ||
                (e = text_value(q, json_object_get(t, "description"), &tr->description)))
                return e;
            if (!tr->carrier_code || !*tr->carrier_code)
                return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName",
                                      json_string("carrier_code"));
            if (!tr->title || !*tr->title)
                return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("title"));
            if (strlen(tr->track_number ? tr->track_number : "") > 255 || strlen(tr->title) > 255 ||
                strlen(tr->carrier_code) > 32)
                return api_fail_msg(q, ERR_INVALID, "The tracking details are too long.", NULL);
        }
    }
    char why[SALES_WHY] = "";
    int64_t shipment = 0;
    e = sales_ship_create(q->w->db, id, lines, n, tracks, ntracks, comment, visible, &shipment,
                          why);
    if (e)
        return fail(q, e, why);
    id_answer(q, shipment);
    return ERR_OK;
}

/* --- lists
 * ----------------------------------------------------------------------------------------- */

/* clang-format off */
static const struct sc_field order_fields[] = {
    {.name = "entity_id", .expr = "o.entity_id", .type = SC_INT, .flags = 0}, {.name = "increment_id", .expr = "o.increment_id", .type = SC_TEXT, .flags = 0},
    {.name = "state", .expr = "o.state", .type = SC_TEXT, .flags = 0}, {.name = "status", .expr = "o.status", .type = SC_TEXT, .flags = 0},
    {.name = "store_id", .expr = "o.store_id", .type = SC_INT, .flags = 0}, {.name = "customer_id", .expr = "o.customer_id", .type = SC_INT, .flags = SC_NULLABLE},
    {.name = "customer_email", .expr = "o.customer_email", .type = SC_TEXT, .flags = 0},
    {.name = "customer_firstname", .expr = "o.customer_firstname", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "customer_lastname", .expr = "o.customer_lastname", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "customer_group_id", .expr = "o.customer_group_id", .type = SC_INT, .flags = 0},
    {.name = "customer_is_guest", .expr = "o.customer_is_guest", .type = SC_INT, .flags = 0},
    {.name = "grand_total", .expr = "o.grand_total", .type = SC_FLOAT, .flags = 0}, {.name = "base_grand_total", .expr = "o.grand_total", .type = SC_FLOAT, .flags = 0},
    {.name = "subtotal", .expr = "o.subtotal", .type = SC_FLOAT, .flags = 0}, {.name = "base_subtotal", .expr = "o.subtotal", .type = SC_FLOAT, .flags = 0},
    {.name = "shipping_amount", .expr = "o.shipping_amount", .type = SC_FLOAT, .flags = 0},
    {.name = "total_paid", .expr = "o.total_paid", .type = SC_FLOAT, .flags = 0}, {.name = "total_invoiced", .expr = "o.total_invoiced", .type = SC_FLOAT, .flags = 0},
    {.name = "total_qty_ordered", .expr = "o.total_qty_ordered", .type = SC_FLOAT, .flags = 0},
    {.name = "shipping_description", .expr = "o.shipping_description", .type = SC_TEXT, .flags = SC_NULLABLE},
    {.name = "order_currency_code", .expr = "o.currency_code", .type = SC_TEXT, .flags = 0},
    {.name = "base_currency_code", .expr = "o.currency_code", .type = SC_TEXT, .flags = 0},
    {.name = "created_at", .expr = "o.created_at", .type = SC_DATETIME, .flags = 0}, {.name = "updated_at", .expr = "o.updated_at", .type = SC_DATETIME, .flags = 0},
};
static const struct sc_field invoice_fields[] = {
    {.name = "entity_id", .expr = "i.entity_id", .type = SC_INT, .flags = 0}, {.name = "order_id", .expr = "i.order_id", .type = SC_INT, .flags = 0},
    {.name = "increment_id", .expr = "i.increment_id", .type = SC_TEXT, .flags = 0}, {.name = "state", .expr = "i.state", .type = SC_INT, .flags = 0},
    {.name = "store_id", .expr = "i.store_id", .type = SC_INT, .flags = 0}, {.name = "grand_total", .expr = "i.grand_total", .type = SC_FLOAT, .flags = 0},
    {.name = "base_grand_total", .expr = "i.grand_total", .type = SC_FLOAT, .flags = 0}, {.name = "subtotal", .expr = "i.subtotal", .type = SC_FLOAT, .flags = 0},
    {.name = "total_qty", .expr = "i.total_qty", .type = SC_FLOAT, .flags = 0},
    {.name = "created_at", .expr = "i.created_at", .type = SC_DATETIME, .flags = 0}, {.name = "updated_at", .expr = "i.updated_at", .type = SC_DATETIME, .flags = 0},
};
static const struct sc_field shipment_fields[] = {
    {.name = "entity_id", .expr = "s.entity_id", .type = SC_INT, .flags = 0}, {.name = "order_id", .expr = "s.order_id", .type = SC_INT, .flags = 0},
    {.name = "increment_id", .expr = "s.increment_id", .type = SC_TEXT, .flags = 0}, {.name = "store_id", .expr = "s.store_id", .type = SC_INT, .flags = 0},
    {.name = "customer_id", .expr = "s.customer_id", .type = SC_INT, .flags = SC_NULLABLE}, {.name = "total_qty", .expr = "s.total_qty", .type = SC_FLOAT, .flags = 0},
    {.name = "created_at", .expr = "s.created_at", .type = SC_DATETIME, .flags = 0}, {.name = "updated_at", .expr = "s.updated_at", .type = SC_DATETIME, .flags = 0},
};
/* clang-format on */
#define N(a) (sizeof(a) / sizeof(a[0]))
static const struct sc_entity order_entity = {order_fields, N(order_fields), "o.entity_id", NULL};
static const struct sc_entity invoice_entity = {invoice_fields, N(invoice_fields), "i.entity_id",
                                                NULL};
static const struct sc_entity shipment_entity = {shipment_fields, N(shipment_fields), "s.entity_id",
                                                 NULL};

static enum err order_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)arg;
    return sales_order_json(q->w->db, db_col_i64(row, 0), out);
}

static enum err invoice_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)arg;
    return sales_invoice_json(q->w->db, db_col_i64(row, 0), out);
}

static enum err shipment_item(struct api_req *q, struct db_stmt *row, struct buf *out, void *arg)
{
    (void)arg;
    return sales_shipment_json(q->w->db, db_col_i64(row, 0), out);
}

enum err api_order_list(struct api_req *q)
{
    static const struct api_list l = {&order_entity,
                                      "SELECT o.entity_id FROM sales_order o",
                                      "FROM sales_order o",
                                      order_item,
                                      NULL,
                                      NULL,
                                      false};
    return api_list(q, &l);
}

enum err api_invoice_list(struct api_req *q)
{
    static const struct api_list l = {&invoice_entity,
                                      "SELECT i.entity_id FROM sales_invoice i",
                                      "FROM sales_invoice i",
                                      invoice_item,
                                      NULL,
                                      NULL,
                                      false};
    return api_list(q, &l);
}

enum err api_shipment_list(struct api_req *q)
{
    static const struct api_list l = {&shipment_entity,
                                      "SELECT s.entity_id FROM sales_shipment s",
                                      "FROM sales_shipment s",
                                      shipment_item,
                                      NULL,
                                      NULL,
                                      false};
    return api_list(q, &l);
}
