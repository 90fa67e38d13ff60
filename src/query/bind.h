/* Binding of JSON request bodies (reference section 5.2), shared by the entities that take one:
 * Magento's key spellings (snake_case or camelCase), its "%fieldName" is not supported. error and
 * its type messages, and the lenient scalar casts of its service-input processor. Every error goes
 * into a struct query_error (Magento's shape); the functions return its code. */
#ifndef SG_QUERY_BIND_H
#define SG_QUERY_BIND_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "query/search.h"

enum err bind_fail(struct query_error *qe, enum err code, const char *message, json_t *params);
/* isActive -> is_active (Magento maps both spellings to one accessor) */
const char *bind_snake(struct arena *a, const char *key);
/* 400 "%fieldName" is not supported. with the key in Magento's CamelCase */
enum err bind_unknown_key(struct arena *a, struct query_error *qe, const char *key);
/* A value as Magento's messages quote it ("Array" and "Object" for containers). */
const char *bind_value_text(struct arena *a, json_t *v);
enum err bind_type_error(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                         const char *type);
enum err bind_as_int(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                     int64_t *out);
enum err bind_as_string(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                        const char **out);
enum err bind_as_bool(struct arena *a, struct query_error *qe, const char *field, json_t *v,
                      bool *out);

#endif
