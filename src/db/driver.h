/* Private to the db module: what drivers share. */
#ifndef SG_DB_DRIVER_H
#define SG_DB_DRIVER_H

#include <stdbool.h>

/* True when the fault-injection switch says this db_prepare() must fail. */
bool db_fault_hit(void);

#endif
