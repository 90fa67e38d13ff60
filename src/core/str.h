/* Byte slices: data from the network is never assumed to be NUL-terminated. A struct str borrows
 * its bytes; whoever made it owns them (usually a request arena). */
#ifndef SG_CORE_STR_H
#define SG_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct str {
    const char *p;
    size_t len;
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})
#define STR_NULL ((struct str){NULL, 0})
#define STR_FMT(s) (int)(s).len, (s).p

/* A slice over a NUL-terminated C string (NULL gives the empty slice). */
struct str str_c(const char *s);
struct str str_n(const char *p, size_t len);
bool str_eq(struct str a, struct str b);
/* Case-insensitive ASCII comparison. */
bool str_ieq(struct str a, struct str b);
bool str_eq_c(struct str a, const char *c);
bool str_starts(struct str s, struct str prefix);
bool str_istarts(struct str s, struct str prefix);
/* Leading and trailing spaces and tabs removed. */
struct str str_trim(struct str s);
/* The part before the first `sep` (all of s when absent); *rest gets what follows it, or
 * STR_NULL when sep was not found. */
struct str str_cut(struct str s, char sep, struct str *rest);
/* Index of the first `c`, or -1. */
ptrdiff_t str_find(struct str s, char c);
/* Parses a base-10 integer with optional sign; the whole slice must be digits. */
bool str_to_i64(struct str s, int64_t *out);
/* A plausible email address: one '@' with text before it, a dot in the domain, no spaces,
 * control characters or <>"(),;:[]\ characters, at most 254 bytes. */
bool str_is_email(const char *e);
/* Returns true if s is valid UTF-8 (no overlongs, no surrogates). */
bool str_utf8_valid(struct str s);

#endif
