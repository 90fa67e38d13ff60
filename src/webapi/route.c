/* The route table (routes.def) compiled at start-up, and the router (reference section 5.1):
 * segment-by-segment matching where a literal segment beats a variable, so
 * /V1/products/attributes wins over /V1/products/:sku. */
#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "core/pct.h"
#include "webapi/api.h"

#define ROUTE(verb, path, handler, resources, flags)                                               \
    {VERB_##verb, path, #handler, resources, api_##handler, flags, 0, {{0}}, 0, {{0}}, false},
static struct route routes[] = {
#include "webapi/routes.def"
};
#undef ROUTE
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

const struct route *route_table(size_t *n)
{
    *n = NROUTES;
    return routes;
}

enum http_verb route_verb(struct str method)
{
    if (str_eq_c(method, "GET"))
        return VERB_GET;
    if (str_eq_c(method, "POST"))
        return VERB_POST;
    if (str_eq_c(method, "PUT"))
        return VERB_PUT;
    if (str_eq_c(method, "DELETE"))
        return VERB_DELETE;
    return VERB_OTHER;
}

static bool ident_ok(struct str s)
{
    if (!s.len)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

static bool segment_ok(struct str s)
{
    if (!s.len)
        return false;
    if (s.p[0] == ':')
        return ident_ok((struct str){s.p + 1, s.len - 1});
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!(ident_ok((struct str){&c, 1}) || c == '-' || c == '.'))
            return false;
    }
    return true;
}

static bool compile(struct route *r, char *err, size_t errlen)
{
    struct str t = str_c(r->template_);
    bool admin = str_starts(t, STR_LIT("/admin/api/"));
    if (!str_starts(t, STR_LIT("/V1/")) && !admin) {
        snprintf(err, errlen, "route \"%s\" must start with /V1/ or /admin/api/", r->template_);
        return false;
    }
    if (admin != ((r->flags & R_ADMIN) != 0)) {
        snprintf(err, errlen, "route \"%s\": /admin/api/ routes and R_ADMIN go together",
                 r->template_);
        return false;
    }
    struct str rest = {t.p + 1, t.len - 1};
    int vars = 0;
    r->nsegs = 0;
    while (rest.p) {
        struct str seg = str_cut(rest, '/', &rest);
        if (r->nsegs == ROUTE_MAX_SEGMENTS || !segment_ok(seg)) {
            snprintf(err, errlen, "route \"%s\" has a malformed segment", r->template_);
            return false;
        }
        if (seg.p[0] == ':' && ++vars > ROUTE_MAX_VARS) {
            snprintf(err, errlen, "route \"%s\" has too many variables", r->template_);
            return false;
        }
        r->segs[r->nsegs++] = seg;
    }
    struct str res = str_c(r->resources_text);
    r->nresources = 0;
    r->anonymous = false;
    while (res.p && res.len) {
        struct str one = str_trim(str_cut(res, ',', &res));
        if (!one.len || r->nresources == ROUTE_MAX_RESOURCES) {
            snprintf(err, errlen, "route \"%s\" has a malformed resource list", r->template_);
            return false;
        }
        if (str_eq_c(one, "anonymous"))
            r->anonymous = true;
        else if (!str_eq_c(one, "self") && !acl_known(one)) {
            snprintf(err, errlen, "route \"%s\" names the unknown ACL resource \"%.*s\"",
                     r->template_, STR_FMT(one));
            return false;
        }
        r->resources[r->nresources++] = one;
    }
    if (r->nresources == 0) {
        snprintf(err, errlen, "route \"%s\" has no ACL resource (use \"anonymous\")", r->template_);
        return false;
    }
    if (r->anonymous && r->nresources != 1) {
        snprintf(err, errlen, "route \"%s\" mixes \"anonymous\" with other resources",
                 r->template_);
        return false;
    }
    if (!r->handler) {
        snprintf(err, errlen, "route \"%s\" has no handler", r->template_);
        return false;
    }
    return true;
}

/* Two routes clash when the same verb would match the same paths with the same priority. */
static bool same_shape(const struct route *a, const struct route *b)
{
    if (a->verb != b->verb || a->nsegs != b->nsegs)
        return false;
    for (int i = 0; i < a->nsegs; i++) {
        bool va = a->segs[i].p[0] == ':', vb = b->segs[i].p[0] == ':';
        if (va != vb || (!va && !str_eq(a->segs[i], b->segs[i])))
            return false;
    }
    return true;
}

bool route_table_init(char *err, size_t errlen)
{
    for (size_t i = 0; i < NROUTES; i++)
        if (!compile(&routes[i], err, errlen))
            return false;
    for (size_t i = 0; i < NROUTES; i++)
        for (size_t k = i + 1; k < NROUTES; k++)
            if (same_shape(&routes[i], &routes[k])) {
                snprintf(err, errlen, "routes \"%s\" and \"%s\" clash", routes[i].template_,
                         routes[k].template_);
                return false;
            }
    return true;
}

/* Does route r match the path segments? Returns a priority (higher wins: literal segments
 * earlier in the path count more), or -1. */
static long match_one(const struct route *r, const struct str *segs, int nsegs)
{
    if (r->nsegs != nsegs)
        return -1;
    long prio = 0;
    for (int i = 0; i < nsegs; i++) {
        prio <<= 1;
        if (r->segs[i].p[0] == ':')
            continue;
        if (!str_eq(r->segs[i], segs[i]))
            return -1;
        prio |= 1;
    }
    return prio;
}

const struct route *route_match(enum http_verb verb, struct str path, struct arena *a,
                                struct str *vars, bool *path_known)
{
    struct str segs[ROUTE_MAX_SEGMENTS];
    int nsegs = 0;
    *path_known = false;
    if (!path.len || path.p[0] != '/')
        return NULL;
    struct str rest = {path.p + 1, path.len - 1};
    if (rest.len && rest.p[rest.len - 1] == '/') /* a trailing slash is accepted */
        rest.len--;
    while (rest.p) {
        if (nsegs == ROUTE_MAX_SEGMENTS)
            return NULL;
        segs[nsegs++] = str_cut(rest, '/', &rest);
    }
    const struct route *best = NULL;
    long best_prio = -1;
    for (size_t i = 0; i < NROUTES; i++) {
        long prio = match_one(&routes[i], segs, nsegs);
        if (prio < 0)
            continue;
        if (routes[i].verb != verb) {
            *path_known = true;
            continue;
        }
        if (prio > best_prio) {
            best = &routes[i];
            best_prio = prio;
        }
    }
    if (!best)
        return NULL;
    int v = 0;
    for (int i = 0; i < nsegs; i++)
        if (best->segs[i].p[0] == ':') {
            /* Magento urldecode()s path variables ('+' is a space). */
            if (!pct_decode(a, segs[i], PCT_FORM, &vars[v]))
                return NULL;
            v++;
        }
    return best;
}
