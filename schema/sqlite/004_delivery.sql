-- Delivery bookkeeping of the channel drivers: how many times a contact was
-- handed to a provider (attempts), which configured instance took it, what
-- it cost (integer minor units + ISO 4217 currency), when it was accepted
-- (sent_at) and when its final outcome arrived (final_at: delivered or
-- failed, from a delivery report or a bounce). claimed_by names the store
-- connection (one per engine process) that moved the contact to "sending",
-- so crash recovery never takes a live engine's own sends for a dead one's.
ALTER TABLE contacts ADD COLUMN attempts      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN instance      TEXT;
ALTER TABLE contacts ADD COLUMN cost_currency TEXT;
-- sent_at comes with 003 (the guard counts a contact from that moment)
ALTER TABLE contacts ADD COLUMN final_at      INTEGER;
ALTER TABLE contacts ADD COLUMN claimed_by    TEXT;
CREATE INDEX contacts_channel_outbox ON contacts (channel, state, scheduled_at);
