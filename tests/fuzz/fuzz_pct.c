/* libFuzzer target: percent-decoding in both modes and percent-encoding. Properties: decoding never
 * grows the input, reports exactly the results that hold a NUL, NUL-terminates; encoding yields
 * only unreserved characters and upper-case %XX escapes; decode(encode(x)) == x in both modes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_upper_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void check_decoded(struct str in, struct str out, int ok, enum pct_mode mode)
{
    if (out.len > in.len || out.p[out.len] != '\0')
        abort();
    if (ok != (out.len == 0 || memchr(out.p, 0, out.len) == NULL))
        abort();
    /* Without '%' or '+', decoding is the identity. */
    if (!memchr(in.p, '%', in.len) && !(mode == PCT_FORM && memchr(in.p, '+', in.len)) &&
        (out.len != in.len || (in.len && memcmp(in.p, out.p, in.len) != 0)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(0);
    struct str in = {size ? (const char *)data : "", size};
    struct str out;

    bool ok = pct_decode(a, in, PCT_RAW, &out);
    check_decoded(in, out, ok, PCT_RAW);
    ok = pct_decode(a, in, PCT_FORM, &out);
    check_decoded(in, out, ok, PCT_FORM);

    struct buf b;
    buf_init(&b, a, 0);
    pct_encode(&b, in);
    for (size_t i = 0; i < b.len; i++) {
        if (b.p[i] != '%') {
            if (!pct_unreserved((unsigned char)b.p[i]))
                abort();
            continue;
        }
        if (i + 2 >= b.len || !is_upper_hex(b.p[i + 1]) || !is_upper_hex(b.p[i + 2]))
            abort();
        i += 2;
    }
    bool has_nul = size && memchr(data, 0, size) != NULL;
    for (int mode = PCT_RAW; mode <= PCT_FORM; mode++) {
        ok = pct_decode(a, buf_str(&b), (enum pct_mode)mode, &out);
        if (ok == has_nul || out.len != size || (size && memcmp(out.p, data, size) != 0))
            abort();
    }
    arena_free(a);
    return 0;
}
