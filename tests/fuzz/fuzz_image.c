/* libFuzzer target: the image upload checks (media/image.c): strict base64 decoding, the image
 * sniffer and the file-name rules, and the media path check. Properties: decoding never writes
 * past its buffer and re-encoding a decoded result decodes to the same bytes; the sniffer only
 * claims JPEG/PNG/GIF with non-zero dimensions read inside the input; an accepted upload's file
 * name has only [A-Za-z0-9_.-] characters, at most 90 of them, and an allowed extension; a safe
 * path never holds "..". The input is split at the first two NUL bytes into base64 text, type and
 * name; the raw input is also sniffed as image bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t encode(const unsigned char *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new(0);
    const char *text = size ? (const char *)data : "";

    /* the sniffer on raw bytes */
    uint32_t w = 0, h = 0;
    enum image_kind k = image_sniff(data, size, &w, &h);
    if ((k == IMAGE_JPEG || k == IMAGE_PNG || k == IMAGE_GIF) && (w == 0 || h == 0))
        abort();

    /* strict base64: an exact-size buffer, then the round trip */
    size_t cap = size / 4 * 3 + 3;
    unsigned char *dec = malloc(cap ? cap : 1);
    size_t n = 0;
    if (image_base64_decode(str_n(text, size), dec, cap, &n)) {
        if (n > cap)
            abort();
        char *enc = malloc(n / 3 * 4 + 8);
        size_t en = encode(dec, n, enc);
        unsigned char *again = malloc(n + 3);
        size_t n2 = 0;
        if (!image_base64_decode(str_n(enc, en), again, n + 3, &n2) || n2 != n ||
            (n && memcmp(again, dec, n) != 0))
            abort();
        free(again);
        free(enc);
    }
    free(dec);

    /* an upload: base64 \0 type \0 name */
    const char *nul1 = memchr(text, 0, size);
    if (nul1) {
        size_t rest = size - (size_t)(nul1 + 1 - text);
        const char *type = nul1 + 1;
        const char *nul2 = memchr(type, 0, rest);
        if (nul2) {
            char *name = arena_strndup(a, nul2 + 1, rest - (size_t)(nul2 + 1 - type));
            struct image_upload up;
            enum image_problem p =
                image_upload_check(a, text, (size_t)(nul1 - text), type, name, &up);
            if (p == IMAGE_OK) {
                size_t len = strlen(up.file_name);
                if (len == 0 || len > IMAGE_NAME_MAX || up.len == 0 || up.len > IMAGE_MAX_BYTES)
                    abort();
                for (size_t i = 0; i < len; i++) {
                    char c = up.file_name[i];
                    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
                        abort();
                }
                if (!image_kind_mime(up.kind) || strcmp(image_kind_mime(up.kind), type) != 0)
                    abort();
            }
        }
    }

    /* the media path check */
    if (image_path_safe(str_n(text, size))) {
        if (size < 2 || text[0] != '/' || memchr(text, 0, size))
            abort();
        for (size_t i = 0; i + 1 < size; i++)
            if (text[i] == '.' && text[i + 1] == '.' && (i == 0 || text[i - 1] == '/') &&
                (i + 2 == size || text[i + 2] == '/'))
                abort();
    }
    arena_free(a);
    return 0;
}
