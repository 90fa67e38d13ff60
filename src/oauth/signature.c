/* OAuth 1.0a signature base strings and HMACs (see signature.h).
 *
 * HMAC over OpenSSL's low-level SHA-256 and SHA-1 (deprecated in OpenSSL 3.0 in favour of EVP,
 * still part of every 3.x): their state is a plain struct, so a key made ready once can be copied
 * per signature and kept in memory of our choosing (the row cache's guarded pages), and their
 * block functions use the CPU's SHA instructions. EVP contexts can be neither copied without an
 * allocation nor placed in our memory; OpenSSL 3's HMAC() looks its algorithm up on every call;
 * libsodium's HMAC-SHA256 is portable C and several times slower per block. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "oauth/signature.h"

#include <sodium.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/pct.h"

void oauth_params_init(struct oauth_params *p, struct arena *a)
{
    p->cap = 16;
    p->n = 0;
    p->items = arena_alloc(a, p->cap * sizeof(*p->items));
}

bool oauth_params_add(struct oauth_params *p, struct arena *a, struct str name, struct str value)
{
    if (p->n == OAUTH_MAX_PARAMS)
        return false;
    if (p->n == p->cap) {
        struct oauth_param *items = arena_alloc(a, p->cap * 2 * sizeof(*items));
        memcpy(items, p->items, p->n * sizeof(*items));
        p->items = items;
        p->cap *= 2;
    }
    p->items[p->n++] = (struct oauth_param){name, value};
    return true;
}

struct str oauth_params_get(const struct oauth_params *p, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = p->n; i-- > 0;)
        if (p->items[i].name.len == len && memcmp(p->items[i].name.p, name, len) == 0)
            return p->items[i].value;
    return STR_NULL;
}

bool oauth_params_has(const struct oauth_params *p, const char *name)
{
    return oauth_params_get(p, name).p != NULL;
}

bool oauth_is_protocol_name(struct str name)
{
    /* unanchored /oauth_[a-z_-]+/ */
    for (size_t i = 0; i + 7 <= name.len; i++) {
        if (memcmp(name.p + i, "oauth_", 6) != 0) /* not a secret */
            continue;
        char c = name.p[i + 6];
        if ((c >= 'a' && c <= 'z') || c == '_' || c == '-')
            return true;
    }
    return false;
}

/* rawurldecode of a header piece: the piece itself when nothing in it changes (no '%'; no NUL,
 * which is refused), else a decoded copy. Unlike pct_decode(), the result may not be
 * NUL-terminated (the parameters are slices) and may borrow the header's bytes. */
static bool header_decode(struct arena *a, struct str s, struct str *out)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] == '%' || s.p[i] == '\0')
            return pct_decode(a, s, PCT_RAW, out);
    *out = s;
    return true;
}

bool oauth_header_parse(struct arena *a, struct str header, struct oauth_params *out)
{
    /* Magento 2.4: case-insensitive search for "oauth " anywhere; what follows is used. */
    size_t start = 0;
    bool found = false;
    for (size_t i = 0; i + 6 <= header.len; i++)
        if (str_istarts((struct str){header.p + i, header.len - i}, STR_LIT("oauth "))) {
            start = i + 6;
            found = true;
            break;
        }
    if (!found)
        return false;
    struct str rest = {header.p + start, header.len - start};
    while (rest.p) {
        struct str piece = str_trim(str_cut(rest, ',', &rest));
        struct str value;
        struct str name = str_trim(str_cut(piece, '=', &value));
        if (!value.p || !oauth_is_protocol_name(name))
            continue;
        value = str_trim(value);
        /* PHP trim($value, '"'): quotes stripped from both ends */
        while (value.len && value.p[0] == '"') {
            value.p++;
            value.len--;
        }
        while (value.len && value.p[value.len - 1] == '"')
            value.len--;
        struct str dn, dv;
        if (!header_decode(a, name, &dn) || !header_decode(a, value, &dv))
            continue;
        if (!oauth_params_add(out, a, dn, dv))
            break;
    }
    return true;
}

void oauth_query_params(struct arena *a, struct str query, enum oauth_variant v,
                        struct oauth_params *out)
{
    struct str rest = query;
    while (rest.p && rest.len) {
        struct str pair = str_cut(rest, '&', &rest);
        if (!pair.len)
            continue;
        struct str value;
        struct str name = str_cut(pair, '=', &value);
        struct str dn, dv;
        if (v == OAUTH_MAGENTO) {
            /* exactly one '=', a non-protocol name, rawurldecode, the last duplicate wins */
            if (!value.p || str_find(value, '=') >= 0)
                continue;
            pct_decode(a, name, PCT_RAW, &dn);
            pct_decode(a, value, PCT_RAW, &dv);
            if (oauth_is_protocol_name(dn))
                continue;
            bool replaced = false;
            for (size_t i = 0; i < out->n && !replaced; i++)
                if (str_eq(out->items[i].name, dn)) {
                    out->items[i].value = dv;
                    replaced = true;
                }
            if (!replaced && !oauth_params_add(out, a, dn, dv))
                return;
        } else {
            /* RFC 5849 3.4.1.3.1: form-urlencoded decoding, every pair, duplicates kept */
            pct_decode(a, name, PCT_FORM, &dn);
            pct_decode(a, value.p ? value : STR_LIT(""), PCT_FORM, &dv);
            if (!oauth_params_add(out, a, dn, dv))
                return;
        }
    }
}

void oauth_form_params(struct arena *a, struct str body, struct oauth_params *out)
{
    struct str rest = body;
    while (rest.p && rest.len) {
        struct str pair = str_cut(rest, '&', &rest);
        if (!pair.len)
            continue;
        struct str value;
        struct str name = str_cut(pair, '=', &value);
        struct str dn, dv;
        pct_decode(a, name, PCT_FORM, &dn);
        pct_decode(a, value.p ? value : STR_LIT(""), PCT_FORM, &dv);
        if (oauth_is_protocol_name(dn))
            continue;
        if (!oauth_params_add(out, a, dn, dv))
            return;
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* PHP's strnatcmp_ex without its whitespace skipping (encoded keys hold no spaces). */
int oauth_natcmp(struct str a, struct str b)
{
    size_t i = 0, k = 0;
    if (a.len == 0 || b.len == 0)
        return a.len == b.len ? 0 : (a.len == 0 ? -1 : 1);
    for (;;) {
        char ca = a.p[i], cb = b.p[k];
        if (is_digit(ca) && is_digit(cb)) {
            int result = 0;
            if (ca == '0' || cb == '0') {
                /* compare_left: fractional parts, digit by digit */
                for (;; i++, k++) {
                    bool da = i < a.len && is_digit(a.p[i]), db = k < b.len && is_digit(b.p[k]);
                    if (!da && !db)
                        break;
                    if (!da)
                        return -1;
                    if (!db)
                        return 1;
                    if (a.p[i] != b.p[k])
                        return a.p[i] < b.p[k] ? -1 : 1;
                }
            } else {
                /* compare_right: the longer run is larger; else the first difference */
                int bias = 0;
                for (;; i++, k++) {
                    bool da = i < a.len && is_digit(a.p[i]), db = k < b.len && is_digit(b.p[k]);
                    if (!da && !db) {
                        result = bias;
                        break;
                    }
                    if (!da)
                        return -1;
                    if (!db)
                        return 1;
                    if (!bias && a.p[i] != b.p[k])
                        bias = a.p[i] < b.p[k] ? -1 : 1;
                }
            }
            if (result)
                return result;
            if (i >= a.len && k >= b.len)
                return 0;
            if (i >= a.len)
                return -1;
            if (k >= b.len)
                return 1;
            ca = a.p[i];
            cb = b.p[k];
        }
        if ((unsigned char)ca != (unsigned char)cb)
            return (unsigned char)ca < (unsigned char)cb ? -1 : 1;
        i++;
        k++;
        if (i >= a.len && k >= b.len)
            return 0;
        if (i >= a.len)
            return -1;
        if (k >= b.len)
            return 1;
    }
}

struct enc_pair {
    struct str name, value;
};

/* s encoded; s itself when it holds unreserved characters only (its encoding is the same). */
static struct str enc(struct arena *a, struct str s)
{
    size_t i = 0;
    while (i < s.len && pct_unreserved((unsigned char)s.p[i]))
        i++;
    if (i == s.len)
        return s;
    struct buf b;
    buf_init(&b, a, s.len * 3 + 1);
    buf_add(&b, s.p, i);
    pct_encode(&b, (struct str){s.p + i, s.len - i});
    return buf_str(&b);
}

static int cmp_rfc(const void *x, const void *y)
{
    const struct enc_pair *p = x, *q = y;
    size_t n = p->name.len < q->name.len ? p->name.len : q->name.len;
    int c = n ? memcmp(p->name.p, q->name.p, n) : 0;
    if (c || p->name.len != q->name.len)
        return c ? c : (p->name.len < q->name.len ? -1 : 1);
    n = p->value.len < q->value.len ? p->value.len : q->value.len;
    c = n ? memcmp(p->value.p, q->value.p, n) : 0;
    return c ? c : (p->value.len < q->value.len ? -1 : p->value.len > q->value.len);
}

/* Laminas-uri path normalisation (Magento 2.4): decode %XX of unreserved characters and of
 * : @ & = + $ , / ; %, then remove dot segments (RFC 3986 5.2.4). */
static struct str magento_path(struct arena *a, struct str path)
{
    char *d = arena_alloc(a, path.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < path.len; i++) {
        char c = path.p[i];
        if (c == '%' && i + 2 < path.len) {
            char hex[3] = {path.p[i + 1], path.p[i + 2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (end == hex + 2 &&
                (pct_unreserved((unsigned char)v) || strchr(":@&=+$,/;%", (int)v))) {
                d[n++] = (char)v;
                i += 2;
                continue;
            }
        }
        d[n++] = c;
    }
    /* dot segments */
    char *out = arena_alloc(a, n + 2);
    size_t o = 0, i = 0;
    while (i < n) {
        if (i + 3 <= n && memcmp(d + i, "/./", 3) == 0) {
            i += 2;
        } else if (i + 2 == n && memcmp(d + i, "/.", 2) == 0) {
            d[i + 1] = '/';
            i += 1;
        } else if (i + 4 <= n && memcmp(d + i, "/../", 4) == 0) {
            i += 3;
            while (o > 0 && out[--o] != '/')
                ;
        } else if (i + 3 == n && memcmp(d + i, "/..", 3) == 0) {
            i += 2;
            d[i] = '/';
            while (o > 0 && out[--o] != '/')
                ;
        } else {
            out[o++] = d[i++];
        }
    }
    return (struct str){out, o};
}

struct str oauth_base_string(struct arena *a, struct str method, bool https, struct str host,
                             struct str path, const struct oauth_params *params,
                             enum oauth_variant v)
{
    struct buf url;
    buf_init(&url, a, 64 + host.len + path.len);
    buf_add_c(&url, https ? "https://" : "http://");
    /* host lower-cased; the port only when it is not the scheme's default */
    struct str h = host;
    ptrdiff_t colon = -1;
    for (size_t i = h.len; i-- > 0;) {
        if (h.p[i] == ':') {
            colon = (ptrdiff_t)i;
            break;
        }
        if (h.p[i] == ']')
            break;
    }
    if (colon >= 0) {
        struct str port = {h.p + colon + 1, h.len - (size_t)colon - 1};
        if ((https && str_eq_c(port, "443")) || (!https && str_eq_c(port, "80")) || !port.len)
            h.len = (size_t)colon;
    }
    for (size_t i = 0; i < h.len; i++) {
        char c = h.p[i];
        buf_add_ch(&url, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
    }
    buf_add_str(&url, v == OAUTH_MAGENTO ? magento_path(a, path) : path);

    size_t n = 0, norm_len = 0;
    struct enc_pair *pairs = arena_alloc(a, (params->n + 1) * sizeof(*pairs));
    for (size_t i = 0; i < params->n; i++) {
        if (str_eq(params->items[i].name, STR_LIT("oauth_signature")))
            continue;
        pairs[n].name = enc(a, params->items[i].name);
        pairs[n].value = enc(a, params->items[i].value);
        norm_len += pairs[n].name.len + pairs[n].value.len + 2;
        n++;
    }
    /* insertion sort (a request signs a handful of parameters): RFC 5849 orders by the encoded
     * name, then the encoded value; Magento stably by the natural order of the encoded name */
    for (size_t i = 1; i < n; i++) {
        struct enc_pair t = pairs[i];
        size_t k = i;
        while (k > 0 && (v == OAUTH_RFC ? cmp_rfc(&pairs[k - 1], &t)
                                        : oauth_natcmp(pairs[k - 1].name, t.name)) > 0) {
            pairs[k] = pairs[k - 1];
            k--;
        }
        pairs[k] = t;
    }
    /* METHOD&enc(url)&enc(name=value&...): the normalised parameters are encoded as they are
     * written, without a copy of their own */
    struct buf base;
    buf_init(&base, a, method.len + url.len * 3 + norm_len * 3 + 4);
    for (size_t i = 0; i < method.len; i++) {
        char c = method.p[i];
        base.p[base.len++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    base.p[base.len++] = '&';
    pct_encode(&base, buf_str(&url));
    buf_add_ch(&base, '&');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_add(&base, "%26", 3);
        pct_encode(&base, pairs[i].name);
        buf_add(&base, "%3D", 3);
        pct_encode(&base, pairs[i].value);
    }
    return buf_str(&base);
}

enum oauth_method oauth_method_parse(struct str name)
{
    if (str_eq_c(name, "HMAC-SHA1"))
        return OAUTH_HMAC_SHA1;
    if (str_eq_c(name, "HMAC-SHA256"))
        return OAUTH_HMAC_SHA256;
    return OAUTH_METHOD_UNKNOWN;
}

/* The HMAC key is enc(consumer_secret)&enc(token_secret), streamed into hash_key (when longer
 * than a block) or into block (when not) without a copy of its own. */
#define HMAC_BLOCK 64

struct key_sink {
    enum oauth_method m;
    size_t len;                      /* the whole key's length */
    unsigned char block[HMAC_BLOCK]; /* the key itself, when it fits */
    union {
        SHA256_CTX sha256;
        SHA_CTX sha1;
    } hash; /* the key's hash, when it does not */
    size_t used;
};

static size_t enc_len(struct str s)
{
    size_t n = s.len;
    for (size_t i = 0; i < s.len; i++)
        if (!pct_unreserved((unsigned char)s.p[i]))
            n += 2;
    return n;
}

static void sink_add(struct key_sink *k, const unsigned char *p, size_t len)
{
    if (k->len <= HMAC_BLOCK) {
        memcpy(k->block + k->used, p, len);
        k->used += len;
    } else if (k->m == OAUTH_HMAC_SHA256) {
        SHA256_Update(&k->hash.sha256, p, len);
    } else {
        SHA1_Update(&k->hash.sha1, p, len);
    }
}

static void sink_encode(struct key_sink *k, struct str s)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char chunk[HMAC_BLOCK];
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (n + 3 > sizeof(chunk)) {
            sink_add(k, chunk, n);
            n = 0;
        }
        unsigned char c = (unsigned char)s.p[i];
        if (pct_unreserved(c)) {
            chunk[n++] = c;
        } else {
            chunk[n++] = '%';
            chunk[n++] = (unsigned char)hex[c >> 4];
            chunk[n++] = (unsigned char)hex[c & 15];
        }
    }
    sink_add(k, chunk, n);
    sodium_memzero(chunk, sizeof(chunk));
}

void oauth_hmac_key_init(struct oauth_hmac_key *k, enum oauth_method m, struct str consumer_secret,
                         struct str token_secret)
{
    bool sha256 = m == OAUTH_HMAC_SHA256;
    struct key_sink sink = {.m = sha256 ? OAUTH_HMAC_SHA256 : OAUTH_HMAC_SHA1};
    sink.len = enc_len(consumer_secret) + 1 + enc_len(token_secret);
    if (sink.len > HMAC_BLOCK) {
        if (sha256)
            SHA256_Init(&sink.hash.sha256);
        else
            SHA1_Init(&sink.hash.sha1);
    }
    sink_encode(&sink, consumer_secret);
    sink_add(&sink, (const unsigned char *)"&", 1);
    sink_encode(&sink, token_secret);
    if (sink.len > HMAC_BLOCK) {
        /* a key longer than the block is replaced by its hash (RFC 2104 section 2) */
        if (sha256)
            SHA256_Final(sink.block, &sink.hash.sha256);
        else
            SHA1_Final(sink.block, &sink.hash.sha1);
        sink.used = sha256 ? SHA256_DIGEST_LENGTH : SHA_DIGEST_LENGTH;
    }
    memset(sink.block + sink.used, 0, HMAC_BLOCK - sink.used);
    unsigned char pad[HMAC_BLOCK];
    k->method = sink.m;
    for (int outer = 0; outer < 2; outer++) {
        for (size_t i = 0; i < HMAC_BLOCK; i++)
            pad[i] = sink.block[i] ^ (outer ? 0x5c : 0x36);
        if (sha256) {
            SHA256_CTX *c = outer ? &k->u.sha256.outer : &k->u.sha256.inner;
            SHA256_Init(c);
            SHA256_Update(c, pad, HMAC_BLOCK);
        } else {
            SHA_CTX *c = outer ? &k->u.sha1.outer : &k->u.sha1.inner;
            SHA1_Init(c);
            SHA1_Update(c, pad, HMAC_BLOCK);
        }
    }
    sodium_memzero(pad, sizeof(pad));
    sodium_memzero(&sink, sizeof(sink));
}

struct str oauth_hmac_sign(struct arena *a, const struct oauth_hmac_key *k, struct str base)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    size_t mdlen;
    if (k->method == OAUTH_HMAC_SHA256) {
        SHA256_CTX c = k->u.sha256.inner;
        SHA256_Update(&c, base.p, base.len);
        SHA256_Final(md, &c);
        c = k->u.sha256.outer;
        SHA256_Update(&c, md, SHA256_DIGEST_LENGTH);
        SHA256_Final(md, &c);
        sodium_memzero(&c, sizeof(c));
        mdlen = SHA256_DIGEST_LENGTH;
    } else {
        SHA_CTX c = k->u.sha1.inner;
        SHA1_Update(&c, base.p, base.len);
        SHA1_Final(md, &c);
        c = k->u.sha1.outer;
        SHA1_Update(&c, md, SHA_DIGEST_LENGTH);
        SHA1_Final(md, &c);
        sodium_memzero(&c, sizeof(c));
        mdlen = SHA_DIGEST_LENGTH;
    }
    char *out = arena_alloc(a, 4 * ((mdlen + 2) / 3) + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
    sodium_memzero(md, sizeof(md));
    return (struct str){out, n > 0 ? (size_t)n : 0};
}

struct str oauth_sign(struct arena *a, enum oauth_method m, struct str consumer_secret,
                      struct str token_secret, struct str base)
{
    struct oauth_hmac_key k;
    oauth_hmac_key_init(&k, m, consumer_secret, token_secret);
    struct str out = oauth_hmac_sign(a, &k, base);
    sodium_memzero(&k, sizeof(k));
    return out;
}
