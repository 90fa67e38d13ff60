/* Magento_Store: websites, store groups and store views, and the store configs built from them.
 * The structure is read into a per-thread cache (it changes only through store:view:create and
 * setup), re-read when cache_version 'store' moves. The JSON writers produce Magento's shapes
 * directly into a buffer. */
#ifndef SG_STORE_STORE_H
#define SG_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/store_config.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define STORE_CODE_MAX 32
#define STORE_NAME_MAX 255

struct store_view {
    int64_t id, website_id, group_id, sort_order;
    bool active;
    char code[STORE_CODE_MAX + 1];
    char name[STORE_NAME_MAX + 1];
};

struct store_cache;

struct store_cache *store_cache_new(void);
void store_cache_free(struct store_cache *c);
/* Re-reads the structure when changed (see store_config_sync) and its version moved. */
enum err store_cache_sync(struct store_cache *c, struct db *db, bool changed);
/* store_cache_sync() with cache_version 'store' already read. */
enum err store_cache_sync_version(struct store_cache *c, struct db *db, int64_t version);
/* The store view with this code, admin (id 0) excluded as Magento's path processor does. */
const struct store_view *store_find_code(const struct store_cache *c, struct str code);
const struct store_view *store_find_id(const struct store_cache *c, int64_t id);
/* The default store view of the default website (what /rest/V1/... uses). */
const struct store_view *store_default_view(const struct store_cache *c);

/* GET /V1/store/storeViews, storeGroups, websites. */
void store_json_views(const struct store_cache *c, struct buf *out);
void store_json_groups(const struct store_cache *c, struct buf *out);
void store_json_websites(const struct store_cache *c, struct buf *out);
/* GET /V1/store/storeConfigs: every store view but admin, or those whose code is in codes
 * (ncodes > 0). fallback_base_url is the deployment base URL (with trailing slash). */
void store_json_configs(const struct store_cache *c, const struct store_config *cfg,
                        const char *fallback_base_url, const struct str *codes, size_t ncodes,
                        struct buf *out);

/* Checks a store code as Magento does; writes the problem into err. */
bool store_code_valid(const char *code, char *err, size_t errlen);
/* Adds a store view to a group (its website comes from the group); ERR_EXISTS for a taken code,
 * ERR_NOT_FOUND for an unknown group. Bumps the store cache version. */
enum err store_view_create(struct db *db, const char *code, const char *name, int64_t group_id,
                           int64_t sort_order, bool active, int64_t *id);

#endif
