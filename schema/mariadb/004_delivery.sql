-- 004_delivery.sql — mirrors schema/sqlite/004_delivery.sql.
-- Delivery bookkeeping of the channel drivers: how many times a contact was
-- handed to a provider (attempts), which configured instance took it, what
-- it cost (integer minor units + ISO 4217 currency), when it was accepted
-- (sent_at, from 003) and when its final outcome arrived (final_at:
-- delivered or failed, from a delivery report or a bounce). claimed_by
-- names the store connection (one per engine process) that moved the
-- contact to 'sending', so crash recovery never takes a live engine's own
-- sends for a dead one's.
ALTER TABLE contacts
    ADD COLUMN IF NOT EXISTS attempts      INT         NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS instance      VARCHAR(47) NULL,
    ADD COLUMN IF NOT EXISTS cost_currency CHAR(3)     NULL,
    ADD COLUMN IF NOT EXISTS final_at      BIGINT      NULL,
    ADD COLUMN IF NOT EXISTS claimed_by    VARCHAR(32) NULL;
CREATE INDEX IF NOT EXISTS contacts_channel_outbox ON contacts (channel, state, scheduled_at);
-- The order rule sets were loaded in (record_ruleset: "is this the version
-- loaded last?"). SQLite keeps it in the rowid, which INSERT OR REPLACE
-- renews; here REPLACE INTO gives the row a new load_order. Existing rows
-- are then numbered 1..n by loaded_at (ties by version), through negative
-- values so the unique key holds at every step; the counter is already n+1.
ALTER TABLE rulesets ADD COLUMN IF NOT EXISTS load_order BIGINT NOT NULL AUTO_INCREMENT UNIQUE;
UPDATE rulesets SET load_order = -load_order WHERE load_order > 0;
SET @dn_load_order := 0;
UPDATE rulesets SET load_order = (@dn_load_order := @dn_load_order + 1)
    ORDER BY loaded_at, version;
