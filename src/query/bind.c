/* JSON body binding shared by the entities (see bind.h). */
#include "query/bind.h"

#include <math.h>
#include <string.h>

enum err bind_fail(struct query_error *qe, enum err code, const char *message, json_t *params)
{
    qe->code = code;
    qe->message = message;
    qe->params = params;
    return code;
}

/* is_active / isActive -> is_active (Magento maps both spellings to one accessor) */
const char *bind_snake(struct arena *a, const char *key)
{
    size_t n = strlen(key);
    char *out = arena_alloc(a, 2 * n + 1), *w = out;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (c >= 'A' && c <= 'Z') {
            if (i)
                *w++ = '_';
            *w++ = (char)(c + 32);
        } else {
            *w++ = c;
        }
    }
    *w = '\0';
    return out;
}

enum err bind_unknown_key(struct arena *a, struct query_error *qe, const char *key)
{
    const char *s = bind_snake(a, key);
    char *out = arena_alloc(a, strlen(s) + 1);
    size_t n = 0;
    bool up = true;
    for (const char *p = s; *p; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        out[n++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        up = false;
    }
    out[n] = '\0';
    return bind_fail(qe, ERR_FIELD_NOT_SUPPORTED, NULL, json_pack("{s:s}", "fieldName", out));
}

const char *bind_value_text(struct arena *a, json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_real(v))
        return arena_printf(a, "%.17g", json_real_value(v));
    if (json_is_true(v))
        return "true";
    if (json_is_false(v))
        return "false";
    return json_is_array(v) ? "Array" : "Object";
}

enum err bind_type_error(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                         const char *type)
{
    return bind_fail(
        qe, ERR_INVALID_TYPE,
        arena_printf(a,
                     "Error occurred during \"%s\" processing. The \"%s\" value's type is "
                     "invalid. The \"%s\" type was expected. Verify and try again.",
                     field, bind_value_text(a, v), type),
        NULL);
}

enum err bind_as_int(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                     int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return ERR_OK;
    }
    if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
        fabs(json_real_value(v)) < 9e15) {
        *out = (int64_t)json_real_value(v);
        return ERR_OK;
    }
    if (json_is_string(v) && str_to_i64(str_trim(str_c(json_string_value(v))), out))
        return ERR_OK;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return ERR_OK;
    }
    return bind_type_error(a, qe, field, v, "int");
}

enum err bind_as_string(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                        const char **out)
{
    if (json_is_string(v) || json_is_number(v)) {
        *out = bind_value_text(a, v);
        return ERR_OK;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v) ? "1" : "";
        return ERR_OK;
    }
    return bind_type_error(a, qe, field, v, "string");
}

enum err bind_as_bool(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                      bool *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return ERR_OK;
    }
    if (json_is_integer(v)) {
        *out = json_integer_value(v) != 0;
        return ERR_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        *out = strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0;
        return ERR_OK;
    }
    return bind_type_error(a, qe, field, v, "bool");
}
