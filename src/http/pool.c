/* The blocking-work pool: a few threads for work that must not run on an event loop (Argon2id,
 * the callback POST to a third party). A job's completion is posted back to the worker that owns
 * the request through h2o's multithread queue and runs there. */
#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"
#include "http/internal.h"

struct job {
    h2o_multithread_message_t msg; /* first: the receiver gets &msg.link */
    struct job *next;
    struct http_request *r;
    void (*work)(void *);
    void (*done)(struct http_request *, void *);
    void *arg;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job *head, *tail;
    pthread_t *threads;
    int nthreads;
    bool stop;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *pool_main(void *unused)
{
    (void)unused;
    pthread_setname_np(pthread_self(), "sg-blocking");
    for (;;) {
        pthread_mutex_lock(&pool.lock);
        while (!pool.head && !pool.stop)
            pthread_cond_wait(&pool.cond, &pool.lock);
        struct job *j = pool.head;
        if (!j) {
            pthread_mutex_unlock(&pool.lock);
            return NULL;
        }
        pool.head = j->next;
        if (!pool.head)
            pool.tail = NULL;
        pthread_mutex_unlock(&pool.lock);
        j->work(j->arg);
        h2o_multithread_send_message(&j->r->w->done_receiver, &j->msg);
    }
}

bool http_pool_start(int threads)
{
    pool.threads = calloc((size_t)threads, sizeof(*pool.threads));
    if (!pool.threads)
        return false;
    pool.stop = false;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&pool.threads[i], NULL, pool_main, NULL) != 0) {
            log_error("cannot start blocking-work thread");
            return false;
        }
        pool.nthreads++;
    }
    return true;
}

/* Runs queued jobs to the end, then stops the threads. */
void http_pool_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stop = true;
    pthread_cond_broadcast(&pool.cond);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.nthreads; i++)
        pthread_join(pool.threads[i], NULL);
    free(pool.threads);
    pool.threads = NULL;
    pool.nthreads = 0;
}

void http_defer(struct http_request *r, void (*work)(void *arg),
                void (*done)(struct http_request *r, void *arg), void *arg)
{
    struct job *j = calloc(1, sizeof(*j));
    if (!j) {
        log_error("out of memory queueing blocking work");
        abort();
    }
    j->r = r;
    j->work = work;
    j->done = done;
    j->arg = arg;
    r->refs++; /* the job holds the request until its completion ran */
    pthread_mutex_lock(&pool.lock);
    if (pool.tail)
        pool.tail->next = j;
    else
        pool.head = j;
    pool.tail = j;
    pthread_cond_signal(&pool.cond);
    pthread_mutex_unlock(&pool.lock);
}

struct http_ticket {
    struct job job;
};

struct http_ticket *http_suspend(struct http_request *r)
{
    struct http_ticket *t = calloc(1, sizeof(*t));
    if (!t) {
        log_error("out of memory suspending a request");
        abort();
    }
    t->job.r = r;
    r->refs++;
    return t;
}

void http_resume(struct http_ticket *t, void (*done)(struct http_request *r, void *arg), void *arg)
{
    t->job.done = done;
    t->job.arg = arg;
    h2o_multithread_send_message(&t->job.r->w->done_receiver, &t->job.msg);
}

void http_resume_now(struct http_ticket *t, void (*done)(struct http_request *r, void *arg),
                     void *arg)
{
    struct http_request *r = t->job.r;
    if (r->req) {
        struct http_worker *w = r->w;
        if (w->srv->cfg.slice_enter)
            w->srv->cfg.slice_enter(w->app);
        done(r, arg);
        if (w->srv->cfg.slice_leave)
            w->srv->cfg.slice_leave(w->app);
    }
    http_request_release(r);
    free(t);
}

void http_on_jobs_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *msg =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        struct job *j = (struct job *)msg;
        h2o_linklist_unlink(&msg->link);
        if (j->r->req) {
            struct http_worker *w = j->r->w;
            if (w->srv->cfg.slice_enter)
                w->srv->cfg.slice_enter(w->app);
            j->done(j->r, j->arg);
            if (w->srv->cfg.slice_leave)
                w->srv->cfg.slice_leave(w->app);
        }
        http_request_release(j->r);
        free(j);
    }
}
