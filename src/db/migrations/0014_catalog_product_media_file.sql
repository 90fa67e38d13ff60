-- Product images (media/image.c, catalog/gallery.c): an image file is removed once no gallery
-- entry refers to it any more, which is looked up by file name.
CREATE INDEX catalog_product_media_file ON catalog_product_media (file);
