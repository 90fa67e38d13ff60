/* Categories (reference section 8.2): the tree, one category, the list, their products, and
 * create / update / move / delete. Ids are Magento's entity ids; 1 is the invisible root, 2 the
 * default root category. Errors come back through struct query_error in Magento's shape.
 * Store-view scoped: a store argument of 0 is the default scope (admin, "all store views"); a
 * store view's own values of store-scoped attributes win over the default ones, as in Magento. */
#ifndef SG_CATALOG_CATEGORY_H
#define SG_CATALOG_CATEGORY_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "query/search.h"

#define CATEGORY_MAX_DEPTH 64

/* CategoryTree from root (depth < 0: all levels below it) as the store sees it.
 * ERR_NO_SUCH_ENTITY if root is not. */
enum err category_tree_json(struct db *db, int64_t root, int depth, int64_t store, struct buf *out);
/* One category as the store sees it; ERR_NO_SUCH_ENTITY. */
enum err category_json(struct db *db, int64_t id, int64_t store, struct buf *out);
/* [{sku, position, category_id}] of a category; ERR_NO_SUCH_ENTITY. */
enum err category_products_json(struct db *db, int64_t id, struct buf *out);
/* The root category of a store view's group (2 for the default store; 1 for the admin store). */
enum err category_store_root(struct db *db, int64_t store_id, int64_t *root);

/* Create (id < 0) or update (id >= 0) from a category object. store_id 0 writes the default
 * scope; a store view writes its own values of the store-scoped attributes it is given (name,
 * is_active, include_in_menu, description, url_key, meta_*...: catalog_category_attribute) and
 * the default scope of the others. A new category's columns always get the given values. */
enum err category_save(struct db *db, json_t *category, int64_t id, int64_t store_id,
                       struct arena *a, int64_t *saved_id, struct query_error *qe);
enum err category_move(struct db *db, int64_t id, int64_t parent_id, int64_t after_id,
                       struct query_error *qe);
enum err category_delete(struct db *db, int64_t id, struct query_error *qe);

/* The list's whitelist (searchCriteria) over catalog_category c for a store (0: default scope). */
const struct sc_entity *category_list_entity(int64_t store_id);
/* The list joins each category to its parent, which leaves out the invisible root (id 1, no
 * parent): a client never reads it, and its row would otherwise break the page or the stream. */
#define CATEGORY_FROM "FROM catalog_category c JOIN catalog_category p ON p.entity_id = c.parent_id"
#define CATEGORY_SELECT "SELECT c.entity_id " CATEGORY_FROM

#endif
