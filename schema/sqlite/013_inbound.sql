-- 013_inbound.sql — inbound messages and callbacks are applied once: each
-- one's key (source, and a SHA-256 digest of what identifies it: a reply's
-- channel, sender and provider id; a call callback's contact, status and
-- keys) is unique here, claimed in the same transaction that applies it,
-- with the result it had (answered again to a duplicate). The indexes are
-- the lookups of inbound traffic: the sender's phone or chat handle, and
-- the call a provider id names.
CREATE TABLE inbound_seen (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    digest      TEXT    NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    result      TEXT    NOT NULL DEFAULT 'null' CHECK (json_valid(result)),
    received_at INTEGER NOT NULL,
    UNIQUE (source, digest)
);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_chat ON customers (chat);
CREATE INDEX contacts_provider ON contacts (provider_id);
