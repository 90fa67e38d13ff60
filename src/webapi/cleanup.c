/* Background cleanup, never in the request path: expired admin and customer tokens, request
 * tokens older than oauth/cleanup/expiration_period minutes, and nonces older than the timestamp
 * window (a nonce can never be replayed once its timestamp is outside the window, so it is kept
 * exactly as long as it matters). Runs on its own thread and connection, every interval; the
 * same thread adds the integrations' usage tallies into the database every 2 seconds. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "config/store_config.h"
#include "user/admin_session.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "integration/usage.h"
#include "user/bearer_token.h"
#include "webapi/cleanup.h"

struct cleanup {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    int interval_s;
    long ticks, cleanup_every;
    struct db *db;
    struct store_config *config;
};

static enum err run_delete(struct db *db, const char *sql, int64_t cutoff, int64_t *n)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, sql, &st);
    if (e)
        return e;
    db_bind_i64(st, 1, cutoff);
    return db_run(st, n);
}

void cleanup_once(struct db *db, struct store_config *config)
{
    int64_t now = clock_now(), tokens = 0, requests = 0, nonces = 0, sessions = 0;
    if (store_config_sync(config, db, true))
        return;
    int64_t minutes = store_config_get_int(config, "oauth/cleanup/expiration_period", -1);
    if (minutes <= 0)
        minutes = 120;
    int64_t window = store_config_get_int(config, "oauth/timestamp_window", -1);
    enum err e = bearer_token_cleanup(db, now, &tokens);
    if (!e)
        e = run_delete(db,
                       "DELETE FROM oauth_token WHERE user_type = 1 AND type = 'request'"
                       " AND created_at <= $1",
                       now - minutes * 60, &requests);
    if (!e)
        e = run_delete(db, "DELETE FROM oauth_nonce WHERE timestamp < $1", now - window - 60,
                       &nonces);
    int64_t lifetime = store_config_get_int(config, "admin/security/session_lifetime", -1);
    if (!e)
        e = admin_session_cleanup(db, now - lifetime, &sessions);
    if (e)
        log_warn("cleanup failed: %s", err_message(e));
    else if (tokens || requests || nonces || sessions)
        log_info("cleanup: %lld expired tokens, %lld stale request tokens, %lld old nonces, "
                 "%lld idle admin sessions",
                 (long long)tokens, (long long)requests, (long long)nonces, (long long)sessions);
}

static void *cleanup_main(void *arg)
{
    struct cleanup *c = arg;
    pthread_setname_np(pthread_self(), "sg-cleanup");
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2; /* usage tallies every 2 s; the cleanup every interval */
        pthread_cond_timedwait(&c->cond, &c->lock, &until);
        if (c->stop)
            break;
        pthread_mutex_unlock(&c->lock);
        if (++c->ticks % c->cleanup_every == 0)
            cleanup_once(c->db, c->config);
        integration_usage_flush(c->db);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

struct cleanup *cleanup_start(const char *db_url, int interval_s)
{
    struct cleanup *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->interval_s = interval_s > 0 ? interval_s : 60;
    c->cleanup_every = c->interval_s / 2 > 0 ? c->interval_s / 2 : 1;
    c->config = store_config_new();
    if (!c->config || db_open(db_url, false, &c->db) != ERR_OK) {
        store_config_free(c->config);
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (pthread_create(&c->thread, NULL, cleanup_main, c) != 0) {
        db_close(c->db);
        store_config_free(c->config);
        free(c);
        return NULL;
    }
    return c;
}

void cleanup_stop(struct cleanup *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    integration_usage_flush(c->db); /* nothing counted is lost at shutdown */
    db_close(c->db);
    store_config_free(c->config);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    free(c);
}
