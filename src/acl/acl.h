/* The ACL resource tree (Magento 2.4's ids and titles, tree.def) for the areas storegate serves:
 * validated against by routes and integrations, rendered for the admin's tree and the API
 * description. "All" is Magento_Backend::all; with Custom access each ticked id stands alone
 * (a parent implies nothing the admin did not tick, as in Magento). */
#ifndef SG_ACL_ACL_H
#define SG_ACL_ACL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/str.h"

struct acl_node {
    int depth, parent; /* parent: index, -1 for the root */
    const char *id, *title;
};

const struct acl_node *acl_nodes(size_t *n);
/* Index of a resource id in the tree, or -1. */
int acl_find(struct str id);
/* True for an id in the tree and for Magento_Backend::all. */
bool acl_known(struct str id);
/* The tree as nested JSON: [{"id","title","children":[...]}] under Magento_Backend::admin. When
 * granted is non-NULL, only nodes with granted[i] true (and their ancestors) are kept. */
void acl_tree_json(struct buf *out, const bool *granted);

#endif
