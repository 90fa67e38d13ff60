/* Request decoding (reference section 5.2): Content-Type rules, the JSON body, Accept. */
#include <string.h>

#include "webapi/api.h"

static void on_free_json(void *p)
{
    json_decref(p);
}

/* Magento: ~^([a-z\d/\-+.]+)(?:; *charset=(.+))?$~Ui on the header value. */
static enum err parse_content_type(struct api_req *q, struct str ct, struct str *media)
{
    size_t i = 0;
    while (i < ct.len) {
        char c = ct.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '-' || c == '+' || c == '.'))
            break;
        i++;
    }
    if (i == 0)
        return api_fail(q, ERR_CT_INVALID);
    *media = (struct str){ct.p, i};
    if (i == ct.len)
        return ERR_OK;
    struct str rest = {ct.p + i, ct.len - i};
    if (rest.p[0] != ';')
        return api_fail(q, ERR_CT_INVALID);
    rest.p++;
    rest.len--;
    while (rest.len && rest.p[0] == ' ') {
        rest.p++;
        rest.len--;
    }
    if (!str_istarts(rest, STR_LIT("charset=")) || rest.len == 8)
        return api_fail(q, ERR_CT_INVALID);
    struct str charset = {rest.p + 8, rest.len - 8};
    if (!str_ieq(charset, STR_LIT("utf-8")))
        return api_fail(q, ERR_CT_CHARSET);
    return ERR_OK;
}

enum err api_read_body(struct api_req *q)
{
    struct str ct = http_header(q->http, "content-type");
    struct str body = http_body(q->http);
    /* Magento: Content-Type is required when a body is present; no body, nothing to decode */
    if (body.len == 0 && (!ct.p || !str_trim(ct).len))
        return ERR_OK;
    if (!ct.p || !str_trim(ct).len)
        return api_fail(q, ERR_CT_EMPTY);
    struct str media;
    enum err e = parse_content_type(q, ct, &media);
    if (e)
        return e;
    if (!str_ieq(media, STR_LIT("application/json")))
        return api_fail_list(q, ERR_CT_MEDIA, json_pack("[s#]", media.p, media.len));
    /* PHP's json_decode refuses a byte-order mark, and so does Magento. */
    if (body.len >= 3 && memcmp(body.p, "\xef\xbb\xbf", 3) == 0)
        return api_fail(q, ERR_DECODING);
    json_error_t jerr;
    json_t *j = json_loadb(body.p, body.len, JSON_DECODE_ANY, &jerr);
    if (!j)
        return api_fail(q, ERR_DECODING);
    arena_on_free(q->a, on_free_json, j);
    q->body = j;
    return ERR_OK;
}

/* JSON is the only renderer: an Accept header is satisfied by application/json, "application/ *",
 * * / * or no header at all; otherwise 406 as Magento answers. */
enum err api_check_accept(struct api_req *q)
{
    struct str accept = http_header(q->http, "accept");
    if (!accept.p || !str_trim(accept).len)
        return ERR_OK;
    struct str rest = accept;
    while (rest.p) {
        struct str item = str_trim(str_cut(rest, ',', &rest));
        struct str type = str_trim(str_cut(item, ';', NULL));
        if (str_ieq(type, STR_LIT("application/json")) || str_eq_c(type, "*/*") ||
            str_ieq(type, STR_LIT("application/*")))
            return ERR_OK;
    }
    return api_fail_list(q, ERR_NOT_ACCEPTABLE, json_pack("[s#]", accept.p, accept.len));
}

enum err api_body_string(struct api_req *q, const char *name, struct str *out, bool *present)
{
    *present = false;
    *out = STR_NULL;
    if (!q->body || !json_is_object(q->body))
        return ERR_OK;
    json_t *v = json_object_get(q->body, name);
    if (!v || json_is_null(v))
        return ERR_OK;
    if (json_is_string(v)) {
        *out = (struct str){json_string_value(v), json_string_length(v)};
    } else if (json_is_integer(v)) {
        *out = str_c(arena_printf(q->a, "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
    } else if (json_is_real(v)) {
        *out = str_c(arena_printf(q->a, "%.17g", json_real_value(v)));
    } else if (json_is_true(v)) {
        *out = STR_LIT("1");
    } else if (json_is_false(v)) {
        *out = STR_LIT(""); /* PHP casts false to "" */
    } else {
        json_t *params = json_object();
        json_object_set_new(params, "value", json_string(json_is_array(v) ? "Array" : "Object"));
        json_object_set_new(params, "type", json_string("string"));
        q->err.code = ERR_INVALID_TYPE;
        q->err.params = params;
        arena_on_free(q->a, on_free_json, params);
        return ERR_INVALID_TYPE;
    }
    *present = out->len > 0;
    return ERR_OK;
}
