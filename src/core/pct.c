/* Percent-encoding (see pct.h). */
#include "core/pct.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool pct_decode(struct arena *a, struct str s, enum pct_mode mode, struct str *out)
{
    char *d = arena_alloc(a, s.len + 1);
    size_t n = 0;
    bool clean = true;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '%' && i + 2 < s.len) {
            int hi = hexval(s.p[i + 1]), lo = hexval(s.p[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (char)(hi * 16 + lo);
                i += 2;
            }
        } else if (c == '+' && mode == PCT_FORM) {
            c = ' ';
        }
        if (c == '\0')
            clean = false;
        d[n++] = c;
    }
    d[n] = '\0';
    out->p = d;
    out->len = n;
    return clean;
}

bool pct_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void pct_encode(struct buf *b, struct str s)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_reserve(b, s.len * 3);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (pct_unreserved(c)) {
            b->p[b->len++] = (char)c;
        } else {
            b->p[b->len++] = '%';
            b->p[b->len++] = hex[c >> 4];
            b->p[b->len++] = hex[c & 15];
        }
    }
}
