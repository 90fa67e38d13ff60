/* Product images: Magento's media gallery routes (ProductAttributeMediaGalleryManagementInterface,
 * /V1/products/:sku/media...) and the image files themselves at /media/catalog/product/...,
 * public as Magento's pub/media. Writes go through the catalog writer like product saves, so an
 * image file is on disk (fsync'd) before the save that records it is acknowledged. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/gallery.h"
#include "catalog/writer.h"
#include "media/image.h"
#include "webapi/api.h"

/* Where the image files live: <var>/media/catalog/product, as Magento's pub/media/catalog/product.
 */
static const char *media_root(struct api_req *q)
{
    return arena_printf(q->a, "%s/media/catalog/product", q->w->app->settings.var_dir);
}

/* Where a write puts store-scoped values (the roles): as product saves do. */
static int64_t write_store(struct api_req *q)
{
    return q->store_explicit && q->store ? q->store->id : 0;
}

enum err api_product_media_list(struct api_req *q)
{
    enum err e = gallery_list_json(q->w->db, q->vars[0], &q->out);
    return e ? api_fail(q, e) : ERR_OK;
}

enum err api_product_media_get(struct api_req *q)
{
    struct query_error qe;
    enum err e = gallery_entry_json(q->w->db, q->vars[0], q->vars[1], &q->out, &qe);
    if (e)
        return qe.code ? api_fail_query(q, &qe) : api_fail(q, e);
    return ERR_OK;
}

struct media_wait {
    struct catalog_job job;
    struct http_ticket *ticket;
    struct api_req *q;
};

static void media_resumed(struct http_request *r, void *arg)
{
    (void)r;
    struct media_wait *mw = arg;
    struct api_req *q = mw->q;
    struct catalog_job *j = &mw->job;
    enum err e = j->result;
    if (e)
        e = j->qe.code ? api_fail_query(q, &j->qe) : api_fail(q, e);
    else if (j->kind == JOB_MEDIA_CREATE)
        /* Magento returns the id as its database driver hands it over: a string */
        buf_printf(&q->out, "\"%" PRId64 "\"", j->id);
    else
        buf_add_c(&q->out, "true");
    api_finish(q, e);
}

static void media_committed(struct catalog_job *job)
{
    struct media_wait *mw = job->arg;
    http_resume(mw->ticket, media_resumed, mw);
}

static enum err submit(struct api_req *q, enum catalog_job_kind kind, json_t *entry)
{
    int64_t entry_id = 0;
    if (kind != JOB_MEDIA_CREATE && !str_to_i64(q->vars[1], &entry_id)) {
        /* not a number: Magento's type error for the entryId parameter */
        json_t *params =
            json_pack("{s:s#,s:s}", "value", q->vars[1].p, q->vars[1].len, "type", "int");
        return api_fail_msg(q, ERR_INVALID_TYPE, NULL, params);
    }
    struct media_wait *mw = arena_calloc(q->a, 1, sizeof(*mw));
    mw->q = q;
    mw->job.kind = kind;
    mw->job.body = entry;
    mw->job.store_id = write_store(q);
    mw->job.sku = q->vars[0];
    mw->job.entry_id = entry_id;
    mw->job.media.root = media_root(q);
    mw->job.a = q->a;
    mw->job.done = media_committed;
    mw->job.arg = mw;
    mw->ticket = http_suspend(q->http);
    q->deferred = true;
    catalog_writer_submit(q->w->app->catalog, &mw->job);
    return ERR_OK;
}

/* {"entry": {...}}: the wrapper is required. */
static enum err entry_body(struct api_req *q, json_t **entry)
{
    json_t *e = json_is_object(q->body) ? json_object_get(q->body, "entry") : NULL;
    if (!e || json_is_null(e))
        return api_fail_param(q, ERR_REQUIRED_FIELD, "fieldName", json_string("entry"));
    struct query_error qe;
    if (gallery_entry_validate(q->a, e, &qe))
        return api_fail_query(q, &qe);
    *entry = e;
    return ERR_OK;
}

enum err api_product_media_create(struct api_req *q)
{
    json_t *entry;
    enum err e = entry_body(q, &entry);
    return e ? e : submit(q, JOB_MEDIA_CREATE, entry);
}

enum err api_product_media_update(struct api_req *q)
{
    json_t *entry;
    enum err e = entry_body(q, &entry);
    return e ? e : submit(q, JOB_MEDIA_UPDATE, entry);
}

enum err api_product_media_remove(struct api_req *q)
{
    return submit(q, JOB_MEDIA_REMOVE, NULL);
}

/* --- the files --- */

static const char *content_type(const unsigned char *p, size_t len, struct str rel)
{
    const char *mime = image_kind_mime(image_sniff(p, len, NULL, NULL));
    if (mime)
        return mime;
    ptrdiff_t dot = -1;
    for (size_t i = 0; i < rel.len; i++)
        if (rel.p[i] == '.')
            dot = (ptrdiff_t)i;
    struct str ext = dot < 0 ? STR_NULL : str_n(rel.p + dot + 1, rel.len - (size_t)dot - 1);
    if (str_ieq(ext, STR_LIT("jpg")) || str_ieq(ext, STR_LIT("jpeg")))
        return "image/jpeg";
    if (str_ieq(ext, STR_LIT("png")))
        return "image/png";
    if (str_ieq(ext, STR_LIT("gif")))
        return "image/gif";
    return "application/octet-stream";
}

/* A file larger than this is not served from memory (no upload comes near it). */
#define MEDIA_FILE_MAX (64u * 1024u * 1024u)

enum err api_media_file(struct api_req *q)
{
    struct str path = http_path(q->http);
    static const char prefix[] = "/media/catalog/product";
    struct str rel = {path.p + sizeof(prefix) - 1, path.len - (sizeof(prefix) - 1)};
    /* image_open refuses "..", ".", empty segments, NUL, '%' and every other character a stored
     * name cannot have, and never follows a symbolic link */
    int fd = image_open(media_root(q), rel);
    if (fd < 0)
        return api_fail(q, ERR_NOT_FOUND);
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > MEDIA_FILE_MAX) {
        close(fd);
        return api_fail(q, ERR_NOT_FOUND);
    }
    const char *etag = arena_printf(
        q->a, "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "\"", (uint64_t)st.st_ino, (uint64_t)st.st_size,
        (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec);
    char date[64];
    struct tm tm;
    gmtime_r(&st.st_mtim.tv_sec, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    http_add_header(q->http, "etag", str_c(etag));
    http_add_header(q->http, "last-modified", str_c(arena_printf(q->a, "%s", date)));
    /* pub/media's .htaccess in Magento: cached for a year; a changed image gets a new name */
    http_add_header(q->http, "cache-control", STR_LIT("public, max-age=31536000"));
    http_add_header(q->http, "x-content-type-options", STR_LIT("nosniff"));
    struct str inm = http_header(q->http, "if-none-match");
    if (inm.p && (str_eq_c(str_trim(inm), etag) || str_eq_c(str_trim(inm), "*"))) {
        close(fd);
        http_respond(q->http, 304, NULL, STR_NULL);
        return ERR_OK;
    }
    size_t len = (size_t)st.st_size, got = 0;
    unsigned char *data = arena_alloc(q->a, len ? len : 1);
    while (got < len) {
        ssize_t n = read(fd, data + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != len)
        return api_fail(q, ERR_IO);
    http_respond(q->http, 200, content_type(data, len, rel), str_n((const char *)data, len));
    return ERR_OK;
}
