/* Shared connection pool (see pool.h): a stack of idle connections under one mutex. */
#include "db/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t returned;
    int size, idle;
    unsigned long waits;
    struct db **conns; /* conns[0..idle) are idle */
};

enum err db_pool_open(const char *url, int size, struct db_pool **out)
{
    *out = NULL;
    if (size < 1)
        return ERR_INVALID;
    struct db_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return ERR_INTERNAL;
    p->conns = calloc((size_t)size, sizeof(*p->conns));
    if (!p->conns) {
        free(p);
        return ERR_INTERNAL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->returned, NULL);
    p->size = size;
    for (int i = 0; i < size; i++) {
        enum err e = db_open(url, false, &p->conns[i]);
        if (e) {
            p->idle = i;
            db_pool_close(p);
            return e;
        }
    }
    p->idle = size;
    *out = p;
    return ERR_OK;
}

void db_pool_close(struct db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->idle; i++)
        db_close(p->conns[i]);
    pthread_cond_destroy(&p->returned);
    pthread_mutex_destroy(&p->lock);
    free(p->conns);
    free(p);
}

struct db *db_pool_get(struct db_pool *p)
{
    pthread_mutex_lock(&p->lock);
    if (p->idle == 0)
        p->waits++;
    while (p->idle == 0)
        pthread_cond_wait(&p->returned, &p->lock);
    struct db *db = p->conns[--p->idle];
    pthread_mutex_unlock(&p->lock);
    return db;
}

void db_pool_put(struct db_pool *p, struct db *db)
{
    pthread_mutex_lock(&p->lock);
    p->conns[p->idle++] = db;
    pthread_cond_signal(&p->returned);
    pthread_mutex_unlock(&p->lock);
}

unsigned long db_pool_waits(struct db_pool *p)
{
    pthread_mutex_lock(&p->lock);
    unsigned long n = p->waits;
    pthread_mutex_unlock(&p->lock);
    return n;
}
