/* libFuzzer target: the JSON string writer. Properties: the output is always one JSON string that
 * jansson parses and is valid UTF-8; when the input is valid UTF-8 it decodes back to the input
 * byte for byte (NULs included, read with JSON_ALLOW_NUL). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(0);
    struct str in = {size ? (const char *)data : "", size};
    struct buf b;
    buf_init(&b, a, 0);
    buf_json_str(&b, in);
    if (!str_utf8_valid(buf_str(&b)))
        abort();

    json_error_t jerr;
    json_t *j = json_loadb(b.p, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j || !json_is_string(j)) {
        fprintf(stderr, "jansson refused %.*s: %s\n", (int)b.len, b.p, jerr.text);
        abort();
    }
    if (str_utf8_valid(in)) {
        if (json_string_length(j) != size ||
            (size && memcmp(json_string_value(j), data, size) != 0))
            abort();
    }
    json_decref(j);

    /* Without a NUL the default (strict) decoder accepts it too. */
    if (!size || !memchr(data, 0, size)) {
        j = json_loadb(b.p, b.len, JSON_DECODE_ANY, &jerr);
        if (!j)
            abort();
        json_decref(j);
    }
    arena_free(a);
    return 0;
}
