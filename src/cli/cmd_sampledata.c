/* sampledata:deploy: a demo catalog (a category tree sized to the catalog, products with stock,
 * each in one or two leaf categories). Inserts run in batches inside transactions; a progress bar
 * is drawn when stdout is a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "catalog/cache.h"
#include "core/clock.h"
#include "db/db.h"

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

/* The sample tree below the default category: departments (level 2), their subcategories (level
 * 3) and, as leaves (level 4), styles of each subcategory. Products are linked to leaves only. */
static const struct department {
    const char *name;
    const char *subs[12];
} departments[] = {
    {"Women",
     {"Tops", "Bottoms", "Dresses", "Jackets", "Shoes", "Bags", "Jewelry", "Swimwear", "Activewear",
      "Sleepwear", "Hats", "Scarves"}},
    {"Men",
     {"Tops", "Bottoms", "Jackets", "Suits", "Shoes", "Watches", "Belts", "Swimwear", "Activewear",
      "Underwear", "Hats", "Ties"}},
    {"Gear",
     {"Bags", "Fitness Equipment", "Watches", "Water Bottles", "Yoga", "Camping", "Climbing",
      "Cycling", "Running", "Travel", "Headlamps", "Tents"}},
    {"Home",
     {"Kitchen", "Bedding", "Bath", "Lighting", "Furniture", "Decor", "Storage", "Rugs", "Curtains",
      "Tableware", "Cleaning", "Candles"}},
    {"Electronics",
     {"Phones", "Laptops", "Tablets", "Cameras", "Headphones", "Speakers", "Televisions",
      "Wearables", "Gaming", "Accessories", "Networking", "Printers"}},
    {"Kids",
     {"Baby", "Girls", "Boys", "Shoes", "School", "Nursery", "Outdoor Play", "Books", "Costumes",
      "Bath Time", "Bedtime", "Car Seats"}},
    {"Outdoor",
     {"Garden Tools", "Grills", "Patio", "Planters", "Lawn Care", "Lights", "Sheds", "Pools",
      "Hammocks", "Fire Pits", "Bird Feeders", "Watering"}},
    {"Beauty",
     {"Skin Care", "Makeup", "Hair Care", "Fragrance", "Nails", "Bath & Body", "Men's Grooming",
      "Sun Care", "Tools", "Oral Care", "Gift Sets", "Wellness"}},
    {"Sports",
     {"Football", "Basketball", "Tennis", "Golf", "Swimming", "Skiing", "Boxing", "Baseball",
      "Hockey", "Skateboarding", "Surfing", "Fishing"}},
    {"Books",
     {"Fiction", "Mystery", "Science Fiction", "Biography", "History", "Cooking", "Travel",
      "Children's", "Comics", "Science", "Business", "Poetry"}},
    {"Toys",
     {"Building Sets", "Dolls", "Puzzles", "Board Games", "Action Figures", "Vehicles", "Plush",
      "Arts & Crafts", "Science Kits", "Outdoor Toys", "Musical", "Learning"}},
    {"Pets",
     {"Dog Food", "Cat Food", "Beds", "Toys", "Leashes", "Aquarium", "Birds", "Small Animals",
      "Grooming", "Health", "Travel", "Treats"}},
};
static const char *const styles[] = {
    "Classic", "Sport",   "Premium", "Essentials", "Eco",     "Urban",  "Vintage", "Travel",
    "Pro",     "Compact", "Deluxe",  "Everyday",   "Limited", "Summit", "Breeze",  "Signature"};
#define NDEPARTMENTS (sizeof(departments) / sizeof(departments[0]))
#define NSTYLES (sizeof(styles) / sizeof(styles[0]))

/* The tree's shape for a catalog of n products: about one leaf per 250 products, at least 8 and
 * at most 2,000 (12 departments x 12 subcategories x up to 14 styles). */
struct tree_shape {
    long long departments, subs, styles;
};

static long long clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static struct tree_shape tree_shape(long long products)
{
    long long leaves = clamp(products / 250, 8, 2000);
    struct tree_shape t;
    t.departments = clamp((leaves + 39) / 40, 2, (long long)NDEPARTMENTS);
    t.subs = clamp((leaves + t.departments * 8 - 1) / (t.departments * 8), 2, 12);
    t.styles = clamp((leaves + t.departments * t.subs - 1) / (t.departments * t.subs), 2,
                     (long long)NSTYLES);
    return t;
}

/* A URL key from words: lowercase letters and digits, other runs as one '-'. */
static void slug(char *out, size_t size, const char *text)
{
    size_t n = 0;
    bool dash = false;
    for (const char *p = text; *p && n + 2 < size; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && n)
                out[n++] = '-';
            out[n++] = c;
            dash = false;
        } else if (c != '\'') {
            dash = true;
        }
    }
    out[n] = '\0';
}

struct tree_writer {
    struct db *db;
    int64_t next_id, now;
    int64_t *leaves;
    size_t nleaves;
};

static enum err add_category(struct tree_writer *w, int64_t parent, const char *parent_path,
                             int level, long long position, const char *name, const char *key,
                             int64_t *id, char *path, size_t path_size)
{
    *id = w->next_id++;
    snprintf(path, path_size, "%s/%lld", parent_path, (long long)*id);
    struct db_stmt *st;
    enum err e = db_prepare(w->db,
                            "INSERT INTO catalog_category (entity_id, parent_id, name, path, level,"
                            " position, is_active, created_at, updated_at, include_in_menu)"
                            " VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, 1)",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, *id);
    db_bind_i64(st, 2, parent);
    db_bind_text(st, 3, str_c(name));
    db_bind_text(st, 4, str_c(path));
    db_bind_i64(st, 5, level);
    db_bind_i64(st, 6, position);
    db_bind_i64(st, 7, w->now);
    if ((e = db_run(st, NULL)))
        return e;
    char url_key[160];
    slug(url_key, sizeof(url_key), key);
    if ((e = db_prepare(w->db,
                        "INSERT INTO catalog_category_value (category_id, store_id,"
                        " attribute_code, value) VALUES ($1, 0, 'url_key', $2)",
                        &st)))
        return e;
    db_bind_i64(st, 1, *id);
    db_bind_text(st, 2, str_c(url_key));
    return db_run(st, NULL);
}

static enum err add_tree(struct tree_writer *w, struct tree_shape t)
{
    w->leaves = malloc(sizeof(int64_t) * (size_t)(t.departments * t.subs * t.styles));
    if (!w->leaves)
        return ERR_INTERNAL;
    enum err e = ERR_OK;
    for (long long d = 0; !e && d < t.departments; d++) {
        const struct department *dep = &departments[d];
        int64_t did;
        char dpath[64];
        if ((e = add_category(w, 2, "1/2", 2, d + 1, dep->name, dep->name, &did, dpath,
                              sizeof(dpath))))
            break;
        for (long long s = 0; !e && s < t.subs; s++) {
            int64_t sid;
            char spath[96], key[160];
            snprintf(key, sizeof(key), "%s %s", dep->name, dep->subs[s]);
            if ((e = add_category(w, did, dpath, 3, s + 1, dep->subs[s], key, &sid, spath,
                                  sizeof(spath))))
                break;
            for (long long k = 0; !e && k < t.styles; k++) {
                char name[96], lkey[200], lpath[128];
                snprintf(name, sizeof(name), "%s %s", styles[k], dep->subs[s]);
                snprintf(lkey, sizeof(lkey), "%s %s %s", dep->name, dep->subs[s], styles[k]);
                e = add_category(w, sid, spath, 4, k + 1, name, lkey, &w->leaves[w->nleaves], lpath,
                                 sizeof(lpath));
                if (!e)
                    w->nleaves++;
            }
        }
    }
    return e;
}

/* The leaves already below the default category (a second deploy links its products to them);
 * none when the store has no categories there yet. */
static enum err existing_leaves(struct tree_writer *w)
{
    struct db_stmt *st;
    enum err e = db_prepare(w->db,
                            "SELECT c.entity_id FROM catalog_category c WHERE c.path LIKE '1/2/%'"
                            " AND NOT EXISTS (SELECT 1 FROM catalog_category k WHERE k.parent_id ="
                            " c.entity_id) ORDER BY c.entity_id",
                            &st);
    if (e)
        return e;
    bool row;
    size_t cap = 0;
    while (!(e = db_next(st, &row)) && row) {
        if (w->nleaves == cap) {
            cap = cap ? 2 * cap : 256;
            int64_t *grown = realloc(w->leaves, cap * sizeof(int64_t));
            if (!grown) {
                db_done(st);
                return ERR_INTERNAL;
            }
            w->leaves = grown;
        }
        w->leaves[w->nleaves++] = db_col_i64(st, 0);
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
    struct tree_writer tree = {db, 0, now, NULL, 0};
    enum err e = db_begin(db);
    if (!e)
        e = existing_leaves(&tree);
    if (!e && !tree.nleaves &&
        !(e = db_prepare(db, "SELECT COALESCE(MAX(entity_id), 0) + 1 FROM catalog_category",
                         &st)) &&
        !(e = db_next(st, &row)) && row) {
        tree.next_id = db_col_i64(st, 0);
        db_done(st);
        e = add_tree(&tree, tree_shape(total));
    }
    if (!e)
        e = db_prepare(db, "SELECT COALESCE(MAX(entity_id), 0) FROM catalog_product", &st);
    if (!e && !(e = db_next(st, &row)) && row) {
        start = db_col_i64(st, 0);
        db_done(st);
    }
    if (!e)
        e = db_commit(db);
    printf("Deploying sample data: %lld products\n", total);
    long long block =
        tree.nleaves && total / (long long)tree.nleaves > 0 ? total / (long long)tree.nleaves : 1;
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
            /* one leaf, and a second one in another part of the tree for every third product;
             * consecutive products share their leaves so that a batch's links go to a few places
             * of the link table's index instead of all over it (a third faster at 1M) */
            size_t leaf = (size_t)((i / block) % (long long)tree.nleaves);
            if (!e) {
                db_bind_i64(st, 1, tree.leaves[leaf]);
                db_bind_i64(st, 2, id);
                db_bind_i64(st, 3, n);
                e = db_run(st, NULL);
            }
            if (!e && n % 3 == 0 &&
                !(e = db_prepare(db,
                                 "INSERT INTO catalog_category_product (category_id, product_id,"
                                 " position) VALUES ($1, $2, $3)",
                                 &st))) {
                db_bind_i64(st, 1, tree.leaves[(leaf + tree.nleaves / 2 + 1) % tree.nleaves]);
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
    free(tree.leaves);
    if (e) {
        fprintf(stderr, "storegate: sample data failed: %s\n", err_message(e));
        return 1;
    }
    printf("Sample data deployed: %lld products in %zu leaf categories, %lld customers, %lld "
           "orders, CMS pages and blocks\n",
           total, tree.nleaves, customers, placed);
    return 0;
}
