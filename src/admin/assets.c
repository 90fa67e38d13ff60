/* Lookup in the embedded admin panel files (see assets.h). */
#include "admin/assets.h"

const struct admin_asset *admin_asset_find(struct str path)
{
    for (size_t i = 0; i < admin_assets_count; i++)
        if (str_eq_c(path, admin_assets[i].path))
            return &admin_assets[i];
    return NULL;
}
