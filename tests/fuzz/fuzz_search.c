/* libFuzzer target: the searchCriteria parser and SQL builder on arbitrary query strings.
 * Properties: no crash; an error always carries a code with a 4xx status; a successful build
 * yields SQL whose $N placeholders number exactly the bound values, and whose text never holds a
 * byte of the query that is not part of the whitelist's own SQL (no value reaches the SQL). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sc_field fields[] = {
    {"id", "t.id", SC_INT, 0, NULL, NULL, NULL},
    {"name", "t.name", SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},
    {"price", "t.price", SC_FLOAT, 0, NULL, NULL, NULL},
    {"created_at", "t.created_at", SC_DATETIME, 0, NULL, NULL, NULL},
    {"scoped", "(SELECT v FROM x WHERE s = @STORE@)", SC_TEXT, SC_NULLABLE, NULL, NULL, NULL},
    {"group_id", "t.id IN (SELECT l.t_id FROM l WHERE l.g IN (?))", SC_INT, SC_LINK | SC_NOSORT,
     NULL, NULL, "SELECT COUNT(*) FROM l WHERE l.g = ?"},
};
static const struct sc_entity entity = {fields, sizeof(fields) / sizeof(fields[0]), "t.id", NULL};

static size_t max_placeholder(const char *sql)
{
    size_t max = 0;
    for (const char *p = strchr(sql, '$'); p; p = strchr(p + 1, '$')) {
        size_t n = strtoul(p + 1, NULL, 10);
        if (n > max)
            max = n;
    }
    return max;
}

static void check_sql(const char *sql)
{
    /* only characters the builder itself writes */
    for (const char *p = sql; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $().,_'|@=!<>"
                    "\\",
                    *p))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(0);
    struct str q = {size ? (const char *)data : "", size};
    struct search_criteria sc;
    struct query_error qe;
    enum err e = search_parse(a, q, &sc, &qe);
    if (!e)
        e = search_limit(&sc, size % 2 == 0, 20, 300, &qe);
    if (!e) {
        struct search_sql ss;
        e = search_build(&entity, &sc, 3, a, &ss, &qe);
        if (!e) {
            check_sql(ss.where);
            check_sql(ss.order);
            check_sql(ss.limit);
            size_t n = max_placeholder(ss.where);
            if (n != ss.nvalues || max_placeholder(ss.order) || strstr(ss.where, "@STORE@"))
                abort();
            if (ss.nvalues > SC_MAX_VALUES)
                abort();
            /* a count of its own binds the same values and leaves no template mark */
            if (ss.count_sql && (max_placeholder(ss.count_sql) > ss.nvalues ||
                                 strchr(ss.count_sql, '?') || strstr(ss.count_sql, "@STORE@")))
                abort();
        }
        struct buf echo;
        buf_init(&echo, a, 64);
        search_echo(&sc, &echo);
        json_error_t jerr;
        json_t *j = json_loadb(echo.p, echo.len, 0, &jerr);
        if (!j) /* the echo is always valid JSON */
            abort();
        json_decref(j);
    }
    if (e) {
        int status = err_status(qe.code);
        if (qe.code == ERR_OK || status < 400 || status >= 500)
            abort();
        json_decref(qe.params);
    }
    arena_free(a);
    return 0;
}
