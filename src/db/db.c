/* Engine-independent parts of the database interface: fault injection and URL dispatch helpers.
 * The SQLite driver is in sqlite.c. */
#include "db/db.h"
#include "db/driver.h"

#include <stdatomic.h>
#include <stdlib.h>

static atomic_long fault_at;
static atomic_long prepare_calls;

void db_fault_set(long nth)
{
    atomic_store(&fault_at, nth);
    atomic_store(&prepare_calls, 0);
}

bool db_fault_hit(void)
{
    static atomic_int env_read;
    if (!atomic_exchange(&env_read, 1)) {
        const char *e = getenv("STOREGATE_FAIL_DB_CALL");
        if (e && *e)
            atomic_store(&fault_at, strtol(e, NULL, 10));
    }
    long at = atomic_load(&fault_at);
    if (at <= 0)
        return false;
    return atomic_fetch_add(&prepare_calls, 1) + 1 == at;
}
