/* The Magento-compatible REST Web API: routing, authentication, authorization, input, handlers
 * and Magento's error shape, served by the http module. */
#ifndef SG_WEBAPI_WEBAPI_H
#define SG_WEBAPI_WEBAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "config/settings.h"

/* Validates the route table (start-up refuses a bad one); writes the problem into err. */
bool webapi_routes_valid(char *err, size_t errlen);
/* Serves until SIGTERM/SIGINT with these settings; returns the process exit code. */
int webapi_serve(const struct settings *s);

#endif
