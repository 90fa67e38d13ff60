/* Unit tests for src/media/image.c: PHP-compatible strict base64, the image sniffer, the upload
 * checks in Magento's order with Magento's name rules, storing with name de-duplication, and the
 * media path checks that keep the file server inside its folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/image.h"

#include "testutil.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* a 1x1 PNG, a 1x1 GIF and a header-only 1x1 JPEG */
static const char png_b64[] = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAA"
                              "MBAQDJ/pLvAAAAAElFTkSuQmCC";
static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
                                   "!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01"
                                   "\x00\x00\x02\x02\x44\x01\x00;";
static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',  'I',
                                    'F',  0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
                                    0x00, 0x00, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x02,
                                    0x00, 0x03, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9};

static void test_base64_strict(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool ok;
        const char *out;
    } cases[] = {
        {"Zm9vYmFy", true, "foobar"},
        {"Zm9vYg==", true, "foob"},
        {"Zm9vYg", true, "foob"}, /* padding may be left out (PHP) */
        {"Zm9v\r\nYmE=", true, "fooba"},
        {" Zm 9v ", true, "foo"},
        {"Zm9vY", false, NULL},   /* a lone trailing character */
        {"Zm9vYg=", false, NULL}, /* wrong padding */
        {"Zm9vYg===", false, NULL},
        {"Zm9=vYg", false, NULL},  /* data after padding */
        {"Zm9v!mFy", false, NULL}, /* outside the alphabet */
        {"Zm9v-_", false, NULL},   /* the URL alphabet is not accepted */
        {"", true, ""},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        unsigned char out[32];
        size_t n = 99;
        bool ok = image_base64_decode(str_c(cases[i].in), out, sizeof(out), &n);
        if (ok != cases[i].ok)
            fail_msg("\"%s\": %d", cases[i].in, ok);
        if (ok)
            assert_slice(str_n((const char *)out, n), cases[i].out);
    }
    unsigned char small[2];
    size_t n;
    assert_false(image_base64_decode(STR_LIT("Zm9v"), small, sizeof(small), &n));
}

static void test_sniff(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    unsigned char png[128];
    size_t n;
    assert_true(image_base64_decode(str_c(png_b64), png, sizeof(png), &n));
    uint32_t w = 0, h = 0;
    assert_int_equal(image_sniff(png, n, &w, &h), IMAGE_PNG);
    assert_int_equal(w, 1);
    assert_int_equal(h, 1);
    assert_int_equal(image_sniff(gif, sizeof(gif) - 1, &w, &h), IMAGE_GIF);
    assert_int_equal(image_sniff(jpg, sizeof(jpg), &w, &h), IMAGE_JPEG);
    assert_int_equal(w, 3);
    assert_int_equal(h, 2);
    /* truncated headers, zero sizes, other formats, text */
    assert_int_equal(image_sniff(png, 20, NULL, NULL), IMAGE_NONE);
    assert_int_equal(image_sniff(jpg, 20, NULL, NULL), IMAGE_NONE);
    assert_int_equal(image_sniff(gif, 8, NULL, NULL), IMAGE_NONE);
    assert_int_equal(image_sniff((const unsigned char *)"GIF89a\0\0\0\0", 10, NULL, NULL),
                     IMAGE_NONE);
    assert_int_equal(image_sniff((const unsigned char *)"RIFF\0\0\0\0WEBPVP8 ", 16, NULL, NULL),
                     IMAGE_OTHER);
    assert_int_equal(image_sniff((const unsigned char *)"hello world", 11, NULL, NULL), IMAGE_NONE);
    arena_free(a);
}

static void test_upload_checks(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    struct image_upload up;
    size_t len = strlen(png_b64);
    assert_int_equal(image_upload_check(a, png_b64, len, "image/png", "Front View.png", &up),
                     IMAGE_OK);
    assert_string_equal(up.file_name, "Front_View.png");
    assert_int_equal(up.kind, IMAGE_PNG);
    /* the extension from the type when the name has none */
    assert_int_equal(image_upload_check(a, png_b64, len, "image/png", "front", &up), IMAGE_OK);
    assert_string_equal(up.file_name, "front.png");
    assert_int_equal(image_upload_check(a, png_b64, len, "image/png", "___.png", &up), IMAGE_OK);
    assert_string_equal(up.file_name, "file.png");
    /* Magento's order: base64, then the type, then the name */
    assert_int_equal(image_upload_check(a, "!!", 2, "image/png", "a.png", &up), IMAGE_BAD_BASE64);
    assert_int_equal(image_upload_check(a, NULL, 0, "image/png", "a.png", &up), IMAGE_BAD_BASE64);
    assert_int_equal(image_upload_check(a, "aGVsbG8=", 8, "image/png", "a.png", &up),
                     IMAGE_BAD_BASE64); /* "hello" is no image */
    assert_int_equal(image_upload_check(a, png_b64, len, "image/jpeg", "a.png", &up),
                     IMAGE_BAD_TYPE);
    assert_int_equal(image_upload_check(a, png_b64, len, NULL, "a.png", &up), IMAGE_BAD_TYPE);
    assert_int_equal(image_upload_check(a, png_b64, len, "image/png", NULL, &up), IMAGE_BAD_NAME);
    assert_int_equal(image_upload_check(a, png_b64, len, "image/png", "", &up), IMAGE_BAD_NAME);
    static const char *const bad_names[] = {"../x.png", "a/b.png", "a\\b.png", "a:b.png",
                                            "a*.png",   "a?.png",  "a\".png",  "a;b.png",
                                            "<a>.png",  "(a).png", "a|b.png",  "{a}.png"};
    for (size_t i = 0; i < N_ELEMS(bad_names); i++)
        assert_int_equal(image_upload_check(a, png_b64, len, "image/png", bad_names[i], &up),
                         IMAGE_BAD_NAME);
    assert_int_equal(image_upload_check(a, png_b64, len, "image/png", "a.bmp", &up), IMAGE_BAD_EXT);
    char long_name[100];
    memset(long_name, 'x', 95);
    memcpy(long_name + 95, ".png", 5);
    assert_int_equal(image_upload_check(a, png_b64, len, "image/png", long_name, &up),
                     IMAGE_NAME_LONG);
    arena_free(a);
}

static void test_store_dedupes(void **state)
{
    (void)state;
    struct arena *a = arena_new(0);
    char dir[64];
    tmpdir_make(dir);
    const char *root = arena_printf(a, "%s/media/catalog/product", dir);
    struct image_upload up;
    assert_int_equal(
        image_upload_check(a, png_b64, strlen(png_b64), "image/png", ".front.png", &up), IMAGE_OK);
    const char *rel, *abs;
    assert_int_equal(image_store(a, root, &up, &rel, &abs), ERR_OK);
    assert_string_equal(rel, "/_/f/.front.png");
    assert_int_equal(image_store(a, root, &up, &rel, &abs), ERR_OK);
    assert_string_equal(rel, "/_/f/.front_1.png");
    assert_int_equal(image_store(a, root, &up, &rel, &abs), ERR_OK);
    assert_string_equal(rel, "/_/f/.front_2.png");
    int fd = image_open(root, str_c(rel));
    assert_true(fd >= 0);
    unsigned char back[256];
    assert_int_equal(read(fd, back, sizeof(back)), (ssize_t)up.len);
    assert_memory_equal(back, up.data, up.len);
    close(fd);
    /* a symbolic link below the root is never followed */
    const char *link = arena_printf(a, "%s/_/f/evil.png", root);
    assert_int_equal(symlink("/etc/passwd", link), 0);
    assert_true(image_open(root, STR_LIT("/_/f/evil.png")) < 0);
    assert_int_equal(symlink("/etc", arena_printf(a, "%s/_/e", root)), 0);
    assert_true(image_open(root, STR_LIT("/_/e/passwd")) < 0);
    /* a folder is not a file */
    assert_true(image_open(root, STR_LIT("/_/f")) < 0);
    tmpdir_remove(dir);
    arena_free(a);
}

static void test_path_safe(void **state)
{
    (void)state;
    assert_true(image_path_safe(STR_LIT("/f/r/front.png")));
    assert_true(image_path_safe(STR_LIT("/_/f/.front.png")));
    static const char *const bad[] = {
        "",        "/",     "f/r/x.png",   "/f/../x.png", "/f/./x.png",
        "//x.png", "/f/r/", "/f/%2e%2e/x", "/f/r/a b",    "/a/b/c/d/e/f/g/h/i"};
    for (size_t i = 0; i < N_ELEMS(bad); i++)
        if (image_path_safe(str_c(bad[i])))
            fail_msg("\"%s\" accepted", bad[i]);
    assert_false(image_path_safe(str_n("/f/r/a\0b", 8)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_strict), cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_upload_checks), cmocka_unit_test(test_store_dedupes),
        cmocka_unit_test(test_path_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
