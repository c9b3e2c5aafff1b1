-- The customer's settings the compliance guard reads (docs/compliance.md):
-- channels whose opt-out confirmation went out, contact points that are not
-- the debtor's, consents (bits as opt_out: sms 1, email 2, voice 4, chat 8),
-- and consumer-set inconvenient times as ';'-joined text forms
-- ("mon-fri 15:00-17:00;sat,sun 00:00-24:00", model.h).
ALTER TABLE customers ADD COLUMN opt_out_confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN third_party INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN blackout TEXT NOT NULL DEFAULT '';
-- The debt a contact was about ("" = the whole balance): the guard counts
-- call attempts per debt from it (Regulation F counts per debt).
ALTER TABLE contacts ADD COLUMN debt_ref TEXT NOT NULL DEFAULT '';
-- When the contact was handed to its channel ("a message counts at the
-- moment it is sent"); NULL while planned. The guard counts it then.
ALTER TABLE contacts ADD COLUMN sent_at INTEGER;
