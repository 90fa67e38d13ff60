/* The `fields` partial-response parameter (reference section 7.3): a spec such as
 *   items[sku,name,extension_attributes[stock_item[qty]]],total_count
 * keeps only the named keys of the JSON answer, recursively; a list applies the spec to each of
 * its elements, and inside custom_attributes[...] names match the elements' attribute_code.
 * Allowed characters are [A-Za-z0-9_[],]; anything else, an empty spec or unbalanced brackets
 * make the whole answer "[]", as Magento does. The filter works on JSON text (the handlers' own
 * output), so an answer is never parsed into a tree and dumped again. */
#ifndef SG_QUERY_FIELDS_H
#define SG_QUERY_FIELDS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"

#define FIELDS_MAX_SPEC 4096 /* bytes of one spec */
#define FIELDS_MAX_DEPTH 16  /* bracket nesting */

struct fields_node {
    struct str name;
    struct fields_node *children; /* NULL: the whole value */
    struct fields_node *next;
};

/* Parses a spec (already percent-decoded). Returns false when it is malformed; *root then NULL.
 * The root's children are the top-level names. */
bool fields_parse(struct arena *a, struct str spec, struct fields_node **root);

/* The `fields` parameter of a raw query string, decoded; false when absent. */
bool fields_param(struct arena *a, struct str query, struct str *spec);

/* Appends json filtered by the children of spec (spec itself is the node whose value json is).
 * Returns false, leaving out as it was, when json is not well-formed JSON. */
bool fields_filter(const struct fields_node *spec, struct str json, struct buf *out);

/* The child of spec named key, or NULL when the key is not selected. */
const struct fields_node *fields_child(const struct fields_node *spec, struct str key);

#endif
