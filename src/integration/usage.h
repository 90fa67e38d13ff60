/* "Last used" and request counts per integration without a database write per request: each
 * signed or bearer call is tallied in memory; the tallies are added into integration_usage
 * (atomic increments, so every node's counts sum up) every few seconds and at shutdown. */
#ifndef SG_INTEGRATION_USAGE_H
#define SG_INTEGRATION_USAGE_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

/* Counts one request of an integration (any thread; a mutex and a small table). */
void integration_usage_note(int64_t integration_id, int64_t now);
/* Adds the tallies into the database and clears them. */
enum err integration_usage_flush(struct db *db);
/* What this process has not flushed yet for an integration (for up-to-date answers). */
void integration_usage_pending(int64_t integration_id, int64_t *count, int64_t *last_used);

#endif
