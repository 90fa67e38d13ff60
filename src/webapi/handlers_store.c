/* Magento_Store routes: GET /V1/store/storeViews, storeGroups, websites, storeConfigs. */
#include <string.h>

#include "core/pct.h"
#include "webapi/api.h"

enum err api_store_views(struct api_req *q)
{
    store_json_views(q->w->stores, &q->out);
    return ERR_OK;
}

enum err api_store_groups(struct api_req *q)
{
    store_json_groups(q->w->stores, &q->out);
    return ERR_OK;
}

enum err api_store_websites(struct api_req *q)
{
    store_json_websites(q->w->stores, &q->out);
    return ERR_OK;
}

#define MAX_STORE_CODES 64

/* storeCodes[]=default&storeCodes[]=fr (or storeCodes[0]=..., or store_codes[...]). */
enum err api_store_configs(struct api_req *q)
{
    struct str codes[MAX_STORE_CODES];
    size_t n = 0;
    struct str rest = http_query(q->http);
    while (rest.p && rest.len) {
        struct str pair = str_cut(rest, '&', &rest);
        struct str value;
        struct str key = str_cut(pair, '=', &value);
        struct str dkey, dvalue;
        if (!value.p || !pct_decode(q->a, key, PCT_FORM, &dkey))
            continue;
        if (!str_starts(dkey, STR_LIT("storeCodes[")) && !str_starts(dkey, STR_LIT("store_codes[")))
            continue;
        if (!pct_decode(q->a, value, PCT_FORM, &dvalue))
            continue;
        if (n == MAX_STORE_CODES)
            return api_fail_param(q, ERR_INVALID, "storeCodes", json_integer(MAX_STORE_CODES));
        codes[n++] = dvalue;
    }
    store_json_configs(q->w->stores, q->w->config, q->w->app->settings.base_url, codes, n, &q->out);
    return ERR_OK;
}
