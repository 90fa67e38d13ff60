/* The nonce journal (see nonce_journal.h). */
#include "oauth/nonce_journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"

/* Preallocation step: zeros written and synced ahead of the appends (4 MiB of blocks). */
#define EXTEND_BLOCKS 8192u
/* Segment layout (nonce_journal.h): a header block, then blocks of SLOTS_PER_BLOCK slots. */
#define BLOCK 512
#define SLOTS_PER_BLOCK (BLOCK / NONCE_JOURNAL_SLOT)
#define IO_ALIGN 4096 /* buffers for O_DIRECT */
static const char HEADER[] = "storegate nonce journal, 512-byte blocks of 12 slots\n";
/* Threads that write and sync, each taking every batch waiting when it comes round.
 * - Direct mode (O_DIRECT|O_DSYNC): each write is its own sync (data, then a cache flush, inside
 *   the kernel), and concurrent writes to different blocks proceed in parallel, their flushes
 *   merged by the block layer: on the 2-core dev VM, 4 threads writing 512-byte blocks reach
 *   20,000 syncs/s at 200 us each, 8 threads 36,000/s, where write + fdatasync stays near
 *   10,000/s however many threads call it (fdatasync calls on one file run one after another).
 *   A direct write also costs less CPU than write + fdatasync (27 against 35 us of system time
 *   there). The setting nonce_writers (default 2) says how many threads: with two, a batch
 *   queued while one write runs starts its own at once; more threads make more, smaller writes,
 *   each costing about the same CPU (bench/README.md has the figures).
 * - fdatasync mode (a file system without O_DIRECT, such as some tmpfs): one thread, for that
 *   reason. */
#define SYNC_THREADS_MAX NONCE_JOURNAL_WRITERS_MAX
/* Nonces are kept this long past the window (as the database cleanup does). */
#define KEEP_MARGIN 60
/* Lease mode: no lease for a timestamp further ahead of this clock than this (seconds). */
#define LEASE_AHEAD_MAX 60

struct segment {
    struct segment *next; /* oldest first */
    int fd;
    int dfd;      /* the same file opened O_DIRECT|O_DSYNC (direct mode), or -1 */
    bool blocked; /* the block layout; false: a flat segment of an earlier version (read only) */
    uint64_t seq;
    uint32_t used, alloc; /* slots handed out; slots written with zeros and synced */
    int64_t max_ts;
    int writers;   /* appends in progress outside the lock */
    bool unsynced; /* lease mode: written since its last sync */
};

/* Leases (lease mode, see nonce_journal.h), per consumer, under the lock. */
struct lease {
    int64_t consumer_id; /* 0: a free entry */
    int64_t fence;       /* read back from an earlier boot: timestamps up to it are refused */
    int64_t durable;     /* synced this run: timestamps up to it are answered once written */
    int64_t pending;     /* the furthest lease written or being written (>= durable) */
};

/* A lease written, to count once a sync that started after its write is over. */
struct lease_update {
    int64_t consumer_id, until;
    uint64_t gen;
};

struct entry {
    unsigned char fp[16];
    int64_t ts; /* 0: empty; -1: removed */
};

#define SHARDS 256
#define SHARD_CAP 64 /* entries of a shard at first (24 bytes each) */
struct shard {
    struct entry *tab;
    size_t cap, live, removed;
};

struct nonce_journal {
    pthread_mutex_t lock;
    char path[PATH_MAX - 16];
    int lock_fd, dir_fd;
    uint32_t segment_slots;
    struct segment *segs, *cur;
    struct shard shards[SHARDS];
    size_t live;    /* entries in all shards */
    int64_t cutoff; /* entries older than this may be dropped */
    /* the sync thread */
    pthread_t threads[SYNC_THREADS_MAX];
    int nthreads;
    bool stop;
    bool sync_each;        /* false: answer once written; sync in the background */
    bool direct;           /* sync_each with O_DIRECT|O_DSYNC writes (see SYNC_THREADS_MAX) */
    struct segment *dirty; /* background mode: written since the last sync */
    /* Preparation ahead (a sync thread, outside the lock): the current segment's next blocks
     * of zeros, and the next segment, so that a commit rarely waits for either. */
    struct segment *spare; /* created and preallocated, not yet in segs */
    bool want_prepare, preparing;
    pthread_cond_t prepared;
    pthread_cond_t cond;
    struct nonce_batch *waiting, *waiting_tail;         /* written, waiting for a sync */
    long long syncs, batches, nonces, wait_us, disk_us; /* counters, logged at close */
    /* Leases and fences */
    int lease_s;            /* lease mode: seconds of timestamps a lease covers; 0: off */
    unsigned char boot[16]; /* this boot of the machine (/proc/sys/kernel/random/boot_id) */
    struct lease *leases;
    size_t lease_cap, lease_n, fences;
    struct lease_update *updates; /* lease mode: written, waiting for a sync */
    size_t updates_n, updates_cap;
    uint64_t gen; /* lease mode: syncs started; a write registered now needs sync gen + 1 */
    long long fast, fenced; /* answered without waiting for a sync; refused by a fence */
};

static void *sync_main(void *arg);
static void *lease_sync_main(void *arg);

/* --- the in-memory set --- */

static size_t slot_of(const unsigned char fp[16], size_t cap)
{
    uint64_t h;
    memcpy(&h, fp, sizeof(h));
    return (size_t)h & (cap - 1);
}

/* The set is split by the fingerprint's last byte (the slot comes from its first eight) into
 * shards that grow one at a time: a growth rehashes 1/256 of the nonces under the lock, not all
 * of them (one table of a million nonces took the workers ~0.5 s to rehash). */
static struct shard *shard_of(struct nonce_journal *j, const unsigned char fp[16])
{
    return &j->shards[fp[15]];
}

/* The entry for fp, or the empty one where it would go. */
static struct entry *find(struct shard *sh, const unsigned char fp[16])
{
    struct entry *tomb = NULL;
    for (size_t i = slot_of(fp, sh->cap);; i = (i + 1) & (sh->cap - 1)) {
        struct entry *e = &sh->tab[i];
        if (e->ts == 0)
            return tomb ? tomb : e;
        if (e->ts == -1) {
            if (!tomb)
                tomb = e;
        } else if (memcmp(e->fp, fp, 16) == 0) {
            return e;
        }
    }
}

static bool rebuild(struct nonce_journal *j, struct shard *sh, size_t cap)
{
    struct entry *old = sh->tab;
    size_t old_cap = sh->cap;
    struct entry *tab = calloc(cap, sizeof(*tab));
    if (!tab)
        return false;
    sh->tab = tab;
    sh->cap = cap;
    j->live -= sh->live;
    sh->live = sh->removed = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].ts <= 0 || old[i].ts < j->cutoff)
            continue;
        struct entry *e = find(sh, old[i].fp);
        *e = old[i];
        sh->live++;
    }
    j->live += sh->live;
    free(old);
    return true;
}

/* Room for one more entry: drops expired ones first, grows when still half full. */
static bool reserve(struct nonce_journal *j, struct shard *sh)
{
    if ((sh->live + sh->removed + 1) * 2 <= sh->cap)
        return true;
    size_t keep = 0;
    for (size_t i = 0; i < sh->cap; i++)
        keep += sh->tab[i].ts > 0 && sh->tab[i].ts >= j->cutoff;
    size_t cap = sh->cap;
    while ((keep + 1) * 4 > cap)
        cap *= 2;
    return rebuild(j, sh, cap);
}

static bool set_has(struct nonce_journal *j, const unsigned char fp[16])
{
    return find(shard_of(j, fp), fp)->ts > 0;
}

/* false: present already (or out of memory, which refuses the nonce as well: never accept what
 * could not be remembered) */
static bool set_add(struct nonce_journal *j, const unsigned char fp[16], int64_t ts, bool *oom)
{
    *oom = false;
    struct shard *sh = shard_of(j, fp);
    struct entry *e = find(sh, fp);
    if (e->ts > 0)
        return false;
    if (!reserve(j, sh)) {
        *oom = true;
        return false;
    }
    e = find(sh, fp); /* the table may have moved */
    if (e->ts == -1)
        sh->removed--;
    memcpy(e->fp, fp, 16);
    e->ts = ts > 0 ? ts : 1;
    sh->live++;
    j->live++;
    return true;
}

static void set_remove(struct nonce_journal *j, const unsigned char fp[16])
{
    struct shard *sh = shard_of(j, fp);
    struct entry *e = find(sh, fp);
    if (e->ts > 0) {
        e->ts = -1;
        sh->live--;
        sh->removed++;
        j->live--;
    }
}

/* --- leases --- */

static size_t lease_slot_of(int64_t consumer_id, size_t cap)
{
    return (size_t)(((uint64_t)consumer_id * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* The consumer's entry; with create, made when missing (NULL: out of memory). */
static struct lease *lease_of(struct nonce_journal *j, int64_t consumer_id, bool create)
{
    if (!j->lease_cap && !create)
        return NULL;
    if ((j->lease_n + 1) * 2 > j->lease_cap && create) {
        size_t cap = j->lease_cap ? j->lease_cap * 2 : 16;
        struct lease *tab = calloc(cap, sizeof(*tab));
        if (!tab)
            return NULL;
        for (size_t i = 0; i < j->lease_cap; i++) {
            if (!j->leases[i].consumer_id)
                continue;
            size_t k = lease_slot_of(j->leases[i].consumer_id, cap);
            while (tab[k].consumer_id)
                k = (k + 1) & (cap - 1);
            tab[k] = j->leases[i];
        }
        free(j->leases);
        j->leases = tab;
        j->lease_cap = cap;
    }
    for (size_t i = lease_slot_of(consumer_id, j->lease_cap);; i = (i + 1) & (j->lease_cap - 1)) {
        struct lease *l = &j->leases[i];
        if (l->consumer_id == consumer_id)
            return l;
        if (!l->consumer_id) {
            if (!create)
                return NULL;
            l->consumer_id = consumer_id;
            j->lease_n++;
            return l;
        }
    }
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The kernel's identifier of this boot: the page cache, where a lease mode write lies until it is
 * synced, outlives this process but not the boot. Unreadable: random, so that every start counts
 * as a new boot (the safe side). */
static void read_boot_id(unsigned char out[16])
{
    char text[64] = {0};
    int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
    if (fd >= 0)
        close(fd);
    size_t k = 0;
    memset(out, 0, 16);
    for (ssize_t i = 0; i < n && k < 32; i++) {
        int v = hex_value(text[i]);
        if (v < 0)
            continue;
        out[k / 2] |= (unsigned char)(k % 2 ? v : v << 4);
        k++;
    }
    if (k < 32)
        crypto_random(out, 16);
}

/* --- slots --- */

static void fingerprint(int64_t consumer_id, const char *nonce, unsigned char fp[16])
{
    unsigned char in[16 + 8 + NONCE_MAX_LEN];
    size_t n = strnlen(nonce, NONCE_MAX_LEN);
    memcpy(in, "storegate nonce", 16); /* with its NUL: a domain separator */
    memcpy(in + 16, &consumer_id, 8);
    memcpy(in + 24, nonce, n);
    crypto_digest(in, 24 + n, fp, 16);
}

static void slot_check(const unsigned char *slot, unsigned char out[8])
{
    unsigned char d[16];
    crypto_digest(slot, 32, d, sizeof(d));
    memcpy(out, d, 8);
}

static void slot_write(unsigned char *slot, const unsigned char fp[16], int64_t consumer_id,
                       int64_t ts)
{
    memcpy(slot, fp, 16);
    memcpy(slot + 16, &consumer_id, 8);
    memcpy(slot + 24, &ts, 8);
    slot_check(slot, slot + 32);
}

static bool slot_valid(const unsigned char *slot)
{
    unsigned char c[8];
    slot_check(slot, c);
    return memcmp(c, slot + 32, 8) == 0;
}

/* --- segments --- */

/* Where slot k of a segment starts. In the block layout, slot k at the start of a block is also
 * where the slots before it end, the padding of the block before included: [pos(a), pos(a + n))
 * covers slots a .. a+n-1 and lies right before the range of the slots that follow. */
static off_t slot_pos(const struct segment *s, uint32_t k)
{
    if (!s->blocked)
        return (off_t)k * NONCE_JOURNAL_SLOT;
    return BLOCK + (off_t)(k / SLOTS_PER_BLOCK) * BLOCK +
           (off_t)(k % SLOTS_PER_BLOCK) * NONCE_JOURNAL_SLOT;
}

static uint32_t round_to_block(uint32_t k)
{
    return (k + SLOTS_PER_BLOCK - 1) / SLOTS_PER_BLOCK * SLOTS_PER_BLOCK;
}

static void segment_name(const struct nonce_journal *j, uint64_t seq, char *out, size_t len)
{
    snprintf(out, len, "%s.%06llu", j->path, (unsigned long long)seq);
}

static bool write_all(int fd, const void *p, size_t len, off_t off)
{
    const char *c = p;
    while (len) {
        ssize_t n = pwrite(fd, c, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        c += n;
        len -= (size_t)n;
        off += n;
    }
    return true;
}

/* Zeros ahead of the appends, synced (size and allocation change here, not in a commit): whole
 * blocks of a block-layout segment, from slot `from` (its alloc) on; the new alloc in *to. Runs
 * under the lock, or outside it on slots no commit can reach yet.
 *
 * In direct mode the region ends on a page (4 KiB) boundary and the zeros go through the page
 * cache (then synced, then dropped from it): a buffered write to a page that a direct write is
 * changing at the same moment leaves the kernel unable to drop the stale page, and it then fails
 * the file's next sync with EIO. A buffered extension is also far cheaper here than a direct one,
 * which holds the file's lock, and so every commit, for the whole write and its flush. A segment
 * whose end is not on a page boundary (an earlier version's) gets the blocks up to the boundary
 * through the direct descriptor first. */
#define PAGE 4096
#define ZEROS (128 * BLOCK)
static unsigned char *zeros; /* ZEROS bytes aligned for O_DIRECT (never freed) */
static pthread_once_t zeros_once = PTHREAD_ONCE_INIT;

static void zeros_init(void)
{
    void *p = NULL;
    if (posix_memalign(&p, IO_ALIGN, ZEROS) == 0) {
        memset(p, 0, ZEROS);
        zeros = p;
    }
}

static bool write_zeros(int fd, off_t at, off_t to_pos)
{
    enum { IOV = 64 }; /* up to 4 MiB a call */
    struct iovec iov[IOV];
    while (at < to_pos) {
        int n = 0;
        size_t total = 0;
        for (; n < IOV && at + (off_t)total < to_pos; n++) {
            size_t len = to_pos - at - (off_t)total < (off_t)ZEROS
                             ? (size_t)(to_pos - at - (off_t)total)
                             : ZEROS;
            iov[n].iov_base = zeros;
            iov[n].iov_len = len;
            total += len;
        }
        ssize_t w = pwritev(fd, iov, n, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        at += w; /* short: the rest (a direct write stops at a block boundary) */
    }
    return true;
}

static bool extend(struct segment *s, uint32_t from, uint32_t slots, uint32_t *to)
{
    pthread_once(&zeros_once, zeros_init);
    if (!zeros) {
        errno = ENOMEM;
        return false;
    }
    uint32_t end = round_to_block(from + slots);
    off_t at = slot_pos(s, from), to_pos = slot_pos(s, end);
    if (s->blocked && to_pos % PAGE) { /* whole pages: the header block and data blocks */
        to_pos += PAGE - to_pos % PAGE;
        end = (uint32_t)((to_pos - BLOCK) / BLOCK) * SLOTS_PER_BLOCK;
    }
    if (s->dfd >= 0 && at % PAGE) {
        off_t page_end = at + (PAGE - at % PAGE);
        if (!write_zeros(s->dfd, at, page_end < to_pos ? page_end : to_pos))
            return false;
        at = page_end;
    }
    if (at < to_pos) {
        if (!write_zeros(s->fd, at, to_pos) || fsync(s->fd) != 0)
            return false;
        if (s->dfd >= 0) /* clean now: direct writes then have no pages to drop one by one */
            posix_fadvise(s->fd, at, to_pos - at, POSIX_FADV_DONTNEED);
    }
    *to = end;
    return true;
}

static uint32_t extend_step(const struct nonce_journal *j)
{
    uint32_t step = EXTEND_BLOCKS * SLOTS_PER_BLOCK;
    return j->segment_slots < step ? j->segment_slots : step;
}

static void segment_close(struct segment *s)
{
    if (s->fd >= 0)
        close(s->fd);
    if (s->dfd >= 0)
        close(s->dfd);
    s->fd = s->dfd = -1;
}

/* Direct mode for a block-layout segment: a second descriptor with O_DIRECT|O_DSYNC, tried with
 * a write of the header block. false (errno set) when the file system or the device refuses it
 * (tmpfs without O_DIRECT, a device whose blocks are larger than 512 bytes). */
static bool open_direct(struct segment *s, const char *name)
{
    s->dfd = open(name, O_RDWR | O_DIRECT | O_DSYNC | O_CLOEXEC);
    if (s->dfd < 0)
        return false;
    void *block = NULL;
    if (posix_memalign(&block, IO_ALIGN, BLOCK) != 0) {
        close(s->dfd);
        s->dfd = -1;
        errno = ENOMEM;
        return false;
    }
    memset(block, 0, BLOCK);
    memcpy(block, HEADER, sizeof(HEADER) - 1);
    bool ok = pwrite(s->dfd, block, BLOCK, 0) == BLOCK;
    int saved = errno;
    free(block);
    if (!ok) {
        close(s->dfd);
        s->dfd = -1;
        errno = saved;
    } else {
        /* the file's pages read or written before (clean, synced) leave the cache: direct writes
         * then have none to drop one by one */
        posix_fadvise(s->fd, 0, 0, POSIX_FADV_DONTNEED);
    }
    return ok;
}

/* A new segment, preallocated and synced, its directory entry too; with direct, its direct
 * descriptor (dfd stays -1 when the file system refuses it: the caller then leaves direct mode).
 * Needs no lock (the path and the folder never change). */
static struct segment *segment_new(const struct nonce_journal *j, uint64_t seq, bool direct)
{
    char name[PATH_MAX];
    segment_name(j, seq, name, sizeof(name));
    struct segment *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->seq = seq;
    s->blocked = true;
    s->dfd = -1;
    unsigned char header[BLOCK] = {0};
    memcpy(header, HEADER, sizeof(HEADER) - 1);
    s->fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (s->fd < 0 || !write_all(s->fd, header, BLOCK, 0) ||
        !extend(s, 0, extend_step(j), &s->alloc) || fsync(j->dir_fd) != 0) {
        log_error("cannot create the nonce journal \"%s\": %s", name, strerror(errno));
        if (s->fd >= 0) {
            close(s->fd);
            unlink(name);
        }
        free(s);
        return NULL;
    }
    if (direct && !open_direct(s, name)) {
        /* the folder's file system changed under us (rare): fdatasync from now on */
        log_warn("nonce journal \"%s\": no O_DIRECT writes (%s); syncing with fdatasync", name,
                 strerror(errno));
    }
    return s;
}

/* segment_new() for seq under the lock, or the spare one when it is that one. */
static struct segment *segment_next(struct nonce_journal *j, uint64_t seq)
{
    struct segment *s = j->spare;
    j->spare = NULL;
    if (s && s->seq != seq) { /* cannot happen: the spare follows cur */
        segment_close(s);
        free(s);
        s = NULL;
    }
    if (!s)
        s = segment_new(j, seq, j->direct);
    if (s && j->direct && s->dfd < 0)
        j->direct = false;
    return s;
}

/* No write, sync or preparation of s is under way or due (under the lock). */
static bool segment_idle(const struct nonce_journal *j, const struct segment *s)
{
    return s != j->cur && s->writers == 0 && s != j->dirty && !s->unsynced;
}

/* Deletes closed segments whose every nonce is older than the cutoff (under the lock). */
static void drop_old_segments(struct nonce_journal *j)
{
    struct segment **pp = &j->segs;
    while (*pp) {
        struct segment *s = *pp;
        if (segment_idle(j, s) && s->max_ts < j->cutoff) {
            char name[PATH_MAX];
            segment_name(j, s->seq, name, sizeof(name));
            segment_close(s);
            unlink(name);
            *pp = s->next;
            free(s);
            continue;
        }
        if (segment_idle(j, s))
            segment_close(s); /* full: never written again (nor to be synced) */
        pp = &s->next;
    }
}

/* Reads one segment back into the set. */
static bool segment_load(struct nonce_journal *j, struct segment *s)
{
    struct stat st;
    if (fstat(s->fd, &st) != 0)
        return false;
    /* The layout: a block-layout segment starts with its header; an earlier version's flat
     * segment with a slot (or zeros), which cannot be the header (its text fails a slot's
     * check). */
    char head[sizeof(HEADER) - 1];
    s->blocked = st.st_size >= BLOCK &&
                 pread(s->fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
                 memcmp(head, HEADER, sizeof(head)) == 0;
    uint64_t slots = s->blocked ? (uint64_t)(st.st_size / BLOCK - 1) * SLOTS_PER_BLOCK
                                : (uint64_t)st.st_size / NONCE_JOURNAL_SLOT;
    if (slots > UINT32_MAX / 2)
        slots = UINT32_MAX / 2 / SLOTS_PER_BLOCK * SLOTS_PER_BLOCK;
    s->alloc = (uint32_t)slots;
    s->max_ts = 0;
    enum { CHUNK = 1632 }; /* a multiple of SLOTS_PER_BLOCK */
    size_t buf_len = (size_t)(CHUNK / SLOTS_PER_BLOCK) * BLOCK;
    unsigned char *buf = malloc(buf_len);
    if (!buf)
        return false;
    uint32_t at = 0, last = 0;
    bool ok = true;
    while (at < s->alloc) {
        uint32_t n = s->alloc - at < CHUNK ? s->alloc - at : CHUNK;
        size_t len = (size_t)(slot_pos(s, at + n) - slot_pos(s, at));
        ssize_t got = pread(s->fd, buf, len < buf_len ? len : buf_len, slot_pos(s, at));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            ok = false;
            break;
        }
        /* whole slots only */
        uint32_t whole = 0;
        while (whole < n && slot_pos(s, at + whole) + NONCE_JOURNAL_SLOT - slot_pos(s, at) <= got)
            whole++;
        n = whole;
        if (!n)
            break;
        for (uint32_t i = 0; i < n; i++) {
            const unsigned char *slot = buf + (slot_pos(s, at + i) - slot_pos(s, at));
            if (!slot_valid(slot))
                continue;
            int64_t ts;
            memcpy(&ts, slot + 24, 8);
            if (ts < 0) { /* a lease: a fence when written in an earlier boot */
                int64_t consumer_id, until = ts == INT64_MIN ? INT64_MAX : -ts;
                memcpy(&consumer_id, slot + 16, 8);
                if (consumer_id > 0 && memcmp(slot, j->boot, 16) != 0) {
                    struct lease *l = lease_of(j, consumer_id, true);
                    if (!l) {
                        ok = false;
                        break;
                    }
                    if (!l->fence)
                        j->fences++;
                    if (until > l->fence)
                        l->fence = until;
                }
                if (until > s->max_ts)
                    s->max_ts = until;
                last = at + i + 1;
                continue;
            }
            bool oom;
            set_add(j, slot, ts, &oom);
            if (oom) {
                ok = false;
                break;
            }
            if (ts > s->max_ts)
                s->max_ts = ts;
            last = at + i + 1;
        }
        at += n;
    }
    free(buf);
    s->used = last; /* appends go after the last good slot; a torn one there is overwritten */
    return ok;
}

static int seq_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* path -> its folder ("." when none) and its last component. */
static void split_path(const char *path, char *dir, size_t dir_len, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(dir, dir_len, ".");
    else if (slash == path)
        snprintf(dir, dir_len, "/");
    else
        snprintf(dir, dir_len, "%.*s", (int)(slash - path), path);
}

/* The sequence numbers of the segments present, ascending. */
static bool list_segments(const struct nonce_journal *j, uint64_t **seqs, size_t *n)
{
    char dir[PATH_MAX];
    const char *base;
    split_path(j->path, dir, sizeof(dir), &base);
    size_t base_len = strlen(base);
    DIR *d = opendir(dir);
    if (!d)
        return false;
    size_t cap = 8;
    *n = 0;
    *seqs = malloc(cap * sizeof(**seqs));
    struct dirent *de;
    while (*seqs && (de = readdir(d))) {
        const char *name = de->d_name;
        if (strncmp(name, base, base_len) != 0 || name[base_len] != '.')
            continue;
        const char *digits = name + base_len + 1;
        size_t nd = strspn(digits, "0123456789");
        if (nd != 6 || digits[nd])
            continue;
        if (*n == cap) {
            uint64_t *more = realloc(*seqs, 2 * cap * sizeof(**seqs));
            if (!more) {
                free(*seqs);
                *seqs = NULL;
                break;
            }
            *seqs = more;
            cap *= 2;
        }
        (*seqs)[(*n)++] = strtoull(digits, NULL, 10);
    }
    closedir(d);
    if (!*seqs)
        return false;
    qsort(*seqs, *n, sizeof(**seqs), seq_cmp);
    return true;
}

static bool take_lock(struct nonce_journal *j, int wait_seconds)
{
    char name[PATH_MAX];
    snprintf(name, sizeof(name), "%s.lock", j->path);
    j->lock_fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (j->lock_fd < 0) {
        log_error("cannot open \"%s\": %s", name, strerror(errno));
        return false;
    }
    for (int tries = 0;; tries++) {
        if (flock(j->lock_fd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (errno != EWOULDBLOCK && errno != EINTR)
            break;
        if (tries == 0)
            log_warn("another process serves this store (\"%s\" is locked): waiting up to %d s",
                     name, wait_seconds);
        if (tries >= wait_seconds * 10)
            break;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    log_error("the nonce journal \"%s\" stays locked by another process: one serving process "
              "per SQLite store (several nodes need PostgreSQL)",
              name);
    return false;
}

enum err nonce_journal_open(const char *path, uint32_t segment_slots, int wait_seconds,
                            enum nonce_journal_mode mode, int writers, int lease_seconds,
                            struct nonce_journal **out)
{
    bool sync_each = mode != NONCE_JOURNAL_BACKGROUND;
    *out = NULL;
    struct nonce_journal *j = calloc(1, sizeof(*j));
    if (!j)
        return ERR_UNAVAILABLE;
    j->lock_fd = j->dir_fd = -1;
    j->segment_slots = segment_slots < 64 ? 64 : segment_slots;
    j->sync_each = sync_each;
    j->direct = mode == NONCE_JOURNAL_SYNC;
    if (mode == NONCE_JOURNAL_LEASED)
        j->lease_s = lease_seconds < 1 ? 1 : lease_seconds;
    read_boot_id(j->boot);
    bool tables = true;
    for (int i = 0; i < SHARDS; i++) {
        j->shards[i].cap = SHARD_CAP;
        j->shards[i].tab = calloc(SHARD_CAP, sizeof(struct entry));
        tables = tables && j->shards[i].tab;
    }
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->cond, NULL);
    pthread_cond_init(&j->prepared, NULL);
    if (!tables || strlen(path) >= sizeof(j->path)) {
        nonce_journal_close(j);
        return ERR_UNAVAILABLE;
    }
    memcpy(j->path, path, strlen(path) + 1);
    char dir[PATH_MAX];
    const char *base;
    split_path(path, dir, sizeof(dir), &base);
    j->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (j->dir_fd < 0 || !take_lock(j, wait_seconds)) {
        nonce_journal_close(j);
        return ERR_UNAVAILABLE;
    }
    uint64_t *seqs = NULL;
    size_t n = 0;
    if (!list_segments(j, &seqs, &n)) {
        log_error("cannot list the nonce journal \"%s\"", path);
        nonce_journal_close(j);
        return ERR_UNAVAILABLE;
    }
    struct segment **tail = &j->segs;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        char name[PATH_MAX];
        segment_name(j, seqs[i], name, sizeof(name));
        struct segment *s = calloc(1, sizeof(*s));
        if (!s) {
            ok = false;
            break;
        }
        s->seq = seqs[i];
        s->dfd = -1;
        s->fd = open(name, O_RDWR | O_CLOEXEC);
        *tail = s;
        tail = &s->next;
        j->cur = s;
        if (s->fd < 0 || !segment_load(j, s)) {
            log_error("cannot read the nonce journal \"%s\": %s", name, strerror(errno));
            ok = false;
        }
    }
    uint64_t next_seq = n ? seqs[n - 1] + 1 : 1;
    free(seqs);
    if (ok && j->cur && j->cur->blocked && j->direct) {
        char name[PATH_MAX];
        segment_name(j, j->cur->seq, name, sizeof(name));
        if (!open_direct(j->cur, name)) {
            log_info("nonce journal \"%s\": no O_DIRECT writes here (%s); syncing with fdatasync",
                     path, strerror(errno));
            j->direct = false;
        }
    }
    /* appends go to a block-layout segment with room (an earlier version's flat one is only
     * read) */
    if (ok && (!j->cur || !j->cur->blocked || j->cur->used >= j->segment_slots)) {
        struct segment *s = segment_next(j, next_seq);
        if (s) {
            *tail = s;
            j->cur = s;
        }
        ok = s != NULL;
    }
    if (!ok) {
        nonce_journal_close(j);
        return ERR_UNAVAILABLE;
    }
    drop_old_segments(j); /* closes the full ones; deletes none yet (no cutoff known) */
    if (j->fences)
        log_warn("nonce journal \"%s\": leases of an earlier boot (a power loss or a crash of the "
                 "machine may have lost their last unsynced nonces): %zu consumers' timestamps up "
                 "to their leases' ends are refused",
                 path, j->fences);
    int threads = !j->direct                   ? 1
                  : writers < 1                ? 1
                  : writers > SYNC_THREADS_MAX ? SYNC_THREADS_MAX
                                               : writers;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&j->threads[i], NULL, j->lease_s ? lease_sync_main : sync_main, j) !=
            0) {
            log_error("cannot start the nonce journal's sync threads");
            nonce_journal_close(j);
            return ERR_UNAVAILABLE;
        }
        j->nthreads++;
    }
    *out = j;
    return ERR_OK;
}

void nonce_journal_close(struct nonce_journal *j)
{
    if (!j)
        return;
    if (j->nthreads) {
        pthread_mutex_lock(&j->lock);
        j->stop = true; /* after the batches still waiting */
        pthread_cond_broadcast(&j->cond);
        pthread_mutex_unlock(&j->lock);
        for (int i = 0; i < j->nthreads; i++)
            pthread_join(j->threads[i], NULL);
    }
    if (j->syncs)
        log_info("nonce journal: %lld nonces in %lld batches, %lld syncs (%.1f nonces a sync), "
                 "%lld us from a batch's submission to its sync on average, %lld us a sync "
                 "(write and fdatasync)",
                 j->nonces, j->batches, j->syncs, (double)j->nonces / (double)j->syncs,
                 j->batches ? j->wait_us / j->batches : 0, j->disk_us / j->syncs);
    if (j->fast || j->fenced)
        log_info("nonce journal: %lld nonces answered under a synced lease (once written), %lld "
                 "refused by a fence",
                 j->fast, j->fenced);
    if (j->spare) { /* empty: read back as such (and appended to) next time */
        segment_close(j->spare);
        free(j->spare);
    }
    while (j->segs) {
        struct segment *s = j->segs;
        j->segs = s->next;
        segment_close(s);
        free(s);
    }
    if (j->lock_fd >= 0)
        close(j->lock_fd); /* releases the flock */
    if (j->dir_fd >= 0)
        close(j->dir_fd);
    for (int i = 0; i < SHARDS; i++)
        free(j->shards[i].tab);
    free(j->leases);
    free(j->updates);
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->cond);
    pthread_cond_destroy(&j->prepared);
    free(j);
}

bool nonce_journal_direct(struct nonce_journal *j)
{
    pthread_mutex_lock(&j->lock);
    bool direct = j->direct;
    pthread_mutex_unlock(&j->lock);
    return direct;
}

size_t nonce_journal_count(struct nonce_journal *j)
{
    pthread_mutex_lock(&j->lock);
    size_t n = j->live;
    pthread_mutex_unlock(&j->lock);
    return n;
}

/* Where a batch of n slots would start in s: in direct mode, at a block of its own. */
static uint32_t next_at(const struct nonce_journal *j, const struct segment *s)
{
    return j->direct && s->dfd >= 0 ? round_to_block(s->used) : s->used;
}

/* Whether cur's preallocated room runs low, or the next segment is not ready while cur fills
 * up (under the lock). */
static bool prepare_needed(const struct nonce_journal *j)
{
    const struct segment *s = j->cur;
    uint32_t at = next_at(j, s), step = extend_step(j);
    if (s->alloc < j->segment_slots && s->alloc - at < step / 2)
        return true;
    return !j->spare && at > j->segment_slots / 4 * 3;
}

/* A segment with room for n more slots, preallocated (under the lock). What a sync thread
 * prepares ahead is usually there; otherwise it is done here (or waited for). */
static struct segment *room_for(struct nonce_journal *j, uint32_t n)
{
    for (;;) {
        struct segment *s = j->cur;
        bool rotate = next_at(j, s) + n > j->segment_slots && s->used > 0;
        if ((rotate || next_at(j, s) + n > s->alloc) && j->preparing) {
            pthread_cond_wait(&j->prepared, &j->lock); /* it works on what this needs */
            continue;
        }
        if (rotate) {
            struct segment *next = segment_next(j, s->seq + 1);
            if (!next)
                return NULL;
            s->next = next; /* cur is always the last */
            j->cur = s = next;
            drop_old_segments(j);
        }
        while (next_at(j, s) + n > s->alloc)
            if (!extend(s, s->alloc, extend_step(j), &s->alloc)) {
                log_error("cannot extend the nonce journal: %s", strerror(errno));
                return NULL;
            }
        if (j->nthreads && !j->preparing && !j->want_prepare && prepare_needed(j)) {
            j->want_prepare = true;
            pthread_cond_signal(&j->cond);
        }
        return s;
    }
}

/* A sync thread's preparation ahead (called and returning under the lock). */
static void prepare(struct nonce_journal *j)
{
    j->want_prepare = false;
    if (!prepare_needed(j))
        return;
    j->preparing = true;
    struct segment *s = j->cur;
    uint32_t at = next_at(j, s), step = extend_step(j);
    if (s->alloc < j->segment_slots && s->alloc - at < step / 2) {
        uint32_t from = s->alloc, to = from;
        s->writers++; /* kept open */
        pthread_mutex_unlock(&j->lock);
        bool ok = extend(s, from, step, &to); /* beyond alloc: no commit writes there */
        int saved = errno;
        pthread_mutex_lock(&j->lock);
        s->writers--;
        if (ok && s->alloc == from)
            s->alloc = to;
        else if (!ok)
            log_error("cannot extend the nonce journal: %s", strerror(saved));
        if (segment_idle(j, s))
            segment_close(s);
    } else if (!j->spare) {
        uint64_t seq = s->seq + 1;
        bool direct = j->direct;
        pthread_mutex_unlock(&j->lock);
        struct segment *next = segment_new(j, seq, direct);
        pthread_mutex_lock(&j->lock);
        if (next && j->cur->seq + 1 == seq && !j->spare) {
            j->spare = next;
        } else if (next) { /* a commit rotated meanwhile (it waited, so: never) */
            char name[PATH_MAX];
            segment_name(j, next->seq, name, sizeof(name));
            segment_close(next);
            free(next);
            unlink(name);
        }
    }
    j->preparing = false;
    pthread_cond_broadcast(&j->prepared);
}

/* Sets the results of a batch whose sync is over (or that failed) and frees its buffers. */
static void finish(struct nonce_journal *j, struct nonce_batch *b, bool ok)
{
    pthread_mutex_lock(&j->lock);
    struct segment *s = b->segment;
    if (s) {
        s->writers--;
        if (segment_idle(j, s))
            segment_close(s);
    }
    for (uint32_t i = 0; i < b->nfresh; i++) {
        if (ok) {
            b->fresh[i]->result = ERR_OK;
        } else {
            set_remove(j, b->fps[i]); /* never acknowledged: the client may try it again */
            b->fresh[i]->result = ERR_UNAVAILABLE;
        }
    }
    pthread_mutex_unlock(&j->lock);
    free(b->fps);
    free(b->fresh);
    free(b->slots);
    free(b->image);
    b->fps = NULL;
    b->fresh = NULL;
    b->slots = NULL;
    b->image = NULL;
}

/* The bytes of the batch's slots as they lie in its segment, from slot_pos(at): the padding of
 * blocks included, and in direct mode up to the end of its last block, in memory aligned for
 * O_DIRECT. */
static bool build_image(const struct nonce_journal *j, struct nonce_batch *b)
{
    const struct segment *s = b->segment;
    bool direct = j->direct && s->dfd >= 0;
    uint32_t n = b->nfresh + b->nlease;
    uint32_t end = direct ? round_to_block(b->at + n) : b->at + n;
    off_t start = slot_pos(s, b->at);
    b->image_len = (size_t)(slot_pos(s, end) - start);
    void *p = NULL;
    if (posix_memalign(&p, IO_ALIGN, b->image_len ? b->image_len : 1) != 0)
        return false;
    b->image = p;
    memset(b->image, 0, b->image_len);
    for (uint32_t i = 0; i < n; i++)
        memcpy(b->image + (slot_pos(s, b->at + i) - start),
               b->slots + (size_t)i * NONCE_JOURNAL_SLOT, NONCE_JOURNAL_SLOT);
    return true;
}

/* Writes the batches from first up to (not including) end, which lie one after the other in the
 * same segment, with one pwritev a run of up to 64, to fd (the segment's direct descriptor, or
 * its plain one); then ok tells whether it all went out. */
static bool write_run(int fd, struct nonce_batch *first, struct nonce_batch *end)
{
    struct segment *s = first->segment;
    enum { MAX_IOV = 64 };
    struct iovec iov[MAX_IOV];
    struct nonce_batch *b = first;
    while (b != end) {
        off_t off = slot_pos(s, b->at);
        size_t total = 0;
        int n = 0;
        struct nonce_batch *from = b;
        for (; b != end && n < MAX_IOV; b = b->next, n++) {
            iov[n].iov_base = b->image;
            iov[n].iov_len = b->image_len;
            total += iov[n].iov_len;
        }
        ssize_t w = pwritev(fd, iov, n, off);
        if (w == (ssize_t)total)
            continue;
        /* short or interrupted: one batch at a time (whole blocks each, in direct mode) */
        for (struct nonce_batch *c = from; c != b; c = c->next)
            if (!write_all(fd, c->image, c->image_len, slot_pos(s, c->at)))
                return false;
    }
    return true;
}

/* Sets the results of every batch of list (by its ok), hands each back (done) and counts them;
 * called without the lock, returns holding it. synced_us: when their sync was over. */
static void hand_back(struct nonce_journal *j, struct nonce_batch *list, uint64_t synced_us)
{
    long long batches = 0, nonces = 0, wait_us = 0;
    for (struct nonce_batch *b = list; b;) {
        struct nonce_batch *next = b->next; /* done may free b */
        batches++;
        nonces += b->ok ? b->nfresh : 0;
        wait_us += (long long)(synced_us - b->start_us);
        finish(j, b, b->ok);
        b->done(b);
        b = next;
    }
    pthread_mutex_lock(&j->lock);
    j->batches += batches;
    j->nonces += nonces;
    j->wait_us += wait_us;
}

/* The sync thread: writes what the workers checked, then one fdatasync, back to back while
 * batches wait; each sync covers every batch queued before it started. */
static void *sync_main(void *arg)
{
    struct nonce_journal *j = arg;
    pthread_setname_np(pthread_self(), "sg-nonce-sync");
    pthread_mutex_lock(&j->lock);
    for (;;) {
        while (!j->waiting && !j->dirty && !j->want_prepare && !j->stop)
            pthread_cond_wait(&j->cond, &j->lock);
        if (j->want_prepare && !j->preparing && !j->stop) {
            prepare(j);
            continue;
        }
        if (j->dirty) {
            /* background mode: everything written so far goes to the disk, one sync after
             * another while writes keep coming */
            struct segment *seg = j->dirty;
            j->dirty = NULL;
            seg->writers++;
            pthread_mutex_unlock(&j->lock);
            uint64_t t0 = clock_mono_us();
            if (fdatasync(seg->fd) != 0)
                log_error("cannot sync the nonce journal: %s", strerror(errno));
            uint64_t t1 = clock_mono_us();
            pthread_mutex_lock(&j->lock);
            j->disk_us += (long long)(t1 - t0);
            seg->writers--;
            if (segment_idle(j, seg))
                segment_close(seg);
            j->syncs++;
            continue;
        }
        struct nonce_batch *list = j->waiting;
        j->waiting = j->waiting_tail = NULL;
        if (!list && j->stop)
            break;
        pthread_mutex_unlock(&j->lock);
        long long disk_us = 0;
        /* The queue is in slot order (slots are handed out and queued under one lock): runs of
         * the same segment are contiguous. Usually one run; two after a rotation. */
        for (struct nonce_batch *first = list; first;) {
            struct nonce_batch *end = first->next;
            while (end && end->segment == first->segment)
                end = end->next;
            struct segment *seg = first->segment;
            uint64_t t0 = clock_mono_us();
            /* direct: each write is synced when it returns */
            bool ok = seg->dfd >= 0 ? write_run(seg->dfd, first, end)
                                    : write_run(seg->fd, first, end) && fdatasync(seg->fd) == 0;
            disk_us += (long long)(clock_mono_us() - t0);
            if (!ok)
                log_error("cannot record nonces in the journal: %s", strerror(errno));
            for (struct nonce_batch *b = first; b != end; b = b->next)
                b->ok = ok;
            first = end;
        }
        hand_back(j, list, clock_mono_us());
        j->syncs++;
        j->disk_us += disk_us;
    }
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* Lease mode: counts a lease written at gen (under the lock). */
static bool lease_update_add(struct nonce_journal *j, const unsigned char *slot, uint64_t gen)
{
    if (j->updates_n == j->updates_cap) {
        size_t cap = j->updates_cap ? j->updates_cap * 2 : 64;
        struct lease_update *u = realloc(j->updates, cap * sizeof(*u));
        if (!u)
            return false;
        j->updates = u;
        j->updates_cap = cap;
    }
    struct lease_update *u = &j->updates[j->updates_n++];
    memcpy(&u->consumer_id, slot + 16, 8);
    memcpy(&u->until, slot + 24, 8);
    u->until = -u->until;
    u->gen = gen;
    return true;
}

/* Lease mode: a lease written that will never count (its write or its sync failed), under the
 * lock: the consumer's next request asks for one again. */
static void lease_update_drop(struct nonce_journal *j, int64_t consumer_id)
{
    struct lease *l = lease_of(j, consumer_id, false);
    if (l)
        l->pending = l->durable;
}

/* The leases of a batch that will not be written (under the lock). */
static void drop_batch_leases(struct nonce_journal *j, const struct nonce_batch *b)
{
    const unsigned char *leases = b->slots + (size_t)b->nfresh * NONCE_JOURNAL_SLOT;
    for (uint32_t i = 0; i < b->nlease; i++) {
        int64_t consumer_id;
        memcpy(&consumer_id, leases + (size_t)i * NONCE_JOURNAL_SLOT + 16, 8);
        lease_update_drop(j, consumer_id);
    }
}

/* Lease mode's sync thread: syncs only when a batch or a lease waits for it. A sync covers every
 * write registered before it started (their gen is at most the sync's). */
static void *lease_sync_main(void *arg)
{
    struct nonce_journal *j = arg;
    pthread_setname_np(pthread_self(), "sg-nonce-sync");
    pthread_mutex_lock(&j->lock);
    for (;;) {
        while (!j->waiting && !j->updates_n && !j->want_prepare && !j->stop)
            pthread_cond_wait(&j->cond, &j->lock);
        if (j->want_prepare && !j->preparing && !j->stop) {
            prepare(j);
            continue;
        }
        /* stopping with nothing waiting: one last sync of whatever was written */
        bool last = j->stop && !j->waiting && !j->updates_n;
        uint64_t gen = ++j->gen;
        enum { TODO_MAX = 16 };
        struct segment *todo[TODO_MAX];
        size_t ntodo = 0;
        bool more = false; /* (never: a rotation leaves one segment behind at a time) */
        for (struct segment *seg = j->segs; seg; seg = seg->next) {
            if (!seg->unsynced)
                continue;
            if (ntodo == TODO_MAX) {
                more = true;
                break;
            }
            seg->unsynced = false;
            seg->writers++;
            todo[ntodo++] = seg;
        }
        struct nonce_batch *list = more ? NULL : j->waiting;
        if (!more)
            j->waiting = j->waiting_tail = NULL;
        size_t nupdates = more ? 0 : j->updates_n; /* appends meanwhile need the next sync */
        pthread_mutex_unlock(&j->lock);
        uint64_t t0 = clock_mono_us();
        bool ok = true;
        for (size_t i = 0; i < ntodo; i++)
            if (fdatasync(todo[i]->fd) != 0) {
                log_error("cannot sync the nonce journal: %s", strerror(errno));
                ok = false;
            }
        uint64_t t1 = clock_mono_us();
        pthread_mutex_lock(&j->lock);
        for (size_t i = 0; i < ntodo; i++) {
            todo[i]->writers--;
            if (segment_idle(j, todo[i]))
                segment_close(todo[i]);
        }
        for (size_t i = 0; i < nupdates; i++) {
            struct lease_update *u = &j->updates[i];
            struct lease *l = lease_of(j, u->consumer_id, false);
            if (!ok || !l || u->gen > gen)
                lease_update_drop(j, u->consumer_id); /* (gen: never later) */
            else if (u->until > l->durable)
                l->durable = u->until;
        }
        if (nupdates) {
            memmove(j->updates, j->updates + nupdates,
                    (j->updates_n - nupdates) * sizeof(*j->updates));
            j->updates_n -= nupdates;
        }
        if (ntodo) {
            j->syncs++;
            j->disk_us += (long long)(t1 - t0);
        }
        for (struct nonce_batch *b = list; b; b = b->next)
            b->ok = ok;
        pthread_mutex_unlock(&j->lock);
        hand_back(j, list, t1);
        if (last)
            break;
    }
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* Lease mode: the batch's slots are in b->image, its slots handed out (called and returning under
 * the lock). Writes them to the page cache outside the lock; the nonces under a synced lease are
 * answered then (true), the others wait for the next sync (false: the sync thread finishes the
 * batch). */
static bool lease_write(struct nonce_journal *j, struct nonce_batch *b, uint32_t slow)
{
    struct segment *s = b->segment;
    pthread_mutex_unlock(&j->lock);
    bool ok = write_all(s->fd, b->image, b->image_len, slot_pos(s, b->at));
    int saved = errno;
    pthread_mutex_lock(&j->lock);
    b->ok = ok;
    const unsigned char *leases = b->slots + (size_t)b->nfresh * NONCE_JOURNAL_SLOT;
    if (ok) {
        s->unsynced = true;
        b->gen = j->gen + 1;
        for (uint32_t i = 0; i < b->nlease; i++)
            if (!lease_update_add(j, leases + (size_t)i * NONCE_JOURNAL_SLOT, b->gen)) {
                int64_t consumer_id;
                memcpy(&consumer_id, leases + (size_t)i * NONCE_JOURNAL_SLOT + 16, 8);
                lease_update_drop(j, consumer_id);
            }
        if (slow) {
            if (j->waiting_tail)
                j->waiting_tail->next = b;
            else
                j->waiting = b;
            j->waiting_tail = b;
        } else {
            j->fast += b->nfresh;
        }
        if (slow || b->nlease)
            pthread_cond_signal(&j->cond);
    } else {
        log_error("cannot record %u nonces in the journal: %s", b->nfresh, strerror(saved));
        drop_batch_leases(j, b);
    }
    return !(ok && slow);
}

bool nonce_journal_submit(struct nonce_journal *j, struct nonce_batch *b, int64_t now,
                          int64_t window)
{
    if (!b->start_us)
        b->start_us = clock_mono_us();
    size_t total = 0;
    for (struct nonce_req *r = b->reqs; r; r = r->next)
        total++;
    b->segment = NULL;
    b->nfresh = b->nlease = b->at = 0;
    b->gen = 0;
    b->next = NULL;
    b->image = NULL;
    b->image_len = 0;
    if (!total)
        total = 1;
    b->fps = malloc(total * sizeof(*b->fps));
    b->fresh = malloc(total * sizeof(*b->fresh));
    b->slots = malloc(2 * total * NONCE_JOURNAL_SLOT); /* the nonces', then leases */
    if (!b->slots || !b->fps || !b->fresh) {
        for (struct nonce_req *r = b->reqs; r; r = r->next)
            r->result = ERR_UNAVAILABLE;
        finish(j, b, false);
        return true;
    }
    uint32_t n = 0, nlease = 0, slow = 0;
    int64_t max_ts = 0;
    unsigned char *lease_slots = b->slots + total * NONCE_JOURNAL_SLOT;
    pthread_mutex_lock(&j->lock);
    int64_t cutoff = now - window - KEEP_MARGIN;
    if (cutoff > j->cutoff)
        j->cutoff = cutoff;
    for (struct nonce_req *r = b->reqs; r; r = r->next) {
        fingerprint(r->consumer_id, r->nonce, b->fps[n]);
        struct lease *l = NULL;
        if (j->fences || j->lease_s) {
            if (set_has(j, b->fps[n])) {
                r->result = ERR_OAUTH_NONCE_USED;
                continue;
            }
            l = lease_of(j, r->consumer_id, j->lease_s > 0);
            if (!l && j->lease_s) {
                r->result = ERR_UNAVAILABLE;
                continue;
            }
            if (l && r->timestamp <= l->fence) {
                /* it may have been accepted before a power loss that lost its slot */
                r->result = ERR_OAUTH_NONCE;
                j->fenced++;
                continue;
            }
        }
        bool oom;
        if (!set_add(j, b->fps[n], r->timestamp, &oom)) {
            r->result = oom ? ERR_UNAVAILABLE : ERR_OAUTH_NONCE_USED;
            continue;
        }
        slot_write(b->slots + (size_t)n * NONCE_JOURNAL_SLOT, b->fps[n], r->consumer_id,
                   r->timestamp);
        if (r->timestamp > max_ts)
            max_ts = r->timestamp;
        if (j->lease_s) {
            if (r->timestamp > l->durable)
                slow++;
            /* a lease reaching lease_s seconds past this timestamp, unless one is on its way (or
             * the timestamp runs far ahead of this clock: its fence would refuse the consumer's
             * next requests for that long after a power loss) */
            if (r->timestamp <= now + LEASE_AHEAD_MAX && l->durable - r->timestamp < j->lease_s &&
                r->timestamp + j->lease_s > l->pending) {
                l->pending = r->timestamp + j->lease_s;
                slot_write(lease_slots + (size_t)nlease * NONCE_JOURNAL_SLOT, j->boot,
                           r->consumer_id, -l->pending);
                nlease++;
                if (l->pending > max_ts)
                    max_ts = l->pending;
            }
        }
        b->fresh[n++] = r;
    }
    b->nfresh = n;
    b->nlease = nlease;
    if (nlease) /* right after the nonces */
        memmove(b->slots + (size_t)n * NONCE_JOURNAL_SLOT, lease_slots,
                (size_t)nlease * NONCE_JOURNAL_SLOT);
    struct segment *s = n ? room_for(j, n + nlease) : NULL;
    if (s) {
        b->at = next_at(j, s);
        s->used = b->at + n + nlease;
        s->writers++;
        if (max_ts > s->max_ts)
            s->max_ts = max_ts;
        b->segment = s;
        if (!build_image(j, b)) {
            /* the slots stay zeros: nothing of this batch is recorded */
            drop_batch_leases(j, b);
            pthread_mutex_unlock(&j->lock);
            log_error("cannot record %u nonces: out of memory", n);
            finish(j, b, false);
            return true;
        }
    }
    if (s && j->lease_s) {
        bool answer = lease_write(j, b, slow);
        pthread_mutex_unlock(&j->lock);
        if (!answer)
            return false; /* the sync thread calls done */
        finish(j, b, b->ok);
        return true;
    }
    if (s && !j->sync_each) {
        pthread_mutex_unlock(&j->lock);
        /* Into the page cache, then answered: a crash of this process loses nothing written;
         * the sync thread makes it survive power loss a moment later. */
        bool ok = write_all(s->fd, b->image, b->image_len, slot_pos(s, b->at));
        if (!ok)
            log_error("cannot record %u nonces in the journal: %s", n, strerror(errno));
        pthread_mutex_lock(&j->lock);
        if (ok && j->dirty && j->dirty != s) {
            /* a rotation left the previous segment to the sync thread: this one is synced
             * here (rare) */
            pthread_mutex_unlock(&j->lock);
            ok = fdatasync(s->fd) == 0;
            pthread_mutex_lock(&j->lock);
        } else if (ok) {
            j->dirty = s;
            pthread_cond_signal(&j->cond);
        }
        j->nonces += ok ? n : 0;
        j->batches++;
        pthread_mutex_unlock(&j->lock);
        finish(j, b, ok);
        return true;
    }
    if (!s)
        drop_batch_leases(j, b);
    if (s) {
        /* queued in slot order, under the same lock that handed the slots out */
        if (j->waiting_tail)
            j->waiting_tail->next = b;
        else
            j->waiting = b;
        j->waiting_tail = b;
        pthread_cond_signal(&j->cond);
    }
    pthread_mutex_unlock(&j->lock);
    if (s)
        return false; /* the sync thread writes, syncs and calls done */
    if (n)
        log_error("cannot make room for %u nonces in the journal", n);
    finish(j, b, n == 0);
    return true;
}
