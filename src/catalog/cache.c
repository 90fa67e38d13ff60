/* The catalog version and the per-worker product answer cache (see cache.h). */
#include "catalog/cache.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/product.h"

enum err catalog_touch(struct db *db)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db, "UPDATE cache_version SET version = version + 1 WHERE name = 'catalog'", &st);
    return e ? e : db_run(st, NULL);
}

/* Direct-mapped: a slot per hash, the newer answer replaces the older. 4096 slots of at most
 * 16 KiB: a worker holds at most 64 MiB, typically a few (a product answer is 1-3 KiB). */
#define SLOTS 4096
#define ENTRY_MAX (16 * 1024)

struct entry {
    int64_t version; /* 0: empty */
    int64_t store_id;
    int flags;
    uint32_t sku_len, json_len;
    char *data; /* sku then json */
};

/* Counts: 256 slots, keys of at most 4 KiB. */
#define COUNT_SLOTS 256
#define COUNT_KEY_MAX 4096

struct count_entry {
    int64_t version; /* 0: empty */
    int64_t total;
    size_t key_len;
    char *key;
};

struct product_cache {
    int64_t version; /* -1: unknown */
    int64_t writes;
    struct entry slots[SLOTS];
    struct count_entry counts[COUNT_SLOTS];
};

struct product_cache *product_cache_new(void)
{
    struct product_cache *c = calloc(1, sizeof(*c));
    if (c) {
        c->version = -1;
        c->writes = -1;
    }
    return c;
}

void product_cache_free(struct product_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SLOTS; i++)
        free(c->slots[i].data);
    for (size_t i = 0; i < COUNT_SLOTS; i++)
        free(c->counts[i].key);
    free(c);
}

void product_cache_sync(struct product_cache *c, int64_t version, int64_t writes)
{
    c->version = version;
    c->writes = writes;
}

int64_t product_cache_writes(const struct product_cache *c)
{
    return c->writes;
}

static uint64_t hash(struct str s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (unsigned char)s.p[i]) * 1099511628211u;
    return h ^ (h >> 32);
}

bool product_cache_count_get(struct product_cache *c, struct str key, int64_t *total)
{
    if (c->version < 1)
        return false;
    struct count_entry *s = &c->counts[hash(key) & (COUNT_SLOTS - 1)];
    if (s->version != c->version || s->key_len != key.len ||
        memcmp(s->key, key.p, key.len) != 0) /* not a secret */
        return false;
    *total = s->total;
    return true;
}

void product_cache_count_put(struct product_cache *c, struct str key, int64_t total)
{
    if (c->version < 1 || key.len > COUNT_KEY_MAX)
        return;
    struct count_entry *s = &c->counts[hash(key) & (COUNT_SLOTS - 1)];
    if (!s->key || s->key_len < key.len) {
        char *k = realloc(s->key, key.len ? key.len : 1);
        if (!k)
            return;
        s->key = k;
    }
    memcpy(s->key, key.p, key.len);
    s->key_len = key.len;
    s->total = total;
    s->version = c->version;
}

static struct entry *slot(struct product_cache *c, struct str sku, int64_t store_id, int flags)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < sku.len; i++)
        h = (h ^ (unsigned char)sku.p[i]) * 1099511628211u;
    h = (h ^ (uint64_t)store_id) * 1099511628211u;
    h = (h ^ (uint64_t)flags) * 1099511628211u;
    return &c->slots[(h ^ (h >> 32)) & (SLOTS - 1)];
}

bool product_cache_get(struct product_cache *c, struct str sku, int64_t store_id, int flags,
                       struct buf *out)
{
    if (c->version < 1)
        return false;
    struct entry *s = slot(c, sku, store_id, flags);
    if (s->version != c->version || s->store_id != store_id || s->flags != flags ||
        s->sku_len != sku.len || memcmp(s->data, sku.p, sku.len) != 0)
        return false;
    buf_add(out, s->data + s->sku_len, s->json_len);
    return true;
}

void product_cache_put(struct product_cache *c, struct str sku, int64_t store_id, int flags,
                       struct str json)
{
    if (c->version < 1 || json.len > ENTRY_MAX || sku.len > PRODUCT_SKU_MAX * 4)
        return;
    struct entry *s = slot(c, sku, store_id, flags);
    size_t need = sku.len + json.len;
    char *data = s->data;
    if (!data || (size_t)s->sku_len + s->json_len < need) {
        data = realloc(s->data, need);
        if (!data)
            return;
    }
    s->data = data;
    memcpy(data, sku.p, sku.len);
    memcpy(data + sku.len, json.p, json.len);
    s->sku_len = (uint32_t)sku.len;
    s->json_len = (uint32_t)json.len;
    s->store_id = store_id;
    s->flags = flags;
    s->version = c->version;
}
