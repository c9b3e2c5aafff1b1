-- 003_customer_guard.sql — mirrors schema/sqlite/003_customer_guard.sql.
-- The customer's settings the compliance guard reads (docs/compliance.md):
-- channels whose opt-out confirmation went out, contact points that are not
-- the debtor's, consents (bits as opt_out: sms 1, email 2, voice 4, chat 8),
-- and consumer-set inconvenient times as ';'-joined text forms
-- ("mon-fri 15:00-17:00;sat,sun 00:00-24:00", model.h; at most
-- DN_CUSTOMER_BLACKOUTS × DN_BLACKOUT_TEXT_MAX bytes with the NUL).
ALTER TABLE customers
    ADD COLUMN IF NOT EXISTS opt_out_confirmed BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS third_party       BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS consent           BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS blackout          VARCHAR(319) NOT NULL DEFAULT '';
-- The debt a contact was about ('' = the whole balance): the guard counts
-- call attempts per debt from it (Regulation F counts per debt). sent_at:
-- when the contact was handed to its channel ("a message counts at the
-- moment it is sent"); NULL while planned. The guard counts it then.
ALTER TABLE contacts
    ADD COLUMN IF NOT EXISTS debt_ref VARCHAR(63) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS sent_at  BIGINT      NULL;
