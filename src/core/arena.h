/* Arena: a bump allocator with a cleanup list. Every request owns one; everything request-scoped
 * comes from it and is released at once by arena_free(). Non-memory resources register a cleanup.
 * In debug/ASan builds (SG_ARENA_DEBUG) every allocation is its own malloc so ASan sees overflows.
 * Allocation failure aborts the process: an arena never returns NULL (sizes driven by input are
 * capped by callers before they allocate). */
#ifndef SG_CORE_ARENA_H
#define SG_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "core/str.h"

struct arena;

/* Creates an arena whose first block holds `first_block` bytes (0: a default of 4 KiB). */
struct arena *arena_new(size_t first_block);
/* Runs the cleanups (last registered first) and releases every block. NULL is a no-op. */
void arena_free(struct arena *a);
/* Releases everything allocated so far but keeps the first block for reuse. */
void arena_reset(struct arena *a);
/* Uninitialised memory aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed memory; n * size checked for overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strndup(struct arena *a, const char *p, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/* A NUL-terminated copy of a slice. */
char *arena_cstr(struct arena *a, struct str s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Registers fn(data) to run when the arena is freed or reset. */
void arena_on_free(struct arena *a, void (*fn)(void *), void *data);
/* Bytes handed out so far (for tests and caps). */
size_t arena_used(const struct arena *a);

#endif
