-- Magento_Sales: orders with their items, addresses, payment and status history; invoices and
-- shipments (with tracking numbers) and their items and comments. Amounts are in the store's one
-- currency (base = order currency, rates 1). Increment ids come from sales_sequence, one counter
-- per document type, as Magento's sequence_* tables do.

CREATE TABLE sales_sequence (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO sales_sequence (name, value) VALUES ('order', 0), ('invoice', 0), ('shipment', 0);

CREATE TABLE sales_order (
    entity_id @AUTO_ID@,
    increment_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    hold_before_state TEXT,
    hold_before_status TEXT,
    store_id INTEGER NOT NULL,
    store_name TEXT,
    customer_id BIGINT,
    customer_email TEXT NOT NULL,
    customer_firstname TEXT,
    customer_lastname TEXT,
    customer_group_id INTEGER NOT NULL DEFAULT 0,
    customer_is_guest INTEGER NOT NULL DEFAULT 0,
    currency_code TEXT NOT NULL DEFAULT 'USD',
    subtotal DOUBLE PRECISION NOT NULL DEFAULT 0,
    shipping_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    tax_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    discount_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    grand_total DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_paid DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_invoiced DOUBLE PRECISION NOT NULL DEFAULT 0,
    subtotal_invoiced DOUBLE PRECISION NOT NULL DEFAULT 0,
    shipping_invoiced DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_canceled DOUBLE PRECISION NOT NULL DEFAULT 0,
    subtotal_canceled DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_qty_ordered DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_item_count INTEGER NOT NULL DEFAULT 0,
    weight DOUBLE PRECISION NOT NULL DEFAULT 0,
    shipping_method TEXT,
    shipping_description TEXT,
    is_virtual INTEGER NOT NULL DEFAULT 0,
    protect_code TEXT NOT NULL,
    remote_ip TEXT,
    email_sent INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sales_order_customer ON sales_order (customer_id);
CREATE INDEX sales_order_created ON sales_order (created_at);
CREATE INDEX sales_order_status ON sales_order (status);

CREATE TABLE sales_order_item (
    item_id @AUTO_ID@,
    order_id BIGINT NOT NULL REFERENCES sales_order (entity_id) ON DELETE CASCADE,
    store_id INTEGER NOT NULL,
    product_id BIGINT,
    product_type TEXT NOT NULL DEFAULT 'simple',
    sku TEXT NOT NULL,
    name TEXT,
    qty_ordered DOUBLE PRECISION NOT NULL,
    qty_invoiced DOUBLE PRECISION NOT NULL DEFAULT 0,
    qty_shipped DOUBLE PRECISION NOT NULL DEFAULT 0,
    qty_refunded DOUBLE PRECISION NOT NULL DEFAULT 0,
    qty_canceled DOUBLE PRECISION NOT NULL DEFAULT 0,
    price DOUBLE PRECISION NOT NULL,
    original_price DOUBLE PRECISION NOT NULL,
    row_total DOUBLE PRECISION NOT NULL,
    row_invoiced DOUBLE PRECISION NOT NULL DEFAULT 0,
    weight DOUBLE PRECISION,
    row_weight DOUBLE PRECISION,
    is_virtual INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sales_order_item_order ON sales_order_item (order_id);

CREATE TABLE sales_order_address (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_order (entity_id) ON DELETE CASCADE,
    address_type TEXT NOT NULL,
    customer_id BIGINT,
    customer_address_id BIGINT,
    email TEXT,
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    company TEXT,
    street TEXT NOT NULL,
    city TEXT NOT NULL,
    region TEXT,
    region_id INTEGER,
    region_code TEXT,
    postcode TEXT,
    country_id TEXT NOT NULL,
    telephone TEXT
);
CREATE INDEX sales_order_address_parent ON sales_order_address (parent_id);

CREATE TABLE sales_order_payment (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_order (entity_id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    amount_ordered DOUBLE PRECISION NOT NULL DEFAULT 0,
    amount_paid DOUBLE PRECISION NOT NULL DEFAULT 0,
    shipping_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    shipping_captured DOUBLE PRECISION NOT NULL DEFAULT 0,
    title TEXT
);
CREATE INDEX sales_order_payment_parent ON sales_order_payment (parent_id);

CREATE TABLE sales_order_status_history (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_order (entity_id) ON DELETE CASCADE,
    comment TEXT,
    status TEXT,
    is_customer_notified INTEGER,
    is_visible_on_front INTEGER NOT NULL DEFAULT 0,
    entity_name TEXT NOT NULL DEFAULT 'order',
    created_at BIGINT NOT NULL
);
CREATE INDEX sales_order_status_history_parent ON sales_order_status_history (parent_id);

CREATE TABLE sales_invoice (
    entity_id @AUTO_ID@,
    order_id BIGINT NOT NULL REFERENCES sales_order (entity_id) ON DELETE CASCADE,
    increment_id TEXT NOT NULL UNIQUE,
    state INTEGER NOT NULL,
    store_id INTEGER NOT NULL,
    subtotal DOUBLE PRECISION NOT NULL DEFAULT 0,
    shipping_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    tax_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    discount_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    grand_total DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_qty DOUBLE PRECISION NOT NULL DEFAULT 0,
    billing_address_id BIGINT,
    shipping_address_id BIGINT,
    email_sent INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sales_invoice_order ON sales_invoice (order_id);

CREATE TABLE sales_invoice_item (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_invoice (entity_id) ON DELETE CASCADE,
    order_item_id BIGINT NOT NULL,
    product_id BIGINT,
    sku TEXT NOT NULL,
    name TEXT,
    qty DOUBLE PRECISION NOT NULL,
    price DOUBLE PRECISION NOT NULL,
    row_total DOUBLE PRECISION NOT NULL
);
CREATE INDEX sales_invoice_item_parent ON sales_invoice_item (parent_id);

CREATE TABLE sales_invoice_comment (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_invoice (entity_id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    is_customer_notified INTEGER,
    is_visible_on_front INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX sales_invoice_comment_parent ON sales_invoice_comment (parent_id);

CREATE TABLE sales_shipment (
    entity_id @AUTO_ID@,
    order_id BIGINT NOT NULL REFERENCES sales_order (entity_id) ON DELETE CASCADE,
    increment_id TEXT NOT NULL UNIQUE,
    store_id INTEGER NOT NULL,
    customer_id BIGINT,
    total_qty DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_weight DOUBLE PRECISION,
    billing_address_id BIGINT,
    shipping_address_id BIGINT,
    email_sent INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sales_shipment_order ON sales_shipment (order_id);

CREATE TABLE sales_shipment_item (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_shipment (entity_id) ON DELETE CASCADE,
    order_item_id BIGINT NOT NULL,
    product_id BIGINT,
    sku TEXT NOT NULL,
    name TEXT,
    qty DOUBLE PRECISION NOT NULL,
    price DOUBLE PRECISION NOT NULL,
    weight DOUBLE PRECISION
);
CREATE INDEX sales_shipment_item_parent ON sales_shipment_item (parent_id);

CREATE TABLE sales_shipment_track (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_shipment (entity_id) ON DELETE CASCADE,
    order_id BIGINT NOT NULL,
    track_number TEXT NOT NULL,
    title TEXT NOT NULL,
    carrier_code TEXT NOT NULL,
    description TEXT,
    qty DOUBLE PRECISION,
    weight DOUBLE PRECISION,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sales_shipment_track_parent ON sales_shipment_track (parent_id);

CREATE TABLE sales_shipment_comment (
    entity_id @AUTO_ID@,
    parent_id BIGINT NOT NULL REFERENCES sales_shipment (entity_id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    is_customer_notified INTEGER,
    is_visible_on_front INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX sales_shipment_comment_parent ON sales_shipment_comment (parent_id);
