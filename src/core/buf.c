/* Arena-backed growable buffer and JSON string writer (see buf.h). */
#include "core/buf.h"

#include <stdio.h>
#include <string.h>

void buf_init(struct buf *b, struct arena *a, size_t cap)
{
    b->arena = a;
    b->cap = cap ? cap : 256;
    b->p = arena_alloc(a, b->cap);
    b->len = 0;
}

void buf_reserve(struct buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    size_t cap = b->cap * 2;
    while (cap - b->len <= extra)
        cap *= 2;
    char *p = arena_alloc(b->arena, cap);
    memcpy(p, b->p, b->len);
    b->p = p;
    b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t len)
{
    if (!len)
        return;
    buf_reserve(b, len);
    memcpy(b->p + b->len, p, len);
    b->len += len;
}

void buf_add_str(struct buf *b, struct str s)
{
    buf_add(b, s.p, s.len);
}

void buf_add_c(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_add_ch(struct buf *b, char c)
{
    buf_reserve(b, 1);
    b->p[b->len++] = c;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        buf_reserve(b, (size_t)n + 1);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    if (n > 0)
        b->len += (size_t)n;
}

void buf_add_i64(struct buf *b, int64_t v)
{
    /* digits from the end (no printf: this writes every number of every JSON answer) */
    char tmp[24];
    size_t i = sizeof(tmp);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    buf_add(b, tmp + i, sizeof(tmp) - i);
}

static size_t utf8_seq_len(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n >= left)
        return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n + 1;
}

void buf_json_str(struct buf *b, struct str s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s.p;
    buf_reserve(b, s.len + 2);
    buf_add_ch(b, '"');
    size_t i = 0;
    while (i < s.len) {
        size_t run = i;
        while (run < s.len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\' &&
               p[run] != '/')
            run++;
        buf_add(b, p + i, run - i);
        i = run;
        if (i >= s.len)
            break;
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t n = utf8_seq_len(p + i, s.len - i);
            if (n) {
                buf_add(b, p + i, n);
                i += n;
            } else {
                buf_add(b, "\xef\xbf\xbd", 3);
                i++;
            }
            continue;
        }
        switch (c) {
        case '"':
            buf_add(b, "\\\"", 2);
            break;
        case '\\':
            buf_add(b, "\\\\", 2);
            break;
        case '/':
            /* PHP's json_encode escapes slashes; Magento's answers do too. */
            buf_add(b, "\\/", 2);
            break;
        case '\n':
            buf_add(b, "\\n", 2);
            break;
        case '\r':
            buf_add(b, "\\r", 2);
            break;
        case '\t':
            buf_add(b, "\\t", 2);
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_add(b, esc, 6);
        }
        }
        i++;
    }
    buf_add_ch(b, '"');
}

const char *buf_cstr(struct buf *b)
{
    buf_reserve(b, 1);
    b->p[b->len] = '\0';
    return b->p;
}

struct str buf_str(const struct buf *b)
{
    return (struct str){b->p, b->len};
}
