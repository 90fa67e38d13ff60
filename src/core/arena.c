/* Arena allocator (see arena.h). Blocks are chained; a request that needs more than the first block
 * gets blocks of growing size. Large allocations get a block of their own. */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT 4096

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *data;
};

struct arena {
    struct arena_block *head; /* current block; the first block is last in the chain */
    struct arena_block *first;
    struct arena_cleanup *cleanups;
    size_t next_size, used;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("storegate: out of memory\n", stderr);
        abort();
    }
    return p;
}

static struct arena_block *block_new(size_t size)
{
    struct arena_block *b = xmalloc(sizeof(*b) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct arena *arena_new(size_t first_block)
{
    struct arena *a = xmalloc(sizeof(*a));
    size_t size = first_block ? first_block : ARENA_DEFAULT;
    a->first = a->head = block_new(size);
    a->cleanups = NULL;
    a->next_size = size * 2;
    a->used = 0;
    return a;
}

static void run_cleanups(struct arena *a)
{
    while (a->cleanups) {
        struct arena_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->data);
    }
}

static void free_blocks_but_first(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b && b != a->first) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = a->first;
    a->first->used = 0;
    a->first->next = NULL;
    a->used = 0;
}

void arena_reset(struct arena *a)
{
    run_cleanups(a);
    free_blocks_but_first(a);
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    arena_reset(a);
    free(a->first);
    free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
    size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < size) {
        fputs("storegate: arena allocation overflow\n", stderr);
        abort();
    }
    a->used += size;
#ifdef SG_ARENA_DEBUG
    /* One block per allocation, sized exactly, so ASan reports any overflow. */
    struct arena_block *b = block_new(size ? size : 1);
    b->next = a->head;
    a->head = b;
    return b->data;
#else
    struct arena_block *b = a->head;
    if (b->size - b->used < need) {
        size_t size_new = need > a->next_size / 2 ? need : a->next_size;
        if (size_new == a->next_size && a->next_size < (1u << 20))
            a->next_size *= 2;
        b = block_new(size_new);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
#endif
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        fputs("storegate: arena allocation overflow\n", stderr);
        abort();
    }
    void *p = arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *p, size_t len)
{
    char *s = arena_alloc(a, len + 1);
    if (len)
        memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_cstr(struct arena *a, struct str s)
{
    return arena_strndup(a, s.p, s.len);
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return arena_strdup(a, "");
    char *s = arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

void arena_on_free(struct arena *a, void (*fn)(void *), void *data)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof(*c));
    c->fn = fn;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;
}

size_t arena_used(const struct arena *a)
{
    return a->used;
}
