/* Lookup in the embedded Swagger UI files (see assets.h). */
#include "swagger/assets.h"

const struct swagger_asset *swagger_asset_find(struct str path)
{
    for (size_t i = 0; i < swagger_assets_count; i++)
        if (str_eq_c(path, swagger_assets[i].path))
            return &swagger_assets[i];
    return NULL;
}

bool swagger_assets_complete(void)
{
    return swagger_asset_find(STR_LIT("/swagger-ui-bundle.js")) &&
           swagger_asset_find(STR_LIT("/swagger-ui.css"));
}
