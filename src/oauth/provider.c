/* OAuth 1.0a protocol checks (see provider.h). */
#include "oauth/provider.h"

#include <stdio.h>
#include <string.h>

#include "oauth/cache.h"

bool oauth_is_oauth_header(struct str h)
{
    for (size_t i = 0; i + 6 <= h.len; i++)
        if (str_istarts((struct str){h.p + i, h.len - i}, STR_LIT("oauth ")))
            return true;
    return false;
}

static enum err fail(struct oauth_error *err, enum err code, struct str param)
{
    err->code = code;
    snprintf(err->param, sizeof(err->param), "%.*s", (int)(param.len > 79 ? 79 : param.len),
             param.p ? param.p : "");
    return code;
}

static bool method_allowed(const char *list, struct str method)
{
    struct str rest = str_c(list);
    while (rest.p) {
        struct str item = str_trim(str_cut(rest, ',', &rest));
        if (item.len && str_eq(item, method))
            return true;
    }
    return false;
}

/* Collects the signed parameters for one variant: header, form body, query. */
static void collect(struct arena *a, const struct oauth_input *in, const struct oauth_params *hdr,
                    enum oauth_variant v, struct oauth_params *out)
{
    oauth_params_init(out, a);
    for (size_t i = 0; i < hdr->n; i++)
        if (!str_eq(hdr->items[i].name, STR_LIT("realm")))
            oauth_params_add(out, a, hdr->items[i].name, hdr->items[i].value);
    if (in->content_type.p &&
        str_istarts(in->content_type, STR_LIT("application/x-www-form-urlencoded")))
        oauth_form_params(a, in->body, out);
    oauth_query_params(a, in->query, v, out);
}

static bool verify(struct arena *a, const struct oauth_input *in, const struct oauth_params *hdr,
                   const struct oauth_hmac_key *hk, struct str signature, struct oauth_error *err)
{
    struct str first = STR_NULL;
    struct oauth_params first_params = {0};
    bool ok = false;
    for (int v = 0; v < OAUTH_VARIANTS && !ok; v++) {
        struct oauth_params params;
        collect(a, in, hdr, (enum oauth_variant)v, &params);
        struct str base = oauth_base_string(a, in->method, in->https, in->host, in->path, &params,
                                            (enum oauth_variant)v);
        if (v == OAUTH_RFC) {
            first = base;
            first_params = params;
        } else if (str_eq(base, first)) {
            continue; /* same base string: same signature */
        }
        struct str mine = oauth_hmac_sign(a, hk, base);
        ok = crypto_eq(mine, signature);
        crypto_wipe((void *)mine.p, mine.len);
    }
    if (!ok && first.p) {
        /* the diagnostics of the RFC 5849 base string: only a failed signature needs them */
        crypto_sha256_hex(first, err->base_sha256);
        struct buf names;
        buf_init(&names, a, 128);
        for (size_t i = 0; i < first_params.n; i++) {
            if (str_eq_c(first_params.items[i].name, "oauth_signature"))
                continue;
            if (names.len)
                buf_add_ch(&names, ',');
            buf_add_str(&names, first_params.items[i].name);
        }
        err->signed_names = buf_str(&names);
    }
    return ok;
}

enum err oauth_check(struct db *db, struct oauth_cache *cache, struct arena *a,
                     const struct crypto_key *key, const struct oauth_policy *pol,
                     enum oauth_step step, const struct oauth_input *in, struct oauth_checked *out,
                     struct oauth_error *err)
{
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    struct oauth_params parsed;
    const struct oauth_params *hdr = in->header;
    if (!hdr) {
        oauth_params_init(&parsed, a);
        /* Without an OAuth Authorization header nothing is extracted: every field is missing. */
        if (in->authorization.p)
            oauth_header_parse(a, in->authorization, &parsed);
        hdr = &parsed;
    }

    /* 1. version */
    struct str version = oauth_params_get(hdr, "oauth_version");
    if (version.p && !str_eq_c(version, "1.0"))
        return fail(err, ERR_OAUTH_VERSION, version);
    /* 2. required fields (isset: empty values pass), all reported at once */
    static const char *const base_fields[] = {"oauth_consumer_key", "oauth_signature",
                                              "oauth_signature_method", "oauth_nonce",
                                              "oauth_timestamp"};
    for (size_t i = 0; i < sizeof(base_fields) / sizeof(base_fields[0]); i++)
        if (!oauth_params_has(hdr, base_fields[i]))
            err->missing[err->nmissing++] = base_fields[i];
    if (step != OAUTH_STEP_REQUEST_TOKEN && !oauth_params_has(hdr, "oauth_token"))
        err->missing[err->nmissing++] = "oauth_token";
    if (step == OAUTH_STEP_ACCESS_TOKEN && !oauth_params_has(hdr, "oauth_verifier"))
        err->missing[err->nmissing++] = "oauth_verifier";
    if (err->nmissing)
        return fail(err, ERR_REQUIRED_FIELD, STR_NULL);
    /* 3. token length */
    struct str token = oauth_params_get(hdr, "oauth_token");
    if (token.p && token.len != OAUTH_LEN)
        return fail(err, ERR_OAUTH_TOKEN_LENGTH, STR_NULL);
    /* 4. signature method */
    struct str method_name = oauth_params_get(hdr, "oauth_signature_method");
    enum oauth_method m = oauth_method_parse(method_name);
    if (m == OAUTH_METHOD_UNKNOWN || !method_allowed(pol->signature_methods, method_name))
        return fail(err, ERR_OAUTH_SIG_METHOD, method_name);
    /* 5. consumer */
    struct str ckey = oauth_params_get(hdr, "oauth_consumer_key");
    if (ckey.len != OAUTH_LEN)
        return fail(err, ERR_OAUTH_KEY_LENGTH, STR_NULL);
    /* A signed REST call through the cache signs with the HMAC key the cache keeps for the
     * consumer and token (oauth_cache_hmac_key()): their secrets are opened only to make it. */
    bool cached_key = cache && step == OAUTH_STEP_RESOURCE;
    enum err e = oauth_cache_consumer(cache, db, a, key, ckey, !cached_key, &out->consumer);
    if (e == ERR_NOT_FOUND)
        return fail(err, ERR_OAUTH_NO_CONSUMER, STR_NULL);
    if (e)
        return fail(err, e, STR_NULL);
    /* 6. timestamp: within the window either side (Magento accepts any past timestamp) */
    struct str ts_text = oauth_params_get(hdr, "oauth_timestamp");
    struct str nonce = oauth_params_get(hdr, "oauth_nonce");
    int64_t ts = 0;
    if (!str_to_i64(ts_text, &ts) || ts <= 0 || ts > pol->now + pol->timestamp_window ||
        ts < pol->now - pol->timestamp_window || nonce.len == 0 || nonce.len > 255)
        return fail(err, ERR_OAUTH_NONCE, STR_NULL);
    out->nonce = nonce;
    out->timestamp = ts;
    /* 7. the handshake window, counted from the activation POST (request-token step only) */
    if (step == OAUTH_STEP_REQUEST_TOKEN &&
        (out->consumer.updated_at == 0 ||
         pol->now - out->consumer.updated_at >= pol->consumer_expiration))
        return fail(err, ERR_OAUTH_EXPIRED, STR_NULL);

    /* 8. the token of the step */
    if (step == OAUTH_STEP_REQUEST_TOKEN) {
        e = oauth_token_of_consumer(db, a, key, out->consumer.id, &out->token);
        if (e == ERR_NOT_FOUND) {
            char id[24];
            snprintf(id, sizeof(id), "%lld", (long long)out->consumer.id);
            return fail(err, ERR_OAUTH_NO_TOKEN_FOR, str_c(id));
        }
        if (e)
            return fail(err, e, STR_NULL);
        if (out->token.type != TOKEN_VERIFIER)
            return fail(err, ERR_OAUTH_NOT_VERIFIER, STR_NULL);
    } else {
        e = oauth_cache_token(cache, db, a, key, token, !cached_key, &out->token);
        if (e == ERR_NOT_FOUND)
            return fail(err, ERR_OAUTH_NO_TOKEN, STR_NULL);
        if (e)
            return fail(err, e, STR_NULL);
        if (out->token.consumer_id != out->consumer.id)
            return fail(
                err, step == OAUTH_STEP_ACCESS_TOKEN ? ERR_OAUTH_REQ_OTHER : ERR_OAUTH_TOKEN_OTHER,
                STR_NULL);
        if (step == OAUTH_STEP_ACCESS_TOKEN) {
            if (out->token.type != TOKEN_REQUEST)
                return fail(err, ERR_OAUTH_TOKEN_USED, STR_NULL);
            struct str verifier = oauth_params_get(hdr, "oauth_verifier");
            if (verifier.len != OAUTH_LEN)
                return fail(err, ERR_OAUTH_VERIFIER_LEN, STR_NULL);
            if (!crypto_eq(verifier, str_c(out->token.verifier)))
                return fail(err, ERR_OAUTH_VERIFIER_BAD, STR_NULL);
        } else {
            if (out->token.type != TOKEN_ACCESS)
                return fail(err, ERR_OAUTH_NOT_ACCESS, STR_NULL);
            if (out->token.revoked)
                return fail(err, ERR_OAUTH_REVOKED, STR_NULL);
        }
        out->has_token = true;
    }
    /* 9. the signature, either variant */
    struct str signature = oauth_params_get(hdr, "oauth_signature");
    const struct oauth_hmac_key *hk =
        cached_key ? oauth_cache_hmac_key(cache, a, key, ckey, token, out->consumer.id, m,
                                          out->consumer.secret, out->token.secret)
                   : NULL;
    struct oauth_hmac_key own;
    if (!hk) {
        if (cached_key && !out->consumer.secret.p &&
            (e = oauth_cache_consumer(cache, db, a, key, ckey, true, &out->consumer)))
            return fail(err, e == ERR_NOT_FOUND ? ERR_OAUTH_NO_CONSUMER : e, STR_NULL);
        if (cached_key && !out->token.secret.p &&
            (e = oauth_cache_token(cache, db, a, key, token, true, &out->token)))
            return fail(err, e == ERR_NOT_FOUND ? ERR_OAUTH_NO_TOKEN : e, STR_NULL);
        oauth_hmac_key_init(&own, m, out->consumer.secret,
                            out->has_token ? out->token.secret : STR_LIT(""));
        hk = &own;
    }
    bool ok = verify(a, in, hdr, hk, signature, err);
    if (hk == &own)
        crypto_wipe(&own, sizeof(own));
    if (!ok)
        return fail(err, ERR_OAUTH_SIGNATURE, STR_NULL);
    return ERR_OK;
}
