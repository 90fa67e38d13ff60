-- Product pages sorted by price (src/query/search.h, SC_WALK): on SQLite the price index also
-- holds the name (NOCASE) and the status, so a page whose filters match many products walks it in
-- price order, tests the filters inside the index and stops once the page is full, instead of
-- reading and sorting every match. It replaces the plain price index (price still leads).
-- PostgreSQL keeps its indexes: its planner weighs LIMIT against the filters' selectivity itself.
{{sqlite:
DROP INDEX catalog_product_price;
CREATE INDEX catalog_product_price_walk ON catalog_product (price, name COLLATE NOCASE, status);
}}
