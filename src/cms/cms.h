/* Magento_Cms: pages and static blocks (reference section 8.3). One model serves both kinds: a row
 * is a jansson object keyed by Magento's data-interface names (PageInterface, BlockInterface:
 * `id`, `identifier`, `title`, ..., `active`), so reading, merging a request's fields, validating
 * and rendering are one walk over a field table per kind. Each row belongs to a set of store views
 * (0 = all), and an identifier is unique per store as Magento enforces it.
 *
 * Errors: ERR_NOT_FOUND (no such row), ERR_EXISTS (the identifier is taken in one of the stores),
 * ERR_INVALID with a message (Magento's phrase, see cms_problem), database errors as returned. */
#ifndef SG_CMS_CMS_H
#define SG_CMS_CMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"

enum cms_kind { CMS_PAGE, CMS_BLOCK };

#define CMS_MAX_STORES 32

/* What went wrong with an input, for Magento's error shape: ERR_FIELD_NOT_SUPPORTED (key names
 * the field as sent), ERR_INVALID_TYPE (key, and expected type "string"/"int"/"bool"),
 * ERR_REQUIRED_FIELD (key), ERR_INVALID (message: a complete phrase, or a detail for the page's
 * "Could not save the page: %1"; max set for "is longer than" errors). */
struct cms_problem {
    const char *key;
    const char *type;
    const char *message;
    int max;
};

/* The design fields Magento keeps unchanged unless the caller holds Magento_Cms::save_design. */
bool cms_is_design_field(enum cms_kind kind, const char *name);

/* Loads a row by numeric id, or, when ref is not a number, by identifier (Magento's getById
 * does the same). *row is a new reference the caller releases. */
enum err cms_load(struct db *db, enum cms_kind kind, struct str ref, json_t **row);
enum err cms_load_id(struct db *db, enum cms_kind kind, int64_t id, json_t **row);

/* Merges the request's object (snake_case or camelCase keys) into row. Unknown keys, wrong types
 * and over-long values are refused (never truncated). Without design_allowed the design fields
 * of the input are ignored. stores and nstores receive a "store_id" given in the body
 * (storegate's addition: one id or a list), nstores 0 when absent. */
enum err cms_apply(enum cms_kind kind, json_t *row, json_t *input, bool design_allowed,
                   int64_t *stores, size_t *nstores, struct cms_problem *p);

/* Magento's save-time checks on the merged row (identifier rules, required fields, layout update
 * text, a block referencing itself); old is the stored row (NULL for a new one). */
enum err cms_validate(enum cms_kind kind, const json_t *row, const json_t *old,
                      struct cms_problem *p);

/* Inserts (no "id" in row) or updates, and assigns the stores, in one transaction. Sets
 * row's "id" on insert. ERR_EXISTS when the identifier is taken in one of the stores. */
enum err cms_save(struct db *db, enum cms_kind kind, json_t *row, const int64_t *stores,
                  size_t nstores);

enum err cms_delete(struct db *db, enum cms_kind kind, int64_t id);

/* Magento's PageInterface / BlockInterface JSON of a row: getter order, null keys omitted. */
void cms_json(enum cms_kind kind, const json_t *row, struct buf *out);

/* The columns every row query selects, in the order cms_row_read expects, the FROM clause they
 * read, and the row reader (for list queries built elsewhere). */
const char *cms_select_columns(enum cms_kind kind);
json_t *cms_row_read(enum cms_kind kind, struct db_stmt *st);

#endif
