/* The `fields` filter (see fields.h): a spec parser and a filter over JSON text. */
#include "query/fields.h"

#include <string.h>

#include "core/pct.h"

struct parser {
    struct arena *a;
    const char *p, *end;
    int depth;
};

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* list := item (',' item)* ; item := name ('[' list ']')? */
static bool parse_list(struct parser *ps, struct fields_node **out)
{
    struct fields_node *head = NULL, **tail = &head;
    for (;;) {
        const char *start = ps->p;
        while (ps->p < ps->end && name_char(*ps->p))
            ps->p++;
        if (ps->p == start)
            return false;
        struct fields_node *n = arena_calloc(ps->a, 1, sizeof(*n));
        n->name = (struct str){start, (size_t)(ps->p - start)};
        if (ps->p < ps->end && *ps->p == '[') {
            if (++ps->depth > FIELDS_MAX_DEPTH)
                return false;
            ps->p++;
            if (!parse_list(ps, &n->children))
                return false;
            if (ps->p == ps->end || *ps->p != ']')
                return false;
            ps->p++;
            ps->depth--;
        }
        *tail = n;
        tail = &n->next;
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        break;
    }
    *out = head;
    return true;
}

bool fields_parse(struct arena *a, struct str spec, struct fields_node **root)
{
    *root = NULL;
    if (!spec.len || spec.len > FIELDS_MAX_SPEC)
        return false;
    for (size_t i = 0; i < spec.len; i++)
        if (!name_char(spec.p[i]) && spec.p[i] != '[' && spec.p[i] != ']' && spec.p[i] != ',')
            return false;
    struct parser ps = {a, spec.p, spec.p + spec.len, 0};
    struct fields_node *r = arena_calloc(a, 1, sizeof(*r));
    if (!parse_list(&ps, &r->children) || ps.p != ps.end)
        return false;
    *root = r;
    return true;
}

bool fields_param(struct arena *a, struct str query, struct str *spec)
{
    struct str rest = query;
    bool found = false;
    while (rest.p && rest.len) {
        struct str value;
        struct str key = str_cut(str_cut(rest, '&', &rest), '=', &value);
        struct str dkey;
        if (!pct_decode(a, key, PCT_FORM, &dkey) || !str_eq_c(dkey, "fields"))
            continue;
        /* PHP keeps the last of repeated parameters */
        if (!value.p || !pct_decode(a, value, PCT_FORM, spec))
            *spec = STR_LIT("");
        found = true;
    }
    return found;
}

const struct fields_node *fields_child(const struct fields_node *spec, struct str key)
{
    for (const struct fields_node *n = spec ? spec->children : NULL; n; n = n->next)
        if (str_eq(n->name, key))
            return n;
    return NULL;
}

/* --- a small JSON scanner over text --- */

struct scan {
    const char *p, *end;
    int depth;
};

static void ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* A string starting at s->p: its raw text (quotes included) and its content (escapes kept). */
static bool scan_string(struct scan *s, struct str *content)
{
    if (s->p >= s->end || *s->p != '"')
        return false;
    const char *start = ++s->p;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\') {
            if (++s->p >= s->end)
                return false;
        } else if ((unsigned char)*s->p < 0x20) {
            return false;
        }
        s->p++;
    }
    if (s->p >= s->end)
        return false;
    if (content)
        *content = (struct str){start, (size_t)(s->p - start)};
    s->p++;
    return true;
}

static bool skip_value(struct scan *s);

static bool skip_container(struct scan *s, char close, bool object)
{
    if (++s->depth > 512)
        return false;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return true;
    }
    for (;;) {
        ws(s);
        if (object) {
            if (!scan_string(s, NULL))
                return false;
            ws(s);
            if (s->p >= s->end || *s->p != ':')
                return false;
            s->p++;
            ws(s);
        }
        if (!skip_value(s))
            return false;
        ws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p != close)
            return false;
        s->p++;
        s->depth--;
        return true;
    }
}

static bool skip_value(struct scan *s)
{
    ws(s);
    if (s->p >= s->end)
        return false;
    char c = *s->p;
    if (c == '{')
        return skip_container(s, '}', true);
    if (c == '[')
        return skip_container(s, ']', false);
    if (c == '"')
        return scan_string(s, NULL);
    const char *start = s->p;
    while (s->p < s->end && (name_char(*s->p) || *s->p == '-' || *s->p == '+' || *s->p == '.'))
        s->p++;
    return s->p > start;
}

static bool filter_value(const struct fields_node *spec, struct scan *s, struct buf *out,
                         bool attr_codes);

/* An element of custom_attributes is kept when its attribute_code is selected. */
static bool attribute_selected(const struct fields_node *spec, struct str obj)
{
    struct scan s = {obj.p, obj.p + obj.len, 0};
    s.p++; /* '{' */
    for (;;) {
        ws(&s);
        struct str key;
        if (!scan_string(&s, &key))
            return false;
        ws(&s);
        s.p++; /* ':' */
        ws(&s);
        if (str_eq_c(key, "attribute_code") && s.p < s.end && *s.p == '"') {
            struct str code;
            return scan_string(&s, &code) && fields_child(spec, code) != NULL;
        }
        if (!skip_value(&s))
            return false;
        ws(&s);
        if (s.p >= s.end || *s.p != ',')
            return false;
        s.p++;
    }
}

static bool filter_object(const struct fields_node *spec, struct scan *s, struct buf *out)
{
    s->p++;
    buf_add_ch(out, '{');
    bool first = true;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        buf_add_ch(out, '}');
        return true;
    }
    for (;;) {
        ws(s);
        const char *kstart = s->p;
        struct str key;
        if (!scan_string(s, &key))
            return false;
        struct str rawkey = {kstart, (size_t)(s->p - kstart)};
        ws(s);
        if (s->p >= s->end || *s->p != ':')
            return false;
        s->p++;
        ws(s);
        const struct fields_node *child = fields_child(spec, key);
        if (child) {
            if (!first)
                buf_add_ch(out, ',');
            first = false;
            buf_add_str(out, rawkey);
            buf_add_ch(out, ':');
            if (!filter_value(child, s, out, str_eq_c(key, "custom_attributes")))
                return false;
        } else if (!skip_value(s)) {
            return false;
        }
        ws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p != '}')
            return false;
        s->p++;
        buf_add_ch(out, '}');
        return true;
    }
}

static bool filter_array(const struct fields_node *spec, struct scan *s, struct buf *out,
                         bool attr_codes)
{
    s->p++;
    buf_add_ch(out, '[');
    bool first = true;
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        buf_add_ch(out, ']');
        return true;
    }
    for (;;) {
        ws(s);
        if (attr_codes && s->p < s->end && *s->p == '{') {
            const char *start = s->p;
            if (!skip_value(s))
                return false;
            struct str obj = {start, (size_t)(s->p - start)};
            if (attribute_selected(spec, obj)) {
                if (!first)
                    buf_add_ch(out, ',');
                first = false;
                buf_add_str(out, obj);
            }
        } else {
            if (!first)
                buf_add_ch(out, ',');
            first = false;
            if (!filter_value(spec, s, out, false))
                return false;
        }
        ws(s);
        if (s->p >= s->end)
            return false;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p != ']')
            return false;
        s->p++;
        buf_add_ch(out, ']');
        return true;
    }
}

static bool filter_value(const struct fields_node *spec, struct scan *s, struct buf *out,
                         bool attr_codes)
{
    ws(s);
    if (s->p >= s->end)
        return false;
    if (++s->depth > 512)
        return false;
    bool ok;
    if (!spec->children || (*s->p != '{' && *s->p != '[')) {
        /* the whole value: no sub-fields asked, or a scalar */
        const char *start = s->p;
        ok = skip_value(s);
        if (ok)
            buf_add(out, start, (size_t)(s->p - start));
    } else if (*s->p == '{') {
        ok = filter_object(spec, s, out);
    } else {
        ok = filter_array(spec, s, out, attr_codes);
    }
    s->depth--;
    return ok;
}

bool fields_filter(const struct fields_node *spec, struct str json, struct buf *out)
{
    size_t mark = out->len;
    struct scan s = {json.p, json.p + json.len, 0};
    bool ok = filter_value(spec, &s, out, false);
    if (ok) {
        ws(&s);
        ok = s.p == s.end;
    }
    if (!ok)
        out->len = mark;
    return ok;
}
