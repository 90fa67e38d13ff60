/* The one error path: every failure becomes Magento's JSON error shape (reference section 5.6)
 *   {"message": raw phrase, "parameters": {...}|[...]}        one error
 *   {"message": "One or more input exceptions have occurred.", "errors": [...]}   several
 * with the table's HTTP status. Handlers record errors; only the dispatcher renders them. */
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/log.h"
#include "webapi/api.h"

static void on_free_json(void *p)
{
    json_decref(p);
}

/* jansson values hang off the request arena so they die with it. */
static json_t *own(struct api_req *q, json_t *j)
{
    if (j)
        arena_on_free(q->a, on_free_json, j);
    return j;
}

enum err api_fail(struct api_req *q, enum err code)
{
    q->err.code = code;
    q->err.params = NULL;
    q->err.message = NULL;
    return code;
}

enum err api_fail_param(struct api_req *q, enum err code, const char *name, json_t *value)
{
    json_t *obj = own(q, json_object());
    json_object_set_new(obj, name, value);
    q->err.code = code;
    q->err.params = obj;
    q->err.message = NULL;
    return code;
}

enum err api_fail_list(struct api_req *q, enum err code, json_t *positional)
{
    q->err.code = code;
    q->err.params = own(q, positional);
    q->err.message = NULL;
    return code;
}

enum err api_fail_msg(struct api_req *q, enum err code, const char *message, json_t *params)
{
    q->err.code = code;
    q->err.message = message;
    q->err.params = own(q, params);
    return code;
}

enum err api_fail_unknown_field(struct api_req *q, const char *key)
{
    /* Magento names the field in CamelCase: is_active -> IsActive */
    char out[128];
    size_t n = 0;
    bool up = true;
    for (const char *p = key; *p && n + 1 < sizeof(out); p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        out[n++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        up = false;
    }
    out[n] = '\0';
    return api_fail_param(q, ERR_FIELD_NOT_SUPPORTED, "fieldName", json_string(out));
}

void api_add_error(struct api_req *q, enum err code, const char *name, json_t *value)
{
    if (!q->err.errors)
        q->err.errors = own(q, json_array());
    json_t *item = json_object();
    json_object_set_new(item, "message", json_string(err_message(code)));
    json_t *params = json_object();
    json_object_set_new(params, name, value);
    json_object_set_new(item, "parameters", params);
    json_array_append_new(q->err.errors, item);
}

enum err api_finish_errors(struct api_req *q)
{
    size_t n = q->err.errors ? json_array_size(q->err.errors) : 0;
    if (n == 0)
        return ERR_OK;
    if (n == 1) {
        /* A single error is promoted to the top level, as Magento does. */
        json_t *item = json_array_get(q->err.errors, 0);
        json_t *params = json_object_get(item, "parameters");
        q->err.params = own(q, json_incref(params));
        q->err.message = json_string_value(json_object_get(item, "message"));
        /* errors stays owned by the arena (message points into it); the code only decides the
         * status, and every aggregated input error is a 400. */
        q->err.errors = NULL;
        q->err.code = ERR_REQUIRED_FIELD;
        return q->err.code;
    }
    q->err.code = ERR_INPUT_ERRORS;
    q->err.params = NULL;
    q->err.message = NULL;
    return ERR_INPUT_ERRORS;
}

static void write_json(struct buf *out, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_ENCODE_ANY);
    if (s) {
        buf_add_c(out, s);
        free(s);
    } else {
        buf_add_c(out, "null");
    }
}

void api_render_error(struct api_req *q, struct buf *out, int *status)
{
    enum err code = q->err.code ? q->err.code : ERR_INTERNAL;
    *status = err_status(code);
    const char *message = q->err.message ? q->err.message : err_message(code);
    json_t *params = q->err.params;
    char report[48];
    if (*status >= 500 && code != ERR_UNAVAILABLE && code != ERR_DB_BUSY) {
        /* Internal details go to the log under a report id; the client gets the id only. */
        unsigned char rnd[6];
        crypto_random(rnd, sizeof(rnd));
        snprintf(report, sizeof(report), "webapi-%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
                 rnd[3], rnd[4], rnd[5]);
        log_error("request %s failed with %s (report %s)", http_request_id(q->http), err_name(code),
                  report);
        message = err_message(ERR_INTERNAL);
        params = own(q, json_pack("[s]", report));
        *status = 500;
    }
    buf_add_c(out, "{\"message\":");
    buf_json_str(out, str_c(message));
    if (code == ERR_INPUT_ERRORS && q->err.errors) {
        buf_add_c(out, ",\"errors\":");
        write_json(out, q->err.errors);
    }
    if (params) {
        buf_add_c(out, ",\"parameters\":");
        write_json(out, params);
    }
    buf_add_ch(out, '}');
}

struct str api_transport_error(struct arena *a, int status, const char *detail, size_t max_body)
{
    struct buf out;
    buf_init(&out, a, 256);
    if (status == 413) {
        buf_printf(&out, "{\"message\":");
        buf_json_str(&out, str_c(err_message(ERR_BODY_TOO_LARGE)));
        buf_printf(&out, ",\"parameters\":[%zu]}", max_body);
    } else {
        buf_add_c(&out, "{\"message\":\"The request could not be read: %1\",\"parameters\":[");
        buf_json_str(&out, str_c(detail));
        buf_add_c(&out, "]}");
    }
    return buf_str(&out);
}
