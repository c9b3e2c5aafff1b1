-- 001_init.sql — the first dunningd schema for MariaDB; mirrors
-- schema/sqlite/001_init.sql table for table and column for column.
-- Dates are DATE (NULL = no date), times BIGINT Unix seconds (UTC), money
-- BIGINT minor units of the row's currency. Text is utf8mb4 with a binary
-- collation, so external ids compare and sort byte for byte as in SQLite.
-- VARCHAR lengths are the model's buffer sizes (engine/model.h) less the NUL;
-- the session runs with STRICT_ALL_TABLES, so anything longer is refused with
-- the column's name, never cut. Applied by store_mariadb.c, which records the
-- version in schema_version (DDL commits implicitly: each statement is
-- written to be safe to see applied when the file is run again).

CREATE TABLE IF NOT EXISTS customers (
    id                 BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    external_id        VARCHAR(63)  NOT NULL,
    name               VARCHAR(255) NOT NULL DEFAULT '',
    language           VARCHAR(7)   NOT NULL DEFAULT '',
    timezone           VARCHAR(63)  NOT NULL DEFAULT '',
    country            VARCHAR(2)   NOT NULL DEFAULT '',
    email              VARCHAR(255) NOT NULL DEFAULT '',
    phone              VARCHAR(31)  NOT NULL DEFAULT '',
    chat               VARCHAR(255) NOT NULL DEFAULT '',
    age                INT          NOT NULL DEFAULT 0 CHECK (age >= 0),
    holds              BIGINT       NOT NULL DEFAULT 0,      -- DN_HOLD_* bit set
    hold_until         DATE         NULL,
    opt_out            BIGINT       NOT NULL DEFAULT 0,      -- DN_OPTOUT_* bit set
    persona            VARCHAR(15)  NOT NULL DEFAULT '',
    segment            VARCHAR(47)  NOT NULL DEFAULT '',
    next_evaluation_at BIGINT       NOT NULL DEFAULT 0,
    lease_until        BIGINT       NULL,
    created_at         BIGINT       NOT NULL,
    updated_at         BIGINT       NOT NULL,
    UNIQUE KEY customers_external_id (external_id),
    -- the pass reads customers in (next_evaluation_at, id) order
    KEY customers_next_evaluation (next_evaluation_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS invoices (
    id           BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    external_id  VARCHAR(63) NOT NULL,
    customer_id  BIGINT      NOT NULL,
    currency     CHAR(3)     NOT NULL CHECK (CHAR_LENGTH(currency) = 3),
    amount_minor BIGINT      NOT NULL CHECK (amount_minor > 0),
    paid_minor   BIGINT      NOT NULL DEFAULT 0,
    issued       DATE        NULL,
    due          DATE        NULL,
    status       VARCHAR(16) NOT NULL CHECK (status IN ('draft', 'open', 'disputed', 'on_hold',
                                                         'paid', 'credited', 'written_off')),
    created_at   BIGINT      NOT NULL,
    updated_at   BIGINT      NOT NULL,
    UNIQUE KEY invoices_external_id (external_id),
    KEY invoices_customer (customer_id, status),
    CONSTRAINT paid_minor CHECK (paid_minor >= 0 AND paid_minor <= amount_minor),
    CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS payments (
    id                  BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    external_id         VARCHAR(63) NOT NULL,
    customer_id         BIGINT      NOT NULL,
    currency            CHAR(3)     NOT NULL CHECK (CHAR_LENGTH(currency) = 3),
    amount_minor        BIGINT      NOT NULL CHECK (amount_minor > 0),
    paid_on             DATE        NOT NULL,
    kind                VARCHAR(16) NOT NULL CHECK (kind IN ('payment', 'credit_note')),
    invoice_external_id VARCHAR(63) NULL,                    -- as sent; NULL = oldest first
    created_at          BIGINT      NOT NULL,
    UNIQUE KEY payments_external_id (external_id),
    KEY payments_customer (customer_id),
    CONSTRAINT payments_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS payment_allocations (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    payment_id   BIGINT NOT NULL,
    invoice_id   BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    KEY payment_allocations_payment (payment_id),
    KEY payment_allocations_invoice (invoice_id),
    CONSTRAINT allocations_payment_fk FOREIGN KEY (payment_id) REFERENCES payments (id),
    CONSTRAINT allocations_invoice_fk FOREIGN KEY (invoice_id) REFERENCES invoices (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS cases (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    opened_at   BIGINT NOT NULL,
    closed_at   BIGINT NULL,                                 -- NULL while open
    anchor_due  DATE   NULL,
    stage_day   INT    NULL,                                 -- NULL until a step is planned
    KEY cases_customer (customer_id, closed_at),
    CONSTRAINT cases_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS promises (
    id           BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id  BIGINT      NOT NULL,
    case_id      BIGINT      NULL,
    amount_minor BIGINT      NOT NULL CHECK (amount_minor > 0),
    currency     CHAR(3)     NOT NULL CHECK (CHAR_LENGTH(currency) = 3),
    due          DATE        NOT NULL,
    state        VARCHAR(16) NOT NULL CHECK (state IN ('pending', 'kept', 'broken')),
    created_at   BIGINT      NOT NULL,
    KEY promises_customer (customer_id, state),
    CONSTRAINT promises_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT promises_case_fk FOREIGN KEY (case_id) REFERENCES cases (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS decisions (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id     BIGINT       NOT NULL,
    case_id         BIGINT       NULL,
    at              BIGINT       NOT NULL,
    ruleset_version VARCHAR(19)  NOT NULL,
    segment         VARCHAR(47)  NOT NULL,
    persona         VARCHAR(15)  NOT NULL,
    action          VARCHAR(8)   NOT NULL CHECK (action IN ('none', 'wait', 'contact', 'skip', 'error')),
    step_day        INT          NULL,
    step_index      INT          NOT NULL DEFAULT 0,
    channel         VARCHAR(15)  NOT NULL DEFAULT '',
    template        VARCHAR(47)  NOT NULL DEFAULT '',
    tone            VARCHAR(15)  NOT NULL DEFAULT '',
    language        VARCHAR(7)   NOT NULL DEFAULT '',
    rule_where      VARCHAR(127) NOT NULL DEFAULT '',
    reason          TEXT         NOT NULL DEFAULT '',
    guard_verdict   VARCHAR(16)  NULL,
    guard_reason    TEXT         NULL,
    contact_id      BIGINT       NULL,                      -- contacts.id when one was planned
    KEY decisions_customer (customer_id),
    CONSTRAINT decisions_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT decisions_case_fk FOREIGN KEY (case_id) REFERENCES cases (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS contacts (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    decision_id  BIGINT       NULL,
    customer_id  BIGINT       NOT NULL,
    case_id      BIGINT       NULL,
    idem_key     VARCHAR(127) NOT NULL,
    step_day     INT          NOT NULL,
    channel      VARCHAR(15)  NOT NULL,
    address      VARCHAR(255) NOT NULL DEFAULT '',
    template     VARCHAR(47)  NOT NULL DEFAULT '',
    language     VARCHAR(7)   NOT NULL DEFAULT '',
    tone         VARCHAR(15)  NOT NULL DEFAULT '',
    voice        VARCHAR(31)  NOT NULL DEFAULT '',
    subject      VARCHAR(255) NOT NULL DEFAULT '',
    body         MEDIUMTEXT   NOT NULL DEFAULT '',
    scheduled_at BIGINT       NOT NULL,
    state        VARCHAR(16)  NOT NULL CHECK (state IN ('planned', 'sending', 'sent', 'delivered',
                                                         'failed', 'answered', 'replied',
                                                         'cancelled', 'in_doubt')),
    provider_id  VARCHAR(255) NULL,
    cost_minor   BIGINT       NULL,
    sms_parts    INT          NOT NULL DEFAULT 0,
    sms_encoding VARCHAR(7)   NOT NULL DEFAULT '',
    outcome      VARCHAR(23)  NULL,
    state_reason TEXT         NULL,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    UNIQUE KEY contacts_idem_key (idem_key),
    KEY contacts_outbox (state, scheduled_at, id),
    KEY contacts_customer (customer_id, scheduled_at),
    CONSTRAINT contacts_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT contacts_case_fk FOREIGN KEY (case_id) REFERENCES cases (id),
    CONSTRAINT contacts_decision_fk FOREIGN KEY (decision_id) REFERENCES decisions (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- the audit log: rows are only ever added (the triggers refuse the rest)
CREATE TABLE IF NOT EXISTS events (
    id          BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT      NULL,
    at          BIGINT      NOT NULL,
    kind        VARCHAR(63) NOT NULL,
    payload     LONGTEXT    NOT NULL DEFAULT '{}',
    KEY events_customer (customer_id, kind, at),
    CONSTRAINT payload CHECK (JSON_VALID(payload)),
    CONSTRAINT events_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'events are append-only';
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'events are append-only';

CREATE TABLE IF NOT EXISTS rulesets (
    version   VARCHAR(63) NOT NULL PRIMARY KEY,
    loaded_at BIGINT      NOT NULL,
    files     LONGTEXT    NOT NULL DEFAULT '[]',
    CONSTRAINT files CHECK (JSON_VALID(files))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
