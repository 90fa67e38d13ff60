/* The per-worker row cache (see cache.h): direct-mapped slots stamped with a generation; a sync
 * that finds a change moves the generation on, which empties every slot at once.
 *
 * The HMAC keys made ready for signed requests (oauth_cache_hmac_key()) live in one region of
 * guarded memory per cache (sodium_malloc: guard pages, locked out of swap and core dumps), one
 * entry per token slot. Such a key signs as the two secrets do, so it is kept no longer than the
 * rows it came from: an entry is wiped when its token slot takes another row and, every entry at
 * once, when a sync moves the generation on (a revocation, a reauthorize, an integration's
 * deletion or any other change); the region is wiped and freed with the cache. Keeping it does not
 * widen what a reader of this process's memory could take: the install key that opens every stored
 * secret lives in the same process, and without the cache each request opens both secrets into
 * ordinary memory. What it saves is two secret-box openings and the HMAC keying per request. */
#include "oauth/cache.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256      /* per kind; a colliding key replaces the slot's row */
#define SEALED_MAX 160 /* "v1:" + base64 of nonce, MAC and a 32-character secret fits */

struct sealed_row {
    uint64_t gen; /* 0: never filled */
    char lookup[OAUTH_LEN + 1];
    unsigned char sealed[SEALED_MAX]; /* the sealed bytes (decoded once, when kept) */
    size_t sealed_len;
};

struct consumer_slot {
    struct sealed_row s;
    struct oauth_consumer row; /* secret not set */
};

struct token_slot {
    struct sealed_row s;
    struct oauth_token row; /* secret not set */
    /* the HMAC keys of this row's entry in the guarded region (keys_gen 0: none) */
    uint64_t keys_gen;
    int64_t keys_consumer;
    bool keys_ready[2]; /* per enum oauth_method */
    bool keys_listed;   /* in oauth_cache.keyed */
};

/* A token slot's entry in the guarded region. */
struct hmac_keys {
    struct oauth_hmac_key k[2]; /* per enum oauth_method */
};

struct integration_slot {
    uint64_t gen;
    char lookup[OAUTH_LEN + 1]; /* bearer token, or empty for a consumer id */
    int64_t consumer_id;
    bool found, all;
    int64_t integration_id;
};

struct oauth_cache {
    uint64_t gen;
    int64_t writes;
    struct consumer_slot consumers[SLOTS];
    struct token_slot tokens[SLOTS];
    struct integration_slot bearers[SLOTS];
    struct integration_slot actives[SLOTS];
    /* the slots (index + 1; 0: none) of the consumer and token rows the last lookups answered
     * from, or kept in, the cache: oauth_cache_hmac_key() finds them without comparing again */
    size_t last_consumer, last_token;
    struct hmac_keys *keys; /* SLOTS entries of guarded memory, allocated at the first use */
    uint16_t keyed[SLOTS];  /* the token slots whose entry may hold a key */
    size_t nkeyed;
};

struct oauth_cache *oauth_cache_new(void)
{
    struct oauth_cache *c = calloc(1, sizeof(*c));
    if (c) {
        c->gen = 1;
        c->writes = -1;
    }
    return c;
}

static void keys_wipe(struct oauth_cache *c, size_t slot)
{
    struct token_slot *t = &c->tokens[slot];
    if (c->keys && t->keys_gen)
        sodium_memzero(&c->keys[slot], sizeof(c->keys[slot]));
    t->keys_gen = 0;
    t->keys_ready[0] = t->keys_ready[1] = false;
}

static void keys_wipe_all(struct oauth_cache *c)
{
    for (size_t i = 0; i < c->nkeyed; i++) {
        keys_wipe(c, c->keyed[i]);
        c->tokens[c->keyed[i]].keys_listed = false;
    }
    c->nkeyed = 0;
}

void oauth_cache_free(struct oauth_cache *c)
{
    if (!c)
        return;
    keys_wipe_all(c);
    sodium_free(c->keys);
    free(c);
}

void oauth_cache_sync(struct oauth_cache *c, struct db *db, bool changed)
{
    if (!c)
        return;
    int64_t writes = db_writes(db);
    if (changed || writes != c->writes) {
        c->gen++;
        c->writes = writes;
        keys_wipe_all(c);
    }
    c->last_consumer = c->last_token = 0;
}

static size_t slot_of_text(struct str s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (unsigned char)s.p[i]) * 1099511628211u;
    return (size_t)(h ^ (h >> 29)) & (SLOTS - 1);
}

static size_t slot_of_id(int64_t id)
{
    return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15u) >> 56) & (SLOTS - 1);
}

static bool row_hit(const struct sealed_row *r, uint64_t gen, struct str lookup)
{
    /* a token is a secret: compared in constant time */
    return r->gen == gen && crypto_eq(str_c(r->lookup), lookup);
}

static void row_keep(struct sealed_row *r, uint64_t gen, struct str lookup, struct str sealed)
{
    r->gen = 0;
    if (lookup.len > OAUTH_LEN || sealed.len >= SEALED_MAX)
        return; /* not cached: every lookup goes to the database */
    memcpy(r->lookup, lookup.p, lookup.len);
    r->lookup[lookup.len] = '\0';
    if (!crypto_unwrap(sealed, r->sealed, sizeof(r->sealed), &r->sealed_len))
        return; /* not cached: the lookup answers from the database (and fails there too) */
    r->gen = gen;
}

static enum err open_sealed(const struct sealed_row *r, struct arena *a,
                            const struct crypto_key *key, struct str *out)
{
    return crypto_open_raw(a, key, r->sealed, r->sealed_len, out) ? ERR_OK : ERR_CRYPTO;
}

enum err oauth_cache_consumer(struct oauth_cache *c, struct db *db, struct arena *a,
                              const struct crypto_key *key, struct str consumer_key,
                              bool open_secret, struct oauth_consumer *out)
{
    if (!c)
        return oauth_consumer_by_key(db, a, key, consumer_key, out);
    size_t index = slot_of_text(consumer_key);
    struct consumer_slot *slot = &c->consumers[index];
    c->last_consumer = 0;
    if (row_hit(&slot->s, c->gen, consumer_key)) {
        *out = slot->row;
        c->last_consumer = index + 1;
        /* (kept only once opened with this key: it opens again) */
        return open_secret ? open_sealed(&slot->s, a, key, &out->secret) : ERR_OK;
    }
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db,
                            "SELECT entity_id, key, secret, created_at, updated_at"
                            " FROM oauth_consumer WHERE key = $1",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, consumer_key);
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    memset(out, 0, sizeof(*out));
    out->id = db_col_i64(st, 0);
    struct str k = db_col_text(st, 1);
    memcpy(out->key, k.p, k.len < OAUTH_LEN ? k.len : OAUTH_LEN);
    out->created_at = db_col_i64(st, 3);
    out->updated_at = db_col_i64(st, 4);
    slot->row = *out;
    row_keep(&slot->s, c->gen, consumer_key, db_col_text(st, 2));
    e = crypto_open(a, key, db_col_text(st, 2), &out->secret) ? ERR_OK : ERR_CRYPTO;
    db_done(st);
    if (e)
        slot->s.gen = 0;
    c->last_consumer = slot->s.gen == c->gen ? index + 1 : 0;
    return e;
}

static enum oauth_token_type type_of(struct str s)
{
    return str_eq_c(s, "access")    ? TOKEN_ACCESS
           : str_eq_c(s, "request") ? TOKEN_REQUEST
                                    : TOKEN_VERIFIER;
}

enum err oauth_cache_token(struct oauth_cache *c, struct db *db, struct arena *a,
                           const struct crypto_key *key, struct str token, bool open_secret,
                           struct oauth_token *out)
{
    if (!c)
        return oauth_token_by_value(db, a, key, token, out);
    size_t index = slot_of_text(token);
    struct token_slot *slot = &c->tokens[index];
    c->last_token = 0;
    if (row_hit(&slot->s, c->gen, token)) {
        *out = slot->row;
        c->last_token = index + 1;
        return open_secret ? open_sealed(&slot->s, a, key, &out->secret) : ERR_OK;
    }
    keys_wipe(c, index); /* the slot takes another row (or none) */
    struct db_stmt *st;
    bool row = false;
    enum err e = db_prepare(db,
                            "SELECT entity_id, consumer_id, type, token, secret, verifier, revoked"
                            " FROM oauth_token WHERE token = $1 AND user_type = 1",
                            &st);
    if (e)
        return e;
    db_bind_text(st, 1, token);
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    memset(out, 0, sizeof(*out));
    out->id = db_col_i64(st, 0);
    out->consumer_id = db_col_i64(st, 1);
    out->type = type_of(db_col_text(st, 2));
    struct str t = db_col_text(st, 3), v = db_col_text(st, 5);
    memcpy(out->token, t.p, t.len < OAUTH_LEN ? t.len : OAUTH_LEN);
    memcpy(out->verifier, v.p, v.len < OAUTH_LEN ? v.len : OAUTH_LEN);
    out->revoked = db_col_i64(st, 6) != 0;
    slot->row = *out;
    row_keep(&slot->s, c->gen, token, db_col_text(st, 4));
    e = crypto_open(a, key, db_col_text(st, 4), &out->secret) ? ERR_OK : ERR_CRYPTO;
    db_done(st);
    if (e)
        slot->s.gen = 0;
    c->last_token = slot->s.gen == c->gen ? index + 1 : 0;
    return e;
}

const struct oauth_hmac_key *
oauth_cache_hmac_key(struct oauth_cache *c, struct arena *a, const struct crypto_key *key,
                     struct str consumer_key, struct str token, int64_t consumer_id,
                     enum oauth_method m, struct str consumer_secret, struct str token_secret)
{
    if (!c || (m != OAUTH_HMAC_SHA1 && m != OAUTH_HMAC_SHA256))
        return NULL;
    size_t cindex = slot_of_text(consumer_key), index = slot_of_text(token);
    struct consumer_slot *cs = &c->consumers[cindex];
    struct token_slot *ts = &c->tokens[index];
    if (c->last_consumer != cindex + 1 || cs->s.gen != c->gen || cs->row.id != consumer_id ||
        c->last_token != index + 1 || ts->s.gen != c->gen || ts->row.consumer_id != consumer_id)
        return NULL;
    if (ts->keys_gen == c->gen && ts->keys_consumer == consumer_id && ts->keys_ready[m])
        return &c->keys[index].k[m];
    if (!c->keys && !(c->keys = sodium_allocarray(SLOTS, sizeof(*c->keys))))
        return NULL;
    if (ts->keys_gen != c->gen || ts->keys_consumer != consumer_id) {
        keys_wipe(c, index);
        ts->keys_gen = c->gen;
        ts->keys_consumer = consumer_id;
    }
    if (!ts->keys_listed) {
        c->keyed[c->nkeyed++] = (uint16_t)index;
        ts->keys_listed = true;
    }
    /* the secrets as the caller has them, else opened from the kept bytes, and wiped after */
    struct str csec = consumer_secret, tsec = token_secret;
    bool opened_c = false, opened_t = false;
    if (!csec.p) {
        if (open_sealed(&cs->s, a, key, &csec))
            return NULL;
        opened_c = true;
    }
    if (!tsec.p) {
        if (open_sealed(&ts->s, a, key, &tsec)) {
            crypto_wipe((void *)csec.p, opened_c ? csec.len : 0);
            return NULL;
        }
        opened_t = true;
    }
    oauth_hmac_key_init(&c->keys[index].k[m], m, csec, tsec);
    if (opened_c)
        crypto_wipe((void *)csec.p, csec.len);
    if (opened_t)
        crypto_wipe((void *)tsec.p, tsec.len);
    ts->keys_ready[m] = true;
    return &c->keys[index].k[m];
}

static enum err remember(struct integration_slot *slot, uint64_t gen, struct str lookup,
                         int64_t consumer_id, enum err e, int64_t *integration_id,
                         bool *all_resources)
{
    slot->gen = 0;
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e; /* a database error is not remembered */
    slot->found = e == ERR_OK;
    slot->integration_id = slot->found ? *integration_id : 0;
    slot->all = slot->found && *all_resources;
    slot->consumer_id = consumer_id;
    memcpy(slot->lookup, lookup.p, lookup.len);
    slot->lookup[lookup.len] = '\0';
    slot->gen = gen;
    return e;
}

static enum err recall(const struct integration_slot *slot, int64_t *integration_id,
                       bool *all_resources)
{
    if (!slot->found)
        return ERR_NOT_FOUND;
    *integration_id = slot->integration_id;
    *all_resources = slot->all;
    return ERR_OK;
}

enum err oauth_cache_bearer_integration(struct oauth_cache *c, struct db *db, struct str token,
                                        int64_t *integration_id, bool *all_resources)
{
    if (!c || token.len != OAUTH_LEN)
        return oauth_bearer_integration(db, token, integration_id, all_resources);
    struct integration_slot *slot = &c->bearers[slot_of_text(token)];
    if (slot->gen == c->gen && crypto_eq(str_c(slot->lookup), token))
        return recall(slot, integration_id, all_resources);
    enum err e = oauth_bearer_integration(db, token, integration_id, all_resources);
    return remember(slot, c->gen, token, 0, e, integration_id, all_resources);
}

enum err oauth_cache_active_integration(struct oauth_cache *c, struct db *db, int64_t consumer_id,
                                        int64_t *integration_id, bool *all_resources)
{
    struct integration_slot *slot = c ? &c->actives[slot_of_id(consumer_id)] : NULL;
    if (slot && slot->gen == c->gen && slot->consumer_id == consumer_id)
        return recall(slot, integration_id, all_resources);
    enum err e = oauth_active_integration(db, consumer_id, integration_id, all_resources);
    return slot ? remember(slot, c->gen, STR_LIT(""), consumer_id, e, integration_id, all_resources)
                : e;
}
