/* libFuzzer target: the signature base-string builder. The input is split into method, host,
 * path and query at NUL bytes; both variants are built and signed. Properties: no crash; the base
 * string starts with the upper-cased method and '&'; it contains only unreserved characters, '%'
 * escapes and the two '&' separators after the method; the signature is OpenSSL's HMAC() of it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/pct.h"
#include "oauth/signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct str next(const char **p, const char *end)
{
    const char *start = *p;
    const char *nul = memchr(start, 0, (size_t)(end - start));
    const char *stop = nul ? nul : end;
    *p = nul ? nul + 1 : end;
    return (struct str){start, (size_t)(stop - start)};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct str method = next(&p, end), host = next(&p, end), path = next(&p, end);
    struct str query = next(&p, end);
    struct arena *a = arena_new(0);
    for (int v = 0; v < OAUTH_VARIANTS; v++) {
        struct oauth_params params;
        oauth_params_init(&params, a);
        oauth_params_add(&params, a, STR_LIT("oauth_nonce"), host);
        oauth_query_params(a, query, (enum oauth_variant)v, &params);
        struct str base =
            oauth_base_string(a, method, size % 2, host, path, &params, (enum oauth_variant)v);
        size_t amps = 0;
        for (size_t i = method.len; i < base.len; i++) {
            unsigned char c = (unsigned char)base.p[i];
            if (c == '&')
                amps++;
            else if (c != '%' && !pct_unreserved(c))
                abort();
        }
        if (base.len < method.len + 2 || amps != 2)
            abort();
        struct str sig = oauth_sign(a, (v ? OAUTH_HMAC_SHA1 : OAUTH_HMAC_SHA256), host, path, base);
        if (sig.len != (v ? 28u : 44u))
            abort();
        /* the same as OpenSSL's HMAC() with the encoded key, whatever the key's length */
        struct buf key;
        buf_init(&key, a, 16);
        pct_encode(&key, host);
        buf_add_ch(&key, '&');
        pct_encode(&key, path);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        char want[80];
        HMAC(v ? EVP_sha1() : EVP_sha256(), key.p, (int)key.len, (const unsigned char *)base.p,
             base.len, md, &mdlen);
        EVP_EncodeBlock((unsigned char *)want, md, (int)mdlen);
        if (memcmp(sig.p, want, sig.len) != 0 || want[sig.len] != '\0')
            abort();
    }
    arena_free(a);
    return 0;
}
