/* The Web API description (GET /rest[/<store>]/schema): Swagger 2.0 as Magento generates it, or
 * OpenAPI 3 with ?format=openapi3, from the route table and the service contracts in schema.json
 * (embedded in the binary), filtered to what the caller may use. */
#ifndef SG_WEBAPI_SCHEMA_H
#define SG_WEBAPI_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

struct route;
struct api_req;

/* Parses schema.json once and checks it against the route table (every operation names an
 * existing route, service and types); false with a message otherwise. */
bool schema_init(char *err, size_t errlen);
void schema_free(void);
/* Web API routes (not the admin JSON API) that schema.json does not describe: up to max of them
 * in out; returns how many there are. */
size_t schema_undescribed(const struct route **out, size_t max);
/* The handler behind /rest[/<store>]/schema. */
enum err api_schema(struct api_req *q);

#endif
