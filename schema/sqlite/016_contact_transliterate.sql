-- 016_contact_transliterate.sql — whether a planned SMS is folded to GSM-7
-- (the step's `transliterate`), kept so the dispatcher renders the text again
-- at send time exactly as it was planned, with what is owed then (the amount
-- may have changed since planning). schema/mariadb has the same file.
ALTER TABLE contacts ADD COLUMN transliterate INTEGER NOT NULL DEFAULT 0
    CHECK (transliterate IN (0, 1));
