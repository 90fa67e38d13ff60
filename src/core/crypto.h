/* Crypto wrappers over libsodium and OpenSSL: the CSPRNG, Magento-format random strings, SHA-256,
 * constant-time comparison, Argon2id password hashes and the secret box that encrypts stored
 * secrets with the install key. */
#ifndef SG_CORE_CRYPTO_H
#define SG_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

#define CRYPTO_KEY_BYTES 32
#define CRYPTO_TOKEN_LEN 32
#define CRYPTO_PWHASH_LEN 128 /* crypto_pwhash_STRBYTES */

/* Must run once before any other call (sodium_init). Returns ERR_CRYPTO on failure. */
enum err crypto_init(void);
void crypto_random(void *out, size_t len);
/* 32 characters from [0-9a-z], uniformly (Magento 2.4's Math\Random), NUL-terminated. */
void crypto_random_token(char out[CRYPTO_TOKEN_LEN + 1]);
/* Random string over [A-Za-z0-9] of len characters (passwords), NUL-terminated. */
void crypto_random_alnum(char *out, size_t len);
/* Lower-case hex SHA-256 of s into out (65 bytes with the NUL). */
void crypto_sha256_hex(struct str s, char out[65]);
/* Constant-time equality of two slices (the length is not secret). */
bool crypto_eq(struct str a, struct str b);
/* BLAKE2b of in (unkeyed), outlen bytes (16..64): fingerprints and checksums, not secrets. */
void crypto_digest(const void *in, size_t len, void *out, size_t outlen);
/* Wipes memory the compiler may not optimise away. */
void crypto_wipe(void *p, size_t len);
/* Argon2id with libsodium's interactive limits; out holds the encoded hash string. */
enum err crypto_password_hash(struct str password, char out[CRYPTO_PWHASH_LEN]);
bool crypto_password_verify(const char *hash, struct str password);

/* The install key (32 random bytes, hex in a 0600 file). */
struct crypto_key {
    unsigned char k[CRYPTO_KEY_BYTES];
};
enum err crypto_key_create(const char *path);
enum err crypto_key_load(const char *path, struct crypto_key *key);
/* Encrypts plain with XChaCha20-Poly1305 (secretbox) into "v1:<base64(nonce|box)>" in arena memory.
 */
char *crypto_seal(struct arena *a, const struct crypto_key *key, struct str plain);
/* Opens what crypto_seal made; false if tampered or not sealed with this key. */
bool crypto_open(struct arena *a, const struct crypto_key *key, struct str sealed,
                 struct str *plain);
/* The two halves of crypto_open(): the sealed text to its bytes (at most sealed.len - 3 of them,
 * into raw; false if it is not a sealed text), and those bytes opened. A cache may keep the
 * bytes and open them on each use without decoding the text again. */
bool crypto_unwrap(struct str sealed, unsigned char *raw, size_t max, size_t *raw_len);
bool crypto_open_raw(struct arena *a, const struct crypto_key *key, const unsigned char *raw,
                     size_t raw_len, struct str *plain);

#endif
