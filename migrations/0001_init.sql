-- shopsync tracking store, version 1.
-- Released migrations are never edited: change the schema with a new numbered file.
-- Timestamps are RFC 3339 UTC text of fixed width (microseconds, `Z`), so text order is time order.
-- Money is decimal text, never REAL.

-- One row per sync run (real, dry run or reconciliation).
CREATE TABLE sync_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    mode            TEXT    NOT NULL CHECK (mode IN ('real', 'test', 'missing')),
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    outcome         TEXT    CHECK (outcome IN ('success', 'partial', 'failed', 'interrupted', 'abandoned')),
    orders_fetched  INTEGER NOT NULL DEFAULT 0,
    orders_new      INTEGER NOT NULL DEFAULT 0,
    orders_updated  INTEGER NOT NULL DEFAULT 0,
    orders_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_appended   INTEGER NOT NULL DEFAULT 0,
    rows_updated    INTEGER NOT NULL DEFAULT 0,
    orders_failed   INTEGER NOT NULL DEFAULT 0,
    cursor_before   TEXT,
    cursor_after    TEXT,
    message         TEXT
);
CREATE INDEX sync_history_mode_started ON sync_history (mode, started_at);

-- One row per order written to the sheet.
CREATE TABLE order_tracking (
    order_gid          TEXT    PRIMARY KEY,
    legacy_id          TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    number             INTEGER NOT NULL,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    cancelled_at       TEXT,
    -- NULL after `reset`: the next sync rewrites the order's rows in place.
    content_hash       TEXT,
    total_amount       TEXT    NOT NULL,
    currency           TEXT    NOT NULL,
    line_item_count    INTEGER NOT NULL,
    financial_status   TEXT,
    fulfillment_status TEXT    NOT NULL,
    test               INTEGER NOT NULL DEFAULT 0 CHECK (test IN (0, 1)),
    status             TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    first_synced_at    TEXT    NOT NULL,
    last_synced_at     TEXT    NOT NULL,
    last_run_id        INTEGER REFERENCES sync_history (id)
);
CREATE INDEX order_tracking_number ON order_tracking (number);
CREATE INDEX order_tracking_created ON order_tracking (created_at);
CREATE UNIQUE INDEX order_tracking_legacy ON order_tracking (legacy_id);

-- One row per line item (one sheet row each); keyed like the sheet: order, line item id.
CREATE TABLE line_item_tracking (
    order_gid        TEXT    NOT NULL REFERENCES order_tracking (order_gid) ON DELETE CASCADE,
    line_item_id     TEXT    NOT NULL,
    line_item_gid    TEXT    NOT NULL,
    -- NULL after `reset` or when the row was not confirmed written.
    row_hash         TEXT,
    -- Last known sheet row: a hint only, rows are always located by key.
    sheet_row        INTEGER,
    title            TEXT    NOT NULL,
    variant_title    TEXT,
    sku              TEXT,
    quantity         INTEGER NOT NULL,
    current_quantity INTEGER NOT NULL,
    unit_price       TEXT    NOT NULL,
    line_total       TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    PRIMARY KEY (order_gid, line_item_id)
) WITHOUT ROWID;

-- Failures, one open row per order (attempts counts the retries), resolved when the order syncs.
CREATE TABLE sync_errors (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    first_seen_at TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL,
    run_id        INTEGER REFERENCES sync_history (id),
    order_gid     TEXT,
    order_name    TEXT,
    stage         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    message       TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 1,
    resolved_at   TEXT
);
CREATE UNIQUE INDEX sync_errors_open_per_order ON sync_errors (order_gid)
    WHERE resolved_at IS NULL AND order_gid IS NOT NULL;
CREATE INDEX sync_errors_resolved ON sync_errors (resolved_at);

-- Orders to fetch again by ID on the next sync (failed ones, and those `reset` forgot).
CREATE TABLE refetch_queue (
    order_gid TEXT PRIMARY KEY,
    reason    TEXT NOT NULL CHECK (reason IN ('failed', 'reset')),
    queued_at TEXT NOT NULL
) WITHOUT ROWID;

-- Order-number gaps that Shopify explained, so `missing` does not look them up again.
CREATE TABLE order_number_gaps (
    number      INTEGER PRIMARY KEY,
    class       TEXT    NOT NULL CHECK (class IN ('deleted', 'absent', 'outside_window')),
    explained_at TEXT   NOT NULL
);

-- The single row of sync state: the cursor, the binding and what the shop told us.
CREATE TABLE sync_state (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    cursor              TEXT,
    shop_domain         TEXT,
    spreadsheet_id      TEXT,
    sheet_id            INTEGER,
    sheet_title         TEXT,
    bound_at            TEXT,
    shop_name           TEXT,
    shop_timezone       TEXT,
    shop_currency       TEXT,
    order_number_prefix TEXT,
    order_number_suffix TEXT
);
INSERT INTO sync_state (id) VALUES (1);
