/* The ACL resource tree (see acl.h). */
#include "acl/acl.h"

#include <string.h>

static struct acl_node nodes[] = {
#define ACL(depth, id, title) {depth, -2, id, title},
#include "acl/tree.def"
#undef ACL
};
#define NNODES (sizeof(nodes) / sizeof(nodes[0]))

static void link_parents(void)
{
    if (nodes[0].parent != -2)
        return;
    int stack[16];
    for (size_t i = 0; i < NNODES; i++) {
        int d = nodes[i].depth;
        nodes[i].parent = d == 0 ? -1 : stack[d - 1];
        if (d < 16)
            stack[d] = (int)i;
    }
}

const struct acl_node *acl_nodes(size_t *n)
{
    link_parents();
    *n = NNODES;
    return nodes;
}

int acl_find(struct str id)
{
    for (size_t i = 0; i < NNODES; i++)
        if (str_eq_c(id, nodes[i].id))
            return (int)i;
    return -1;
}

bool acl_known(struct str id)
{
    return str_eq_c(id, "Magento_Backend::all") || acl_find(id) >= 0;
}

static bool visible(size_t i, const bool *keep)
{
    return !keep || keep[i];
}

static size_t write_node(struct buf *out, size_t i, const bool *keep)
{
    buf_add_c(out, "{\"id\":");
    buf_json_str(out, str_c(nodes[i].id));
    buf_add_c(out, ",\"title\":");
    buf_json_str(out, str_c(nodes[i].title));
    buf_add_c(out, ",\"children\":[");
    size_t k = i + 1;
    bool first = true;
    while (k < NNODES && nodes[k].depth > nodes[i].depth) {
        if (nodes[k].depth == nodes[i].depth + 1 && visible(k, keep)) {
            if (!first)
                buf_add_ch(out, ',');
            first = false;
            k = write_node(out, k, keep);
        } else {
            k++;
        }
    }
    buf_add_c(out, "]}");
    /* skip the rest of this subtree */
    while (k < NNODES && nodes[k].depth > nodes[i].depth)
        k++;
    return k;
}

void acl_tree_json(struct buf *out, const bool *granted)
{
    link_parents();
    bool *keep = NULL;
    if (granted) {
        keep = arena_calloc(out->arena, NNODES, sizeof(bool));
        for (size_t i = 0; i < NNODES; i++)
            if (granted[i])
                for (int p = (int)i; p >= 0 && !keep[p]; p = nodes[p].parent)
                    keep[p] = true;
    }
    buf_add_ch(out, '[');
    bool first = true;
    for (size_t i = 1; i < NNODES && nodes[i].depth >= 1;) {
        if (nodes[i].depth == 1 && visible(i, keep)) {
            if (!first)
                buf_add_ch(out, ',');
            first = false;
            i = write_node(out, i, keep);
        } else {
            i++;
        }
    }
    buf_add_ch(out, ']');
}
