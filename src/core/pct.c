/* Percent-encoding (see pct.h). */
#include "core/pct.h"

#include <string.h>

const unsigned char pct_unreserved_table[256] = {
    ['-'] = 1, ['.'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['_'] = 1, ['a'] = 1,
    ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
    ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1, ['~'] = 1};

/* Where a run of bytes that decode to themselves stops, per mode. */
static const unsigned char stop_raw[256] = {[0] = 1, ['%'] = 1};
static const unsigned char stop_form[256] = {[0] = 1, ['%'] = 1, ['+'] = 1};

/* The value of a hex digit plus one; 0 for any other byte. */
static const signed char hexval[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

bool pct_decode(struct arena *a, struct str s, enum pct_mode mode, struct str *out)
{
    char *d = arena_alloc(a, s.len + 1);
    size_t n = 0;
    bool clean = true;
    const unsigned char *p = (const unsigned char *)s.p;
    const unsigned char *stop = mode == PCT_FORM ? stop_form : stop_raw;
    size_t i = 0;
    while (i < s.len) {
        /* a run of bytes that stay as they are */
        size_t run = i;
        while (run < s.len && !stop[p[run]])
            run++;
        memcpy(d + n, p + i, run - i);
        n += run - i;
        i = run;
        if (i >= s.len)
            break;
        char c = (char)p[i];
        if (c == '%' && i + 2 < s.len) {
            int hi = hexval[p[i + 1]] - 1, lo = hexval[p[i + 2]] - 1;
            if (hi >= 0 && lo >= 0) {
                c = (char)(hi * 16 + lo);
                i += 2;
            }
        } else if (c == '+') {
            c = ' '; /* (only PCT_FORM stops at a '+') */
        }
        if (c == '\0')
            clean = false;
        d[n++] = c;
        i++;
    }
    d[n] = '\0';
    out->p = d;
    out->len = n;
    return clean;
}

void pct_encode(struct buf *b, struct str s)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_reserve(b, s.len * 3);
    const unsigned char *p = (const unsigned char *)s.p;
    char *o = b->p + b->len;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = p[i];
        if (pct_unreserved(c)) {
            *o++ = (char)c;
        } else {
            o[0] = '%';
            o[1] = hex[c >> 4];
            o[2] = hex[c & 15];
            o += 3;
        }
    }
    b->len = (size_t)(o - b->p);
}
