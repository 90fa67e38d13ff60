/* Swagger UI's static files, embedded in the binary at build time by cmake/embed_web.cmake: the
 * page and its initializer (web/swagger/) and the files of the npm package swagger-ui-dist
 * (node_modules/swagger-ui-dist, pinned in package-lock.json, installed by `make deps`). When the
 * package was missing at build time the table holds only the page's own files, and
 * swagger_assets_complete() says so. */
#ifndef SG_SWAGGER_ASSETS_H
#define SG_SWAGGER_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/str.h"

struct swagger_asset {
    const char *path; /* "/index.html", "/swagger-ui-bundle.js": with a leading '/' */
    const char *content_type;
    const char *etag; /* a strong validator of the bytes, quoted */
    const unsigned char *data;
    size_t len;
};

extern const struct swagger_asset swagger_assets[];
extern const size_t swagger_assets_count;

/* The asset at path (as above, compared byte for byte, so no path can name anything outside the
 * table), or NULL. */
const struct swagger_asset *swagger_asset_find(struct str path);

/* Whether swagger-ui-dist was embedded (its bundle and stylesheet are in the table). */
bool swagger_assets_complete(void);

#endif
