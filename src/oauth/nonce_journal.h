/* The nonce journal: replay protection for a store kept in a local database file (SQLite).
 *
 * Accepted nonces are kept in memory (a hash set shared by every worker thread) and appended to an
 * append-only journal beside the database file. The journal's blocks were written (zeros) and
 * synced beforehand, so the file's size and allocation never change in a commit.
 *
 * Lease mode (the default: nonce_sync 1, nonce_lease N > 0 seconds): a request is answered once
 * its nonce is written to the page cache, without waiting for a sync, when its consumer holds a
 * synced lease over its timestamp. A lease is a slot (the machine's boot id, the consumer id, and
 * minus the lease's end: timestamp + N) written with a batch and counted once a sync covering it
 * is over. Requests whose timestamp no synced lease covers (a consumer's first, or after a pause
 * of more than N seconds) wait for that sync, as without leases; a lease is renewed ahead of its
 * end (when it covers less than N seconds past a request's timestamp), so under steady traffic
 * nothing waits. The page cache outlives the process (kill -9, a crash of storegate), not the
 * boot: when the journal is read back, a lease written in an earlier boot of the machine (the
 * kernel's boot id differs: a power loss, a crash of the machine, or any reboot) becomes a fence,
 * and the consumer's timestamps up to its end are refused (401, "An error occurred validating the
 * nonce") for the rest of the window. So a nonce answered and then lost with the page cache can
 * never be replayed; the price, after a power loss, is that each consumer's requests signed
 * within N seconds of its last request before it are refused. The other modes below answer only
 * once the nonce is on the disk (and nonce_lease 0 makes every answer wait for that):
 *   - direct mode (where the file system allows it): a batch's own 512-byte blocks,
 *     one pwrite with O_DIRECT|O_DSYNC (the kernel writes them, then flushes the disk's cache),
 *     several batches in flight at once from a few threads;
 *   - fdatasync mode (a file system without O_DIRECT): one pwrite of the batches waiting, then
 *     one fdatasync, back to back (group commit).
 * An SQLite commit of the same batch writes a dozen 4 KiB WAL frames (random index pages), takes
 * file locks, and makes every other connection drop its page cache.
 *
 * Files: PATH.lock (held with flock by the one serving process: a second process on the same
 * store waits for it), PATH.000001, PATH.000002 ... segments. A segment is a 512-byte header
 * block (a line of text naming the layout), then 512-byte blocks of 12 slots of 40 bytes and 32
 * bytes of zeros:
 *   16 bytes  BLAKE2b-128 fingerprint of (consumer id, nonce)
 *    8 bytes  consumer id      8 bytes  oauth_timestamp (both little-endian, as in memory)
 *    8 bytes  check: BLAKE2b of the 32 bytes before, truncated
 * A lease's slot holds the boot id instead of the fingerprint and minus the lease's end instead of
 * the timestamp (a negative timestamp: earlier versions read it as a long expired nonce).
 * In direct mode each batch starts a block of its own (the rest of its last block stays zeros),
 * so that concurrent writes never share a block. A slot whose check fails (never written, or torn
 * by a crash mid-write) is skipped when the journal is read back at start; slots after it still
 * count, so concurrent appends need no ordering. Segments of earlier versions (40-byte slots
 * from the first byte, no header) are read back, never appended to. A segment is deleted once
 * every nonce in it is older than the timestamp window.
 *
 * Threads of its own write and sync: the workers never wait for the disk. */
#ifndef SG_OAUTH_NONCE_JOURNAL_H
#define SG_OAUTH_NONCE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "oauth/nonce.h"

#define NONCE_JOURNAL_SLOT 40
/* Slots in one segment by default (40 MiB). */
#define NONCE_JOURNAL_SEGMENT_SLOTS (1u << 20)

struct nonce_journal;

enum nonce_journal_mode {
    /* a batch counts as recorded once on the disk (it survives power loss): direct mode where
     * the file system allows it, else fdatasync mode */
    NONCE_JOURNAL_SYNC,
    /* the same, always in fdatasync mode (tests) */
    NONCE_JOURNAL_SYNC_FDATASYNC,
    /* once written to the operating system (it survives the death of this process, kill -9
     * included, but not of the machine), a thread then syncing in the background, one fdatasync
     * after another while writes come in */
    NONCE_JOURNAL_BACKGROUND,
    /* lease mode (above): answered once written where a synced lease covers the timestamp, else
     * once synced; one thread syncs, only when something waits for it */
    NONCE_JOURNAL_LEASED,
};

/* Opens the journal at path (the PATH above; the folder must exist), creating it if needed, and
 * reads every segment back into memory. Waits up to wait_seconds for another process holding the
 * lock (ERR_UNAVAILABLE after that, logged). segment_slots: NONCE_JOURNAL_SEGMENT_SLOTS, or fewer
 * for tests (at least 64). writers: threads writing in direct mode (1 to
 * NONCE_JOURNAL_WRITERS_MAX; fdatasync mode has one). lease_seconds: N of lease mode (at least 1;
 * other modes ignore it). Fences read back are honoured in every mode. */
#define NONCE_JOURNAL_WRITERS_MAX 8
enum err nonce_journal_open(const char *path, uint32_t segment_slots, int wait_seconds,
                            enum nonce_journal_mode mode, int writers, int lease_seconds,
                            struct nonce_journal **out);
void nonce_journal_close(struct nonce_journal *j);
/* Any thread: checks the batch against the set (a nonce seen before, or earlier in this batch:
 * ERR_OAUTH_NONCE_USED) and writes the new ones. Returns true when every result is set already
 * (nothing new, answered under a lease, or the write failed: ERR_UNAVAILABLE); false when the
 * batch waits for the sync thread, which sets the rest (ERR_OK once synced) and calls b->done(b).
 * A timestamp up to a fence: ERR_OAUTH_NONCE. Nonces with timestamps
 * older than now - window - 60 s are forgotten as memory is reorganised (they can no longer be
 * replayed). */
bool nonce_journal_submit(struct nonce_journal *j, struct nonce_batch *b, int64_t now,
                          int64_t window);
/* Nonces held in memory (tests, logs). */
size_t nonce_journal_count(struct nonce_journal *j);
/* Whether batches are written in direct mode (tests, logs). */
bool nonce_journal_direct(struct nonce_journal *j);

#endif
