/* A small reader/writer for var/env.ini: "key = value" lines, '#' or ';' comments, blank lines.
 * Section headers are accepted and ignored (keys are flat). */
#ifndef SG_CONFIG_INI_H
#define SG_CONFIG_INI_H

#include <stdbool.h>
#include <stddef.h>

/* Calls fn(key, value, ctx) for each entry; stops and returns false if fn does. *line_no gets the
 * line of a syntax error or of the entry fn refused. Returns false also when the file cannot be
 * read (*line_no = 0). */
bool ini_parse(const char *path, bool (*fn)(const char *key, const char *value, void *ctx),
               void *ctx, int *line_no);

#endif
