/* Products (reference section 8.1): Magento's product JSON, store-view scoped values, the
 * searchCriteria whitelist, save (create or update by SKU, as ProductRepository::save) and
 * delete. Store id 0 is the default scope; a store view's values fall back to it. The module
 * speaks JSON text for reads (no parse/dump round trip) and takes jansson objects for writes;
 * errors come back in Magento's shape through struct query_error. */
#ifndef SG_CATALOG_PRODUCT_H
#define SG_CATALOG_PRODUCT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "query/search.h"

#define PRODUCT_SKU_MAX 64

enum product_json_flag {
    PRODUCT_STOCK = 1 << 0, /* the caller may see extension_attributes.stock_item */
};

/* The list's whitelist and SQL for a store: the plain one when the store has no store-view
 * overrides of the searchable columns (so indexes serve), else one that falls back per row. */
struct product_list_sql {
    const struct sc_entity *entity;
    const char *select, *from;
};
enum err product_list_sql(struct db *db, int64_t store_id, struct product_list_sql *out);

/* Writes one product from a row of product_list_sql's select (or product_find's). */
enum err product_json_row(struct db *db, struct db_stmt *row, int64_t store_id, int flags,
                          struct arena *a, struct buf *out);

/* Writes the product with this SKU; ERR_PRODUCT_NOT_FOUND if none. */
enum err product_json_sku(struct db *db, struct str sku, int64_t store_id, int flags,
                          struct arena *a, struct buf *out);

/* Creates or updates (by product.sku) from a product object; store_id > 0 writes store-view
 * values of store-scoped attributes. *id gets the product's id. */
enum err product_save(struct db *db, json_t *product, int64_t store_id, struct arena *a,
                      int64_t *id, struct query_error *qe);

/* The same inside the caller's transaction (the catalog writer's batches). Images uploaded in
 * media_gallery_entries are stored under media->root and recorded in media, which the caller
 * settles after its commit or rollback (gallery.h); NULL refuses uploads. */
struct gallery_txn;
enum err product_save_tx(struct db *db, json_t *product, int64_t store_id, struct arena *a,
                         int64_t *id, struct query_error *qe, struct gallery_txn *media);

/* The input checks of product_save_tx() and stock_item_save_tx() alone (no database): binding of
 * the JSON body, types, unknown keys. */
enum err product_validate(struct arena *a, json_t *product, struct query_error *qe);
enum err stock_item_validate(struct arena *a, json_t *item, struct query_error *qe);

/* Deletes by SKU: ERR_PRODUCT_NOT_FOUND if none. */
enum err product_delete(struct db *db, struct str sku);

/* Magento's product types as JSON [{name, label}]. */
void product_types_json(struct buf *out);

/* /V1/products/attributes/:code: ERR_NO_SUCH_ENTITY when unknown. */
enum err product_attribute_json(struct db *db, struct str code, struct buf *out);

/* The attribute-set list (searchCriteria over attribute sets). */
extern const struct sc_entity product_attribute_set_entity;
#define PRODUCT_ATTRIBUTE_SET_SELECT                                                               \
    "SELECT attribute_set_id, attribute_set_name, sort_order, entity_type_id FROM "                \
    "eav_attribute_set"
#define PRODUCT_ATTRIBUTE_SET_FROM "FROM eav_attribute_set"
void product_attribute_set_json(struct db_stmt *row, struct buf *out);

/* Stock: the stock item JSON of a product (ERR_PRODUCT_NOT_FOUND) and its update. */
enum err stock_item_json_sku(struct db *db, struct str sku, struct buf *out);
/* The entity id of the product with this SKU (ERR_PRODUCT_NOT_FOUND when none). */
enum err product_id_by_sku(struct db *db, struct str sku, int64_t *id);
enum err stock_status_json_sku(struct db *db, struct str sku, struct buf *out);
/* Updates the stock item of the product with this SKU, inside the caller's transaction. */
enum err stock_item_save_tx(struct db *db, struct str sku, json_t *item, struct arena *a,
                            int64_t *item_id, struct query_error *qe);
/* The low-stock list's whitelist (over cataloginventory_stock_item s). */
extern const struct sc_entity stock_low_entity;

#endif
