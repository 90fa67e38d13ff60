/* Slice helpers (see str.h). */
#include "core/str.h"

#include <string.h>
#include <strings.h>

struct str str_c(const char *s)
{
    return s ? (struct str){s, strlen(s)} : (struct str){"", 0};
}

struct str str_n(const char *p, size_t len)
{
    return (struct str){p, len};
}

bool str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool str_ieq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || strncasecmp(a.p, b.p, a.len) == 0);
}

bool str_eq_c(struct str a, const char *c)
{
    return str_eq(a, str_c(c));
}

bool str_starts(struct str s, struct str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.p, prefix.p, prefix.len) == 0);
}

bool str_istarts(struct str s, struct str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || strncasecmp(s.p, prefix.p, prefix.len) == 0);
}

struct str str_trim(struct str s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

ptrdiff_t str_find(struct str s, char c)
{
    const char *hit = s.len ? memchr(s.p, c, s.len) : NULL;
    return hit ? hit - s.p : -1;
}

struct str str_cut(struct str s, char sep, struct str *rest)
{
    ptrdiff_t i = str_find(s, sep);
    if (i < 0) {
        if (rest)
            *rest = STR_NULL;
        return s;
    }
    if (rest)
        *rest = (struct str){s.p + i + 1, s.len - (size_t)i - 1};
    return (struct str){s.p, (size_t)i};
}

bool str_to_i64(struct str s, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0;
    if (s.len == 0)
        return false;
    if (s.p[0] == '-' || s.p[0] == '+') {
        neg = s.p[0] == '-';
        i = 1;
        if (s.len == 1)
            return false;
    }
    for (; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
            return false;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

bool str_utf8_valid(struct str s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0;
    while (i < s.len) {
        unsigned c = p[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

bool str_is_email(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@') || strlen(e) > 254)
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return false;
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f || strchr("<>\"(),;:[]\\", *p))
            return false;
    return true;
}
