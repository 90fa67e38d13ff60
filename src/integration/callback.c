/* The credentials POST to an integration's Callback URL (reference section 3.1), with libcurl:
 * form-encoded fields in Magento's order, the configured timeout and redirect limit, TLS verified.
 * Any HTTP answer counts as delivered (as in Magento), but its status, latency and the start of
 * its body are reported; only transport failures fail. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/integration.h"

struct sink {
    char *buf;
    size_t len, cap;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t total = size * n, room = s->cap - s->len;
    size_t take = total < room ? total : room;
    memcpy(s->buf + s->len, p, take);
    s->len += take;
    return total; /* keep reading; only the start is kept */
}

void integration_post_callback(const char *url, const char *const *fields, int nfields,
                               long timeout_s, long max_redirects, struct callback_result *out)
{
    memset(out, 0, sizeof(*out));
    static bool global_done;
    if (!global_done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        global_done = true;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(out->error, sizeof(out->error), "cannot start the HTTP client");
        return;
    }
    /* fields: name, value, name, value ... */
    char *body = NULL;
    size_t body_len = 0;
    FILE *mem = open_memstream(&body, &body_len);
    for (int i = 0; i + 1 < nfields; i += 2) {
        char *v = curl_easy_escape(c, fields[i + 1], 0);
        fprintf(mem, "%s%s=%s", i ? "&" : "", fields[i], v ? v : "");
        curl_free(v);
    }
    fclose(mem);
    char excerpt[sizeof(out->excerpt)];
    struct sink sink = {excerpt, 0, sizeof(excerpt) - 1};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 5L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, max_redirects > 0 ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, max_redirects > 0 ? max_redirects : 0L);
    curl_easy_setopt(c, CURLOPT_POSTREDIR, CURL_REDIR_POST_ALL);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "storegate");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(c);
    double t = 0;
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &t);
    out->latency_ms = (long)(t * 1000);
    if (rc == CURLE_OK || rc == CURLE_TOO_MANY_REDIRECTS) {
        out->delivered = true;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->http_status);
    } else {
        /* Say which step failed, so the admin knows whom to ask: DNS, the connection, TLS, or
         * the time limit. */
        const char *step = "HTTP";
        switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            step = "DNS lookup failed";
            break;
        case CURLE_COULDNT_CONNECT:
            step = "connection refused or unreachable";
            break;
        case CURLE_OPERATION_TIMEDOUT:
            step = "no answer in time (oauth/consumer/post_timeout)";
            break;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            step = "TLS handshake or certificate check failed";
            break;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            step = "the URL cannot be used";
            break;
        default:
            break;
        }
        snprintf(out->error, sizeof(out->error), "%s: %s", step, curl_easy_strerror(rc));
    }
    excerpt[sink.len] = '\0';
    for (size_t i = 0; i < sink.len; i++)
        if ((unsigned char)excerpt[i] < 0x20)
            excerpt[i] = ' ';
    memcpy(out->excerpt, excerpt, sink.len + 1);
    /* the body held the consumer secret */
    memset(body, 0, body_len);
    free(body);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
}
