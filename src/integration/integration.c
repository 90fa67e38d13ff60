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
    if (in->email && *in->email && !str_is_email(in->email)) {
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
        e = integration_log_add(db, iid, "created", 0, "");
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
                                    " created_at, updated_at, setup_type FROM integration"
                                    " WHERE integration_id = $1"
                                  : "SELECT integration_id, name, email, endpoint,"
                                    " identity_link_url, status, consumer_id, all_resources,"
                                    " created_at, updated_at, setup_type FROM integration"
                                    " WHERE name = $1",
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
    out->setup_type = db_col_i64(st, 10);
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

enum err integration_log_add(struct db *db, int64_t id, const char *event, int64_t admin_id,
                             const char *detail)
{
    struct db_stmt *st;
    enum err e = db_prepare(db,
                            "INSERT INTO integration_log (integration_id, created_at, event,"
                            " admin_id, detail) VALUES ($1, $2, $3, $4, $5)",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    db_bind_i64(st, 2, clock_now());
    db_bind_text(st, 3, str_c(event));
    if (admin_id > 0)
        db_bind_i64(st, 4, admin_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, str_c(detail ? detail : ""));
    return db_run(st, NULL);
}

enum err integration_log_by_consumer(struct db *db, int64_t consumer_id, const char *event,
                                     const char *detail)
{
    struct db_stmt *st;
    enum err e =
        db_prepare(db,
                   "INSERT INTO integration_log (integration_id, created_at, event, detail)"
                   " SELECT integration_id, CAST($2 AS BIGINT), CAST($3 AS TEXT), CAST($4 AS TEXT)"
                   " FROM integration"
                   " WHERE consumer_id = $1",
                   &st);
    if (e)
        return e;
    db_bind_i64(st, 1, consumer_id);
    db_bind_i64(st, 2, clock_now());
    db_bind_text(st, 3, str_c(event));
    db_bind_text(st, 4, str_c(detail ? detail : ""));
    return db_run(st, NULL);
}

static enum err plan_post(struct db *db, struct arena *a, const struct crypto_key *key,
                          const struct integration *in, const char *store_base_url,
                          const char *verifier, struct activation *plan)
{
    struct oauth_consumer c;
    enum err e = oauth_consumer_by_id(db, a, key, in->consumer_id, &c);
    if (e)
        return e;
    plan->url = in->endpoint;
    plan->consumer_key = arena_strdup(a, c.key);
    plan->fields[0] = "oauth_consumer_key";
    plan->fields[1] = plan->consumer_key;
    plan->fields[2] = "oauth_consumer_secret";
    plan->fields[3] = arena_cstr(a, c.secret);
    plan->fields[4] = "store_base_url";
    plan->fields[5] = arena_strdup(a, store_base_url);
    plan->fields[6] = "oauth_verifier";
    plan->fields[7] = arena_strdup(a, verifier);
    plan->nfields = 8;
    crypto_wipe((void *)c.secret.p, c.secret.len);
    return ERR_OK;
}

enum err integration_activate_prepare(struct db *db, struct arena *a, const struct crypto_key *key,
                                      const char *store_base_url, int64_t id, int64_t admin_id,
                                      struct activation *plan)
{
    struct integration in;
    memset(plan, 0, sizeof(*plan));
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    enum err e = integration_find(db, a, idtext, &in);
    if (e)
        return e;
    plan->id = id;
    plan->reauthorize = in.status != STATUS_INACTIVE;
    plan->identity_link_url = in.identity_link_url;
    struct oauth_token t;
    if ((e = db_begin(db)))
        return e;
    /* Old tokens stop working at once; a half-finished handshake is cleared too. */
    e = oauth_token_clear(db, in.consumer_id);
    if (!e && (!in.endpoint || !*in.endpoint)) {
        /* Manual path: verifier -> request -> access in one go, Active now. */
        plan->manual = true;
        e = oauth_token_create_verifier(db, a, key, in.consumer_id, &t);
        if (!e)
            e = oauth_token_advance(db, a, key, &t, TOKEN_REQUEST);
        if (!e)
            e = oauth_token_advance(db, a, key, &t, TOKEN_ACCESS);
        if (!e)
            e = set_status(db, id, STATUS_ACTIVE);
        if (!e)
            e = integration_log_add(db, id, plan->reauthorize ? "reauthorized" : "activated",
                                    admin_id, "access token created (no Callback URL)");
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
        e = plan_post(db, a, key, &in, store_base_url, t.verifier, plan);
    if (!e)
        crypto_wipe((void *)t.secret.p, t.secret.len);
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    return e;
}

void integration_activate_finish(struct db *db, struct activation *plan, int64_t admin_id,
                                 const struct callback_result *cb)
{
    if (plan->fields[3])
        crypto_wipe((void *)plan->fields[3], strlen(plan->fields[3]));
    if (plan->manual)
        return;
    char detail[512];
    if (cb->delivered)
        snprintf(detail, sizeof(detail), "%s: HTTP %ld in %ld ms%s", plan->url, cb->http_status,
                 cb->latency_ms,
                 cb->http_status >= 200 && cb->http_status <= 299 ? "" : " (not a 2xx answer)");
    else
        snprintf(detail, sizeof(detail), "%s: %s after %ld ms", plan->url, cb->error,
                 cb->latency_ms);
    const char *event = cb->delivered ? "credentials posted" : "credentials post failed";
    integration_log_add(db, plan->id, event, admin_id, detail);
    if (cb->delivered && (cb->http_status < 200 || cb->http_status > 299))
        log_warn("integration %lld: callback answered HTTP %ld", (long long)plan->id,
                 cb->http_status);
    else if (!cb->delivered)
        log_warn("integration %lld: callback POST failed: %s", (long long)plan->id, cb->error);
}

enum err integration_activate(struct db *db, struct arena *a, const struct crypto_key *key,
                              const char *store_base_url, long timeout_s, long max_redirects,
                              int64_t id, struct callback_result *cb)
{
    struct activation plan;
    memset(cb, 0, sizeof(*cb));
    enum err e = integration_activate_prepare(db, a, key, store_base_url, id, 0, &plan);
    if (e || plan.manual)
        return e;
    integration_post_callback(plan.url, plan.fields, plan.nfields, timeout_s, max_redirects, cb);
    integration_activate_finish(db, &plan, 0, cb);
    return cb->delivered ? ERR_OK : ERR_IO;
}

enum err integration_test_prepare(struct db *db, struct arena *a, const struct crypto_key *key,
                                  const char *store_base_url, int64_t id, struct activation *plan)
{
    struct integration in;
    memset(plan, 0, sizeof(*plan));
    char idtext[24], verifier[OAUTH_LEN + 1];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    enum err e = integration_find(db, a, idtext, &in);
    if (e)
        return e;
    if (!in.endpoint || !*in.endpoint)
        return ERR_NOT_FOUND;
    plan->id = id;
    crypto_random_token(verifier); /* throw-away: it opens no handshake */
    enum err e2 = plan_post(db, a, key, &in, store_base_url, verifier, plan);
    plan->fields[8] = "storegate_test";
    plan->fields[9] = "1";
    plan->nfields = 10;
    return e2;
}

static enum err replace_resources(struct db *db, int64_t id, const struct integration_input *in)
{
    struct db_stmt *st;
    enum err e = db_prepare(db, "DELETE FROM integration_resource WHERE integration_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_run(st, NULL);
    }
    for (int i = 0; !e && !in->all_resources && i < in->nresources; i++) {
        e = db_prepare(db,
                       "INSERT INTO integration_resource (integration_id, resource_id)"
                       " VALUES ($1, $2) ON CONFLICT DO NOTHING",
                       &st);
        if (!e) {
            db_bind_i64(st, 1, id);
            db_bind_text(st, 2, str_c(in->resources[i]));
            e = db_run(st, NULL);
        }
    }
    return e;
}

enum err integration_update(struct db *db, int64_t id, const struct integration_input *in)
{
    struct db_stmt *st;
    enum err e = db_begin(db);
    if (e)
        return e;
    int64_t changes = 0;
    e = db_prepare(db,
                   "UPDATE integration SET name = $2, email = $3, endpoint = $4,"
                   " identity_link_url = $5, all_resources = $6, updated_at = $7"
                   " WHERE integration_id = $1 AND setup_type = 0",
                   &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        db_bind_text(st, 2, str_c(in->name));
        db_bind_text(st, 3, opt(in->email));
        bind_opt(st, 4, in->endpoint);
        bind_opt(st, 5, in->identity_link_url);
        db_bind_i64(st, 6, in->all_resources ? 1 : 0);
        db_bind_i64(st, 7, clock_now());
        e = db_run(st, &changes);
        if (e == ERR_DB_CONSTRAINT)
            e = ERR_EXISTS;
    }
    if (!e && changes == 0)
        e = ERR_INVALID;
    if (!e)
        e = replace_resources(db, id, in);
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    return e;
}

enum err integration_delete(struct db *db, int64_t id)
{
    struct db_stmt *st;
    bool row = false;
    enum err e = db_begin(db);
    if (e)
        return e;
    int64_t consumer = 0, setup = 0;
    e = db_prepare(db, "SELECT consumer_id, setup_type FROM integration WHERE integration_id = $1",
                   &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_next(st, &row);
    }
    if (!e && !row)
        e = ERR_NOT_FOUND;
    if (!e) {
        consumer = db_col_i64(st, 0);
        setup = db_col_i64(st, 1);
        db_done(st);
        if (setup != 0)
            e = ERR_INVALID;
    }
    /* tokens first (no foreign key reaches them), then the consumer: its integration, resources,
     * log, usage and nonces go with it */
    if (!e)
        e = oauth_token_clear(db, consumer);
    if (!e)
        e = db_prepare(db, "DELETE FROM oauth_consumer WHERE entity_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, consumer);
        e = db_run(st, NULL);
    }
    if (!e)
        e = db_prepare(db, "DELETE FROM integration WHERE integration_id = $1", &st);
    if (!e) {
        db_bind_i64(st, 1, id);
        e = db_run(st, NULL);
    }
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    return e;
}

enum err integration_resources_json(struct db *db, int64_t id, struct buf *out)
{
    struct db_stmt *st;
    bool row;
    enum err e = db_prepare(db,
                            "SELECT resource_id FROM integration_resource WHERE integration_id = $1"
                            " ORDER BY resource_id",
                            &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    buf_add_ch(out, '[');
    bool first = true;
    while (!(e = db_next(st, &row)) && row) {
        if (!first)
            buf_add_ch(out, ',');
        first = false;
        buf_json_str(out, db_col_text(st, 0));
    }
    buf_add_ch(out, ']');
    return e;
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

/* Same resource set? Both lists are compared as sets. */
static enum err same_resources(struct db *db, int64_t id, const struct integration_input *in,
                               bool *same)
{
    struct db_stmt *st;
    bool row;
    int64_t stored = 0;
    *same = true;
    enum err e = db_prepare(
        db, "SELECT resource_id FROM integration_resource WHERE integration_id = $1", &st);
    if (e)
        return e;
    db_bind_i64(st, 1, id);
    while (!(e = db_next(st, &row)) && row) {
        stored++;
        bool found = false;
        for (int i = 0; i < in->nresources && !found; i++)
            found = str_eq_c(db_col_text(st, 0), in->resources[i]);
        if (!found)
            *same = false;
    }
    if (!e && stored != in->nresources)
        *same = false;
    return e;
}

static bool text_same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

enum err integration_apply_declared(struct db *db, struct arena *a, const struct crypto_key *key,
                                    const struct integration_input *in, const char **outcome)
{
    struct integration cur;
    enum err e = integration_find(db, a, in->name, &cur);
    struct db_stmt *st;
    if (e == ERR_NOT_FOUND) {
        int64_t id = 0;
        if ((e = integration_create(db, a, key, in, &id)))
            return e;
        if ((e = db_prepare(db, "UPDATE integration SET setup_type = 1 WHERE integration_id = $1",
                            &st)))
            return e;
        db_bind_i64(st, 1, id);
        *outcome = "created";
        e = db_run(st, NULL);
        return e ? e : integration_log_add(db, id, "declared", 0, "created from the file");
    }
    if (e)
        return e;
    bool same = false;
    if ((e = same_resources(db, cur.id, in, &same)))
        return e;
    same = same && cur.all_resources == in->all_resources && text_same(cur.email, in->email) &&
           text_same(cur.endpoint, in->endpoint) &&
           text_same(cur.identity_link_url, in->identity_link_url) && cur.setup_type == 1;
    if (same) {
        *outcome = "unchanged";
        return ERR_OK;
    }
    if ((e = db_begin(db)))
        return e;
    e = db_prepare(db,
                   "UPDATE integration SET email = $2, endpoint = $3, identity_link_url = $4,"
                   " all_resources = $5, setup_type = 1, status = 2, updated_at = $6"
                   " WHERE integration_id = $1",
                   &st);
    if (!e) {
        db_bind_i64(st, 1, cur.id);
        db_bind_text(st, 2, opt(in->email));
        bind_opt(st, 3, in->endpoint);
        bind_opt(st, 4, in->identity_link_url);
        db_bind_i64(st, 5, in->all_resources ? 1 : 0);
        db_bind_i64(st, 6, clock_now());
        e = db_run(st, NULL);
    }
    if (!e)
        e = replace_resources(db, cur.id, in);
    if (!e)
        e = oauth_token_clear(db, cur.consumer_id);
    /* a brand-new key and secret, as Magento's reset gives a new consumer */
    char k[OAUTH_LEN + 1], sec[OAUTH_LEN + 1];
    crypto_random_token(k);
    crypto_random_token(sec);
    if (!e)
        e = db_prepare(db,
                       "UPDATE oauth_consumer SET key = $2, secret = $3, updated_at = 0"
                       " WHERE entity_id = $1",
                       &st);
    if (!e) {
        db_bind_i64(st, 1, cur.consumer_id);
        db_bind_text(st, 2, str_c(k));
        db_bind_text(st, 3, str_c(crypto_seal(a, key, str_c(sec))));
        e = db_run(st, NULL);
    }
    crypto_wipe(sec, sizeof(sec));
    if (!e)
        e = integration_log_add(db, cur.id, "reset", 0,
                                "its declaration changed: new credentials, reauthorize it");
    if (!e)
        e = db_commit(db);
    else
        db_rollback(db);
    *outcome = "reset";
    return e;
}
