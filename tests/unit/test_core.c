/* Unit tests for src/core: slices (str.c), the arena, the growable buffer and its JSON string
 * writer, percent-coding and the error table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/pct.h"
#include "core/str.h"

#include "../vectors/utf8.h"
#include "testutil.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* --- struct str ------------------------------------------------------------------------------ */

static void test_str_basics(void **state)
{
    (void)state;
    assert_int_equal(str_c(NULL).len, 0);
    assert_non_null(str_c(NULL).p);
    assert_slice(str_c("abc"), "abc");
    assert_true(str_eq(STR_LIT(""), STR_NULL));
    assert_true(str_eq(STR_LIT("abc"), str_n("abcdef", 3)));
    assert_false(str_eq(STR_LIT("abc"), STR_LIT("abd")));
    assert_false(str_eq(STR_LIT("abc"), STR_LIT("ab")));
    assert_true(str_ieq(STR_LIT("Content-Type"), STR_LIT("content-TYPE")));
    assert_false(str_ieq(STR_LIT("abc"), STR_LIT("abcd")));
    assert_true(str_starts(STR_LIT("/V1/store"), STR_LIT("/V1/")));
    assert_true(str_starts(STR_LIT("x"), STR_NULL));
    assert_false(str_starts(STR_LIT("/V"), STR_LIT("/V1/")));
    assert_true(str_istarts(STR_LIT("Bearer abc"), STR_LIT("bearer ")));
    assert_int_equal(str_find(STR_LIT("a=b=c"), '='), 1);
    assert_int_equal(str_find(STR_LIT("abc"), '='), -1);
    assert_int_equal(str_find(STR_NULL, '='), -1);
}

static void test_str_cut(void **state)
{
    (void)state;
    struct str rest;

    assert_slice(str_cut(STR_LIT("key=value"), '=', &rest), "key");
    assert_slice(rest, "value");

    /* Only the first separator cuts. */
    assert_slice(str_cut(STR_LIT("a=b=c"), '=', &rest), "a");
    assert_slice(rest, "b=c");

    /* Separator absent: all of s, and rest is STR_NULL (p NULL) so loops can stop on rest.p. */
    assert_slice(str_cut(STR_LIT("novalue"), '=', &rest), "novalue");
    assert_null(rest.p);
    assert_int_equal(rest.len, 0);

    /* Separator last: rest is empty but not NULL (one more, empty, item follows). */
    assert_slice(str_cut(STR_LIT("a,"), ',', &rest), "a");
    assert_non_null(rest.p);
    assert_int_equal(rest.len, 0);

    /* Separator first. */
    assert_slice(str_cut(STR_LIT(",a"), ',', &rest), "");
    assert_slice(rest, "a");

    /* Empty input. */
    assert_slice(str_cut(STR_LIT(""), ',', &rest), "");
    assert_null(rest.p);

    /* rest may be NULL. */
    assert_slice(str_cut(STR_LIT("x/y"), '/', NULL), "x");

    /* Walking a list visits every item, empty ones included. */
    const char *want[] = {"a", "", "b", ""};
    size_t n = 0;
    rest = STR_LIT("a,,b,");
    while (rest.p) {
        struct str item = str_cut(rest, ',', &rest);
        assert_true(n < N_ELEMS(want));
        assert_slice(item, want[n]);
        n++;
    }
    assert_int_equal(n, N_ELEMS(want));
}

static void test_str_trim(void **state)
{
    (void)state;
    assert_slice(str_trim(STR_LIT("  a b \t")), "a b");
    assert_slice(str_trim(STR_LIT("\t\tx")), "x");
    assert_slice(str_trim(STR_LIT("x  ")), "x");
    assert_slice(str_trim(STR_LIT("   ")), "");
    assert_slice(str_trim(STR_LIT("")), "");
    assert_int_equal(str_trim(STR_NULL).len, 0);
    /* Only spaces and tabs: other white space is content. */
    assert_slice(str_trim(STR_LIT("\nx\r")), "\nx\r");
}

static void test_str_to_i64(void **state)
{
    (void)state;
    /* clang-format off */
    static const struct { const char *in; bool ok; int64_t v; } cases[] = {
        {"0", true, 0},
        {"-0", true, 0},
        {"+0", true, 0},
        {"7", true, 7},
        {"+42", true, 42},
        {"-42", true, -42},
        {"000123", true, 123},
        {"9223372036854775807", true, INT64_MAX},
        {"-9223372036854775808", true, INT64_MIN},
        {"0009223372036854775807", true, INT64_MAX},
        {"9223372036854775808", false, 0},   /* INT64_MAX + 1 */
        {"-9223372036854775809", false, 0},  /* INT64_MIN - 1 */
        {"18446744073709551615", false, 0},  /* UINT64_MAX */
        {"18446744073709551616", false, 0},  /* UINT64_MAX + 1: must not wrap */
        {"184467440737095516150", false, 0}, /* wraps to a small number if unchecked */
        {"99999999999999999999999999999", false, 0},
        {"", false, 0},
        {"-", false, 0},
        {"+", false, 0},
        {"--1", false, 0},
        {"+-1", false, 0},
        {" 1", false, 0},
        {"1 ", false, 0},
        {"1a", false, 0},
        {"0x10", false, 0},
        {"1e3", false, 0},
        {"1.0", false, 0},
    };
    /* clang-format on */
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        int64_t v = 12345;
        bool ok = str_to_i64(str_c(cases[i].in), &v);
        if (ok != cases[i].ok)
            fail_msg("str_to_i64(\"%s\") returned %d", cases[i].in, ok);
        if (ok && v != cases[i].v)
            fail_msg("str_to_i64(\"%s\") = %lld", cases[i].in, (long long)v);
        if (!ok && v != 12345)
            fail_msg("str_to_i64(\"%s\") wrote its output on failure", cases[i].in);
    }
    /* The slice need not be NUL-terminated: digits after len are not read. */
    int64_t v = 0;
    assert_true(str_to_i64(str_n("123456", 3), &v));
    assert_int_equal(v, 123);
}

static void test_str_utf8_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(utf8_vectors); i++) {
        const struct utf8_vector *t = &utf8_vectors[i];
        bool ok = str_utf8_valid(str_n(t->bytes, t->len));
        if (ok != t->valid)
            fail_msg("str_utf8_valid(%s) returned %d", t->what, ok);
    }
    /* A sequence is checked against the slice length, not a NUL. */
    assert_false(str_utf8_valid(str_n("\xe2\x82\xac", 2)));
    assert_true(str_utf8_valid(str_n("\xe2\x82\xac", 3)));
}

/* --- arena ----------------------------------------------------------------------------------- */

static void test_arena_many_allocations(void **state)
{
    (void)state;
    struct arena *a = arena_new(64);
    enum { N = 5000 };
    static unsigned char *ptrs[N];
    size_t total = 0;
    for (size_t i = 0; i < N; i++) {
        size_t size = i % 97 + 1;
        ptrs[i] = arena_alloc(a, size);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], (int)(i & 0xff), size);
        total += size;
    }
    /* No allocation overlaps another: each still holds its own pattern. */
    for (size_t i = 0; i < N; i++) {
        size_t size = i % 97 + 1;
        for (size_t k = 0; k < size; k++)
            if (ptrs[i][k] != (unsigned char)(i & 0xff))
                fail_msg("allocation %zu byte %zu was overwritten", i, k);
    }
    assert_int_equal(arena_used(a), total);
    arena_free(a);
}

static void test_arena_alignment(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    for (size_t size = 0; size < 300; size++) {
        void *p = arena_alloc(a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        long double *ld = arena_alloc(a, sizeof(long double));
        assert_int_equal((uintptr_t)ld % _Alignof(max_align_t), 0);
        *ld = (long double)size;
    }
    arena_free(a);
}

static void test_arena_strings(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    assert_string_equal(arena_strdup(a, "hello"), "hello");
    assert_string_equal(arena_strndup(a, "hello world", 5), "hello");
    assert_string_equal(arena_strndup(a, NULL, 0), "");
    assert_string_equal(arena_cstr(a, str_n("abcdef", 2)), "ab");
    assert_string_equal(arena_cstr(a, STR_NULL), "");
    assert_string_equal(arena_printf(a, "%s=%d", "x", 42), "x=42");
    assert_string_equal(arena_printf(a, "%s", ""), "");

    /* Longer than the first block: vprintf measures first. */
    char *big = arena_printf(a, "[%6000d]", 7);
    assert_int_equal(strlen(big), 6002);
    assert_int_equal(big[0], '[');
    assert_int_equal(big[6000], '7');
    assert_int_equal(big[6001], ']');

    unsigned char *z = arena_calloc(a, 1000, 8);
    for (size_t i = 0; i < 8000; i++)
        assert_int_equal(z[i], 0);
    assert_non_null(arena_calloc(a, 0, 8));
    arena_free(a);
    arena_free(NULL); /* a no-op */
}

static void test_arena_large(void **state)
{
    (void)state;
    struct arena *a = arena_new(128);
    size_t big = (size_t)3 << 20;
    unsigned char *p = arena_alloc(a, big);
    memset(p, 0xab, big);
    char *small = arena_strdup(a, "after");
    unsigned char *p2 = arena_alloc(a, big);
    memset(p2, 0xcd, big);
    assert_int_equal(p[0], 0xab);
    assert_int_equal(p[big - 1], 0xab);
    assert_string_equal(small, "after");
    assert_true(arena_used(a) >= 2 * big);

    /* Reset gives everything back; the arena is usable again. */
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    char *again = arena_strdup(a, "again");
    assert_string_equal(again, "again");
    arena_free(a);
}

static int cleanup_order[16];
static size_t cleanup_n;

static void note_cleanup(void *data)
{
    assert_true(cleanup_n < N_ELEMS(cleanup_order));
    cleanup_order[cleanup_n++] = *(const int *)data;
}

static void test_arena_cleanups(void **state)
{
    (void)state;
    static const int ids[] = {1, 2, 3, 4, 5};
    struct arena *a = arena_new(0);

    cleanup_n = 0;
    arena_on_free(a, note_cleanup, (void *)&ids[0]);
    arena_on_free(a, note_cleanup, (void *)&ids[1]);
    arena_on_free(a, note_cleanup, (void *)&ids[2]);
    assert_int_equal(cleanup_n, 0);

    /* Reset runs them, last registered first, exactly once. */
    arena_reset(a);
    assert_int_equal(cleanup_n, 3);
    assert_int_equal(cleanup_order[0], 3);
    assert_int_equal(cleanup_order[1], 2);
    assert_int_equal(cleanup_order[2], 1);

    /* Registered after the reset: run by free, again in reverse, and the old ones not again. */
    cleanup_n = 0;
    arena_on_free(a, note_cleanup, (void *)&ids[3]);
    (void)arena_alloc(a, 10000); /* a second block between the two registrations */
    arena_on_free(a, note_cleanup, (void *)&ids[4]);
    arena_free(a);
    assert_int_equal(cleanup_n, 2);
    assert_int_equal(cleanup_order[0], 5);
    assert_int_equal(cleanup_order[1], 4);
}

/* --- buf ------------------------------------------------------------------------------------- */

static void test_buf_growth(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct buf b;
    buf_init(&b, a, 1);
    for (int i = 0; i < 3000; i++)
        buf_add_ch(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 3000);
    assert_true(b.cap > b.len);
    for (int i = 0; i < 3000; i++)
        assert_int_equal(b.p[i], 'a' + i % 26);

    static char block[10000];
    memset(block, 'x', sizeof(block));
    buf_add(&b, block, sizeof(block));
    buf_add(&b, NULL, 0);
    assert_int_equal(b.len, 13000);
    assert_int_equal(b.p[2999], 'a' + 2999 % 26);
    assert_int_equal(b.p[12999], 'x');

    const char *c = buf_cstr(&b);
    assert_int_equal(strlen(c), 13000); /* NUL-terminated, NUL not counted */
    assert_int_equal(b.len, 13000);
    arena_free(a);

    a = arena_new(0);
    buf_init(&b, a, 0);
    buf_add_c(&b, "n=");
    buf_add_i64(&b, INT64_MIN);
    buf_add_ch(&b, ',');
    buf_add_i64(&b, INT64_MAX);
    buf_add_ch(&b, ',');
    buf_add_i64(&b, 0);
    buf_add_str(&b, STR_LIT(";"));
    buf_printf(&b, "%s-%03d", "p", 7);
    assert_string_equal(buf_cstr(&b), "n=-9223372036854775808,9223372036854775807,0;p-007");
    assert_slice(buf_str(&b), "n=-9223372036854775808,9223372036854775807,0;p-007");

    /* printf output larger than the room left, and larger than the whole buffer. */
    size_t base = b.len;
    buf_printf(&b, "[%5000s]", "y");
    assert_int_equal(b.len, base + 5002);
    assert_int_equal(b.p[base], '[');
    assert_int_equal(b.p[base + 5000], 'y');
    assert_int_equal(b.p[base + 5001], ']');
    assert_memory_equal(b.p, "n=-9223372036854775808,", 23);
    buf_printf(&b, "%s", "");
    assert_int_equal(b.len, base + 5002);
    arena_free(a);
}

static void check_json_str(const char *in, size_t in_len, const char *want, size_t want_len)
{
    struct arena *a = arena_new(0);
    struct buf b;
    buf_init(&b, a, 4);
    buf_add_c(&b, "pre:");
    buf_json_str(&b, str_n(in, in_len));
    assert_int_equal(b.len, 4 + want_len);
    assert_memory_equal(b.p, "pre:", 4);
    if (memcmp(b.p + 4, want, want_len) != 0)
        fail_msg("buf_json_str gave %.*s, want %.*s", (int)want_len, b.p + 4, (int)want_len, want);
    arena_free(a);
}

#define JSON_CASE(in, want) check_json_str(in, sizeof(in) - 1, want, sizeof(want) - 1)

static void test_buf_json_str(void **state)
{
    (void)state;
    JSON_CASE("", "\"\"");
    JSON_CASE("plain text 123", "\"plain text 123\"");
    JSON_CASE("say \"hi\"", "\"say \\\"hi\\\"\"");
    JSON_CASE("C:\\dir", "\"C:\\\\dir\"");
    /* PHP's json_encode escapes '/' and Magento's answers show it. */
    JSON_CASE("http://x/y", "\"http:\\/\\/x\\/y\"");
    JSON_CASE("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    JSON_CASE("\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"");
    JSON_CASE("nul\0x", "\"nul\\u0000x\"");
    JSON_CASE("\x7f", "\"\x7f\"");
    /* Valid UTF-8 is kept as it is. */
    JSON_CASE("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"");
    /* Each byte that does not start a valid sequence becomes U+FFFD. */
    JSON_CASE("\xff", "\"\xef\xbf\xbd\"");
    JSON_CASE("a\xc3", "\"a\xef\xbf\xbd\"");
    JSON_CASE("\xc3z", "\"\xef\xbf\xbdz\"");
    JSON_CASE("\x80\"", "\"\xef\xbf\xbd\\\"\"");
    JSON_CASE("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON_CASE("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON_CASE("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    JSON_CASE("\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
}

static void test_buf_json_str_always_valid(void **state)
{
    (void)state;
    /* Every vector's output is valid UTF-8, and a valid input comes back inside the quotes. */
    for (size_t i = 0; i < N_ELEMS(utf8_vectors); i++) {
        const struct utf8_vector *t = &utf8_vectors[i];
        struct arena *a = arena_new(0);
        struct buf b;
        buf_init(&b, a, 0);
        buf_json_str(&b, str_n(t->bytes, t->len));
        if (!str_utf8_valid(buf_str(&b)))
            fail_msg("buf_json_str(%s) is not valid UTF-8", t->what);
        bool has_ctl = false;
        for (size_t k = 0; k < t->len; k++)
            has_ctl |= (unsigned char)t->bytes[k] < 0x20;
        if (t->valid && !has_ctl) {
            assert_int_equal(b.len, t->len + 2);
            assert_memory_equal(b.p + 1, t->bytes, t->len);
        }
        arena_free(a);
    }
}

/* --- pct ------------------------------------------------------------------------------------- */

static void test_pct_decode(void **state)
{
    (void)state;
    /* clang-format off */
    static const struct {
        const char *in;
        enum pct_mode mode;
        const char *out;
        size_t out_len;
        bool ok;
    } cases[] = {
        {"abc",        PCT_RAW,  "abc", 3, true},
        {"",           PCT_RAW,  "", 0, true},
        {"a+b",        PCT_RAW,  "a+b", 3, true},
        {"a+b",        PCT_FORM, "a b", 3, true},
        {"++",         PCT_FORM, "  ", 2, true},
        {"%2B",        PCT_FORM, "+", 1, true},   /* an encoded '+' is a plus, not a space */
        {"%20",        PCT_RAW,  " ", 1, true},
        {"%41%42c",    PCT_RAW,  "ABc", 3, true},
        {"%6a%6A",     PCT_RAW,  "jj", 2, true},  /* either case of hex */
        {"%C3%A9",     PCT_RAW,  "\xc3\xa9", 2, true},
        {"%ff",        PCT_RAW,  "\xff", 1, true},
        /* malformed escapes stay literal, as PHP's urldecode keeps them */
        {"%",          PCT_RAW,  "%", 1, true},
        {"%4",         PCT_RAW,  "%4", 2, true},
        {"a%4",        PCT_FORM, "a%4", 3, true},
        {"%zz",        PCT_RAW,  "%zz", 3, true},
        {"%4g",        PCT_RAW,  "%4g", 3, true},
        {"%g4",        PCT_RAW,  "%g4", 3, true},
        {"100%",       PCT_RAW,  "100%", 4, true},
        {"%%41",       PCT_RAW,  "%A", 2, true},
        {"%2%41",      PCT_RAW,  "%2A", 3, true},
        {"%+1",        PCT_FORM, "% 1", 3, true},
        /* a NUL in the result is reported */
        {"%00",        PCT_RAW,  "\0", 1, false},
        {"a%00b",      PCT_FORM, "a\0b", 3, false},
    };
    /* clang-format on */
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct arena *a = arena_new(0);
        struct str out = {NULL, 99};
        bool ok = pct_decode(a, str_c(cases[i].in), cases[i].mode, &out);
        if (ok != cases[i].ok)
            fail_msg("pct_decode(\"%s\") returned %d", cases[i].in, ok);
        assert_non_null(out.p);
        if (out.len != cases[i].out_len || memcmp(out.p, cases[i].out, out.len) != 0)
            fail_msg("pct_decode(\"%s\", %d) = \"%.*s\"", cases[i].in, cases[i].mode, STR_FMT(out));
        assert_int_equal(out.p[out.len], '\0');
        arena_free(a);
    }

    /* A literal NUL byte in the input is refused too; the slice need not be NUL-terminated. */
    struct arena *a = arena_new(0);
    struct str out;
    assert_false(pct_decode(a, str_n("a\0b", 3), PCT_RAW, &out));
    assert_true(pct_decode(a, str_n("%41%42", 3), PCT_RAW, &out));
    assert_slice(out, "A");
    assert_true(pct_decode(a, str_n("%41%42", 5), PCT_RAW, &out));
    assert_slice(out, "A%4");
    arena_free(a);
}

static void test_pct_encode(void **state)
{
    (void)state;
    /* clang-format off */
    static const struct { const char *in; size_t len; const char *out; } cases[] = {
        {"", 0, ""},
        {"AZaz09-._~", 10, "AZaz09-._~"},
        {" ", 1, "%20"},
        {"+", 1, "%2B"},
        {"a b&c=d", 7, "a%20b%26c%3Dd"},
        {":/?#[]@!$&'()*+,;=", 18, "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D"},
        {"%", 1, "%25"},
        {"\xc3\xa9", 2, "%C3%A9"},
        {"\x00\x7f\xff", 3, "%00%7F%FF"},
    };
    /* clang-format on */
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        struct arena *a = arena_new(0);
        struct buf b;
        buf_init(&b, a, 1);
        pct_encode(&b, str_n(cases[i].in, cases[i].len));
        assert_string_equal(buf_cstr(&b), cases[i].out);
        arena_free(a);
    }

    /* The unreserved set is exactly RFC 3986's, and encode/decode round-trips every byte. */
    static const char unreserved[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    char all[256];
    for (int c = 0; c < 256; c++) {
        bool want = c != 0 && memchr(unreserved, c, sizeof(unreserved) - 1) != NULL;
        if (pct_unreserved((unsigned char)c) != want)
            fail_msg("pct_unreserved(0x%02x) != %d", c, want);
        all[c] = (char)c;
    }
    struct arena *a = arena_new(0);
    struct buf b;
    buf_init(&b, a, 0);
    pct_encode(&b, str_n(all, sizeof(all)));
    assert_int_equal(b.len, 66 + 190 * 3);
    for (size_t i = 0; i < b.len; i++) {
        if (b.p[i] != '%') {
            assert_true(pct_unreserved((unsigned char)b.p[i]));
            continue;
        }
        /* every escape is two upper-case hex digits */
        assert_true(i + 2 < b.len + 1);
        assert_non_null(memchr("0123456789ABCDEF", b.p[i + 1], 16));
        assert_non_null(memchr("0123456789ABCDEF", b.p[i + 2], 16));
        i += 2;
    }
    struct str back;
    assert_false(pct_decode(a, buf_str(&b), PCT_RAW, &back)); /* byte 0 is in there */
    assert_slice_n(back, all, sizeof(all));
    assert_false(pct_decode(a, buf_str(&b), PCT_FORM, &back));
    assert_slice_n(back, all, sizeof(all));
    arena_free(a);
}

/* --- err ------------------------------------------------------------------------------------- */

static void test_err_table(void **state)
{
    (void)state;
    assert_int_equal(ERR_OK, 0);
    assert_int_equal(err_status(ERR_OK), 200);
    assert_string_equal(err_name(ERR_OK), "OK");

    assert_int_equal(err_status(ERR_NO_ROUTE), 404);
    assert_string_equal(err_message(ERR_NO_ROUTE), "Request does not match any route.");
    assert_string_equal(err_name(ERR_NO_ROUTE), "NO_ROUTE");
    assert_int_equal(err_status(ERR_BAD_REQUEST_PATH), 400);
    assert_string_equal(err_message(ERR_BAD_REQUEST_PATH),
                        "Specified request cannot be processed.");
    assert_int_equal(err_status(ERR_METHOD_NOT_ALLOWED), 405);
    assert_string_equal(err_message(ERR_METHOD_NOT_ALLOWED),
                        "The %1 HTTP method is not supported.");
    assert_int_equal(err_status(ERR_NOT_AUTHORIZED), 401);
    assert_string_equal(err_message(ERR_NOT_AUTHORIZED),
                        "The consumer isn't authorized to access %resources.");
    assert_int_equal(err_status(ERR_SIGN_IN), 401);
    assert_string_equal(err_message(ERR_SIGN_IN),
                        "The account sign-in was incorrect or your account is disabled "
                        "temporarily. Please wait and try again later.");
    assert_int_equal(err_status(ERR_REQUIRED_FIELD), 400);
    assert_string_equal(err_message(ERR_REQUIRED_FIELD),
                        "\"%fieldName\" is required. Enter and try again.");
    assert_int_equal(err_status(ERR_NOT_ACCEPTABLE), 406);
    assert_int_equal(err_status(ERR_BODY_TOO_LARGE), 413);
    assert_int_equal(err_status(ERR_URI_TOO_LONG), 414);
    assert_int_equal(err_status(ERR_HEADERS_TOO_LARGE), 431);
    assert_int_equal(err_status(ERR_INTERNAL), 500);
    assert_int_equal(err_status(ERR_UNAVAILABLE), 503);
    assert_int_equal(err_status(ERR_DB_BUSY), 503);
    assert_int_equal(err_status(ERR_DB_CONSTRAINT), 400);
    assert_int_equal(err_status(ERR_OAUTH_SIGNATURE), 401);
    assert_string_equal(err_message(ERR_OAUTH_SIGNATURE),
                        "The signature is invalid. Verify and try again.");
    assert_int_equal(err_status(ERR_OAUTH_SIG_METHOD), 400);
    assert_string_equal(err_name(ERR_OAUTH_REVOKED), "OAUTH_REVOKED");

    /* Out of range values do not index past the table. */
    assert_int_equal(err_status(ERR__COUNT), 500);
    assert_int_equal(err_status((enum err) - 1), 500);
    assert_string_equal(err_name(ERR__COUNT), "UNKNOWN");
    assert_string_equal(err_message(ERR__COUNT), "Unknown error.");

    for (int e = 0; e < ERR__COUNT; e++) {
        const char *name = err_name((enum err)e);
        assert_non_null(name);
        if (!name[0])
            fail_msg("error %d has an empty name", e);
        assert_non_null(err_message((enum err)e));
        int status = err_status((enum err)e);
        if (e == ERR_OK)
            continue;
        if (!err_message((enum err)e)[0])
            fail_msg("ERR_%s has an empty message", name);
        if (status < 400 || status > 599)
            fail_msg("ERR_%s has status %d", name, status);
        /* names are unique */
        for (int k = 0; k < e; k++)
            if (strcmp(name, err_name((enum err)k)) == 0)
                fail_msg("ERR_%s appears twice", name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_basics),
        cmocka_unit_test(test_str_cut),
        cmocka_unit_test(test_str_trim),
        cmocka_unit_test(test_str_to_i64),
        cmocka_unit_test(test_str_utf8_valid),
        cmocka_unit_test(test_arena_many_allocations),
        cmocka_unit_test(test_arena_alignment),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_arena_large),
        cmocka_unit_test(test_arena_cleanups),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_json_str),
        cmocka_unit_test(test_buf_json_str_always_valid),
        cmocka_unit_test(test_pct_decode),
        cmocka_unit_test(test_pct_encode),
        cmocka_unit_test(test_err_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
