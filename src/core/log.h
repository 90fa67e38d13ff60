/* Logging: levels, printf-checked, one line per event on stderr (or the log file chosen at start).
 * Messages are lowercase, problem first, subject quoted. Never log secrets, signatures, tokens or
 * whole Authorization headers: log key ids. */
#ifndef SG_CORE_LOG_H
#define SG_CORE_LOG_H

#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the minimum level and the stream (NULL: stderr). Call before threads start. */
void log_setup(enum log_level min, FILE *out);
enum log_level log_level_get(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a preformatted line (the access log) atomically. */
void log_line(const char *line, size_t len);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
