/* Trusted proxies: X-Forwarded-Proto and X-Forwarded-Host enter OAuth signatures, so they are
 * believed only from addresses the operator listed (single addresses or CIDRs, v4 or v6). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

static bool parse_one(const char *item, struct proxy_net *net)
{
    char buf[INET6_ADDRSTRLEN + 8];
    if (strlen(item) >= sizeof(buf))
        return false;
    memcpy(buf, item, strlen(item) + 1);
    char *slash = strchr(buf, '/');
    int prefix = -1;
    if (slash) {
        *slash = '\0';
        int64_t v;
        if (!str_to_i64(str_c(slash + 1), &v) || v < 0 || v > 128)
            return false;
        prefix = (int)v;
    }
    memset(net, 0, sizeof(*net));
    if (inet_pton(AF_INET, buf, net->addr) == 1) {
        net->family = AF_INET;
        if (prefix > 32)
            return false;
        net->prefix = prefix < 0 ? 32 : prefix;
        return true;
    }
    if (inet_pton(AF_INET6, buf, net->addr) == 1) {
        net->family = AF_INET6;
        net->prefix = prefix < 0 ? 128 : prefix;
        return true;
    }
    return false;
}

bool http_proxies_parse(const char *list, struct proxy_net **out, size_t *n, char *err,
                        size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct str rest = str_c(list);
    size_t cap = 0;
    while (rest.p && rest.len) {
        struct str item = str_trim(str_cut(rest, ',', &rest));
        if (!item.len)
            continue;
        char tmp[128];
        snprintf(tmp, sizeof(tmp), "%.*s", STR_FMT(item));
        struct proxy_net net;
        if (item.len >= sizeof(tmp) || !parse_one(tmp, &net)) {
            snprintf(err, errlen, "trusted proxy \"%.*s\" is not an IP address or CIDR",
                     (int)(item.len > 64 ? 64 : item.len), item.p);
            free(*out);
            *out = NULL;
            *n = 0;
            return false;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            struct proxy_net *p = realloc(*out, cap * sizeof(*p));
            if (!p) {
                free(*out);
                return false;
            }
            *out = p;
        }
        (*out)[(*n)++] = net;
    }
    return true;
}

bool http_proxies_valid(const char *list, char *err, size_t errlen)
{
    struct proxy_net *nets;
    size_t n;
    bool ok = http_proxies_parse(list, &nets, &n, err, errlen);
    free(nets);
    return ok;
}

static bool prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
    int full = bits / 8, rem = bits % 8;
    if (full && memcmp(a, b, (size_t)full) != 0)
        return false;
    if (rem) {
        unsigned char mask = (unsigned char)(0xff << (8 - rem));
        return (a[full] & mask) == (b[full] & mask);
    }
    return true;
}

bool http_proxy_trusted(const struct http_server *srv, const struct sockaddr *sa)
{
    unsigned char addr[16];
    int family;
    if (sa->sa_family == AF_INET) {
        memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        family = AF_INET;
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            memcpy(addr, a6->s6_addr + 12, 4);
            family = AF_INET;
        } else {
            memcpy(addr, a6->s6_addr, 16);
            family = AF_INET6;
        }
    } else {
        return false;
    }
    for (size_t i = 0; i < srv->nproxies; i++)
        if (srv->proxies[i].family == family &&
            prefix_match(addr, srv->proxies[i].addr, srv->proxies[i].prefix))
            return true;
    return false;
}
