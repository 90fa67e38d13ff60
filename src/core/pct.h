/* Percent-encoding (RFC 3986 section 2.1). The OAuth base string (RFC 5849 section 3.6) and the
 * router both build on these. */
#ifndef SG_CORE_PCT_H
#define SG_CORE_PCT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"

enum pct_mode {
    PCT_RAW,  /* rawurldecode: '+' stays '+' */
    PCT_FORM, /* urldecode / application/x-www-form-urlencoded: '+' is a space */
};

/* Decodes s into arena memory (NUL-terminated, *out.len excludes the NUL). A '%' not followed by
 * two hex digits is kept literally, as PHP does. Returns false only if the decoded bytes contain
 * a NUL (callers that cannot carry NULs refuse those). */
bool pct_decode(struct arena *a, struct str s, enum pct_mode mode, struct str *out);
/* Appends s encoded as RFC 3986 / PHP rawurlencode: every byte except ALPHA DIGIT - . _ ~ becomes
 * %XX with upper-case hex. */
void pct_encode(struct buf *b, struct str s);
/* 1 for an RFC 3986 unreserved character (ALPHA DIGIT - . _ ~), else 0. */
extern const unsigned char pct_unreserved_table[256];

/* True if c is an RFC 3986 unreserved character. */
static inline bool pct_unreserved(unsigned char c)
{
    return pct_unreserved_table[c];
}

#endif
