/* Deployment settings (see settings.h): the table, and the sources applied in order. */
#include "config/settings.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "config/ini.h"
#include "core/str.h"

struct setting_def {
    const char *name;
    char kind;
    const char *def;
    int64_t min, max;
    int flags;
    size_t offset;
};

static const struct setting_def defs[] = {
#define SG_SETTING_DEF(name, kind, def, min, max, flags, help)                                     \
    {#name, #kind[0], def, min, max, flags, offsetof(struct settings, name)},
    SG_SETTINGS(SG_SETTING_DEF)
#undef SG_SETTING_DEF
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static const struct setting_def *find(const char *name)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

static bool apply(struct settings *s, const struct setting_def *d, const char *value, char *err,
                  size_t errlen)
{
    char *field = (char *)s + d->offset;
    if (d->kind == 'S') {
        size_t n = strlen(value);
        if (n >= SETTINGS_STR_MAX) {
            snprintf(err, errlen, "setting \"%s\" is too long", d->name);
            return false;
        }
        memcpy(field, value, n + 1);
        return true;
    }
    int64_t v;
    if (!str_to_i64(str_c(value), &v) || v < d->min || v > d->max) {
        snprintf(err, errlen, "setting \"%s\" must be an integer from %lld to %lld, got \"%s\"",
                 d->name, (long long)d->min, (long long)d->max, value);
        return false;
    }
    memcpy(field, &v, sizeof(v));
    return true;
}

bool settings_set(struct settings *s, const char *name, const char *value, char *err, size_t errlen)
{
    const struct setting_def *d = find(name);
    if (!d) {
        snprintf(err, errlen, "unknown setting \"%s\"", name);
        return false;
    }
    return apply(s, d, value, err, errlen);
}

struct ini_ctx {
    struct settings *s;
    char *err;
    size_t errlen;
};

static bool ini_entry(const char *key, const char *value, void *ctx)
{
    struct ini_ctx *c = ctx;
    return settings_set(c->s, key, value, c->err, c->errlen);
}

void settings_var_path(const struct settings *s, const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", s->var_dir, name);
}

bool settings_load(struct settings *s, const char *var_dir, char *err, size_t errlen)
{
    memset(s, 0, sizeof(*s));
    if (strlen(var_dir) >= sizeof(s->var_dir)) {
        snprintf(err, errlen, "var dir path is too long");
        return false;
    }
    memcpy(s->var_dir, var_dir, strlen(var_dir) + 1);
    for (size_t i = 0; i < NDEFS; i++)
        if (!apply(s, &defs[i], defs[i].def, err, errlen))
            return false;
    char path[SETTINGS_STR_MAX + 32];
    settings_var_path(s, "env.ini", path, sizeof(path));
    if (access(path, F_OK) == 0) {
        int line = 0;
        struct ini_ctx c = {s, err, errlen};
        err[0] = '\0';
        if (!ini_parse(path, ini_entry, &c, &line)) {
            char inner[512];
            snprintf(inner, sizeof(inner), "%s", err[0] ? err : "syntax error");
            snprintf(err, errlen, "%s line %d: %s", path, line, inner);
            return false;
        }
    }
    for (size_t i = 0; i < NDEFS; i++) {
        char env[128] = "STOREGATE_";
        size_t k = strlen(env);
        for (const char *p = defs[i].name; *p && k < sizeof(env) - 1; p++)
            env[k++] = (char)toupper((unsigned char)*p);
        env[k] = '\0';
        const char *v = getenv(env);
        if (v && !apply(s, &defs[i], v, err, errlen))
            return false;
    }
    if (!s->db_url[0])
        snprintf(s->db_url, sizeof(s->db_url), "sqlite:%.1000s/storegate.db", s->var_dir);
    if (!s->integrations_file[0])
        snprintf(s->integrations_file, sizeof(s->integrations_file), "%.1000s/integrations.json",
                 s->var_dir);
    if (!s->key_file[0])
        snprintf(s->key_file, sizeof(s->key_file), "%.1000s/storegate.key", s->var_dir);
    return true;
}

void settings_print(const struct settings *s, FILE *out)
{
    fprintf(out, "%-18s = %s\n", "var_dir", s->var_dir);
    for (size_t i = 0; i < NDEFS; i++) {
        const char *field = (const char *)s + defs[i].offset;
        if (defs[i].kind == 'S') {
            const char *v = field;
            /* A database URL may carry a password (postgresql://user:pw@host/db). */
            if (strcmp(defs[i].name, "db_url") == 0 && strchr(v, '@')) {
                const char *at = strrchr(v, '@'), *scheme = strstr(v, "://");
                const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
                if (colon && colon < at) {
                    fprintf(out, "%-18s = %.*s:****%s\n", defs[i].name, (int)(colon - v), v, at);
                    continue;
                }
            }
            fprintf(out, "%-18s = %s\n", defs[i].name, v[0] ? v : "(not set)");
        } else {
            int64_t v;
            memcpy(&v, field, sizeof(v));
            fprintf(out, "%-18s = %lld\n", defs[i].name, (long long)v);
        }
    }
}

bool settings_write_ini(const struct settings *s, const char *path)
{
    /* 0600: a database URL may carry a password */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    fprintf(f,
            "# storegate deployment settings (written by setup:install).\n"
            "# Any setting listed by `storegate config:check` may be set here; the environment\n"
            "# (STOREGATE_<NAME>) and command-line flags override this file. The database and\n"
            "# the install key default to storegate.db and storegate.key in this folder.\n"
            "base_url = %s\n",
            s->base_url);
    /* Only a database outside the var folder is written down, as an absolute path, so the store
     * works whichever directory storegate is started from. */
    char derived[SETTINGS_STR_MAX + 32];
    snprintf(derived, sizeof(derived), "sqlite:%s/storegate.db", s->var_dir);
    if (strcmp(derived, s->db_url) != 0)
        fprintf(f, "db_url = %s\n", s->db_url); /* may hold a password: env.ini is 0600 */
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    return fclose(f) == 0 && ok;
}
