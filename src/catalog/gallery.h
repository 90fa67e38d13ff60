/* A product's media gallery (reference section 8.1 media_gallery_entries; Magento's
 * ProductAttributeMediaGalleryManagementInterface and the gallery part of
 * ProductRepository::save): entries in catalog_product_media, uploaded images stored as files
 * (media/image.h), and the image roles (types: image, small_image, thumbnail, swatch_image) kept in
 * the product's attributes of the same names, as Magento does.
 *
 * Writes run inside the caller's transaction (the catalog writer's). Files are written and
 * fsync'd before the transaction commits; struct gallery_txn remembers them so that a save that
 * is refused or rolled back removes what it wrote, and a committed one removes the files of
 * entries it deleted (when no entry uses them any more). Errors come back in Magento's shape
 * through struct query_error. */
#ifndef SG_CATALOG_GALLERY_H
#define SG_CATALOG_GALLERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"
#include "query/search.h"

/* The files one save touched. Zeroed, then root set by the submitter; lists live in the arena. */
struct gallery_txn {
    const char *root; /* <var>/media/catalog/product; NULL: uploads are refused */
    struct arena *a;
    const char **written; /* files this save created */
    size_t n_written, cap_written;
    const char **orphans; /* files of deleted entries that no entry uses any more */
    size_t n_orphans, cap_orphans;
};

/* After the transaction: committed keeps the written files and removes the orphans; otherwise
 * the written files are removed and the orphans kept. Empties both lists (a second call does
 * nothing). */
void gallery_txn_settle(struct gallery_txn *t, bool committed);

/* Product save: media_gallery_entries replaces the product's gallery. An entry whose id is one of
 * the product's is updated in place (fields it leaves out keep their values); an entry with
 * content is a new image (stored as a file); an entry with only a file is recorded as given; an
 * entry the list leaves out is deleted. The roles are then written to the image attributes of
 * store_id. */
enum err gallery_save_entries(struct db *db, struct arena *a, int64_t product_id, int64_t store_id,
                              json_t *entries, struct gallery_txn *t, struct query_error *qe);

/* GET /V1/products/:sku/media: the entries as a JSON array (ERR_PRODUCT_NOT_FOUND). */
enum err gallery_list_json(struct db *db, struct str sku, struct buf *out);
/* GET /V1/products/:sku/media/:entryId: one entry; Magento's 404s in qe. */
enum err gallery_entry_json(struct db *db, struct str sku, struct str entry_id, struct buf *out,
                            struct query_error *qe);

/* The entry object of POST/PUT /V1/products/:sku/media, checked without the database (binding,
 * types, unknown keys). */
enum err gallery_entry_validate(struct arena *a, json_t *entry, struct query_error *qe);

/* POST /V1/products/:sku/media: adds an entry with its image (content required); *entry_id gets
 * the new id. The product's first image takes every role when the entry names none. */
enum err gallery_create_tx(struct db *db, struct arena *a, struct str sku, int64_t store_id,
                           json_t *entry, struct gallery_txn *t, int64_t *entry_id,
                           struct query_error *qe);
/* PUT /V1/products/:sku/media/:entryId: updates the entry (entry.id when given, else entry_id);
 * roles it takes are taken from the product's other entries; content replaces the image. */
enum err gallery_update_tx(struct db *db, struct arena *a, struct str sku, int64_t store_id,
                           int64_t entry_id, json_t *entry, struct gallery_txn *t,
                           struct query_error *qe);
/* DELETE /V1/products/:sku/media/:entryId. */
enum err gallery_remove_tx(struct db *db, struct arena *a, struct str sku, int64_t store_id,
                           int64_t entry_id, struct gallery_txn *t, struct query_error *qe);

#endif
