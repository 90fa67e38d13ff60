/* Time: wall-clock seconds for stored times and token lifetimes, a monotonic clock for
 * latencies, and the "YYYY-MM-DD HH:MM:SS" UTC form Magento uses in JSON. */
#ifndef SG_CORE_CLOCK_H
#define SG_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t clock_now(void);
uint64_t clock_mono_us(void);
/* Writes "YYYY-MM-DD HH:MM:SS" (UTC) into out (at least 20 bytes). */
void clock_format(int64_t t, char out[20]);

#endif
