/* serve: flags override env.ini and the environment, then the Web API runs. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "http/http.h"
#include "webapi/webapi.h"

int cmd_serve(const struct cli_args *a)
{
    struct settings s;
    char err[512];
    if (!cli_settings(a, &s))
        return 1;
    static const char *flags[][2] = {
        {"listen", "listen"},        {"threads", "threads"}, {"db-pool-size", "db_pool_size"},
        {"tls-cert", "tls_cert"},    {"tls-key", "tls_key"}, {"trusted-proxies", "trusted_proxies"},
        {"access-log", "access_log"}};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        const char *v = cli_get(a, flags[i][0]);
        if (v && !settings_set(&s, flags[i][1], v, err, sizeof(err)))
            return cli_usage_error(a->cmd, "%s", err);
    }
    if (cli_has(a, "threads") && s.threads < 1)
        return cli_usage_error(a->cmd, "--threads must be from 1 to 256");
    char host[256];
    int port;
    if (!http_parse_listen(s.listen, host, sizeof(host), &port))
        return cli_usage_error(a->cmd, "listen address \"%s\" is not HOST:PORT (port 1-65535)",
                               s.listen);
    if (!!s.tls_cert[0] != !!s.tls_key[0])
        return cli_usage_error(a->cmd, "--tls-cert and --tls-key go together");
    if (!http_proxies_valid(s.trusted_proxies, err, sizeof(err)))
        return cli_usage_error(a->cmd, "%s", err);
    if (strcmp(s.log_level, "debug") == 0)
        log_setup(LOG_DEBUG, NULL);
    else if (strcmp(s.log_level, "warn") == 0)
        log_setup(LOG_WARN, NULL);
    else if (strcmp(s.log_level, "error") == 0)
        log_setup(LOG_ERROR, NULL);
    return webapi_serve(&s);
}
