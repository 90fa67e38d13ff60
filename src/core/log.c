/* Logging (see log.h). Lines are written with one fwrite under the stream lock, so the lines of
 * several worker threads never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static FILE *log_out;

void log_setup(enum log_level min, FILE *out)
{
    min_level = min;
    log_out = out;
}

enum log_level log_level_get(void)
{
    return min_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (lvl < min_level)
        return;
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ldZ %s ", ts.tv_nsec / 1000000,
                  names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    log_line(line, len);
}

void log_line(const char *line, size_t len)
{
    FILE *out = log_out ? log_out : stderr;
    flockfile(out);
    fwrite(line, 1, len, out);
    fflush(out);
    funlockfile(out);
}
