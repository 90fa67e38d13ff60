/* Background cleanup of expired tokens and old nonces (see cleanup.c). */
#ifndef SG_WEBAPI_CLEANUP_H
#define SG_WEBAPI_CLEANUP_H

#include "config/store_config.h"
#include "db/db.h"

struct cleanup;

/* Starts the cleanup thread with its own connection; NULL on failure. */
struct cleanup *cleanup_start(const char *db_url, int interval_s);
void cleanup_stop(struct cleanup *c);
/* One pass, on the caller's connection (tests, and the thread itself). */
void cleanup_once(struct db *db, struct store_config *config);

#endif
