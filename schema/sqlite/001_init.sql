-- 001_init.sql — the first dunningd schema for SQLite.
-- Dates are 'YYYY-MM-DD' TEXT (NULL = no date); times are INTEGER Unix
-- seconds (UTC); money is INTEGER minor units of the row's currency.
-- Applied by store_sqlite.c inside one transaction; the version is recorded
-- in schema_version by the loader, not here.

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    external_id        TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL DEFAULT '',
    language           TEXT    NOT NULL DEFAULT '',
    timezone           TEXT    NOT NULL DEFAULT '',
    country            TEXT    NOT NULL DEFAULT '',
    email              TEXT    NOT NULL DEFAULT '',
    phone              TEXT    NOT NULL DEFAULT '',
    chat               TEXT    NOT NULL DEFAULT '',
    age                INTEGER NOT NULL DEFAULT 0 CHECK (age >= 0),
    holds              INTEGER NOT NULL DEFAULT 0,      -- DN_HOLD_* bit set
    hold_until         TEXT,
    opt_out            INTEGER NOT NULL DEFAULT 0,      -- DN_OPTOUT_* bit set
    persona            TEXT    NOT NULL DEFAULT '',
    segment            TEXT    NOT NULL DEFAULT '',
    next_evaluation_at INTEGER NOT NULL DEFAULT 0,
    lease_until        INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
-- the pass reads customers in (next_evaluation_at, id) order
CREATE INDEX customers_next_evaluation ON customers (next_evaluation_at);

CREATE TABLE invoices (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT    NOT NULL UNIQUE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    paid_minor   INTEGER NOT NULL DEFAULT 0
                 CHECK (paid_minor >= 0 AND paid_minor <= amount_minor),
    issued       TEXT,
    due          TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'open', 'disputed', 'on_hold',
                                                    'paid', 'credited', 'written_off')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX invoices_customer ON invoices (customer_id, status);

CREATE TABLE payments (
    id                  INTEGER PRIMARY KEY,
    external_id         TEXT    NOT NULL UNIQUE,
    customer_id         INTEGER NOT NULL REFERENCES customers (id),
    currency            TEXT    NOT NULL CHECK (length(currency) = 3),
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
    paid_on             TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('payment', 'credit_note')),
    invoice_external_id TEXT,                           -- as sent; NULL = oldest first
    created_at          INTEGER NOT NULL
);
CREATE INDEX payments_customer ON payments (customer_id);

CREATE TABLE payment_allocations (
    id           INTEGER PRIMARY KEY,
    payment_id   INTEGER NOT NULL REFERENCES payments (id),
    invoice_id   INTEGER NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0)
);
CREATE INDEX payment_allocations_payment ON payment_allocations (payment_id);
CREATE INDEX payment_allocations_invoice ON payment_allocations (invoice_id);

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    opened_at   INTEGER NOT NULL,
    closed_at   INTEGER,                                -- NULL while open
    anchor_due  TEXT,
    stage_day   INTEGER                                 -- NULL until a step is planned
);
CREATE INDEX cases_customer ON cases (customer_id, closed_at);

CREATE TABLE promises (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    case_id      INTEGER REFERENCES cases (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    due          TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'kept', 'broken')),
    created_at   INTEGER NOT NULL
);
CREATE INDEX promises_customer ON promises (customer_id, state);

CREATE TABLE decisions (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    case_id         INTEGER REFERENCES cases (id),
    at              INTEGER NOT NULL,
    ruleset_version TEXT    NOT NULL,
    segment         TEXT    NOT NULL,
    persona         TEXT    NOT NULL,
    action          TEXT    NOT NULL CHECK (action IN ('none', 'wait', 'contact', 'skip', 'error')),
    step_day        INTEGER,
    step_index      INTEGER NOT NULL DEFAULT 0,
    channel         TEXT    NOT NULL DEFAULT '',
    template        TEXT    NOT NULL DEFAULT '',
    tone            TEXT    NOT NULL DEFAULT '',
    language        TEXT    NOT NULL DEFAULT '',
    rule_where      TEXT    NOT NULL DEFAULT '',
    reason          TEXT    NOT NULL DEFAULT '',
    guard_verdict   TEXT,
    guard_reason    TEXT,
    contact_id      INTEGER                             -- contacts.id when one was planned
);
CREATE INDEX decisions_customer ON decisions (customer_id);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    decision_id  INTEGER REFERENCES decisions (id),
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    case_id      INTEGER REFERENCES cases (id),
    idem_key     TEXT    NOT NULL UNIQUE,
    step_day     INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    address      TEXT    NOT NULL DEFAULT '',
    template     TEXT    NOT NULL DEFAULT '',
    language     TEXT    NOT NULL DEFAULT '',
    tone         TEXT    NOT NULL DEFAULT '',
    voice        TEXT    NOT NULL DEFAULT '',
    subject      TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL DEFAULT '',
    scheduled_at INTEGER NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('planned', 'sending', 'sent', 'delivered',
                                                   'failed', 'answered', 'replied',
                                                   'cancelled', 'in_doubt')),
    provider_id  TEXT,
    cost_minor   INTEGER,
    sms_parts    INTEGER NOT NULL DEFAULT 0,
    sms_encoding TEXT    NOT NULL DEFAULT '',
    outcome      TEXT,
    state_reason TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX contacts_outbox ON contacts (state, scheduled_at);
CREATE INDEX contacts_customer ON contacts (customer_id, scheduled_at);

-- the audit log: rows are only ever added
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(payload))
);
CREATE INDEX events_customer ON events (customer_id, kind, at);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE rulesets (
    version   TEXT    PRIMARY KEY,
    loaded_at INTEGER NOT NULL,
    files     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(files))
);
