/* The catalog's change counter and each worker's cache of product answers.
 *
 * cache_version 'catalog' moves (catalog_touch) in every transaction that changes what a product
 * answer shows: product and stock saves, deletes, category changes (links), stock taken or given
 * back by orders, sample data. A worker reads it with the other cache versions whenever the
 * database may have changed (another connection committed, its own connection wrote, or always on
 * PostgreSQL), so a cached answer stamped with an older version is never served: every node sees
 * a save at once. */
#ifndef SG_CATALOG_CACHE_H
#define SG_CATALOG_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/str.h"
#include "db/db.h"

/* Moves the catalog version, inside the caller's write transaction. */
enum err catalog_touch(struct db *db);

struct product_cache;
struct product_cache *product_cache_new(void);
void product_cache_free(struct product_cache *c); /* NULL is a no-op */

/* The catalog version just read (-1: unknown, nothing is served) and the connection's write
 * count at that moment. */
void product_cache_sync(struct product_cache *c, int64_t version, int64_t writes);
/* The write count of the last sync: another count means the version must be read again. */
int64_t product_cache_writes(const struct product_cache *c);

/* Appends the cached answer for (sku, store, flags) to out: false when there is none for the
 * current version. */
bool product_cache_get(struct product_cache *c, struct str sku, int64_t store_id, int flags,
                       struct buf *out);
/* Keeps an answer built under the current version (too large ones are not kept). */
void product_cache_put(struct product_cache *c, struct str sku, int64_t store_id, int flags,
                       struct str json);

/* Counts of product lists (total_count), by key (the count query and its values), under the
 * current version: paging through a list counts its matches once. */
bool product_cache_count_get(struct product_cache *c, struct str key, int64_t *total);
void product_cache_count_put(struct product_cache *c, struct str key, int64_t total);

#endif
