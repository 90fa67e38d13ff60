/* GET /swagger: Swagger UI on the store's API description (reference section 11: Magento serves
 * its Swagger UI page at <base>/swagger, pointed at /rest/<store or all>/schema?services=all).
 * The page, its initializer and the files of swagger-ui-dist are embedded in the binary
 * (swagger/assets.h); a path names an embedded file exactly or nothing, so no request reaches the
 * file system. Every answer carries a strict Content-Security-Policy (scripts, styles and requests
 * from this origin only, no inline script), nosniff, and a strong ETag that a revalidation
 * (If-None-Match) answers with 304. */
#include <string.h>

#include "swagger/assets.h"
#include "webapi/api.h"

/* Swagger UI sets styles through the DOM (allowed), draws its icons as data: images, and calls
 * this origin only: the description and "Try it out". Nothing is sent to swagger.io (the
 * initializer turns the validator badge off). */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
                          "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

void swagger_page_headers(struct http_request *r)
{
    http_add_header(r, "content-security-policy", str_c(csp));
    http_add_header(r, "x-frame-options", STR_LIT("DENY"));
    http_add_header(r, "x-content-type-options", STR_LIT("nosniff"));
    http_add_header(r, "referrer-policy", STR_LIT("same-origin"));
}

/* Whether an If-None-Match header lists etag (or is "*"); weak validators compare weakly, as
 * RFC 9110 13.1.2 asks of If-None-Match. */
static bool etag_matches(struct str header, const char *etag)
{
    struct str rest = header;
    while (rest.p && rest.len) {
        struct str tag = str_trim(str_cut(rest, ',', &rest));
        if (str_eq_c(tag, "*"))
            return true;
        if (str_starts(tag, STR_LIT("W/")))
            tag = (struct str){tag.p + 2, tag.len - 2};
        if (str_eq_c(tag, etag))
            return true;
    }
    return false;
}

/* The page of a build made without swagger-ui-dist: a 404 that says what to run. */
static const char missing_page[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Swagger UI is not part of this build</title></head><body>"
    "<h1>Swagger UI is not part of this build</h1>"
    "<p>storegate embeds Swagger UI (the npm package swagger-ui-dist) when it is built; this "
    "binary was built without it because <code>node_modules/swagger-ui-dist</code> was missing. "
    "Run <code>make deps</code> (it runs <code>npm ci</code>) and build again.</p>"
    "<p>The API description itself is served at "
    "<a href=\"/rest/all/schema?services=all\">/rest/all/schema?services=all</a>.</p>"
    "</body></html>";

bool swagger_page_serve(struct api_req *q)
{
    struct str path = http_path(q->http);
    struct str rel;
    if (str_eq_c(path, "/swagger") || str_eq_c(path, "/swagger/"))
        rel = STR_LIT("/index.html");
    else if (str_starts(path, STR_LIT("/swagger/")))
        rel = (struct str){path.p + 8, path.len - 8};
    else
        return false;
    if (!swagger_assets_complete()) {
        swagger_page_headers(q->http);
        http_add_header(q->http, "cache-control", STR_LIT("no-store"));
        http_respond(q->http, 404, "text/html; charset=utf-8", STR_LIT(missing_page));
        return true;
    }
    const struct swagger_asset *a = swagger_asset_find(rel);
    if (!a)
        return false; /* the dispatcher's 404, in Magento's error shape */
    swagger_page_headers(q->http);
    /* Revalidated on every use: a new binary may bring another Swagger UI, and a 304 costs one
     * round trip without the body. */
    http_add_header(q->http, "cache-control", STR_LIT("no-cache"));
    http_add_header(q->http, "etag", str_c(a->etag));
    struct str inm = http_header(q->http, "if-none-match");
    if (inm.p && etag_matches(inm, a->etag)) {
        http_respond(q->http, 304, NULL, STR_NULL);
        return true;
    }
    http_respond(q->http, 200, a->content_type, (struct str){(const char *)a->data, a->len});
    return true;
}
