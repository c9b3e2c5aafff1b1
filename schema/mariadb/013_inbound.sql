-- 013_inbound.sql — mirrors schema/sqlite/013_inbound.sql: inbound messages
-- and callbacks applied once (the unique key is claimed in the transaction
-- that applies one; a second instance receiving the same one at the same
-- moment waits for it and then sees a duplicate), and the indexes of
-- inbound lookups.
CREATE TABLE IF NOT EXISTS inbound_seen (
    id          BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    source      VARCHAR(15) NOT NULL,
    digest      CHAR(64)    NOT NULL,
    customer_id BIGINT      NULL,
    result      LONGTEXT    NOT NULL DEFAULT 'null',
    received_at BIGINT      NOT NULL,
    UNIQUE KEY inbound_seen_key (source, digest),
    CONSTRAINT result CHECK (JSON_VALID(result)),
    CONSTRAINT inbound_seen_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX IF NOT EXISTS customers_phone ON customers (phone);
CREATE INDEX IF NOT EXISTS customers_chat ON customers (chat);
CREATE INDEX IF NOT EXISTS contacts_provider ON contacts (provider_id);
