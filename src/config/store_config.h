/* Store configuration: Magento's core_config_data rows (path, scope, scope_id, value), with the
 * defaults of the paths storegate knows (Magento's config.xml values), read through a per-thread
 * cache. The cache stays correct while the server runs: every write bumps cache_version 'config'
 * in its transaction, and store_config_sync() reloads when the version moved (checked only when
 * the connection reports another writer committed, so a quiet database costs no query). */
#ifndef SG_CONFIG_STORE_CONFIG_H
#define SG_CONFIG_STORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"

struct store_config;

enum config_scope { SCOPE_DEFAULT, SCOPE_WEBSITES, SCOPE_STORES };

struct store_config *store_config_new(void);
void store_config_free(struct store_config *c);
/* Brings the cache up to date with the database. changed: what db_changed() said for this
 * request (the caller asks once and hands the answer to every cache); false costs nothing. */
enum err store_config_sync(struct store_config *c, struct db *db, bool changed);
/* Forces the next sync to reload (after this thread's own writes). */
void store_config_invalidate(struct store_config *c);
/* Effective value for a store view: stores scope, then its website, then default, then the
 * built-in default. store_id < 0 means default scope only. NULL for an unknown path. */
const char *store_config_get(const struct store_config *c, const char *path, int64_t store_id);
int64_t store_config_get_int(const struct store_config *c, const char *path, int64_t store_id);
bool store_config_get_bool(const struct store_config *c, const char *path, int64_t store_id);

/* Reads cache_version's row for a cache ("config", "store", "catalog"). */
enum err cache_version_read(struct db *db, const char *name, int64_t *version);
/* The three rows in one query (one round trip per request on PostgreSQL); -1 for a missing row. */
enum err cache_versions_read(struct db *db, int64_t *config, int64_t *store, int64_t *catalog);
/* store_config_sync() with the version already read. */
enum err store_config_sync_version(struct store_config *c, struct db *db, int64_t version);
/* True if path is one storegate knows (config:set refuses others). */
bool store_config_known(const char *path);
/* Checks value against the path's type and bounds; on failure writes a message. */
bool store_config_validate(const char *path, const char *value, enum config_scope scope, char *err,
                           size_t errlen);
/* Writes one row (upsert) and bumps the config version, in one transaction. */
enum err store_config_set(struct db *db, const char *path, enum config_scope scope,
                          int64_t scope_id, const char *value);
/* Prints "path - value" for every known path at default scope plus every stored row. */
enum err store_config_print(struct db *db, const char *only_path, FILE *out);
const char *store_config_scope_name(enum config_scope scope);

#endif
