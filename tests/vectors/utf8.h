/* UTF-8 validity vectors (RFC 3629 section 3 and 4, after Markus Kuhn's UTF-8 decoder stress
 * test): well-formed sequences at every length boundary, overlong forms, UTF-16 surrogates,
 * code points past U+10FFFF, bytes that never appear, stray continuation bytes and sequences cut
 * short. Used by tests/unit/test_core.c for str_utf8_valid() and buf_json_str(). */
#ifndef SG_TESTS_VECTORS_UTF8_H
#define SG_TESTS_VECTORS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

struct utf8_vector {
    const char *bytes;
    size_t len;
    bool valid;
    const char *what;
};

#define UTF8_V(lit, ok, what)                                                                      \
    {                                                                                              \
        lit, sizeof(lit) - 1, ok, what                                                             \
    }

/* clang-format off */
static const struct utf8_vector utf8_vectors[] = {
    UTF8_V("",                     true,  "empty"),
    UTF8_V("plain ascii",          true,  "ASCII"),
    UTF8_V("nul\0inside",          true,  "U+0000 is a valid code point"),
    UTF8_V("\x7f",                 true,  "U+007F, last 1-byte"),
    UTF8_V("\xc2\x80",             true,  "U+0080, first 2-byte"),
    UTF8_V("\xc3\xa9",             true,  "U+00E9 e acute"),
    UTF8_V("\xdf\xbf",             true,  "U+07FF, last 2-byte"),
    UTF8_V("\xe0\xa0\x80",         true,  "U+0800, first 3-byte"),
    UTF8_V("\xe2\x82\xac",         true,  "U+20AC euro sign"),
    UTF8_V("\xed\x9f\xbf",         true,  "U+D7FF, just below the surrogates"),
    UTF8_V("\xee\x80\x80",         true,  "U+E000, just above the surrogates"),
    UTF8_V("\xef\xbf\xbd",         true,  "U+FFFD replacement character"),
    UTF8_V("\xef\xbf\xbf",         true,  "U+FFFF, last 3-byte"),
    UTF8_V("\xf0\x90\x80\x80",     true,  "U+10000, first 4-byte"),
    UTF8_V("\xf0\x9f\x98\x80",     true,  "U+1F600 emoji"),
    UTF8_V("\xf4\x8f\xbf\xbf",     true,  "U+10FFFF, last code point"),
    UTF8_V("a\xc3\xa9z\xe2\x82\xac!", true, "mixed"),

    UTF8_V("\xc0\x80",             false, "overlong U+0000 (2 bytes)"),
    UTF8_V("\xc0\xaf",             false, "overlong '/' (2 bytes)"),
    UTF8_V("\xc1\xbf",             false, "overlong U+007F (2 bytes)"),
    UTF8_V("\xe0\x80\xaf",         false, "overlong '/' (3 bytes)"),
    UTF8_V("\xe0\x9f\xbf",         false, "overlong U+07FF (3 bytes)"),
    UTF8_V("\xf0\x80\x80\xaf",     false, "overlong '/' (4 bytes)"),
    UTF8_V("\xf0\x8f\xbf\xbf",     false, "overlong U+FFFF (4 bytes)"),
    UTF8_V("\xed\xa0\x80",         false, "surrogate U+D800"),
    UTF8_V("\xed\xad\xbf",         false, "surrogate U+DB7F"),
    UTF8_V("\xed\xb0\x80",         false, "surrogate U+DC00"),
    UTF8_V("\xed\xbf\xbf",         false, "surrogate U+DFFF"),
    UTF8_V("\xed\xa0\x80\xed\xb0\x80", false, "surrogate pair encoded as CESU-8"),
    UTF8_V("\xf4\x90\x80\x80",     false, "U+110000, past the last code point"),
    UTF8_V("\xf5\x80\x80\x80",     false, "lead byte F5"),
    UTF8_V("\xf8\x88\x80\x80\x80", false, "5-byte form"),
    UTF8_V("\xfc\x84\x80\x80\x80\x80", false, "6-byte form"),
    UTF8_V("\xfe",                 false, "byte FE"),
    UTF8_V("\xff",                 false, "byte FF"),
    UTF8_V("\x80",                 false, "lone continuation byte"),
    UTF8_V("a\xbf",                false, "continuation byte after ASCII"),
    UTF8_V("\xc3",                 false, "2-byte sequence cut at the end"),
    UTF8_V("\xe2\x82",             false, "3-byte sequence cut at the end"),
    UTF8_V("\xf0\x9f\x98",         false, "4-byte sequence cut at the end"),
    UTF8_V("\xc3z",                false, "2-byte sequence cut by ASCII"),
    UTF8_V("\xe2\x82z",            false, "3-byte sequence cut by ASCII"),
    UTF8_V("\xf0\x9f\x98z",        false, "4-byte sequence cut by ASCII"),
    UTF8_V("\xc3\xc3\xa9",         false, "lead byte followed by a lead byte"),
};
/* clang-format on */

#undef UTF8_V

#endif
