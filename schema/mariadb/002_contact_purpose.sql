-- 002_contact_purpose.sql — mirrors schema/sqlite/002_contact_purpose.sql:
-- what a contact is for, as the compliance guard counts it. Existing rows
-- were planned as reminders (or prevention when before the due date).
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS purpose VARCHAR(16) NOT NULL DEFAULT 'reminder'
    CHECK (purpose IN ('prevention', 'reminder', 'notice', 'formal', 'escalation',
                       'optout_confirm'));
UPDATE contacts SET purpose = 'prevention' WHERE step_day < 0 AND purpose = 'reminder';
CREATE INDEX IF NOT EXISTS contacts_case_purpose ON contacts (case_id, purpose, state);
