/* sales:order:create: places an order as a checkout would (stock decremented, totals computed),
 * for demos and tests; and sampledata:deploy's CMS content, customers and orders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cms/cms.h"
#include "core/crypto.h"
#include "customer/customer.h"
#include "sales/sales.h"

int cmd_sales_order_create(const struct cli_args *a)
{
    const char *sku = cli_get(a, "sku"), *qty_text = cli_get(a, "qty"),
               *email = cli_get(a, "email");
    if (!sku || !*sku || !email || !*email)
        return cli_usage_error(a->cmd, "--sku and --email are required");
    double qty = 1;
    if (qty_text) {
        char *end = NULL;
        qty = strtod(qty_text, &end);
        if (!end || *end || !(qty > 0) || qty > 1000000)
            return cli_usage_error(a->cmd, "--qty must be a number above 0");
    }
    if (!str_is_email(email))
        return cli_usage_error(a->cmd, "--email must be an email address");
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    struct sales_place in = {sku, qty, email, cli_get(a, "firstname"), cli_get(a, "lastname"),
                             0,   NULL};
    int64_t id = 0;
    char why[SALES_WHY] = "";
    enum err e = sales_order_place(db, &in, &id, why);
    if (e) {
        db_close(db);
        fprintf(stderr, "storegate: cannot place the order: %s\n", why[0] ? why : err_message(e));
        return 1;
    }
    struct arena *ar = arena_new(16384);
    struct buf out;
    buf_init(&out, ar, 4096);
    e = sales_order_json(db, id, &out);
    db_close(db);
    if (e) {
        arena_free(ar);
        fprintf(stderr, "storegate: the order was placed but cannot be read: %s\n", err_message(e));
        return 1;
    }
    if (cli_has(a, "json")) {
        printf("%s\n", buf_cstr(&out));
    } else {
        json_t *j = json_loadb(out.p, out.len, 0, NULL);
        printf("Placed order %s (id %lld): %s x %g, grand total %g\n",
               json_string_value(json_object_get(j, "increment_id")), (long long)id, sku, qty,
               json_number_value(json_object_get(j, "grand_total")));
        json_decref(j);
    }
    arena_free(ar);
    return 0;
}

/* Sample customers (with an address book and the password "Shopper-pass-1") and CMS content; each
 * is added only when absent, so deploying twice adds nothing twice. */
static enum err sample_customers(struct db *db, long long *made)
{
    static const char *const cities[] = {"Austin",  "Boston", "Denver",  "Seattle",
                                         "Chicago", "Miami",  "Portland"};
    *made = 0;
    char hash[CRYPTO_PWHASH_LEN] = "";
    enum err e = ERR_OK;
    for (int i = 1; !e && i <= 7; i++) {
        char email[64];
        snprintf(email, sizeof(email), "shopper%d@example.com", i);
        bool available = false;
        if ((e = customer_email_available(db, str_c(email), 1, &available)) || !available)
            continue;
        if (!hash[0] && (e = crypto_password_hash(STR_LIT("Shopper-pass-1"), hash)))
            break;
        char last[16], street[32];
        snprintf(last, sizeof(last), "Number%d", i);
        snprintf(street, sizeof(street), "%d Market Street", 100 + i);
        json_t *c = json_pack(
            "{s:s,s:s,s:s,s:i,s:i,s:i,s:[{s:s,s:s,s:[s],s:s,s:s,s:s,s:s,s:b,s:b}],s:b}", "email",
            email, "firstname", "Shopper", "lastname", last, "group_id", 1, "website_id", 1,
            "store_id", 1, "addresses", "firstname", "Shopper", "lastname", last, "street", street,
            "city", cities[i - 1], "country_id", "US", "postcode", "10001", "telephone", "555-0100",
            "default_billing", 1, "default_shipping", 1, "addresses_given", 1);
        int64_t id;
        if (!c)
            e = ERR_DB;
        if (!e)
            e = customer_write(db, c, hash, "Default Store View", &id);
        json_decref(c);
        if (!e)
            (*made)++;
    }
    crypto_wipe(hash, sizeof(hash));
    return e;
}

static enum err sample_cms(struct db *db)
{
    static const struct {
        enum cms_kind kind;
        const char *identifier, *title, *content;
    } rows[] = {
        {CMS_PAGE, "about-us", "About us", "<p>We sell gear for the outdoors since 2009.</p>"},
        {CMS_PAGE, "customer-service", "Customer Service",
         "<p>Write to service@example.com; we answer within a day.</p>"},
        {CMS_BLOCK, "footer-links", "Footer links",
         "<ul><li><a href=\"/about-us\">About us</a></li></ul>"},
        {CMS_BLOCK, "promo-banner", "Promo banner", "<p>Free shipping over $50.</p>"},
    };
    enum err e = ERR_OK;
    for (size_t i = 0; !e && i < sizeof(rows) / sizeof(rows[0]); i++) {
        json_t *old = NULL;
        e = cms_load(db, rows[i].kind, str_c(rows[i].identifier), &old);
        json_decref(old);
        if (e != ERR_NOT_FOUND)
            continue;
        json_t *row = json_pack("{s:s,s:s,s:s,s:b}", "identifier", rows[i].identifier, "title",
                                rows[i].title, "content", rows[i].content, "active", 1);
        int64_t all = 0;
        e = row ? cms_save(db, rows[i].kind, row, &all, 1) : ERR_DB;
        json_decref(row);
    }
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

enum err cmd_sampledata_content(struct db *db, long long *customers)
{
    enum err e = sample_cms(db);
    return e ? e : sample_customers(db, customers);
}

enum err cmd_sampledata_orders(struct db *db, long long count, long long *placed)
{
    /* products and customers of the sample catalog, taken in turn */
    struct db_stmt *st;
    *placed = 0;
    enum err e = db_prepare(db,
                            "SELECT p.sku FROM catalog_product p JOIN cataloginventory_stock_item s"
                            " ON s.product_id = p.entity_id WHERE p.status = 1 AND s.qty >= 3"
                            " AND s.is_in_stock = 1 ORDER BY p.entity_id LIMIT $1",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, count);
    char(*skus)[128] = calloc((size_t)(count > 0 ? count : 1), sizeof(*skus));
    if (!skus)
        return ERR_DB;
    long long n = 0;
    bool row = false;
    while (!(e = db_next(st, &row)) && row && n < count)
        snprintf(skus[n++], sizeof(skus[0]), "%.*s", STR_FMT(db_col_text(st, 0)));
    for (long long i = 0; !e && i < count && n > 0; i++) {
        char email[64];
        snprintf(email, sizeof(email), "shopper%lld@example.com", i % 7 + 1);
        struct sales_place in = {skus[i % n], (double)(1 + i % 3), email, "Sample", "Shopper", 0,
                                 NULL};
        int64_t id;
        char why[SALES_WHY];
        e = sales_order_place(db, &in, &id, why);
        if (e == ERR_INVALID) { /* sold out meanwhile: skip */
            e = ERR_OK;
            continue;
        }
        if (e)
            break;
        (*placed)++;
        /* a few go further: invoiced, then shipped with a tracking number */
        struct sales_line none[1];
        int64_t doc;
        if (i % 3 == 1 || i % 3 == 2)
            e = sales_invoice_create(db, id, none, 0, NULL, 0, &doc, why);
        if (!e && i % 3 == 2) {
            char number[32];
            snprintf(number, sizeof(number), "1Z999AA1%010lld", i);
            struct sales_track t = {number, "United Parcel Service", "ups", NULL};
            e = sales_ship_create(db, id, none, 0, &t, 1, NULL, 0, &doc, why);
        }
        if (e == ERR_INVALID)
            e = ERR_OK;
    }
    free(skus);
    return e;
}
