/* A shared pool of database connections, for servers that run more worker threads than the
 * database should see connections (PostgreSQL's max_connections, a pooler's limit). A worker
 * leases a connection for one synchronous slice of a request (its handler, or the continuation
 * after a deferred job or a group commit) and puts it back at the slice's end, so a lease is held
 * only while the thread itself runs database calls: a wait for a lease is bounded by the other
 * slices' database work. Thread-safe. */
#ifndef SG_DB_POOL_H
#define SG_DB_POOL_H

#include "db/db.h"

struct db_pool;

/* Opens size connections to url at once (a bad URL or an unreachable server fails here). */
enum err db_pool_open(const char *url, int size, struct db_pool **out);
void db_pool_close(struct db_pool *p);
/* Takes a connection, waiting for one to come back when all are leased. */
struct db *db_pool_get(struct db_pool *p);
void db_pool_put(struct db_pool *p, struct db *db);
/* Leases given out since the start that had to wait, for the logs and the tests. */
unsigned long db_pool_waits(struct db_pool *p);

#endif
