/* searchCriteria: the query-string parser and the SQL builder (see search.h). */
#include "query/search.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pct.h"

static enum err fail(struct query_error *qe, enum err code, const char *message, json_t *params)
{
    qe->code = code;
    qe->message = message;
    qe->params = params;
    return code;
}

/* "%fieldName" is not supported. (the name in Magento's CamelCase) */
static enum err fail_unknown_key(struct arena *a, struct query_error *qe, struct str key)
{
    char *out = arena_alloc(a, key.len + 1);
    size_t n = 0;
    bool up = true;
    for (size_t i = 0; i < key.len; i++) {
        char c = key.p[i];
        if (c == '_') {
            up = true;
            continue;
        }
        out[n++] = up && c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
        up = false;
    }
    return fail(qe, ERR_FIELD_NOT_SUPPORTED, NULL, json_pack("{s:s#}", "fieldName", out, (int)n));
}

/* Magento's message for a scalar that does not cast, already substituted (no parameters). */
static enum err fail_type(struct arena *a, struct query_error *qe, struct str name,
                          struct str value, const char *type)
{
    struct buf b;
    buf_init(&b, a, 128);
    buf_add_c(&b, "Error occurred during \"");
    buf_add_str(&b, name);
    buf_add_c(&b, "\" processing. The \"");
    buf_add_str(&b, value);
    buf_printf(&b,
               "\" value's type is invalid. The \"%s\" type was expected. Verify and try "
               "again.",
               type);
    return fail(qe, ERR_INVALID_TYPE, buf_cstr(&b), NULL);
}

static enum err fail_limit(struct query_error *qe, int max, const char *what)
{
    return fail(qe, ERR_SEARCH_LIMIT, NULL, json_pack("[is]", max, what));
}

static bool key_is(struct str k, const char *camel, const char *snake)
{
    return str_eq_c(k, camel) || (snake && str_eq_c(k, snake));
}

/* Splits "[a][b][c]" into its parts; false if the text is not a sequence of brackets. */
#define SC_MAX_DEPTH 6
static bool split_brackets(struct str s, struct str *parts, size_t *n)
{
    *n = 0;
    size_t i = 0;
    while (i < s.len) {
        if (s.p[i] != '[' || *n == SC_MAX_DEPTH)
            return false;
        size_t j = i + 1;
        while (j < s.len && s.p[j] != ']')
            j++;
        if (j == s.len)
            return false;
        parts[(*n)++] = (struct str){s.p + i + 1, j - i - 1};
        i = j + 1;
    }
    return true;
}

static struct sc_group *group_for(struct arena *a, struct search_criteria *sc, struct str key,
                                  struct query_error *qe)
{
    if (key.len) /* "[]" appends, like PHP */
        for (size_t i = 0; i < sc->ngroups; i++)
            if (str_eq(sc->groups[i].key, key))
                return &sc->groups[i];
    if (sc->ngroups == SC_MAX_GROUPS) {
        fail_limit(qe, SC_MAX_GROUPS, "filter groups");
        return NULL;
    }
    if (!sc->groups)
        sc->groups = arena_calloc(a, SC_MAX_GROUPS, sizeof(*sc->groups));
    struct sc_group *g = &sc->groups[sc->ngroups++];
    g->key = key;
    return g;
}

static struct sc_filter *filter_for(struct arena *a, struct sc_group *g, struct str key,
                                    size_t *total, struct query_error *qe)
{
    if (key.len)
        for (size_t i = 0; i < g->n; i++)
            if (str_eq(g->filters[i].key, key))
                return &g->filters[i];
    if (*total == SC_MAX_FILTERS) {
        fail_limit(qe, SC_MAX_FILTERS, "filters");
        return NULL;
    }
    /* grown in steps of 8; a group rarely has more than a few */
    if (g->n % 8 == 0) {
        struct sc_filter *f = arena_calloc(a, g->n + 8, sizeof(*f));
        if (g->n)
            memcpy(f, g->filters, g->n * sizeof(*f));
        g->filters = f;
    }
    (*total)++;
    struct sc_filter *f = &g->filters[g->n++];
    memset(f, 0, sizeof(*f));
    f->key = key;
    return f;
}

static struct sc_sort *sort_for(struct arena *a, struct search_criteria *sc, struct str key,
                                struct query_error *qe)
{
    if (key.len)
        for (size_t i = 0; i < sc->nsorts; i++)
            if (str_eq(sc->sorts[i].key, key))
                return &sc->sorts[i];
    if (sc->nsorts == SC_MAX_SORTS) {
        fail_limit(qe, SC_MAX_SORTS, "sort orders");
        return NULL;
    }
    if (!sc->sorts)
        sc->sorts = arena_calloc(a, SC_MAX_SORTS, sizeof(*sc->sorts));
    struct sc_sort *s = &sc->sorts[sc->nsorts++];
    s->key = key;
    return s;
}

/* A scalar leaf with deeper brackets under it is an array where a string belongs. */
static enum err leaf(struct arena *a, struct query_error *qe, size_t n, size_t want,
                     struct str name, const char *type)
{
    if (n == want)
        return ERR_OK;
    return fail_type(a, qe, name, STR_LIT("Array"), type);
}

static enum err parse_int(struct arena *a, struct query_error *qe, struct str name,
                          struct str value, int64_t *out)
{
    struct str v = str_trim(value);
    if (!str_to_i64(v, out))
        return fail_type(a, qe, name, value, "int");
    return ERR_OK;
}

static enum err parse_one(struct arena *a, struct search_criteria *sc, struct str *parts, size_t n,
                          struct str value, size_t *nfilters, struct query_error *qe)
{
    if (n == 0) /* searchCriteria=anything: empty criteria */
        return ERR_OK;
    struct str k = parts[0];
    if (key_is(k, "filterGroups", "filter_groups")) {
        if (n < 2)
            return fail_type(a, qe, k, value, "array");
        struct sc_group *g = group_for(a, sc, parts[1], qe);
        if (!g)
            return qe->code;
        if (n == 2)
            return fail_type(a, qe, STR_LIT("filterGroups"), value, "array");
        if (!key_is(parts[2], "filters", NULL))
            return fail_unknown_key(a, qe, parts[2]);
        if (n < 5)
            return fail_type(a, qe, parts[2], value, "array");
        struct sc_filter *f = filter_for(a, g, parts[3], nfilters, qe);
        if (!f)
            return qe->code;
        struct str fk = parts[4];
        enum err e = leaf(a, qe, n, 5, fk, "string");
        if (e)
            return e;
        if (key_is(fk, "field", NULL)) {
            f->field = value;
            f->has_field = true;
        } else if (key_is(fk, "value", NULL)) {
            f->value = value;
            f->has_value = true;
        } else if (key_is(fk, "conditionType", "condition_type")) {
            f->cond = value;
            f->has_cond = true;
        } else {
            return fail_unknown_key(a, qe, fk);
        }
        return ERR_OK;
    }
    if (key_is(k, "sortOrders", "sort_orders")) {
        if (n < 3)
            return fail_type(a, qe, k, value, "array");
        struct sc_sort *s = sort_for(a, sc, parts[1], qe);
        if (!s)
            return qe->code;
        enum err e = leaf(a, qe, n, 3, parts[2], "string");
        if (e)
            return e;
        if (key_is(parts[2], "field", NULL)) {
            s->field = value;
            s->has_field = true;
        } else if (key_is(parts[2], "direction", NULL)) {
            s->direction = value;
            s->has_direction = true;
        } else {
            return fail_unknown_key(a, qe, parts[2]);
        }
        return ERR_OK;
    }
    if (key_is(k, "pageSize", "page_size")) {
        enum err e = leaf(a, qe, n, 1, k, "int");
        if (!e)
            e = parse_int(a, qe, k, value, &sc->page_size);
        sc->has_page_size = e == ERR_OK;
        return e;
    }
    if (key_is(k, "currentPage", "current_page")) {
        enum err e = leaf(a, qe, n, 1, k, "int");
        if (!e)
            e = parse_int(a, qe, k, value, &sc->current_page);
        sc->has_current_page = e == ERR_OK;
        return e;
    }
    return fail_unknown_key(a, qe, k);
}

enum err search_parse(struct arena *a, struct str query, struct search_criteria *sc,
                      struct query_error *qe)
{
    memset(sc, 0, sizeof(*sc));
    memset(qe, 0, sizeof(*qe));
    size_t nfilters = 0, nparams = 0;
    struct str rest = query;
    while (rest.p && rest.len) {
        struct str value;
        struct str pair = str_cut(rest, '&', &rest);
        struct str rawkey = str_cut(pair, '=', &value);
        struct str key;
        if (!pct_decode(a, rawkey, PCT_FORM, &key))
            continue;
        struct str tail;
        if (str_starts(key, STR_LIT("searchCriteria")))
            tail = (struct str){key.p + 14, key.len - 14};
        else if (str_starts(key, STR_LIT("search_criteria")))
            tail = (struct str){key.p + 15, key.len - 15};
        else
            continue;
        struct str parts[SC_MAX_DEPTH];
        size_t n;
        if (tail.len && tail.p[0] != '[')
            continue; /* another parameter that merely starts alike */
        if (!split_brackets(tail, parts, &n)) {
            /* deeper than any searchCriteria key, or unbalanced: refuse rather than guess */
            return fail(qe, ERR_SEARCH_SYNTAX, NULL,
                        json_pack("[s#]", key.p, (int)(key.len > 200 ? 200 : key.len)));
        }
        if (++nparams > SC_MAX_PARAMS)
            return fail_limit(qe, SC_MAX_PARAMS, "parameters");
        struct str dvalue = STR_LIT("");
        if (value.p && !pct_decode(a, value, PCT_FORM, &dvalue))
            return fail(qe, ERR_BAD_ENCODING, NULL, NULL);
        if (!str_utf8_valid(dvalue))
            return fail(qe, ERR_BAD_ENCODING, NULL, NULL);
        sc->present = true;
        enum err e = parse_one(a, sc, parts, n, dvalue, &nfilters, qe);
        if (e)
            return e;
    }
    return ERR_OK;
}

enum err search_limit(struct search_criteria *sc, bool enabled, int64_t default_size,
                      int64_t max_size, struct query_error *qe)
{
    if (!enabled)
        return ERR_OK;
    if (!sc->has_page_size || sc->page_size == 0) {
        sc->page_size = default_size;
        sc->has_page_size = true;
    }
    if (sc->page_size > max_size)
        return fail(qe, ERR_PAGE_SIZE_MAX, NULL, json_pack("{s:I}", "max", (json_int_t)max_size));
    return ERR_OK;
}

/* --- SQL --- */

enum sc_cond {
    C_EQ,
    C_NEQ,
    C_LIKE,
    C_NLIKE,
    C_IN,
    C_NIN,
    C_NULL,
    C_NOTNULL,
    C_GT,
    C_LT,
    C_GTEQ,
    C_LTEQ,
    C_FINSET,
    C_NFINSET,
    C_SEQ,
    C_SNEQ,
    C_UNSUPPORTED
};

/* clang-format off */
static const struct { const char *name; enum sc_cond c; } conds[] = {
    {"eq", C_EQ}, {"neq", C_NEQ}, {"like", C_LIKE}, {"nlike", C_NLIKE}, {"in", C_IN},
    {"nin", C_NIN}, {"null", C_NULL}, {"notnull", C_NOTNULL}, {"gt", C_GT}, {"lt", C_LT},
    {"gteq", C_GTEQ}, {"lteq", C_LTEQ}, {"moreq", C_GTEQ}, {"from", C_GTEQ}, {"to", C_LTEQ},
    {"finset", C_FINSET}, {"nfinset", C_NFINSET}, {"seq", C_SEQ}, {"sneq", C_SNEQ},
    /* MySQL-only operators storegate does not translate */
    {"regexp", C_UNSUPPORTED}, {"ntoa", C_UNSUPPORTED}, {"is", C_UNSUPPORTED},
};
/* clang-format on */

static enum sc_cond cond_of(const struct sc_filter *f)
{
    if (!f->has_cond || !f->cond.len)
        return C_EQ;
    for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
        if (str_eq_c(f->cond, conds[i].name))
            return conds[i].c;
    return C_EQ; /* Magento's adapter treats an unknown condition as equality */
}

static const struct sc_field *field_of(const struct sc_entity *ent, struct str name)
{
    for (size_t i = 0; i < ent->nfields; i++)
        if (str_eq_c(name, ent->fields[i].name))
            return &ent->fields[i];
    return NULL;
}

static enum err fail_field(const struct sc_entity *ent, struct query_error *qe, struct str name)
{
    const char *phrase = ent->unknown_phrase ? ent->unknown_phrase : "Invalid attribute name: %1";
    return fail(qe, ERR_SEARCH_FIELD, phrase,
                json_pack("[s#]", name.p, (int)(name.len > 200 ? 200 : name.len)));
}

struct builder {
    const struct sc_field *contains_field; /* the last condition used its contains_sql */
    struct arena *a;
    struct buf sql;
    struct str *values;
    size_t nvalues;
    int64_t store_id;
    struct query_error *qe;
    bool walk;  /* writing where_walk: plain columns get SQLite's unary + */
    bool plain; /* every condition so far is on a plain column */
};

/* "t.column": an index may serve it (and a unary + keeps it away from that index). */
static bool plain_column(const char *expr)
{
    const char *dot = strchr(expr, '.');
    if (!dot || dot == expr || !dot[1])
        return false;
    for (const char *p = expr; *p; p++)
        if (p != dot && !((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

static void add_expr_as(struct builder *b, const char *expr, enum sc_type type);

static void add_expr(struct builder *b, const char *expr)
{
    add_expr_as(b, expr, SC_TEXT);
}

/* expr, of this type. Writing where_walk, a plain column is wrapped in a CAST to its own type on
 * SQLite: no index serves it then, and it keeps its affinity, so that a value bound as text
 * still compares as a number (a unary + would drop the affinity). */
static void add_expr_as(struct builder *b, const char *expr, enum sc_type type)
{
    bool wrap = false;
    if (!plain_column(expr))
        b->plain = false;
    else if (b->walk)
        wrap = true;
    if (wrap)
        buf_add_c(&b->sql, "{{sqlite:CAST(}}");
    const char *hit;
    while ((hit = strstr(expr, "@STORE@"))) {
        buf_add(&b->sql, expr, (size_t)(hit - expr));
        buf_add_i64(&b->sql, b->store_id);
        expr = hit + 7;
    }
    buf_add_c(&b->sql, expr);
    if (wrap)
        buf_add_c(&b->sql, type == SC_FLOAT  ? "{{sqlite: AS REAL)}}"
                           : type == SC_TEXT ? "{{sqlite: AS TEXT)}}"
                                             : "{{sqlite: AS INTEGER)}}");
}

/* A text form of the field for LIKE and FIND_IN_SET. */
static void add_text_expr(struct builder *b, const struct sc_field *f)
{
    if (f->type == SC_TEXT) {
        add_expr(b, f->expr);
        return;
    }
    buf_add_c(&b->sql, "CAST(");
    add_expr(b, f->expr);
    buf_add_c(&b->sql, " AS TEXT)");
}

static bool is_number(struct str v, bool integer)
{
    if (!v.len || v.len > 64)
        return false;
    if (integer) {
        int64_t x;
        return str_to_i64(v, &x);
    }
    char tmp[65];
    memcpy(tmp, v.p, v.len);
    tmp[v.len] = '\0';
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    /* digits only: no hex, inf or nan, which the engines read differently */
    for (size_t i = 0; i < v.len; i++)
        if (!strchr("0123456789+-.eE", v.p[i]))
            return false;
    return *end == '\0' && errno == 0 && isfinite(d);
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS]]" (UTC) -> Unix seconds */
static bool parse_datetime(struct str v, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, s = 0;
    char tmp[40];
    if (v.len < 10 || v.len >= sizeof(tmp))
        return false;
    memcpy(tmp, v.p, v.len);
    tmp[v.len] = '\0';
    int consumed = 0;
    if (sscanf(tmp, "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10)
        return false;
    if (v.len > 10) {
        int c2 = 0;
        char sep = tmp[10];
        if ((sep != ' ' && sep != 'T') || (sscanf(tmp + 11, "%2d:%2d%n", &h, &mi, &c2) != 2))
            return false;
        int c3 = 0;
        if (tmp[11 + c2] == ':' && sscanf(tmp + 12 + c2, "%2d%n", &s, &c3) == 1)
            c2 += 1 + c3;
        if ((size_t)(11 + c2) != v.len)
            return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1)
        return false;
    /* days from civil (Howard Hinnant's algorithm) */
    int64_t yy = y - (mo <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    *out = days * 86400 + h * 3600 + mi * 60 + s;
    return true;
}

static const char *type_name(enum sc_type t)
{
    switch (t) {
    case SC_INT:
        return "int";
    case SC_FLOAT:
        return "float";
    case SC_DATETIME:
        return "datetime";
    default:
        return "string";
    }
}

/* Adds one bound value ($n) checked against the field's type. */
static enum err add_value(struct builder *b, const struct sc_field *f, struct str v)
{
    if (b->nvalues == SC_MAX_VALUES)
        return fail_limit(b->qe, SC_MAX_VALUES, "values");
    struct str bound = v;
    if (f->type == SC_INT || f->type == SC_FLOAT) {
        if (!is_number(str_trim(v), f->type == SC_INT))
            return fail(b->qe, ERR_INVALID_TYPE, NULL,
                        json_pack("{s:s#,s:s}", "value", v.p, (int)(v.len > 200 ? 200 : v.len),
                                  "type", type_name(f->type)));
        bound = str_trim(v);
    } else if (f->type == SC_DATETIME) {
        int64_t t;
        if (!parse_datetime(str_trim(v), &t))
            return fail(b->qe, ERR_INVALID_TYPE, NULL,
                        json_pack("{s:s#,s:s}", "value", v.p, (int)(v.len > 200 ? 200 : v.len),
                                  "type", "datetime"));
        bound = str_c(arena_printf(b->a, "%" PRId64, t));
    }
    b->values[b->nvalues++] = bound;
    buf_printf(&b->sql, "$%zu", b->nvalues);
    return ERR_OK;
}

static void add_raw_value(struct builder *b, struct str v)
{
    b->values[b->nvalues++] = v;
    buf_printf(&b->sql, "$%zu", b->nvalues);
}

static bool has_backslash(struct str v)
{
    return memchr(v.p, '\\', v.len) != NULL;
}

/* Which of a field's index-friendly `like` forms fits the pattern v (see search.h). */
static const char *like_template(const struct sc_field *fd, struct str v)
{
    if (!v.len || (v.p[0] != '%' && v.p[0] != '_'))
        return NULL;
    if (fd->contains_sql && v.len >= 5 && v.p[0] == '%' && v.p[v.len - 1] == '%') {
        bool plain = true;
        for (size_t i = 1; i + 1 < v.len && plain; i++) {
            unsigned char ch = (unsigned char)v.p[i];
            plain = ch >= 0x20 && ch < 0x7f && ch != '%' && ch != '_' && ch != '"';
        }
        if (plain)
            return fd->contains_sql;
    }
    return fd->like_sql;
}

static enum err add_condition(struct builder *b, const struct sc_entity *ent,
                              const struct sc_filter *f)
{
    if (!f->has_field || !f->field.len)
        return fail(b->qe, ERR_REQUIRED_FIELD, NULL, json_pack("{s:s}", "fieldName", "field"));
    const struct sc_field *fd = field_of(ent, f->field);
    if (!fd)
        return fail_field(ent, b->qe, f->field);
    enum sc_cond c = cond_of(f);
    struct str v = f->has_value ? f->value : STR_LIT("");
    if (c == C_SEQ)
        c = v.len ? C_EQ : C_NULL;
    else if (c == C_SNEQ)
        c = v.len ? C_NEQ : C_NOTNULL;
    static const char *const cmp[] = {[C_EQ] = " = ", [C_NEQ] = " != ",  [C_GT] = " > ",
                                      [C_LT] = " < ", [C_GTEQ] = " >= ", [C_LTEQ] = " <= "};
    if (b->nvalues + 1 > SC_MAX_VALUES)
        return fail_limit(b->qe, SC_MAX_VALUES, "values");
    switch (c) {
    case C_EQ:
    case C_NEQ:
    case C_GT:
    case C_LT:
    case C_GTEQ:
    case C_LTEQ:
        add_expr_as(b, fd->expr, fd->type);
        buf_add_c(&b->sql, cmp[c]);
        return add_value(b, fd, v);
    case C_LIKE:
    case C_NLIKE:
        if (fd->type == SC_DATETIME)
            goto unsupported;
        const char *tmpl = c == C_LIKE && !has_backslash(v) ? like_template(fd, v) : NULL;
        if (tmpl && tmpl == fd->contains_sql)
            b->contains_field = fd;
        if (tmpl) {
            b->plain = false;
            const char *q = strchr(tmpl, '?'), *t = tmpl;
            size_t n = b->nvalues + 1;
            b->values[b->nvalues++] = v;
            for (; q; t = q + 1, q = strchr(t, '?')) {
                buf_add(&b->sql, t, (size_t)(q - t));
                buf_printf(&b->sql, "$%zu", n);
            }
            buf_add_c(&b->sql, t);
            return ERR_OK;
        }
        add_text_expr(b, fd);
        /* Magento's MySQL LIKE ignores case; "@ILIKE@" does so on every engine. Backslash is
         * MySQL's escape character; SQLite has none unless told. */
        buf_add_c(&b->sql, c == C_LIKE ? " @ILIKE@ " : " NOT @ILIKE@ ");
        add_raw_value(b, v);
        if (has_backslash(v))
            buf_add_c(&b->sql, " ESCAPE '\\'");
        return ERR_OK;
    case C_IN:
    case C_NIN: {
        add_expr_as(b, fd->expr, fd->type);
        buf_add_c(&b->sql, c == C_IN ? " IN (" : " NOT IN (");
        struct str rest = v;
        bool first = true;
        do {
            struct str item = str_cut(rest, ',', &rest);
            if (!first)
                buf_add_c(&b->sql, ", ");
            first = false;
            enum err e = add_value(b, fd, item);
            if (e)
                return e;
        } while (rest.p);
        buf_add_ch(&b->sql, ')');
        return ERR_OK;
    }
    case C_NULL:
    case C_NOTNULL:
        add_expr_as(b, fd->expr, fd->type);
        buf_add_c(&b->sql, c == C_NULL ? " IS NULL" : " IS NOT NULL");
        return ERR_OK;
    case C_FINSET:
    case C_NFINSET: {
        if (fd->type == SC_DATETIME)
            goto unsupported;
        /* FIND_IN_SET(v, field): v is one of the comma-separated items of field */
        struct buf pat;
        buf_init(&pat, b->a, v.len + 8);
        buf_add_c(&pat, "%,");
        for (size_t i = 0; i < v.len; i++) {
            if (v.p[i] == '%' || v.p[i] == '_' || v.p[i] == '\\')
                buf_add_ch(&pat, '\\');
            buf_add_ch(&pat, v.p[i]);
        }
        buf_add_c(&pat, ",%");
        buf_add_c(&b->sql, c == C_FINSET ? "(',' || " : "NOT (',' || ");
        add_text_expr(b, fd);
        buf_add_c(&b->sql, " || ',') @ILIKE@ ");
        add_raw_value(b, buf_str(&pat));
        buf_add_c(&b->sql, " ESCAPE '\\'");
        return ERR_OK;
    }
    default:
        goto unsupported;
    }
unsupported:
    return fail(
        b->qe, ERR_SEARCH_CONDITION, NULL,
        json_pack("[s#s]", f->cond.p, (int)(f->cond.len > 50 ? 50 : f->cond.len), fd->name));
}

static enum err add_sort(struct builder *b, const struct sc_entity *ent, const struct sc_sort *s,
                         bool *first)
{
    if (!s->has_field || !s->field.len)
        return ERR_OK; /* Magento skips a sort order without a field */
    const struct sc_field *fd = field_of(ent, s->field);
    if (!fd || (fd->flags & SC_NOSORT))
        return fail_field(ent, b->qe, s->field);
    bool desc;
    if (!s->has_direction)
        desc = true; /* observed: a sort without direction is descending */
    else if (str_ieq(s->direction, STR_LIT("ASC")))
        desc = false;
    else if (str_ieq(s->direction, STR_LIT("DESC")))
        desc = true;
    else
        return fail(b->qe, ERR_SORT_DIRECTION, NULL, NULL);
    buf_add_c(&b->sql, *first ? " ORDER BY " : ", ");
    *first = false;
    if (fd->flags & SC_NULLABLE) {
        /* MySQL's NULL order, the same on SQLite (NULLs low) and PostgreSQL (NULLs high) */
        buf_add_c(&b->sql, "(");
        add_expr(b, fd->expr);
        buf_add_c(&b->sql, desc ? " IS NULL) ASC, " : " IS NULL) DESC, ");
    }
    add_expr(b, fd->expr);
    buf_add_c(&b->sql, desc ? " DESC" : " ASC");
    return ERR_OK;
}

static enum err add_where(struct builder *b, const struct sc_entity *ent,
                          const struct search_criteria *sc)
{
    buf_init(&b->sql, b->a, 256);
    bool any = false;
    for (size_t g = 0; g < sc->ngroups; g++) {
        const struct sc_group *grp = &sc->groups[g];
        if (!grp->n)
            continue;
        buf_add_c(&b->sql, any ? " AND (" : " WHERE (");
        any = true;
        for (size_t i = 0; i < grp->n; i++) {
            if (i)
                buf_add_c(&b->sql, " OR ");
            buf_add_ch(&b->sql, '(');
            enum err e = add_condition(b, ent, &grp->filters[i]);
            if (e)
                return e;
            buf_add_ch(&b->sql, ')');
        }
        buf_add_ch(&b->sql, ')');
    }
    return ERR_OK;
}

/* The field of the first sort order that counts (Magento skips one without a field). */
static const struct sc_field *first_sort(const struct sc_entity *ent,
                                         const struct search_criteria *sc)
{
    for (size_t i = 0; i < sc->nsorts; i++)
        if (sc->sorts[i].has_field && sc->sorts[i].field.len)
            return field_of(ent, sc->sorts[i].field);
    return NULL;
}

enum err search_build(const struct sc_entity *ent, const struct search_criteria *sc,
                      int64_t store_id, struct arena *a, struct search_sql *out,
                      struct query_error *qe)
{
    memset(out, 0, sizeof(*out));
    memset(qe, 0, sizeof(*qe));
    struct builder b = {.a = a, .store_id = store_id, .qe = qe, .plain = true};
    b.values = arena_calloc(a, SC_MAX_VALUES, sizeof(*b.values));
    enum err e = add_where(&b, ent, sc);
    if (e)
        return e;
    out->where = buf_cstr(&b.sql);
    size_t nfilters = 0;
    for (size_t g = 0; g < sc->ngroups; g++)
        nfilters += sc->groups[g].n;
    const struct sc_field *sorted = first_sort(ent, sc);
    if (nfilters && b.plain && sorted && (sorted->flags & SC_WALK)) {
        /* the same conditions again, away from their indexes (the values come out the same) */
        struct builder w = {.a = a, .store_id = store_id, .qe = qe, .walk = true, .plain = true};
        w.values = arena_calloc(a, SC_MAX_VALUES, sizeof(*w.values));
        if ((e = add_where(&w, ent, sc)))
            return e;
        out->where_walk = buf_cstr(&w.sql);
    }
    if (nfilters == 1 && b.contains_field && b.contains_field->contains_count_sql) {
        /* the one condition's index counts its matches alone; $1 is its pattern */
        struct buf cnt;
        buf_init(&cnt, a, 256);
        const char *t = b.contains_field->contains_count_sql, *q;
        while ((q = strchr(t, '?'))) {
            buf_add(&cnt, t, (size_t)(q - t));
            buf_add_c(&cnt, "$1");
            t = q + 1;
        }
        buf_add_c(&cnt, t);
        out->count_sql = buf_cstr(&cnt);
    }
    buf_init(&b.sql, a, 128);
    bool first = true;
    for (size_t i = 0; i < sc->nsorts; i++)
        if ((e = add_sort(&b, ent, &sc->sorts[i], &first)))
            return e;
    buf_add_c(&b.sql, first ? " ORDER BY " : ", ");
    add_expr(&b, ent->key_expr);
    buf_add_c(&b.sql, " ASC");
    out->order = buf_cstr(&b.sql);
    out->values = b.values;
    out->nvalues = b.nvalues;
    int64_t size = sc->has_page_size ? sc->page_size : 0;
    if (size <= 0) {
        /* no pageSize (or 0, or less): every row, as Magento 2.4 */
        out->unlimited = true;
        out->limit = "";
        return ERR_OK;
    }
    int64_t page = sc->has_current_page && sc->current_page > 1 ? sc->current_page : 1;
    if (page - 1 > INT64_MAX / size) {
        out->past_end = true;
        out->limit = "";
        return ERR_OK;
    }
    out->limit = arena_printf(a, " LIMIT %" PRId64 " OFFSET %" PRId64, size, (page - 1) * size);
    out->offset = (page - 1) * size;
    out->size = size;
    return ERR_OK;
}

const char *search_store_sql(struct arena *a, const char *sql, int64_t store_id)
{
    struct builder b = {.a = a, .store_id = store_id};
    buf_init(&b.sql, a, strlen(sql) + 16);
    add_expr(&b, sql);
    return buf_cstr(&b.sql);
}

void search_bind(struct db_stmt *st, const struct search_sql *s, int first)
{
    for (size_t i = 0; i < s->nvalues; i++)
        db_bind_text(st, first + (int)i, s->values[i]);
}

void search_echo(const struct search_criteria *sc, struct buf *out)
{
    buf_add_c(out, "{\"filter_groups\":[");
    for (size_t g = 0; g < sc->ngroups; g++) {
        const struct sc_group *grp = &sc->groups[g];
        buf_add_c(out, g ? ",{\"filters\":[" : "{\"filters\":[");
        for (size_t i = 0; i < grp->n; i++) {
            const struct sc_filter *f = &grp->filters[i];
            buf_add_c(out, i ? ",{" : "{");
            bool comma = false;
            if (f->has_field) {
                buf_add_c(out, "\"field\":");
                buf_json_str(out, f->field);
                comma = true;
            }
            if (f->has_value) {
                buf_add_c(out, comma ? ",\"value\":" : "\"value\":");
                buf_json_str(out, f->value);
                comma = true;
            }
            buf_add_c(out, comma ? ",\"condition_type\":" : "\"condition_type\":");
            buf_json_str(out, f->has_cond && f->cond.len ? f->cond : STR_LIT("eq"));
            buf_add_ch(out, '}');
        }
        buf_add_c(out, "]}");
    }
    buf_add_ch(out, ']');
    if (sc->nsorts) {
        buf_add_c(out, ",\"sort_orders\":[");
        for (size_t i = 0; i < sc->nsorts; i++) {
            const struct sc_sort *s = &sc->sorts[i];
            buf_add_c(out, i ? ",{" : "{");
            bool comma = false;
            if (s->has_field) {
                buf_add_c(out, "\"field\":");
                buf_json_str(out, s->field);
                comma = true;
            }
            if (s->has_direction) {
                buf_add_c(out, comma ? ",\"direction\":" : "\"direction\":");
                buf_json_str(out, s->direction);
            }
            buf_add_ch(out, '}');
        }
        buf_add_ch(out, ']');
    }
    if (sc->has_page_size) {
        buf_add_c(out, ",\"page_size\":");
        buf_add_i64(out, sc->page_size);
    }
    if (sc->has_current_page) {
        buf_add_c(out, ",\"current_page\":");
        buf_add_i64(out, sc->current_page);
    }
    buf_add_ch(out, '}');
}
