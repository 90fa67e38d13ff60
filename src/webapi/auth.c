/* Authentication and authorization phases (reference sections 5.3 and 5.5). Who the caller is
 * comes from the Authorization header; an unknown, revoked or expired token is not an error: the
 * caller stays a guest and meets the ACL's 401, as in Magento. */
#include <string.h>

#include "core/clock.h"
#include "user/admin_token.h"
#include "webapi/api.h"

void api_resolve_caller(struct api_req *q)
{
    if (q->caller_resolved)
        return;
    q->caller_resolved = true;
    q->caller = (struct caller){CALLER_GUEST, 0};
    struct str auth = http_header(q->http, "authorization");
    if (!auth.p)
        return;
    /* Magento splits on single spaces and wants exactly two pieces, the first "bearer". */
    struct str rest;
    struct str scheme = str_cut(auth, ' ', &rest);
    if (!rest.p || str_find(rest, ' ') >= 0 || !str_ieq(scheme, STR_LIT("bearer")))
        return;
    int64_t id;
    if (admin_token_resolve(q->w->db, rest, clock_now(), &id) == ERR_OK) {
        q->caller = (struct caller){CALLER_ADMIN, id};
        http_set_caller(q->http, "admin", id);
    }
}

/* Is the caller allowed one resource? Admins hold every resource until roles arrive. */
static bool allowed(const struct api_req *q, struct str resource)
{
    if (str_eq_c(resource, "anonymous"))
        return true;
    switch (q->caller.kind) {
    case CALLER_ADMIN:
        return true;
    case CALLER_CUSTOMER:
        return str_eq_c(resource, "self");
    default:
        return false;
    }
}

enum err api_authorize(struct api_req *q)
{
    const struct route *r = q->route;
    if (r->anonymous)
        return ERR_OK;
    if ((r->flags & R_GUEST) &&
        store_config_get_bool(q->w->config, "webapi/webapisecurity/allow_insecure", -1))
        return ERR_OK;
    api_resolve_caller(q);
    bool ok = true;
    for (int i = 0; i < r->nresources && ok; i++)
        ok = allowed(q, r->resources[i]);
    if (ok)
        return ERR_OK;
    /* Magento names every resource of the route, comma and space separated. */
    struct buf list;
    buf_init(&list, q->a, 64);
    for (int i = 0; i < r->nresources; i++) {
        if (i)
            buf_add_c(&list, ", ");
        buf_add_str(&list, r->resources[i]);
    }
    return api_fail_param(q, ERR_NOT_AUTHORIZED, "resources", json_stringn(list.p, list.len));
}
