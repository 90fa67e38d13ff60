/* libFuzzer target: JSON body binding of CMS pages and blocks (cms_apply, cms_validate, cms_json)
 * and of customers (customer_merge, customer_check, customer_render). Properties: binding never
 * crashes or leaks whatever the JSON; when it succeeds the rendered object is valid JSON. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cms/cms.h"
#include "customer/customer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must_parse(const struct buf *b)
{
    json_t *j = json_loadb(b->p, b->len, 0, NULL);
    if (!j)
        abort();
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in = json_loadb((const char *)data, size, 0, NULL);
    if (!in)
        return 0;
    if (!json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    struct arena *a = arena_new(0);
    for (int kind = CMS_PAGE; kind <= CMS_BLOCK; kind++) {
        json_t *row = json_object();
        int64_t stores[CMS_MAX_STORES];
        size_t nstores = 0;
        struct cms_problem p;
        if (cms_apply((enum cms_kind)kind, row, in, kind == CMS_PAGE, stores, &nstores, &p) ==
                ERR_OK &&
            cms_validate((enum cms_kind)kind, row, NULL, &p) == ERR_OK) {
            struct buf b;
            buf_init(&b, a, 256);
            cms_json((enum cms_kind)kind, row, &b);
            must_parse(&b);
        }
        json_decref(row);
    }
    json_t *c = json_object();
    json_object_set_new(c, "addresses", json_array());
    struct customer_problem p;
    enum err e = customer_merge(c, in, &p);
    if (e == ERR_OK)
        e = customer_check(c, &p);
    if (e == ERR_REQUIRED_FIELD)
        json_decref(p.missing);
    if (e == ERR_OK) {
        struct buf b;
        buf_init(&b, a, 256);
        json_object_set_new(c, "id", json_integer(1));
        customer_render(c, &b);
        must_parse(&b);
    }
    json_decref(c);
    json_decref(in);
    arena_free(a);
    return 0;
}
