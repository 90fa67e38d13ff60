/* libFuzzer target: var/env.ini parsing through settings_load(). The input is written as env.ini
 * in a private folder made once. Properties: no crash; a failure comes with a message; a success
 * leaves every integer setting within its table bounds and every string NUL-terminated. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], ini[128];
static struct settings s;

static void setup(void)
{
    /* The environment would override the file: keep it out. */
#define SG_UNSET(name, kind, def, min, max, flags, help)                                           \
    {                                                                                              \
        char env[128] = "STOREGATE_";                                                              \
        size_t k = strlen(env);                                                                    \
        for (const char *p = #name; *p && k < sizeof(env) - 1; p++)                                \
            env[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);                       \
        env[k] = '\0';                                                                             \
        unsetenv(env);                                                                             \
    }
    SG_SETTINGS(SG_UNSET)
#undef SG_UNSET
    snprintf(dir, sizeof(dir), "/tmp/sg-fuzz-ini-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(ini, sizeof(ini), "%s/env.ini", dir);
}

static void cleanup(void)
{
    remove(ini);
    remove(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        atexit(cleanup);
        ready = true;
    }
    FILE *f = fopen(ini, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);

    char err[512];
    err[0] = '\0';
    if (!settings_load(&s, dir, err, sizeof(err))) {
        if (!err[0] || !memchr(err, '\0', sizeof(err)))
            abort();
        return 0;
    }
#define SG_CHECK_S(name, min, max)                                                                 \
    if (!memchr(s.name, '\0', sizeof(s.name)))                                                     \
        abort();
#define SG_CHECK_I(name, min, max)                                                                 \
    if (s.name < (min) || s.name > (max))                                                          \
        abort();
#define SG_CHECK(name, kind, def, min, max, flags, help) SG_CHECK_##kind(name, min, max)
    SG_SETTINGS(SG_CHECK)
#undef SG_CHECK
#undef SG_CHECK_S
#undef SG_CHECK_I
    return 0;
}
