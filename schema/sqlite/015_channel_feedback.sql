-- 015_channel_feedback.sql — what the channels learn back about a contact
-- point, and the lookups inbound messages need.
-- posted_on: the day a letter was really posted ('YYYY-MM-DD'), recorded by
-- the print room (POST /v1/letters/{id}/posted); legal periods count from it
-- and a notice letter is not posted until it is set (docs/compliance.md).
ALTER TABLE contacts ADD COLUMN posted_on TEXT;
-- undeliverable: channels whose current address failed for good (bits as
-- opt_out: sms 1, email 2, voice 4, chat 8), e.g. an e-mail address an RFC
-- 3464 bounce reported with a 5.x.x status. The store clears a bit when
-- that address changes; the pass treats the address as missing meanwhile.
ALTER TABLE customers ADD COLUMN undeliverable INTEGER NOT NULL DEFAULT 0;
-- a chat message finds its sender by the numeric chat id or the Telegram
-- username, case-insensitively and without a leading '@': that expression
-- is indexed instead of the exact handle (013)
CREATE INDEX customers_chat_handle ON customers (lower(ltrim(chat, '@')));
DROP INDEX IF EXISTS customers_chat;
