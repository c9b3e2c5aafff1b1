-- 011_webhooks.sql — CRM webhooks. Every event row becomes one delivery per
-- enabled endpoint, in the same transaction as the event itself (a
-- trigger), so no event can be missed whatever code path wrote it.
-- Deliveries of one customer to one endpoint go out strictly in event order:
-- only the oldest undelivered one is ever in flight. After max attempts a
-- delivery becomes 'dead' (a dead letter; the next one may go) until it is
-- replayed through the API.
CREATE TABLE webhook_endpoints (
    name    TEXT    PRIMARY KEY,
    url     TEXT    NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    endpoint        TEXT    NOT NULL REFERENCES webhook_endpoints (name),
    event_id        INTEGER NOT NULL REFERENCES events (id),
    customer_id     INTEGER,                                  -- the event's, NULL if none
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,              -- wall clock, milliseconds
    last_status     INTEGER,                                  -- HTTP status of the last try
    last_error      TEXT,
    delivered_at    INTEGER,
    updated_at      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (endpoint, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint, customer_id, state, id);

CREATE TRIGGER events_to_webhooks AFTER INSERT ON events
BEGIN
    INSERT INTO webhook_deliveries (endpoint, event_id, customer_id, next_attempt_at, updated_at)
    SELECT name, NEW.id, NEW.customer_id, 0, NEW.at FROM webhook_endpoints WHERE enabled = 1;
END;
