/* env.ini reader (see ini.h). */
#include "config/ini.h"

#include <stdio.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

bool ini_parse(const char *path, bool (*fn)(const char *key, const char *value, void *ctx),
               void *ctx, int *line_no)
{
    FILE *f = fopen(path, "re");
    *line_no = 0;
    if (!f)
        return false;
    char line[4096];
    bool ok = true;
    int n = 0;
    while (ok && fgets(line, sizeof(line), f)) {
        n++;
        size_t got = strlen(line);
        if (got == sizeof(line) - 1 && line[got - 1] != '\n') {
            /* a line longer than the buffer: a comment is skipped whole, anything else refused */
            bool comment = line[strspn(line, " \t")] == '#' || line[strspn(line, " \t")] == ';';
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            if (comment)
                continue;
            ok = false;
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';' || *s == '[')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            ok = false;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        ok = fn(key, value, ctx);
    }
    fclose(f);
    if (!ok)
        *line_no = n;
    return ok;
}
