/* Integrations (see integration.h). */
#include "integration/integration.h"

#include <stdio.h>
#include <string.h>

#include "acl/acl.h"
#include "core/clock.h"
#include "core/log.h"
#include "oauth/store.h"

const char *integration_status_label(enum integration_status s)
{
    return s == STATUS_ACTIVE ? "Active" : s == STATUS_RESET ? "Reset" : "Inactive";
}

static bool url_ok(const char *u)
{
    const char *host = strncmp(u, "https://", 8) == 0  ? u + 8
                       : strncmp(u, "http://", 7) == 0 ? u + 7
                                                       : NULL;
    if (!host || !*host || *host == '/' || *host == ':' || strlen(u) > 255)
        return false;
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\' ||
            (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

static bool email_ok(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@') || strlen(e) > 254)
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return false;
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= ' ' || strchr("<>\"(),;:[]\\", *p))
            return false;
    return true;
}

bool integration_validate(const struct integration_input *in, bool require_https, char *err,
                          size_t errlen, const char **warning)
{
    *warning = NULL;
    if (!in->name || !*in->name) {
        snprintf(err, errlen, "\"Name\" is required. Enter and try again.");
        return false;
    }
    if (strlen(in->name) > 255) {
        snprintf(err, errlen, "The integration name must be at most 255 characters.");
        return false;
    }
    if (in->email && *in->email && !email_ok(in->email)) {
        snprintf(err, errlen, "\"%.200s\" is not a valid email address.", in->email);
        return false;
    }
    if (in->endpoint && *in->endpoint) {
        if (!url_ok(in->endpoint)) {
            snprintf(err, errlen, "The Callback URL \"%.200s\" must be an absolute http(s) URL.",
                     in->endpoint);
            return false;
        }
        if (strncmp(in->endpoint, "https://", 8) != 0) {
            if (require_https) {
                snprintf(err, errlen,
                         "The Callback URL must use https:// "
                         "(oauth/consumer/require_https_callback is on).");
                return false;
            }
            *warning = "The Callback URL does not use https://: the consumer secret will cross the "
                       "network unencrypted. We strongly recommend using https://.";
        }
    }
    for (int i = 0; i < in->nresources; i++)
        if (!acl_known(str_c(in->resources[i]))) {
            snprintf(err, errlen, "The resource \"%.200s\" does not exist.", in->resources[i]);
            return false;
        }
    if (in->identity_link_url && *in->identity_link_url && !url_ok(in->identity_link_url)) {
        snprintf(err, errlen, "The Identity Link URL \"%.200s\" must be an absolute http(s) URL.",
                 in->identity_link_url);
        return false;
    }
    return true;
}

static struct str opt(const char *s)
{
    return s ? str_c(s) : STR_NULL;
}

static void bind_opt(struct db_stmt *st, int idx, const char *s)
{
    if (s && *s)
        db_bind_text(st, idx, str_c(s));
    else
        db_bind_null(st, idx);
}

enum err integration_create(struct db *db, struct arena *a, const struct crypto_key *key,
                            const struct integration_input *in, int64_t *id)
{
    enum err e = db_begin(db);
    if (e)
        return e;
    struct db_stmt *st;
    bool row = false;
    int64_t now = clock_now(), iid = 0;
    e = db_prepare(db,
                   "INSERT INTO integration (name, email, endpoint, identity_link_url, status,"
                   " setup_type, all_resources, created_at, updated_at)"
                   " VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $6) RETURNING integration_id",
                   &st);
    if (!e) {
        db_bind_text(st, 1, str_c(in->name));
        db_bind_text(st, 2, opt(in->email));
        bind_opt(st, 3, in->endpoint);
        bind_opt(st, 4, in->identity_link_url);
        db_bind_i64(st, 5, in->all_resources ? 1 : 0);
        db_bind_i64(st, 6, now);
        e = db_next(st, &row);
        if (!e && row) {
            iid = db_col_i64(st, 0);
            db_done(st);
        }
        if (e == ERR_DB_CONSTRAINT)
            e = ERR_EXISTS;
    }
    struct oauth_consumer c;
    char name[40];
    snprintf(name, sizeof(name), "Integration%lld", (long long)iid);
    if (!e)
        e = oauth_consumer_create(db, a, key, name, &c);
    if (!e) {
        crypto_wipe((void *)c.secret.p, c.secret.len);
        e = db_prepare(db, "UPDATE integration SET consumer_id = $2 WHERE integration_id = $1",
                       &st);
    }
    if (!e) {
        db_bind_i64(st, 1, iid);
        db_bind_i64(st, 2, c.id);
        e = db_run(st, NULL);
    }
    for (int i = 0; !e && !in->all_resources && i < in->nresources; i++) {
        e = db_prepare(db,
                       "INSERT INTO integration_resource (integration_id, resource_id)"
                       " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                       &st);
        if (!e) {
            db_bind_i64(st, 1, iid);
            db_bind_text(st, 2, str_c(in->resources[i]));
            e = db_run(st, NULL);
        }
    }
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    if (!e && id)
        *id = iid;
    return e;
}

enum err integration_find(struct db *db, struct arena *a, const char *id_or_name,
                          struct integration *out)
{
    struct db_stmt *st;
    bool row = false;
    int64_t id;
    bool by_id = str_to_i64(str_c(id_or_name), &id);
    enum err e = db_prepare(db,
                            by_id ? "SELECT integration_id, name, email, endpoint,"
                                    " identity_link_url, status, consumer_id, all_resources,"
                                    " created_at, updated_at FROM integration"
                                    " WHERE integration_id = $1"
                                  : "SELECT integration_id, name, email, endpoint,"
                                    " identity_link_url, status, consumer_id, all_resources,"
                                    " created_at, updated_at FROM integration WHERE name = $1",
                            &st);
    if (e)
        return e;
    if (by_id)
        db_bind_i64(st, 1, id);
    else
        db_bind_text(st, 1, str_c(id_or_name));
    if ((e = db_next(st, &row)))
        return e;
    if (!row)
        return ERR_NOT_FOUND;
    out->id = db_col_i64(st, 0);
    out->name = arena_cstr(a, db_col_text(st, 1));
    out->email = arena_cstr(a, db_col_text(st, 2));
    out->endpoint = db_col_null(st, 3) ? NULL : arena_cstr(a, db_col_text(st, 3));
    out->identity_link_url = db_col_null(st, 4) ? NULL : arena_cstr(a, db_col_text(st, 4));
    out->status = (enum integration_status)db_col_i64(st, 5);
    out->consumer_id = db_col_i64(st, 6);
    out->all_resources = db_col_i64(st, 7) != 0;
    out->created_at = db_col_i64(st, 8);
    out->updated_at = db_col_i64(st, 9);
    db_done(st);
    return ERR_OK;
}

static enum err set_status(struct db *db, int64_t id, enum integration_status s)
{
    struct db_stmt *st;
    enum err e = db_prepare(
        db, "UPDATE integration SET status = $2, updated_at = $3 WHERE integration_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, s);
    db_bind_i64(st, 3, clock_now());
    return db_run(st, NULL);
}

enum err integration_activate(struct db *db, struct arena *a, const struct crypto_key *key,
                              const char *store_base_url, long timeout_s, long max_redirects,
                              int64_t id, struct callback_result *cb)
{
    struct integration in;
    memset(cb, 0, sizeof(*cb));
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    enum err e = integration_find(db, a, idtext, &in);
    if (e)
        return e;
    struct oauth_token t;
    e = db_begin(db);
    if (e)
        return e;
    /* Old tokens stop working at once; a half-finished handshake is cleared too. */
    e = oauth_token_clear(db, in.consumer_id);
    if (!e && (!in.endpoint || !*in.endpoint)) {
        /* Manual path: verifier -> request -> access in one go, Active now. */
        e = oauth_token_create_verifier(db, a, key, in.consumer_id, &t);
        if (!e)
            e = oauth_token_advance(db, a, key, &t, TOKEN_REQUEST);
        if (!e)
            e = oauth_token_advance(db, a, key, &t, TOKEN_ACCESS);
        if (!e)
            e = set_status(db, id, STATUS_ACTIVE);
        if (!e)
            crypto_wipe((void *)t.secret.p, t.secret.len);
        if (!e)
            return db_commit(db);
        db_rollback(db);
        return e;
    }
    /* Token exchange: Inactive until the third party finishes; the window starts now. */
    if (!e)
        e = set_status(db, id, STATUS_INACTIVE);
    if (!e)
        e = oauth_consumer_touch(db, in.consumer_id, clock_now());
    if (!e)
        e = oauth_token_create_verifier(db, a, key, in.consumer_id, &t);
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    if (e)
        return e;
    struct oauth_consumer c;
    if ((e = oauth_consumer_by_id(db, a, key, in.consumer_id, &c)))
        return e;
    const char *fields[] = {
        "oauth_consumer_key", c.key,          "oauth_consumer_secret", arena_cstr(a, c.secret),
        "store_base_url",     store_base_url, "oauth_verifier",        t.verifier};
    integration_post_callback(in.endpoint, fields, 8, timeout_s, max_redirects, cb);
    crypto_wipe((void *)c.secret.p, c.secret.len);
    crypto_wipe((void *)fields[3], c.secret.len);
    crypto_wipe((void *)t.secret.p, t.secret.len);
    if (!cb->delivered) {
        log_warn("integration %lld: callback POST failed: %s", (long long)id, cb->error);
        return ERR_IO;
    }
    if (cb->http_status < 200 || cb->http_status > 299)
        log_warn("integration %lld: callback answered HTTP %ld", (long long)id, cb->http_status);
    return ERR_OK;
}

enum err integration_credentials(struct db *db, struct arena *a, const struct crypto_key *key,
                                 int64_t id, struct integration_credentials *out)
{
    struct integration in;
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    memset(out, 0, sizeof(*out));
    enum err e = integration_find(db, a, idtext, &in);
    if (e)
        return e;
    struct oauth_consumer c;
    if ((e = oauth_consumer_by_id(db, a, key, in.consumer_id, &c)))
        return e;
    out->consumer_key = arena_strdup(a, c.key);
    out->consumer_secret = arena_cstr(a, c.secret);
    struct oauth_token t;
    e = oauth_token_of_consumer(db, a, key, in.consumer_id, &t);
    if (e == ERR_OK && t.type == TOKEN_ACCESS && !t.revoked) {
        out->access_token = arena_strdup(a, t.token);
        out->access_token_secret = arena_cstr(a, t.secret);
    } else if (e != ERR_NOT_FOUND && e != ERR_OK) {
        return e;
    }
    return ERR_OK;
}

enum err integration_set_diagnostics(struct db *db, int64_t id, bool on, int64_t now)
{
    struct db_stmt *st;
    int64_t changes = 0;
    enum err e = db_prepare(
        db, "UPDATE integration SET diagnostics_until = $2 WHERE integration_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, on ? now + 3600 : 0);
    e = db_run(st, &changes);
    return e ? e : changes ? ERR_OK : ERR_NOT_FOUND;
}
