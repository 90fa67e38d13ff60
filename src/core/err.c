/* Lookups into the error table (see err.h). */
#include "core/err.h"

static const struct {
    int status;
    const char *message, *name;
} table[] = {
#define SG_ERR_ROW(name, status, msg) {status, msg, #name},
    SG_ERRORS(SG_ERR_ROW)
#undef SG_ERR_ROW
};

int err_status(enum err e)
{
    return (unsigned)e < ERR__COUNT ? table[e].status : 500;
}

const char *err_message(enum err e)
{
    return (unsigned)e < ERR__COUNT ? table[e].message : "Unknown error.";
}

const char *err_name(enum err e)
{
    return (unsigned)e < ERR__COUNT ? table[e].name : "UNKNOWN";
}
