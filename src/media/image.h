/* Product images on disk: what an uploaded image's bytes must be, how its file is named and
 * stored, and how a media URL maps back to a file. Magento keeps product images under
 * pub/media/catalog/product/<c1>/<c2>/<name>; storegate keeps them under
 * <var>/media/catalog/product/ the same way, and serves them at /media/catalog/product/...
 *
 * The checks follow Magento's ImageContentValidator (reference: Magento\Framework\Api\
 * ImageContentValidator, Magento\Catalog\Model\Product\Gallery\Processor, Magento\MediaStorage\
 * Model\File\Uploader): strict base64, bytes that really are an image of the declared type
 * (getimagesizefromstring), a file name without forbidden characters, one of the extensions jpg,
 * jpeg, gif, png. Nothing here touches the database; none of it keeps state. */
#ifndef SG_MEDIA_IMAGE_H
#define SG_MEDIA_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/str.h"

/* The largest image accepted, decoded (a base64 body of it stays under the default 8 MiB body
 * cap). Magento's REST API has no limit of its own beyond PHP's memory and post size. */
#define IMAGE_MAX_BYTES (4u * 1024u * 1024u)
/* Magento's longest file name (Uploader::getCorrectFileName). */
#define IMAGE_NAME_MAX 90

enum image_kind { IMAGE_NONE, IMAGE_JPEG, IMAGE_PNG, IMAGE_GIF, IMAGE_OTHER };

/* Why an upload is refused, with Magento's phrase (image_problem_message). */
enum image_problem {
    IMAGE_OK,
    IMAGE_BAD_BASE64, /* not base64, empty, or not a recognisable image */
    IMAGE_BAD_TYPE,   /* an image, but not of the declared type or not jpeg/png/gif */
    IMAGE_BAD_NAME,   /* missing name or forbidden characters */
    IMAGE_TOO_BIG,    /* over IMAGE_MAX_BYTES */
    IMAGE_NAME_LONG,  /* the corrected file name is over IMAGE_NAME_MAX */
    IMAGE_BAD_EXT,    /* an extension other than jpg, jpeg, gif, png */
};
const char *image_problem_message(enum image_problem p);

/* Decodes base64 as PHP's base64_decode($s, true): the standard alphabet; spaces, tabs and line
 * breaks skipped; padding optional but nothing after it; a lone trailing character refused.
 * Writes at most cap bytes to out (cap >= in.len * 3 / 4 + 3 always suffices); false when the
 * input is not base64 or decodes to more than cap. */
bool image_base64_decode(struct str in, unsigned char *out, size_t cap, size_t *out_len);

/* What the bytes are, as getimagesizefromstring would tell: a JPEG, PNG or GIF whose header
 * carries non-zero dimensions (width and height, when not NULL, get them), IMAGE_OTHER for a
 * recognisable image of another format (BMP, WebP, TIFF), IMAGE_NONE otherwise. */
enum image_kind image_sniff(const unsigned char *p, size_t len, uint32_t *width, uint32_t *height);
/* "image/jpeg", "image/png", "image/gif"; NULL for the others. */
const char *image_kind_mime(enum image_kind k);

/* A decoded, checked upload. */
struct image_upload {
    unsigned char *data;
    size_t len;
    enum image_kind kind;
    const char *file_name; /* corrected: [A-Za-z0-9_.-] only, with an allowed extension */
};

/* Checks an upload {base64_encoded_data, type, name} (any of them may be NULL: missing) in
 * Magento's order and fills up (data in the arena). */
enum image_problem image_upload_check(struct arena *a, const char *base64, size_t base64_len,
                                      const char *type, const char *name, struct image_upload *up);

/* Stores the bytes under root (the catalog/product media folder, created when missing) as
 * /<c1>/<c2>/<name>, the first two characters of the name ('.' as '_'); a taken name becomes
 * name_1.ext, name_2.ext... as Magento's Uploader. The file and the folders it lives in are
 * fsync'd before this returns. *rel gets "/c/c/name.ext" (arena) and *abs the full path.
 * ERR_IO on failure (nothing left behind). */
enum err image_store(struct arena *a, const char *root, const struct image_upload *up,
                     const char **rel, const char **abs);

/* Is rel ("/c/c/name.ext", as stored in an entry's file) a path this module could have written:
 * '/'-separated segments of [A-Za-z0-9_.-], none empty, "." or "..", at most 8 deep? The file
 * server refuses any other path. */
bool image_path_safe(struct str rel);

/* Opens root + rel for reading without following any symbolic link below root, only if it is a
 * regular file; -1 otherwise (errno set). rel must pass image_path_safe(). */
int image_open(const char *root, struct str rel);

#endif
