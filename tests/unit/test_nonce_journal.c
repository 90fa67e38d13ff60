/* The nonce journal: replays refused within a batch, across batches and after a reopen; a torn
 * slot forgotten without losing the slots after it; segments rotated and deleted once older than
 * the window; one process at a time. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/crypto.h"
#include "oauth/nonce_journal.h"

static char dir[64], path[128];
static bool sync_each; /* each test runs in both modes */

static int setup(void **state)
{
    sync_each = *state == NULL;
    snprintf(dir, sizeof(dir), "/tmp/sg-nonce-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/store.db-nonces", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *de;
    char name[512];
    while (d && (de = readdir(d)))
        if (de->d_name[0] != '.') {
            snprintf(name, sizeof(name), "%s/%s", dir, de->d_name);
            unlink(name);
        }
    if (d)
        closedir(d);
    rmdir(dir);
    return 0;
}

/* A batch and a way to wait for its sync. */
struct waiter {
    struct nonce_batch b;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
};

static void synced(struct nonce_batch *b)
{
    struct waiter *w = (struct waiter *)b;
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Submits reqs[0..n) as one batch and waits until every result is set. */
static void commit(struct nonce_journal *j, struct nonce_req *reqs, size_t n, int64_t now)
{
    struct waiter w;
    memset(&w, 0, sizeof(w));
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    for (size_t i = 0; i < n; i++) {
        reqs[i].next = i + 1 < n ? &reqs[i + 1] : NULL;
        reqs[i].result = ERR_DB; /* must be overwritten */
    }
    w.b.reqs = n ? reqs : NULL;
    w.b.done = synced;
    if (!nonce_journal_submit(j, &w.b, now, 600)) {
        pthread_mutex_lock(&w.lock);
        while (!w.done)
            pthread_cond_wait(&w.cond, &w.lock);
        pthread_mutex_unlock(&w.lock);
    }
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
}

static struct nonce_req req(int64_t consumer, const char *nonce, int64_t ts)
{
    struct nonce_req r;
    memset(&r, 0, sizeof(r));
    r.consumer_id = consumer;
    r.timestamp = ts;
    snprintf(r.nonce, sizeof(r.nonce), "%s", nonce);
    return r;
}

static enum err one(struct nonce_journal *j, int64_t consumer, const char *nonce, int64_t ts)
{
    struct nonce_req r = req(consumer, nonce, ts);
    commit(j, &r, 1, ts);
    return r.result;
}

static const int64_t T = 1800000000;

static void test_replays(void **state)
{
    (void)state;
    struct nonce_journal *j;
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    struct nonce_req batch[4] = {req(1, "a", T), req(1, "b", T), req(1, "a", T), req(2, "a", T)};
    commit(j, batch, 4, T);
    assert_int_equal(batch[0].result, ERR_OK);
    assert_int_equal(batch[1].result, ERR_OK);
    assert_int_equal(batch[2].result, ERR_OAUTH_NONCE_USED); /* earlier in the same batch */
    assert_int_equal(batch[3].result, ERR_OK);               /* another consumer's */
    assert_int_equal(one(j, 1, "b", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 2, "b", T), ERR_OK);
    /* a batch with nothing new is answered at once */
    struct nonce_req again[2] = {req(1, "a", T), req(2, "a", T)};
    commit(j, again, 2, T);
    assert_int_equal(again[0].result, ERR_OAUTH_NONCE_USED);
    assert_int_equal(again[1].result, ERR_OAUTH_NONCE_USED);
    /* the longest nonce */
    char longest[NONCE_MAX_LEN + 1];
    memset(longest, 'x', NONCE_MAX_LEN);
    longest[NONCE_MAX_LEN] = '\0';
    assert_int_equal(one(j, 1, longest, T), ERR_OK);
    assert_int_equal(one(j, 1, longest, T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(nonce_journal_count(j), 5);
    nonce_journal_close(j);

    /* after a restart: everything read back */
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    assert_int_equal(nonce_journal_count(j), 5);
    assert_int_equal(one(j, 1, "a", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 2, "a", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, longest, T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "c", T), ERR_OK);
    nonce_journal_close(j);
}

static void test_many_grow_the_set(void **state)
{
    (void)state;
    struct nonce_journal *j;
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    enum { N = 5000 };
    static struct nonce_req reqs[N];
    char n[32];
    for (int i = 0; i < N; i++) {
        snprintf(n, sizeof(n), "n%d", i);
        reqs[i] = req(7, n, T);
    }
    for (int i = 0; i < N; i += 100)
        commit(j, reqs + i, 100, T);
    for (int i = 0; i < N; i++)
        assert_int_equal(reqs[i].result, ERR_OK);
    for (int i = 0; i < N; i += 100)
        commit(j, reqs + i, 100, T);
    for (int i = 0; i < N; i++)
        assert_int_equal(reqs[i].result, ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    assert_int_equal(nonce_journal_count(j), N);
    nonce_journal_close(j);
}

static void test_torn_slot(void **state)
{
    (void)state;
    struct nonce_journal *j;
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    struct nonce_req batch[3] = {req(1, "first", T), req(1, "torn", T), req(1, "last", T)};
    commit(j, batch, 3, T);
    nonce_journal_close(j);
    /* a crash mid-write: the second slot half written */
    char seg[160];
    snprintf(seg, sizeof(seg), "%s.000001", path);
    int fd = open(seg, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "\xff\xff\xff\xff", 4, NONCE_JOURNAL_SLOT + 20), 4);
    close(fd);
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    assert_int_equal(nonce_journal_count(j), 2);
    assert_int_equal(one(j, 1, "first", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "last", T), ERR_OAUTH_NONCE_USED); /* after the torn slot */
    assert_int_equal(one(j, 1, "next", T), ERR_OK);               /* appended after "last" */
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    assert_int_equal(one(j, 1, "last", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "next", T), ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
}

static int segments(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d)))
        n += strstr(de->d_name, "-nonces.0") != NULL;
    closedir(d);
    return n;
}

static void test_rotation_and_expiry(void **state)
{
    (void)state;
    struct nonce_journal *j;
    assert_int_equal(nonce_journal_open(path, 64, 0, sync_each, &j), ERR_OK);
    char n[32];
    for (int i = 0; i < 200; i++) {
        snprintf(n, sizeof(n), "old%d", i);
        assert_int_equal(one(j, 1, n, T), ERR_OK);
    }
    assert_true(segments() >= 4);
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, 64, 0, sync_each, &j), ERR_OK);
    assert_int_equal(nonce_journal_count(j), 200);
    assert_int_equal(one(j, 1, "old150", T), ERR_OAUTH_NONCE_USED);
    /* much later: the old nonces are outside the window; the full segments go at the next
     * rotation */
    int64_t later = T + 600 + 61;
    for (int i = 0; i < 70; i++) {
        snprintf(n, sizeof(n), "new%d", i);
        assert_int_equal(one(j, 1, n, later), ERR_OK);
    }
    assert_true(segments() <= 2);
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, 64, 0, sync_each, &j), ERR_OK);
    assert_int_equal(one(j, 1, "new3", later), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "new69", later), ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
}

static void test_one_process_at_a_time(void **state)
{
    (void)state;
    struct nonce_journal *j, *other;
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &j),
                     ERR_OK);
    /* flock is per open file description: a second open in this process conflicts like another
     * process would */
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &other),
                     ERR_UNAVAILABLE);
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, &other),
                     ERR_OK);
    nonce_journal_close(other);
}

int main(void)
{
    crypto_init();
    static int background = 1;
#define BOTH(t)                                                                                    \
    cmocka_unit_test_setup_teardown(t, setup, teardown),                                           \
        cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &background)
    const struct CMUnitTest tests[] = {
        BOTH(test_replays),
        BOTH(test_many_grow_the_set),
        BOTH(test_torn_slot),
        BOTH(test_rotation_and_expiry),
        BOTH(test_one_process_at_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
