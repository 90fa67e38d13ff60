-- The catalog's change counter (src/catalog/cache.h): moved by every transaction that changes
-- what a product answer shows, read with the other cache versions.
INSERT INTO cache_version (name, version) VALUES ('catalog', 1);
