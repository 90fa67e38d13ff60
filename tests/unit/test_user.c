/* Unit tests for the admin panel's pieces in src/user (roles, sessions, the form key) and the
 * Cookie header parser of src/webapi/panel.c, on a freshly migrated database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core/crypto.h"
#include "core/log.h"
#include "user/admin_role.h"
#include "user/admin_session.h"
#include "user/admin_user.h"
#include "webapi/api.h"

#include "testutil.h"

struct fixture {
    char dir[64];
    struct db *db;
    int64_t admin_id;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof(f));
    tmpdir_make(f.dir);
    f.db = db_open_migrated(f.dir);
    /* a precomputed hash keeps the test fast (no Argon2id run) */
    struct admin_user_input in = {.username = "Admin",
                                  .password = "Passw0rd1",
                                  .email = "a@example.com",
                                  .firstname = "",
                                  .lastname = "",
                                  .password_hash = "$argon2id$v=19$m=65536,t=2,p=1$x$y"};
    if (!f.db || admin_user_create(f.db, &in, &f.admin_id) != ERR_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    db_close(f->db);
    tmpdir_remove(f->dir);
    return 0;
}

static void test_cookie_parsing(void **state)
{
    (void)state;
    assert_slice(panel_cookie_value(STR_LIT("storegate_admin=abc"), "storegate_admin"), "abc");
    assert_slice(panel_cookie_value(STR_LIT("a=1; storegate_admin = abc ;b=2"), "storegate_admin"),
                 "abc");
    assert_slice(
        panel_cookie_value(STR_LIT("x_storegate_admin=1; storegate_admin=2"), "storegate_admin"),
        "2");
    assert_null(panel_cookie_value(STR_LIT("storegate_adminx=1"), "storegate_admin").p);
    assert_null(panel_cookie_value(STR_LIT("storegate_admin"), "storegate_admin").p);
    assert_null(panel_cookie_value(STR_LIT(""), "storegate_admin").p);
    assert_slice(panel_cookie_value(STR_LIT("storegate_admin="), "storegate_admin"), "");
}

static void test_form_key(void **state)
{
    (void)state;
    char a[ADMIN_FORM_KEY_LEN + 1], b[ADMIN_FORM_KEY_LEN + 1], c[ADMIN_FORM_KEY_LEN + 1];
    admin_session_form_key(STR_LIT("abcdefghijklmnopqrstuvwxyz012345"), a);
    admin_session_form_key(STR_LIT("abcdefghijklmnopqrstuvwxyz012345"), b);
    admin_session_form_key(STR_LIT("abcdefghijklmnopqrstuvwxyz012346"), c);
    assert_int_equal(strlen(a), ADMIN_FORM_KEY_LEN);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    /* not the token's own hash (what the database stores) */
    char h[65];
    crypto_sha256_hex(STR_LIT("abcdefghijklmnopqrstuvwxyz012345"), h);
    assert_string_not_equal(a, h);
}

static void test_role_validation(void **state)
{
    (void)state;
    char err[256];
    struct admin_role_input in = {
        .name = "Ops", .resources = {"Magento_Backend::store"}, .nresources = 1};
    assert_true(admin_role_validate(&in, err, sizeof(err)));
    in.resources[0] = "Magento_Nope::x";
    assert_false(admin_role_validate(&in, err, sizeof(err)));
    assert_non_null(strstr(err, "not in the ACL tree"));
    in.nresources = 0;
    in.name = "";
    assert_false(admin_role_validate(&in, err, sizeof(err)));
    in.name = "tab\there";
    assert_false(admin_role_validate(&in, err, sizeof(err)));
}

static void test_roles(void **state)
{
    struct fixture *f = *state;
    int64_t role = 0, admins = 0;
    bool all = false, allowed = false;
    /* the migration's Administrators role, held by the user created without a role */
    assert_int_equal(admin_role_find(f->db, STR_LIT("ADMINISTRATORS"), &admins), ERR_OK);
    assert_int_equal(admin_role_of_user(f->db, f->admin_id, &role, &all), ERR_OK);
    assert_int_equal(role, admins);
    assert_true(all);

    struct admin_role_input in = {
        .name = "Store readers", .resources = {"Magento_Backend::store"}, .nresources = 1};
    int64_t readers = 0;
    assert_int_equal(admin_role_create(f->db, &in, &readers), ERR_OK);
    in.name = "STORE READERS";
    assert_int_equal(admin_role_create(f->db, &in, NULL), ERR_EXISTS);
    assert_int_equal(admin_role_allows(f->db, readers, STR_LIT("Magento_Backend::store"), &allowed),
                     ERR_OK);
    assert_true(allowed);
    assert_int_equal(
        admin_role_allows(f->db, readers, STR_LIT("Magento_Catalog::products"), &allowed), ERR_OK);
    assert_false(allowed);
    /* the tree's root belongs to every role */
    assert_int_equal(admin_role_allows(f->db, readers, STR_LIT("Magento_Backend::admin"), &allowed),
                     ERR_OK);
    assert_true(allowed);
    assert_int_equal(admin_user_update(f->db, f->admin_id, readers, true), ERR_OK);
    assert_int_equal(admin_role_of_user(f->db, f->admin_id, &role, &all), ERR_OK);
    assert_int_equal(role, readers);
    assert_false(all);
    assert_int_equal(admin_role_delete(f->db, readers), ERR_INVALID); /* in use */
    assert_int_equal(admin_user_update(f->db, f->admin_id, 999, true), ERR_NOT_FOUND);
    assert_int_equal(admin_user_update(f->db, f->admin_id, admins, true), ERR_OK);
    assert_int_equal(admin_role_delete(f->db, readers), ERR_OK);
    assert_int_equal(admin_role_delete(f->db, readers), ERR_NOT_FOUND);
}

static void test_sessions(void **state)
{
    struct fixture *f = *state;
    char token[CRYPTO_TOKEN_LEN + 1];
    int64_t id = 0, now = 1000000;
    assert_int_equal(admin_session_create(f->db, f->admin_id, now, token), ERR_OK);
    assert_int_equal(strlen(token), CRYPTO_TOKEN_LEN);
    assert_int_equal(admin_session_resolve(f->db, str_c(token), now + 100, 900, &id), ERR_OK);
    assert_int_equal(id, f->admin_id);
    /* the idle clock moved to now + 100: 899 seconds later it still lives */
    assert_int_equal(admin_session_resolve(f->db, str_c(token), now + 999, 900, &id), ERR_OK);
    /* idle for the whole lifetime: gone for good */
    assert_int_equal(admin_session_resolve(f->db, str_c(token), now + 999 + 900, 900, &id),
                     ERR_NOT_FOUND);
    assert_int_equal(admin_session_resolve(f->db, str_c(token), now + 1000, 900, &id),
                     ERR_NOT_FOUND);
    /* the clear token is not stored */
    assert_int_equal(admin_session_create(f->db, f->admin_id, now, token), ERR_OK);
    struct db_stmt *st;
    bool row = true;
    assert_int_equal(db_prepare(f->db, "SELECT 1 FROM admin_session WHERE token_hash = $1", &st),
                     ERR_OK);
    db_bind_text(st, 1, str_c(token));
    assert_int_equal(db_next(st, &row), ERR_OK);
    assert_false(row);
    /* sign-out; a wrong-length or unknown token resolves to nothing */
    assert_int_equal(admin_session_end(f->db, str_c(token)), ERR_OK);
    assert_int_equal(admin_session_resolve(f->db, str_c(token), now, 900, &id), ERR_NOT_FOUND);
    assert_int_equal(admin_session_resolve(f->db, STR_LIT("short"), now, 900, &id), ERR_NOT_FOUND);
    /* a disabled admin's sessions stop at once */
    assert_int_equal(admin_session_create(f->db, f->admin_id, now, token), ERR_OK);
    assert_int_equal(admin_user_update(f->db, f->admin_id, 1, false), ERR_OK);
    assert_int_equal(admin_session_resolve(f->db, str_c(token), now, 900, &id), ERR_NOT_FOUND);
    int64_t deleted = 0;
    assert_int_equal(admin_session_create(f->db, f->admin_id, now, token), ERR_OK);
    assert_int_equal(admin_session_cleanup(f->db, now, &deleted), ERR_OK);
    assert_int_equal(deleted, 1);
}

int main(void)
{
    log_setup(LOG_ERROR, NULL);
    if (crypto_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_parsing),
        cmocka_unit_test(test_form_key),
        cmocka_unit_test(test_role_validation),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
