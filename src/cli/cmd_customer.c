/* customer:create: an account for demos and tests (Magento creates them through the storefront or
 * POST /V1/customers). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "customer/customer.h"

int cmd_customer_create(const struct cli_args *a)
{
    long long website = 1;
    struct customer_input in = {
        .email = cli_get(a, "email"),
        .firstname = cli_get(a, "firstname"),
        .lastname = cli_get(a, "lastname"),
        .password = cli_get(a, "password"),
    };
    if (!in.email || !in.firstname || !in.lastname || !in.password)
        return cli_usage_error(a->cmd, "--email, --firstname, --lastname and --password are "
                                       "required");
    if (cli_get(a, "website-id") && !cli_int(cli_get(a, "website-id"), 1, 1000000, &website))
        return cli_usage_error(a->cmd, "--website-id must be a positive whole number");
    in.website_id = website;
    char err[512];
    if (!customer_validate(&in, err, sizeof(err)))
        return cli_usage_error(a->cmd, "%s", err);
    struct settings s;
    if (!cli_settings(a, &s))
        return 1;
    struct db *db = cli_open_db(&s, true);
    if (!db)
        return 1;
    int64_t id = 0;
    enum err e = customer_create(db, &in, &id);
    db_close(db);
    if (e == ERR_EXISTS) {
        fprintf(stderr, "storegate: A customer with the same email address already exists in an "
                        "associated website.\n");
        return 1;
    }
    if (e) {
        fprintf(stderr, "storegate: cannot create the customer: %s\n", err_message(e));
        return 1;
    }
    if (cli_has(a, "json")) {
        json_t *j = json_pack("{s:I,s:s}", "id", (json_int_t)id, "email", in.email);
        char *text = json_dumps(j, JSON_COMPACT);
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(j);
    } else
        printf("Created customer %s (id %lld)\n", in.email, (long long)id);
    return 0;
}
