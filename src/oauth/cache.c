/* The per-worker row cache (see cache.h): direct-mapped slots stamped with a generation; a sync
 * that finds a change moves the generation on, which empties every slot at once. */
#include "oauth/cache.h"

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

void oauth_cache_free(struct oauth_cache *c)
{
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
    }
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
                              struct oauth_consumer *out)
{
    if (!c)
        return oauth_consumer_by_key(db, a, key, consumer_key, out);
    struct consumer_slot *slot = &c->consumers[slot_of_text(consumer_key)];
    if (row_hit(&slot->s, c->gen, consumer_key)) {
        *out = slot->row;
        return open_sealed(&slot->s, a, key, &out->secret);
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
    return e;
}

static enum oauth_token_type type_of(struct str s)
{
    return str_eq_c(s, "access")    ? TOKEN_ACCESS
           : str_eq_c(s, "request") ? TOKEN_REQUEST
                                    : TOKEN_VERIFIER;
}

enum err oauth_cache_token(struct oauth_cache *c, struct db *db, struct arena *a,
                           const struct crypto_key *key, struct str token, struct oauth_token *out)
{
    if (!c)
        return oauth_token_by_value(db, a, key, token, out);
    struct token_slot *slot = &c->tokens[slot_of_text(token)];
    if (row_hit(&slot->s, c->gen, token)) {
        *out = slot->row;
        return open_sealed(&slot->s, a, key, &out->secret);
    }
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
    return e;
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
