/* libFuzzer target: the router on arbitrary paths with every verb. Properties: no crash; a match
 * has the verb asked for and a template with as many segments as the path; a path that matched
 * under one verb is "known" under every other verb. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "webapi/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        char err[256];
        if (!route_table_init(err, sizeof(err))) {
            fprintf(stderr, "route_table_init: %s\n", err);
            abort();
        }
        ready = true;
    }
    struct arena *a = arena_new(0);
    struct str path = {size ? (const char *)data : "", size};
    static const enum http_verb verbs[] = {VERB_GET, VERB_POST, VERB_PUT, VERB_DELETE, VERB_OTHER};
    bool matched_any = false;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        struct str vars[ROUTE_MAX_VARS];
        bool known = false;
        const struct route *r = route_match(verbs[i], path, a, vars, &known);
        if (r) {
            if (r->verb != verbs[i] || size == 0 || data[0] != '/')
                abort();
            matched_any = true;
        } else if (matched_any && !known) {
            abort();
        }
    }
    /* The verb parser on the same bytes. */
    enum http_verb v = route_verb(path);
    if (v != VERB_OTHER && size > 6)
        abort();
    arena_free(a);
    return 0;
}
