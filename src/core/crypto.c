/* Crypto wrappers (see crypto.h). */
#include "core/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum err crypto_init(void)
{
    return sodium_init() < 0 ? ERR_CRYPTO : ERR_OK;
}

void crypto_random(void *out, size_t len)
{
    randombytes_buf(out, len);
}

void crypto_random_token(char out[CRYPTO_TOKEN_LEN + 1])
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (size_t i = 0; i < CRYPTO_TOKEN_LEN; i++)
        out[i] = alphabet[randombytes_uniform(36)];
    out[CRYPTO_TOKEN_LEN] = '\0';
}

void crypto_random_alnum(char *out, size_t len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[randombytes_uniform(62)];
    out[len] = '\0';
}

void crypto_sha256_hex(struct str s, char out[65])
{
    /* libsodium's: OpenSSL 3's one-shot SHA256() looks its algorithm up on every call */
    unsigned char md[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(md, (const unsigned char *)s.p, s.len);
    sodium_bin2hex(out, 65, md, sizeof(md));
}

bool crypto_eq(struct str a, struct str b)
{
    if (a.len != b.len)
        return false;
    return a.len == 0 || sodium_memcmp(a.p, b.p, a.len) == 0;
}

void crypto_digest(const void *in, size_t len, void *out, size_t outlen)
{
    crypto_generichash(out, outlen, in, len, NULL, 0);
}

void crypto_wipe(void *p, size_t len)
{
    sodium_memzero(p, len);
}

enum err crypto_password_hash(struct str password, char out[CRYPTO_PWHASH_LEN])
{
    if (crypto_pwhash_str_alg(out, password.p, password.len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ERR_CRYPTO;
    return ERR_OK;
}

bool crypto_password_verify(const char *hash, struct str password)
{
    return crypto_pwhash_str_verify(hash, password.p, password.len) == 0;
}

enum err crypto_key_create(const char *path)
{
    unsigned char k[CRYPTO_KEY_BYTES];
    char hex[CRYPTO_KEY_BYTES * 2 + 2];
    randombytes_buf(k, sizeof(k));
    sodium_bin2hex(hex, CRYPTO_KEY_BYTES * 2 + 1, k, sizeof(k));
    hex[CRYPTO_KEY_BYTES * 2] = '\n';
    hex[CRYPTO_KEY_BYTES * 2 + 1] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return ERR_IO;
    size_t len = strlen(hex);
    ssize_t w = write(fd, hex, len);
    int rc = fsync(fd);
    close(fd);
    sodium_memzero(k, sizeof(k));
    sodium_memzero(hex, sizeof(hex));
    return (w == (ssize_t)len && rc == 0) ? ERR_OK : ERR_IO;
}

enum err crypto_key_load(const char *path, struct crypto_key *key)
{
    char hex[CRYPTO_KEY_BYTES * 2 + 8];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ERR_IO;
    ssize_t n = read(fd, hex, sizeof(hex) - 1);
    close(fd);
    if (n < CRYPTO_KEY_BYTES * 2)
        return ERR_CRYPTO;
    size_t bin_len = 0;
    int rc = sodium_hex2bin(key->k, sizeof(key->k), hex, (size_t)n, "\n\r ", &bin_len, NULL);
    sodium_memzero(hex, sizeof(hex));
    return (rc == 0 && bin_len == CRYPTO_KEY_BYTES) ? ERR_OK : ERR_CRYPTO;
}

char *crypto_seal(struct arena *a, const struct crypto_key *key, struct str plain)
{
    size_t raw_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.len;
    unsigned char *raw = arena_alloc(a, raw_len);
    randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain.p,
                          plain.len, raw, key->k);
    size_t b64_len = sodium_base64_ENCODED_LEN(raw_len, sodium_base64_VARIANT_ORIGINAL);
    char *out = arena_alloc(a, 3 + b64_len);
    memcpy(out, "v1:", 3);
    sodium_bin2base64(out + 3, b64_len, raw, raw_len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

bool crypto_unwrap(struct str sealed, unsigned char *raw, size_t max, size_t *raw_len)
{
    *raw_len = 0;
    return str_starts(sealed, STR_LIT("v1:")) &&
           sodium_base642bin(raw, max, sealed.p + 3, sealed.len - 3, NULL, raw_len, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0;
}

bool crypto_open_raw(struct arena *a, const struct crypto_key *key, const unsigned char *raw,
                     size_t raw_len, struct str *plain)
{
    if (raw_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return false;
    size_t len = raw_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *out = arena_alloc(a, len + 1);
    if (crypto_secretbox_open_easy((unsigned char *)out, raw + crypto_secretbox_NONCEBYTES,
                                   raw_len - crypto_secretbox_NONCEBYTES, raw, key->k) != 0)
        return false;
    out[len] = '\0';
    *plain = (struct str){out, len};
    return true;
}

bool crypto_open(struct arena *a, const struct crypto_key *key, struct str sealed,
                 struct str *plain)
{
    size_t max = sealed.len, raw_len = 0;
    unsigned char *raw = arena_alloc(a, max ? max : 1);
    return crypto_unwrap(sealed, raw, max, &raw_len) &&
           crypto_open_raw(a, key, raw, raw_len, plain);
}
