-- 016_contact_transliterate.sql — mirrors schema/sqlite/016_contact_transliterate.sql:
-- whether a planned SMS is folded to GSM-7, so the text rendered again at
-- send time is folded as planned.
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS transliterate TINYINT NOT NULL DEFAULT 0;
