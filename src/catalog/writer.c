/* The catalog writer (see writer.h). */
#include "catalog/writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "catalog/cache.h"
#include "catalog/product.h"
#include "core/log.h"
#include "db/db.h"

struct catalog_writer {
    struct db *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct catalog_job *head, *tail;
    bool stop;
};

/* A batch larger than this is split: a transaction stays short for the readers. */
#define BATCH_MAX 256

static void run_job(struct db *db, struct catalog_job *j)
{
    j->media.a = j->a;
    switch (j->kind) {
    case JOB_PRODUCT_SAVE:
        j->result = product_save_tx(db, j->body, j->store_id, j->a, &j->id, &j->qe, &j->media);
        break;
    case JOB_STOCK_SAVE:
        j->result = stock_item_save_tx(db, j->sku, j->body, j->a, &j->id, &j->qe);
        break;
    case JOB_MEDIA_CREATE:
        j->result =
            gallery_create_tx(db, j->a, j->sku, j->store_id, j->body, &j->media, &j->id, &j->qe);
        break;
    case JOB_MEDIA_UPDATE:
        j->result = gallery_update_tx(db, j->a, j->sku, j->store_id, j->entry_id, j->body,
                                      &j->media, &j->qe);
        break;
    case JOB_MEDIA_REMOVE:
        j->result =
            gallery_remove_tx(db, j->a, j->sku, j->store_id, j->entry_id, &j->media, &j->qe);
        break;
    }
}

/* One pass over the batch in the open transaction. With savepoints a refused save is undone
 * alone and the others go on; without (the usual case: the request checks ran before the job was
 * queued, so a refusal here is rare), the first refused save ends the pass with *refused set.
 * Savepoints cost: each one also makes the name's trigram index flush its pending terms. */
static enum err run_pass(struct db *db, struct catalog_job *batch, bool savepoints, bool *refused)
{
    enum err e = ERR_OK;
    *refused = false;
    for (struct catalog_job *j = batch; !e && j; j = j->next) {
        if (savepoints && (e = db_exec(db, "SAVEPOINT catalog_job")))
            break;
        run_job(db, j);
        if (j->result == ERR_UNAVAILABLE || j->result == ERR_DB_BUSY) {
            e = j->result; /* the database, not this save: the batch fails */
            break;
        }
        if (j->result && !savepoints) {
            *refused = true;
            break;
        }
        if (j->result) {
            gallery_txn_settle(&j->media, false); /* its rows are rolled back: so go its files */
            e = db_exec(db, "ROLLBACK TO SAVEPOINT catalog_job");
        }
        if (!e && savepoints)
            e = db_exec(db, "RELEASE SAVEPOINT catalog_job");
    }
    return e;
}

static void commit_batch(struct catalog_writer *w, struct catalog_job *batch)
{
    bool refused = false;
    enum err e = db_begin(w->db);
    if (!e)
        e = run_pass(w->db, batch, false, &refused);
    if (!e && refused) {
        /* a save is refused: the batch again, each save in a savepoint, so the others land */
        db_rollback(w->db);
        for (struct catalog_job *j = batch; j; j = j->next) {
            gallery_txn_settle(&j->media, false); /* the rows are gone: so go the files */
            json_decref(j->qe.params);
            j->qe = (struct query_error){0};
            j->result = ERR_OK;
            j->id = 0;
        }
        e = db_begin(w->db);
        if (!e)
            e = run_pass(w->db, batch, true, &refused);
    }
    if (!e)
        e = catalog_touch(w->db);
    if (!e)
        e = db_commit(w->db);
    else
        db_rollback(w->db);
    if (e)
        log_error("catalog save batch failed: %s", err_message(e));
    /* Answers go out only after the commit, and image files follow its fate. */
    for (struct catalog_job *j = batch; j;) {
        struct catalog_job *next = j->next;
        gallery_txn_settle(&j->media, !e && !j->result);
        if (e) {
            json_decref(j->qe.params);
            j->qe = (struct query_error){0};
            j->result = e == ERR_DB_BUSY || e == ERR_UNAVAILABLE ? e : ERR_DB;
        }
        j->done(j);
        j = next;
    }
}

static void *writer_main(void *arg)
{
    struct catalog_writer *w = arg;
    pthread_setname_np(pthread_self(), "sg-catalog-wr");
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->cond, &w->lock);
        if (!w->head && w->stop)
            break;
        struct catalog_job *batch = w->head, *last = batch;
        for (int n = 1; n < BATCH_MAX && last->next; n++)
            last = last->next;
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&w->lock);
        commit_batch(w, batch);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

enum err catalog_writer_start(const char *db_url, struct catalog_writer **out)
{
    struct catalog_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return ERR_DB;
    enum err e = db_open(db_url, false, &w->db);
    if (e) {
        free(w);
        return e;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        db_close(w->db);
        free(w);
        return ERR_DB;
    }
    *out = w;
    return ERR_OK;
}

void catalog_writer_submit(struct catalog_writer *w, struct catalog_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void catalog_writer_stop(struct catalog_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    db_close(w->db);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
}
