/* libFuzzer target: binding of JSON bodies to products and stock items (the input checks of
 * POST/PUT /V1/products and PUT .../stockItems). Properties: no crash; every refusal has a 4xx
 * status and a message; accepted bodies are objects. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "catalog/product.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(enum err e, const struct query_error *qe, json_t *v)
{
    if (e) {
        int status = err_status(qe->code);
        if (qe->code != e || status < 400 || status >= 500)
            abort();
        json_decref(qe->params);
    } else if (!json_is_object(v)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    if (!j)
        return 0;
    struct arena *a = arena_new(0);
    struct query_error qe;
    json_t *p =
        json_is_object(j) && json_object_get(j, "product") ? json_object_get(j, "product") : j;
    check(product_validate(a, p, &qe), &qe, p);
    check(stock_item_validate(a, j, &qe), &qe, j);
    arena_free(a);
    json_decref(j);
    return 0;
}
