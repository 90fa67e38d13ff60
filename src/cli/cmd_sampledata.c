/* sampledata:deploy: a demo catalog (categories, products with stock). Inserts run in batches
 * inside transactions; a progress bar is drawn when stdout is a terminal. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "catalog/cache.h"
#include "core/clock.h"
#include "db/db.h"

static const char *const category_names[] = {
    "Gear", "Bags", "Fitness Equipment", "Watches", "Men", "Women", "Tops", "Bottoms"};
static const char *const adjectives[] = {"Blue",  "Red",   "Classic", "Sport",  "Trail",
                                         "Urban", "Light", "Pro",     "Summit", "Breeze"};
static const char *const nouns[] = {"Duffle Bag",   "Backpack", "Water Bottle", "Yoga Mat",
                                    "Running Shoe", "Jacket",   "Hoodie",       "Watch",
                                    "Tee",          "Short"};

static void progress(bool tty, long long done, long long total)
{
    if (!tty)
        return;
    int width = 40, fill = total ? (int)(done * width / total) : width;
    printf("\r  [%.*s%*s] %lld/%lld", fill, "########################################",
           width - fill, "", done, total);
    if (done == total)
        printf("\n");
    fflush(stdout);
}

static enum err add_categories(struct db *db, int64_t now)
{
    struct db_stmt *st;
    enum err e = ERR_OK;
    for (size_t i = 0; !e && i < sizeof(category_names) / sizeof(category_names[0]); i++) {
        int64_t id = 3 + (int64_t)i;
        char path[32];
        snprintf(path, sizeof(path), "1/2/%lld", (long long)id);
        e = db_prepare(db,
                       "INSERT INTO catalog_category (entity_id, parent_id, name, path, level,"
                       " position, is_active, created_at, updated_at)"
                       " VALUES ($1, 2, $2, $3, 2, $4, 1, $5, $5) ON CONFLICT DO NOTHING",
                       &st);
        if (e)
            break;
        db_bind_i64(st, 1, id);
        db_bind_text(st, 2, str_c(category_names[i]));
        db_bind_text(st, 3, str_c(path));
        db_bind_i64(st, 4, (int64_t)i + 1);
        db_bind_i64(st, 5, now);
        e = db_run(st, NULL);
    }
    return e;
}

int cmd_sampledata_deploy(const struct cli_args *a)
{
    long long total = 100;
    if (cli_get(a, "products") && !cli_int(cli_get(a, "products"), 0, 100000000, &total))
        return cli_usage_error(a->cmd, "--products must be a whole number from 0 to 100000000");
    long long orders = 20;
    if (cli_get(a, "orders") && !cli_int(cli_get(a, "orders"), 0, 1000000, &orders))
        return cli_usage_error(a->cmd, "--orders must be a whole number from 0 to 1000000");
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    bool tty = isatty(STDOUT_FILENO);
    int64_t now = clock_now();
    struct db_stmt *st;
    bool row = false;
    int64_t start = 0;
    enum err e = db_begin(db);
    if (!e)
        e = add_categories(db, now);
    if (!e)
        e = db_prepare(db, "SELECT COALESCE(MAX(entity_id), 0) FROM catalog_product", &st);
    if (!e && !(e = db_next(st, &row)) && row) {
        start = db_col_i64(st, 0);
        db_done(st);
    }
    if (!e)
        e = db_commit(db);
    printf("Deploying sample data: %lld products\n", total);
    long long done = 0;
    const long long batch = 5000;
    while (!e && done < total) {
        e = db_begin(db);
        long long end = done + batch < total ? done + batch : total;
        for (long long i = done; !e && i < end; i++) {
            int64_t n = start + i + 1;
            char sku[32], name[96];
            snprintf(sku, sizeof(sku), "SG-%06lld", (long long)n);
            /* "Product 1234 Blue Backpack": a searchable number, then words */
            snprintf(name, sizeof(name), "Product %lld %s %s", (long long)n, adjectives[n % 10],
                     nouns[(n / 10) % 10]);
            e = db_prepare(db,
                           "INSERT INTO catalog_product (sku, name, attribute_set_id, price,"
                           " status, visibility, type_id, weight, created_at, updated_at)"
                           " VALUES ($1, $2, 4, $3, $4, 4, 'simple', $5, $6, $6)"
                           " RETURNING entity_id",
                           &st);
            if (e)
                break;
            db_bind_text(st, 1, str_c(sku));
            db_bind_text(st, 2, str_c(name));
            db_bind_i64(st, 3, 5 + (n * 37) % 200);
            db_bind_i64(st, 4, n % 17 == 0 ? 2 : 1);
            db_bind_i64(st, 5, 1 + n % 5);
            db_bind_i64(st, 6, now);
            int64_t id = 0;
            if (!(e = db_next(st, &row)) && row) {
                id = db_col_i64(st, 0);
                db_done(st);
            }
            if (!e)
                e = db_prepare(db,
                               "INSERT INTO cataloginventory_stock_item (product_id, qty,"
                               " is_in_stock) VALUES ($1, $2, $3)",
                               &st);
            if (!e) {
                db_bind_i64(st, 1, id);
                db_bind_i64(st, 2, (n * 13) % 150);
                db_bind_i64(st, 3, (n * 13) % 150 > 0 ? 1 : 0);
                e = db_run(st, NULL);
            }
            if (!e)
                e = db_prepare(db,
                               "INSERT INTO catalog_product_website (product_id, website_id)"
                               " VALUES ($1, 1)",
                               &st);
            if (!e) {
                db_bind_i64(st, 1, id);
                e = db_run(st, NULL);
            }
            if (!e)
                e = db_prepare(db,
                               "INSERT INTO catalog_category_product (category_id, product_id,"
                               " position) VALUES ($1, $2, $3)",
                               &st);
            if (!e) {
                db_bind_i64(st, 1, 3 + n % 8);
                db_bind_i64(st, 2, id);
                db_bind_i64(st, 3, n);
                e = db_run(st, NULL);
            }
        }
        if (!e)
            e = catalog_touch(db);
        if (!e)
            e = db_commit(db);
        done = end;
        progress(tty, done, total);
    }
    long long placed = 0, customers = 0;
    if (!e)
        e = cmd_sampledata_content(db, &customers);
    if (!e)
        e = cmd_sampledata_orders(db, orders, &placed);
    db_close(db);
    if (e) {
        fprintf(stderr, "storegate: sample data failed: %s\n", err_message(e));
        return 1;
    }
    printf("Sample data deployed: %lld products in 8 categories, %lld customers, %lld orders, CMS "
           "pages and blocks\n",
           total, customers, placed);
    return 0;
}
