/* The nonce journal: replays refused within a batch, across batches and after a reopen; a torn
 * slot forgotten without losing the slots after it; segments rotated and deleted once older than
 * the window; one process at a time; segments of the earlier flat layout read back; many threads
 * submitting at once; a segment growing past its first preallocation while commits go on; leases
 * (answered at once under a synced one) and the fences they leave after a reboot. Each test runs
 * in the four modes (direct, fdatasync, background, leased), but the one about leases alone. */
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/crypto.h"
#include "oauth/nonce_journal.h"

static char dir[64], path[128];
/* direct mode's writer threads: more than one, so that writes overlap */
#define WRITERS 3
/* lease mode's seconds */
#define LEASE 2
static enum nonce_journal_mode sync_each; /* the mode of the test running */

static int setup(void **state)
{
    sync_each = *state ? *(enum nonce_journal_mode *)*state : NONCE_JOURNAL_SYNC;
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

/* Submits reqs[0..n) as one batch and waits until every result is set. true: they were set at
 * once (the submission did not wait for a sync). */
static bool commit(struct nonce_journal *j, struct nonce_req *reqs, size_t n, int64_t now)
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
    bool at_once = nonce_journal_submit(j, &w.b, now, 600);
    if (!at_once) {
        pthread_mutex_lock(&w.lock);
        while (!w.done)
            pthread_cond_wait(&w.cond, &w.lock);
        pthread_mutex_unlock(&w.lock);
    }
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
    return at_once;
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
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
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
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
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
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    enum { N = 40000 }; /* about 156 a shard: each grows three times */
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
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    assert_int_equal(nonce_journal_count(j), N);
    nonce_journal_close(j);
}

static void test_torn_slot(void **state)
{
    (void)state;
    struct nonce_journal *j;
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    struct nonce_req batch[3] = {req(1, "first", T), req(1, "torn", T), req(1, "last", T)};
    commit(j, batch, 3, T);
    nonce_journal_close(j);
    /* a crash mid-write: the second slot half written (after the 512-byte header block) */
    char seg[160];
    snprintf(seg, sizeof(seg), "%s.000001", path);
    int fd = open(seg, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "\xff\xff\xff\xff", 4, 512 + NONCE_JOURNAL_SLOT + 20), 4);
    close(fd);
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    assert_int_equal(nonce_journal_count(j), 2);
    assert_int_equal(one(j, 1, "first", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "last", T), ERR_OAUTH_NONCE_USED); /* after the torn slot */
    assert_int_equal(one(j, 1, "next", T), ERR_OK);               /* appended after "last" */
    nonce_journal_close(j);
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    assert_int_equal(one(j, 1, "last", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "next", T), ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
}

/* The segments present: how many, and the lowest and highest sequence numbers. */
static int segments_seq(long *lo, long *hi)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    *lo = -1;
    *hi = -1;
    while ((de = readdir(d))) {
        const char *at = strstr(de->d_name, "-nonces.0");
        if (!at)
            continue;
        long seq = strtol(at + strlen("-nonces."), NULL, 10);
        *lo = *lo < 0 || seq < *lo ? seq : *lo;
        *hi = seq > *hi ? seq : *hi;
        n++;
    }
    closedir(d);
    return n;
}

static void test_rotation_and_expiry(void **state)
{
    (void)state;
    struct nonce_journal *j;
    assert_int_equal(nonce_journal_open(path, 64, 0, sync_each, WRITERS, LEASE, &j), ERR_OK);
    char n[32];
    for (int i = 0; i < 200; i++) {
        snprintf(n, sizeof(n), "old%d", i);
        assert_int_equal(one(j, 1, n, T), ERR_OK);
    }
    long old_lo, old_hi;
    assert_true(segments_seq(&old_lo, &old_hi) >= 4);
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, 64, 0, sync_each, WRITERS, LEASE, &j), ERR_OK);
    assert_int_equal(nonce_journal_count(j), 200);
    assert_int_equal(one(j, 1, "old150", T), ERR_OAUTH_NONCE_USED);
    /* much later: the old nonces are outside the window; the full segments go at the next
     * rotation (in lease mode the first holds a lease up to T + LEASE, kept as long) */
    int64_t later = T + LEASE + 600 + 61;
    for (int i = 0; i < 70; i++) {
        snprintf(n, sizeof(n), "new%d", i);
        assert_int_equal(one(j, 1, n, later), ERR_OK);
    }
    /* every segment of the old nonces is gone but the last one, which the new ones were
     * appended to; those of the new ones stay (a block of 12 slots a batch in direct mode, so
     * more than 70 / 64 of them) */
    long lo, hi;
    int left = segments_seq(&lo, &hi);
    assert_int_equal(lo, old_hi);
    assert_int_equal(left, hi - lo + 1);
    if (sync_each != NONCE_JOURNAL_SYNC)
        assert_true(left <= 2);
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, 64, 0, sync_each, WRITERS, LEASE, &j), ERR_OK);
    assert_int_equal(one(j, 1, "new3", later), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "new69", later), ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
}

static void test_one_process_at_a_time(void **state)
{
    (void)state;
    struct nonce_journal *j, *other;
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    /* flock is per open file description: a second open in this process conflicts like another
     * process would */
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &other),
        ERR_UNAVAILABLE);
    nonce_journal_close(j);
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &other),
        ERR_OK);
    nonce_journal_close(other);
}

/* A flat segment as earlier versions wrote them: 40-byte slots from the first byte. */
static void flat_slot(unsigned char slot[NONCE_JOURNAL_SLOT], int64_t consumer, const char *nonce,
                      int64_t ts)
{
    unsigned char in[16 + 8 + NONCE_MAX_LEN], d[16];
    size_t n = strlen(nonce);
    memcpy(in, "storegate nonce", 16);
    memcpy(in + 16, &consumer, 8);
    memcpy(in + 24, nonce, n);
    crypto_digest(in, 24 + n, slot, 16);
    memcpy(slot + 16, &consumer, 8);
    memcpy(slot + 24, &ts, 8);
    crypto_digest(slot, 32, d, sizeof(d));
    memcpy(slot + 32, d, 8);
}

static void test_flat_segment_read_back(void **state)
{
    (void)state;
    char seg[160];
    snprintf(seg, sizeof(seg), "%s.000001", path);
    int fd = open(seg, O_RDWR | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    unsigned char slots[4 * NONCE_JOURNAL_SLOT] = {0}; /* the last one never written */
    flat_slot(slots, 1, "old-a", T);
    flat_slot(slots + NONCE_JOURNAL_SLOT, 1, "old-b", T);
    flat_slot(slots + 2 * NONCE_JOURNAL_SLOT, 2, "old-a", T);
    assert_int_equal(write(fd, slots, sizeof(slots)), (ssize_t)sizeof(slots));
    close(fd);
    struct nonce_journal *j;
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    assert_int_equal(nonce_journal_count(j), 3);
    assert_int_equal(one(j, 1, "old-a", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "old-b", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 2, "old-a", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 2, "new", T), ERR_OK);
    nonce_journal_close(j);
    /* the flat segment is left as it was; the new nonce went to a new block-layout segment */
    struct stat st;
    assert_int_equal(stat(seg, &st), 0);
    assert_int_equal(st.st_size, (off_t)sizeof(slots));
    snprintf(seg, sizeof(seg), "%s.000002", path);
    assert_int_equal(stat(seg, &st), 0);
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    assert_int_equal(nonce_journal_count(j), 4);
    assert_int_equal(one(j, 1, "old-b", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 2, "new", T), ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
}

/* Several threads submit at once (as the workers do): each nonce accepted once, every accepted
 * one read back after a reopen, whatever order the writes ended in. */
struct submitter {
    struct nonce_journal *j;
    int id;
    int accepted;
};

static void *submit_many(void *arg)
{
    struct submitter *s = arg;
    char n[32];
    for (int round = 0; round < 200; round++) {
        struct nonce_req reqs[3];
        for (int k = 0; k < 3; k++) {
            /* every thread also tries the nonces of thread 0: one of them wins each */
            snprintf(n, sizeof(n), k == 2 ? "shared-%d" : "t%d-%d-%d", k == 2 ? round : s->id,
                     round, k);
            reqs[k] = req(9, n, T);
        }
        commit(s->j, reqs, 3, T);
        for (int k = 0; k < 3; k++)
            s->accepted += reqs[k].result == ERR_OK;
    }
    return NULL;
}

static void test_concurrent_submitters(void **state)
{
    (void)state;
    struct nonce_journal *j;
    assert_int_equal(nonce_journal_open(path, 600, 0, sync_each, WRITERS, LEASE, &j), ERR_OK);
    if (sync_each == NONCE_JOURNAL_SYNC_FDATASYNC || sync_each == NONCE_JOURNAL_BACKGROUND)
        assert_false(nonce_journal_direct(j));
    enum { THREADS = 6 };
    pthread_t t[THREADS];
    struct submitter s[THREADS];
    for (int i = 0; i < THREADS; i++) {
        s[i] = (struct submitter){j, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, submit_many, &s[i]), 0);
    }
    int accepted = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        accepted += s[i].accepted;
    }
    /* 2 own nonces a round a thread, and each shared one once */
    assert_int_equal(accepted, THREADS * 200 * 2 + 200);
    nonce_journal_close(j);
    assert_int_equal(nonce_journal_open(path, 600, 0, sync_each, WRITERS, LEASE, &j), ERR_OK);
    assert_int_equal(nonce_journal_count(j), THREADS * 200 * 2 + 200);
    assert_int_equal(one(j, 9, "shared-57", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 9, "t5-199-1", T), ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
}

/* More nonces than a segment's first preallocation (8192 blocks of 12 slots): a sync thread
 * writes the next zeros ahead while commits go on (in direct mode through the direct descriptor,
 * as every other write to the file); nothing is lost across the boundary. */
enum { GROW_THREADS = 4, GROW_ROUNDS = 2300, GROW_BATCH = 12 };

static void *submit_grow(void *arg)
{
    struct submitter *s = arg;
    char n[32];
    for (int round = 0; round < GROW_ROUNDS; round++) {
        struct nonce_req reqs[GROW_BATCH];
        for (int k = 0; k < GROW_BATCH; k++) {
            snprintf(n, sizeof(n), "g%d-%d-%d", s->id, round, k);
            reqs[k] = req(9, n, T);
        }
        commit(s->j, reqs, GROW_BATCH, T);
        for (int k = 0; k < GROW_BATCH; k++)
            s->accepted += reqs[k].result == ERR_OK;
    }
    return NULL;
}

static void test_growth_past_preallocation(void **state)
{
    (void)state;
    struct nonce_journal *j;
    const uint32_t slots = 3 * 8192 * 12;
    assert_int_equal(nonce_journal_open(path, slots, 0, sync_each, WRITERS, LEASE, &j), ERR_OK);
    pthread_t t[GROW_THREADS];
    struct submitter s[GROW_THREADS];
    for (int i = 0; i < GROW_THREADS; i++) {
        s[i] = (struct submitter){j, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, submit_grow, &s[i]), 0);
    }
    int accepted = 0;
    for (int i = 0; i < GROW_THREADS; i++) {
        pthread_join(t[i], NULL);
        accepted += s[i].accepted;
    }
    const int total = GROW_THREADS * GROW_ROUNDS * GROW_BATCH;
    assert_int_equal(accepted, total);
    nonce_journal_close(j);
    /* one segment, grown past its first 4 MiB of blocks */
    long lo, hi;
    assert_int_equal(segments_seq(&lo, &hi), 1);
    char seg[160];
    struct stat st;
    snprintf(seg, sizeof(seg), "%s.%06ld", path, lo);
    assert_int_equal(stat(seg, &st), 0);
    assert_true(st.st_size > 512 + 8192 * 512);
    assert_int_equal(nonce_journal_open(path, slots, 0, sync_each, WRITERS, LEASE, &j), ERR_OK);
    assert_int_equal(nonce_journal_count(j), total);
    assert_int_equal(one(j, 9, "g0-0-0", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 9, "g3-2299-11", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 9, "g2-1200-5", T), ERR_OAUTH_NONCE_USED);
    nonce_journal_close(j);
}

/* One nonce at now = T; true: answered at once (*result set). */
static bool at_once(struct nonce_journal *j, int64_t consumer, const char *nonce, int64_t ts,
                    enum err *result)
{
    struct nonce_req r = req(consumer, nonce, ts);
    bool now = commit(j, &r, 1, T);
    *result = r.result;
    return now;
}

/* The journal at path, in lease mode. */
static struct nonce_journal *open_leased(void)
{
    struct nonce_journal *j = NULL;
    assert_int_equal(nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, NONCE_JOURNAL_LEASED,
                                        WRITERS, LEASE, &j),
                     ERR_OK);
    return j;
}

/* Lease mode: a consumer's first nonce waits for the sync of its lease; the next ones within the
 * lease are answered once written; a lease is renewed ahead of its end; a timestamp far ahead of
 * the clock gets none; leases are per consumer; a reopen in the same boot fences nothing. */
static void test_leases(void **state)
{
    (void)state;
    struct nonce_journal *j = open_leased();
    enum err e;
    assert_false(at_once(j, 1, "a", T, &e)); /* no lease yet: waits for the sync */
    assert_int_equal(e, ERR_OK);
    assert_true(at_once(j, 1, "b", T, &e)); /* under the lease up to T + 2 */
    assert_int_equal(e, ERR_OK);
    assert_true(at_once(j, 1, "b", T, &e)); /* a replay: at once too */
    assert_int_equal(e, ERR_OAUTH_NONCE_USED);
    assert_true(at_once(j, 1, "c", T + LEASE, &e)); /* the lease's last second; renews it */
    assert_int_equal(e, ERR_OK);
    assert_false(at_once(j, 2, "a", T, &e)); /* another consumer: a lease of its own */
    assert_int_equal(e, ERR_OK);
    /* that sync covered the renewal written before it: up to T + 2 * LEASE */
    assert_true(at_once(j, 1, "d", T + 2 * LEASE, &e));
    assert_int_equal(e, ERR_OK);
    assert_false(at_once(j, 1, "e", T + 3 * LEASE + 5, &e)); /* beyond every lease: waits */
    assert_int_equal(e, ERR_OK);
    /* far ahead of the clock (T): no lease, each one waits */
    assert_false(at_once(j, 1, "f", T + 61, &e));
    assert_int_equal(e, ERR_OK);
    assert_false(at_once(j, 1, "g", T + 61, &e));
    assert_int_equal(e, ERR_OK);
    /* a batch mixing nonces under a lease and one without waits as a whole */
    struct nonce_req mixed[2] = {req(1, "h", T), req(3, "h", T)};
    assert_false(commit(j, mixed, 2, T));
    assert_int_equal(mixed[0].result, ERR_OK);
    assert_int_equal(mixed[1].result, ERR_OK);
    nonce_journal_close(j);
    /* the same boot: the page cache kept every write, so nothing is fenced */
    j = open_leased();
    assert_int_equal(nonce_journal_count(j), 10);
    assert_true(at_once(j, 1, "b", T, &e));
    assert_int_equal(e, ERR_OAUTH_NONCE_USED);
    assert_false(at_once(j, 1, "i", T, &e)); /* the leases start over */
    assert_int_equal(e, ERR_OK);
    assert_true(at_once(j, 1, "j", T + 1, &e));
    assert_int_equal(e, ERR_OK);
    nonce_journal_close(j);
}

/* Every valid slot of every segment through fn, written back when fn changed it: 1, with its check
 * made again; 2, as fn left it. */
static void rewrite_slots(int (*fn)(unsigned char *slot))
{
    for (int seq = 1; seq < 100; seq++) {
        char seg[160];
        snprintf(seg, sizeof(seg), "%s.%06d", path, seq);
        int fd = open(seg, O_RDWR);
        if (fd < 0)
            continue;
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        unsigned char block[512], d[16];
        for (off_t at = 512; at + 512 <= st.st_size; at += 512) {
            assert_int_equal(pread(fd, block, 512, at), 512);
            bool changed = false;
            for (int k = 0; k < 12; k++) {
                unsigned char *slot = block + k * NONCE_JOURNAL_SLOT;
                crypto_digest(slot, 32, d, sizeof(d));
                int how = memcmp(d, slot + 32, 8) == 0 ? fn(slot) : 0;
                if (how == 1) {
                    crypto_digest(slot, 32, d, sizeof(d));
                    memcpy(slot + 32, d, 8);
                }
                changed |= how != 0;
            }
            if (changed)
                assert_int_equal(pwrite(fd, block, 512, at), 512);
        }
        close(fd);
    }
}

static int64_t slot_consumer(const unsigned char *slot)
{
    int64_t v;
    memcpy(&v, slot + 16, 8);
    return v;
}

static int64_t slot_ts(const unsigned char *slot)
{
    int64_t v;
    memcpy(&v, slot + 24, 8);
    return v;
}

/* A reboot: the leases were written in another boot. */
static int other_boot(unsigned char *slot)
{
    if (slot_ts(slot) >= 0)
        return 0;
    slot[0] ^= 0xff;
    return 1;
}

/* ... and the nonces of consumer 1 at T + 1 never reached the disk. */
static int lost(unsigned char *slot)
{
    if (slot_consumer(slot) != 1 || slot_ts(slot) != T + 1)
        return 0;
    memset(slot, 0, NONCE_JOURNAL_SLOT);
    return 2;
}

/* A power loss after lease mode answered nonces that only reached the page cache: after it, the
 * consumer's timestamps up to its leases' end are refused (in every mode that reads the journal
 * back), nonces read back still count as used, other consumers and later timestamps are served,
 * and the fence stays until it leaves the window, across clean restarts. */
static void test_fence_after_a_reboot(void **state)
{
    (void)state;
    struct nonce_journal *j = open_leased();
    enum err e;
    assert_false(at_once(j, 1, "a", T, &e));      /* lease up to T + 2, synced */
    assert_true(at_once(j, 1, "b", T + 1, &e));   /* written only; renews up to T + 3 */
    assert_false(at_once(j, 2, "a", T - 30, &e)); /* consumer 2: its lease up to T - 28 */
    nonce_journal_close(j);
    rewrite_slots(other_boot);
    rewrite_slots(lost);
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    assert_int_equal(nonce_journal_count(j), 2); /* "b" is gone */
    assert_int_equal(one(j, 1, "a", T), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "b", T + 1), ERR_OAUTH_NONCE); /* would be a replay */
    assert_int_equal(one(j, 1, "c", T + 3), ERR_OAUTH_NONCE);
    assert_int_equal(one(j, 2, "c", T - 28), ERR_OAUTH_NONCE);
    assert_int_equal(one(j, 2, "d", T - 27), ERR_OK);
    assert_int_equal(one(j, 3, "a", T), ERR_OK); /* no fence: consumer 3 had no lease */
    /* a refused nonce is not used up: the same one past the fence */
    assert_int_equal(one(j, 1, "b", T + 4), ERR_OK);
    nonce_journal_close(j);
    /* after a clean close, in the same boot: the fences stay */
    assert_int_equal(
        nonce_journal_open(path, NONCE_JOURNAL_SEGMENT_SLOTS, 0, sync_each, WRITERS, LEASE, &j),
        ERR_OK);
    assert_int_equal(nonce_journal_count(j), 5);
    assert_int_equal(one(j, 1, "b", T + 1), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "x", T + 1), ERR_OAUTH_NONCE);
    assert_int_equal(one(j, 1, "c", T + 3), ERR_OAUTH_NONCE);
    assert_int_equal(one(j, 2, "c", T - 28), ERR_OAUTH_NONCE);
    assert_int_equal(one(j, 2, "d", T - 27), ERR_OAUTH_NONCE_USED);
    assert_int_equal(one(j, 1, "c", T + 4), ERR_OK);
    nonce_journal_close(j);
}

int main(void)
{
    crypto_init();
    static enum nonce_journal_mode fdatasync_mode = NONCE_JOURNAL_SYNC_FDATASYNC,
                                   background = NONCE_JOURNAL_BACKGROUND,
                                   leased = NONCE_JOURNAL_LEASED;
#define ALL_MODES(t)                                                                               \
    cmocka_unit_test_setup_teardown(t, setup, teardown),                                           \
        cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &fdatasync_mode),             \
        cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &background),                 \
        cmocka_unit_test_prestate_setup_teardown(t, setup, teardown, &leased)
    const struct CMUnitTest tests[] = {
        ALL_MODES(test_replays),
        ALL_MODES(test_many_grow_the_set),
        ALL_MODES(test_torn_slot),
        ALL_MODES(test_rotation_and_expiry),
        ALL_MODES(test_one_process_at_a_time),
        ALL_MODES(test_flat_segment_read_back),
        ALL_MODES(test_concurrent_submitters),
        ALL_MODES(test_growth_past_preallocation),
        cmocka_unit_test_setup_teardown(test_leases, setup, teardown),
        ALL_MODES(test_fence_after_a_reboot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
