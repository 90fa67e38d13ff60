/* Growable byte buffer whose memory comes from an arena (so it dies with the request), plus the
 * JSON writers the hot paths use to build answers without a parse/dump round trip. */
#ifndef SG_CORE_BUF_H
#define SG_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/str.h"

struct buf {
    struct arena *arena;
    char *p;
    size_t len, cap;
};

void buf_init(struct buf *b, struct arena *a, size_t cap);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t len);
void buf_add_str(struct buf *b, struct str s);
void buf_add_c(struct buf *b, const char *s);
void buf_add_ch(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_add_i64(struct buf *b, int64_t v);
/* Appends s as a JSON string literal (quotes included), escaping as JSON requires. Invalid UTF-8
 * bytes are replaced by U+FFFD so the output is always valid JSON. */
void buf_json_str(struct buf *b, struct str s);
/* NUL-terminates without counting the NUL in len. */
const char *buf_cstr(struct buf *b);
struct str buf_str(const struct buf *b);

#endif
