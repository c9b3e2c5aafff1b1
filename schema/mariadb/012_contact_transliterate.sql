-- 012_contact_transliterate.sql — mirrors schema/sqlite/012_contact_transliterate.sql
-- (012 there, after SQLite's own 010 and 011): whether a planned SMS is folded
-- to GSM-7, so the text rendered again at send time is folded as planned.
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS transliterate TINYINT NOT NULL DEFAULT 0;
