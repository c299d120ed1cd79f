-- The orders, as the SQLite file keeps them, and what several instances of the shop share to
-- keep the rules one process keeps in memory.

CREATE TABLE orders (
    order_id TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    device TEXT NOT NULL,
    payment_type TEXT NOT NULL,
    gross_amount TEXT NOT NULL,
    -- The order's lines, [{"id", "qty"}], as JSON text.
    items TEXT NOT NULL,
    -- The charge response exactly as Midtrans sent it.
    charge TEXT,
    transaction_id TEXT,
    transaction_status TEXT NOT NULL,
    -- How far along transaction_status is (status::rank, computed by the shop): a status
    -- replaces the stored one only when it ranks higher, decided by one conditional UPDATE.
    status_rank SMALLINT NOT NULL,
    status_code TEXT,
    transaction_time TEXT,
    expiry_time TEXT,
    settlement_time TEXT
);

-- What the reconcile looks for: open orders whose charge response was never stored.
CREATE INDEX orders_without_charge ON orders (created_at)
    WHERE charge IS NULL AND transaction_status IN ('created', 'pending');

-- The tables below only coordinate instances; nothing in them must outlive a crash of the
-- database (an empty table costs at most a few extra Midtrans status calls), so they skip
-- the write-ahead log.

-- Midtrans status calls per order and purpose (refreshing a poll, confirming a notification):
-- the last call's start, and until when it is in flight. The time is the database's, so every
-- instance measures the interval on the same clock.
CREATE UNLOGGED TABLE status_calls (
    purpose TEXT NOT NULL,
    order_id TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    -- In flight until then: the holder ends it when the answer is in, and a holder that died
    -- leaves an expiry behind it instead of a slot held for ever.
    held_until TIMESTAMPTZ NOT NULL,
    holder BIGINT NOT NULL,
    PRIMARY KEY (purpose, order_id)
);

-- Work that runs on one instance at a time (the reconcile): who holds it, and until when.
CREATE UNLOGGED TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- The per-client order limit (GCRA): when the client's next order would arrive on schedule.
CREATE UNLOGGED TABLE order_allowances (
    client TEXT PRIMARY KEY,
    allowed_at TIMESTAMPTZ NOT NULL
);
