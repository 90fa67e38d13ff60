/* OAuth 1.0a signatures: RFC 5849's examples, the reference's Appendix A vectors (Magento's
 * variant), vectors computed by python3-oauthlib (tests/vectors/oauth.txt says how), and the
 * parsing rules of the Authorization header and the query. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/pct.h"
#include "oauth/signature.h"

static struct arena *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

static void add(struct oauth_params *p, const char *k, const char *v)
{
    assert_true(oauth_params_add(p, A, str_c(k), str_c(v)));
}

static void assert_str(struct str got, const char *want)
{
    char *g = arena_cstr(A, got);
    assert_string_equal(g, want);
}

/* RFC 5849 section 1.2 (GET photos), with oauth_version; expected values from oauthlib. */
static void test_rfc_photos(void **state)
{
    (void)state;
    struct oauth_params p;
    oauth_params_init(&p, A);
    assert_true(oauth_header_parse(
        A,
        STR_LIT("OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", "
                "oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"HMAC-SHA1\", "
                "oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", oauth_version=\"1.0\", "
                "oauth_signature=\"xyz\""),
        &p));
    oauth_query_params(A, STR_LIT("file=vacation.jpg&size=original"), OAUTH_RFC, &p);
    struct str base = oauth_base_string(A, STR_LIT("GET"), false, STR_LIT("photos.example.net"),
                                        STR_LIT("/photos"), &p, OAUTH_RFC);
    assert_str(base, "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_"
                     "consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_"
                     "method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%"
                     "3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal");
    assert_str(oauth_sign(A, OAUTH_HMAC_SHA1, STR_LIT("kd94hf93k423kf44"),
                          STR_LIT("pfkkdhi9sl3r4s00"), base),
               "1IAE9RzK+DqSqVTdQ/0zWANXVzs=");
}

/* RFC 5849 section 3.4.1.1: query, form body (a value-less "c2"), duplicate keys sorted by
 * value, realm excluded. */
static void test_rfc_request_example(void **state)
{
    (void)state;
    struct oauth_params p;
    oauth_params_init(&p, A);
    assert_true(oauth_header_parse(
        A,
        STR_LIT("OAuth realm=\"Example\",oauth_consumer_key=\"9djdj82h48djs9d2\","
                "oauth_token=\"kkk9d7dh3k39sjv7\",oauth_signature_method=\"HMAC-SHA1\","
                "oauth_timestamp=\"137131201\",oauth_nonce=\"7d8f3e4a\","
                "oauth_signature=\"bYT5CMsGcbgUdFHObYMEfcx6bsw%3D\""),
        &p));
    oauth_form_params(A, STR_LIT("c2&a3=2+q"), &p);
    oauth_query_params(A, STR_LIT("b5=%3D%253D&a3=a&c%40=&a2=r%20b"), OAUTH_RFC, &p);
    struct str base = oauth_base_string(A, STR_LIT("POST"), false, STR_LIT("example.com"),
                                        STR_LIT("/request"), &p, OAUTH_RFC);
    assert_str(base, "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%"
                     "3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%"
                     "3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%"
                     "3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%"
                     "3Dkkk9d7dh3k39sjv7");
    assert_str(
        oauth_sign(A, OAUTH_HMAC_SHA256, STR_LIT("j49sk3j29djd"), STR_LIT("dh893hdasih9"), base),
        "lIfydhbOitvsm4DvUwgM0NdR1Mzd08HnXI+q+EG0QKo=");
}

/* UTF-8, reserved characters, an empty value, digit runs that sort differently, the default port
 * and an encoded slash kept as sent: the RFC way (oauthlib). */
static void test_rfc_edge_cases(void **state)
{
    (void)state;
    struct oauth_params p;
    oauth_params_init(&p, A);
    add(&p, "oauth_consumer_key", "k");
    add(&p, "oauth_nonce", "n");
    add(&p, "oauth_signature_method", "HMAC-SHA256");
    add(&p, "oauth_timestamp", "1");
    add(&p, "oauth_version", "1.0");
    oauth_query_params(A, STR_LIT("q=caf%C3%A9+%26+%2B%2F%3F&empty=&a%5B10%5D=x&a%5B2%5D=y"),
                       OAUTH_RFC, &p);
    struct str base = oauth_base_string(A, STR_LIT("get"), true, STR_LIT("Shop.Example.com:443"),
                                        STR_LIT("/rest/V1/products/a%2Fb"), &p, OAUTH_RFC);
    assert_str(base, "GET&https%3A%2F%2Fshop.example.com%2Frest%2FV1%2Fproducts%2Fa%252Fb&a%"
                     "255B10%255D%3Dx%26a%255B2%255D%3Dy%26empty%3D%26oauth_consumer_key%3Dk%"
                     "26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA256%26oauth_"
                     "timestamp%3D1%26oauth_version%3D1.0%26q%3Dcaf%25C3%25A9%2520%2526%2520%"
                     "252B%252F%253F");
    assert_str(oauth_sign(A, OAUTH_HMAC_SHA256, STR_LIT("cs"), STR_LIT("ts"), base),
               "88Evwo+YE3UTiGH9d50eM1F5tnrMHGaQmJftDAEwstg=");
}

static void appendix_params(struct oauth_params *p, const char *nonce, bool token)
{
    oauth_params_init(p, A);
    add(p, "oauth_consumer_key", "k0n5umerk3y000000000000000000001");
    add(p, "oauth_nonce", nonce);
    add(p, "oauth_signature_method", "HMAC-SHA256");
    add(p, "oauth_timestamp", "1500000000");
    if (token)
        add(p, "oauth_token", "acce55t0ken00000000000000000001a");
    add(p, "oauth_version", "1.0");
}

/* Reference Appendix A1: the request-token step (key ends with '&'). */
static void test_appendix_a1(void **state)
{
    (void)state;
    struct oauth_params p;
    appendix_params(&p, "n0nce0001", false);
    struct str base = oauth_base_string(A, STR_LIT("POST"), true, STR_LIT("shop.example.com"),
                                        STR_LIT("/oauth/token/request"), &p, OAUTH_MAGENTO);
    assert_str(oauth_sign(A, OAUTH_HMAC_SHA256, STR_LIT("c0n5umer5ecret000000000000000001"),
                          STR_LIT(""), base),
               "16anGeRDVJb1hBbzNucyYSfGlAdCTw3b1aq66jxf3tA=");
}

/* Reference Appendix A2: bracketed searchCriteria keys, %25 in a value, port 443 removed. */
static void test_appendix_a2(void **state)
{
    (void)state;
    struct oauth_params p;
    appendix_params(&p, "n0nce0002", true);
    oauth_query_params(A,
                       STR_LIT("searchCriteria[filter_groups][0][filters][0][field]=sku&"
                               "searchCriteria[filter_groups][0][filters][0][value]=24-MB%25&"
                               "searchCriteria[filter_groups][0][filters][0][condition_type]="
                               "like&searchCriteria[pageSize]=10"),
                       OAUTH_MAGENTO, &p);
    struct str base = oauth_base_string(A, STR_LIT("GET"), true, STR_LIT("Shop.Example.com:443"),
                                        STR_LIT("/rest/default/V1/products"), &p, OAUTH_MAGENTO);
    struct str cs = STR_LIT("c0n5umer5ecret000000000000000001");
    struct str ts = STR_LIT("acce55t0ken5ecret000000000000001");
    assert_str(oauth_sign(A, OAUTH_HMAC_SHA256, cs, ts, base),
               "KcYonbKW2H5IFMuhmYSLWm4NLdlPRS2xlVsG7RpQmQo=");
    assert_str(oauth_sign(A, OAUTH_HMAC_SHA1, cs, ts, base), "HnaMnx8aUH6o83an4wVsi/W3fjY=");
}

/* Reference Appendix A3 and PHP's strnatcmp. */
static void test_natural_order(void **state)
{
    (void)state;
    assert_true(oauth_natcmp(STR_LIT("a%5B1%5D"), STR_LIT("a%5B2%5D")) < 0);
    assert_true(oauth_natcmp(STR_LIT("a%5B2%5D"), STR_LIT("a%5B10%5D")) < 0);
    assert_true(oauth_natcmp(STR_LIT("a%5B10%5D"), STR_LIT("a%5B9%5D")) > 0);
    assert_int_equal(oauth_natcmp(STR_LIT("abc"), STR_LIT("abc")), 0);
    assert_true(oauth_natcmp(STR_LIT("ab"), STR_LIT("abc")) < 0);
    assert_true(oauth_natcmp(STR_LIT("x01"), STR_LIT("x1")) < 0); /* leading zero: left-aligned */
    assert_true(oauth_natcmp(STR_LIT("B"), STR_LIT("a")) < 0);    /* case-sensitive bytes */
    /* In Magento's variant a[2] comes before a[10]; in the RFC's, after. */
    struct oauth_params p;
    oauth_params_init(&p, A);
    oauth_query_params(A, STR_LIT("a%5B10%5D=x&a%5B2%5D=y"), OAUTH_MAGENTO, &p);
    struct str m =
        oauth_base_string(A, STR_LIT("GET"), false, STR_LIT("h"), STR_LIT("/"), &p, OAUTH_MAGENTO);
    assert_non_null(strstr(arena_cstr(A, m), "a%255B2%255D%3Dy%26a%255B10%255D%3Dx"));
    oauth_params_init(&p, A);
    oauth_query_params(A, STR_LIT("a%5B10%5D=x&a%5B2%5D=y"), OAUTH_RFC, &p);
    struct str r =
        oauth_base_string(A, STR_LIT("GET"), false, STR_LIT("h"), STR_LIT("/"), &p, OAUTH_RFC);
    assert_non_null(strstr(arena_cstr(A, r), "a%255B10%255D%3Dx%26a%255B2%255D%3Dy"));
}

/* Magento's query rules: '+' literal, pairs without '=' or with two '=' skipped, the last
 * duplicate wins, protocol names never taken from the query. */
static void test_magento_query_rules(void **state)
{
    (void)state;
    struct oauth_params p;
    oauth_params_init(&p, A);
    oauth_query_params(A, STR_LIT("a=1+2&flag&b=x=y&c=1&c=2&oauth_token=zzz"), OAUTH_MAGENTO, &p);
    assert_int_equal(p.n, 2);
    assert_str(oauth_params_get(&p, "a"), "1+2");
    assert_str(oauth_params_get(&p, "c"), "2");
    assert_false(oauth_params_has(&p, "flag"));
    assert_false(oauth_params_has(&p, "b"));
    assert_false(oauth_params_has(&p, "oauth_token"));
    /* the RFC way: '+' is a space, every pair kept */
    oauth_params_init(&p, A);
    oauth_query_params(A, STR_LIT("a=1+2&flag&c=1&c=2"), OAUTH_RFC, &p);
    assert_int_equal(p.n, 4);
    assert_str(oauth_params_get(&p, "a"), "1 2");
    assert_str(oauth_params_get(&p, "flag"), "");
}

/* Laminas normalisation: %2F in a path segment is signed as '/', dot segments removed. */
static void test_magento_path(void **state)
{
    (void)state;
    struct oauth_params p;
    oauth_params_init(&p, A);
    struct str m =
        oauth_base_string(A, STR_LIT("GET"), false, STR_LIT("h:8080"),
                          STR_LIT("/rest/V1/products/a%2Fb/./c/../d%7E"), &p, OAUTH_MAGENTO);
    assert_str(m, "GET&http%3A%2F%2Fh%3A8080%2Frest%2FV1%2Fproducts%2Fa%2Fb%2Fd~&");
    struct str r = oauth_base_string(A, STR_LIT("GET"), false, STR_LIT("h:80"),
                                     STR_LIT("/rest/V1/products/a%2Fb"), &p, OAUTH_RFC);
    assert_str(r, "GET&http%3A%2F%2Fh%2Frest%2FV1%2Fproducts%2Fa%252Fb&");
}

static void test_header_parse(void **state)
{
    (void)state;
    struct oauth_params p;
    oauth_params_init(&p, A);
    assert_false(oauth_header_parse(A, STR_LIT("Bearer abc"), &p));
    assert_false(oauth_header_parse(A, STR_LIT("OAuthoauth_nonce=\"1\""), &p));
    oauth_params_init(&p, A);
    assert_true(oauth_header_parse(
        A,
        STR_LIT("oauth realm=\"\", oauth_nonce=\"a%20b\",junk, x_oauth_foo=\"1\", "
                "oauth_token=\"\", oauth_signature=\"ab%2Bc%3D\", notoauth=\"2\""),
        &p));
    assert_str(oauth_params_get(&p, "oauth_nonce"), "a b");
    assert_str(oauth_params_get(&p, "oauth_token"), "");
    assert_true(oauth_params_has(&p, "oauth_token"));
    assert_str(oauth_params_get(&p, "oauth_signature"), "ab+c=");
    /* the name pattern is unanchored, as Magento's /oauth_[a-z_-]+/ */
    assert_true(oauth_params_has(&p, "x_oauth_foo"));
    assert_false(oauth_params_has(&p, "realm"));
    assert_false(oauth_params_has(&p, "notoauth"));
    /* the scheme is found case-insensitively */
    oauth_params_init(&p, A);
    assert_true(oauth_header_parse(A, STR_LIT("OAUTH oauth_version=1.0"), &p));
    assert_str(oauth_params_get(&p, "oauth_version"), "1.0");
}

static void test_methods(void **state)
{
    (void)state;
    assert_int_equal(oauth_method_parse(STR_LIT("HMAC-SHA1")), OAUTH_HMAC_SHA1);
    assert_int_equal(oauth_method_parse(STR_LIT("HMAC-SHA256")), OAUTH_HMAC_SHA256);
    assert_int_equal(oauth_method_parse(STR_LIT("PLAINTEXT")), OAUTH_METHOD_UNKNOWN);
    assert_int_equal(oauth_method_parse(STR_LIT("RSA-SHA1")), OAUTH_METHOD_UNKNOWN);
    assert_int_equal(oauth_method_parse(STR_LIT("hmac-sha1")), OAUTH_METHOD_UNKNOWN);
}

/* The ready-key HMAC against OpenSSL's one-shot HMAC() of the encoded key, for keys shorter than,
 * as long as and longer than the hash block (64 bytes), with reserved and non-ASCII bytes that
 * the encoding triples, and a ready key used for several messages. */
static void test_hmac_key_lengths(void **state)
{
    (void)state;
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-._~ &=+/%\xc3\xa9";
    char cs[200], ts[200], text[300];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = alphabet[(i * 11) % (sizeof(alphabet) - 1)];
    for (size_t total = 0; total < 150; total++) {
        size_t clen = total / 2, tlen = total - clen;
        for (size_t i = 0; i < clen; i++)
            cs[i] = alphabet[(i * 7 + total) % (sizeof(alphabet) - 1)];
        for (size_t i = 0; i < tlen; i++)
            ts[i] = alphabet[(i * 5 + total * 3) % (sizeof(alphabet) - 1)];
        struct str c = {cs, clen}, t = {ts, tlen};
        struct buf key;
        buf_init(&key, A, 16);
        pct_encode(&key, c);
        buf_add_ch(&key, '&');
        pct_encode(&key, t);
        for (int sha256 = 0; sha256 < 2; sha256++) {
            enum oauth_method m = sha256 ? OAUTH_HMAC_SHA256 : OAUTH_HMAC_SHA1;
            struct oauth_hmac_key ready;
            oauth_hmac_key_init(&ready, m, c, t);
            for (size_t msg_len = 0; msg_len < 300; msg_len += 61) {
                struct str msg = {text, msg_len};
                unsigned char md[EVP_MAX_MD_SIZE];
                unsigned int mdlen = 0;
                HMAC(sha256 ? EVP_sha256() : EVP_sha1(), key.p, (int)key.len,
                     (const unsigned char *)msg.p, msg.len, md, &mdlen);
                char want[80];
                EVP_EncodeBlock((unsigned char *)want, md, (int)mdlen);
                assert_str(oauth_sign(A, m, c, t, msg), want);
                assert_str(oauth_hmac_sign(A, &ready, msg), want);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_photos),          cmocka_unit_test(test_rfc_request_example),
        cmocka_unit_test(test_rfc_edge_cases),      cmocka_unit_test(test_appendix_a1),
        cmocka_unit_test(test_appendix_a2),         cmocka_unit_test(test_natural_order),
        cmocka_unit_test(test_magento_query_rules), cmocka_unit_test(test_magento_path),
        cmocka_unit_test(test_header_parse),        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_hmac_key_lengths),
    };
    return cmocka_run_group_tests_name("oauth", tests, setup, teardown);
}
