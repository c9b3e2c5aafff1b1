-- 011_webhooks.sql — mirrors schema/sqlite/011_webhooks.sql: CRM webhooks.
-- Every event row becomes one delivery per enabled endpoint, in the same
-- transaction as the event itself (a trigger), so no event can be missed
-- whatever code path wrote it. Deliveries of one customer to one endpoint go
-- out strictly in event order: only the oldest undelivered one is ever in
-- flight. After max attempts a delivery becomes 'dead' (a dead letter; the
-- next one may go) until it is replayed through the API.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    name    VARCHAR(47)  NOT NULL PRIMARY KEY,
    url     VARCHAR(511) NOT NULL,
    enabled TINYINT      NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id              BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    endpoint        VARCHAR(47) NOT NULL,
    event_id        BIGINT      NOT NULL,
    customer_id     BIGINT      NULL,                        -- the event's, NULL if none
    state           VARCHAR(9)  NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
    attempts        INT         NOT NULL DEFAULT 0,
    next_attempt_at BIGINT      NOT NULL DEFAULT 0,          -- wall clock, milliseconds
    last_status     INT         NULL,                        -- HTTP status of the last try
    last_error      TEXT        NULL,
    delivered_at    BIGINT      NULL,
    updated_at      BIGINT      NOT NULL DEFAULT 0,
    UNIQUE KEY webhook_deliveries_event (endpoint, event_id),
    KEY webhook_deliveries_due (state, next_attempt_at),
    KEY webhook_deliveries_order (endpoint, customer_id, state, id),
    CONSTRAINT webhook_deliveries_endpoint_fk FOREIGN KEY (endpoint)
        REFERENCES webhook_endpoints (name),
    CONSTRAINT webhook_deliveries_event_fk FOREIGN KEY (event_id) REFERENCES events (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TRIGGER IF NOT EXISTS events_to_webhooks AFTER INSERT ON events FOR EACH ROW
    INSERT INTO webhook_deliveries (endpoint, event_id, customer_id, next_attempt_at, updated_at)
    SELECT name, NEW.id, NEW.customer_id, 0, NEW.at FROM webhook_endpoints WHERE enabled = 1;
