/* searchCriteria (reference section 7.1-7.2): parses Magento's bracketed query parameters
 *   searchCriteria[filterGroups][g][filters][f][field|value|conditionType]
 *   searchCriteria[sortOrders][i][field|direction], [pageSize], [currentPage]
 * (snake_case or camelCase keys) into a struct search_criteria, and turns that into a
 * parameterised WHERE / ORDER BY / LIMIT over an entity descriptor: a whitelist mapping API field
 * names to SQL expressions and types. Field names never reach the SQL text; values are always
 * bound. Filters within a group are OR-ed, groups AND-ed. Everything is allocated from the
 * caller's arena. Errors come back as a struct query_error in Magento's error shape (the webapi
 * layer renders it); they never contain SQL. */
#ifndef SG_QUERY_SEARCH_H
#define SG_QUERY_SEARCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

/* Caps on what one request may ask (sizes driven by input are capped before allocation). */
#define SC_MAX_GROUPS 64
#define SC_MAX_FILTERS 256 /* over all groups */
#define SC_MAX_VALUES 1000 /* bound values over all filters (in/nin lists) */
#define SC_MAX_SORTS 16
#define SC_MAX_PARAMS 64 /* searchCriteria[...] parameters in one query string */

enum sc_type { SC_INT, SC_FLOAT, SC_TEXT, SC_DATETIME /* stored as Unix seconds */ };

enum sc_field_flag {
    SC_NULLABLE = 1 << 0, /* sorts keep MySQL's order: NULL first ascending, last descending */
    SC_NOSORT = 1 << 1,
    /* An index leads with this (plain, not null) column: a page sorted by it may walk that
     * index in order and test the filters on the way (search_sql.where_walk). */
    SC_WALK = 1 << 2,
};

struct sc_field {
    const char *name; /* the API name (Magento's attribute code) */
    const char *expr; /* SQL over the entity's FROM clause; "@STORE@" becomes the store id */
    enum sc_type type;
    int flags;
    /* Optional conditions for `like` that an index serves better than expr LIKE ?, with "?"
     * where the bound pattern goes (they may hold "{{engine:...}}" sections, see db.h):
     * like_sql for a pattern that starts with a wildcard (a prefix pattern is left to expr's own
     * index), contains_sql for the commonest such pattern, %text% with at least 3 plain ASCII
     * characters and no other wildcard. Never for a pattern with a backslash escape. */
    const char *like_sql, *contains_sql;
    /* Optional: the whole count query when a contains_sql condition is the only filter (an index
     * can count its matches without reading the rows), with "?" for the pattern. */
    const char *contains_count_sql;
};

struct sc_entity {
    const struct sc_field *fields;
    size_t nfields;
    const char *key_expr; /* unique, not null: the tie-breaker that makes paging stable */
    /* Raw phrase for an unknown field, with %1 = the field (Magento's EAV message by default). */
    const char *unknown_phrase;
};

struct sc_filter {
    struct str key; /* index as sent, e.g. "0" */
    struct str field, value, cond;
    bool has_field, has_value, has_cond;
};

struct sc_group {
    struct str key;
    struct sc_filter *filters;
    size_t n;
};

struct sc_sort {
    struct str key;
    struct str field, direction;
    bool has_field, has_direction;
};

struct search_criteria {
    bool present; /* the searchCriteria parameter was given at all */
    struct sc_group *groups;
    size_t ngroups;
    struct sc_sort *sorts;
    size_t nsorts;
    bool has_page_size, has_current_page;
    int64_t page_size, current_page;
};

/* A failure in Magento's shape: the table's phrase for code (or message, already complete), and
 * parameters (object or array, or NULL; the caller takes the reference). */
struct query_error {
    enum err code;
    const char *message;
    json_t *params;
};

/* Parses every searchCriteria / search_criteria parameter of a raw query string (undecoded, '&'
 * separated; '+' is a space). Other parameters are ignored. */
enum err search_parse(struct arena *a, struct str query, struct search_criteria *sc,
                      struct query_error *qe);

/* Input limits (webapi/validation/...): when enabled, a missing or zero pageSize gets
 * default_size and one above max_size is refused. */
enum err search_limit(struct search_criteria *sc, bool enabled, int64_t default_size,
                      int64_t max_size, struct query_error *qe);

/* The SQL of a list: where (" WHERE ..." or ""), order (" ORDER BY ..."), limit (" LIMIT n
 * OFFSET m" or "") and the values to bind as $1..$n in that order. past_end: the page lies
 * wholly after every possible row (no query needed for the items). */
struct search_sql {
    const char *where, *order, *limit;
    /* The same filters kept away from their indexes (SQLite's unary +), so that the planner
     * walks the first sort field's index in order and stops once the page is full: cheaper than
     * reading every match when matches are many and the page is near the start (the caller
     * decides, knowing the count). NULL unless the first sort field is SC_WALK and every filter
     * is on a plain column. */
    const char *where_walk;
    int64_t offset, size;  /* the page: rows skipped, rows wanted (0: unlimited) */
    const char *count_sql; /* non-NULL: counts the matches on its own (contains_count_sql) */
    struct str *values;
    size_t nvalues;
    bool unlimited, past_end;
};

enum err search_build(const struct sc_entity *ent, const struct search_criteria *sc,
                      int64_t store_id, struct arena *a, struct search_sql *out,
                      struct query_error *qe);

/* Replaces "@STORE@" in an entity's SQL with the store id (arena copy). */
const char *search_store_sql(struct arena *a, const char *sql, int64_t store_id);

/* Binds out->values as $first.. */
void search_bind(struct db_stmt *st, const struct search_sql *s, int first);

/* Appends the echo of the criteria in Magento's shape (filter_groups always present; keys that
 * were not sent omitted; a filter's condition_type defaults to "eq"). */
void search_echo(const struct search_criteria *sc, struct buf *out);

#endif
