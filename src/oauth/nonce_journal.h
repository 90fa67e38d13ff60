/* The nonce journal: replay protection for a store kept in a local database file (SQLite).
 *
 * Accepted nonces are kept in memory (a hash set shared by every worker thread) and appended to an
 * append-only journal beside the database file, which is fdatasync'ed before the requests are
 * answered. A commit of a batch is one pwrite() of 40 bytes a nonce and one fdatasync() of
 * blocks that were written (zeros) and synced before, so the file's size and allocation do not
 * change and the sync writes the data blocks alone; an SQLite commit of the same batch writes a
 * dozen 4 KiB WAL frames (random index pages), takes file locks, and makes every other
 * connection drop its page cache.
 *
 * Files: PATH.lock (held with flock by the one serving process: a second process on the same
 * store waits for it), PATH.000001, PATH.000002 ... segments of fixed 40-byte slots:
 *   16 bytes  BLAKE2b-128 fingerprint of (consumer id, nonce)
 *    8 bytes  consumer id      8 bytes  oauth_timestamp (both little-endian, as in memory)
 *    8 bytes  check: BLAKE2b of the 32 bytes before, truncated
 * A slot whose check fails (never written, or torn by a crash mid-write) is skipped when the
 * journal is read back at start; slots after it still count, so concurrent appends need no
 * ordering. A segment is deleted once every nonce in it is older than the timestamp window.
 *
 * A thread of its own syncs: the workers never wait for the disk. */
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

/* Opens the journal at path (the PATH above; the folder must exist), creating it if needed, and
 * reads every segment back into memory. Waits up to wait_seconds for another process holding the
 * lock (ERR_UNAVAILABLE after that, logged). segment_slots: NONCE_JOURNAL_SEGMENT_SLOTS, or fewer
 * for tests (at least 64). sync_each: a batch counts as recorded once fdatasync'ed (it survives
 * power loss); false: once written to the operating system (it survives the death of this
 * process, kill -9 included, but not of the machine), the sync thread then syncing in the
 * background, one fdatasync after another while writes come in. */
enum err nonce_journal_open(const char *path, uint32_t segment_slots, int wait_seconds,
                            bool sync_each, struct nonce_journal **out);
void nonce_journal_close(struct nonce_journal *j);
/* Any thread: checks the batch against the set (a nonce seen before, or earlier in this batch:
 * ERR_OAUTH_NONCE_USED) and writes the new ones. Returns true when every result is set already
 * (nothing new, or the write failed: ERR_UNAVAILABLE); false when the batch waits for the sync
 * thread, which sets the rest (ERR_OK once synced) and calls b->done(b). Nonces with timestamps
 * older than now - window - 60 s are forgotten as memory is reorganised (they can no longer be
 * replayed). */
bool nonce_journal_submit(struct nonce_journal *j, struct nonce_batch *b, int64_t now,
                          int64_t window);
/* Nonces held in memory (tests, logs). */
size_t nonce_journal_count(struct nonce_journal *j);

#endif
