/* Product images on disk (see image.h). */
#include "media/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *image_problem_message(enum image_problem p)
{
    switch (p) {
    case IMAGE_OK:
        return "";
    case IMAGE_BAD_BASE64:
        return "The image content must be valid base64 encoded data.";
    case IMAGE_BAD_TYPE:
        return "The image MIME type is not valid or not supported.";
    case IMAGE_BAD_NAME:
        return "Provided image name contains forbidden characters.";
    case IMAGE_TOO_BIG:
        return "The image is larger than the limit of %1 bytes.";
    case IMAGE_NAME_LONG:
        return "Filename is too long; must be %1 characters or less";
    case IMAGE_BAD_EXT:
        return "The image type for the file is invalid. Enter the correct image type and try "
               "again.";
    }
    return "";
}

/* --- base64, as PHP's base64_decode($s, true) --- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        return -1; /* skipped */
    return -2;     /* refused */
}

bool image_base64_decode(struct str in, unsigned char *out, size_t cap, size_t *out_len)
{
    size_t n = 0, i = 0, padding = 0;
    uint32_t acc = 0;
    for (size_t k = 0; k < in.len; k++) {
        unsigned char c = (unsigned char)in.p[k];
        if (c == '=') {
            padding++;
            continue;
        }
        int v = b64_value(c);
        if (v == -1)
            continue;
        if (v == -2 || padding)
            return false; /* a foreign character, or data after the padding */
        acc = (acc << 6) | (uint32_t)v;
        if (++i % 4 == 0) {
            if (n + 3 > cap)
                return false;
            out[n++] = (unsigned char)(acc >> 16);
            out[n++] = (unsigned char)(acc >> 8);
            out[n++] = (unsigned char)acc;
            acc = 0;
        }
    }
    /* RFC 4648 section 3.2 (padding may be left out); one lone character is a truncated group */
    if (i % 4 == 1)
        return false;
    if (padding && (padding > 2 || (i + padding) % 4 != 0))
        return false;
    if (i % 4 == 2) {
        if (n + 1 > cap)
            return false;
        out[n++] = (unsigned char)(acc >> 4);
    } else if (i % 4 == 3) {
        if (n + 2 > cap)
            return false;
        out[n++] = (unsigned char)(acc >> 10);
        out[n++] = (unsigned char)(acc >> 2);
    }
    *out_len = n;
    return true;
}

/* --- what the bytes are --- */

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ITU T.81 B.1.1.3: walk the marker segments up to a start-of-frame, which holds the size. */
static bool jpeg_size(const unsigned char *p, size_t len, uint32_t *w, uint32_t *h)
{
    size_t i = 2; /* after SOI */
    while (i < len) {
        if (p[i] != 0xFF)
            return false;
        while (i < len && p[i] == 0xFF) /* fill bytes */
            i++;
        if (i >= len)
            return false;
        unsigned char m = p[i++];
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8))
            continue; /* no length */
        if (m == 0xD9 || m == 0xDA)
            return false; /* end of image or scan data before any frame header */
        if (i + 2 > len)
            return false;
        uint32_t seg = be16(p + i);
        if (seg < 2 || i + seg > len)
            return false;
        bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof) {
            if (seg < 7)
                return false;
            *h = be16(p + i + 3);
            *w = be16(p + i + 5);
            return true;
        }
        i += seg;
    }
    return false;
}

enum image_kind image_sniff(const unsigned char *p, size_t len, uint32_t *width, uint32_t *height)
{
    uint32_t w = 0, h = 0;
    enum image_kind k = IMAGE_NONE;
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) {
        if (jpeg_size(p, len, &w, &h))
            k = IMAGE_JPEG;
    } else if (len >= 8 && memcmp(p, png_sig, 8) == 0) {
        /* the first chunk must be IHDR (PNG spec 5.6) */
        if (len >= 24 && memcmp(p + 12, "IHDR", 4) == 0) {
            w = be32(p + 16);
            h = be32(p + 20);
            k = IMAGE_PNG;
        }
    } else if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0)) {
        if (len >= 10) {
            w = (uint32_t)p[6] | (uint32_t)p[7] << 8;
            h = (uint32_t)p[8] | (uint32_t)p[9] << 8;
            k = IMAGE_GIF;
        }
    } else if ((len >= 26 && p[0] == 'B' && p[1] == 'M') ||
               (len >= 16 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0) ||
               (len >= 8 && (memcmp(p, "II*\0", 4) == 0 || memcmp(p, "MM\0*", 4) == 0))) {
        return IMAGE_OTHER;
    }
    if (k == IMAGE_NONE || w == 0 || h == 0)
        return IMAGE_NONE;
    if (width)
        *width = w;
    if (height)
        *height = h;
    return k;
}

const char *image_kind_mime(enum image_kind k)
{
    switch (k) {
    case IMAGE_JPEG:
        return "image/jpeg";
    case IMAGE_PNG:
        return "image/png";
    case IMAGE_GIF:
        return "image/gif";
    default:
        return NULL;
    }
}

/* --- the upload --- */

static bool name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

static bool ext_allowed(const char *ext)
{
    static const char *const exts[] = {"jpg", "jpeg", "gif", "png"};
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (strcasecmp(ext, exts[i]) == 0)
            return true;
    return false;
}

enum image_problem image_upload_check(struct arena *a, const char *base64, size_t base64_len,
                                      const char *type, const char *name, struct image_upload *up)
{
    memset(up, 0, sizeof(*up));
    /* base64 first (ImageContentValidator::isValid); an answer too large to be an accepted image
     * is refused before anything is allocated for it */
    if (!base64 || !base64_len)
        return IMAGE_BAD_BASE64;
    size_t cap = base64_len / 4 * 3 + 3;
    if (cap > IMAGE_MAX_BYTES + 3)
        cap = IMAGE_MAX_BYTES + 3;
    up->data = arena_alloc(a, cap);
    if (!image_base64_decode(str_n(base64, base64_len), up->data, cap, &up->len)) {
        /* valid base64 that merely decodes too large is "too big", not "not base64" */
        size_t n = 0;
        bool valid = true, seen_pad = false;
        for (size_t i = 0; i < base64_len && valid; i++) {
            unsigned char c = (unsigned char)base64[i];
            if (c == '=') {
                seen_pad = true;
                continue;
            }
            int v = b64_value(c);
            valid = v != -2 && !(v >= 0 && seen_pad);
            n += v >= 0;
        }
        return valid && n / 4 * 3 > IMAGE_MAX_BYTES ? IMAGE_TOO_BIG : IMAGE_BAD_BASE64;
    }
    if (up->len == 0)
        return IMAGE_BAD_BASE64;
    if (up->len > IMAGE_MAX_BYTES)
        return IMAGE_TOO_BIG;
    up->kind = image_sniff(up->data, up->len, NULL, NULL);
    if (up->kind == IMAGE_NONE)
        return IMAGE_BAD_BASE64; /* getimagesizefromstring() failed: Magento says the same */
    const char *mime = image_kind_mime(up->kind);
    if (!mime || !type || strcmp(type, mime) != 0)
        return IMAGE_BAD_TYPE;
    /* Magento's pattern /^[^\/?*:";<>()|{}\\]+$/ (plus control characters, which a file name
     * never needs) */
    if (!name || !*name)
        return IMAGE_BAD_NAME;
    for (const char *c = name; *c; c++)
        if (strchr("/?*:\";<>()|{}\\", *c) || (unsigned char)*c < 0x20)
            return IMAGE_BAD_NAME;
    /* the extension from the type when the name has none (ImageProcessor::getFileName) */
    const char *dot = strrchr(name, '.');
    const char *full = name;
    if (!dot || !dot[1])
        full = arena_printf(a, "%s.%s", name, up->kind == IMAGE_JPEG ? "jpg" : mime + 6);
    /* Uploader::getCorrectFileName: each run of other characters becomes one '_' */
    size_t n = strlen(full);
    char *fixed = arena_alloc(a, n + 1), *w = fixed;
    for (size_t i = 0; i < n;) {
        if (name_char_ok(full[i])) {
            *w++ = full[i++];
            continue;
        }
        *w++ = '_';
        while (i < n && !name_char_ok(full[i]))
            i++;
    }
    *w = '\0';
    if (strlen(fixed) > IMAGE_NAME_MAX)
        return IMAGE_NAME_LONG;
    dot = strrchr(fixed, '.');
    if (!dot || !ext_allowed(dot + 1))
        return IMAGE_BAD_EXT;
    /* a name of underscores only becomes "file" */
    bool underscores = dot > fixed;
    for (const char *c = fixed; c < dot && underscores; c++)
        underscores = *c == '_';
    if (underscores)
        fixed = arena_printf(a, "file%s", dot);
    up->file_name = fixed;
    return IMAGE_OK;
}

/* --- storing --- */

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* mkdir -p; each folder made is recorded durably in its parent */
static int make_dirs(struct arena *a, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : -1;
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char *parent = arena_strndup(a, path, (size_t)(slash - path));
        if (make_dirs(a, parent) != 0)
            return -1;
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        return fsync_path(parent);
    }
    return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static bool write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

enum err image_store(struct arena *a, const char *root, const struct image_upload *up,
                     const char **rel, const char **abs)
{
    const char *name = up->file_name;
    char c1 = name[0] == '.' ? '_' : name[0];
    char c2 = name[1] == '.' ? '_' : name[1];
    const char *dir = arena_printf(a, "%s/%c/%c", root, c1, c2);
    if (make_dirs(a, dir) != 0)
        return ERR_IO;
    const char *dot = strrchr(name, '.');
    size_t stem = (size_t)(dot - name);
    for (int index = 0; index < 100000; index++) {
        const char *file = index ? arena_printf(a, "%.*s_%d%s", (int)stem, name, index, dot) : name;
        const char *path = arena_printf(a, "%s/%s", dir, file);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return ERR_IO;
        bool ok = write_all(fd, up->data, up->len) && fsync(fd) == 0;
        ok = close(fd) == 0 && ok;
        if (ok)
            ok = fsync_path(dir) == 0;
        if (!ok) {
            unlink(path);
            return ERR_IO;
        }
        *rel = arena_printf(a, "/%c/%c/%s", c1, c2, file);
        *abs = path;
        return ERR_OK;
    }
    return ERR_IO;
}

/* --- reading back --- */

bool image_path_safe(struct str rel)
{
    if (rel.len < 2 || rel.p[0] != '/')
        return false;
    int depth = 0;
    struct str rest = {rel.p + 1, rel.len - 1};
    while (rest.p) {
        struct str seg = str_cut(rest, '/', &rest);
        if (!seg.len || str_eq_c(seg, ".") || str_eq_c(seg, "..") || ++depth > 8)
            return false;
        for (size_t i = 0; i < seg.len; i++)
            if (!name_char_ok(seg.p[i]))
                return false;
    }
    return true;
}

int image_open(const char *root, struct str rel)
{
    if (!image_path_safe(rel)) {
        errno = EINVAL;
        return -1;
    }
    int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return -1;
    struct str rest = {rel.p + 1, rel.len - 1};
    char seg_c[256];
    while (rest.p) {
        struct str seg = str_cut(rest, '/', &rest);
        if (seg.len >= sizeof(seg_c)) {
            close(dir);
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(seg_c, seg.p, seg.len);
        seg_c[seg.len] = '\0';
        /* O_NOFOLLOW on every step: a symbolic link anywhere below root is never followed */
        int flags = rest.p ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
                           : O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
        int next = openat(dir, seg_c, flags);
        close(dir);
        if (next < 0)
            return -1;
        dir = next;
    }
    struct stat st;
    if (fstat(dir, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(dir);
        errno = ENOENT;
        return -1;
    }
    return dir;
}
