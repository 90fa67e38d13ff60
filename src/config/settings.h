/* Deployment settings: where the database is, what to listen on, limits. One declarative table
 * (settings.c) gives each setting its type, default, bounds and flags. Sources, later ones win:
 * defaults, var/env.ini, environment (STOREGATE_<NAME>), command-line flags. Immutable once the
 * server starts. */
#ifndef SG_CONFIG_SETTINGS_H
#define SG_CONFIG_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SETTINGS_STR_MAX 1024

/* clang-format off */
/* X(name, kind, default, min, max, flags, help) — kind S (string) or I (integer). */
#define SG_SETTINGS(X)                                                                            \
    X(db_url,           S, "",                 0, 0,          0,             "database URL: sqlite:PATH") \
    X(key_file,         S, "",                 0, 0,          0,             "install key file (mode 0600)") \
    X(base_url,         S, "http://127.0.0.1:8080/", 0, 0,    0,             "store base URL, with a trailing slash") \
    X(listen,           S, "127.0.0.1:8080",   0, 0,          0,             "HOST:PORT the server listens on") \
    X(threads,          I, "0",                0, 256,        0,             "worker threads (0: one per core)") \
    X(db_pool_size,     I, "0",                0, 1024,       0,             "database connections the worker threads share (0: one per thread)") \
    X(blocking_threads, I, "2",                1, 64,         0,             "threads for blocking work (callbacks, hashing)") \
    X(tls_cert,         S, "",                 0, 0,          0,             "TLS certificate chain (PEM)") \
    X(tls_key,          S, "",                 0, 0,          SETTING_SECRET_PATH, "TLS private key (PEM)") \
    X(trusted_proxies,  S, "",                 0, 0,          0,             "comma-separated addresses/CIDRs whose X-Forwarded-* are trusted") \
    X(max_body_bytes,   I, "8388608",          1024, 1073741824, 0,          "largest request body accepted") \
    X(max_header_bytes, I, "16384",            1024, 262144,  0,             "largest total request header size") \
    X(max_url_bytes,    I, "8192",             256, 65536,    0,             "longest request target") \
    X(shutdown_timeout, I, "10",               1, 600,        0,             "seconds in-flight requests get on SIGTERM") \
    X(integrations_file, S, "",                0, 0,          0,             "integrations declared for setup:upgrade (default <var>/integrations.json)") \
    X(nonce_sync,       I, "1",                0, 1,          0,             "SQLite stores: 1 answers a signed request once its nonce is on the disk (survives power loss), 0 once written (survives kill -9, not power loss)") \
    X(nonce_lease,      I, "2",                0, 60,         0,             "SQLite stores, nonce_sync 1: seconds of a consumer's timestamps covered by a synced lease, under which a signed request is answered once its nonce is written; after a power loss the consumer's timestamps up to its lease's end are refused; 0: every answer waits for its nonce's sync") \
    X(nonce_writers,    I, "2",                1, 8,          0,             "SQLite stores, nonce_sync 1, nonce_lease 0: threads writing the nonce journal with direct synchronous writes (more: writes overlap, shorter waits, more and smaller writes)") \
    X(cleanup_interval, I, "60",               1, 86400,      0,             "seconds between cleanups of expired tokens and nonces") \
    X(log_level,        S, "info",             0, 0,          0,             "debug, info, warn or error") \
    X(access_log,       S, "stderr",           0, 0,          0,             "stderr, off, or a file path")
/* clang-format on */

enum { SETTING_SECRET_PATH = 1 };

struct settings {
    char var_dir[SETTINGS_STR_MAX];
#define SG_SETTING_FIELD_S(name) char name[SETTINGS_STR_MAX];
#define SG_SETTING_FIELD_I(name) int64_t name;
#define SG_SETTING_FIELD(name, kind, def, min, max, flags, help) SG_SETTING_FIELD_##kind(name)
    SG_SETTINGS(SG_SETTING_FIELD)
#undef SG_SETTING_FIELD
#undef SG_SETTING_FIELD_S
#undef SG_SETTING_FIELD_I
};

/* Fills defaults, reads <var_dir>/env.ini when present, then the environment. Derived defaults:
 * db_url = sqlite:<var>/storegate.db, key_file = <var>/storegate.key, threads = cores. On error,
 * writes a message into err and returns false. */
bool settings_load(struct settings *s, const char *var_dir, char *err, size_t errlen);
/* Sets one setting by name from text (flags); false with a message on a bad name or value. */
bool settings_set(struct settings *s, const char *name, const char *value, char *err,
                  size_t errlen);
/* Prints "name = value (source)" lines; secrets masked. */
void settings_print(const struct settings *s, FILE *out);
/* Writes the settings that setup:install fixes (db_url, key_file, base_url) into env.ini. */
bool settings_write_ini(const struct settings *s, const char *path);
/* Path of a file inside var_dir. */
void settings_var_path(const struct settings *s, const char *name, char *out, size_t outlen);

#endif
