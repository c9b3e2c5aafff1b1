-- 015_channel_feedback.sql — mirrors schema/sqlite/015_channel_feedback.sql.
-- posted_on: the day a letter was really posted, recorded by the print room
-- (POST /v1/letters/{id}/posted); legal periods count from it and a notice
-- letter is not posted until it is set (docs/compliance.md).
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS posted_on DATE NULL;
-- undeliverable: channels whose current address failed for good (bits as
-- opt_out: sms 1, email 2, voice 4, chat 8), e.g. an e-mail address an RFC
-- 3464 bounce reported with a 5.x.x status; cleared when that address
-- changes. chat_handle: the chat handle as inbound messages match it
-- (case-insensitive, no leading '@'; SQLite indexes the same expression).
ALTER TABLE customers
    ADD COLUMN IF NOT EXISTS undeliverable BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS chat_handle VARCHAR(255)
        AS (LOWER(TRIM(LEADING '@' FROM chat))) VIRTUAL;
CREATE INDEX IF NOT EXISTS customers_chat_handle ON customers (chat_handle);
DROP INDEX IF EXISTS customers_chat ON customers;
