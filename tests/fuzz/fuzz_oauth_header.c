/* libFuzzer target: the Authorization header parser and the query/form parameter parsers, on
 * arbitrary bytes. Properties: no crash, every parsed name is a protocol name (header), and the
 * parameter count stays within the cap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "oauth/signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(0);
    struct str in = {(const char *)data, size};
    struct oauth_params p;
    oauth_params_init(&p, a);
    if (oauth_header_parse(a, in, &p))
        for (size_t i = 0; i < p.n; i++)
            if (!oauth_is_protocol_name(p.items[i].name))
                abort();
    if (p.n > OAUTH_MAX_PARAMS)
        abort();
    oauth_params_init(&p, a);
    oauth_query_params(a, in, OAUTH_MAGENTO, &p);
    oauth_query_params(a, in, OAUTH_RFC, &p);
    oauth_form_params(a, in, &p);
    if (p.n > OAUTH_MAX_PARAMS)
        abort();
    arena_free(a);
    return 0;
}
