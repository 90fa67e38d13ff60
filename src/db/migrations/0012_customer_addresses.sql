-- Magento_Customer for the Web API: the rest of CustomerInterface's fields on customer_entity and
-- the address book (customer_address_entity, street lines joined by newlines as Magento stores
-- them). default_billing / default_shipping hold address ids.

ALTER TABLE customer_entity ADD COLUMN middlename TEXT;
ALTER TABLE customer_entity ADD COLUMN prefix TEXT;
ALTER TABLE customer_entity ADD COLUMN suffix TEXT;
ALTER TABLE customer_entity ADD COLUMN dob TEXT;
ALTER TABLE customer_entity ADD COLUMN gender INTEGER;
ALTER TABLE customer_entity ADD COLUMN taxvat TEXT;
ALTER TABLE customer_entity ADD COLUMN confirmation TEXT;
ALTER TABLE customer_entity ADD COLUMN disable_auto_group_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer_entity ADD COLUMN default_billing BIGINT;
ALTER TABLE customer_entity ADD COLUMN default_shipping BIGINT;
CREATE INDEX customer_entity_created ON customer_entity (created_at);

CREATE TABLE customer_address_entity (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES customer_entity (entity_id) ON DELETE CASCADE,
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    middlename TEXT,
    prefix TEXT,
    suffix TEXT,
    company TEXT,
    street TEXT NOT NULL,
    city TEXT NOT NULL,
    country_id TEXT NOT NULL,
    region TEXT,
    region_id INTEGER NOT NULL DEFAULT 0,
    region_code TEXT,
    postcode TEXT,
    telephone TEXT NOT NULL,
    fax TEXT,
    vat_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX customer_address_parent ON customer_address_entity (parent_id);
