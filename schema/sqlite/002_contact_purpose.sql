-- What a contact is for, as the compliance guard counts it: prevention
-- (before the due date), reminder (informative), notice (the formal written
-- notice), formal, escalation, optout_confirm. Existing rows were planned as
-- reminders (or prevention when before the due date).
ALTER TABLE contacts ADD COLUMN purpose TEXT NOT NULL DEFAULT 'reminder'
    CHECK (purpose IN ('prevention', 'reminder', 'notice', 'formal', 'escalation',
                       'optout_confirm'));
UPDATE contacts SET purpose = 'prevention' WHERE step_day < 0;
CREATE INDEX contacts_case_purpose ON contacts (case_id, purpose, state);
