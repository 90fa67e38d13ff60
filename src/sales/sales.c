/* Orders, invoices and shipments (see sales.h). */
#include "sales/sales.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cache.h"
#include "core/clock.h"
#include "core/crypto.h"

/* --- small helpers ------------------------------------------------------------------------------
 */

static void why_set(char why[SALES_WHY], const char *msg)
{
    snprintf(why, SALES_WHY, "%s", msg);
}

/* Amounts as Magento prints them: a JSON number, no trailing zeros. */
static void num(struct buf *out, double v)
{
    if (fabs(v) < 0.00005)
        v = 0;
    char b[40];
    snprintf(b, sizeof(b), "%.4f", v);
    /* trim zeros after the decimal point */
    char *dot = strchr(b, '.');
    if (dot) {
        char *end = b + strlen(b) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    buf_add_c(out, b);
}

static void k(struct buf *out, bool *first, const char *key)
{
    if (!*first)
        buf_add_ch(out, ',');
    *first = false;
    buf_json_str(out, str_c(key));
    buf_add_ch(out, ':');
}

static void kv_num(struct buf *out, bool *first, const char *key, double v)
{
    k(out, first, key);
    num(out, v);
}

static void kv_int(struct buf *out, bool *first, const char *key, int64_t v)
{
    k(out, first, key);
    buf_add_i64(out, v);
}

static void kv_text(struct buf *out, bool *first, const char *key, struct str v)
{
    k(out, first, key);
    buf_json_str(out, v);
}

/* A text column, omitted when NULL (Magento drops null keys). */
static void kv_col(struct buf *out, bool *first, const char *key, struct db_stmt *st, int col)
{
    if (db_col_null(st, col))
        return;
    kv_text(out, first, key, db_col_text(st, col));
}

static void kv_time(struct buf *out, bool *first, const char *key, int64_t t)
{
    char b[20];
    clock_format(t, b);
    kv_text(out, first, key, str_c(b));
}

static void street_json(struct buf *out, struct str street)
{
    buf_add_ch(out, '[');
    bool first = true;
    while (street.p && street.len) {
        struct str rest;
        struct str line = str_cut(street, '\n', &rest);
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        buf_json_str(out, line);
        street = rest;
    }
    buf_add_ch(out, ']');
}

static enum err run1(struct db *db, const char *sql, int64_t a, int64_t *changes)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, a);
    return db_run(st, changes);
}

static enum err next_increment(struct db *db, const char *name, char out[16])
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db, "UPDATE sales_sequence SET value = value + 1 WHERE name = $1 RETURNING value", &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(name));
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_DB;
    /* Magento's default store's sequence: nine digits */
    snprintf(out, 16, "%09lld", (long long)db_col_i64(st, 0));
    db_done(st);
    return ERR_OK;
}

/* --- the order's state -------------------------------------------------------------------------
 */

struct order_state {
    char state[32], status[32];
    double grand_total, subtotal, shipping, total_paid, shipping_invoiced;
    int64_t store_id, customer_id;
    bool has_customer;
};

static enum err load_state(struct db *db, int64_t id, struct order_state *o)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT state, status, grand_total, subtotal, shipping_amount,"
                            " total_paid, shipping_invoiced, store_id, customer_id"
                            " FROM sales_order WHERE entity_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    memset(o, 0, sizeof(*o));
    snprintf(o->state, sizeof(o->state), "%.*s", STR_FMT(db_col_text(st, 0)));
    snprintf(o->status, sizeof(o->status), "%.*s", STR_FMT(db_col_text(st, 1)));
    o->grand_total = db_col_double(st, 2);
    o->subtotal = db_col_double(st, 3);
    o->shipping = db_col_double(st, 4);
    o->total_paid = db_col_double(st, 5);
    o->shipping_invoiced = db_col_double(st, 6);
    o->store_id = db_col_i64(st, 7);
    o->has_customer = !db_col_null(st, 8);
    o->customer_id = db_col_i64(st, 8);
    db_done(st);
    return ERR_OK;
}

static bool state_is(const struct order_state *o, const char *const *states)
{
    for (; *states; states++)
        if (strcmp(o->state, *states) == 0)
            return true;
    return false;
}

/* Quantities left over all items. */
static enum err left_over(struct db *db, int64_t id, double *to_invoice, double *to_ship)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT COALESCE(SUM(qty_ordered - qty_invoiced - qty_canceled), 0),"
                            " COALESCE(SUM(CASE WHEN is_virtual = 0 THEN qty_ordered - qty_shipped"
                            " - qty_refunded - qty_canceled ELSE 0 END), 0)"
                            " FROM sales_order_item WHERE order_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    *to_invoice = row ? db_col_double(st, 0) : 0;
    *to_ship = row ? db_col_double(st, 1) : 0;
    if (row)
        db_done(st);
    return ERR_OK;
}

static enum err set_state(struct db *db, int64_t id, const char *state, const char *status)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db, "UPDATE sales_order SET state = $2, status = $3, updated_at = $4 WHERE entity_id = $1",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, str_c(state));
    db_bind_text(st, 3, str_c(status));
    db_bind_i64(st, 4, clock_now());
    return db_run(st, NULL);
}

/* Magento's Order::checkState after an invoice or a shipment: complete once nothing is left to
 * invoice or ship, processing otherwise. */
static enum err check_state(struct db *db, int64_t id)
{
    double inv, ship;
    enum err e = left_over(db, id, &inv, &ship);
    if (e)
        return e;
    if (inv <= 0.00001 && ship <= 0.00001)
        return set_state(db, id, "complete", "complete");
    return set_state(db, id, "processing", "processing");
}

/* --- placing an order --------------------------------------------------------------------------
 */

struct product_row {
    int64_t id;
    char sku[128], name[512], type[32];
    double price, weight, qty;
    int status;
    bool in_stock, manage_stock, has_stock;
    int backorders;
    double min_sale, max_sale;
};

static enum err find_product(struct db *db, const char *sku, struct product_row *p)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "SELECT p.entity_id, p.sku, p.name, p.type_id, p.price, COALESCE(p.weight, 0), p.status,"
        " s.qty, s.is_in_stock, s.manage_stock, s.backorders, s.min_sale_qty, s.max_sale_qty,"
        " s.product_id FROM catalog_product p LEFT JOIN cataloginventory_stock_item s"
        " ON s.product_id = p.entity_id WHERE p.sku = $1",
        &st);
    if (e)
        return e;
    db_bind_text(st, 1, str_c(sku));
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    memset(p, 0, sizeof(*p));
    p->id = db_col_i64(st, 0);
    snprintf(p->sku, sizeof(p->sku), "%.*s", STR_FMT(db_col_text(st, 1)));
    snprintf(p->name, sizeof(p->name), "%.*s", STR_FMT(db_col_text(st, 2)));
    snprintf(p->type, sizeof(p->type), "%.*s", STR_FMT(db_col_text(st, 3)));
    p->price = db_col_double(st, 4);
    p->weight = db_col_double(st, 5);
    p->status = (int)db_col_i64(st, 6);
    p->has_stock = !db_col_null(st, 13);
    p->qty = db_col_double(st, 7);
    p->in_stock = db_col_i64(st, 8) != 0;
    p->manage_stock = p->has_stock && db_col_i64(st, 9) != 0;
    p->backorders = (int)db_col_i64(st, 10);
    p->min_sale = db_col_double(st, 11);
    p->max_sale = db_col_double(st, 12);
    db_done(st);
    return ERR_OK;
}

struct place_address {
    int64_t customer_address_id;
    bool from_book;
    char firstname[256], lastname[256], company[256], street[1100], city[256], region[256],
        region_code[64], postcode[64], country[8], telephone[64];
    int64_t region_id;
};

static void demo_address(struct place_address *a, const char *first, const char *last)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->firstname, sizeof(a->firstname), "%s", first);
    snprintf(a->lastname, sizeof(a->lastname), "%s", last);
    snprintf(a->street, sizeof(a->street), "1 Demo Street");
    snprintf(a->city, sizeof(a->city), "Austin");
    snprintf(a->region, sizeof(a->region), "Texas");
    snprintf(a->region_code, sizeof(a->region_code), "TX");
    a->region_id = 57;
    snprintf(a->postcode, sizeof(a->postcode), "78701");
    snprintf(a->country, sizeof(a->country), "US");
    snprintf(a->telephone, sizeof(a->telephone), "555-0100");
}

static enum err book_address(struct db *db, int64_t address_id, struct place_address *a)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT firstname, lastname, COALESCE(company, ''), street, city,"
                            " COALESCE(region, ''), COALESCE(region_code, ''), region_id,"
                            " COALESCE(postcode, ''), country_id, telephone"
                            " FROM customer_address_entity WHERE entity_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, address_id);
    bool row = false;
    if ((e = db_next(st, &row)) || !row)
        return e ? e : ERR_NOT_FOUND;
    memset(a, 0, sizeof(*a));
    a->from_book = true;
    a->customer_address_id = address_id;
    char *dst[] = {a->firstname, a->lastname, a->company,    a->street,
                   a->city,      a->region,   a->region_code};
    size_t cap[] = {sizeof(a->firstname),  sizeof(a->lastname), sizeof(a->company),
                    sizeof(a->street),     sizeof(a->city),     sizeof(a->region),
                    sizeof(a->region_code)};
    for (int i = 0; i < 7; i++)
        snprintf(dst[i], cap[i], "%.*s", STR_FMT(db_col_text(st, i)));
    a->region_id = db_col_i64(st, 7);
    snprintf(a->postcode, sizeof(a->postcode), "%.*s", STR_FMT(db_col_text(st, 8)));
    snprintf(a->country, sizeof(a->country), "%.*s", STR_FMT(db_col_text(st, 9)));
    snprintf(a->telephone, sizeof(a->telephone), "%.*s", STR_FMT(db_col_text(st, 10)));
    db_done(st);
    return ERR_OK;
}

static void bind_opt(struct db_stmt *st, int idx, const char *s)
{
    if (s && *s)
        db_bind_text(st, idx, str_c(s));
    else
        db_bind_null(st, idx);
}

static enum err insert_address(struct db *db, int64_t order_id, const char *type,
                               const struct place_address *a, const char *email,
                               int64_t customer_id, bool customer)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "INSERT INTO sales_order_address (parent_id, address_type, customer_id,"
        " customer_address_id, email, firstname, lastname, company, street, city, region,"
        " region_id, region_code, postcode, country_id, telephone) VALUES ($1, $2, $3, $4, $5,"
        " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, order_id);
    db_bind_text(st, 2, str_c(type));
    if (customer)
        db_bind_i64(st, 3, customer_id);
    else
        db_bind_null(st, 3);
    if (a->from_book)
        db_bind_i64(st, 4, a->customer_address_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, str_c(email));
    db_bind_text(st, 6, str_c(a->firstname));
    db_bind_text(st, 7, str_c(a->lastname));
    bind_opt(st, 8, a->company);
    db_bind_text(st, 9, str_c(a->street));
    db_bind_text(st, 10, str_c(a->city));
    bind_opt(st, 11, a->region);
    db_bind_id(st, 12, a->region_id);
    bind_opt(st, 13, a->region_code);
    bind_opt(st, 14, a->postcode);
    db_bind_text(st, 15, str_c(a->country));
    bind_opt(st, 16, a->telephone);
    return db_run(st, NULL);
}

enum err sales_order_place(struct db *db, const struct sales_place *in, int64_t *order_id,
                           char why[SALES_WHY])
{
    why[0] = '\0';
    if (!(in->qty > 0) || in->qty > 1e6) {
        why_set(why, "The requested qty is not available");
        return ERR_INVALID;
    }
    enum err e = db_begin(db);
    if (e)
        return e;
    struct product_row p;
    struct db_stmt *st;
    bool row = false;
    int64_t store_id = in->store_id ? in->store_id : 1, website_id = 1, now = clock_now();
    char store_name[800] = "";
    e = find_product(db, in->sku, &p);
    if (e == ERR_NOT_FOUND)
        why_set(why, "The product that was requested doesn't exist. Verify the product and try "
                     "again.");
    if (!e && p.status != 1) {
        why_set(why, "Product that you are trying to add is not available.");
        e = ERR_INVALID;
    }
    if (!e && p.has_stock && (in->qty < p.min_sale - 1e-9 || in->qty > p.max_sale + 1e-9)) {
        why_set(why, "The requested qty is not available");
        e = ERR_INVALID;
    }
    if (!e && p.manage_stock && (!p.in_stock || (p.backorders == 0 && p.qty < in->qty - 1e-9))) {
        why_set(why, "The requested qty is not available");
        e = ERR_INVALID;
    }
    /* the store view's names as Magento keeps them: website, group and view on three lines */
    if (!e && !(e = db_prepare(db,
                               "SELECT w.website_id, w.name, g.name, s.name FROM store s"
                               " JOIN store_group g ON g.group_id = s.group_id"
                               " JOIN store_website w ON w.website_id = s.website_id"
                               " WHERE s.store_id = $1",
                               &st))) {
        db_bind_i64(st, 1, store_id);
        if (!(e = db_next(st, &row)) && row) {
            website_id = db_col_i64(st, 0);
            snprintf(store_name, sizeof(store_name), "%.*s\n%.*s\n%.*s",
                     STR_FMT(db_col_text(st, 1)), STR_FMT(db_col_text(st, 2)),
                     STR_FMT(db_col_text(st, 3)));
            db_done(st);
        } else if (!e) {
            e = ERR_NOT_FOUND;
            why_set(why, "The store that was requested wasn't found. Verify the store and try "
                         "again.");
        }
    }
    /* the customer, if the email has an account on this website */
    bool customer = false;
    int64_t customer_id = 0, group_id = 0, billing_id = 0, shipping_id = 0;
    char first[256], last[256];
    snprintf(first, sizeof(first), "%s", in->firstname && *in->firstname ? in->firstname : "Guest");
    snprintf(last, sizeof(last), "%s", in->lastname && *in->lastname ? in->lastname : "Shopper");
    if (!e && !(e = db_prepare(db,
                               "SELECT entity_id, group_id, firstname, lastname,"
                               " COALESCE(default_billing, 0), COALESCE(default_shipping, 0)"
                               " FROM customer_entity WHERE email_key = lower($1)"
                               " AND website_id = $2",
                               &st))) {
        db_bind_text(st, 1, str_c(in->email));
        db_bind_i64(st, 2, website_id);
        if (!(e = db_next(st, &row)) && row) {
            customer = true;
            customer_id = db_col_i64(st, 0);
            group_id = db_col_i64(st, 1);
            snprintf(first, sizeof(first), "%.*s", STR_FMT(db_col_text(st, 2)));
            snprintf(last, sizeof(last), "%.*s", STR_FMT(db_col_text(st, 3)));
            billing_id = db_col_i64(st, 4);
            shipping_id = db_col_i64(st, 5);
            db_done(st);
        }
    }
    struct place_address bill, ship;
    demo_address(&bill, first, last);
    demo_address(&ship, first, last);
    if (!e && billing_id && book_address(db, billing_id, &bill) != ERR_OK)
        demo_address(&bill, first, last);
    if (!e && shipping_id && book_address(db, shipping_id, &ship) != ERR_OK)
        demo_address(&ship, first, last);

    bool is_virtual = strcmp(p.type, "virtual") == 0 || strcmp(p.type, "downloadable") == 0;
    double subtotal = e ? 0 : p.price * in->qty;
    double shipping = is_virtual ? 0 : SALES_FLAT_RATE * in->qty;
    double grand = subtotal + shipping;
    char increment[16] = "";
    if (!e)
        e = next_increment(db, "order", increment);
    char protect[7];
    crypto_random_alnum(protect, 6);
    protect[6] = '\0';
    int64_t oid = 0;
    if (!e &&
        !(e = db_prepare(
              db,
              "INSERT INTO sales_order (increment_id, state, status, store_id, store_name,"
              " customer_id, customer_email, customer_firstname, customer_lastname,"
              " customer_group_id, customer_is_guest, subtotal, shipping_amount, grand_total,"
              " total_qty_ordered, total_item_count, weight, shipping_method,"
              " shipping_description, is_virtual, protect_code, remote_ip, created_at,"
              " updated_at) VALUES ($1, 'new', 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10,"
              " $11, $12, $13, 1, $14, $15, $16, $17, $18, $19, $20, $20)"
              " RETURNING entity_id",
              &st))) {
        db_bind_text(st, 1, str_c(increment));
        db_bind_i64(st, 2, store_id);
        db_bind_text(st, 3, str_c(store_name));
        if (customer)
            db_bind_i64(st, 4, customer_id);
        else
            db_bind_null(st, 4);
        db_bind_text(st, 5, str_c(in->email));
        db_bind_text(st, 6, str_c(first));
        db_bind_text(st, 7, str_c(last));
        db_bind_i64(st, 8, group_id);
        db_bind_i64(st, 9, customer ? 0 : 1);
        char amount[3][32];
        snprintf(amount[0], 32, "%.4f", subtotal);
        snprintf(amount[1], 32, "%.4f", shipping);
        snprintf(amount[2], 32, "%.4f", grand);
        db_bind_text(st, 10, str_c(amount[0]));
        db_bind_text(st, 11, str_c(amount[1]));
        db_bind_text(st, 12, str_c(amount[2]));
        char qty[32], weight[32];
        snprintf(qty, sizeof(qty), "%.4f", in->qty);
        snprintf(weight, sizeof(weight), "%.4f", p.weight * in->qty);
        db_bind_text(st, 13, str_c(qty));
        db_bind_text(st, 14, str_c(weight));
        bind_opt(st, 15, is_virtual ? NULL : "flatrate_flatrate");
        bind_opt(st, 16, is_virtual ? NULL : "Flat Rate - Fixed");
        db_bind_i64(st, 17, is_virtual);
        db_bind_text(st, 18, str_c(protect));
        bind_opt(st, 19, in->remote_ip);
        db_bind_i64(st, 20, now);
        if (!(e = db_next(st, &row)) && row) {
            oid = db_col_i64(st, 0);
            db_done(st);
        } else if (!e) {
            e = ERR_DB;
        }
    }
    if (!e && !(e = db_prepare(db,
                               "INSERT INTO sales_order_item (order_id, store_id, product_id,"
                               " product_type, sku, name, qty_ordered, price, original_price,"
                               " row_total, weight, row_weight, is_virtual, created_at,"
                               " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10,"
                               " $11, $12, $13, $13)",
                               &st))) {
        char qty[32], price[32], row_total[32], weight[32], row_weight[32];
        snprintf(qty, sizeof(qty), "%.4f", in->qty);
        snprintf(price, sizeof(price), "%.4f", p.price);
        snprintf(row_total, sizeof(row_total), "%.4f", subtotal);
        snprintf(weight, sizeof(weight), "%.4f", p.weight);
        snprintf(row_weight, sizeof(row_weight), "%.4f", p.weight * in->qty);
        db_bind_i64(st, 1, oid);
        db_bind_i64(st, 2, store_id);
        db_bind_i64(st, 3, p.id);
        db_bind_text(st, 4, str_c(p.type));
        db_bind_text(st, 5, str_c(p.sku));
        db_bind_text(st, 6, str_c(p.name));
        db_bind_text(st, 7, str_c(qty));
        db_bind_text(st, 8, str_c(price));
        db_bind_text(st, 9, str_c(row_total));
        db_bind_text(st, 10, str_c(weight));
        db_bind_text(st, 11, str_c(row_weight));
        db_bind_i64(st, 12, is_virtual);
        db_bind_i64(st, 13, now);
        e = db_run(st, NULL);
    }
    if (!e)
        e = insert_address(db, oid, "billing", &bill, in->email, customer_id, customer);
    if (!e && !is_virtual)
        e = insert_address(db, oid, "shipping", &ship, in->email, customer_id, customer);
    if (!e && !(e = db_prepare(db,
                               "INSERT INTO sales_order_payment (parent_id, method,"
                               " amount_ordered, shipping_amount, title) VALUES ($1, 'checkmo',"
                               " $2, $3, 'Check / Money order')",
                               &st))) {
        char a[32], s[32];
        snprintf(a, sizeof(a), "%.4f", grand);
        snprintf(s, sizeof(s), "%.4f", shipping);
        db_bind_i64(st, 1, oid);
        db_bind_text(st, 2, str_c(a));
        db_bind_text(st, 3, str_c(s));
        e = db_run(st, NULL);
    }
    /* the stock, as the checkout's inventory step: decremented, out of stock at zero */
    if (!e && p.manage_stock &&
        !(e = db_prepare(db,
                         "UPDATE cataloginventory_stock_item SET qty = qty - $2,"
                         " is_in_stock = CASE WHEN qty - $2 <= min_qty AND backorders = 0"
                         " THEN 0 ELSE is_in_stock END WHERE product_id = $1",
                         &st))) {
        char qty[32];
        snprintf(qty, sizeof(qty), "%.4f", in->qty);
        db_bind_i64(st, 1, p.id);
        db_bind_text(st, 2, str_c(qty));
        e = db_run(st, NULL);
    }
    if (!e)
        e = catalog_touch(db); /* the product's stock moved */
    if (!e)
        e = db_commit(db);
    if (e) {
        db_rollback(db);
        if (e == ERR_NOT_FOUND && !why[0])
            why_set(why, "The product that was requested doesn't exist. Verify the product and "
                         "try again.");
        return e;
    }
    *order_id = oid;
    return ERR_OK;
}

/* --- rendering ---------------------------------------------------------------------------------
 */

static enum err items_json(struct db *db, int64_t order_id, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "SELECT item_id, order_id, store_id, product_id, product_type, sku, name, qty_ordered,"
        " qty_invoiced, qty_shipped, qty_refunded, qty_canceled, price, original_price, row_total,"
        " row_invoiced, weight, row_weight, is_virtual, created_at, updated_at"
        " FROM sales_order_item WHERE order_id = $1 ORDER BY item_id",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, order_id);
    buf_add_ch(out, '[');
    bool row = false, first_item = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first_item)
            buf_add_ch(out, ',');
        first_item = false;
        bool f = true;
        double price = db_col_double(st, 12), orig = db_col_double(st, 13),
               row_total = db_col_double(st, 14);
        buf_add_ch(out, '{');
        kv_num(out, &f, "amount_refunded", 0);
        kv_num(out, &f, "base_amount_refunded", 0);
        kv_num(out, &f, "base_discount_amount", 0);
        kv_num(out, &f, "base_discount_invoiced", 0);
        kv_num(out, &f, "base_original_price", orig);
        kv_num(out, &f, "base_price", price);
        kv_num(out, &f, "base_price_incl_tax", price);
        kv_num(out, &f, "base_row_invoiced", db_col_double(st, 15));
        kv_num(out, &f, "base_row_total", row_total);
        kv_num(out, &f, "base_row_total_incl_tax", row_total);
        kv_num(out, &f, "base_tax_amount", 0);
        kv_time(out, &f, "created_at", db_col_i64(st, 19));
        kv_num(out, &f, "discount_amount", 0);
        kv_num(out, &f, "discount_percent", 0);
        kv_int(out, &f, "free_shipping", 0);
        kv_int(out, &f, "is_qty_decimal", 0);
        kv_int(out, &f, "is_virtual", db_col_i64(st, 18));
        kv_int(out, &f, "item_id", db_col_i64(st, 0));
        kv_col(out, &f, "name", st, 6);
        kv_int(out, &f, "no_discount", 0);
        kv_int(out, &f, "order_id", db_col_i64(st, 1));
        kv_num(out, &f, "original_price", orig);
        kv_num(out, &f, "price", price);
        kv_num(out, &f, "price_incl_tax", price);
        if (!db_col_null(st, 3))
            kv_int(out, &f, "product_id", db_col_i64(st, 3));
        kv_col(out, &f, "product_type", st, 4);
        kv_num(out, &f, "qty_canceled", db_col_double(st, 11));
        kv_num(out, &f, "qty_invoiced", db_col_double(st, 8));
        kv_num(out, &f, "qty_ordered", db_col_double(st, 7));
        kv_num(out, &f, "qty_refunded", db_col_double(st, 10));
        kv_num(out, &f, "qty_shipped", db_col_double(st, 9));
        kv_num(out, &f, "row_invoiced", db_col_double(st, 15));
        kv_num(out, &f, "row_total", row_total);
        kv_num(out, &f, "row_total_incl_tax", row_total);
        if (!db_col_null(st, 17))
            kv_num(out, &f, "row_weight", db_col_double(st, 17));
        kv_col(out, &f, "sku", st, 5);
        kv_int(out, &f, "store_id", db_col_i64(st, 2));
        kv_num(out, &f, "tax_amount", 0);
        kv_num(out, &f, "tax_percent", 0);
        kv_time(out, &f, "updated_at", db_col_i64(st, 20));
        if (!db_col_null(st, 16))
            kv_num(out, &f, "weight", db_col_double(st, 16));
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
    return e;
}

/* One order address (billing or shipping) as OrderAddressInterface; *found false if none. */
static enum err address_json(struct db *db, int64_t order_id, const char *type, struct buf *out,
                             bool *found, int64_t *address_id)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "SELECT entity_id, parent_id, address_type, customer_id, customer_address_id, email,"
        " firstname, lastname, company, street, city, region, region_id, region_code, postcode,"
        " country_id, telephone FROM sales_order_address WHERE parent_id = $1"
        " AND address_type = $2 ORDER BY entity_id LIMIT 1",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, order_id);
    db_bind_text(st, 2, str_c(type));
    bool row = false;
    *found = false;
    if ((e = db_next(st, &row)) || !row)
        return e;
    *found = true;
    if (address_id)
        *address_id = db_col_i64(st, 0);
    if (out) {
        bool f = true;
        buf_add_ch(out, '{');
        kv_col(out, &f, "address_type", st, 2);
        kv_col(out, &f, "city", st, 10);
        kv_col(out, &f, "company", st, 8);
        kv_col(out, &f, "country_id", st, 15);
        if (!db_col_null(st, 4))
            kv_int(out, &f, "customer_address_id", db_col_i64(st, 4));
        if (!db_col_null(st, 3))
            kv_int(out, &f, "customer_id", db_col_i64(st, 3));
        kv_col(out, &f, "email", st, 5);
        kv_int(out, &f, "entity_id", db_col_i64(st, 0));
        kv_col(out, &f, "firstname", st, 6);
        kv_col(out, &f, "lastname", st, 7);
        kv_int(out, &f, "parent_id", db_col_i64(st, 1));
        kv_col(out, &f, "postcode", st, 14);
        kv_col(out, &f, "region", st, 11);
        kv_col(out, &f, "region_code", st, 13);
        if (!db_col_null(st, 12))
            kv_int(out, &f, "region_id", db_col_i64(st, 12));
        k(out, &f, "street");
        street_json(out, db_col_text(st, 9));
        kv_col(out, &f, "telephone", st, 16);
        buf_add_ch(out, '}');
    }
    db_done(st);
    return ERR_OK;
}

static enum err payment_json(struct db *db, int64_t order_id, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT entity_id, parent_id, method, amount_ordered, amount_paid,"
                            " shipping_amount, shipping_captured, title FROM sales_order_payment"
                            " WHERE parent_id = $1 ORDER BY entity_id LIMIT 1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, order_id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row) {
        buf_add_c(out, "null");
        return ERR_OK;
    }
    bool f = true;
    buf_add_ch(out, '{');
    k(out, &f, "account_status");
    buf_add_c(out, "null");
    k(out, &f, "additional_information");
    buf_add_ch(out, '[');
    buf_json_str(out, db_col_text(st, 7));
    buf_add_ch(out, ']');
    kv_num(out, &f, "amount_ordered", db_col_double(st, 3));
    if (db_col_double(st, 4) > 0)
        kv_num(out, &f, "amount_paid", db_col_double(st, 4));
    kv_num(out, &f, "base_amount_ordered", db_col_double(st, 3));
    if (db_col_double(st, 4) > 0)
        kv_num(out, &f, "base_amount_paid", db_col_double(st, 4));
    kv_num(out, &f, "base_shipping_amount", db_col_double(st, 5));
    if (db_col_double(st, 6) > 0)
        kv_num(out, &f, "base_shipping_captured", db_col_double(st, 6));
    k(out, &f, "cc_last4");
    buf_add_c(out, "null");
    kv_int(out, &f, "entity_id", db_col_i64(st, 0));
    kv_col(out, &f, "method", st, 2);
    kv_int(out, &f, "parent_id", db_col_i64(st, 1));
    kv_num(out, &f, "shipping_amount", db_col_double(st, 5));
    if (db_col_double(st, 6) > 0)
        kv_num(out, &f, "shipping_captured", db_col_double(st, 6));
    buf_add_ch(out, '}');
    db_done(st);
    return ERR_OK;
}

static enum err histories_json(struct db *db, int64_t order_id, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT entity_id, parent_id, comment, status, is_customer_notified,"
                            " is_visible_on_front, entity_name, created_at"
                            " FROM sales_order_status_history WHERE parent_id = $1"
                            " ORDER BY created_at DESC, entity_id DESC",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, order_id);
    buf_add_ch(out, '[');
    bool row = false, first = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        bool f = true;
        buf_add_ch(out, '{');
        kv_col(out, &f, "comment", st, 2);
        kv_time(out, &f, "created_at", db_col_i64(st, 7));
        kv_int(out, &f, "entity_id", db_col_i64(st, 0));
        kv_col(out, &f, "entity_name", st, 6);
        k(out, &f, "is_customer_notified");
        if (db_col_null(st, 4))
            buf_add_c(out, "null");
        else
            buf_add_i64(out, db_col_i64(st, 4));
        kv_int(out, &f, "is_visible_on_front", db_col_i64(st, 5));
        kv_int(out, &f, "parent_id", db_col_i64(st, 1));
        kv_col(out, &f, "status", st, 3);
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
    return e;
}

enum err sales_order_comments_json(struct db *db, int64_t id, struct buf *out)
{
    struct order_state o;
    enum err e = load_state(db, id, &o);
    if (e)
        return e;
    struct db_stmt *st;
    if ((e = db_prepare(db, "SELECT COUNT(*) FROM sales_order_status_history WHERE parent_id = $1",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    int64_t n = row ? db_col_i64(st, 0) : 0;
    if (row)
        db_done(st);
    buf_add_c(out, "{\"items\":");
    if ((e = histories_json(db, id, out)))
        return e;
    buf_add_c(out, ",\"total_count\":");
    buf_add_i64(out, n);
    buf_add_ch(out, '}');
    return ERR_OK;
}

enum err sales_order_json(struct db *db, int64_t id, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "SELECT entity_id, increment_id, state, status, store_id, store_name, customer_id,"
        " customer_email, customer_firstname, customer_lastname, customer_group_id,"
        " customer_is_guest, currency_code, subtotal, shipping_amount, tax_amount,"
        " discount_amount, grand_total, total_paid, total_invoiced, subtotal_invoiced,"
        " shipping_invoiced, total_canceled, subtotal_canceled, total_qty_ordered,"
        " total_item_count, weight, shipping_method, shipping_description, is_virtual,"
        " protect_code, remote_ip, email_sent, created_at, updated_at"
        " FROM sales_order WHERE entity_id = $1",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    double subtotal = db_col_double(st, 13), shipping = db_col_double(st, 14),
           tax = db_col_double(st, 15), discount = db_col_double(st, 16),
           grand = db_col_double(st, 17), paid = db_col_double(st, 18),
           invoiced = db_col_double(st, 19), sub_inv = db_col_double(st, 20),
           ship_inv = db_col_double(st, 21), canceled = db_col_double(st, 22),
           sub_can = db_col_double(st, 23);
    double due = grand - paid - canceled;
    if (due < 0)
        due = 0;
    char cur[8];
    snprintf(cur, sizeof(cur), "%.*s", STR_FMT(db_col_text(st, 12)));
    char method[64] = "";
    if (!db_col_null(st, 27))
        snprintf(method, sizeof(method), "%.*s", STR_FMT(db_col_text(st, 27)));
    bool f = true;
    buf_add_ch(out, '{');
    kv_text(out, &f, "base_currency_code", str_c(cur));
    kv_num(out, &f, "base_discount_amount", discount);
    kv_num(out, &f, "base_grand_total", grand);
    kv_num(out, &f, "base_shipping_amount", shipping);
    kv_num(out, &f, "base_shipping_incl_tax", shipping);
    if (ship_inv > 0)
        kv_num(out, &f, "base_shipping_invoiced", ship_inv);
    kv_num(out, &f, "base_shipping_tax_amount", 0);
    kv_num(out, &f, "base_subtotal", subtotal);
    if (sub_can > 0)
        kv_num(out, &f, "base_subtotal_canceled", sub_can);
    kv_num(out, &f, "base_subtotal_incl_tax", subtotal);
    if (sub_inv > 0)
        kv_num(out, &f, "base_subtotal_invoiced", sub_inv);
    kv_num(out, &f, "base_tax_amount", tax);
    kv_num(out, &f, "base_to_global_rate", 1);
    kv_num(out, &f, "base_to_order_rate", 1);
    if (canceled > 0)
        kv_num(out, &f, "base_total_canceled", canceled);
    kv_num(out, &f, "base_total_due", due);
    if (invoiced > 0)
        kv_num(out, &f, "base_total_invoiced", invoiced);
    if (paid > 0)
        kv_num(out, &f, "base_total_paid", paid);
    kv_time(out, &f, "created_at", db_col_i64(st, 33));
    kv_col(out, &f, "customer_email", st, 7);
    kv_col(out, &f, "customer_firstname", st, 8);
    kv_int(out, &f, "customer_group_id", db_col_i64(st, 10));
    if (!db_col_null(st, 6))
        kv_int(out, &f, "customer_id", db_col_i64(st, 6));
    kv_int(out, &f, "customer_is_guest", db_col_i64(st, 11));
    kv_col(out, &f, "customer_lastname", st, 9);
    kv_int(out, &f, "customer_note_notify", 1);
    kv_num(out, &f, "discount_amount", discount);
    kv_int(out, &f, "email_sent", db_col_i64(st, 32));
    kv_int(out, &f, "entity_id", db_col_i64(st, 0));
    kv_text(out, &f, "global_currency_code", str_c(cur));
    kv_num(out, &f, "grand_total", grand);
    kv_col(out, &f, "increment_id", st, 1);
    kv_int(out, &f, "is_virtual", db_col_i64(st, 29));
    kv_text(out, &f, "order_currency_code", str_c(cur));
    kv_col(out, &f, "protect_code", st, 30);
    kv_col(out, &f, "remote_ip", st, 31);
    kv_num(out, &f, "shipping_amount", shipping);
    kv_col(out, &f, "shipping_description", st, 28);
    kv_num(out, &f, "shipping_incl_tax", shipping);
    if (ship_inv > 0)
        kv_num(out, &f, "shipping_invoiced", ship_inv);
    kv_num(out, &f, "shipping_tax_amount", 0);
    kv_col(out, &f, "state", st, 2);
    kv_col(out, &f, "status", st, 3);
    kv_text(out, &f, "store_currency_code", str_c(cur));
    kv_int(out, &f, "store_id", db_col_i64(st, 4));
    kv_col(out, &f, "store_name", st, 5);
    kv_num(out, &f, "store_to_base_rate", 0);
    kv_num(out, &f, "store_to_order_rate", 0);
    kv_num(out, &f, "subtotal", subtotal);
    if (sub_can > 0)
        kv_num(out, &f, "subtotal_canceled", sub_can);
    kv_num(out, &f, "subtotal_incl_tax", subtotal);
    if (sub_inv > 0)
        kv_num(out, &f, "subtotal_invoiced", sub_inv);
    kv_num(out, &f, "tax_amount", tax);
    if (canceled > 0)
        kv_num(out, &f, "total_canceled", canceled);
    kv_num(out, &f, "total_due", due);
    if (invoiced > 0)
        kv_num(out, &f, "total_invoiced", invoiced);
    kv_int(out, &f, "total_item_count", db_col_i64(st, 25));
    if (paid > 0)
        kv_num(out, &f, "total_paid", paid);
    kv_num(out, &f, "total_qty_ordered", db_col_double(st, 24));
    kv_time(out, &f, "updated_at", db_col_i64(st, 34));
    kv_num(out, &f, "weight", db_col_double(st, 26));
    db_done(st);

    struct buf items;
    buf_init(&items, out->arena, 2048);
    if ((e = items_json(db, id, &items)))
        return e;
    k(out, &f, "items");
    buf_add_str(out, buf_str(&items));
    bool found = false;
    k(out, &f, "billing_address");
    size_t mark = out->len;
    if ((e = address_json(db, id, "billing", out, &found, NULL)))
        return e;
    if (!found) {
        out->len = mark;
        buf_add_c(out, "null");
    }
    k(out, &f, "payment");
    if ((e = payment_json(db, id, out)))
        return e;
    k(out, &f, "status_histories");
    if ((e = histories_json(db, id, out)))
        return e;
    /* extension_attributes.shipping_assignments: where the order goes and with which items */
    k(out, &f, "extension_attributes");
    buf_add_c(out, "{\"shipping_assignments\":[{\"shipping\":{");
    bool sf = true;
    struct buf addr;
    buf_init(&addr, out->arena, 512);
    if ((e = address_json(db, id, "shipping", &addr, &found, NULL)))
        return e;
    if (found) {
        k(out, &sf, "address");
        buf_add_str(out, buf_str(&addr));
    }
    if (method[0])
        kv_text(out, &sf, "method", str_c(method));
    k(out, &sf, "total");
    buf_add_c(out, "{");
    bool tf = true;
    kv_num(out, &tf, "base_shipping_amount", shipping);
    kv_num(out, &tf, "base_shipping_incl_tax", shipping);
    if (ship_inv > 0)
        kv_num(out, &tf, "base_shipping_invoiced", ship_inv);
    kv_num(out, &tf, "base_shipping_tax_amount", 0);
    kv_num(out, &tf, "shipping_amount", shipping);
    kv_num(out, &tf, "shipping_incl_tax", shipping);
    if (ship_inv > 0)
        kv_num(out, &tf, "shipping_invoiced", ship_inv);
    kv_num(out, &tf, "shipping_tax_amount", 0);
    buf_add_c(out, "}},\"items\":");
    buf_add_str(out, buf_str(&items));
    buf_add_c(out, "}]}");
    buf_add_ch(out, '}');
    return ERR_OK;
}

static enum err comments_json(struct db *db, const char *sql, int64_t parent, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, parent);
    buf_add_ch(out, '[');
    bool row = false, first = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        bool f = true;
        buf_add_ch(out, '{');
        kv_col(out, &f, "comment", st, 2);
        kv_time(out, &f, "created_at", db_col_i64(st, 5));
        kv_int(out, &f, "entity_id", db_col_i64(st, 0));
        k(out, &f, "is_customer_notified");
        if (db_col_null(st, 3))
            buf_add_c(out, "null");
        else
            buf_add_i64(out, db_col_i64(st, 3));
        kv_int(out, &f, "is_visible_on_front", db_col_i64(st, 4));
        kv_int(out, &f, "parent_id", db_col_i64(st, 1));
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
    return e;
}

enum err sales_invoice_json(struct db *db, int64_t id, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db,
        "SELECT i.entity_id, i.order_id, i.increment_id, i.state, i.store_id, i.subtotal,"
        " i.shipping_amount, i.tax_amount, i.discount_amount, i.grand_total, i.total_qty,"
        " i.billing_address_id, i.shipping_address_id, i.email_sent, i.created_at, i.updated_at,"
        " o.currency_code FROM sales_invoice i JOIN sales_order o ON o.entity_id = i.order_id"
        " WHERE i.entity_id = $1",
        &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    char cur[8];
    snprintf(cur, sizeof(cur), "%.*s", STR_FMT(db_col_text(st, 16)));
    double sub = db_col_double(st, 5), ship = db_col_double(st, 6), tax = db_col_double(st, 7),
           disc = db_col_double(st, 8), grand = db_col_double(st, 9);
    bool f = true;
    buf_add_ch(out, '{');
    kv_text(out, &f, "base_currency_code", str_c(cur));
    kv_num(out, &f, "base_discount_amount", disc);
    kv_num(out, &f, "base_grand_total", grand);
    kv_num(out, &f, "base_shipping_amount", ship);
    kv_num(out, &f, "base_shipping_incl_tax", ship);
    kv_num(out, &f, "base_subtotal", sub);
    kv_num(out, &f, "base_subtotal_incl_tax", sub);
    kv_num(out, &f, "base_tax_amount", tax);
    kv_num(out, &f, "base_to_global_rate", 1);
    kv_num(out, &f, "base_to_order_rate", 1);
    if (!db_col_null(st, 11))
        kv_int(out, &f, "billing_address_id", db_col_i64(st, 11));
    kv_int(out, &f, "can_void_flag", 0);
    kv_time(out, &f, "created_at", db_col_i64(st, 14));
    kv_num(out, &f, "discount_amount", disc);
    kv_int(out, &f, "email_sent", db_col_i64(st, 13));
    kv_int(out, &f, "entity_id", db_col_i64(st, 0));
    kv_text(out, &f, "global_currency_code", str_c(cur));
    kv_num(out, &f, "grand_total", grand);
    kv_col(out, &f, "increment_id", st, 2);
    kv_text(out, &f, "order_currency_code", str_c(cur));
    kv_int(out, &f, "order_id", db_col_i64(st, 1));
    if (!db_col_null(st, 12))
        kv_int(out, &f, "shipping_address_id", db_col_i64(st, 12));
    kv_num(out, &f, "shipping_amount", ship);
    kv_num(out, &f, "shipping_incl_tax", ship);
    kv_int(out, &f, "state", db_col_i64(st, 3));
    kv_text(out, &f, "store_currency_code", str_c(cur));
    kv_int(out, &f, "store_id", db_col_i64(st, 4));
    kv_num(out, &f, "subtotal", sub);
    kv_num(out, &f, "subtotal_incl_tax", sub);
    kv_num(out, &f, "tax_amount", tax);
    kv_num(out, &f, "total_qty", db_col_double(st, 10));
    kv_time(out, &f, "updated_at", db_col_i64(st, 15));
    db_done(st);
    if ((e = db_prepare(db,
                        "SELECT entity_id, parent_id, order_item_id, product_id, sku, name, qty,"
                        " price, row_total FROM sales_invoice_item WHERE parent_id = $1"
                        " ORDER BY entity_id",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    k(out, &f, "items");
    buf_add_ch(out, '[');
    bool first = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        bool g = true;
        buf_add_ch(out, '{');
        kv_num(out, &g, "base_price", db_col_double(st, 7));
        kv_num(out, &g, "base_row_total", db_col_double(st, 8));
        kv_int(out, &g, "entity_id", db_col_i64(st, 0));
        kv_col(out, &g, "name", st, 5);
        kv_int(out, &g, "parent_id", db_col_i64(st, 1));
        kv_num(out, &g, "price", db_col_double(st, 7));
        if (!db_col_null(st, 3))
            kv_int(out, &g, "product_id", db_col_i64(st, 3));
        kv_num(out, &g, "qty", db_col_double(st, 6));
        kv_num(out, &g, "row_total", db_col_double(st, 8));
        kv_col(out, &g, "sku", st, 4);
        kv_int(out, &g, "order_item_id", db_col_i64(st, 2));
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
    if (e)
        return e;
    k(out, &f, "comments");
    if ((e = comments_json(db,
                           "SELECT entity_id, parent_id, comment, is_customer_notified,"
                           " is_visible_on_front, created_at FROM sales_invoice_comment"
                           " WHERE parent_id = $1 ORDER BY entity_id",
                           id, out)))
        return e;
    buf_add_ch(out, '}');
    return ERR_OK;
}

enum err sales_shipment_json(struct db *db, int64_t id, struct buf *out)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT entity_id, order_id, increment_id, store_id, customer_id,"
                            " total_qty, total_weight, billing_address_id, shipping_address_id,"
                            " email_sent, created_at, updated_at FROM sales_shipment"
                            " WHERE entity_id = $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bool row = false;
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    int64_t order_id = db_col_i64(st, 1);
    bool f = true;
    buf_add_ch(out, '{');
    if (!db_col_null(st, 7))
        kv_int(out, &f, "billing_address_id", db_col_i64(st, 7));
    kv_time(out, &f, "created_at", db_col_i64(st, 10));
    if (!db_col_null(st, 4))
        kv_int(out, &f, "customer_id", db_col_i64(st, 4));
    kv_int(out, &f, "email_sent", db_col_i64(st, 9));
    kv_int(out, &f, "entity_id", db_col_i64(st, 0));
    kv_col(out, &f, "increment_id", st, 2);
    kv_int(out, &f, "order_id", order_id);
    k(out, &f, "packages");
    buf_add_c(out, "[]");
    if (!db_col_null(st, 8))
        kv_int(out, &f, "shipping_address_id", db_col_i64(st, 8));
    kv_int(out, &f, "store_id", db_col_i64(st, 3));
    kv_num(out, &f, "total_qty", db_col_double(st, 5));
    if (!db_col_null(st, 6))
        kv_num(out, &f, "total_weight", db_col_double(st, 6));
    kv_time(out, &f, "updated_at", db_col_i64(st, 11));
    db_done(st);
    if ((e = db_prepare(db,
                        "SELECT entity_id, parent_id, order_item_id, product_id, sku, name, qty,"
                        " price, weight FROM sales_shipment_item WHERE parent_id = $1"
                        " ORDER BY entity_id",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    k(out, &f, "items");
    buf_add_ch(out, '[');
    bool first = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        bool g = true;
        buf_add_ch(out, '{');
        kv_int(out, &g, "entity_id", db_col_i64(st, 0));
        kv_col(out, &g, "name", st, 5);
        kv_int(out, &g, "parent_id", db_col_i64(st, 1));
        kv_num(out, &g, "price", db_col_double(st, 7));
        if (!db_col_null(st, 3))
            kv_int(out, &g, "product_id", db_col_i64(st, 3));
        kv_col(out, &g, "sku", st, 4);
        if (!db_col_null(st, 8))
            kv_num(out, &g, "weight", db_col_double(st, 8));
        kv_int(out, &g, "order_item_id", db_col_i64(st, 2));
        kv_num(out, &g, "qty", db_col_double(st, 6));
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
    if (e)
        return e;
    if ((e = db_prepare(db,
                        "SELECT entity_id, parent_id, order_id, track_number, title,"
                        " carrier_code, description, qty, weight, created_at, updated_at"
                        " FROM sales_shipment_track WHERE parent_id = $1 ORDER BY entity_id",
                        &st)))
        return e;
    db_bind_i64(st, 1, id);
    k(out, &f, "tracks");
    buf_add_ch(out, '[');
    first = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        bool g = true;
        buf_add_ch(out, '{');
        kv_col(out, &g, "carrier_code", st, 5);
        kv_time(out, &g, "created_at", db_col_i64(st, 9));
        kv_col(out, &g, "description", st, 6);
        kv_int(out, &g, "entity_id", db_col_i64(st, 0));
        kv_int(out, &g, "order_id", db_col_i64(st, 2));
        kv_int(out, &g, "parent_id", db_col_i64(st, 1));
        if (!db_col_null(st, 7))
            kv_num(out, &g, "qty", db_col_double(st, 7));
        kv_col(out, &g, "title", st, 4);
        kv_col(out, &g, "track_number", st, 3);
        kv_time(out, &g, "updated_at", db_col_i64(st, 10));
        if (!db_col_null(st, 8))
            kv_num(out, &g, "weight", db_col_double(st, 8));
        buf_add_ch(out, '}');
    }
    buf_add_ch(out, ']');
    if (e)
        return e;
    k(out, &f, "comments");
    if ((e = comments_json(db,
                           "SELECT entity_id, parent_id, comment, is_customer_notified,"
                           " is_visible_on_front, created_at FROM sales_shipment_comment"
                           " WHERE parent_id = $1 ORDER BY entity_id",
                           id, out)))
        return e;
    buf_add_ch(out, '}');
    return ERR_OK;
}

/* --- order operations --------------------------------------------------------------------------
 */

static enum err add_history(struct db *db, int64_t id, const char *comment, const char *status,
                            int notified, int visible, const char *entity)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "INSERT INTO sales_order_status_history (parent_id, comment, status,"
                            " is_customer_notified, is_visible_on_front, entity_name, created_at)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    bind_opt(st, 2, comment);
    bind_opt(st, 3, status);
    if (notified < 0)
        db_bind_null(st, 4);
    else
        db_bind_i64(st, 4, notified);
    db_bind_i64(st, 5, visible);
    db_bind_text(st, 6, str_c(entity));
    db_bind_i64(st, 7, clock_now());
    return db_run(st, NULL);
}

enum err sales_order_comment(struct db *db, int64_t id, const char *comment, const char *status,
                             int notified, int visible)
{
    enum err e = db_begin(db);
    if (e)
        return e;
    struct order_state o;
    e = load_state(db, id, &o);
    if (!e)
        e = add_history(db, id, comment, status && *status ? status : o.status, notified, visible,
                        "order");
    if (!e)
        e = run1(db, "UPDATE sales_order SET updated_at = updated_at WHERE entity_id = $1", id,
                 NULL);
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    return e;
}

enum err sales_order_cancel(struct db *db, int64_t id, bool *cancelled)
{
    *cancelled = false;
    enum err e = db_begin(db);
    if (e)
        return e;
    struct order_state o;
    double to_invoice = 0, to_ship = 0;
    static const char *const final[] = {"canceled", "complete",       "closed",
                                        "holded",   "payment_review", NULL};
    e = load_state(db, id, &o);
    if (!e)
        e = left_over(db, id, &to_invoice, &to_ship);
    if (!e && !state_is(&o, final) && to_invoice > 0.00001) {
        /* Magento's Order::registerCancellation: what was not invoiced is cancelled and goes
         * back to stock */
        struct db_stmt *st;
        if (!(e = db_prepare(db,
                             "UPDATE cataloginventory_stock_item SET qty = qty + (SELECT"
                             " SUM(i.qty_ordered - i.qty_invoiced - i.qty_canceled) FROM"
                             " sales_order_item i WHERE i.order_id = $1 AND i.product_id ="
                             " cataloginventory_stock_item.product_id), is_in_stock = 1"
                             " WHERE manage_stock = 1 AND product_id IN (SELECT product_id FROM"
                             " sales_order_item WHERE order_id = $1 AND qty_ordered - qty_invoiced"
                             " - qty_canceled > 0)",
                             &st))) {
            db_bind_i64(st, 1, id);
            e = db_run(st, NULL);
        }
        if (!e)
            e = run1(db,
                     "UPDATE sales_order SET subtotal_canceled = (SELECT COALESCE(SUM((qty_ordered"
                     " - qty_invoiced - qty_canceled) * price), 0) FROM sales_order_item WHERE"
                     " order_id = $1) WHERE entity_id = $1",
                     id, NULL);
        if (!e)
            e = run1(db,
                     "UPDATE sales_order SET total_canceled = subtotal_canceled +"
                     " shipping_amount - shipping_invoiced WHERE entity_id = $1",
                     id, NULL);
        if (!e)
            e = run1(db,
                     "UPDATE sales_order_item SET qty_canceled = qty_ordered - qty_invoiced"
                     " WHERE order_id = $1",
                     id, NULL);
        if (!e)
            e = set_state(db, id, "canceled", "canceled");
        if (!e)
            *cancelled = true;
    }
    if (!e && *cancelled)
        e = catalog_touch(db); /* the stock came back */
    if (!e)
        e = db_commit(db);
    if (e) {
        db_rollback(db);
        *cancelled = false;
    }
    return e;
}

enum err sales_order_hold(struct db *db, int64_t id, char why[SALES_WHY])
{
    enum err e = db_begin(db);
    if (e)
        return e;
    struct order_state o;
    static const char *const no_hold[] = {"holded", "canceled",       "complete",
                                          "closed", "payment_review", NULL};
    e = load_state(db, id, &o);
    if (!e && state_is(&o, no_hold)) {
        why_set(why, "A hold action is not available.");
        e = ERR_INVALID;
    }
    struct db_stmt *st;
    if (!e && !(e = db_prepare(db,
                               "UPDATE sales_order SET hold_before_state = state,"
                               " hold_before_status = status, state = 'holded',"
                               " status = 'holded', updated_at = $2 WHERE entity_id = $1",
                               &st))) {
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, clock_now());
        e = db_run(st, NULL);
    }
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    return e;
}

enum err sales_order_unhold(struct db *db, int64_t id, char why[SALES_WHY])
{
    enum err e = db_begin(db);
    if (e)
        return e;
    struct order_state o;
    e = load_state(db, id, &o);
    if (!e && strcmp(o.state, "holded") != 0) {
        why_set(why, "You cannot remove the hold.");
        e = ERR_INVALID;
    }
    struct db_stmt *st;
    if (!e && !(e = db_prepare(db,
                               "UPDATE sales_order SET state = COALESCE(hold_before_state, 'new'),"
                               " status = COALESCE(hold_before_status, 'pending'),"
                               " hold_before_state = NULL, hold_before_status = NULL,"
                               " updated_at = $2 WHERE entity_id = $1",
                               &st))) {
        db_bind_i64(st, 1, id);
        db_bind_i64(st, 2, clock_now());
        e = db_run(st, NULL);
    }
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    return e;
}

/* --- invoices and shipments --------------------------------------------------------------------
 */

struct order_item {
    int64_t id, product_id;
    bool has_product;
    char sku[128], name[512];
    double ordered, invoiced, shipped, refunded, canceled, price, weight;
    bool is_virtual;
};

#define MAX_ORDER_ITEMS 200

static enum err load_items(struct db *db, int64_t order_id, struct order_item *items, size_t *n)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "SELECT item_id, product_id, sku, COALESCE(name, ''), qty_ordered,"
                            " qty_invoiced, qty_shipped, qty_refunded, qty_canceled, price,"
                            " COALESCE(weight, 0), is_virtual FROM sales_order_item"
                            " WHERE order_id = $1 ORDER BY item_id",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, order_id);
    *n = 0;
    bool row = false;
    while (!(e = db_next(st, &row)) && row) {
        if (*n == MAX_ORDER_ITEMS) {
            db_done(st);
            break;
        }
        struct order_item *it = &items[(*n)++];
        memset(it, 0, sizeof(*it));
        it->id = db_col_i64(st, 0);
        it->has_product = !db_col_null(st, 1);
        it->product_id = db_col_i64(st, 1);
        snprintf(it->sku, sizeof(it->sku), "%.*s", STR_FMT(db_col_text(st, 2)));
        snprintf(it->name, sizeof(it->name), "%.*s", STR_FMT(db_col_text(st, 3)));
        it->ordered = db_col_double(st, 4);
        it->invoiced = db_col_double(st, 5);
        it->shipped = db_col_double(st, 6);
        it->refunded = db_col_double(st, 7);
        it->canceled = db_col_double(st, 8);
        it->price = db_col_double(st, 9);
        it->weight = db_col_double(st, 10);
        it->is_virtual = db_col_i64(st, 11) != 0;
    }
    return e;
}

/* Which quantity of each order item the document takes: the requested lines, or everything
 * left (left(item) is what remains for this kind of document). */
static enum err plan(const struct order_item *items, size_t n, const struct sales_line *lines,
                     size_t nlines, double (*left)(const struct order_item *), double *take,
                     const char *doc, char why[SALES_WHY])
{
    for (size_t i = 0; i < n; i++)
        take[i] = nlines ? 0 : left(&items[i]);
    for (size_t l = 0; l < nlines; l++) {
        size_t i = 0;
        while (i < n && items[i].id != lines[l].order_item_id)
            i++;
        if (i == n) {
            snprintf(why, SALES_WHY,
                     "%s Document Validation Error(s):\nThe %s contains one or more items that "
                     "are not part of the original order.",
                     doc, strcmp(doc, "Invoice") == 0 ? "invoice" : "shipment");
            return ERR_INVALID;
        }
        if (!(lines[l].qty >= 0) || take[i] + lines[l].qty > left(&items[i]) + 0.00001) {
            snprintf(why, SALES_WHY,
                     "%s Document Validation Error(s):\nThe quantity to %s must not be greater "
                     "than the %s quantity.",
                     doc, strcmp(doc, "Invoice") == 0 ? "invoice" : "ship",
                     strcmp(doc, "Invoice") == 0 ? "uninvoiced" : "unshipped");
            return ERR_INVALID;
        }
        take[i] += lines[l].qty;
    }
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += take[i];
    if (total <= 0.00001) {
        snprintf(why, SALES_WHY,
                 "%s Document Validation Error(s):\nYou can't create %s without "
                 "products.",
                 doc, strcmp(doc, "Invoice") == 0 ? "an invoice" : "a shipment");
        return ERR_INVALID;
    }
    return ERR_OK;
}

static double left_to_invoice(const struct order_item *it)
{
    return it->ordered - it->invoiced - it->canceled;
}

static double left_to_ship(const struct order_item *it)
{
    return it->is_virtual ? 0 : it->ordered - it->shipped - it->refunded - it->canceled;
}

static void amount(char out[32], double v)
{
    snprintf(out, 32, "%.4f", v);
}

static enum err add_comment(struct db *db, const char *sql, int64_t parent, const char *comment,
                            int visible)
{
    if (!comment || !*comment)
        return ERR_OK;
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, parent);
    db_bind_text(st, 2, str_c(comment));
    db_bind_i64(st, 3, visible);
    db_bind_i64(st, 4, clock_now());
    return db_run(st, NULL);
}

/* What an invoice and a shipment share before their own rows: the order's state and items
 * (refused in one of the blocked states or with nothing left), the quantities to take per item
 * (plan), and the billing and shipping addresses. The caller has begun the transaction and
 * frees d->its and d->take whatever the result. */
struct doc_prep {
    struct order_state o;
    struct order_item *its;
    double *take;
    size_t n;
    int64_t billing, shipping_addr;
};

static enum err prepare_document(struct db *db, int64_t order_id, const struct sales_line *lines,
                                 size_t nlines, double (*left_fn)(const struct order_item *),
                                 const char *const *blocked, const char *doc, const char *refusal,
                                 struct doc_prep *d, char why[SALES_WHY])
{
    enum err e = ERR_OK;
    memset(d, 0, sizeof(*d));
    d->its = calloc(MAX_ORDER_ITEMS, sizeof(*d->its));
    d->take = calloc(MAX_ORDER_ITEMS, sizeof(*d->take));
    if (!d->its || !d->take)
        e = ERR_DB;
    if (!e)
        e = load_state(db, order_id, &d->o);
    if (!e)
        e = load_items(db, order_id, d->its, &d->n);
    double left = 0;
    for (size_t i = 0; !e && i < d->n; i++)
        left += left_fn(&d->its[i]);
    if (!e && (state_is(&d->o, blocked) || left <= 0.00001)) {
        why_set(why, refusal);
        e = ERR_INVALID;
    }
    if (!e)
        e = plan(d->its, d->n, lines, nlines, left_fn, d->take, doc, why);
    bool found = false;
    if (!e)
        e = address_json(db, order_id, "billing", NULL, &found, &d->billing);
    if (!e)
        e = address_json(db, order_id, "shipping", NULL, &found, &d->shipping_addr);
    return e;
}

/* One row of sales_invoice_item or sales_shipment_item: parent, order item, product, sku, name,
 * then three amounts ($6-$8: qty, price, and the row total or the weight). */
static enum err insert_document_item(struct db *db, const char *sql, int64_t parent,
                                     const struct order_item *it, const char *const amounts[3])
{
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, parent);
    db_bind_i64(st, 2, it->id);
    db_bind_id(st, 3, it->has_product ? it->product_id : 0);
    db_bind_text(st, 4, str_c(it->sku));
    db_bind_text(st, 5, str_c(it->name));
    for (int k = 0; k < 3; k++)
        db_bind_text(st, 6 + k, str_c(amounts[k]));
    return db_run(st, NULL);
}

enum err sales_invoice_create(struct db *db, int64_t order_id, const struct sales_line *lines,
                              size_t nlines, const char *comment, int comment_visible,
                              int64_t *invoice_id, char why[SALES_WHY])
{
    why[0] = '\0';
    enum err e = db_begin(db);
    if (e)
        return e;
    static const char *const no_invoice[] = {"canceled", "payment_review", "holded",
                                             "complete", "closed",         NULL};
    struct doc_prep d;
    e = prepare_document(db, order_id, lines, nlines, left_to_invoice, no_invoice, "Invoice",
                         "Invoice Document Validation Error(s):\nThe order does not allow an "
                         "invoice to be created.",
                         &d, why);
    const struct order_state o = d.o;
    const struct order_item *its = d.its;
    const double *take = d.take;
    size_t n = d.n;
    double subtotal = 0, qty = 0;
    for (size_t i = 0; !e && i < n; i++) {
        subtotal += take[i] * its[i].price;
        qty += take[i];
    }
    /* the shipping amount goes on the first invoice */
    double shipping = e ? 0 : o.shipping - o.shipping_invoiced;
    double grand = subtotal + shipping;
    char increment[16] = "", a[4][32];
    int64_t inv = 0;
    if (!e)
        e = next_increment(db, "invoice", increment);
    struct db_stmt *st;
    int64_t now = clock_now();
    bool row = false;
    if (!e && !(e = db_prepare(db,
                               "INSERT INTO sales_invoice (order_id, increment_id, state, store_id,"
                               " subtotal, shipping_amount, grand_total, total_qty,"
                               " billing_address_id, shipping_address_id, created_at, updated_at)"
                               " VALUES ($1, $2, 2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
                               " RETURNING entity_id",
                               &st))) {
        amount(a[0], subtotal);
        amount(a[1], shipping);
        amount(a[2], grand);
        amount(a[3], qty);
        db_bind_i64(st, 1, order_id);
        db_bind_text(st, 2, str_c(increment));
        db_bind_i64(st, 3, o.store_id);
        db_bind_text(st, 4, str_c(a[0]));
        db_bind_text(st, 5, str_c(a[1]));
        db_bind_text(st, 6, str_c(a[2]));
        db_bind_text(st, 7, str_c(a[3]));
        db_bind_id(st, 8, d.billing);
        db_bind_id(st, 9, d.shipping_addr);
        db_bind_i64(st, 10, now);
        if (!(e = db_next(st, &row)) && row) {
            inv = db_col_i64(st, 0);
            db_done(st);
        } else if (!e) {
            e = ERR_DB;
        }
    }
    for (size_t i = 0; !e && i < n; i++) {
        if (take[i] <= 0)
            continue;
        amount(a[0], take[i]);
        amount(a[1], its[i].price);
        amount(a[2], take[i] * its[i].price);
        const char *const amounts[3] = {a[0], a[1], a[2]};
        if ((e = insert_document_item(db,
                                      "INSERT INTO sales_invoice_item (parent_id, order_item_id,"
                                      " product_id, sku, name, qty, price, row_total) VALUES ($1,"
                                      " $2, $3, $4, $5, $6, $7, $8)",
                                      inv, &its[i], amounts)))
            break;
        if ((e = db_prepare(db,
                            "UPDATE sales_order_item SET qty_invoiced = qty_invoiced + $2,"
                            " row_invoiced = row_invoiced + $3, updated_at = $4"
                            " WHERE item_id = $1",
                            &st)))
            break;
        db_bind_i64(st, 1, its[i].id);
        db_bind_text(st, 2, str_c(a[0]));
        db_bind_text(st, 3, str_c(a[2]));
        db_bind_i64(st, 4, now);
        e = db_run(st, NULL);
    }
    if (!e && !(e = db_prepare(db,
                               "UPDATE sales_order SET total_invoiced = total_invoiced + $2,"
                               " total_paid = total_paid + $2, subtotal_invoiced ="
                               " subtotal_invoiced + $3, shipping_invoiced = shipping_invoiced +"
                               " $4, updated_at = $5 WHERE entity_id = $1",
                               &st))) {
        amount(a[0], grand);
        amount(a[1], subtotal);
        amount(a[2], shipping);
        db_bind_i64(st, 1, order_id);
        db_bind_text(st, 2, str_c(a[0]));
        db_bind_text(st, 3, str_c(a[1]));
        db_bind_text(st, 4, str_c(a[2]));
        db_bind_i64(st, 5, now);
        e = db_run(st, NULL);
    }
    if (!e && !(e = db_prepare(db,
                               "UPDATE sales_order_payment SET amount_paid = amount_paid + $2,"
                               " shipping_captured = shipping_captured + $3 WHERE parent_id = $1",
                               &st))) {
        amount(a[0], grand);
        amount(a[1], shipping);
        db_bind_i64(st, 1, order_id);
        db_bind_text(st, 2, str_c(a[0]));
        db_bind_text(st, 3, str_c(a[1]));
        e = db_run(st, NULL);
    }
    if (!e)
        e = add_comment(db,
                        "INSERT INTO sales_invoice_comment (parent_id, comment,"
                        " is_visible_on_front, created_at) VALUES ($1, $2, $3, $4)",
                        inv, comment, comment_visible);
    if (!e)
        e = check_state(db, order_id);
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    else
        *invoice_id = inv;
    free(d.its);
    free(d.take);
    return e;
}

enum err sales_ship_create(struct db *db, int64_t order_id, const struct sales_line *lines,
                           size_t nlines, const struct sales_track *tracks, size_t ntracks,
                           const char *comment, int comment_visible, int64_t *shipment_id,
                           char why[SALES_WHY])
{
    why[0] = '\0';
    for (size_t t = 0; t < ntracks; t++)
        if (!tracks[t].track_number || !*tracks[t].track_number) {
            why_set(why, "Shipment Document Validation Error(s):\nPlease enter a tracking "
                         "number.");
            return ERR_INVALID;
        }
    enum err e = db_begin(db);
    if (e)
        return e;
    static const char *const no_ship[] = {"holded", "canceled",       "complete",
                                          "closed", "payment_review", NULL};
    struct doc_prep d;
    e = prepare_document(db, order_id, lines, nlines, left_to_ship, no_ship, "Shipment",
                         "Shipment Document Validation Error(s):\nThe order does not allow a "
                         "shipment to be created.",
                         &d, why);
    const struct order_state o = d.o;
    const struct order_item *its = d.its;
    const double *take = d.take;
    size_t n = d.n;
    double qty = 0, weight = 0;
    for (size_t i = 0; !e && i < n; i++) {
        qty += take[i];
        weight += take[i] * its[i].weight;
    }
    char increment[16] = "", a[3][32];
    int64_t sid = 0, now = clock_now();
    bool row = false;
    struct db_stmt *st;
    if (!e)
        e = next_increment(db, "shipment", increment);
    if (!e && !(e = db_prepare(db,
                               "INSERT INTO sales_shipment (order_id, increment_id, store_id,"
                               " customer_id, total_qty, total_weight, billing_address_id,"
                               " shipping_address_id, created_at, updated_at) VALUES ($1, $2, $3,"
                               " $4, $5, $6, $7, $8, $9, $9) RETURNING entity_id",
                               &st))) {
        amount(a[0], qty);
        amount(a[1], weight);
        db_bind_i64(st, 1, order_id);
        db_bind_text(st, 2, str_c(increment));
        db_bind_i64(st, 3, o.store_id);
        if (o.has_customer)
            db_bind_i64(st, 4, o.customer_id);
        else
            db_bind_null(st, 4);
        db_bind_text(st, 5, str_c(a[0]));
        db_bind_text(st, 6, str_c(a[1]));
        db_bind_id(st, 7, d.billing);
        db_bind_id(st, 8, d.shipping_addr);
        db_bind_i64(st, 9, now);
        if (!(e = db_next(st, &row)) && row) {
            sid = db_col_i64(st, 0);
            db_done(st);
        } else if (!e) {
            e = ERR_DB;
        }
    }
    for (size_t i = 0; !e && i < n; i++) {
        if (take[i] <= 0)
            continue;
        amount(a[0], take[i]);
        amount(a[1], its[i].price);
        amount(a[2], its[i].weight);
        const char *const amounts[3] = {a[0], a[1], a[2]};
        if ((e = insert_document_item(db,
                                      "INSERT INTO sales_shipment_item (parent_id, order_item_id,"
                                      " product_id, sku, name, qty, price, weight) VALUES ($1, $2,"
                                      " $3, $4, $5, $6, $7, $8)",
                                      sid, &its[i], amounts)))
            break;
        if ((e = db_prepare(db,
                            "UPDATE sales_order_item SET qty_shipped = qty_shipped + $2,"
                            " updated_at = $3 WHERE item_id = $1",
                            &st)))
            break;
        db_bind_i64(st, 1, its[i].id);
        db_bind_text(st, 2, str_c(a[0]));
        db_bind_i64(st, 3, now);
        e = db_run(st, NULL);
    }
    for (size_t t = 0; !e && t < ntracks; t++) {
        if ((e = db_prepare(db,
                            "INSERT INTO sales_shipment_track (parent_id, order_id, track_number,"
                            " title, carrier_code, description, created_at, updated_at) VALUES"
                            " ($1, $2, $3, $4, $5, $6, $7, $7)",
                            &st)))
            break;
        db_bind_i64(st, 1, sid);
        db_bind_i64(st, 2, order_id);
        db_bind_text(st, 3, str_c(tracks[t].track_number));
        db_bind_text(st, 4, str_c(tracks[t].title ? tracks[t].title : ""));
        db_bind_text(st, 5, str_c(tracks[t].carrier_code ? tracks[t].carrier_code : ""));
        bind_opt(st, 6, tracks[t].description);
        db_bind_i64(st, 7, now);
        e = db_run(st, NULL);
    }
    if (!e)
        e = add_comment(db,
                        "INSERT INTO sales_shipment_comment (parent_id, comment,"
                        " is_visible_on_front, created_at) VALUES ($1, $2, $3, $4)",
                        sid, comment, comment_visible);
    if (!e)
        e = check_state(db, order_id);
    if (!e)
        e = db_commit(db);
    if (e)
        db_rollback(db);
    else
        *shipment_id = sid;
    free(d.its);
    free(d.take);
    return e;
}
