/* Unit tests for src/core/crypto.c: random tokens, SHA-256, constant-time equality, the install key
 * file, the secret box and Argon2id password hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/crypto.h"

#include "testutil.h"

static int group_setup(void **state)
{
    (void)state;
    return crypto_init() == ERR_OK ? 0 : -1;
}

static void test_random_token(void **state)
{
    (void)state;
    char prev[CRYPTO_TOKEN_LEN + 1] = "";
    bool seen[36] = {false};
    for (int round = 0; round < 200; round++) {
        char tok[CRYPTO_TOKEN_LEN + 1];
        memset(tok, 'X', sizeof(tok));
        crypto_random_token(tok);
        assert_int_equal(strlen(tok), 32);
        for (size_t i = 0; i < 32; i++) {
            char c = tok[i];
            bool digit = c >= '0' && c <= '9', lower = c >= 'a' && c <= 'z';
            if (!digit && !lower)
                fail_msg("token \"%s\" has character 0x%02x", tok, (unsigned char)c);
            seen[digit ? c - '0' : 10 + c - 'a'] = true;
        }
        assert_string_not_equal(tok, prev);
        memcpy(prev, tok, sizeof(tok));
    }
    /* 6400 draws: every one of the 36 characters shows up. */
    for (int i = 0; i < 36; i++)
        assert_true(seen[i]);

    char pw[21];
    crypto_random_alnum(pw, 20);
    assert_int_equal(strlen(pw), 20);
    for (size_t i = 0; i < 20; i++)
        assert_true((pw[i] >= '0' && pw[i] <= '9') || (pw[i] >= 'a' && pw[i] <= 'z') ||
                    (pw[i] >= 'A' && pw[i] <= 'Z'));
}

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    /* FIPS 180-2 appendix B.1 and B.2, and the empty message. */
    crypto_sha256_hex(STR_LIT("abc"), hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_sha256_hex(STR_LIT(""), hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    crypto_sha256_hex(STR_LIT("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* Only len bytes are hashed. */
    crypto_sha256_hex(str_n("abcdef", 3), hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_crypto_eq(void **state)
{
    (void)state;
    assert_true(crypto_eq(STR_LIT("secret"), STR_LIT("secret")));
    assert_true(crypto_eq(STR_LIT(""), STR_NULL));
    assert_false(crypto_eq(STR_LIT("secret"), STR_LIT("secreT")));
    assert_false(crypto_eq(STR_LIT("Secret"), STR_LIT("secret")));
    assert_false(crypto_eq(STR_LIT("secret"), STR_LIT("secret2")));
    assert_false(crypto_eq(STR_LIT("secret"), STR_LIT("")));
    assert_true(crypto_eq(str_n("ab\0c", 4), str_n("ab\0c", 4)));
    assert_false(crypto_eq(str_n("ab\0c", 4), str_n("ab\0d", 4)));
}

static void test_key_file(void **state)
{
    (void)state;
    char dir[64], path[128];
    tmpdir_make(dir);
    snprintf(path, sizeof(path), "%s/storegate.key", dir);

    struct crypto_key k1, k2;
    assert_int_equal(crypto_key_load(path, &k1), ERR_IO); /* missing */
    assert_int_equal(crypto_key_create(path), ERR_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 65);                  /* 64 hex digits and a newline */
    assert_int_equal(crypto_key_create(path), ERR_IO); /* never overwrites a key */
    assert_int_equal(crypto_key_load(path, &k1), ERR_OK);
    assert_int_equal(crypto_key_load(path, &k2), ERR_OK);
    assert_memory_equal(k1.k, k2.k, sizeof(k1.k));

    write_file(path, "not hex at all, not hex at all, not hex at all, not hex at all!!!\n", 65);
    assert_int_equal(crypto_key_load(path, &k1), ERR_CRYPTO);
    write_file(path, "abcd\n", 5);
    assert_int_equal(crypto_key_load(path, &k1), ERR_CRYPTO);
    tmpdir_remove(dir);
}

static void test_seal_open(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct crypto_key key, other;
    crypto_random(key.k, sizeof(key.k));
    crypto_random(other.k, sizeof(other.k));

    static const char plain[] = "consumer secret: 0123456789abcdef";
    char *sealed = crypto_seal(a, &key, STR_LIT(plain));
    assert_non_null(sealed);
    assert_memory_equal(sealed, "v1:", 3);
    assert_null(strstr(sealed, "consumer"));

    struct str out = STR_NULL;
    assert_true(crypto_open(a, &key, str_c(sealed), &out));
    assert_slice(out, plain);
    assert_int_equal(out.p[out.len], '\0');

    /* Two seals of the same text differ (random nonce) and both open. */
    char *sealed2 = crypto_seal(a, &key, STR_LIT(plain));
    assert_string_not_equal(sealed, sealed2);
    assert_true(crypto_open(a, &key, str_c(sealed2), &out));
    assert_slice(out, plain);

    /* Wrong key. */
    assert_false(crypto_open(a, &other, str_c(sealed), &out));

    /* Every changed character of the base64 body is detected (the last one may only carry
     * padding bits, so it is left out). */
    size_t len = strlen(sealed);
    char *bad = arena_strdup(a, sealed);
    for (size_t i = 3; i + 2 < len; i++) {
        char saved = bad[i];
        bad[i] = saved == 'A' ? 'B' : 'A';
        if (crypto_open(a, &key, str_n(bad, len), &out))
            fail_msg("a change at offset %zu was not detected", i);
        bad[i] = saved;
    }

    /* Truncated, emptied, not sealed at all. */
    assert_false(crypto_open(a, &key, str_n(sealed, len - 4), &out));
    assert_false(crypto_open(a, &key, STR_LIT("v1:"), &out));
    assert_false(crypto_open(a, &key, STR_LIT("v1:AAAA"), &out));
    assert_false(crypto_open(a, &key, str_c(sealed + 3), &out));
    assert_false(crypto_open(a, &key, STR_LIT("v2:abcd"), &out));
    assert_false(crypto_open(a, &key, STR_LIT("v1:!!!not base64!!!"), &out));

    /* The empty text round-trips. */
    char *empty = crypto_seal(a, &key, STR_LIT(""));
    assert_true(crypto_open(a, &key, str_c(empty), &out));
    assert_int_equal(out.len, 0);
    arena_free(a);
}

static void test_password(void **state)
{
    (void)state;
    /* One hash only: Argon2id with the interactive limits takes a while on purpose. */
    char hash[CRYPTO_PWHASH_LEN];
    assert_int_equal(crypto_password_hash(STR_LIT("correct horse battery"), hash), ERR_OK);
    assert_non_null(memchr(hash, '\0', sizeof(hash)));
    assert_memory_equal(hash, "$argon2id$", 10);
    assert_null(strstr(hash, "correct"));
    assert_true(crypto_password_verify(hash, STR_LIT("correct horse battery")));
    assert_false(crypto_password_verify(hash, STR_LIT("correct horse batterY")));
    assert_false(crypto_password_verify(hash, STR_LIT("")));
    assert_false(crypto_password_verify("$argon2id$garbage", STR_LIT("correct horse battery")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_token), cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_crypto_eq),    cmocka_unit_test(test_key_file),
        cmocka_unit_test(test_seal_open),    cmocka_unit_test(test_password),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
