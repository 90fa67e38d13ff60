/* The catalog writer: product and stock saves, durable and batched. One thread with its own
 * connection takes every save queued since its last commit and runs them in one transaction,
 * each inside a savepoint so that one refused save does not undo the others (group commit: one
 * fsync serves many requests, and a save is acknowledged only once committed). On SQLite this
 * also means one writer instead of several threads taking turns at the write lock. */
#ifndef SG_CATALOG_WRITER_H
#define SG_CATALOG_WRITER_H

#include <jansson.h>
#include <stdint.h>

#include "catalog/gallery.h"
#include "core/arena.h"
#include "core/err.h"
#include "query/search.h"

enum catalog_job_kind {
    JOB_PRODUCT_SAVE,
    JOB_STOCK_SAVE,
    JOB_MEDIA_CREATE, /* body: the entry; id gets the new entry's id */
    JOB_MEDIA_UPDATE, /* body: the entry; entry_id from the path */
    JOB_MEDIA_REMOVE, /* entry_id from the path */
};

struct catalog_job {
    enum catalog_job_kind kind;
    json_t *body; /* the product object, or the stock item object */
    int64_t store_id;
    struct str sku; /* stock and media jobs: the product's SKU */
    int64_t entry_id;
    /* image files written or orphaned by the job (media.root set by the submitter); settled by
     * the writer once the job's fate is known */
    struct gallery_txn media;
    struct arena *a; /* the request's arena (untouched by its loop while the job waits) */
    /* results, set on the writer thread before done() */
    enum err result;
    struct query_error qe;
    int64_t id;
    void (*done)(struct catalog_job *job); /* on the writer thread */
    void *arg;
    struct catalog_job *next; /* private */
};

struct catalog_writer;
enum err catalog_writer_start(const char *db_url, struct catalog_writer **out);
/* Queues a job (any thread). */
void catalog_writer_submit(struct catalog_writer *w, struct catalog_job *job);
/* Commits what is queued, then stops the writer. NULL is a no-op. */
void catalog_writer_stop(struct catalog_writer *w);

#endif
