/* db:migrate --to URL: copies a store into another database (SQLite to PostgreSQL, typically) —
 * every row of every table, secrets still sealed with the same install key, so integrations keep
 * working with their existing tokens. The target must be empty: it gets the migrations, then the
 * rows, in one transaction; id generators continue after the copied ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "db/db.h"
#include "db/migrate.h"

/* In foreign-key order. seeded: the migrations insert rows the copy replaces. */
static const struct table {
    const char *name, *identity;
    bool seeded;
} tables[] = {
    {"store_website", NULL, true},
    {"store_group", NULL, true},
    {"store", NULL, true},
    {"cache_version", NULL, true},
    {"core_config_data", "config_id", false},
    {"admin_user", "user_id", false},
    {"customer_entity", "entity_id", false},
    {"oauth_consumer", "entity_id", false},
    {"integration", "integration_id", false},
    {"integration_resource", NULL, false},
    {"oauth_token", "entity_id", false},
    {"oauth_nonce", NULL, false},
    {"oauth_token_request_log", "log_id", false},
    {"catalog_category", NULL, true},
    {"catalog_category_attribute", NULL, true},
    {"catalog_category_value", NULL, false},
    {"catalog_product", "entity_id", false},
    {"catalog_category_product", NULL, false},
    {"cataloginventory_stock_item", NULL, false},
    {"eav_attribute_set", NULL, true},
    {"eav_attribute", NULL, true},
    {"catalog_product_value", NULL, false},
    {"catalog_product_website", NULL, false},
    {"catalog_product_media", "value_id", false},
    {"catalog_product_tier_price", "value_id", false},
    {"integration_log", "log_id", false},
    {"integration_usage", NULL, false},
    {"cms_page", "page_id", true},
    {"cms_page_store", NULL, true},
    {"cms_block", "block_id", false},
    {"cms_block_store", NULL, false},
    {"customer_address_entity", "entity_id", false},
    {"sales_sequence", NULL, true},
    {"sales_order", "entity_id", false},
    {"sales_order_item", "item_id", false},
    {"sales_order_address", "entity_id", false},
    {"sales_order_payment", "entity_id", false},
    {"sales_order_status_history", "entity_id", false},
    {"sales_invoice", "entity_id", false},
    {"sales_invoice_item", "entity_id", false},
    {"sales_invoice_comment", "entity_id", false},
    {"sales_shipment", "entity_id", false},
    {"sales_shipment_item", "entity_id", false},
    {"sales_shipment_track", "entity_id", false},
    {"sales_shipment_comment", "entity_id", false},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static void progress(bool tty, const char *table, long long done, long long total)
{
    if (!tty)
        return;
    int width = 30, fill = total ? (int)(done * width / total) : width;
    printf("\r  [%.*s%*s] %lld/%lld rows  %-28s", fill, "##############################",
           width - fill, "", done, total, table);
    fflush(stdout);
}

static enum err count_rows(struct db *src, const char *table, char **sql_keep, long long *n)
{
    struct db_stmt *st;
    bool row = false;
    char *sql = malloc(128);
    if (!sql)
        return ERR_DB;
    snprintf(sql, 128, "SELECT COUNT(*) FROM %s", table);
    *sql_keep = sql;
    enum err e = db_prepare(src, sql, &st);
    if (!e && !(e = db_next(st, &row)) && row) {
        *n = db_col_i64(st, 0);
        db_done(st);
    }
    return e;
}

/* The statements' SQL must outlive them (the cache keys on its address): kept here until the end.
 */
struct keep {
    char *sql[4 * NTABLES];
    int n;
};

static char *kept(struct keep *k, char *s)
{
    if (s && k->n < (int)(sizeof(k->sql) / sizeof(k->sql[0])))
        k->sql[k->n++] = s;
    return s;
}

static enum err copy_table(struct db *src, struct db *dst, const struct table *t, struct keep *k,
                           bool tty, long long *done, long long total)
{
    char *select = kept(k, malloc(128));
    if (!select)
        return ERR_DB;
    snprintf(select, 128, "SELECT * FROM %s", t->name);
    struct db_stmt *in, *out = NULL;
    bool row;
    enum err e = db_prepare(src, select, &in);
    char *insert = NULL;
    int ncols = 0;
    while (!e && !(e = db_next(in, &row)) && row) {
        if (!insert) {
            ncols = db_col_count(in);
            size_t cap = 256 + (size_t)ncols * 80;
            insert = kept(k, malloc(cap));
            if (!insert) {
                db_done(in);
                return ERR_DB;
            }
            int n = snprintf(insert, cap, "INSERT INTO %s (", t->name);
            for (int c = 0; c < ncols; c++)
                n += snprintf(insert + n, cap - (size_t)n, "%s%s", c ? ", " : "",
                              db_col_name(in, c));
            n += snprintf(insert + n, cap - (size_t)n, ") VALUES (");
            for (int c = 0; c < ncols; c++)
                n += snprintf(insert + n, cap - (size_t)n, "%s$%d", c ? ", " : "", c + 1);
            snprintf(insert + n, cap - (size_t)n, ")");
        }
        if ((e = db_prepare(dst, insert, &out)))
            break;
        for (int c = 0; c < ncols; c++) {
            if (db_col_null(in, c))
                db_bind_null(out, c + 1);
            else
                db_bind_text(out, c + 1, db_col_text(in, c));
        }
        if ((e = db_run(out, NULL)))
            break;
        if (++*done % 1000 == 0)
            progress(tty, t->name, *done, total);
    }
    if (e)
        db_done(in);
    return e;
}

int cmd_db_migrate(const struct cli_args *a)
{
    const char *to = cli_get(a, "to");
    if (!to)
        return cli_usage_error(a->cmd, "--to postgresql://USER:PASSWORD@HOST:PORT/DB is required");
    if (strncmp(to, "postgresql://", 13) != 0 && strncmp(to, "postgres://", 11) != 0 &&
        strncmp(to, "sqlite:", 7) != 0)
        return cli_usage_error(a->cmd, "the target \"%s\" is not a postgresql:// or sqlite: URL",
                               to);
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    if (strcmp(s.db_url, to) == 0)
        return cli_usage_error(a->cmd, "the target is the store's own database");
    struct db *src = cli_open_db(&s, true);
    if (!src)
        return 1;
    struct db *dst = NULL;
    enum err e = db_open(to, true, &dst);
    if (e) {
        fprintf(stderr, "storegate: cannot open the target database: %s\n", err_message(e));
        db_close(src);
        return 1;
    }
    int pending = 0;
    e = db_migrations_pending(dst, &pending);
    if (!e && pending != (int)db_migrations_count) {
        fprintf(stderr, "storegate: the target database is not empty (it holds a storegate "
                        "schema); refusing to overwrite it\n");
        db_close(dst);
        db_close(src);
        return 1;
    }
    struct keep k = {{0}, 0};
    long long total = 0, done = 0;
    for (size_t i = 0; !e && i < NTABLES; i++) {
        long long n = 0;
        char *sql = NULL;
        e = count_rows(src, tables[i].name, &sql, &n);
        kept(&k, sql);
        total += n;
    }
    bool tty = isatty(STDOUT_FILENO);
    printf("Copying %lld rows of %zu tables into the target\n", total, NTABLES);
    if (!e)
        e = db_migrate(dst, NULL);
    if (!e)
        e = db_begin(dst);
    /* the rows the migrations seeded are replaced by the store's own, children first */
    for (size_t i = NTABLES; !e && i-- > 0;)
        if (tables[i].seeded) {
            char *sql = kept(&k, malloc(128));
            if (!sql) {
                e = ERR_DB;
                break;
            }
            snprintf(sql, 128, "DELETE FROM %s", tables[i].name);
            e = db_exec(dst, sql);
        }
    for (size_t i = 0; !e && i < NTABLES; i++)
        e = copy_table(src, dst, &tables[i], &k, tty, &done, total);
    for (size_t i = 0; !e && i < NTABLES; i++)
        if (tables[i].identity)
            e = db_identity_sync(dst, tables[i].name, tables[i].identity);
    if (!e)
        e = db_commit(dst);
    else
        db_rollback(dst);
    progress(tty, "done", done, total);
    if (tty)
        printf("\n");
    db_close(dst);
    db_close(src);
    for (int i = 0; i < k.n; i++)
        free(k.sql[i]);
    if (e) {
        fprintf(stderr, "storegate: the copy failed and was rolled back: %s\n", err_message(e));
        return 1;
    }
    printf("Copied %lld rows. To serve from the new database, set in %s/env.ini:\n  db_url = %s\n"
           "(the install key stays the same: the copied secrets are sealed with it)\n",
           done, s.var_dir, to);
    return 0;
}
