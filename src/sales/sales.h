/* Magento_Sales: orders, invoices and shipments (reference section 8.6). An order is placed as a
 * checkout would place it (stock taken in the same transaction, flat-rate shipping, totals);
 * the operations an ERP or shipping tool drives (comments, cancel, hold, unhold, invoice, ship
 * with tracking numbers) move its state as Magento's Order model does; every document renders
 * as Magento's OrderInterface / InvoiceInterface / ShipmentInterface JSON.
 *
 * Errors: ERR_NOT_FOUND (no such order/invoice/shipment or product), ERR_INVALID with a message
 * written into `why` (Magento's phrase, complete), database errors as returned. */
#ifndef SG_SALES_SALES_H
#define SG_SALES_SALES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define SALES_WHY 256
/* Magento's flat rate: this much per item (carriers/flatrate/price, type "I"). */
#define SALES_FLAT_RATE 5.0

struct sales_place {
    const char *sku;
    double qty;
    const char *email;
    const char *firstname, *lastname; /* a guest's names (a customer's come from the account) */
    int64_t store_id;                 /* 0: the default store view */
    const char *remote_ip;
};

/* Places an order for one product: a registered customer with that email (website of the
 * store) orders with their default addresses, anyone else as a guest. Stock is decremented
 * in the same transaction. */
enum err sales_order_place(struct db *db, const struct sales_place *in, int64_t *order_id,
                           char why[SALES_WHY]);

/* The JSON of one document. */
enum err sales_order_json(struct db *db, int64_t id, struct buf *out);
enum err sales_invoice_json(struct db *db, int64_t id, struct buf *out);
enum err sales_shipment_json(struct db *db, int64_t id, struct buf *out);
/* The order's status history, newest first (GET /V1/orders/:id/comments items). */
enum err sales_order_comments_json(struct db *db, int64_t id, struct buf *out);

/* Order operations. comment: the history entry's text; status NULL keeps the order's. */
enum err sales_order_comment(struct db *db, int64_t id, const char *comment, const char *status,
                             int notified, int visible);
/* *cancelled false when the order cannot be cancelled (Magento answers false, not an error). */
enum err sales_order_cancel(struct db *db, int64_t id, bool *cancelled);
enum err sales_order_hold(struct db *db, int64_t id, char why[SALES_WHY]);
enum err sales_order_unhold(struct db *db, int64_t id, char why[SALES_WHY]);

/* One requested line of an invoice or shipment: an order item and its quantity. */
struct sales_line {
    int64_t order_item_id;
    double qty;
};
struct sales_track {
    const char *track_number, *title, *carrier_code, *description;
};

/* Invoices (nlines 0: everything left to invoice), captured offline as Magento's InvoiceOrder
 * with capture=false does for an offline payment method. */
enum err sales_invoice_create(struct db *db, int64_t order_id, const struct sales_line *lines,
                              size_t nlines, const char *comment, int comment_visible,
                              int64_t *invoice_id, char why[SALES_WHY]);
/* Ships (nlines 0: everything left to ship) with tracking numbers. */
enum err sales_ship_create(struct db *db, int64_t order_id, const struct sales_line *lines,
                           size_t nlines, const struct sales_track *tracks, size_t ntracks,
                           const char *comment, int comment_visible, int64_t *shipment_id,
                           char why[SALES_WHY]);

#endif
