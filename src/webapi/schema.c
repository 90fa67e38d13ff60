/* GET /rest[/<store>]/schema: the Web API described as Swagger 2.0 (or OpenAPI 3 with
 * ?format=openapi3), generated the way Magento's Swagger generator does (reference section 11)
 * from the route table and the service contracts of schema.json, and filtered to the routes the
 * caller may use. The description is parsed once at start-up and only read afterwards; every
 * request builds its own document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pct.h"
#include "webapi/api.h"
#include "webapi/schema.h"

extern const char webapi_schema_json[];

static json_t *spec; /* the parsed schema.json; read only once the server runs */

/* --- start-up checks --- */

static const char *const verb_names[] = {
    [VERB_GET] = "GET", [VERB_POST] = "POST", [VERB_PUT] = "PUT", [VERB_DELETE] = "DELETE"};

static const char *simple_type(const char *t)
{
    static const char *const map[][2] = {
        {"bool", "boolean"},    {"boolean", "boolean"}, {"int", "integer"},
        {"integer", "integer"}, {"double", "number"},   {"float", "number"},
        {"number", "number"},   {"string", "string"},   {"mixed", "string"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(t, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/* "x[]" -> "x" in buf; returns whether it was an array. */
static bool element_type(const char *t, char *buf, size_t len)
{
    size_t n = strlen(t);
    bool array = n > 2 && strcmp(t + n - 2, "[]") == 0;
    snprintf(buf, len, "%.*s", (int)(array ? n - 2 : n), t);
    return array;
}

static bool type_known(const char *t)
{
    char el[128];
    element_type(t, el, sizeof(el));
    return simple_type(el) || json_object_get(json_object_get(spec, "types"), el);
}

static const struct route *operation_route(const json_t *op)
{
    const char *text = json_string_value(json_object_get(op, "route"));
    if (!text)
        return NULL;
    size_t n;
    const struct route *routes = route_table(&n);
    for (size_t i = 0; i < n; i++) {
        char key[300];
        snprintf(key, sizeof(key), "%s %s", verb_names[routes[i].verb], routes[i].template_);
        if (strcmp(key, text) == 0) /* not a secret */
            return &routes[i];
    }
    return NULL;
}

static bool fail(char *err, size_t errlen, const char *problem, const char *what)
{
    snprintf(err, errlen, "schema.json: %s \"%s\"", problem, what ? what : "?");
    return false;
}

static bool check_type_use(const char *t, const char *where, char *err, size_t errlen)
{
    if (!t || !type_known(t))
        return fail(err, errlen, "unknown type in", where);
    return true;
}

bool schema_init(char *err, size_t errlen)
{
    if (spec)
        return true;
    json_error_t je;
    spec = json_loads(webapi_schema_json, 0, &je);
    if (!spec) {
        snprintf(err, errlen, "schema.json: line %d: %s", je.line, je.text);
        return false;
    }
    json_t *ops = json_object_get(spec, "operations"), *types = json_object_get(spec, "types");
    json_t *services = json_object_get(spec, "services");
    if (!json_is_array(ops) || !json_is_object(types) || !json_is_object(services))
        return fail(err, errlen, "these are required:", "operations, services, types");
    size_t i;
    json_t *op;
    json_array_foreach(ops, i, op)
    {
        const char *route = json_string_value(json_object_get(op, "route"));
        if (!operation_route(op))
            return fail(err, errlen, "no such route", route);
        const char *svc = json_string_value(json_object_get(op, "service"));
        if (!svc || !json_object_get(services, svc) ||
            !json_is_string(json_object_get(op, "method")))
            return fail(err, errlen, "service or method missing for", route);
        if (!check_type_use(json_string_value(json_object_get(op, "result")), route, err, errlen))
            return false;
        const char *pname;
        json_t *p;
        json_object_foreach(json_object_get(op, "params"), pname, p)
        {
            if (!check_type_use(json_string_value(json_object_get(p, "type")), route, err, errlen))
                return false;
        }
    }
    const char *tname;
    json_t *t;
    json_object_foreach(types, tname, t)
    {
        const char *pname;
        json_t *p;
        json_object_foreach(json_object_get(t, "properties"), pname, p)
        {
            if (!check_type_use(json_string_value(json_object_get(p, "type")), tname, err, errlen))
                return false;
        }
    }
    return true;
}

void schema_free(void)
{
    json_decref(spec);
    spec = NULL;
}

size_t schema_undescribed(const struct route **out, size_t max)
{
    size_t n, count = 0;
    const struct route *routes = route_table(&n);
    json_t *ops = json_object_get(spec, "operations");
    for (size_t r = 0; r < n; r++) {
        if (routes[r].flags & R_ADMIN)
            continue;
        bool found = false;
        size_t i;
        json_t *op;
        json_array_foreach(ops, i, op)
        {
            if (operation_route(op) == &routes[r])
                found = true;
        }
        if (!found && count < max)
            out[count++] = &routes[r];
        else if (!found)
            count++;
    }
    return count;
}

/* --- generation (Magento's Swagger generator, step by step) --- */

struct gen {
    json_t *defs; /* definitions referenced so far */
};

static json_t *object_schema(struct gen *g, const char *type, const char *description);

static void add_definition(struct gen *g, const char *name)
{
    if (json_object_get(g->defs, name))
        return;
    json_object_set_new(g->defs, name, json_object()); /* placeholder: recursion stops here */
    const json_t *t = json_object_get(json_object_get(spec, "types"), name);
    json_t *def = json_pack("{s:s}", "type", "object");
    const char *desc = json_string_value(json_object_get(t, "description"));
    if (desc && *desc)
        json_object_set_new(def, "description", json_string(desc));
    json_t *props = json_object(), *required = json_array();
    const char *pname;
    json_t *p;
    json_object_foreach(json_object_get(t, "properties"), pname, p)
    {
        json_object_set_new(props, pname,
                            object_schema(g, json_string_value(json_object_get(p, "type")),
                                          json_string_value(json_object_get(p, "description"))));
        if (json_is_true(json_object_get(p, "required")))
            json_array_append_new(required, json_string(pname));
    }
    if (json_object_size(props))
        json_object_set(def, "properties", props);
    if (json_array_size(required))
        json_object_set(def, "required", required);
    json_decref(props);
    json_decref(required);
    json_object_set_new(g->defs, name, def);
}

static json_t *ref_to(const char *name)
{
    char ref[160];
    snprintf(ref, sizeof(ref), "#/definitions/%s", name);
    return json_pack("{s:s}", "$ref", ref);
}

/* Magento's getObjectSchema(). */
static json_t *object_schema(struct gen *g, const char *type, const char *description)
{
    const char *simple = simple_type(type);
    bool has_desc = description && *description;
    if (simple) {
        json_t *o = json_pack("{s:s}", "type", simple);
        if (has_desc)
            json_object_set_new(o, "description", json_string(description));
        return o;
    }
    char el[128];
    bool array = element_type(type, el, sizeof(el));
    json_t *o = json_pack("{s:s}", "type", "array");
    if (has_desc)
        json_object_set_new(o, "description", json_string(description));
    if ((simple = simple_type(el))) {
        json_object_set_new(o, "items", json_pack("{s:s}", "type", simple));
        return o;
    }
    add_definition(g, el);
    if (array) {
        json_object_set_new(o, "items", ref_to(el));
        return o;
    }
    json_decref(o);
    return ref_to(el);
}

/* snake_case -> camelCase, as the query parameters of an object are named by their getters. */
static void camel(const char *in, char *out, size_t len)
{
    size_t j = 0;
    bool up = false;
    for (size_t i = 0; in[i] && j + 1 < len; i++) {
        if (in[i] == '_') {
            up = true;
            continue;
        }
        out[j++] = up && in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 'a' + 'A') : in[i];
        up = false;
    }
    out[j] = 0;
}

static void query_param(struct gen *g, json_t *params, const char *name, const char *type,
                        const char *desc, const json_t *required)
{
    json_t *p = json_pack("{s:s,s:s}", "name", name, "in", "query");
    json_t *schema = object_schema(g, type, desc);
    json_object_update(p, schema);
    json_decref(schema);
    if (required)
        json_object_set(p, "required", (json_t *)required);
    json_array_append_new(params, p);
}

/* getQueryParamNames(): an object parameter of a GET becomes one query parameter per leaf,
 * e.g. searchCriteria[filterGroups][][filters][][field]. */
static void flatten(struct gen *g, json_t *params, const char *name, const char *type,
                    const char *desc, const char *prefix, int depth)
{
    char el[128], full[512];
    bool array = element_type(type, el, sizeof(el));
    if (simple_type(el) || depth > 8) {
        if (*prefix)
            snprintf(full, sizeof(full), "%s[%s]", prefix, name);
        else
            snprintf(full, sizeof(full), "%s", name);
        query_param(g, params, full, type, desc, NULL);
        return;
    }
    char sub[512];
    if (*prefix)
        snprintf(sub, sizeof(sub), "%s[%s]%s", prefix, name, array ? "[]" : "");
    else
        snprintf(sub, sizeof(sub), "%s%s", name, array ? "[]" : "");
    const json_t *t = json_object_get(json_object_get(spec, "types"), el);
    const char *pname;
    json_t *p;
    json_object_foreach((json_t *)json_object_get(t, "properties"), pname, p)
    {
        char cname[128];
        camel(pname, cname, sizeof(cname));
        flatten(g, params, cname, json_string_value(json_object_get(p, "type")),
                json_string_value(json_object_get(p, "description")), sub, depth + 1);
    }
}

static void path_template(const struct route *r, char *out, size_t len)
{
    size_t j = 0;
    for (const char *s = r->template_; *s && j + 2 < len;) {
        if (*s == ':' && (s == r->template_ || s[-1] == '/')) {
            s++;
            out[j++] = '{';
            while (*s && *s != '/' && j + 2 < len)
                out[j++] = *s++;
            out[j++] = '}';
        } else {
            out[j++] = *s++;
        }
    }
    out[j] = 0;
}

static bool path_has(const char *path, const char *name)
{
    char needle[140];
    snprintf(needle, sizeof(needle), "{%s}", name);
    return strstr(path, needle) != NULL;
}

static json_t *operation(struct gen *g, const json_t *op, const struct route *r, const char *path)
{
    const char *svc = json_string_value(json_object_get(op, "service"));
    const char *method = json_string_value(json_object_get(op, "method"));
    const char *verb = verb_names[r->verb];
    char opid[256];
    snprintf(opid, sizeof(opid), "%s%c%s%c%s", svc, method[0] & ~0x20, method + 1, verb[0],
             verb + 1);
    for (char *c = opid + strlen(svc) + strlen(method) + 1; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    json_t *info =
        json_pack("{s:[s],s:s,s:s}", "tags", svc, "description",
                  json_string_value(json_object_get(op, "description")), "operationId", opid);
    json_t *params = json_array(), *body = NULL;
    const char *pname;
    json_t *p;
    json_object_foreach((json_t *)json_object_get(op, "params"), pname, p)
    {
        const char *type = json_string_value(json_object_get(p, "type"));
        const char *desc = json_string_value(json_object_get(p, "description"));
        const json_t *req = json_object_get(p, "required");
        if (path_has(path, pname)) {
            char el[128];
            element_type(type, el, sizeof(el));
            json_t *pp = json_pack("{s:s,s:s,s:s,s:b}", "name", pname, "in", "path", "type",
                                   simple_type(el) ? simple_type(el) : "string", "required", 1);
            if (desc && *desc)
                json_object_set_new(pp, "description", json_string(desc));
            json_array_append_new(params, pp);
        } else if (r->verb == VERB_GET) {
            char el[128];
            element_type(type, el, sizeof(el));
            if (simple_type(el))
                query_param(g, params, pname, type, desc, req ? req : json_false());
            else
                flatten(g, params, pname, type, desc, "", 0);
        } else {
            if (!body)
                body = json_pack("{s:s,s:{}}", "type", "object", "properties");
            if (json_is_true(req)) {
                json_t *list = json_object_get(body, "required");
                if (!list)
                    json_object_set_new(body, "required", list = json_array());
                json_array_append_new(list, json_string(pname));
            }
            json_object_set_new(json_object_get(body, "properties"), pname,
                                object_schema(g, type, desc));
        }
    }
    /* path variables the service does not take as parameters (Magento: type string) */
    for (int i = 0; i < r->nsegs; i++) {
        if (r->segs[i].len < 2 || r->segs[i].p[0] != ':')
            continue;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)r->segs[i].len - 1, r->segs[i].p + 1);
        if (!json_object_get(json_object_get(op, "params"), name))
            json_array_append_new(params, json_pack("{s:s,s:s,s:s,s:b}", "name", name, "in", "path",
                                                    "type", "string", "required", 1));
    }
    if (body) {
        char bname[300];
        snprintf(bname, sizeof(bname), "%sBody", opid);
        json_array_append_new(
            params, json_pack("{s:s,s:s,s:o}", "name", bname, "in", "body", "schema", body));
    }
    if (json_array_size(params))
        json_object_set(info, "parameters", params);
    json_decref(params);

    json_t *responses = json_object();
    const char *result = json_string_value(json_object_get(op, "result"));
    if (result) {
        json_t *ok = json_pack("{s:s}", "description", "200 Success.");
        json_object_set_new(
            ok, "schema",
            object_schema(g, result, json_string_value(json_object_get(op, "result_description"))));
        json_object_set_new(responses, "200", ok);
    }
    bool anonymous = r->nresources == 1 && str_eq_c(r->resources[0], "anonymous");
    json_t *err_ref = ref_to("error-response");
    if (!anonymous)
        json_object_set_new(
            responses, "401",
            json_pack("{s:s,s:O}", "description", "401 Unauthorized", "schema", err_ref));
    size_t i;
    json_t *code;
    json_array_foreach(json_object_get(op, "errors"), i, code)
    {
        json_int_t c = json_integer_value(code);
        const char *d = c == 400   ? "400 Bad Request"
                        : c == 401 ? "401 Unauthorized"
                        : c == 404 ? "404 Not Found"
                                   : "Internal Server error";
        char key[8];
        snprintf(key, sizeof(key), "%d", c == 400 || c == 401 || c == 404 ? (int)c : 500);
        json_object_set_new(responses, key,
                            json_pack("{s:s,s:O}", "description", d, "schema", err_ref));
    }
    json_object_set_new(
        responses, "default",
        json_pack("{s:s,s:O}", "description", "Unexpected error", "schema", err_ref));
    json_decref(err_ref);
    json_object_set_new(info, "responses", responses);
    return info;
}

static json_t *error_definitions(void)
{
    return json_pack(
        "{s:{s:s,s:{s:{s:s,s:s},s:{s:s},s:{s:s,s:s},s:{s:s},s:{s:s,s:s}},s:[s]},"
        "s:{s:s,s:s,s:{s:s}},"
        "s:{s:s,s:s,s:{s:{s:s,s:s},s:{s:s}}},"
        "s:{s:s,s:s,s:{s:s}},"
        "s:{s:s,s:s,s:{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}}}",
        "error-response", "type", "object", "properties", "message", "type", "string",
        "description", "Error message", "errors", "$ref", "#/definitions/error-errors", "code",
        "type", "integer", "description", "Error code", "parameters", "$ref",
        "#/definitions/error-parameters", "trace", "type", "string", "description", "Stack trace",
        "required", "message", "error-errors", "type", "array", "description", "Errors list",
        "items", "$ref", "#/definitions/error-errors-item", "error-errors-item", "type", "object",
        "description", "Error details", "properties", "message", "type", "string", "description",
        "Error message", "parameters", "$ref", "#/definitions/error-parameters", "error-parameters",
        "type", "array", "description", "Error parameters list", "items", "$ref",
        "#/definitions/error-parameters-item", "error-parameters-item", "type", "object",
        "description", "Error parameters item", "properties", "resources", "type", "string",
        "description", "ACL resource", "fieldName", "type", "string", "description",
        "Missing or invalid field name", "fieldValue", "type", "string", "description",
        "Incorrect field value");
}

/* May the caller use this route (the ACL check of a request to it)? */
static bool route_visible(struct api_req *q, const struct route *r)
{
    if (r->flags & R_ADMIN)
        return false;
    if (r->anonymous)
        return true;
    if ((r->flags & R_GUEST) &&
        store_config_get_bool(q->w->config, "webapi/webapisecurity/allow_insecure", -1))
        return true;
    if (q->caller.kind == CALLER_GUEST)
        return false;
    for (int i = 0; i < r->nresources; i++)
        if (!api_allowed(q, r->resources[i]))
            return false;
    return true;
}

/* services=all, or a comma-separated list of names like catalogProductRepositoryV1. */
static bool services_valid(struct str s)
{
    if (str_eq_c(s, "all"))
        return true;
    while (s.len) {
        struct str rest;
        struct str name = str_cut(s, ',', &rest);
        /* [a-zA-Z\d]*V\d+ */
        size_t v = name.len;
        while (v > 0 && name.p[v - 1] >= '0' && name.p[v - 1] <= '9')
            v--;
        if (v == name.len || v == 0 || name.p[v - 1] != 'V')
            return false;
        for (size_t i = 0; i + 1 < v; i++) {
            char c = name.p[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                return false;
        }
        if (!rest.p)
            return true;
        if (!rest.len)
            return false;
        s = rest;
    }
    return false;
}

static bool service_wanted(struct str list, const char *svc)
{
    if (str_eq_c(list, "all"))
        return true;
    struct str rest = list;
    while (rest.p && rest.len) {
        struct str name = str_cut(rest, ',', &rest);
        if (str_eq_c(name, svc))
            return true;
    }
    return false;
}

/* OpenAPI 3: the same operations with parameters' types under schema, bodies as requestBody,
 * responses with content, definitions as components/schemas. */
static void rewrite_refs(json_t *j)
{
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            const char *s = json_string_value(v);
            if (strcmp(k, "$ref") == 0 && s && strncmp(s, "#/definitions/", 14) == 0) {
                char ref[200];
                snprintf(ref, sizeof(ref), "#/components/schemas/%s", s + 14);
                json_object_set_new(j, k, json_string(ref));
            } else {
                rewrite_refs(v);
            }
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) rewrite_refs(v);
    }
}

static json_t *to_openapi3(json_t *doc, const char *server_url)
{
    json_t *out = json_pack("{s:s,s:O,s:[{s:s}],s:O}", "openapi", "3.0.3", "info",
                            json_object_get(doc, "info"), "servers", "url", server_url, "tags",
                            json_object_get(doc, "tags"));
    json_t *paths = json_object();
    const char *path;
    json_t *ops;
    json_object_foreach(json_object_get(doc, "paths"), path, ops)
    {
        json_t *new_ops = json_object();
        const char *verb;
        json_t *op;
        json_object_foreach(ops, verb, op)
        {
            json_t *o = json_pack("{s:O,s:O,s:O}", "tags", json_object_get(op, "tags"),
                                  "description", json_object_get(op, "description"), "operationId",
                                  json_object_get(op, "operationId"));
            json_t *params = json_array();
            size_t i;
            json_t *p;
            json_array_foreach(json_object_get(op, "parameters"), i, p)
            {
                const char *in = json_string_value(json_object_get(p, "in"));
                if (in && strcmp(in, "body") == 0) {
                    json_t *schema = json_object_get(p, "schema");
                    json_object_set_new(o, "requestBody",
                                        json_pack("{s:b,s:{s:{s:O}}}", "required",
                                                  json_object_get(schema, "required") != NULL,
                                                  "content", "application/json", "schema", schema));
                    continue;
                }
                json_t *np = json_pack("{s:O,s:O}", "name", json_object_get(p, "name"), "in",
                                       json_object_get(p, "in"));
                json_t *schema = json_object();
                const char *k;
                json_t *v;
                json_object_foreach(p, k, v)
                {
                    if (strcmp(k, "name") == 0 || strcmp(k, "in") == 0)
                        continue;
                    if (strcmp(k, "required") == 0 || strcmp(k, "description") == 0)
                        json_object_set(np, k, v);
                    else
                        json_object_set(schema, k, v);
                }
                json_object_set_new(np, "schema", schema);
                json_array_append_new(params, np);
            }
            if (json_array_size(params))
                json_object_set(o, "parameters", params);
            json_decref(params);
            json_t *responses = json_object();
            const char *code;
            json_t *r;
            json_object_foreach(json_object_get(op, "responses"), code, r)
            {
                json_t *nr = json_pack("{s:O}", "description", json_object_get(r, "description"));
                json_t *schema = json_object_get(r, "schema");
                if (schema)
                    json_object_set_new(
                        nr, "content",
                        json_pack("{s:{s:O}}", "application/json", "schema", schema));
                json_object_set_new(responses, code, nr);
            }
            json_object_set_new(o, "responses", responses);
            json_object_set_new(new_ops, verb, o);
        }
        json_object_set_new(paths, path, new_ops);
    }
    json_object_set_new(out, "paths", paths);
    json_object_set_new(out, "components",
                        json_pack("{s:O}", "schemas", json_object_get(doc, "definitions")));
    rewrite_refs(out);
    return out;
}

static struct str query_value(struct api_req *q, const char *name, bool *present)
{
    struct str rest = http_query(q->http);
    *present = false;
    while (rest.p && rest.len) {
        struct str pair = str_cut(rest, '&', &rest);
        struct str value, dkey, dvalue;
        struct str key = str_cut(pair, '=', &value);
        if (!pct_decode(q->a, key, PCT_FORM, &dkey) || !str_eq_c(dkey, name))
            continue;
        *present = true;
        if (value.p && pct_decode(q->a, value, PCT_FORM, &dvalue))
            return dvalue;
        return (struct str){"", 0};
    }
    return (struct str){NULL, 0};
}

enum err api_schema(struct api_req *q)
{
    bool has_services, has_format;
    struct str services = query_value(q, "services", &has_services);
    struct str format = query_value(q, "format", &has_format);
    if (!has_services)
        services = STR_LIT("all"); /* Magento's schema request defaults to every service */
    if (!services_valid(services))
        return api_fail_msg(q, ERR_BAD_REQUEST_PATH,
                            "Incorrect format of request URI or Requested services are missing.",
                            NULL);
    bool openapi3 = false;
    if (has_format) {
        if (str_eq_c(format, "openapi3"))
            openapi3 = true;
        else if (!str_eq_c(format, "swagger2"))
            return api_fail_msg(q, ERR_INVALID,
                                "The \"%1\" format is not supported: use swagger2 or openapi3.",
                                json_pack("[s#]", format.p, format.len));
    }
    struct str path = http_path(q->http);
    struct str base = {path.p, path.len - (sizeof("/schema") - 1)};
    struct str host = http_host(q->http);
    const char *scheme = http_is_https(q->http) ? "https" : "http";

    struct gen g = {json_object()};
    json_t *tags = json_array(), *paths = json_object();
    json_t *svc_desc = json_object_get(spec, "services");
    size_t i;
    json_t *op;
    json_array_foreach(json_object_get(spec, "operations"), i, op)
    {
        const struct route *r = operation_route(op);
        const char *svc = json_string_value(json_object_get(op, "service"));
        if (!r || !service_wanted(services, svc) || !route_visible(q, r))
            continue;
        bool tagged = false;
        size_t k;
        json_t *t;
        json_array_foreach(tags, k, t)
        {
            if (strcmp(json_string_value(json_object_get(t, "name")), svc) == 0)
                tagged = true;
        }
        if (!tagged)
            json_array_append_new(tags, json_pack("{s:s,s:O}", "name", svc, "description",
                                                  json_object_get(svc_desc, svc)));
        char tpl[300];
        path_template(r, tpl, sizeof(tpl));
        json_t *ops = json_object_get(paths, tpl);
        if (!ops)
            json_object_set_new(paths, tpl, ops = json_object());
        char verb[8];
        snprintf(verb, sizeof(verb), "%s", verb_names[r->verb]);
        for (char *c = verb; *c; c++)
            *c = (char)(*c - 'A' + 'a');
        json_object_set_new(ops, verb, operation(&g, op, r, tpl));
    }
    json_t *defs = error_definitions();
    json_object_update(defs, g.defs);
    json_decref(g.defs);
    json_t *doc = json_pack("{s:s,s:O,s:s#,s:s#,s:[s],s:o,s:o,s:o}", "swagger", "2.0", "info",
                            json_object_get(spec, "info"), "host", host.p ? host.p : "",
                            host.p ? host.len : 0, "basePath", base.p, base.len, "schemes", scheme,
                            "tags", tags, "paths", paths, "definitions", defs);
    if (!doc)
        return api_fail(q, ERR_INTERNAL);
    if (openapi3) {
        char url[600];
        snprintf(url, sizeof(url), "%s://%.*s%.*s", scheme, (int)(host.p ? host.len : 0),
                 host.p ? host.p : "", (int)base.len, base.p);
        json_t *o3 = to_openapi3(doc, url);
        json_decref(doc);
        doc = o3;
    }
    char *text = json_dumps(doc, JSON_COMPACT | JSON_ESCAPE_SLASH);
    json_decref(doc);
    if (!text)
        return api_fail(q, ERR_INTERNAL);
    buf_add_c(&q->out, text);
    free(text);
    return ERR_OK;
}
