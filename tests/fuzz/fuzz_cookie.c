/* libFuzzer target: the Cookie header parser of the admin panel. Properties: the value found lies
 * inside the input, has no ';' and no surrounding blanks, and a header that does not contain the
 * cookie's name yields nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webapi/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str in = {size ? (const char *)data : "", size};
    struct str v = panel_cookie_value(in, "storegate_admin");
    if (!v.p)
        return 0;
    if (v.p < in.p || v.p + v.len > in.p + in.len)
        abort();
    if (memchr(v.p, ';', v.len))
        abort();
    if (v.len && (v.p[0] == ' ' || v.p[v.len - 1] == ' '))
        abort();
    if (size < 15 || !memmem(data, size, "storegate_admin", 15))
        abort();
    return 0;
}
