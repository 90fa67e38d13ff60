/* The admin panel's static files (web/admin/: HTML, CSS, JavaScript modules), embedded in the
 * binary at build time by cmake/embed_web.cmake, the way migrations are: the pages always match the
 * API of the binary serving them, and `storegate serve` needs no files beside itself. */
#ifndef SG_ADMIN_ASSETS_H
#define SG_ADMIN_ASSETS_H

#include <stddef.h>

#include "core/str.h"

struct admin_asset {
    const char *path; /* "/index.html", "/js/app.js": relative to web/admin, with a leading '/' */
    const char *content_type;
    const char *etag; /* a strong validator of the bytes, quoted: "\"1f0c...\"" */
    const unsigned char *data;
    size_t len;
};

extern const struct admin_asset admin_assets[];
extern const size_t admin_assets_count;

/* The asset at path (as above), or NULL. */
const struct admin_asset *admin_asset_find(struct str path);

#endif
