/* CPU cost of verifying OAuth 1.0a signed REST requests, without the network: a throw-away SQLite
 * store with one consumer and its access token, a pool of Authorization headers signed here
 * (HMAC-SHA256 by default, a fresh nonce each), then every header checked once as a worker does
 * it: the per-request cache sync (db_changed(), oauth_cache_sync()) and oauth_check() for a
 * resource, through the worker's row cache. Each check must succeed; a tampered header must fail.
 *
 *   build/release/bench_oauth_cpu [COUNT [HMAC-SHA1|HMAC-SHA256]]
 *
 * Meant for instruction counts, which do not depend on the machine's load:
 *
 *   valgrind --tool=callgrind --toggle-collect=check_all build/release/bench_oauth_cpu 20000
 *
 * (instructions per request = the total of check_all / COUNT). Without valgrind it prints the
 * wall time per check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/pct.h"
#include "db/db.h"
#include "db/migrate.h"
#include "oauth/cache.h"
#include "oauth/provider.h"
#include "oauth/store.h"

#define HOST "127.0.0.1:8080"
#define PATH "/rest/V1/store/storeViews"

static void die(const char *what)
{
    fprintf(stderr, "bench_oauth_cpu: %s\n", what);
    exit(1);
}

struct fixture {
    struct db *db;
    struct crypto_key key;
    struct oauth_consumer consumer;
    struct oauth_token token;
    struct oauth_cache *cache;
    struct oauth_policy pol;
};

/* One signed header, as oauthlib makes it (every value percent-encoded and quoted). */
static char *sign_header(struct arena *a, const struct fixture *f, const char *method_name,
                         enum oauth_method m, long i)
{
    char nonce[32], ts[24];
    snprintf(nonce, sizeof(nonce), "%ld%08lx", i, (unsigned long)(i * 2654435761u));
    snprintf(ts, sizeof(ts), "%lld", (long long)f->pol.now);
    struct oauth_params p;
    oauth_params_init(&p, a);
    oauth_params_add(&p, a, STR_LIT("oauth_consumer_key"), str_c(f->consumer.key));
    oauth_params_add(&p, a, STR_LIT("oauth_nonce"), str_c(arena_strdup(a, nonce)));
    oauth_params_add(&p, a, STR_LIT("oauth_signature_method"), str_c(method_name));
    oauth_params_add(&p, a, STR_LIT("oauth_timestamp"), str_c(arena_strdup(a, ts)));
    oauth_params_add(&p, a, STR_LIT("oauth_token"), str_c(f->token.token));
    oauth_params_add(&p, a, STR_LIT("oauth_version"), STR_LIT("1.0"));
    struct str base =
        oauth_base_string(a, STR_LIT("GET"), false, STR_LIT(HOST), STR_LIT(PATH), &p, OAUTH_RFC);
    struct str sig = oauth_sign(a, m, f->consumer.secret, f->token.secret, base);
    struct buf h;
    buf_init(&h, a, 512);
    buf_add_c(&h, "OAuth ");
    oauth_params_add(&p, a, STR_LIT("oauth_signature"), sig);
    for (size_t k = 0; k < p.n; k++) {
        if (k)
            buf_add_c(&h, ", ");
        pct_encode(&h, p.items[k].name);
        buf_add_c(&h, "=\"");
        pct_encode(&h, p.items[k].value);
        buf_add_ch(&h, '"');
    }
    return (char *)buf_cstr(&h);
}

static enum err check_one(struct fixture *f, struct arena *a, const char *header)
{
    oauth_cache_sync(f->cache, f->db, db_changed(f->db));
    struct oauth_input in = {
        .method = STR_LIT("GET"),
        .host = STR_LIT(HOST),
        .path = STR_LIT(PATH),
        .query = STR_LIT(""),
        .authorization = str_c(header),
        .content_type = STR_NULL,
        .body = STR_LIT(""),
        .https = false,
    };
    struct oauth_checked ok;
    struct oauth_error oe;
    enum err e =
        oauth_check(f->db, f->cache, a, &f->key, &f->pol, OAUTH_STEP_RESOURCE, &in, &ok, &oe);
    crypto_wipe((void *)ok.consumer.secret.p, ok.consumer.secret.len);
    crypto_wipe((void *)ok.token.secret.p, ok.token.secret.len);
    return e;
}

/* The measured part (callgrind --toggle-collect=check_all): every header once. */
__attribute__((noinline)) long check_all(struct fixture *f, struct arena *a, char **headers,
                                         long n);
__attribute__((noinline)) long check_all(struct fixture *f, struct arena *a, char **headers, long n)
{
    long failed = 0;
    for (long i = 0; i < n; i++) {
        arena_reset(a);
        if (check_one(f, a, headers[i]) != ERR_OK)
            failed++;
    }
    return failed;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    const char *method_name = argc > 2 ? argv[2] : "HMAC-SHA256";
    enum oauth_method m = oauth_method_parse(str_c(method_name));
    if (count <= 0 || m == OAUTH_METHOD_UNKNOWN)
        die("usage: bench_oauth_cpu [COUNT [HMAC-SHA1|HMAC-SHA256]]");
    if (crypto_init())
        die("crypto_init failed");
    char dir[] = "/tmp/sg-bench-oauth-XXXXXX", url[128];
    if (!mkdtemp(dir))
        die("mkdtemp failed");
    snprintf(url, sizeof(url), "sqlite:%s/bench.db", dir);
    struct fixture f = {0};
    int applied = 0;
    if (db_open(url, true, &f.db) || db_migrate(f.db, &applied))
        die("cannot create the database");
    crypto_random(f.key.k, sizeof(f.key.k));
    struct arena *setup = arena_new(1 << 20);
    if (oauth_consumer_create(f.db, setup, &f.key, "bench", &f.consumer) ||
        oauth_token_create_verifier(f.db, setup, &f.key, f.consumer.id, &f.token) ||
        oauth_token_advance(f.db, setup, &f.key, &f.token, TOKEN_REQUEST) ||
        oauth_token_advance(f.db, setup, &f.key, &f.token, TOKEN_ACCESS))
        die("cannot create the consumer and its token");
    f.pol = (struct oauth_policy){"HMAC-SHA1,HMAC-SHA256", 600, 300, clock_now()};
    f.cache = oauth_cache_new();

    char **headers = malloc((size_t)count * sizeof(*headers));
    struct arena *pool = arena_new(1 << 20);
    if (!headers || !f.cache)
        die("out of memory");
    for (long i = 0; i < count; i++)
        headers[i] = sign_header(pool, &f, method_name, m, i);

    struct arena *a = arena_new(1 << 16);
    /* a tampered signature must fail, on a cold and on a warm cache */
    char *bad = arena_strdup(setup, headers[0]);
    char *sig = strstr(bad, "oauth_signature=\"");
    sig[strlen("oauth_signature=\"")] ^= 1;
    if (check_one(&f, a, bad) != ERR_OAUTH_SIGNATURE)
        die("a tampered signature passed");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long failed = check_all(&f, a, headers, count);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    arena_reset(a);
    if (check_one(&f, a, bad) != ERR_OAUTH_SIGNATURE)
        die("a tampered signature passed");
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    printf("bench_oauth_cpu: %ld %s checks, %ld failed, %.2f us a check\n", count, method_name,
           failed, ns / 1000.0 / (double)count);

    arena_free(a);
    arena_free(pool);
    arena_free(setup);
    free(headers);
    oauth_cache_free(f.cache);
    db_close(f.db);
    static const char *const files[] = {"bench.db", "bench.db-wal", "bench.db-shm"};
    for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
        char file[160];
        snprintf(file, sizeof(file), "%s/%s", dir, files[k]);
        remove(file);
    }
    rmdir(dir);
    return failed ? 1 : 0;
}
