/*
 * store_mariadb.c — the MariaDB backend of store.h, through MariaDB
 * Connector/C. Same behaviour as store_sqlite.c, operation for operation;
 * tests/unit/test_store.c runs one contract against both.
 *
 * Connection: one per store, used from one thread, opened from a DSN
 * (store_mariadb.h) with connect/read/write timeouts, utf8mb4, and a session
 * in STRICT_ALL_TABLES mode (a value the column cannot hold is an error
 * naming the column, never a cut or a warning) and READ COMMITTED isolation
 * (claims lock exactly the rows they take; no gap locks between instances).
 * The connection is never reconnected behind the caller's back: when it
 * drops, the failing operation returns -EIO and the next operation
 * reconnects, at most once per backoff period (100 ms doubling to 5 s), so a
 * server outage costs one quick error per call rather than a stall. A
 * caller's transaction (begin/commit) that spanned the drop is lost: every
 * call until its commit (which says so) or rollback fails, so nothing of
 * it lands outside it on the new connection.
 *
 * Statements: every statement with data is prepared once per connection
 * (stmt_sql below) and executed with bound parameters; no SQL text is ever
 * built from data. Only fixed control statements (START TRANSACTION,
 * SAVEPOINT, COMMIT, migrations read from schema/mariadb/) go as text.
 * Results are buffered client-side (mysql_stmt_store_result) and read as
 * text, so one statement's rows can be read while another runs.
 *
 * Several instances: claim_due and claim_outbox take rows with SELECT ...
 * FOR UPDATE SKIP LOCKED inside a short transaction and mark them (lease or
 * state "sending") before committing, so two instances never take the same
 * customer or contact; the unique idem_key decides what a duplicate plan is.
 */
#include "store.h"
#include "store-internal.h"
#include "store_modules.h"
#include "store_mariadb.h"

#include <errmsg.h>
#include <limits.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define SECONDS_PER_DAY     86400
#define REPLY_WINDOW_DAYS   90
#define CONTACT_WINDOW_DAYS 35
#define PARAMS_MAX          24
#define COLUMN_START_SIZE   256     /* first buffer per result column; grown on demand */
#define BACKOFF_FIRST_MS    100
#define BACKOFF_MAX_MS      5000

#define CUSTOMER_COLUMNS \
    "id, external_id, name, language, timezone, country, email, phone, chat, age, " \
    "holds, hold_until, opt_out, persona, opt_out_confirmed, third_party, consent, blackout, " \
    "undeliverable"
#define CUSTOMER_JSON_COLUMNS \
    "id, external_id, name, language, timezone, country, email, phone, chat, age, " \
    "holds, hold_until, opt_out, next_evaluation_at, persona, segment"
#define DECISION_COLUMNS \
    "id, customer_id, case_id, at, ruleset_version, segment, persona, action, step_day, " \
    "step_index, channel, template, tone, language, rule_where, reason, guard_verdict, " \
    "guard_reason, contact_id"
#define CONTACT_COLUMNS \
    "id, decision_id, customer_id, case_id, idem_key, step_day, channel, address, " \
    "template, language, tone, voice, subject, body, scheduled_at, state, provider_id, " \
    "cost_minor, sms_parts, sms_encoding, outcome, state_reason, created_at, updated_at, " \
    "attempts, instance, cost_currency, sent_at, final_at"
#define INVOICE_JSON_COLUMNS \
    "i.id, i.external_id, c.external_id AS customer_external_id, i.currency, " \
    "i.amount_minor, i.paid_minor, i.issued, i.due, i.status, i.created_at, i.updated_at"
#define PAYMENT_JSON_COLUMNS \
    "p.id, p.external_id, c.external_id AS customer_external_id, p.currency, " \
    "p.amount_minor, (SELECT CAST(COALESCE(SUM(a.amount_minor), 0) AS SIGNED) " \
    "FROM payment_allocations a WHERE a.payment_id = p.id) AS allocated_minor, p.paid_on, " \
    "p.kind, p.invoice_external_id, p.created_at"
/* a text column of JSON_TABLE: wide enough for any value, in the tables'
 * character set and collation */
#define JT_TEXT "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
#define UNPAID_REMINDABLE \
    "status IN ('open', 'disputed', 'on_hold') AND paid_minor < amount_minor"

enum stmt_id {
    ST_SCHEMA_VERSION,
    ST_CUSTOMER_BY_EXT, ST_CUSTOMER_BY_ID, ST_CUSTOMER_ID_BY_EXT, ST_CUSTOMER_EXT_BY_ID,
    ST_CUSTOMER_INSERT, ST_CUSTOMER_UPDATE, ST_CUSTOMER_TOUCH, ST_CUSTOMER_LIST,
    ST_INVOICE_BY_EXT, ST_INVOICE_INSERT, ST_INVOICE_UPDATE, ST_INVOICE_LIST_ALL,
    ST_INVOICE_LIST_CUSTOMER, ST_INVOICE_OLDEST_OPEN, ST_INVOICE_ADD_PAID, ST_INVOICE_PAID_STATE,
    ST_UNPAID_EXISTS,
    ST_PAYMENT_BY_EXT, ST_PAYMENT_INSERT, ST_ALLOCATION_INSERT, ST_PAYMENT_LIST_ALL,
    ST_PAYMENT_LIST_CUSTOMER, ST_PAYMENT_CREDIT_LEFT,
    ST_CASE_OPEN_FOR, ST_CASE_INSERT, ST_CASE_CLOSE, ST_CASE_STAGE,
    ST_EVENT_INSERT,
    ST_CLAIM_SELECT, ST_CLAIM_LEASE, ST_FACT_INVOICES, ST_FACT_SUMMARY, ST_FACT_CONTACTS,
    ST_PROMISE_INSERT,
    ST_BATCH_AFTER_PASS, ST_BATCH_OPEN_CASES, ST_BATCH_CASE_INSERT, ST_BATCH_EVENT_INSERT,
    ST_BATCH_KNOWN_KEYS, ST_BATCH_CONTACT_INSERT, ST_BATCH_DECISION_INSERT, ST_BATCH_CONTACT_LINK,
    ST_BATCH_CASE_STAGE,
    ST_DECISION_INSERT, ST_CONTACT_INSERT, ST_CONTACT_LINK, ST_CUSTOMER_AFTER_PASS,
    ST_OUTBOX_SELECT, ST_OUTBOX_TAKE, ST_CONTACT_LOCK, ST_CONTACT_STATE, ST_CONTACT_REWRITE,
    ST_TL_CUSTOMER, ST_TL_INVOICES, ST_TL_PAYMENTS, ST_TL_CASES, ST_TL_DECISIONS,
    ST_TL_CONTACTS, ST_TL_EVENTS,
    ST_LIST_DECISIONS, ST_LIST_CONTACTS,
    ST_STATS_TOTALS, ST_STATS_CONTACTS, ST_STATS_DECISIONS,
    ST_RULESET_INSERT, ST_RULESET_LAST,
    ST_CUSTOMER_TOUCH_ALL, ST_CONTACT_RESCHEDULE_LOCK, ST_CONTACT_RESCHEDULE,
    ST_IN_DOUBT_SELECT, ST_IN_DOUBT_MARK,
    ST_CONTACT_SENT, ST_CONTACT_BY_ID, ST_CONTACT_BY_KEY, ST_CONTACT_FINAL,
    ST_CUSTOMER_OPT_OUT, ST_REQUEUE_SELECT, ST_REQUEUE_MARK, ST_CONFIRMATION_SENT,
    ST_CONTACT_PROVIDER, ST_CONTACT_SET_PROVIDER, ST_CUSTOMER_BY_CHAT, ST_LETTER_READ,
    ST_LETTER_POSTED, ST_CONTACT_ADDRESSES, ST_CUSTOMER_UNDELIVERABLE,
    ST_COUNT
};

/* The channel modules' statements (store_modules.h) continue the numbering,
 * so that the same helpers run them; their text is module_sql at the end. */
enum {
    MS_TASK_INSERT = ST_COUNT, MS_TASK_BY_CONTACT, MS_TASK_EXPIRE, MS_TASK_PICK, MS_TASK_TAKE,
    MS_TASK_ROW, MS_TASK_CLOSE, MS_TASK_REQUEUE, MS_TASK_GET, MS_TASK_LIST,
    MS_CONTACT_OUTCOME,
    MS_WEBHOOK_DISABLE, MS_WEBHOOK_ENDPOINT, MS_WEBHOOK_DUE, MS_WEBHOOK_LOCK, MS_WEBHOOK_EARLIER,
    MS_WEBHOOK_TAKE, MS_WEBHOOK_READ, MS_WEBHOOK_RECORD, MS_WEBHOOK_RELEASE, MS_WEBHOOK_GET,
    MS_WEBHOOK_LIST, MS_WEBHOOK_REPLAY,
    MS_CUSTOMER_BY_PHONE, MS_CUSTOMER_BY_CHAT, MS_OPT_OUT_ONE, MS_SHARED_PHONE, MS_SHARED_CHAT,
    MS_REPLIED_PICK, MS_REPLIED_MARK, MS_CONTACT_PLAN, MS_INBOUND_CLAIM, MS_INBOUND_RESULT,
    MS_INBOUND_SETTLE, MS_CONTACT_FIND_ID, MS_CONTACT_FIND_PROVIDER,
    STMT_TOTAL
};
static const char *const module_sql[STMT_TOTAL - ST_COUNT];

/* Parameters are positional ('?'); the comment before a statement lists
 * them when the order is not obvious. */
static const char *const stmt_sql[ST_COUNT] = {
    [ST_SCHEMA_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_version",

    [ST_CUSTOMER_BY_EXT] = "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE external_id = ?",
    [ST_CUSTOMER_BY_ID] = "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE id = ?",
    [ST_CUSTOMER_ID_BY_EXT] = "SELECT id FROM customers WHERE external_id = ?",
    [ST_CUSTOMER_EXT_BY_ID] = "SELECT external_id FROM customers WHERE id = ?",
    /* external_id .. opt_out, now, now, opt_out_confirmed, third_party,
     * consent, blackout, undeliverable */
    [ST_CUSTOMER_INSERT] =
        "INSERT INTO customers (external_id, name, language, timezone, country, email, "
        "phone, chat, age, holds, hold_until, opt_out, next_evaluation_at, created_at, "
        "updated_at, opt_out_confirmed, third_party, consent, blackout, undeliverable) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
    /* name .. opt_out, now, opt_out_confirmed, third_party, consent,
     * blackout, undeliverable, external_id */
    [ST_CUSTOMER_UPDATE] =
        "UPDATE customers SET name = ?, language = ?, timezone = ?, country = ?, "
        "email = ?, phone = ?, chat = ?, age = ?, holds = ?, hold_until = ?, "
        "opt_out = ?, next_evaluation_at = 0, updated_at = ?, opt_out_confirmed = ?, "
        "third_party = ?, consent = ?, blackout = ?, undeliverable = ? WHERE external_id = ?",
    /* at, id */
    [ST_CUSTOMER_TOUCH] = "UPDATE customers SET next_evaluation_at = ? WHERE id = ?",
    [ST_CUSTOMER_LIST] =
        "SELECT " CUSTOMER_JSON_COLUMNS " FROM customers WHERE external_id > ? "
        "ORDER BY external_id LIMIT ?",

    [ST_INVOICE_BY_EXT] =
        "SELECT i.id, i.customer_id, c.external_id, i.currency, i.amount_minor, "
        "i.paid_minor, i.issued, i.due, i.status FROM invoices i "
        "JOIN customers c ON c.id = i.customer_id WHERE i.external_id = ?",
    /* external_id, customer_id, currency, amount, paid, issued, due, status, now, now */
    [ST_INVOICE_INSERT] =
        "INSERT INTO invoices (external_id, customer_id, currency, amount_minor, paid_minor, "
        "issued, due, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    /* issued, due, status, now, id */
    [ST_INVOICE_UPDATE] =
        "UPDATE invoices SET issued = ?, due = ?, status = ?, updated_at = ? WHERE id = ?",
    [ST_INVOICE_LIST_ALL] =
        "SELECT " INVOICE_JSON_COLUMNS " FROM invoices i JOIN customers c "
        "ON c.id = i.customer_id WHERE i.external_id > ? ORDER BY i.external_id LIMIT ?",
    /* customer_id, after, limit */
    [ST_INVOICE_LIST_CUSTOMER] =
        "SELECT " INVOICE_JSON_COLUMNS " FROM invoices i JOIN customers c "
        "ON c.id = i.customer_id WHERE i.customer_id = ? AND i.external_id > ? "
        "ORDER BY i.external_id LIMIT ?",
    [ST_INVOICE_OLDEST_OPEN] =
        "SELECT id, amount_minor - paid_minor, external_id FROM invoices WHERE customer_id = ? "
        "AND currency = ? AND status = 'open' AND paid_minor < amount_minor "
        "ORDER BY due IS NULL, due, id LIMIT 1 FOR UPDATE",
    /* amount, amount, now, id: status first, since MariaDB assigns left to
     * right and a later assignment sees the new paid_minor */
    [ST_INVOICE_ADD_PAID] =
        "UPDATE invoices SET status = CASE WHEN paid_minor + ? >= amount_minor THEN 'paid' "
        "ELSE status END, paid_minor = paid_minor + ?, updated_at = ? WHERE id = ?",
    [ST_INVOICE_PAID_STATE] = "SELECT status, external_id FROM invoices WHERE id = ?",
    [ST_UNPAID_EXISTS] =
        "SELECT EXISTS (SELECT 1 FROM invoices WHERE customer_id = ? AND " UNPAID_REMINDABLE ")",

    [ST_PAYMENT_BY_EXT] =
        "SELECT id, customer_id, currency, amount_minor, paid_on, kind, "
        "COALESCE(invoice_external_id, '') FROM payments WHERE external_id = ?",
    [ST_PAYMENT_INSERT] =
        "INSERT INTO payments (external_id, customer_id, currency, amount_minor, paid_on, "
        "kind, invoice_external_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_ALLOCATION_INSERT] =
        "INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor) VALUES (?, ?, ?)",
    [ST_PAYMENT_LIST_ALL] =
        "SELECT " PAYMENT_JSON_COLUMNS " FROM payments p JOIN customers c "
        "ON c.id = p.customer_id WHERE p.external_id > ? ORDER BY p.external_id LIMIT ?",
    /* customer_id, after, limit */
    [ST_PAYMENT_LIST_CUSTOMER] =
        "SELECT " PAYMENT_JSON_COLUMNS " FROM payments p JOIN customers c "
        "ON c.id = p.customer_id WHERE p.customer_id = ? AND p.external_id > ? "
        "ORDER BY p.external_id LIMIT ?",
    /* customer_id, currency: standing credit, the oldest payment or credit
     * note with something not allocated (locked: two writers never spend
     * it twice), and how much */
    [ST_PAYMENT_CREDIT_LEFT] =
        "SELECT p.id, p.external_id, p.amount_minor - (SELECT COALESCE(SUM(a.amount_minor), 0) "
        "FROM payment_allocations a WHERE a.payment_id = p.id) FROM payments p "
        "WHERE p.customer_id = ? AND p.currency = ? AND p.amount_minor > (SELECT "
        "COALESCE(SUM(a.amount_minor), 0) FROM payment_allocations a WHERE a.payment_id = p.id) "
        "ORDER BY p.paid_on, p.id LIMIT 1 FOR UPDATE",

    [ST_CASE_OPEN_FOR] =
        "SELECT id, anchor_due, stage_day FROM cases WHERE customer_id = ? "
        "AND closed_at IS NULL ORDER BY id DESC LIMIT 1",
    [ST_CASE_INSERT] =
        "INSERT INTO cases (customer_id, opened_at, anchor_due, stage_day) VALUES (?, ?, ?, ?)",
    /* now, id */
    [ST_CASE_CLOSE] = "UPDATE cases SET closed_at = ? WHERE id = ?",
    /* day, day, id */
    [ST_CASE_STAGE] =
        "UPDATE cases SET stage_day = CASE WHEN stage_day IS NULL OR stage_day < ? "
        "THEN ? ELSE stage_day END WHERE id = ?",

    [ST_EVENT_INSERT] = "INSERT INTO events (customer_id, at, kind, payload) VALUES (?, ?, ?, ?)",

    /* now, now, max */
    [ST_CLAIM_SELECT] =
        "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE next_evaluation_at <= ? "
        "AND (lease_until IS NULL OR lease_until < ?) "
        "ORDER BY next_evaluation_at, id LIMIT ? FOR UPDATE SKIP LOCKED",
    /* ids as a JSON array, until: the whole claimed batch in one statement */
    [ST_CLAIM_LEASE] =
        "UPDATE customers c JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j "
        "ON j.id = c.id SET c.lease_until = ?",
    /* The facts of a whole batch in three statements; each takes the
     * customer ids as a JSON array ("[3,5,8]") and reads the customers
     * first (STRAIGHT_JOIN), then their rows through the customer indexes.
     * ids */
    [ST_FACT_INVOICES] =
        "SELECT STRAIGHT_JOIN i.customer_id, i.external_id, i.currency, i.amount_minor, "
        "i.paid_minor, i.issued, i.due, i.status FROM JSON_TABLE(?, '$[*]' COLUMNS "
        "(id BIGINT PATH '$' ERROR ON ERROR)) j JOIN invoices i ON i.customer_id = j.id "
        "WHERE i.status IN ('open', 'disputed', 'on_hold') AND i.paid_minor < i.amount_minor "
        "ORDER BY i.customer_id, i.due IS NULL, i.due, i.id",
    /* reply window start, ids: the counts, then the open case and its
     * notice, one row per customer */
    [ST_FACT_SUMMARY] =
        "SELECT x.id, x.kept, x.broken, x.pending, x.pending_due, x.replies, x.disputes, "
        "x.payments, x.late, oc.id, oc.anchor_due, oc.stage_day, "
        /* dn_store_notice_posted: a notice by any channel but letter counts
         * from the moment it was sent, a letter from its posting day */
        "(SELECT MIN(COALESCE(k.sent_at, k.updated_at)) FROM contacts k WHERE k.case_id = oc.id "
        " AND k.purpose = 'notice' AND k.channel <> 'letter' "
        " AND k.state IN ('sent', 'delivered', 'answered', 'replied')), "
        /* informative reminders of the case, counted as the guard counts them */
        "(SELECT COUNT(*) FROM contacts k WHERE k.case_id = oc.id AND k.purpose = 'reminder' "
        " AND k.state <> 'cancelled' AND NOT (k.state = 'failed' AND COALESCE(k.outcome, '') = '')), "
        "(SELECT MIN(k.posted_on) FROM contacts k WHERE k.case_id = oc.id "
        " AND k.purpose = 'notice' AND k.channel = 'letter' "
        " AND k.state IN ('sent', 'delivered', 'answered', 'replied')) "
        "FROM (SELECT j.id, "
        "(SELECT COUNT(*) FROM promises WHERE customer_id = j.id AND state = 'kept') AS kept, "
        "(SELECT COUNT(*) FROM promises WHERE customer_id = j.id AND state = 'broken') AS broken, "
        "(SELECT COUNT(*) FROM promises WHERE customer_id = j.id AND state = 'pending') "
        " AS pending, "
        "(SELECT MIN(due) FROM promises WHERE customer_id = j.id AND state = 'pending') "
        " AS pending_due, "
        "(SELECT COUNT(*) FROM events WHERE customer_id = j.id AND kind = 'reply' AND at >= ?) "
        " AS replies, "
        "(SELECT COUNT(*) FROM events WHERE customer_id = j.id AND kind = 'dispute') AS disputes, "
        "(SELECT COUNT(*) FROM payments WHERE customer_id = j.id AND kind = 'payment') "
        " AS payments, "
        "(SELECT CAST(FLOOR(AVG(GREATEST(DATEDIFF(p.paid_on, i.due), 0))) AS SIGNED) "
        " FROM payments p JOIN payment_allocations a ON a.payment_id = p.id "
        " JOIN invoices i ON i.id = a.invoice_id WHERE p.customer_id = j.id "
        " AND i.due IS NOT NULL) AS late, "
        "(SELECT id FROM cases WHERE customer_id = j.id AND closed_at IS NULL "
        " ORDER BY id DESC LIMIT 1) AS case_id "
        "FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$' ERROR ON ERROR)) j) x "
        "LEFT JOIN cases oc ON oc.id = x.case_id",
    /* ids, contact window start: per customer the ones the guard counts
     * first (column 11 is 1 for the others: cancelled, failed without an
     * outcome, crm), each group most recent first
     * (dn_store_facts_order_contacts) */
    [ST_FACT_CONTACTS] =
        "SELECT STRAIGHT_JOIN k.customer_id, k.id, COALESCE(k.sent_at, k.scheduled_at) AS at, "
        "k.channel, k.state, COALESCE(k.outcome, ''), k.template, k.step_day, "
        "COALESCE(k.case_id, 0), k.purpose, k.debt_ref, "
        "(k.state = 'cancelled' OR k.channel = 'crm' OR (k.state = 'failed' AND "
        "COALESCE(k.outcome, '') = '')) AS uncounted FROM JSON_TABLE(?, '$[*]' COLUMNS "
        "(id BIGINT PATH '$' ERROR ON ERROR)) j JOIN contacts k ON k.customer_id = j.id "
        "WHERE k.scheduled_at >= ? ORDER BY k.customer_id, uncounted, at DESC, k.id DESC",
    /* The writes of a whole batch (record_results), one statement each;
     * the rows come as one JSON array of objects (jansson escapes the
     * text), every column read with ERROR ON ERROR and as wide as it can
     * be, so the table's own column type, in STRICT mode, is what refuses
     * a value. rows [{id, next, persona, segment}] */
    [ST_BATCH_AFTER_PASS] =
        "UPDATE customers c JOIN JSON_TABLE(?, '$[*]' COLUMNS ("
        "id BIGINT PATH '$.id' ERROR ON ERROR, next BIGINT PATH '$.next' ERROR ON ERROR, "
        "persona " JT_TEXT " PATH '$.persona' ERROR ON ERROR, "
        "segment " JT_TEXT " PATH '$.segment' ERROR ON ERROR)) j ON j.id = c.id "
        "SET c.next_evaluation_at = j.next, c.lease_until = NULL, "
        "c.persona = IF(j.persona = '', c.persona, j.persona), "
        "c.segment = IF(j.segment = '', c.segment, j.segment)",
    /* ids: each customer's open case (NULL if none) */
    [ST_BATCH_OPEN_CASES] =
        "SELECT j.id, (SELECT id FROM cases WHERE customer_id = j.id AND closed_at IS NULL "
        "ORDER BY id DESC LIMIT 1) FROM JSON_TABLE(?, '$[*]' COLUMNS "
        "(id BIGINT PATH '$' ERROR ON ERROR)) j",
    /* now, rows [{c, anchor, stage}] */
    [ST_BATCH_CASE_INSERT] =
        "INSERT INTO cases (customer_id, opened_at, anchor_due, stage_day) "
        "SELECT j.c, ?, j.anchor, j.stage FROM JSON_TABLE(?, '$[*]' COLUMNS ("
        "c BIGINT PATH '$.c' ERROR ON ERROR, anchor DATE PATH '$.anchor' ERROR ON ERROR, "
        "stage INT PATH '$.stage' ERROR ON ERROR)) j RETURNING id, customer_id",
    /* now, rows [{c, p}]: "case_opened" with payload text p */
    [ST_BATCH_EVENT_INSERT] =
        "INSERT INTO events (customer_id, at, kind, payload) "
        "SELECT j.c, ?, 'case_opened', j.p FROM JSON_TABLE(?, '$[*]' COLUMNS ("
        "c BIGINT PATH '$.c' ERROR ON ERROR, p " JT_TEXT " PATH '$.p' ERROR ON ERROR)) j",
    /* keys: which of them are taken already */
    [ST_BATCH_KNOWN_KEYS] =
        "SELECT STRAIGHT_JOIN k.idem_key FROM JSON_TABLE(?, '$[*]' COLUMNS ("
        "idem_key " JT_TEXT " PATH '$' ERROR ON ERROR)) j "
        "JOIN contacts k ON k.idem_key = j.idem_key",
    /* now, now, rows [{c, ca, k, day, channel, address, template, language,
     * tone, voice, subject, body, at, parts, enc, purpose, debt, tr}] */
    [ST_BATCH_CONTACT_INSERT] =
        "INSERT INTO contacts (decision_id, customer_id, case_id, idem_key, step_day, "
        "channel, address, template, language, tone, voice, subject, body, scheduled_at, "
        "state, sms_parts, sms_encoding, created_at, updated_at, purpose, debt_ref, "
        "transliterate) "
        "SELECT NULL, j.c, j.ca, j.k, j.day, j.channel, j.address, j.template, j.language, "
        "j.tone, j.voice, j.subject, j.body, j.at, 'planned', j.parts, j.enc, ?, ?, j.purpose, "
        "j.debt, j.tr FROM JSON_TABLE(?, '$[*]' COLUMNS ("
        "c BIGINT PATH '$.c' ERROR ON ERROR, ca BIGINT PATH '$.ca' ERROR ON ERROR, "
        "k " JT_TEXT " PATH '$.k' ERROR ON ERROR, day INT PATH '$.day' ERROR ON ERROR, "
        "channel " JT_TEXT " PATH '$.channel' ERROR ON ERROR, "
        "address " JT_TEXT " PATH '$.address' ERROR ON ERROR, "
        "template " JT_TEXT " PATH '$.template' ERROR ON ERROR, "
        "language " JT_TEXT " PATH '$.language' ERROR ON ERROR, "
        "tone " JT_TEXT " PATH '$.tone' ERROR ON ERROR, "
        "voice " JT_TEXT " PATH '$.voice' ERROR ON ERROR, "
        "subject " JT_TEXT " PATH '$.subject' ERROR ON ERROR, "
        "body " JT_TEXT " PATH '$.body' ERROR ON ERROR, at BIGINT PATH '$.at' ERROR ON ERROR, "
        "parts INT PATH '$.parts' ERROR ON ERROR, enc " JT_TEXT " PATH '$.enc' ERROR ON ERROR, "
        "purpose " JT_TEXT " PATH '$.purpose' ERROR ON ERROR, "
        "debt " JT_TEXT " PATH '$.debt' ERROR ON ERROR, tr INT PATH '$.tr' ERROR ON ERROR)) j "
        "RETURNING id, customer_id",
    /* now, rows [{c, ca, v, segment, persona, action, day, index, channel,
     * template, tone, language, where, reason, verdict, guard, k}] */
    [ST_BATCH_DECISION_INSERT] =
        "INSERT INTO decisions (customer_id, case_id, at, ruleset_version, segment, persona, "
        "action, step_day, step_index, channel, template, tone, language, rule_where, "
        "reason, guard_verdict, guard_reason, contact_id) "
        "SELECT j.c, j.ca, ?, j.v, j.segment, j.persona, j.action, j.day, j.idx, j.channel, "
        "j.template, j.tone, j.language, j.rule_where, j.reason, j.verdict, j.guard, j.k "
        "FROM JSON_TABLE(?, '$[*]' COLUMNS ("
        "c BIGINT PATH '$.c' ERROR ON ERROR, ca BIGINT PATH '$.ca' ERROR ON ERROR, "
        "v " JT_TEXT " PATH '$.v' ERROR ON ERROR, "
        "segment " JT_TEXT " PATH '$.segment' ERROR ON ERROR, "
        "persona " JT_TEXT " PATH '$.persona' ERROR ON ERROR, "
        "action " JT_TEXT " PATH '$.action' ERROR ON ERROR, day INT PATH '$.day' ERROR ON ERROR, "
        "idx INT PATH '$.index' ERROR ON ERROR, "
        "channel " JT_TEXT " PATH '$.channel' ERROR ON ERROR, "
        "template " JT_TEXT " PATH '$.template' ERROR ON ERROR, "
        "tone " JT_TEXT " PATH '$.tone' ERROR ON ERROR, "
        "language " JT_TEXT " PATH '$.language' ERROR ON ERROR, "
        "rule_where " JT_TEXT " PATH '$.where' ERROR ON ERROR, "
        "reason " JT_TEXT " PATH '$.reason' ERROR ON ERROR, "
        "verdict " JT_TEXT " PATH '$.verdict' ERROR ON ERROR, "
        "guard " JT_TEXT " PATH '$.guard' ERROR ON ERROR, "
        "k BIGINT PATH '$.k' ERROR ON ERROR)) j RETURNING id, customer_id",
    /* rows [{id, d}]: each new contact's decision */
    [ST_BATCH_CONTACT_LINK] =
        "UPDATE contacts k JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$.id' ERROR ON "
        "ERROR, d BIGINT PATH '$.d' ERROR ON ERROR)) j ON j.id = k.id SET k.decision_id = j.d",
    /* rows [{id, day}]: the stage reached in an open case */
    [ST_BATCH_CASE_STAGE] =
        "UPDATE cases c JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$.id' ERROR ON "
        "ERROR, day INT PATH '$.day' ERROR ON ERROR)) j ON j.id = c.id "
        "SET c.stage_day = CASE WHEN c.stage_day IS NULL OR c.stage_day < j.day THEN j.day "
        "ELSE c.stage_day END",
    /* customer_id, customer_id, amount, currency, due, now */
    [ST_PROMISE_INSERT] =
        "INSERT INTO promises (customer_id, case_id, amount_minor, currency, due, state, "
        "created_at) VALUES (?, (SELECT id FROM cases WHERE customer_id = ? AND closed_at "
        "IS NULL ORDER BY id DESC LIMIT 1), ?, ?, ?, 'pending', ?)",
    [ST_DECISION_INSERT] =
        "INSERT INTO decisions (customer_id, case_id, at, ruleset_version, segment, persona, "
        "action, step_day, step_index, channel, template, tone, language, rule_where, "
        "reason, guard_verdict, guard_reason, contact_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?)",
    /* a duplicate idem_key fails with ER_DUP_ENTRY, which only this
     * statement undoes: the transaction goes on */
    [ST_CONTACT_INSERT] =
        "INSERT INTO contacts (decision_id, customer_id, case_id, idem_key, step_day, "
        "channel, address, template, language, tone, voice, subject, body, scheduled_at, "
        "state, sms_parts, sms_encoding, created_at, updated_at, purpose, debt_ref, "
        "transliterate) VALUES "
        "(NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?, ?)",
    /* decision_id, id */
    [ST_CONTACT_LINK] = "UPDATE contacts SET decision_id = ? WHERE id = ?",
    /* next, persona, persona, segment, segment, id */
    [ST_CUSTOMER_AFTER_PASS] =
        "UPDATE customers SET next_evaluation_at = ?, lease_until = NULL, "
        "persona = CASE WHEN ? = '' THEN persona ELSE ? END, "
        "segment = CASE WHEN ? = '' THEN segment ELSE ? END WHERE id = ?",

    /* contacts only, so the lock never reaches the customers a pass claims;
     * now, channel, channel (NULL = any), max */
    [ST_OUTBOX_SELECT] =
        "SELECT id, customer_id, COALESCE(case_id, 0), idem_key, channel, address, template, "
        "language, tone, voice, subject, body, scheduled_at, purpose, attempts, sms_parts, "
        "sms_encoding, debt_ref, transliterate FROM contacts "
        "WHERE state = 'planned' AND scheduled_at <= ? AND (? IS NULL OR channel = ?) "
        "ORDER BY scheduled_at, id LIMIT ? FOR UPDATE SKIP LOCKED",
    /* taken_at (wall clock), sent_at (engine clock), owner, id */
    [ST_OUTBOX_TAKE] =
        "UPDATE contacts SET state = 'sending', updated_at = ?, sent_at = ?, "
        "attempts = attempts + 1, claimed_by = ? WHERE id = ? AND state = 'planned'",
    [ST_CONTACT_LOCK] =
        "SELECT customer_id, final_at IS NOT NULL, state FROM contacts WHERE id = ? FOR UPDATE",
    /* subject, body, sms_parts, sms_encoding, at, id */
    [ST_CONTACT_REWRITE] =
        "UPDATE contacts SET subject = ?, body = ?, sms_parts = ?, sms_encoding = ?, "
        "updated_at = ? WHERE id = ? AND state = 'sending'",
    /* state, provider_id, reason, at, id */
    [ST_CONTACT_STATE] =
        "UPDATE contacts SET state = ?, provider_id = COALESCE(?, provider_id), "
        "state_reason = COALESCE(?, state_reason), updated_at = ? WHERE id = ?",

    [ST_TL_CUSTOMER] =
        "SELECT " CUSTOMER_JSON_COLUMNS ", created_at, updated_at FROM customers "
        "WHERE external_id = ?",
    [ST_TL_INVOICES] =
        "SELECT " INVOICE_JSON_COLUMNS " FROM invoices i JOIN customers c "
        "ON c.id = i.customer_id WHERE i.customer_id = ? ORDER BY i.id",
    [ST_TL_PAYMENTS] =
        "SELECT " PAYMENT_JSON_COLUMNS " FROM payments p JOIN customers c "
        "ON c.id = p.customer_id WHERE p.customer_id = ? ORDER BY p.id",
    [ST_TL_CASES] =
        "SELECT id, opened_at, closed_at, anchor_due, stage_day FROM cases "
        "WHERE customer_id = ? ORDER BY id",
    [ST_TL_DECISIONS] =
        "SELECT " DECISION_COLUMNS " FROM decisions WHERE customer_id = ? ORDER BY id",
    [ST_TL_CONTACTS] =
        "SELECT " CONTACT_COLUMNS " FROM contacts WHERE customer_id = ? ORDER BY id",
    [ST_TL_EVENTS] =
        "SELECT id, at, kind, payload FROM events WHERE customer_id = ? ORDER BY id",

    [ST_LIST_DECISIONS] =
        "SELECT " DECISION_COLUMNS ", (SELECT external_id FROM customers c WHERE "
        "c.id = decisions.customer_id) AS customer_external_id FROM decisions "
        "WHERE id > ? ORDER BY id LIMIT ?",
    [ST_LIST_CONTACTS] =
        "SELECT " CONTACT_COLUMNS ", (SELECT external_id FROM customers c WHERE "
        "c.id = contacts.customer_id) AS customer_external_id FROM contacts "
        "WHERE id > ? ORDER BY id LIMIT ?",

    [ST_STATS_TOTALS] =
        "SELECT (SELECT COUNT(*) FROM customers), "
        "(SELECT COUNT(*) FROM invoices WHERE status = 'open' AND paid_minor < amount_minor), "
        "(SELECT COUNT(*) FROM cases WHERE closed_at IS NULL)",
    [ST_STATS_CONTACTS] = "SELECT state, COUNT(*) FROM contacts GROUP BY state",
    [ST_STATS_DECISIONS] = "SELECT action, COUNT(*) FROM decisions GROUP BY action",

    /* REPLACE deletes a known version and inserts it again: a new, highest
     * load_order, as SQLite's INSERT OR REPLACE gives a new rowid */
    [ST_RULESET_INSERT] = "REPLACE INTO rulesets (version, loaded_at, files) VALUES (?, ?, ?)",
    /* the version loaded last; locked, so two instances loading at once
     * take turns */
    [ST_RULESET_LAST] =
        "SELECT version FROM rulesets ORDER BY load_order DESC LIMIT 1 FOR UPDATE",

    /* at, at */
    [ST_CUSTOMER_TOUCH_ALL] =
        "UPDATE customers SET next_evaluation_at = ? WHERE next_evaluation_at > ?",
    [ST_CONTACT_RESCHEDULE_LOCK] =
        "SELECT customer_id FROM contacts WHERE id = ? AND state IN ('sending', 'planned') "
        "FOR UPDATE",
    /* at, reason, now, id */
    [ST_CONTACT_RESCHEDULE] =
        "UPDATE contacts SET state = 'planned', scheduled_at = ?, state_reason = ?, "
        "updated_at = ?, sent_at = NULL WHERE id = ?",
    /* before, owner: never the contacts this connection took itself */
    [ST_IN_DOUBT_SELECT] =
        "SELECT id, customer_id FROM contacts WHERE state = 'sending' AND updated_at < ? "
        "AND NOT (claimed_by <=> ?) ORDER BY id FOR UPDATE",
    /* ids as a JSON array, now: exactly the rows ST_IN_DOUBT_SELECT locked */
    [ST_IN_DOUBT_MARK] =
        "UPDATE contacts c JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j "
        "ON j.id = c.id SET c.state = 'in_doubt', c.updated_at = ?, c.state_reason = "
        "'the engine stopped between taking this contact and recording its send; "
        "check with the provider before sending again' WHERE c.state = 'sending'",
    /* provider_id, instance, cost_minor, cost_currency, at, at, detail,
     * sms_parts, sms_parts, sms_encoding, id (state first: MariaDB assigns
     * left to right, so later terms see the new state: 'sent' was
     * 'sending'; a report's delivered or failed keeps its reason) */
    [ST_CONTACT_SENT] =
        "UPDATE contacts SET state = CASE WHEN state = 'sending' THEN 'sent' ELSE state END, "
        "provider_id = COALESCE(?, provider_id), instance = ?, cost_minor = ?, "
        "cost_currency = ?, sent_at = ?, updated_at = ?, "
        "state_reason = CASE WHEN state = 'sent' THEN COALESCE(?, state_reason) "
        "ELSE state_reason END, "
        "sms_parts = CASE WHEN ? > 0 THEN ? ELSE sms_parts END, "
        "sms_encoding = COALESCE(?, sms_encoding) WHERE id = ?",
    [ST_CONTACT_BY_ID] =
        "SELECT id, customer_id, state, idem_key FROM contacts WHERE id = ? FOR UPDATE",
    [ST_CONTACT_BY_KEY] =
        "SELECT id, customer_id, state, idem_key FROM contacts WHERE idem_key = ? FOR UPDATE",
    /* state, at, at, reason, id */
    [ST_CONTACT_FINAL] =
        "UPDATE contacts SET state = ?, final_at = ?, updated_at = ?, "
        "state_reason = COALESCE(?, state_reason) WHERE id = ?",
    /* bits, at, id */
    [ST_CUSTOMER_OPT_OUT] =
        "UPDATE customers SET opt_out = opt_out | ?, next_evaluation_at = 0, "
        "updated_at = ? WHERE id = ?",
    /* at, id: the one opt-out confirmation went out, its channel's bit
     * (DN_OPTOUT_*) on the customer; other contacts change nothing */
    [ST_CONFIRMATION_SENT] =
        "UPDATE customers cu JOIN contacts co ON co.customer_id = cu.id "
        "SET cu.opt_out_confirmed = cu.opt_out_confirmed | CASE co.channel "
        "WHEN 'sms' THEN 1 WHEN 'email' THEN 2 WHEN 'voice' THEN 4 WHEN 'agent' THEN 4 "
        "WHEN 'chat' THEN 8 ELSE 0 END, cu.updated_at = ? "
        "WHERE co.id = ? AND co.purpose = 'optout_confirm'",
    /* channel, before, owner */
    [ST_REQUEUE_SELECT] =
        "SELECT id, customer_id FROM contacts WHERE channel = ? AND state = 'sending' "
        "AND updated_at < ? AND NOT (claimed_by <=> ?) ORDER BY id FOR UPDATE",
    /* ids as a JSON array, now, now: the rows ST_REQUEUE_SELECT locked */
    [ST_REQUEUE_MARK] =
        "UPDATE contacts c JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j "
        "ON j.id = c.id SET c.state = 'planned', c.scheduled_at = ?, c.updated_at = ?, "
        "c.state_reason = 'the engine stopped while this contact was being sent; sent again "
        "with the same idempotency key, which the provider deduplicates' "
        "WHERE c.state = 'sending'",
    [ST_CONTACT_PROVIDER] =
        "SELECT state, COALESCE(provider_id, '') FROM contacts WHERE id = ? FOR UPDATE",
    /* provider ids, at, id */
    [ST_CONTACT_SET_PROVIDER] =
        "UPDATE contacts SET provider_id = ?, updated_at = ? WHERE id = ?",
    /* chat id, username, chat id: on the indexed chat_handle column (014) */
    [ST_CUSTOMER_BY_CHAT] =
        "SELECT external_id FROM customers WHERE chat_handle IN "
        "(LOWER(TRIM(LEADING '@' FROM ?)), LOWER(TRIM(LEADING '@' FROM ?))) "
        "ORDER BY chat_handle = LOWER(TRIM(LEADING '@' FROM ?)) DESC, id LIMIT 1",
    [ST_LETTER_READ] =
        "SELECT k.customer_id, c.external_id, k.state, COALESCE(k.sent_at, k.updated_at), "
        "k.posted_on FROM contacts k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.id = ? AND k.channel = 'letter' FOR UPDATE",
    /* posted_on, at, id */
    [ST_LETTER_POSTED] = "UPDATE contacts SET posted_on = ?, updated_at = ? WHERE id = ?",
    [ST_CONTACT_ADDRESSES] =
        "SELECT k.channel, k.address, c.email, c.phone, c.chat FROM contacts k "
        "JOIN customers c ON c.id = k.customer_id WHERE k.id = ? FOR UPDATE",
    /* bits, at, id */
    [ST_CUSTOMER_UNDELIVERABLE] =
        "UPDATE customers SET undeliverable = undeliverable | ?, next_evaluation_at = 0, "
        "updated_at = ? WHERE id = ?",
};

/* One prepared statement and its result buffers (grown to the longest value
 * seen; owned here, freed with the connection). */
typedef struct mq {
    MYSQL_STMT    *st;
    MYSQL_RES     *meta;          /* column names and types; NULL: no result set */
    unsigned       ncols;
    unsigned       nparams;
    MYSQL_BIND    *res;
    char         **buf;
    unsigned long *cap, *len;
    my_bool       *nul, *error;
    bool           stored;        /* a result set is buffered and must be freed */
} mq;

typedef struct maria_store {
    MYSQL          *db;
    dn_mariadb_dsn  dsn;
    mq              q[STMT_TOTAL];
    bool            connected;    /* db open and every statement prepared */
    bool            broken;       /* the server went away; reconnect before the next use */
    bool            tx_open;      /* inside the caller's begin()/commit() */
    bool            tx_lost;      /* the connection dropped inside it */
    int64_t         retry_at_ms;
    int             backoff_ms;
    char            owner[33];    /* random per open: contacts.claimed_by of our sends */
} maria_store;

/* ---- parameters ---- */

enum { QP_NULL, QP_INT, QP_TEXT };
typedef struct qp {
    int         kind;
    long long   i;
    const char *s;
    char        date[11];
} qp;

#define PI(v)  ((qp){ .kind = QP_INT, .i = (long long)(v) })
#define PT(v)  ((qp){ .kind = QP_TEXT, .s = (v) })
#define PNULL  ((qp){ .kind = QP_NULL })

/* Text, or SQL NULL for NULL and "" (optional text columns). */
static qp text_or_null(const char *v)
{
    return v && *v ? PT(v) : PNULL;
}

/* A row id, 0 ("none") as NULL. */
static qp id_or_null(int64_t id)
{
    return id ? PI(id) : PNULL;
}

/* A date as 'YYYY-MM-DD', DN_NO_DATE as NULL. */
static qp date_param(dn_date d)
{
    qp p = { .kind = QP_NULL };
    if (d != DN_NO_DATE) {
        p.kind = QP_TEXT;
        dn_date_format(d, p.date);
    }
    return p;
}

#define PARAMS(...) (qp[]){ __VA_ARGS__ }, (unsigned)(sizeof((qp[]){ __VA_ARGS__ }) / sizeof(qp))

/* ---- errors ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is this error the connection itself going away? */
static bool connection_error(unsigned code)
{
    return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
           code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR ||
           code == CR_SERVER_LOST_EXTENDED || code == ER_CONNECTION_KILLED ||
           code == CR_COMMANDS_OUT_OF_SYNC || code == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */;
}

/* The column or constraint a MariaDB message names: the text inside the
 * first quotes after "column " or "CONSTRAINT ", last dotted part. */
static void field_from_message(const char *msg, char *out, size_t size)
{
    out[0] = '\0';
    const char *at = strstr(msg, "column ");
    if (at)
        at += 7;
    else if ((at = strstr(msg, "CONSTRAINT ")))
        at += 11;
    else
        return;
    char quote = *at;
    if (quote != '\'' && quote != '`')
        return;
    const char *start = at + 1, *end = start;
    while (*end && !(*end == quote && (end[1] != '.')))
        end++;
    /* `db`.`table`.`column`: keep what follows the last "`.`" */
    const char *last = start;
    for (const char *p = start; p < end; p++)
        if (*p == quote && p[1] == '.' && p[2] == quote)
            last = p + 3;
    size_t n = (size_t)(end - last);
    if (n >= size)
        n = size - 1;
    memcpy(out, last, n);
    out[n] = '\0';
    /* CHECK constraints on a column are named "table.column" */
    char *dot = strrchr(out, '.');
    if (dot)
        memmove(out, dot + 1, strlen(dot + 1) + 1);
}

/* Turns a MariaDB error into our convention: a duplicate key is -EEXIST;
 * a value the column refuses (too long, not UTF-8, out of range, a CHECK,
 * a missing reference, the append-only trigger) is -EINVAL naming the
 * column when the message does; lock waits and deadlocks are -EBUSY; the
 * connection going away is -EIO and marks the store for reconnection. */
static int db_fail(maria_store *s, unsigned code, const char *message, dn_err *err,
                   const char *field, const char *what)
{
    char column[96];
    int rc;
    field_from_message(message, column, sizeof column);
    switch (code) {
    case ER_DUP_ENTRY:
        rc = -EEXIST;
        break;
    case ER_DATA_TOO_LONG:
        rc = -E2BIG;
        break;
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_CONSTRAINT_FAILED: case ER_NO_REFERENCED_ROW_2: case ER_BAD_NULL_ERROR:
    case ER_SIGNAL_EXCEPTION: case 1292 /* ER_TRUNCATED_WRONG_VALUE */:
        rc = -EINVAL;
        break;
    case ER_LOCK_DEADLOCK: case ER_LOCK_WAIT_TIMEOUT:
        rc = -EBUSY;
        break;
    default:
        rc = -EIO;
        break;
    }
    if (connection_error(code)) {
        s->broken = true;
        if (s->tx_open) {
            s->tx_open = false;
            s->tx_lost = true;
        }
    }
    if (!field && column[0])
        field = column;
    if (rc == -E2BIG)
        return dn_err_set(err, rc, field, "%s: %s is longer than the database allows (%s)",
                          what, field ? field : "a value", message);
    return dn_err_set(err, rc, field, "%s: %s", what, message);
}

static int stmt_fail(maria_store *s, mq *q, dn_err *err, const char *what)
{
    return db_fail(s, mysql_stmt_errno(q->st), mysql_stmt_error(q->st), err, NULL, what);
}

static int conn_fail(maria_store *s, dn_err *err, const char *what)
{
    return db_fail(s, mysql_errno(s->db), mysql_error(s->db), err, NULL, what);
}

/* ---- statements ---- */

/* Frees what one statement holds; safe on a half-prepared one. */
static void mq_release(mq *q)
{
    if (q->stored && q->st)
        mysql_stmt_free_result(q->st);
    if (q->meta)
        mysql_free_result(q->meta);
    if (q->st)
        mysql_stmt_close(q->st);
    if (q->buf)
        for (unsigned i = 0; i < q->ncols; i++)
            free(q->buf[i]);
    free(q->buf);
    free(q->res);
    free(q->cap);
    free(q->len);
    free(q->nul);
    free(q->error);
    memset(q, 0, sizeof *q);
}

/* Gives q a text buffer per result column of its metadata (q->meta). */
static int mq_columns(mq *q, dn_err *err, int id)
{
    q->ncols = mysql_num_fields(q->meta);
    q->res = calloc(q->ncols, sizeof *q->res);
    q->buf = calloc(q->ncols, sizeof *q->buf);
    q->cap = calloc(q->ncols, sizeof *q->cap);
    q->len = calloc(q->ncols, sizeof *q->len);
    q->nul = calloc(q->ncols, sizeof *q->nul);
    q->error = calloc(q->ncols, sizeof *q->error);
    if (!q->res || !q->buf || !q->cap || !q->len || !q->nul || !q->error)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory preparing statement %d", id);
    for (unsigned i = 0; i < q->ncols; i++) {
        q->buf[i] = malloc(COLUMN_START_SIZE);
        if (!q->buf[i])
            return dn_err_set(err, -ENOMEM, NULL, "out of memory preparing statement %d", id);
        q->cap[i] = COLUMN_START_SIZE;
        q->res[i].buffer_type = MYSQL_TYPE_STRING;
        q->res[i].buffer = q->buf[i];
        q->res[i].buffer_length = COLUMN_START_SIZE - 1;
        q->res[i].length = &q->len[i];
        q->res[i].is_null = &q->nul[i];
        q->res[i].error = &q->error[i];
    }
    return 0;
}

/* Prepares statement id (stmt_sql or module_sql) with a text buffer per
 * result column. The server describes the result of INSERT ... RETURNING
 * only once it has run, so q_exec gives those their buffers at the first
 * execution. */
static int mq_prepare(maria_store *s, int id, dn_err *err)
{
    mq *q = &s->q[id];
    const char *sql = id < ST_COUNT ? stmt_sql[id] : module_sql[id - ST_COUNT];
    q->st = mysql_stmt_init(s->db);
    if (!q->st)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory preparing statement %d", id);
    if (mysql_stmt_prepare(q->st, sql, (unsigned long)strlen(sql)))
        return dn_err_set(err, -EIO, NULL, "cannot prepare statement %d (%s): %s", id, sql,
                          mysql_stmt_error(q->st));
    q->nparams = (unsigned)mysql_stmt_param_count(q->st);
    q->meta = mysql_stmt_result_metadata(q->st);
    return q->meta ? mq_columns(q, err, id) : 0;
}

/* Ends the use of a statement's result set (harmless when there is none). */
static void q_done(mq *q)
{
    if (q->stored) {
        mysql_stmt_free_result(q->st);
        q->stored = false;
    }
}

/* Binds n parameters and executes statement id; a result set is buffered
 * client-side (read it with q_fetch, end with q_done). */
static int q_exec(maria_store *s, int id, const qp *p, unsigned n, dn_err *err,
                  const char *what)
{
    mq *q = &s->q[id];
    MYSQL_BIND bind[PARAMS_MAX];
    unsigned long lengths[PARAMS_MAX];
    if (!s->connected || s->broken)
        return dn_err_set(err, -EIO, NULL, "%s: the database connection is down", what);
    if (n != q->nparams || n > PARAMS_MAX)
        return dn_err_set(err, -EINVAL, NULL, "%s: statement %d takes %u parameters, not %u",
                          what, (int)id, q->nparams, n);
    q_done(q);
    memset(bind, 0, sizeof bind);
    for (unsigned i = 0; i < n; i++) {
        switch (p[i].kind) {
        case QP_INT:
            bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
            bind[i].buffer = (void *)&p[i].i;
            break;
        case QP_TEXT: {
            const char *text = p[i].s ? p[i].s : p[i].date;
            lengths[i] = (unsigned long)strlen(text);
            bind[i].buffer_type = MYSQL_TYPE_STRING;
            bind[i].buffer = (void *)text;
            bind[i].buffer_length = lengths[i];
            bind[i].length = &lengths[i];
            break;
        }
        default:
            bind[i].buffer_type = MYSQL_TYPE_NULL;
            break;
        }
    }
    if (n && mysql_stmt_bind_param(q->st, bind))
        return stmt_fail(s, q, err, what);
    if (mysql_stmt_execute(q->st))
        return stmt_fail(s, q, err, what);
    if (!q->meta && mysql_stmt_field_count(q->st) > 0) {
        q->meta = mysql_stmt_result_metadata(q->st);
        int rc = q->meta ? mq_columns(q, err, id)
                         : dn_err_set(err, -ENOMEM, NULL, "%s: no result description", what);
        if (rc < 0)
            return rc;
    }
    if (q->meta) {
        if (mysql_stmt_store_result(q->st))
            return stmt_fail(s, q, err, what);
        q->stored = true;
        if (mysql_stmt_bind_result(q->st, q->res)) {
            q_done(q);
            return stmt_fail(s, q, err, what);
        }
    }
    return 0;
}

/* The next row: 1 (columns readable with col_*), 0 at the end, or a
 * negative errno. A value longer than its buffer grows the buffer and is
 * fetched again, so nothing is cut. */
static int q_fetch(maria_store *s, int id, dn_err *err, const char *what)
{
    mq *q = &s->q[id];
    int rc = mysql_stmt_fetch(q->st);
    if (rc == MYSQL_NO_DATA)
        return 0;
    if (rc == 1)
        return stmt_fail(s, q, err, what);
    bool rebind = false;
    for (unsigned i = 0; i < q->ncols; i++) {
        if (q->nul[i]) {
            q->buf[i][0] = '\0';
            continue;
        }
        if (q->len[i] >= q->cap[i]) {
            unsigned long size = q->len[i] + 1;
            char *bigger = realloc(q->buf[i], size);
            if (!bigger)
                return dn_err_set(err, -ENOMEM, NULL, "%s: out of memory reading a column", what);
            q->buf[i] = bigger;
            q->cap[i] = size;
            q->res[i].buffer = bigger;
            q->res[i].buffer_length = size - 1;
            if (mysql_stmt_fetch_column(q->st, &q->res[i], i, 0))
                return stmt_fail(s, q, err, what);
            rebind = true;
        }
        q->buf[i][q->len[i]] = '\0';
    }
    if (rebind && mysql_stmt_bind_result(q->st, q->res))
        return stmt_fail(s, q, err, what);
    return 1;
}

/* Executes and reads the first row: 1 with the row readable (the caller
 * calls q_done), 0 when there is none, or a negative errno. */
static int q_row(maria_store *s, int id, const qp *p, unsigned n, dn_err *err,
                 const char *what)
{
    int rc = q_exec(s, id, p, n, err, what);
    if (rc < 0)
        return rc;
    rc = q_fetch(s, id, err, what);
    if (rc <= 0)
        q_done(&s->q[id]);
    return rc;
}

static bool col_null(maria_store *s, int id, unsigned i)
{
    return s->q[id].nul[i] != 0;
}

static const char *col_text(maria_store *s, int id, unsigned i)
{
    return s->q[id].buf[i];
}

static int64_t col_int(maria_store *s, int id, unsigned i)
{
    return col_null(s, id, i) ? 0 : strtoll(s->q[id].buf[i], NULL, 10);
}

static void col_copy(maria_store *s, int id, unsigned i, char *dst, size_t size)
{
    dn_strlcpy(dst, col_text(s, id, i), size);
}

static dn_date col_date(maria_store *s, int id, unsigned i)
{
    dn_date d;
    if (col_null(s, id, i) || dn_date_parse(col_text(s, id, i), &d) < 0)
        return DN_NO_DATE;
    return d;
}

static uint64_t affected(maria_store *s, int id)
{
    return (uint64_t)mysql_stmt_affected_rows(s->q[id].st);
}

static int64_t insert_id(maria_store *s, int id)
{
    return (int64_t)mysql_stmt_insert_id(s->q[id].st);
}

/* Runs one fixed control statement (no data in it). */
static int control(maria_store *s, const char *sql, dn_err *err)
{
    if (!s->connected || s->broken)
        return dn_err_set(err, -EIO, NULL, "%s: the database connection is down", sql);
    if (mysql_real_query(s->db, sql, (unsigned long)strlen(sql)))
        return conn_fail(s, err, sql);
    return 0;
}

/* ---- connection ---- */

static void disconnect(maria_store *s)
{
    for (int i = 0; i < STMT_TOTAL; i++)
        mq_release(&s->q[i]);
    if (s->db)
        mysql_close(s->db);
    s->db = NULL;
    s->connected = false;
    s->broken = false;
}

struct st_mysql *dn_mariadb_connect(const dn_mariadb_dsn *d, dn_err *err)
{
    static const char session[] =
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
        "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
        "SESSION tx_isolation = 'READ-COMMITTED', "
        "SESSION innodb_lock_wait_timeout = 10, SESSION time_zone = '+00:00'";
    MYSQL *db = mysql_init(NULL);
    if (!db) {
        dn_err_set(err, -ENOMEM, NULL, "out of memory opening the store");
        return NULL;
    }
    unsigned connect_timeout = d->connect_timeout, read_timeout = d->read_timeout,
             write_timeout = d->write_timeout;
    my_bool no = 0;
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
    mysql_options(db, MYSQL_OPT_RECONNECT, &no);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char *where = d->socket[0] ? d->socket : d->host;
    if (!mysql_real_connect(db, d->socket[0] ? "localhost" : d->host,
                            d->user[0] ? d->user : NULL, d->password[0] ? d->password : NULL,
                            d->database, d->port, d->socket[0] ? d->socket : NULL,
                            CLIENT_FOUND_ROWS) ||
        mysql_real_query(db, session, sizeof session - 1)) {
        dn_err_set(err, -EIO, "dsn", "cannot connect to MariaDB at %s: %s", where,
                   mysql_error(db));
        mysql_close(db);
        return NULL;
    }
    return db;
}

void dn_mariadb_dsn_redact(const char *dsn, char *out, size_t size)
{
    const char *start = strncmp(dsn, "mariadb://", 10) == 0 ? dsn + 10 : NULL;
    const char *slash = start ? strchr(start, '/') : NULL;
    const char *at = NULL, *colon = NULL;
    for (const char *c = start; c && c < (slash ? slash : start + strlen(start)); c++)
        if (*c == '@')
            at = c;
    if (at)
        colon = memchr(start, ':', (size_t)(at - start));
    if (!colon) {
        dn_strlcpy(out, dsn, size);
        return;
    }
    snprintf(out, size, "%.*s:***%s", (int)(colon - dsn), dsn, at);
}

/* Connects with the DSN's timeouts and configures the session. */
static int connect_server(maria_store *s, dn_err *err)
{
    s->db = dn_mariadb_connect(&s->dsn, err);
    if (!s->db)
        return err ? err->code : -EIO;
    s->connected = true;
    return 0;
}

static int prepare_all(maria_store *s, dn_err *err)
{
    for (int i = 0; i < STMT_TOTAL; i++) {
        int rc = mq_prepare(s, i, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Makes sure the connection is up: after it went away, reconnects (at most
 * once per backoff period) and prepares every statement again. -EIO while
 * the server cannot be reached. */
static int ensure_connected(maria_store *s, dn_err *err)
{
    /* the rest of a caller's transaction must not land outside it, on a
     * new connection, one statement at a time */
    if (s->tx_lost)
        return dn_err_set(err, -EIO, "store", "the database connection dropped inside the "
                          "open transaction; it is lost and must be rolled back");
    if (s->connected && !s->broken)
        return 0;
    int64_t now = now_ms();
    if (now < s->retry_at_ms)
        return dn_err_set(err, -EIO, "store", "the MariaDB server is unreachable; "
                          "next connection attempt in %lld ms", (long long)(s->retry_at_ms - now));
    disconnect(s);
    int rc = connect_server(s, err);
    if (rc == 0)
        rc = prepare_all(s, err);
    if (rc < 0) {
        disconnect(s);
        s->retry_at_ms = now + s->backoff_ms;
        s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
        dn_log(DN_LOG_WARN, "store", "MariaDB unreachable (%s); next try in %d ms", err ? err->msg : "",
               (int)(s->retry_at_ms - now));
        return rc < 0 ? -EIO : rc;
    }
    if (s->backoff_ms != BACKOFF_FIRST_MS)
        dn_log(DN_LOG_INFO, "store", "reconnected to MariaDB");
    s->backoff_ms = BACKOFF_FIRST_MS;
    s->retry_at_ms = 0;
    return 0;
}

/* ---- units of work ---- */

typedef struct unit {
    bool savepoint;
    bool active;
} unit;

/* Starts a unit: a transaction, or a savepoint inside the caller's. */
static int unit_begin(maria_store *s, unit *u, dn_err *err)
{
    u->active = false;
    int rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    u->savepoint = s->tx_open;
    rc = control(s, u->savepoint ? "SAVEPOINT dn_unit" : "START TRANSACTION", err);
    if (rc == 0)
        u->active = true;
    return rc;
}

static void release_results(maria_store *s)
{
    for (int i = 0; i < STMT_TOTAL; i++)
        if (s->q[i].st)
            q_done(&s->q[i]);
}

/* Undoes a unit that failed; harmless when it is no longer active. */
static void unit_abort(maria_store *s, unit *u)
{
    if (!u->active)
        return;
    u->active = false;
    release_results(s);
    if (s->broken)
        return;
    if (u->savepoint) {
        control(s, "ROLLBACK TO SAVEPOINT dn_unit", NULL);
        control(s, "RELEASE SAVEPOINT dn_unit", NULL);
    } else {
        control(s, "ROLLBACK", NULL);
    }
}

static int unit_commit(maria_store *s, unit *u, dn_err *err)
{
    release_results(s);
    int rc = control(s, u->savepoint ? "RELEASE SAVEPOINT dn_unit" : "COMMIT", err);
    if (rc < 0) {
        unit_abort(s, u);
        return rc;
    }
    u->active = false;
    return 0;
}

/* ---- events ---- */

static int insert_event_text(maria_store *s, int64_t customer_id, const char *kind,
                             const char *payload, dn_time at, dn_err *err)
{
    return q_exec(s, ST_EVENT_INSERT, PARAMS(id_or_null(customer_id), PI(at), PT(kind),
                                             PT(payload)), err, "append event");
}

/* payload is owned and released here; NULL (building it failed) fails. */
static int insert_event(maria_store *s, int64_t customer_id, const char *kind, json_t *payload,
                        dn_time at, dn_err *err)
{
    char *text;
    int rc = dn_store_event_text(payload, kind, &text, err);
    if (rc == 0)
        rc = insert_event_text(s, customer_id, kind, text, at, err);
    free(text);
    return rc;
}

static int insert_case_event(maria_store *s, int64_t customer_id, const char *kind,
                             int64_t case_id, dn_date anchor_due, dn_time at, dn_err *err)
{
    char payload[96];
    dn_store_case_payload(payload, sizeof payload, case_id, anchor_due);
    return insert_event_text(s, customer_id, kind, payload, at, err);
}

/* ---- DSN ---- */

/* Copies src[0..n) into dst decoding %XX; false if it does not fit or an
 * escape is malformed. */
static bool copy_decoded(char *dst, size_t size, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            unsigned v;
            char hex[3] = { 0 };
            if (i + 2 >= n)
                return false;
            hex[0] = src[i + 1];
            hex[1] = src[i + 2];
            if (sscanf(hex, "%2x", &v) != 1 || v == 0)
                return false;
            c = (char)v;
            i += 2;
        }
        if (o + 1 >= size)
            return false;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return true;
}

/* A timeout option: 1..3600 seconds. */
static bool parse_seconds(const char *v, size_t n, unsigned *out)
{
    unsigned value = 0;
    if (n == 0 || n > 4)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        value = value * 10 + (unsigned)(v[i] - '0');
    }
    if (value < 1 || value > 3600)
        return false;
    *out = value;
    return true;
}

int dn_mariadb_dsn_parse(const char *dsn, dn_mariadb_dsn *out, dn_err *err)
{
    static const char prefix[] = "mariadb://";
    memset(out, 0, sizeof *out);
    out->connect_timeout = 5;
    out->read_timeout = 30;
    out->write_timeout = 30;
    if (!dsn || strncmp(dsn, prefix, sizeof prefix - 1) != 0)
        return dn_err_set(err, -EINVAL, "dsn", "a MariaDB DSN starts with mariadb://");
    const char *p = dsn + sizeof prefix - 1;
    const char *slash = strchr(p, '/');
    if (!slash)
        return dn_err_set(err, -EINVAL, "dsn", "the MariaDB DSN names no database "
                          "(mariadb://user:password@host:port/database)");
    /* user[:password]@ — the last '@' before the path ends the credentials */
    const char *at = NULL;
    for (const char *c = p; c < slash; c++)
        if (*c == '@')
            at = c;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *user_end = colon ? colon : at;
        if (!copy_decoded(out->user, sizeof out->user, p, (size_t)(user_end - p)))
            return dn_err_set(err, -EINVAL, "dsn", "the MariaDB user name is too long or badly escaped");
        if (colon && !copy_decoded(out->password, sizeof out->password, colon + 1,
                                   (size_t)(at - colon - 1)))
            return dn_err_set(err, -EINVAL, "dsn", "the MariaDB password is too long or badly escaped");
        p = at + 1;
    }
    const char *colon = memchr(p, ':', (size_t)(slash - p));
    const char *host_end = colon ? colon : slash;
    size_t host_len = (size_t)(host_end - p);
    if (host_len >= sizeof out->host)
        return dn_err_set(err, -EINVAL, "dsn", "the MariaDB host name is too long");
    memcpy(out->host, p, host_len);
    out->host[host_len] = '\0';
    if (colon) {
        unsigned port = 0;
        size_t n = (size_t)(slash - colon - 1);
        if (n == 0 || n > 5)
            return dn_err_set(err, -EINVAL, "dsn", "the MariaDB port must be 1..65535");
        for (size_t i = 0; i < n; i++) {
            char c = colon[1 + i];
            if (c < '0' || c > '9')
                return dn_err_set(err, -EINVAL, "dsn", "the MariaDB port must be 1..65535");
            port = port * 10 + (unsigned)(c - '0');
        }
        if (port < 1 || port > 65535)
            return dn_err_set(err, -EINVAL, "dsn", "the MariaDB port must be 1..65535");
        out->port = port;
    }
    const char *db = slash + 1;
    const char *query = strchr(db, '?');
    size_t db_len = query ? (size_t)(query - db) : strlen(db);
    if (db_len == 0 || db_len >= sizeof out->database)
        return dn_err_set(err, -EINVAL, "dsn", "the MariaDB database name must be 1..64 characters");
    for (size_t i = 0; i < db_len; i++) {
        char c = db[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '$'))
            return dn_err_set(err, -EINVAL, "dsn", "the MariaDB database name may hold letters, "
                              "digits, '_' and '$' only");
    }
    memcpy(out->database, db, db_len);
    out->database[db_len] = '\0';
    if (query) {
        const char *opt = query + 1;
        while (*opt) {
            const char *end = strchr(opt, '&');
            size_t n = end ? (size_t)(end - opt) : strlen(opt);
            const char *eq = memchr(opt, '=', n);
            if (!eq)
                return dn_err_set(err, -EINVAL, "dsn", "DSN option %.*s has no value", (int)n, opt);
            size_t key_len = (size_t)(eq - opt), value_len = n - key_len - 1;
            const char *value = eq + 1;
            bool ok;
            if (key_len == 6 && strncmp(opt, "socket", 6) == 0)
                ok = copy_decoded(out->socket, sizeof out->socket, value, value_len) && value_len;
            else if (key_len == 15 && strncmp(opt, "connect_timeout", 15) == 0)
                ok = parse_seconds(value, value_len, &out->connect_timeout);
            else if (key_len == 12 && strncmp(opt, "read_timeout", 12) == 0)
                ok = parse_seconds(value, value_len, &out->read_timeout);
            else if (key_len == 13 && strncmp(opt, "write_timeout", 13) == 0)
                ok = parse_seconds(value, value_len, &out->write_timeout);
            else
                return dn_err_set(err, -EINVAL, "dsn", "unknown DSN option %.*s (socket, "
                                  "connect_timeout, read_timeout, write_timeout)", (int)key_len, opt);
            if (!ok)
                return dn_err_set(err, -EINVAL, "dsn", "DSN option %.*s has a bad value",
                                  (int)key_len, opt);
            opt += n;
            if (*opt == '&')
                opt++;
        }
    }
    if (!out->socket[0] && !out->host[0])
        return dn_err_set(err, -EINVAL, "dsn", "the MariaDB DSN names neither a host nor a socket");
    return 0;
}

/* ---- migrations ---- */

/* One integer from a fixed single-value query (no data in the text). */
static int query_int(maria_store *s, const char *sql, long long *out, dn_err *err)
{
    int rc = control(s, sql, err);
    if (rc < 0)
        return rc;
    MYSQL_RES *res = mysql_store_result(s->db);
    if (!res)
        return conn_fail(s, err, sql);
    MYSQL_ROW row = mysql_fetch_row(res);
    *out = row && row[0] ? strtoll(row[0], NULL, 10) : 0;
    mysql_free_result(res);
    return 0;
}

/* Runs a migration file (several statements) and drains every result. */
static int run_script(maria_store *s, const char *name, const char *sql, dn_err *err)
{
    int rc = 0;
    if (mysql_set_server_option(s->db, MYSQL_OPTION_MULTI_STATEMENTS_ON))
        return conn_fail(s, err, "enable multi statements");
    if (mysql_real_query(s->db, sql, (unsigned long)strlen(sql))) {
        rc = dn_err_set(err, -EIO, name, "migration failed: %s", mysql_error(s->db));
        goto done;
    }
    for (int guard = 0; guard < 100000; guard++) {
        MYSQL_RES *res = mysql_store_result(s->db);
        if (res)
            mysql_free_result(res);
        int next = mysql_next_result(s->db);
        if (next == -1)
            break;
        if (next > 0) {
            rc = dn_err_set(err, -EIO, name, "migration failed: %s", mysql_error(s->db));
            goto done;
        }
    }
done:
    mysql_set_server_option(s->db, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    return rc;
}

/* Applies schema_root/mariadb/NNN_*.sql above the recorded version, in order,
 * under a server-wide named lock so instances starting together migrate
 * once. DDL commits implicitly in MariaDB, so a file is not atomic: the
 * files are written to be run again safely (IF NOT EXISTS), and the version
 * row is written only after the whole file succeeded. */
static int migrate(maria_store *s, const char *schema_root, dn_err *err)
{
    dn_migration *list = NULL;
    int count = 0, rc;
    char *sql = NULL;
    long long locked = 0, current = 0;
    MYSQL_STMT *record = NULL;

    rc = control(s, "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, "
                 "name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL) ENGINE = InnoDB "
                 "DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin", err);
    if (rc < 0)
        return rc;
    rc = query_int(s, "SELECT GET_LOCK('dunningd_migrate', 60)", &locked, err);
    if (rc < 0)
        return rc;
    if (locked != 1)
        return dn_err_set(err, -EBUSY, "schema", "another instance holds the migration lock");
    rc = query_int(s, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &current, err);
    if (rc < 0)
        goto done;

    char folder[PATH_MAX];
    if ((size_t)snprintf(folder, sizeof folder, "%s/mariadb", schema_root) >= sizeof folder) {
        rc = dn_err_set(err, -ENAMETOOLONG, "schema_root", "schema folder path too long");
        goto done;
    }
    rc = dn_store_list_migrations(folder, &list, &count, err);
    if (rc < 0)
        goto done;
    static const char record_sql[] =
        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)";
    for (int i = 0; i < count; i++) {
        if (list[i].version <= current)
            continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", folder, list[i].name);
        rc = dn_store_read_migration(path, &sql, err);
        if (rc < 0)
            goto done;
        rc = run_script(s, list[i].name, sql, err);
        if (rc < 0)
            goto done;
        record = mysql_stmt_init(s->db);
        long long version = list[i].version, applied = dn_now();
        unsigned long name_len = (unsigned long)strlen(list[i].name);
        MYSQL_BIND bind[3];
        memset(bind, 0, sizeof bind);
        bind[0].buffer_type = MYSQL_TYPE_LONGLONG;
        bind[0].buffer = &version;
        bind[1].buffer_type = MYSQL_TYPE_STRING;
        bind[1].buffer = list[i].name;
        bind[1].buffer_length = name_len;
        bind[1].length = &name_len;
        bind[2].buffer_type = MYSQL_TYPE_LONGLONG;
        bind[2].buffer = &applied;
        if (!record || mysql_stmt_prepare(record, record_sql, sizeof record_sql - 1) ||
            mysql_stmt_bind_param(record, bind) || mysql_stmt_execute(record)) {
            rc = dn_err_set(err, -EIO, list[i].name, "cannot record migration: %s",
                            record ? mysql_stmt_error(record) : "out of memory");
            goto done;
        }
        mysql_stmt_close(record);
        record = NULL;
        dn_log(DN_LOG_INFO, "store", "applied migration mariadb/%s", list[i].name);
        free(sql);
        sql = NULL;
    }
done:
    if (record)
        mysql_stmt_close(record);
    if (!s->broken)
        query_int(s, "SELECT RELEASE_LOCK('dunningd_migrate')", &locked, NULL);
    free(sql);
    free(list);
    return rc;
}

/* ---- open / close ---- */

static void maria_close(void *ctx)
{
    maria_store *s = ctx;
    if (!s)
        return;
    disconnect(s);
    free(s);
}

/* A random name for this open store (contacts.claimed_by of its sends):
 * the kernel's randomness, or, should that fail, the clock, the process id
 * and an address, which still differ between live processes. */
static void set_owner(maria_store *s)
{
    unsigned char nonce[16];
    if (getrandom(nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t mix[2] = { (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
                            ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s };
        memcpy(nonce, mix, sizeof nonce);
    }
    for (size_t i = 0; i < sizeof nonce; i++)
        snprintf(s->owner + 2 * i, 3, "%02x", nonce[i]);
}

/* dsn as in store_mariadb.h; schema_root holds mariadb/. On success *ctx
 * owns the connection and every prepared statement. */
static int maria_open(void **ctx, const char *dsn, const char *schema_root, dn_err *err)
{
    maria_store *s = calloc(1, sizeof *s);
    if (!s)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory opening the store");
    s->backoff_ms = BACKOFF_FIRST_MS;
    set_owner(s);
    int rc = dn_mariadb_dsn_parse(dsn, &s->dsn, err);
    if (rc < 0)
        goto fail;
    rc = connect_server(s, err);
    if (rc < 0)
        goto fail;
    rc = migrate(s, schema_root, err);
    if (rc < 0)
        goto fail;
    rc = prepare_all(s, err);
    if (rc < 0)
        goto fail;
    *ctx = s;
    return 0;
fail:
    maria_close(s);
    return rc;
}

static int maria_schema_version(void *ctx, int *version, dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_SCHEMA_VERSION, NULL, 0, err, "read schema version");
    if (rc < 0)
        return rc;
    *version = rc ? (int)col_int(s, ST_SCHEMA_VERSION, 0) : 0;
    q_done(&s->q[ST_SCHEMA_VERSION]);
    return 0;
}

/* ---- customers ---- */

static void read_customer(maria_store *s, enum stmt_id id, dn_customer *c, char *persona,
                          size_t persona_size)
{
    c->id = col_int(s, id, 0);
    col_copy(s, id, 1, c->external_id, sizeof c->external_id);
    col_copy(s, id, 2, c->name, sizeof c->name);
    col_copy(s, id, 3, c->language, sizeof c->language);
    col_copy(s, id, 4, c->timezone, sizeof c->timezone);
    col_copy(s, id, 5, c->country, sizeof c->country);
    col_copy(s, id, 6, c->email, sizeof c->email);
    col_copy(s, id, 7, c->phone, sizeof c->phone);
    col_copy(s, id, 8, c->chat, sizeof c->chat);
    c->age = (int)col_int(s, id, 9);
    c->holds = (unsigned)col_int(s, id, 10);
    c->hold_until = col_date(s, id, 11);
    c->opt_out = (unsigned)col_int(s, id, 12);
    if (persona)
        col_copy(s, id, 13, persona, persona_size);
    c->opt_out_confirmed = (unsigned)col_int(s, id, 14);
    c->third_party = (unsigned)col_int(s, id, 15);
    c->consent = (unsigned)col_int(s, id, 16);
    c->undeliverable = (unsigned)col_int(s, id, 18);
    /* ';'-joined text forms, written only by dn_store_blackouts_format() */
    char text[DN_STORE_BLACKOUT_TEXT];
    col_copy(s, id, 17, text, sizeof text);
    dn_store_blackouts_parse(text, c);
}

static int customer_id_by_external(maria_store *s, const char *external_id, int64_t *id,
                                   dn_err *err)
{
    int rc = q_row(s, ST_CUSTOMER_ID_BY_EXT, PARAMS(PT(external_id)), err, "customer lookup");
    if (rc == 1) {
        *id = col_int(s, ST_CUSTOMER_ID_BY_EXT, 0);
        q_done(&s->q[ST_CUSTOMER_ID_BY_EXT]);
    }
    return rc;
}

static int maria_upsert_customer(void *ctx, dn_customer *c, dn_upsert_outcome *outcome,
                                 dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_customer(c, err);
    if (rc < 0)
        return rc;
    /* a confirmation belongs to an opt-out in force: opting in again
     * forgets it, so the next opt-out earns its own */
    c->opt_out_confirmed &= c->opt_out;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    dn_time now = dn_now();
    dn_customer stored;
    rc = q_row(s, ST_CUSTOMER_BY_EXT, PARAMS(PT(c->external_id)), err, "customer lookup");
    if (rc < 0)
        goto fail;
    bool exists = rc == 1;
    if (exists) {
        read_customer(s, ST_CUSTOMER_BY_EXT, &stored, NULL, 0);
        q_done(&s->q[ST_CUSTOMER_BY_EXT]);
    }
    const char *changed = exists ? dn_store_customer_difference(c, &stored) : NULL;
    if (exists && !changed) {
        c->id = stored.id;
        *outcome = DN_UPSERT_SAME;
        return unit_commit(s, &u, err);
    }
    char blackout[DN_STORE_BLACKOUT_TEXT];
    dn_store_blackouts_format(c, blackout, sizeof blackout);
    if (exists)
        rc = q_exec(s, ST_CUSTOMER_UPDATE,
                    PARAMS(PT(c->name), PT(c->language), PT(c->timezone), PT(c->country),
                           PT(c->email), PT(c->phone), PT(c->chat), PI(c->age), PI(c->holds),
                           date_param(c->hold_until), PI(c->opt_out), PI(now),
                           PI(c->opt_out_confirmed), PI(c->third_party), PI(c->consent),
                           PT(blackout), PI(c->undeliverable), PT(c->external_id)), err,
                    "customer write");
    else
        rc = q_exec(s, ST_CUSTOMER_INSERT,
                    PARAMS(PT(c->external_id), PT(c->name), PT(c->language), PT(c->timezone),
                           PT(c->country), PT(c->email), PT(c->phone), PT(c->chat), PI(c->age),
                           PI(c->holds), date_param(c->hold_until), PI(c->opt_out), PI(now),
                           PI(now), PI(c->opt_out_confirmed), PI(c->third_party),
                           PI(c->consent), PT(blackout), PI(c->undeliverable)), err,
                    "customer write");
    if (rc < 0)
        goto fail;
    c->id = exists ? stored.id : insert_id(s, ST_CUSTOMER_INSERT);
    rc = insert_event(s, c->id, exists ? "customer_updated" : "customer_created",
                      dn_store_customer_event(c->external_id, changed), now, err);
    if (rc < 0)
        goto fail;
    rc = unit_commit(s, &u, err);
    if (rc == 0)
        *outcome = exists ? DN_UPSERT_UPDATED : DN_UPSERT_CREATED;
    return rc;
fail:
    unit_abort(s, &u);
    return rc;
}

static int maria_get_customer(void *ctx, const char *external_id, dn_customer *out, dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_CUSTOMER_BY_EXT, PARAMS(PT(external_id)), err, "customer lookup");
    if (rc < 0)
        return rc;
    if (rc == 0)
        return dn_err_set(err, -ENOENT, "external_id", "no customer %s", external_id);
    read_customer(s, ST_CUSTOMER_BY_EXT, out, NULL, 0);
    q_done(&s->q[ST_CUSTOMER_BY_EXT]);
    return 0;
}

/* Without ensure_connected: also used inside units. */
static int touch_customer(maria_store *s, int64_t customer_id, dn_time at, dn_err *err)
{
    int rc = q_exec(s, ST_CUSTOMER_TOUCH, PARAMS(PI(at), PI(customer_id)), err, "touch customer");
    if (rc == 0 && affected(s, ST_CUSTOMER_TOUCH) == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer with id %lld",
                        (long long)customer_id);
    return rc;
}

static int maria_touch_customer(void *ctx, int64_t customer_id, dn_time at, dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    return rc < 0 ? rc : touch_customer(s, customer_id, at, err);
}

/* ---- cases ---- */

static int open_case(maria_store *s, int64_t customer_id, int64_t *case_id, dn_date *anchor,
                     int *stage_day, dn_err *err)
{
    int rc = q_row(s, ST_CASE_OPEN_FOR, PARAMS(PI(customer_id)), err, "case lookup");
    if (rc == 1) {
        *case_id = col_int(s, ST_CASE_OPEN_FOR, 0);
        if (anchor)
            *anchor = col_date(s, ST_CASE_OPEN_FOR, 1);
        if (stage_day)
            *stage_day = col_null(s, ST_CASE_OPEN_FOR, 2) ? INT32_MIN
                                                          : (int)col_int(s, ST_CASE_OPEN_FOR, 2);
        q_done(&s->q[ST_CASE_OPEN_FOR]);
    }
    return rc;
}

static int close_case_if_settled(maria_store *s, int64_t customer_id, dn_time now, dn_err *err)
{
    int64_t case_id = 0;
    int rc = open_case(s, customer_id, &case_id, NULL, NULL, err);
    if (rc <= 0)
        return rc;
    rc = q_row(s, ST_UNPAID_EXISTS, PARAMS(PI(customer_id)), err, "unpaid check");
    if (rc < 0)
        return rc;
    bool unpaid = rc == 1 && col_int(s, ST_UNPAID_EXISTS, 0) != 0;
    q_done(&s->q[ST_UNPAID_EXISTS]);
    if (unpaid)
        return 0;
    rc = q_exec(s, ST_CASE_CLOSE, PARAMS(PI(now), PI(case_id)), err, "close case");
    if (rc < 0)
        return rc;
    return insert_case_event(s, customer_id, "case_closed", case_id, DN_NO_DATE, now, err);
}

/* ---- invoices ---- */

static int invoice_by_external(maria_store *s, const char *external_id, dn_invoice *out,
                               int64_t *customer_id, dn_err *err)
{
    const enum stmt_id id = ST_INVOICE_BY_EXT;
    int rc = q_row(s, id, PARAMS(PT(external_id)), err, "invoice lookup");
    if (rc != 1)
        return rc;
    out->id = col_int(s, id, 0);
    *customer_id = col_int(s, id, 1);
    col_copy(s, id, 2, out->customer_external_id, sizeof out->customer_external_id);
    col_copy(s, id, 3, out->currency, sizeof out->currency);
    out->amount_minor = col_int(s, id, 4);
    out->paid_minor = col_int(s, id, 5);
    out->issued = col_date(s, id, 6);
    out->due = col_date(s, id, 7);
    dn_invoice_status status = DN_INV_OPEN;
    dn_invoice_status_parse(col_text(s, id, 8), &status);
    out->status = status;
    dn_strlcpy(out->external_id, external_id, sizeof out->external_id);
    q_done(&s->q[id]);
    return 1;
}

static int apply_credit(maria_store *s, int64_t customer_id, const char *currency, dn_time now,
                        dn_err *err);

/* store.h upsert_invoice; an invoice written as open takes the customer's
 * standing credit in its currency (apply_credit). */
static int maria_upsert_invoice(void *ctx, dn_invoice *inv, dn_upsert_outcome *outcome,
                                dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_invoice(inv, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    dn_time now = dn_now();
    int64_t customer_id = 0, stored_customer = 0;
    dn_invoice stored;
    rc = customer_id_by_external(s, inv->customer_external_id, &customer_id, err);
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer %s for invoice %s",
                        inv->customer_external_id, inv->external_id);
    if (rc < 0)
        goto fail;
    rc = invoice_by_external(s, inv->external_id, &stored, &stored_customer, err);
    if (rc < 0)
        goto fail;
    bool exists = rc == 1;
    dn_upsert_outcome result = DN_UPSERT_CREATED;
    if (exists) {
        rc = dn_store_invoice_change(&stored, stored_customer, inv, customer_id, err);
        if (rc < 0)
            goto fail;
        inv->id = stored.id;
        inv->paid_minor = stored.paid_minor;   /* payments own paid_minor once stored */
        if (rc == 0) {
            *outcome = DN_UPSERT_SAME;
            return unit_commit(s, &u, err);
        }
        result = DN_UPSERT_UPDATED;
        rc = q_exec(s, ST_INVOICE_UPDATE,
                    PARAMS(date_param(inv->issued), date_param(inv->due),
                           PT(dn_invoice_status_names[inv->status]), PI(now), PI(stored.id)),
                    err, "invoice write");
    } else {
        rc = q_exec(s, ST_INVOICE_INSERT,
                    PARAMS(PT(inv->external_id), PI(customer_id), PT(inv->currency),
                           PI(inv->amount_minor), PI(inv->paid_minor), date_param(inv->issued),
                           date_param(inv->due), PT(dn_invoice_status_names[inv->status]),
                           PI(now), PI(now)), err, "invoice write");
    }
    if (rc < 0)
        goto fail;
    if (!exists)
        inv->id = insert_id(s, ST_INVOICE_INSERT);
    rc = insert_event(s, customer_id, exists ? "invoice_updated" : "invoice_created",
                      dn_store_invoice_event(inv), now, err);
    if (rc < 0)
        goto fail;
    if (inv->status == DN_INV_OPEN) {
        rc = apply_credit(s, customer_id, inv->currency, now, err);
        if (rc < 0)
            goto fail;
    }
    rc = touch_customer(s, customer_id, 0, err);
    if (rc < 0)
        goto fail;
    rc = close_case_if_settled(s, customer_id, now, err);
    if (rc < 0)
        goto fail;
    rc = unit_commit(s, &u, err);
    if (rc == 0)
        *outcome = result;
    return rc;
fail:
    unit_abort(s, &u);
    return rc;
}

static int maria_get_invoice(void *ctx, const char *external_id, dn_invoice *out, dn_err *err)
{
    maria_store *s = ctx;
    int64_t customer_id;
    int rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    rc = invoice_by_external(s, external_id, out, &customer_id, err);
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "external_id", "no invoice %s", external_id);
    return rc < 0 ? rc : 0;
}

/* ---- payments ---- */

/* Reads the stored payment row (ST_PAYMENT_BY_EXT) into out and its
 * customer's store id, as dn_store_payment_difference compares them. */
static void read_payment(maria_store *s, dn_payment *out, int64_t *customer_id)
{
    const enum stmt_id id = ST_PAYMENT_BY_EXT;
    memset(out, 0, sizeof *out);
    out->id = col_int(s, id, 0);
    *customer_id = col_int(s, id, 1);
    col_copy(s, id, 2, out->currency, sizeof out->currency);
    out->amount_minor = col_int(s, id, 3);
    out->paid_on = col_date(s, id, 4);
    out->is_credit_note = strcmp(col_text(s, id, 5), "credit_note") == 0;
    col_copy(s, id, 6, out->invoice_external_id, sizeof out->invoice_external_id);
}

static int allocate(maria_store *s, int64_t payment_id, int64_t invoice_id, int64_t amount,
                    int64_t customer_id, dn_time now, dn_err *err)
{
    int rc = q_exec(s, ST_ALLOCATION_INSERT, PARAMS(PI(payment_id), PI(invoice_id), PI(amount)),
                    err, "allocation");
    if (rc < 0)
        return rc;
    rc = q_exec(s, ST_INVOICE_ADD_PAID, PARAMS(PI(amount), PI(amount), PI(now), PI(invoice_id)),
                err, "invoice payment");
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_INVOICE_PAID_STATE, PARAMS(PI(invoice_id)), err, "invoice payment");
    if (rc <= 0)
        return rc == 0 ? dn_err_set(err, -EIO, NULL, "invoice %lld vanished",
                                    (long long)invoice_id) : rc;
    bool paid = strcmp(col_text(s, ST_INVOICE_PAID_STATE, 0), "paid") == 0;
    json_t *payload = paid ? json_pack("{s:s}", "external_id",
                                       col_text(s, ST_INVOICE_PAID_STATE, 1)) : NULL;
    q_done(&s->q[ST_INVOICE_PAID_STATE]);
    return paid ? insert_event(s, customer_id, "invoice_paid", payload, now, err) : 0;
}

/* Standing credit to open invoices, as store_sqlite.c's apply_credit:
 * each round spends one payment's credit or pays one invoice in full. */
static int apply_credit(maria_store *s, int64_t customer_id, const char *currency, dn_time now,
                        dn_err *err)
{
    for (;;) {
        char payment[DN_ID_MAX], invoice[DN_ID_MAX];
        int rc = q_row(s, ST_PAYMENT_CREDIT_LEFT, PARAMS(PI(customer_id), PT(currency)), err,
                       "credit lookup");
        if (rc <= 0)
            return rc;
        int64_t payment_id = col_int(s, ST_PAYMENT_CREDIT_LEFT, 0);
        col_copy(s, ST_PAYMENT_CREDIT_LEFT, 1, payment, sizeof payment);
        int64_t credit = col_int(s, ST_PAYMENT_CREDIT_LEFT, 2);
        q_done(&s->q[ST_PAYMENT_CREDIT_LEFT]);
        rc = q_row(s, ST_INVOICE_OLDEST_OPEN, PARAMS(PI(customer_id), PT(currency)), err,
                   "credit allocation lookup");
        if (rc <= 0)
            return rc;
        int64_t invoice_id = col_int(s, ST_INVOICE_OLDEST_OPEN, 0);
        int64_t open_amount = col_int(s, ST_INVOICE_OLDEST_OPEN, 1);
        col_copy(s, ST_INVOICE_OLDEST_OPEN, 2, invoice, sizeof invoice);
        q_done(&s->q[ST_INVOICE_OLDEST_OPEN]);
        int64_t share = credit < open_amount ? credit : open_amount;
        rc = allocate(s, payment_id, invoice_id, share, customer_id, now, err);
        if (rc == 0)
            rc = insert_event(s, customer_id, "credit_applied",
                              json_pack("{s:s, s:s, s:s, s:I}", "payment", payment, "invoice",
                                        invoice, "currency", currency, "amount_minor",
                                        (json_int_t)share), now, err);
        if (rc < 0)
            return rc;
    }
}

static int maria_add_payment(void *ctx, dn_payment *p, dn_upsert_outcome *outcome, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_payment(p, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    dn_time now = dn_now();
    int64_t customer_id = 0;
    const char *kind = p->is_credit_note ? "credit_note" : "payment";
    rc = customer_id_by_external(s, p->customer_external_id, &customer_id, err);
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer %s for payment %s",
                        p->customer_external_id, p->external_id);
    if (rc < 0)
        goto fail;

    rc = q_row(s, ST_PAYMENT_BY_EXT, PARAMS(PT(p->external_id)), err, "payment lookup");
    if (rc < 0)
        goto fail;
    if (rc == 1) {
        dn_payment stored;
        int64_t stored_customer;
        read_payment(s, &stored, &stored_customer);
        q_done(&s->q[ST_PAYMENT_BY_EXT]);
        const char *field = dn_store_payment_difference(&stored, stored_customer, p, customer_id);
        p->id = stored.id;
        if (field) {
            rc = dn_err_set(err, -EEXIST, field, "payment %s was recorded with another %s",
                            p->external_id, field);
            goto fail;
        }
        *outcome = DN_UPSERT_SAME;
        return unit_commit(s, &u, err);
    }

    dn_invoice named;
    int64_t named_customer = 0;
    if (p->invoice_external_id[0]) {
        rc = invoice_by_external(s, p->invoice_external_id, &named, &named_customer, err);
        if (rc == 0)
            rc = dn_err_set(err, -ENOENT, "invoice_external_id", "no invoice %s",
                            p->invoice_external_id);
        if (rc < 0 ||
            (rc = dn_store_check_named_invoice(p, &named, named_customer, customer_id, err)) < 0)
            goto fail;
    }

    char paid_on[11];
    dn_date_format(p->paid_on, paid_on);
    rc = q_exec(s, ST_PAYMENT_INSERT,
                PARAMS(PT(p->external_id), PI(customer_id), PT(p->currency), PI(p->amount_minor),
                       PT(paid_on), PT(kind), text_or_null(p->invoice_external_id), PI(now)),
                err, "payment write");
    if (rc < 0)
        goto fail;
    p->id = insert_id(s, ST_PAYMENT_INSERT);

    int64_t remaining = p->amount_minor;
    if (p->invoice_external_id[0]) {
        int64_t share = dn_store_named_share(&named, remaining);
        if (share > 0) {
            rc = allocate(s, p->id, named.id, share, customer_id, now, err);
            if (rc < 0)
                goto fail;
            remaining -= share;
        }
    } else {
        /* each round pays one invoice fully or spends the rest, so it ends */
        while (remaining > 0) {
            rc = q_row(s, ST_INVOICE_OLDEST_OPEN, PARAMS(PI(customer_id), PT(p->currency)), err,
                       "allocation lookup");
            if (rc < 0)
                goto fail;
            if (rc == 0)
                break;
            int64_t invoice_id = col_int(s, ST_INVOICE_OLDEST_OPEN, 0);
            int64_t open_amount = col_int(s, ST_INVOICE_OLDEST_OPEN, 1);
            q_done(&s->q[ST_INVOICE_OLDEST_OPEN]);
            int64_t share = remaining < open_amount ? remaining : open_amount;
            rc = allocate(s, p->id, invoice_id, share, customer_id, now, err);
            if (rc < 0)
                goto fail;
            remaining -= share;
        }
    }

    rc = insert_event(s, customer_id, kind, dn_store_payment_event(p, remaining), now, err);
    if (rc < 0)
        goto fail;
    rc = touch_customer(s, customer_id, 0, err);
    if (rc < 0)
        goto fail;
    rc = close_case_if_settled(s, customer_id, now, err);
    if (rc < 0)
        goto fail;
    rc = unit_commit(s, &u, err);
    if (rc == 0)
        *outcome = DN_UPSERT_CREATED;
    return rc;
fail:
    unit_abort(s, &u);
    return rc;
}

/* ---- the evaluation pass ---- */

/* The customer ids of facts[0..n) as a JSON array ("[3,5,8]"), malloc'd;
 * NULL when out of memory. */
static char *ids_text(const dn_facts *facts, int n)
{
    json_t *ids = json_array();
    for (int i = 0; ids && i < n; i++)
        if (json_array_append_new(ids, json_integer(facts[i].customer.id)) < 0) {
            json_decref(ids);
            ids = NULL;
        }
    char *text = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
    json_decref(ids);
    return text;
}

/* Positions of a batch's customers by id, to place rows read for the whole
 * batch: pairs sorted by id. */
typedef struct batch_slot {
    int64_t id;
    int     index;
} batch_slot;

static int slot_compare(const void *a, const void *b)
{
    const batch_slot *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The batch position of the customer with this id, or -1. */
static int slot_index(const batch_slot *slots, int n, int64_t id)
{
    batch_slot key = { .id = id };
    const batch_slot *hit = bsearch(&key, slots, (size_t)n, sizeof *slots, slot_compare);
    return hit ? hit->index : -1;
}

/* The facts of the customer with this id in the batch, or NULL. */
static dn_facts *slot_facts(const batch_slot *slots, int n, dn_facts *facts, int64_t id)
{
    int i = slot_index(slots, n, id);
    return i < 0 ? NULL : &facts[i];
}

/* Adds the current ST_FACT_INVOICES row (oldest due first per customer) to f. */
static void add_fact_invoice(maria_store *s, dn_facts *f)
{
    enum stmt_id id = ST_FACT_INVOICES;
    const char *currency = col_text(s, id, 2);
    int64_t amount = col_int(s, id, 3), paid = col_int(s, id, 4);
    dn_invoice_status status = DN_INV_OPEN;
    dn_invoice_status_parse(col_text(s, id, 7), &status);
    if (f->n_invoices < DN_FACT_INVOICES) {
        dn_fact_invoice *fi = &f->invoices[f->n_invoices++];
        col_copy(s, id, 1, fi->external_id, sizeof fi->external_id);
        dn_strlcpy(fi->currency, currency, sizeof fi->currency);
        fi->amount_minor = amount;
        fi->paid_minor = paid;
        fi->issued = col_date(s, id, 5);
        fi->due = col_date(s, id, 6);
        fi->status = status;
    }
    if (status == DN_INV_OPEN)
        dn_store_facts_add_balance(f, currency, amount - paid);
}

/* Reads the current ST_FACT_SUMMARY row into f. */
static void read_fact_summary(maria_store *s, dn_facts *f)
{
    enum stmt_id id = ST_FACT_SUMMARY;
    f->promises_kept = (int)col_int(s, id, 1);
    f->promises_broken = (int)col_int(s, id, 2);
    f->promise_pending = col_int(s, id, 3) > 0;
    f->promise_due = col_date(s, id, 4);
    f->replies = (int)col_int(s, id, 5);
    f->disputes = (int)col_int(s, id, 6);
    f->payments_count = (int)col_int(s, id, 7);
    f->avg_days_late = (int)col_int(s, id, 8);
    if (!col_null(s, id, 9)) {
        f->case_id = col_int(s, id, 9);
        f->case_anchor_due = col_date(s, id, 10);
        f->stage_day = col_null(s, id, 11) ? INT32_MIN : (int)col_int(s, id, 11);
    }
    dn_store_notice_posted(f, !col_null(s, id, 12), col_int(s, id, 12), col_date(s, id, 14));
    if (f->case_id != 0)
        f->case_reminders = (int)col_int(s, id, 13);
}

/* Adds the current ST_FACT_CONTACTS row (counted ones first, then most
 * recent first, per customer) to f; *counted counts the counted ones kept. */
static void add_fact_contact(maria_store *s, dn_facts *f, int *counted)
{
    enum stmt_id id = ST_FACT_CONTACTS;
    if (f->n_contacts >= DN_FACT_CONTACTS)
        return;
    if (col_int(s, id, 11) == 0)
        (*counted)++;
    dn_fact_contact *fc = &f->contacts[f->n_contacts++];
    fc->id = col_int(s, id, 1);
    fc->at = col_int(s, id, 2);
    col_copy(s, id, 3, fc->channel, sizeof fc->channel);
    col_copy(s, id, 4, fc->state, sizeof fc->state);
    col_copy(s, id, 5, fc->outcome, sizeof fc->outcome);
    col_copy(s, id, 6, fc->template_name, sizeof fc->template_name);
    fc->step_day = (int)col_int(s, id, 7);
    fc->case_id = col_int(s, id, 8);
    fc->purpose = DN_PURPOSE_REMINDER;
    dn_purpose_parse(col_text(s, id, 9), &fc->purpose);
    col_copy(s, id, 10, fc->debt_ref, sizeof fc->debt_ref);
}

/* Fills everything in facts[0..n) but the customers and personas (already
 * read), as of now, with three statements for the whole batch: invoices,
 * the summary (counts, open case, notice), recent contacts. */
static int fill_facts(maria_store *s, dn_facts *facts, int n, dn_time now, dn_err *err)
{
    int rc = 0;
    char *ids = NULL;
    int *counted = calloc((size_t)n, sizeof *counted);
    batch_slot *slots = malloc((size_t)n * sizeof *slots);
    if (!slots || !counted) {
        free(counted);
        free(slots);
        return dn_err_set(err, -ENOMEM, NULL, "facts: out of memory");
    }
    for (int i = 0; i < n; i++) {
        slots[i] = (batch_slot){ .id = facts[i].customer.id, .index = i };
        dn_facts *f = &facts[i];
        f->n_invoices = f->n_balance = f->n_contacts = 0;
        f->case_id = 0;
        f->case_anchor_due = DN_NO_DATE;
        f->stage_day = INT32_MIN;
        f->notice_posted = false;
        f->notice_posted_on = DN_NO_DATE;
        f->notice_posted_at = 0;
        f->debt_acknowledged = false;
        f->case_reminders = 0;
    }
    qsort(slots, (size_t)n, sizeof *slots, slot_compare);
    ids = ids_text(facts, n);
    if (!ids) {
        rc = dn_err_set(err, -ENOMEM, NULL, "facts: out of memory");
        goto done;
    }

    rc = q_exec(s, ST_FACT_INVOICES, PARAMS(PT(ids)), err, "facts: invoices");
    while (rc == 0 && (rc = q_fetch(s, ST_FACT_INVOICES, err, "facts: invoices")) == 1) {
        dn_facts *f = slot_facts(slots, n, facts, col_int(s, ST_FACT_INVOICES, 0));
        if (f)
            add_fact_invoice(s, f);
        rc = 0;
    }
    q_done(&s->q[ST_FACT_INVOICES]);
    if (rc < 0)
        goto done;

    rc = q_exec(s, ST_FACT_SUMMARY,
                PARAMS(PI(now - (dn_time)REPLY_WINDOW_DAYS * SECONDS_PER_DAY), PT(ids)), err,
                "facts: summary");
    while (rc == 0 && (rc = q_fetch(s, ST_FACT_SUMMARY, err, "facts: summary")) == 1) {
        dn_facts *f = slot_facts(slots, n, facts, col_int(s, ST_FACT_SUMMARY, 0));
        if (f)
            read_fact_summary(s, f);
        rc = 0;
    }
    q_done(&s->q[ST_FACT_SUMMARY]);
    if (rc < 0)
        goto done;

    rc = q_exec(s, ST_FACT_CONTACTS,
                PARAMS(PT(ids), PI(now - (dn_time)CONTACT_WINDOW_DAYS * SECONDS_PER_DAY)), err,
                "facts: contacts");
    while (rc == 0 && (rc = q_fetch(s, ST_FACT_CONTACTS, err, "facts: contacts")) == 1) {
        dn_facts *f = slot_facts(slots, n, facts, col_int(s, ST_FACT_CONTACTS, 0));
        if (f)
            add_fact_contact(s, f, &counted[f - facts]);
        rc = 0;
    }
    q_done(&s->q[ST_FACT_CONTACTS]);
    for (int i = 0; rc == 0 && i < n; i++)
        dn_store_facts_order_contacts(&facts[i], counted[i]);
done:
    free(counted);
    free(ids);
    free(slots);
    return rc < 0 ? rc : 0;
}

static void facts_clear(dn_facts *f)
{
    memset(f, 0, sizeof *f);
    f->customer.hold_until = DN_NO_DATE;
    f->case_anchor_due = DN_NO_DATE;
    f->stage_day = INT32_MIN;
    f->promise_due = DN_NO_DATE;
}

/* Claims up to max due, unleased customers in (next_evaluation_at, id)
 * order: rows another instance is claiming at this moment are skipped
 * (SKIP LOCKED), the taken ones are leased until now + lease_seconds in
 * the same short transaction, so once it commits no instance takes them
 * before the lease ends or record_result clears it. The facts are read
 * after that commit, in a read unit of their own: the leases, not row
 * locks, keep the customers ours meanwhile, so other instances' claims
 * never wait for this one's reads. */
static int claim_once(maria_store *s, dn_time now, int lease_seconds, dn_facts *out, int max,
                      int *n, dn_err *err)
{
    *n = 0;
    if (max < 0)
        return dn_err_set(err, -EINVAL, "max", "max must not be negative");
    if (lease_seconds < 0)
        return dn_err_set(err, -EINVAL, "lease_seconds", "lease must not be negative");
    if (max == 0)
        return 0;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    int count = 0;
    rc = q_exec(s, ST_CLAIM_SELECT, PARAMS(PI(now), PI(now), PI(max)), err, "claim");
    if (rc < 0)
        goto fail;
    while (count < max && (rc = q_fetch(s, ST_CLAIM_SELECT, err, "claim")) == 1) {
        facts_clear(&out[count]);
        read_customer(s, ST_CLAIM_SELECT, &out[count].customer, out[count].persona,
                      sizeof out[count].persona);
        count++;
    }
    q_done(&s->q[ST_CLAIM_SELECT]);
    if (rc < 0)
        goto fail;
    if (count > 0) {
        char *text = ids_text(out, count);
        if (!text) {
            rc = dn_err_set(err, -ENOMEM, NULL, "lease: out of memory");
            goto fail;
        }
        rc = q_exec(s, ST_CLAIM_LEASE, PARAMS(PT(text), PI(now + lease_seconds)), err, "lease");
        free(text);
        if (rc < 0)
            goto fail;
        if (affected(s, ST_CLAIM_LEASE) != (uint64_t)count) {
            rc = dn_err_set(err, -EIO, NULL, "lease: %llu of %d claimed customers leased",
                            (unsigned long long)affected(s, ST_CLAIM_LEASE), count);
            goto fail;
        }
    }
    rc = unit_commit(s, &u, err);
    if (rc < 0)
        return rc;
    if (count == 0)
        return 0;
    /* the facts; should this fail, the leases stand and the customers come
     * back when they end, like after a crash */
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = fill_facts(s, out, count, now, err);
    if (rc < 0)
        goto fail;
    rc = unit_commit(s, &u, err);
    if (rc == 0)
        *n = count;
    return rc;
fail:
    unit_abort(s, &u);
    return rc;
}

/* A claim or a batch write that meets a deadlock (InnoDB then rolls the
 * whole transaction back) or a lock wait timeout is run again from the
 * start, at most TX_ATTEMPTS times in all; several instances writing
 * batches next to each other's claims meet one now and then. */
#define TX_ATTEMPTS 3

static int maria_claim_due(void *ctx, dn_time now, int lease_seconds, dn_facts *out, int max,
                           int *n, dn_err *err)
{
    maria_store *s = ctx;
    for (int attempt = 1;; attempt++) {
        int rc = claim_once(s, now, lease_seconds, out, max, n, err);
        if (rc != -EBUSY || attempt == TX_ATTEMPTS || s->tx_open)
            return rc;
        dn_log(DN_LOG_INFO, "store", "claim tried again: %s", err ? err->msg : "lock conflict");
    }
}

static int maria_load_facts(void *ctx, int64_t customer_id, dn_time now, dn_facts *out,
                            dn_err *err)
{
    maria_store *s = ctx;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    facts_clear(out);
    rc = q_row(s, ST_CUSTOMER_BY_ID, PARAMS(PI(customer_id)), err, "facts: customer");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer with id %lld",
                        (long long)customer_id);
    if (rc < 0)
        goto fail;
    read_customer(s, ST_CUSTOMER_BY_ID, &out->customer, out->persona, sizeof out->persona);
    q_done(&s->q[ST_CUSTOMER_BY_ID]);
    rc = fill_facts(s, out, 1, now, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

static int insert_decision(maria_store *s, const dn_pass_result *r, int64_t case_id,
                           int64_t contact_id, dn_time now, int64_t *decision_id, dn_err *err)
{
    const dn_decision *d = r->decision;
    int rc = q_exec(s, ST_DECISION_INSERT,
                    PARAMS(PI(r->customer_id), id_or_null(case_id), PI(now),
                           PT(d->ruleset_version), PT(d->segment), PT(d->persona),
                           PT(dn_action_names[d->action]),
                           dn_decision_has_step(d) ? PI(d->step_day) : PNULL, PI(d->step_index),
                           PT(d->channel), PT(d->template_name), PT(d->tone), PT(d->language),
                           PT(d->where), PT(d->reason), text_or_null(r->guard_verdict),
                           text_or_null(r->guard_reason), id_or_null(contact_id)),
                    err, "decision");
    if (rc == 0)
        *decision_id = insert_id(s, ST_DECISION_INSERT);
    return rc;
}

/* *contact_id is the new id, or 0 when idem_key exists already: the unique
 * key decides what a duplicate is, also between instances. */
static int insert_contact(maria_store *s, const dn_pass_result *r, int64_t case_id,
                          const char *idem_key, dn_time now, int64_t *contact_id, dn_err *err)
{
    const dn_contact_plan *c = r->contact;
    dn_err local;
    dn_err_clear(&local);
    int rc = q_exec(s, ST_CONTACT_INSERT,
                    PARAMS(PI(r->customer_id), id_or_null(case_id), PT(idem_key),
                           PI(r->decision->step_day), PT(c->channel), PT(c->address),
                           PT(c->template_name), PT(c->language), PT(c->tone), PT(c->voice),
                           PT(c->subject), PT(c->body ? c->body : ""), PI(c->scheduled_at),
                           PI(c->sms_parts), PT(c->sms_encoding), PI(now), PI(now),
                           PT(dn_purpose_names[c->purpose]), PT(c->debt_ref),
                           PI(c->transliterate)),
                    &local, "contact");
    if (rc == -EEXIST) {
        *contact_id = 0;
        return 0;
    }
    if (rc < 0) {
        if (err)
            *err = local;
        return rc;
    }
    *contact_id = insert_id(s, ST_CONTACT_INSERT);
    return 0;
}

/* The contact's idempotency key: the plan's own, else
 * "cu<customer>-ca<case>-d<step_day>". */
static void contact_key(const dn_pass_result *r, int64_t case_id, char *out, size_t size)
{
    if (r->contact->idem_key[0])
        dn_strlcpy(out, r->contact->idem_key, size);
    else
        snprintf(out, size, "cu%lld-ca%lld-d%d", (long long)r->customer_id,
                 (long long)case_id, r->decision->step_day);
}

/* Writes one customer's (validated) pass result, statement by statement,
 * as store_sqlite.c's write_result does; no unit of its own. */
static int write_result(maria_store *s, const dn_pass_result *r, dn_time now, bool *duplicate,
                        dn_err *err)
{
    *duplicate = false;
    int rc = q_exec(s, ST_CUSTOMER_AFTER_PASS,
                    PARAMS(PI(r->next_evaluation_at), PT(r->decision->persona),
                           PT(r->decision->persona), PT(r->decision->segment),
                           PT(r->decision->segment), PI(r->customer_id)), err, "pass result");
    if (rc == 0 && affected(s, ST_CUSTOMER_AFTER_PASS) == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer with id %lld",
                        (long long)r->customer_id);
    if (rc < 0)
        return rc;

    int64_t case_id = 0;
    rc = open_case(s, r->customer_id, &case_id, NULL, NULL, err);
    if (rc < 0)
        return rc;
    bool case_opened = rc == 0 && r->open_case;
    if (case_opened) {
        rc = q_exec(s, ST_CASE_INSERT,
                    PARAMS(PI(r->customer_id), PI(now), date_param(r->anchor_due),
                           r->contact ? PI(r->decision->step_day) : PNULL), err, "open case");
        if (rc < 0)
            return rc;
        case_id = insert_id(s, ST_CASE_INSERT);
        rc = insert_case_event(s, r->customer_id, "case_opened", case_id, r->anchor_due, now,
                               err);
        if (rc < 0)
            return rc;
    }

    int64_t contact_id = 0, decision_id = 0;
    if (r->contact) {
        char idem_key[sizeof ((dn_contact_plan *)0)->idem_key];
        contact_key(r, case_id, idem_key, sizeof idem_key);
        rc = insert_contact(s, r, case_id, idem_key, now, &contact_id, err);
        if (rc < 0)
            return rc;
        if (contact_id == 0) {
            *duplicate = true;
            return 0;
        }
    }
    rc = insert_decision(s, r, case_id, contact_id, now, &decision_id, err);
    if (rc < 0 || !contact_id)
        return rc;
    rc = q_exec(s, ST_CONTACT_LINK, PARAMS(PI(decision_id), PI(contact_id)), err,
                "contact link");
    if (rc < 0 || !case_id || case_opened)
        return rc;
    return q_exec(s, ST_CASE_STAGE, PARAMS(PI(r->decision->step_day),
                                           PI(r->decision->step_day), PI(case_id)),
                  err, "case stage");
}

/* Writes results[0..n) one savepoint each (a customer that fails loses
 * only its own writes) inside the transaction that is open. Returns 0, or
 * -EBUSY when a deadlock or lock wait took the whole transaction with it
 * (nothing of it stands; the outcomes say so no more). */
static int write_each(maria_store *s, const dn_pass_result *results, int n, dn_time now,
                      dn_record_outcome *outcomes)
{
    for (int i = 0; i < n; i++) {
        memset(&outcomes[i], 0, sizeof outcomes[i]);
        outcomes[i].rc = dn_store_check_pass_result(&results[i], &outcomes[i].err);
        if (outcomes[i].rc < 0)
            continue;
        unit u;
        int one = unit_begin(s, &u, &outcomes[i].err);
        if (one == 0)
            one = write_result(s, &results[i], now, &outcomes[i].duplicate, &outcomes[i].err);
        if (one == 0)
            one = unit_commit(s, &u, &outcomes[i].err);
        else
            unit_abort(s, &u);
        if (one == -EBUSY)
            return one;
        if (one < 0) {
            outcomes[i].rc = one;
            outcomes[i].duplicate = false;
        }
    }
    return 0;
}

/* What write_batch keeps of one result while the batch is written. */
typedef struct batch_row {
    int64_t case_id, contact_id, decision_id;
    bool    case_opened, duplicate;
    char    idem_key[sizeof ((dn_contact_plan *)0)->idem_key];
} batch_row;

/* The most results one write_batch statement carries (its JSON stays far
 * below the server's max_allowed_packet: a contact is a few KB). */
#define BATCH_CHUNK 500

/* Runs a batch statement whose last parameter is the JSON text of rows
 * (borrowed, decref'd here) after the `lead` integer parameters (0..2 of
 * them, all `now`). */
static int exec_rows(maria_store *s, enum stmt_id id, json_t *rows, int lead, dn_time now,
                     dn_err *err, const char *what)
{
    char *text = rows ? json_dumps(rows, JSON_COMPACT) : NULL;
    json_decref(rows);
    if (!text)
        return dn_err_set(err, -ENOMEM, NULL, "%s: out of memory", what);
    int rc = lead == 0 ? q_exec(s, id, PARAMS(PT(text)), err, what)
           : lead == 1 ? q_exec(s, id, PARAMS(PI(now), PT(text)), err, what)
                       : q_exec(s, id, PARAMS(PI(now), PI(now), PT(text)), err, what);
    free(text);
    return rc;
}

/* Appends row (owned) to *rows; when out of memory (either is NULL) both
 * are released, *rows becomes NULL and *oom is set, so a whole list is
 * built first and checked once. */
static void add_row(json_t **rows, json_t *row, bool *oom)
{
    if (*rows && row && json_array_append(*rows, row) == 0) {
        json_decref(row);
        return;
    }
    json_decref(row);
    json_decref(*rows);
    *rows = NULL;
    *oom = true;
}

static json_t *id_or_json_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

/* Reads "RETURNING id, customer_id" rows of statement id into rows[].field. */
static int read_returned(maria_store *s, enum stmt_id id, const batch_slot *slots, int n,
                         batch_row *rows, size_t field, dn_err *err, const char *what)
{
    int rc;
    while ((rc = q_fetch(s, id, err, what)) == 1) {
        int i = slot_index(slots, n, col_int(s, id, 1));
        if (i < 0) {
            q_done(&s->q[id]);
            return dn_err_set(err, -EIO, NULL, "%s: a row of another customer came back", what);
        }
        *(int64_t *)((char *)&rows[i] + field) = col_int(s, id, 0);
    }
    q_done(&s->q[id]);
    return rc;
}

/* Writes results[0..n) whose outcome is still 0 inside the open
 * transaction with one statement per kind of row: customers, open cases,
 * new cases and their events, the duplicate check, contacts, decisions,
 * links and stages. Sets each outcome's duplicate flag. Any failure
 * returns negative, leaving the transaction to be rolled back whole (the
 * caller then writes the customers one by one). */
static int write_batch(maria_store *s, const dn_pass_result *results, int n, dn_time now,
                       dn_record_outcome *outcomes, dn_err *err)
{
    int rc = 0, live = 0;
    bool oom = false;
    batch_slot *slots = malloc((size_t)n * sizeof *slots);
    batch_row *rows = calloc((size_t)n, sizeof *rows);
    json_t *after = json_array(), *ids = json_array(), *cases = NULL, *events = NULL,
           *keys = NULL, *contacts = NULL, *decisions = NULL, *links = NULL, *stages = NULL;
    if (!slots || !rows || !after || !ids) {
        rc = dn_err_set(err, -ENOMEM, NULL, "batch: out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (outcomes[i].rc < 0)
            continue;
        const dn_pass_result *r = &results[i];
        slots[live++] = (batch_slot){ .id = r->customer_id, .index = i };
        add_row(&after, json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)r->customer_id,
                                  "next", (json_int_t)r->next_evaluation_at, "persona",
                                  r->decision->persona, "segment", r->decision->segment), &oom);
        add_row(&ids, json_integer(r->customer_id), &oom);
    }
    if (oom)
        goto done;
    if (live == 0)
        goto done;
    qsort(slots, (size_t)live, sizeof *slots, slot_compare);
    for (int i = 1; i < live; i++)
        if (slots[i].id == slots[i - 1].id) {
            rc = dn_err_set(err, -EINVAL, "customer_id", "customer %lld twice in one batch",
                            (long long)slots[i].id);
            goto done;
        }

    /* the customers first: an unknown id fails before anything refers to it */
    rc = exec_rows(s, ST_BATCH_AFTER_PASS, after, 0, now, err, "pass results");
    after = NULL;
    if (rc == 0 && affected(s, ST_BATCH_AFTER_PASS) != (uint64_t)live)
        rc = dn_err_set(err, -ENOENT, "customer_id", "a customer of the batch is unknown");
    if (rc < 0)
        goto done;

    rc = exec_rows(s, ST_BATCH_OPEN_CASES, ids, 0, now, err, "open cases");
    ids = NULL;
    while (rc == 0 && (rc = q_fetch(s, ST_BATCH_OPEN_CASES, err, "open cases")) == 1) {
        int i = slot_index(slots, live, col_int(s, ST_BATCH_OPEN_CASES, 0));
        if (i >= 0)
            rows[i].case_id = col_int(s, ST_BATCH_OPEN_CASES, 1);
        rc = 0;
    }
    q_done(&s->q[ST_BATCH_OPEN_CASES]);
    if (rc < 0)
        goto done;

    cases = json_array();
    int new_cases = 0;
    for (int i = 0; i < n; i++) {
        const dn_pass_result *r = &results[i];
        if (outcomes[i].rc < 0 || rows[i].case_id || !r->open_case)
            continue;
        json_t *row = json_pack("{s:I}", "c", (json_int_t)r->customer_id);
        if (row && r->anchor_due != DN_NO_DATE) {
            char anchor[11];
            dn_date_format(r->anchor_due, anchor);
            json_object_set_new(row, "anchor", json_string(anchor));
        }
        /* a case opened with a planned contact starts at its step */
        if (row && r->contact)
            json_object_set_new(row, "stage", json_integer(r->decision->step_day));
        add_row(&cases, row, &oom);
        rows[i].case_opened = true;
        new_cases++;
    }
    if (oom)
        goto done;
    if (new_cases) {
        rc = exec_rows(s, ST_BATCH_CASE_INSERT, cases, 1, now, err, "open cases");
        cases = NULL;
        if (rc == 0)
            rc = read_returned(s, ST_BATCH_CASE_INSERT, slots, live, rows,
                               offsetof(batch_row, case_id), err, "open cases");
        if (rc < 0)
            goto done;
        events = json_array();
        for (int i = 0; i < n; i++) {
            if (!rows[i].case_opened)
                continue;
            char payload[96];
            dn_store_case_payload(payload, sizeof payload, rows[i].case_id,
                                  results[i].anchor_due);
            add_row(&events, json_pack("{s:I, s:s}", "c", (json_int_t)results[i].customer_id,
                                       "p", payload), &oom);
        }
        if (oom)
            goto done;
        rc = exec_rows(s, ST_BATCH_EVENT_INSERT, events, 1, now, err, "case events");
        events = NULL;
        if (rc < 0)
            goto done;
    }

    /* the unique key decides what a duplicate is; a key taken between this
     * check and the insert fails the insert, and the caller's one-by-one
     * writing then finds it */
    keys = json_array();
    int planned = 0;
    for (int i = 0; i < n; i++) {
        if (outcomes[i].rc < 0 || !results[i].contact)
            continue;
        contact_key(&results[i], rows[i].case_id, rows[i].idem_key, sizeof rows[i].idem_key);
        add_row(&keys, json_string(rows[i].idem_key), &oom);
        planned++;
    }
    if (oom)
        goto done;
    if (planned) {
        rc = exec_rows(s, ST_BATCH_KNOWN_KEYS, keys, 0, now, err, "contact keys");
        keys = NULL;
        while (rc == 0 && (rc = q_fetch(s, ST_BATCH_KNOWN_KEYS, err, "contact keys")) == 1) {
            const char *taken = col_text(s, ST_BATCH_KNOWN_KEYS, 0);
            for (int i = 0; i < n; i++)
                if (results[i].contact && outcomes[i].rc == 0 &&
                    strcmp(rows[i].idem_key, taken) == 0)
                    rows[i].duplicate = true;
            rc = 0;
        }
        q_done(&s->q[ST_BATCH_KNOWN_KEYS]);
        if (rc < 0)
            goto done;
    }

    contacts = json_array();
    int new_contacts = 0;
    for (int i = 0; i < n; i++) {
        const dn_contact_plan *c = results[i].contact;
        if (outcomes[i].rc < 0 || !c || rows[i].duplicate)
            continue;
        json_t *row = json_pack("{s:I, s:o, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                                "s:I, s:i, s:s, s:s, s:s, s:i}",
                                "c", (json_int_t)results[i].customer_id,
                                "ca", id_or_json_null(rows[i].case_id), "k", rows[i].idem_key,
                                "day", results[i].decision->step_day, "channel", c->channel,
                                "address", c->address, "template", c->template_name,
                                "language", c->language, "tone", c->tone, "voice", c->voice,
                                "subject", c->subject, "body", c->body ? c->body : "",
                                "at", (json_int_t)c->scheduled_at, "parts", c->sms_parts,
                                "enc", c->sms_encoding, "purpose", dn_purpose_names[c->purpose],
                                "debt", c->debt_ref, "tr", c->transliterate ? 1 : 0);
        add_row(&contacts, row, &oom);
        new_contacts++;
    }
    if (oom)
        goto done;
    if (new_contacts) {
        rc = exec_rows(s, ST_BATCH_CONTACT_INSERT, contacts, 2, now, err, "contacts");
        contacts = NULL;
        if (rc == 0)
            rc = read_returned(s, ST_BATCH_CONTACT_INSERT, slots, live, rows,
                               offsetof(batch_row, contact_id), err, "contacts");
        if (rc < 0)
            goto done;
    }

    decisions = json_array();
    int new_decisions = 0;
    for (int i = 0; i < n; i++) {
        const dn_pass_result *r = &results[i];
        const dn_decision *d = r->decision;
        if (outcomes[i].rc < 0 || rows[i].duplicate)
            continue;
        json_t *row = json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:s, s:s, "
                                "s:s, s:s, s:s?, s:s?, s:o}",
                                "c", (json_int_t)r->customer_id,
                                "ca", id_or_json_null(rows[i].case_id),
                                "v", d->ruleset_version, "segment", d->segment,
                                "persona", d->persona, "action", dn_action_names[d->action],
                                "day", dn_decision_has_step(d) ? json_integer(d->step_day)
                                                               : json_null(),
                                "index", d->step_index,
                                "channel", d->channel, "template", d->template_name,
                                "tone", d->tone, "language", d->language, "where", d->where,
                                "reason", d->reason,
                                "verdict", r->guard_verdict && *r->guard_verdict ?
                                           r->guard_verdict : NULL,
                                "guard", r->guard_reason && *r->guard_reason ?
                                         r->guard_reason : NULL,
                                "k", id_or_json_null(rows[i].contact_id));
        add_row(&decisions, row, &oom);
        new_decisions++;
    }
    if (oom)
        goto done;
    if (new_decisions) {
        rc = exec_rows(s, ST_BATCH_DECISION_INSERT, decisions, 1, now, err, "decisions");
        decisions = NULL;
        if (rc == 0)
            rc = read_returned(s, ST_BATCH_DECISION_INSERT, slots, live, rows,
                               offsetof(batch_row, decision_id), err, "decisions");
        if (rc < 0)
            goto done;
    }

    links = json_array();
    stages = json_array();
    int n_links = 0, n_stages = 0;
    for (int i = 0; i < n; i++) {
        if (outcomes[i].rc < 0 || !rows[i].contact_id)
            continue;
        add_row(&links, json_pack("{s:I, s:I}", "id", (json_int_t)rows[i].contact_id, "d",
                                  (json_int_t)rows[i].decision_id), &oom);
        n_links++;
        if (!rows[i].case_id || rows[i].case_opened)
            continue;
        add_row(&stages, json_pack("{s:I, s:i}", "id", (json_int_t)rows[i].case_id, "day",
                                   results[i].decision->step_day), &oom);
        n_stages++;
    }
    if (oom)
        goto done;
    if (n_links) {
        rc = exec_rows(s, ST_BATCH_CONTACT_LINK, links, 0, now, err, "contact links");
        links = NULL;
        if (rc < 0)
            goto done;
    }
    if (n_stages) {
        rc = exec_rows(s, ST_BATCH_CASE_STAGE, stages, 0, now, err, "case stages");
        stages = NULL;
        if (rc < 0)
            goto done;
    }
    for (int i = 0; i < n; i++)
        outcomes[i].duplicate = outcomes[i].rc == 0 && rows[i].duplicate;
done:
    if (oom)
        rc = dn_err_set(err, -ENOMEM, NULL, "batch: out of memory");
    json_decref(after);
    json_decref(ids);
    json_decref(cases);
    json_decref(events);
    json_decref(keys);
    json_decref(contacts);
    json_decref(decisions);
    json_decref(links);
    json_decref(stages);
    free(rows);
    free(slots);
    return rc;
}

static int maria_begin(void *ctx, dn_err *err);
static int maria_commit(void *ctx, dn_err *err);
static int maria_rollback(void *ctx);

/* One attempt of record_results outside a caller's transaction. */
static int record_once(maria_store *s, const dn_pass_result *results, int n, dn_time now,
                       dn_record_outcome *outcomes, dn_err *err)
{
    int rc = maria_begin(s, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        memset(&outcomes[i], 0, sizeof outcomes[i]);
        outcomes[i].rc = dn_store_check_pass_result(&results[i], &outcomes[i].err);
    }
    dn_err batch_err;
    dn_err_clear(&batch_err);
    rc = 0;
    for (int from = 0; from < n && rc == 0; from += BATCH_CHUNK)
        rc = write_batch(s, results + from, n - from < BATCH_CHUNK ? n - from : BATCH_CHUNK, now,
                         outcomes + from, &batch_err);
    if (rc < 0) {
        maria_rollback(s);
        if (rc == -EBUSY || s->broken) {
            if (err)
                *err = batch_err;
            return rc;
        }
        dn_log(DN_LOG_INFO, "store", "batch of %d written one by one: %s", n, batch_err.msg);
        rc = maria_begin(s, err);
        if (rc == 0)
            rc = write_each(s, results, n, now, outcomes);
        if (rc == -EBUSY) {
            maria_rollback(s);
            return dn_err_set(err, rc, NULL, "the batch met a lock conflict; nothing of it "
                              "was written");
        }
        if (rc < 0)
            return rc;
    }
    return maria_commit(s, err);
}

/* store.h record_results. Outside a caller's transaction: the batch in one
 * transaction, BATCH_CHUNK customers per statement (a dozen round trips for
 * the whole batch); should that fail for any customer (a value the
 * database refuses, a key taken meanwhile), it is rolled back whole and
 * the batch is written again in a new transaction with one savepoint per
 * customer, so the failing one is the only one lost; a deadlock runs the
 * whole attempt again (TX_ATTEMPTS). Inside the caller's transaction only
 * the one-by-one way is possible, and a deadlock loses the caller's
 * transaction. */
static int maria_record_results(void *ctx, const dn_pass_result *results, int n, dn_time now,
                                dn_record_outcome *outcomes, dn_err *err)
{
    maria_store *s = ctx;
    if (n < 0)
        return dn_err_set(err, -EINVAL, "n", "n must not be negative");
    int rc;
    if (s->tx_open) {
        rc = write_each(s, results, n, now, outcomes);
        if (rc == 0 && !s->tx_lost)
            return 0;
        rc = dn_err_set(err, rc < 0 ? rc : -EIO, "store", "the transaction was lost during "
                        "the batch (%s)", rc < 0 ? "lock conflict" : "connection dropped");
    } else {
        for (int attempt = 1;; attempt++) {
            rc = record_once(s, results, n, now, outcomes, err);
            if (rc == 0)
                return 0;
            if (rc != -EBUSY || attempt == TX_ATTEMPTS)
                break;
            dn_log(DN_LOG_INFO, "store", "batch of %d tried again: %s", n,
                   err ? err->msg : "lock conflict");
        }
    }
    for (int i = 0; i < n; i++) {
        outcomes[i].rc = rc;
        outcomes[i].duplicate = false;
        if (err)
            outcomes[i].err = *err;
    }
    return rc;
}

/* ---- dispatch ---- */

/* Takes due planned contacts; those another instance is taking right now
 * are skipped (SKIP LOCKED), the taken ones move to "sending" before the
 * commit, so each contact goes to exactly one dispatcher. */
static int maria_claim_outbox_channel(void *ctx, dn_time now, const char *channel,
                                      dn_outbox_item **items, int max, int *n, dn_err *err)
{
    maria_store *s = ctx;
    dn_outbox_item *list = NULL;
    int count = 0;
    *items = NULL;
    *n = 0;
    if (max <= 0)
        return max == 0 ? 0 : dn_err_set(err, -EINVAL, "max", "max must not be negative");
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    list = calloc((size_t)max, sizeof *list);
    if (!list) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory claiming %d contacts", max);
        goto fail;
    }
    const enum stmt_id id = ST_OUTBOX_SELECT;
    qp only = channel ? PT(channel) : PNULL;
    rc = q_exec(s, id, PARAMS(PI(now), only, only, PI(max)), err, "outbox");
    if (rc < 0)
        goto fail;
    while (count < max && (rc = q_fetch(s, id, err, "outbox")) == 1) {
        dn_outbox_item *it = &list[count];
        it->body = strdup(col_text(s, id, 11));
        if (!it->body) {
            rc = dn_err_set(err, -ENOMEM, "body", "out of memory copying a contact body");
            goto fail;
        }
        count++;
        it->id = col_int(s, id, 0);
        it->customer_id = col_int(s, id, 1);
        it->case_id = col_int(s, id, 2);
        col_copy(s, id, 3, it->idem_key, sizeof it->idem_key);
        col_copy(s, id, 4, it->channel, sizeof it->channel);
        col_copy(s, id, 5, it->address, sizeof it->address);
        col_copy(s, id, 6, it->template_name, sizeof it->template_name);
        col_copy(s, id, 7, it->language, sizeof it->language);
        col_copy(s, id, 8, it->tone, sizeof it->tone);
        col_copy(s, id, 9, it->voice, sizeof it->voice);
        col_copy(s, id, 10, it->subject, sizeof it->subject);
        it->scheduled_at = col_int(s, id, 12);
        it->purpose = DN_PURPOSE_REMINDER;
        dn_purpose_parse(col_text(s, id, 13), &it->purpose);
        it->attempts = (int)col_int(s, id, 14) + 1;   /* this hand-over included */
        it->sms_parts = (int)col_int(s, id, 15);
        col_copy(s, id, 16, it->sms_encoding, sizeof it->sms_encoding);
        col_copy(s, id, 17, it->debt_ref, sizeof it->debt_ref);
        it->transliterate = col_int(s, id, 18) != 0;
    }
    q_done(&s->q[id]);
    if (rc < 0)
        goto fail;
    /* updated_at of "sending" is the lease clock: the wall clock, even when
     * the engine's business clock is pinned (dispatch_recover compares it);
     * sent_at is on the engine's clock, as every other fact the guard reads */
    dn_time taken_at = dn_now();
    for (int i = 0; i < count; i++) {
        rc = q_row(s, ST_CUSTOMER_EXT_BY_ID, PARAMS(PI(list[i].customer_id)), err,
                   "outbox customer");
        if (rc < 0)
            goto fail;
        if (rc == 1) {
            col_copy(s, ST_CUSTOMER_EXT_BY_ID, 0, list[i].customer_external_id,
                     sizeof list[i].customer_external_id);
            q_done(&s->q[ST_CUSTOMER_EXT_BY_ID]);
        }
        rc = q_exec(s, ST_OUTBOX_TAKE, PARAMS(PI(taken_at), PI(now), PT(s->owner),
                                              PI(list[i].id)), err, "outbox take");
        if (rc < 0)
            goto fail;
    }
    rc = unit_commit(s, &u, err);
    if (rc < 0)
        goto fail_closed;
    if (count == 0) {
        free(list);
        list = NULL;
    }
    *items = list;
    *n = count;
    return 0;
fail:
    unit_abort(s, &u);
fail_closed:
    dn_outbox_items_free(list, count);
    return rc;
}

static int maria_claim_outbox(void *ctx, dn_time now, dn_outbox_item **items, int max, int *n,
                              dn_err *err)
{
    return maria_claim_outbox_channel(ctx, now, NULL, items, max, n, err);
}

/* store.h rewrite_contact. */
static int maria_rewrite_contact(void *ctx, int64_t contact_id, const char *subject,
                                 const char *body, int sms_parts, const char *sms_encoding,
                                 dn_time at, dn_err *err)
{
    maria_store *s = ctx;
    if (!subject || !body || !sms_encoding || !dn_utf8_valid(subject) || !dn_utf8_valid(body) ||
        !dn_utf8_valid(sms_encoding))
        return dn_err_set(err, -EINVAL, "body", "a contact's text must be valid UTF-8");
    int rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, ST_CONTACT_REWRITE,
                    PARAMS(PT(subject), PT(body), PI(sms_parts), PT(sms_encoding), PI(at),
                           PI(contact_id)), err, "contact text");
    if (rc == 0 && affected(s, ST_CONTACT_REWRITE) == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact %lld being sent",
                        (long long)contact_id);
    return rc;
}

static int maria_set_contact_state(void *ctx, int64_t contact_id, const char *state,
                                   const char *provider_id, const char *reason, dn_time at,
                                   dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_contact_state(state, provider_id, reason, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_CONTACT_LOCK, PARAMS(PI(contact_id)), err, "contact state");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact with id %lld",
                        (long long)contact_id);
    if (rc < 0)
        goto fail;
    int64_t customer_id = col_int(s, ST_CONTACT_LOCK, 0);
    if (col_int(s, ST_CONTACT_LOCK, 1))
        rc = dn_err_set(err, -EALREADY, "state", "contact %lld is %s: a receipt settled it",
                        (long long)contact_id, col_text(s, ST_CONTACT_LOCK, 2));
    q_done(&s->q[ST_CONTACT_LOCK]);
    if (rc < 0)
        goto fail;
    rc = q_exec(s, ST_CONTACT_STATE,
                PARAMS(PT(state), provider_id ? PT(provider_id) : PNULL,
                       reason ? PT(reason) : PNULL, PI(at), PI(contact_id)),
                err, "contact state");
    if (rc < 0)
        goto fail;
    char kind[32];
    snprintf(kind, sizeof kind, "contact_%s", state);
    rc = insert_event(s, customer_id, kind,
                      dn_store_contact_event(contact_id, state, provider_id, reason), at, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* ---- events, rule sets, transactions ---- */

static int maria_append_event(void *ctx, int64_t customer_id, const char *kind, json_t *payload,
                              dn_time at, int64_t *event_id, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_event(kind, payload, err);
    if (rc == 0)
        rc = ensure_connected(s, err);
    if (rc == 0)
        rc = payload ? insert_event(s, customer_id, kind, json_incref(payload), at, err)
                     : insert_event_text(s, customer_id, kind, "{}", at, err);
    if (rc == 0 && event_id)
        *event_id = insert_id(s, ST_EVENT_INSERT);
    return rc;
}

static int maria_record_ruleset(void *ctx, const char *version, json_t *files, dn_err *err)
{
    maria_store *s = ctx;
    if (!version || !*version || !dn_utf8_valid(version))
        return dn_err_set(err, -EINVAL, "version", "a rule set needs a version");
    int rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    char *text = files ? json_dumps(files, JSON_COMPACT) : NULL;
    if (files && !text)
        return dn_err_set(err, -ENOMEM, "files", "cannot serialise the rule set files");
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0) {
        free(text);
        return rc;
    }
    /* the version loaded last, before this one */
    rc = q_row(s, ST_RULESET_LAST, NULL, 0, err, "rule set");
    bool same = rc == 1 && strcmp(col_text(s, ST_RULESET_LAST, 0), version) == 0;
    q_done(&s->q[ST_RULESET_LAST]);
    if (rc >= 0)
        rc = q_exec(s, ST_RULESET_INSERT, PARAMS(PT(version), PI(dn_now()),
                                                 PT(text ? text : "[]")), err, "rule set");
    free(text);
    if (rc < 0) {
        unit_abort(s, &u);
        return rc;
    }
    rc = unit_commit(s, &u, err);
    return rc < 0 ? rc : same ? 1 : 0;
}

static int maria_begin(void *ctx, dn_err *err)
{
    maria_store *s = ctx;
    s->tx_lost = false;   /* a new transaction: the caller has left the lost one */
    int rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    if (s->tx_open)
        return dn_err_set(err, -EBUSY, NULL, "a transaction is open already");
    rc = control(s, "START TRANSACTION", err);
    if (rc == 0) {
        s->tx_open = true;
        s->tx_lost = false;
    }
    return rc;
}

static int maria_commit(void *ctx, dn_err *err)
{
    maria_store *s = ctx;
    if (s->tx_lost) {
        s->tx_lost = false;
        return dn_err_set(err, -EIO, "store", "the database connection dropped during the "
                          "transaction; nothing of it was written");
    }
    if (!s->tx_open)
        return dn_err_set(err, -EINVAL, NULL, "no transaction is open");
    release_results(s);
    int rc = control(s, "COMMIT", err);
    if (rc < 0 && !s->broken)
        control(s, "ROLLBACK", NULL);
    s->tx_open = false;
    return rc;
}

static int maria_rollback(void *ctx)
{
    maria_store *s = ctx;
    s->tx_lost = false;
    if (!s->tx_open)
        return 0;
    s->tx_open = false;
    release_results(s);
    if (s->broken)
        return 0;
    return control(s, "ROLLBACK", NULL);
}

/* ---- reading as JSON ---- */

static bool integer_type(enum enum_field_types t)
{
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG ||
           t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_YEAR;
}

/* The current row as an object keyed by column name, the same shape as the
 * SQLite backend's: integers as integers, NULL as null, text (and dates)
 * as strings, JSON columns parsed. NULL on failure. */
static json_t *row_to_json(maria_store *s, int id)
{
    mq *q = &s->q[id];
    json_t *row = json_object();
    if (!row)
        return NULL;
    MYSQL_FIELD *fields = mysql_fetch_fields(q->meta);
    for (unsigned i = 0; i < q->ncols; i++) {
        const char *name = fields[i].name;
        json_t *value = NULL;
        if (q->nul[i])
            value = json_null();
        else if (integer_type(fields[i].type))
            value = json_integer(strtoll(q->buf[i], NULL, 10));
        else if (fields[i].type == MYSQL_TYPE_NEWDECIMAL || fields[i].type == MYSQL_TYPE_DOUBLE ||
                 fields[i].type == MYSQL_TYPE_FLOAT)
            value = json_real(strtod(q->buf[i], NULL));
        else {
            if (dn_store_json_column(name))
                value = json_loadb(q->buf[i], q->len[i], 0, NULL);
            if (!value)
                value = json_stringn(q->buf[i], q->len[i]);
        }
        if (!value || json_object_set_new(row, name, value) < 0) {
            json_decref(row);
            return NULL;
        }
    }
    return row;
}

/* Reads every row of executed statement id into a fresh array *out. */
static int rows_array(maria_store *s, int id, json_t **out, dn_err *err, const char *what)
{
    json_t *array = json_array();
    int rc;
    if (!array) {
        q_done(&s->q[id]);
        return dn_err_set(err, -ENOMEM, NULL, "%s: out of memory", what);
    }
    while ((rc = q_fetch(s, id, err, what)) == 1) {
        json_t *row = row_to_json(s, id);
        if (!row || json_array_append_new(array, row) < 0) {
            rc = dn_err_set(err, -ENOMEM, NULL, "%s: cannot build the JSON row", what);
            break;
        }
    }
    q_done(&s->q[id]);
    if (rc < 0) {
        json_decref(array);
        return rc;
    }
    *out = array;
    return 0;
}

static int maria_list_customers(void *ctx, const char *after, int limit, json_t **out,
                                dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_limit(limit, err);
    if (rc == 0)
        rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, ST_CUSTOMER_LIST, PARAMS(PT(after ? after : ""), PI(limit)), err,
                    "list customers");
    return rc < 0 ? rc : rows_array(s, ST_CUSTOMER_LIST, out, err, "list customers");
}

static int list_by_customer(maria_store *s, enum stmt_id all, enum stmt_id one,
                            const char *customer_external_id, const char *after, int limit,
                            json_t **out, dn_err *err, const char *what)
{
    int rc = dn_store_check_limit(limit, err);
    if (rc == 0)
        rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    int64_t customer_id = 0;
    bool filtered = customer_external_id && *customer_external_id;
    if (filtered) {
        rc = customer_id_by_external(s, customer_external_id, &customer_id, err);
        if (rc == 0)
            rc = dn_err_set(err, -ENOENT, "customer_id", "no customer %s",
                            customer_external_id);
        if (rc < 0)
            return rc;
        rc = q_exec(s, one, PARAMS(PI(customer_id), PT(after ? after : ""), PI(limit)), err, what);
    } else {
        rc = q_exec(s, all, PARAMS(PT(after ? after : ""), PI(limit)), err, what);
    }
    return rc < 0 ? rc : rows_array(s, filtered ? one : all, out, err, what);
}

static int maria_list_invoices(void *ctx, const char *customer_external_id, const char *after,
                               int limit, json_t **out, dn_err *err)
{
    return list_by_customer(ctx, ST_INVOICE_LIST_ALL, ST_INVOICE_LIST_CUSTOMER,
                            customer_external_id, after, limit, out, err, "list invoices");
}

static int maria_list_payments(void *ctx, const char *customer_external_id, const char *after,
                               int limit, json_t **out, dn_err *err)
{
    return list_by_customer(ctx, ST_PAYMENT_LIST_ALL, ST_PAYMENT_LIST_CUSTOMER,
                            customer_external_id, after, limit, out, err, "list payments");
}

static int maria_list_rows(void *ctx, const char *table, int64_t after_id, int limit,
                           json_t **out, dn_err *err)
{
    maria_store *s = ctx;
    enum stmt_id id;
    if (table && strcmp(table, "decisions") == 0)
        id = ST_LIST_DECISIONS;
    else if (table && strcmp(table, "contacts") == 0)
        id = ST_LIST_CONTACTS;
    else
        return dn_err_set(err, -EINVAL, "table", "rows can be listed from decisions or contacts");
    int rc = dn_store_check_limit(limit, err);
    if (rc == 0)
        rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, id, PARAMS(PI(after_id), PI(limit)), err, table);
    return rc < 0 ? rc : rows_array(s, id, out, err, table);
}

static int maria_timeline(void *ctx, const char *customer_external_id, json_t **out,
                          dn_err *err)
{
    static const struct { const char *key; enum stmt_id id; } parts[] = {
        { "invoices", ST_TL_INVOICES },   { "payments", ST_TL_PAYMENTS },
        { "cases", ST_TL_CASES },         { "decisions", ST_TL_DECISIONS },
        { "contacts", ST_TL_CONTACTS },   { "events", ST_TL_EVENTS },
    };
    maria_store *s = ctx;
    json_t *timeline = NULL;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    const char *external_id = customer_external_id ? customer_external_id : "";
    rc = q_row(s, ST_TL_CUSTOMER, PARAMS(PT(external_id)), err, "timeline");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "external_id", "no customer %s", external_id);
    if (rc < 0)
        goto fail;
    int64_t customer_id = col_int(s, ST_TL_CUSTOMER, 0);
    json_t *customer = row_to_json(s, ST_TL_CUSTOMER);
    q_done(&s->q[ST_TL_CUSTOMER]);
    timeline = json_object();
    if (!customer || !timeline || json_object_set_new(timeline, "customer", customer) < 0) {
        if (!timeline)
            json_decref(customer);
        rc = dn_err_set(err, -ENOMEM, NULL, "timeline: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *rows = NULL;
        rc = q_exec(s, parts[i].id, PARAMS(PI(customer_id)), err, parts[i].key);
        if (rc == 0)
            rc = rows_array(s, parts[i].id, &rows, err, parts[i].key);
        if (rc < 0)
            goto fail;
        if (json_object_set_new(timeline, parts[i].key, rows) < 0) {
            rc = dn_err_set(err, -ENOMEM, NULL, "timeline: out of memory");
            goto fail;
        }
    }
    rc = unit_commit(s, &u, err);
    if (rc < 0)
        goto fail_closed;
    *out = timeline;
    return 0;
fail:
    unit_abort(s, &u);
fail_closed:
    json_decref(timeline);
    return rc;
}

static int count_groups(maria_store *s, enum stmt_id id, json_t *obj, dn_err *err)
{
    int rc = q_exec(s, id, NULL, 0, err, "stats");
    if (rc < 0)
        return rc;
    while ((rc = q_fetch(s, id, err, "stats")) == 1) {
        if (!col_null(s, id, 0) &&
            json_object_set_new(obj, col_text(s, id, 0), json_integer(col_int(s, id, 1))) < 0) {
            rc = dn_err_set(err, -ENOMEM, NULL, "stats: out of memory");
            break;
        }
    }
    q_done(&s->q[id]);
    return rc < 0 ? rc : 0;
}

static int maria_stats(void *ctx, json_t **out, dn_err *err)
{
    maria_store *s = ctx;
    json_t *stats = NULL, *contacts = json_object(), *decisions = json_object();
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        goto done;
    if (!contacts || !decisions) {
        rc = dn_err_set(err, -ENOMEM, NULL, "stats: out of memory");
        goto fail;
    }
    dn_store_stats_zero(contacts, decisions);
    rc = count_groups(s, ST_STATS_CONTACTS, contacts, err);
    if (rc == 0)
        rc = count_groups(s, ST_STATS_DECISIONS, decisions, err);
    if (rc < 0)
        goto fail;
    rc = q_row(s, ST_STATS_TOTALS, NULL, 0, err, "stats");
    if (rc == 0)
        rc = dn_err_set(err, -EIO, NULL, "stats: no totals row");
    if (rc < 0)
        goto fail;
    stats = json_pack("{s:I, s:I, s:I, s:O, s:O}",
                      "customers", (json_int_t)col_int(s, ST_STATS_TOTALS, 0),
                      "invoices_open", (json_int_t)col_int(s, ST_STATS_TOTALS, 1),
                      "cases_open", (json_int_t)col_int(s, ST_STATS_TOTALS, 2),
                      "contacts", contacts, "decisions", decisions);
    q_done(&s->q[ST_STATS_TOTALS]);
    if (!stats) {
        rc = dn_err_set(err, -ENOMEM, NULL, "stats: out of memory");
        goto fail;
    }
    rc = unit_commit(s, &u, err);
    if (rc < 0) {
        json_decref(stats);
        goto done;
    }
    *out = stats;
    goto done;
fail:
    unit_abort(s, &u);
done:
    json_decref(contacts);
    json_decref(decisions);
    return rc;
}

static int maria_touch_all(void *ctx, dn_time at, dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    return rc < 0 ? rc : q_exec(s, ST_CUSTOMER_TOUCH_ALL, PARAMS(PI(at), PI(at)), err, "touch all");
}

static int maria_reschedule_contact(void *ctx, int64_t contact_id, dn_time at,
                                    const char *reason, dn_time now, dn_err *err)
{
    maria_store *s = ctx;
    if (reason && !dn_utf8_valid(reason))
        return dn_err_set(err, -EINVAL, "reason", "text is not valid UTF-8");
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_CONTACT_RESCHEDULE_LOCK, PARAMS(PI(contact_id)), err, "reschedule contact");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact %lld waiting to be sent",
                        (long long)contact_id);
    if (rc < 0)
        goto fail;
    int64_t customer_id = col_int(s, ST_CONTACT_RESCHEDULE_LOCK, 0);
    q_done(&s->q[ST_CONTACT_RESCHEDULE_LOCK]);
    rc = q_exec(s, ST_CONTACT_RESCHEDULE,
                PARAMS(PI(at), text_or_null(reason), PI(now), PI(contact_id)), err,
                "reschedule contact");
    if (rc < 0)
        goto fail;
    rc = insert_event(s, customer_id, "contact_rescheduled",
                      dn_store_reschedule_event(contact_id, at, reason), now, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* A locked set of contacts: (id, customer_id) pairs, grown on demand. */
typedef struct contact_rows {
    int64_t (*row)[2];
    size_t  count, capacity;
} contact_rows;

/* Reads every (id, customer_id) row of executed statement id into *rows
 * and writes the ids as a JSON array (*ids_text, caller frees) for a
 * JSON_TABLE update of exactly those rows. */
static int collect_contacts(maria_store *s, enum stmt_id id, contact_rows *rows,
                            char **ids_text, dn_err *err, const char *what)
{
    int rc;
    *ids_text = NULL;
    while ((rc = q_fetch(s, id, err, what)) == 1) {
        if (rows->count == rows->capacity) {
            size_t grown = rows->capacity ? rows->capacity * 2 : 64;
            void *bigger = realloc(rows->row, grown * sizeof *rows->row);
            if (!bigger) {
                rc = dn_err_set(err, -ENOMEM, NULL, "%s: out of memory", what);
                break;
            }
            rows->row = bigger;
            rows->capacity = grown;
        }
        rows->row[rows->count][0] = col_int(s, id, 0);
        rows->row[rows->count][1] = col_int(s, id, 1);
        rows->count++;
    }
    q_done(&s->q[id]);
    if (rc < 0 || rows->count == 0)
        return rc;
    json_t *ids = json_array();
    for (size_t i = 0; ids && i < rows->count; i++)
        if (json_array_append_new(ids, json_integer(rows->row[i][0])) < 0) {
            json_decref(ids);
            ids = NULL;
        }
    *ids_text = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
    json_decref(ids);
    if (!*ids_text)
        return dn_err_set(err, -ENOMEM, NULL, "%s: out of memory", what);
    return 0;
}

/* Marks contacts stuck in "sending" since before `before` as in doubt,
 * except those this connection took itself (store.h mark_in_doubt); each
 * gets a "contact_in_doubt" event. */
static int maria_mark_in_doubt(void *ctx, dn_time before, dn_time now, int *n, dn_err *err)
{
    maria_store *s = ctx;
    contact_rows rows = { 0 };
    char *ids = NULL;
    *n = 0;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_exec(s, ST_IN_DOUBT_SELECT, PARAMS(PI(before), PT(s->owner)), err, "mark in doubt");
    if (rc == 0)
        rc = collect_contacts(s, ST_IN_DOUBT_SELECT, &rows, &ids, err, "mark in doubt");
    if (rc < 0)
        goto fail;
    if (rows.count > 0) {
        rc = q_exec(s, ST_IN_DOUBT_MARK, PARAMS(PT(ids), PI(now)), err, "mark in doubt");
        if (rc < 0)
            goto fail;
    }
    for (size_t i = 0; i < rows.count; i++) {
        rc = insert_event(s, rows.row[i][1], "contact_in_doubt",
                          dn_store_contact_event(rows.row[i][0], "in_doubt", NULL, NULL), now, err);
        if (rc < 0)
            goto fail;
    }
    rc = unit_commit(s, &u, err);
    if (rc == 0)
        *n = (int)rows.count;
    goto done;
fail:
    unit_abort(s, &u);
done:
    free(ids);
    free(rows.row);
    return rc;
}

/* Puts contacts of an idempotent channel left in "sending" back to
 * "planned" (store.h requeue_sending). */
static int maria_requeue_sending(void *ctx, const char *channel, dn_time before, dn_time now,
                                 int *n, dn_err *err)
{
    maria_store *s = ctx;
    contact_rows rows = { 0 };
    char *ids = NULL;
    *n = 0;
    if (!channel || !*channel)
        return dn_err_set(err, -EINVAL, "channel", "requeue needs a channel");
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_exec(s, ST_REQUEUE_SELECT, PARAMS(PT(channel), PI(before), PT(s->owner)), err,
                "requeue");
    if (rc == 0)
        rc = collect_contacts(s, ST_REQUEUE_SELECT, &rows, &ids, err, "requeue");
    if (rc < 0)
        goto fail;
    if (rows.count > 0) {
        rc = q_exec(s, ST_REQUEUE_MARK, PARAMS(PT(ids), PI(now), PI(now)), err, "requeue");
        if (rc < 0)
            goto fail;
    }
    for (size_t i = 0; i < rows.count; i++) {
        rc = insert_event(s, rows.row[i][1], "contact_requeued",
                          dn_store_contact_event(rows.row[i][0], "planned", NULL, NULL), now, err);
        if (rc < 0)
            goto fail;
    }
    rc = unit_commit(s, &u, err);
    if (rc == 0)
        *n = (int)rows.count;
    goto done;
fail:
    unit_abort(s, &u);
done:
    free(ids);
    free(rows.row);
    return rc;
}

/* ---- promises ---- */

/* store.h add_promise. */
static int maria_add_promise(void *ctx, const char *customer_external_id, int64_t amount_minor,
                             const char *currency, dn_date due, dn_time now, int64_t *id,
                             dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_promise(customer_external_id, amount_minor, currency, due, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    int64_t customer_id = 0;
    rc = customer_id_by_external(s, customer_external_id, &customer_id, err);
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer %s", customer_external_id);
    if (rc < 0)
        goto fail;
    rc = q_exec(s, ST_PROMISE_INSERT, PARAMS(PI(customer_id), PI(customer_id), PI(amount_minor),
                                             PT(currency), date_param(due), PI(now)),
                err, "promise");
    if (rc < 0)
        goto fail;
    *id = insert_id(s, ST_PROMISE_INSERT);
    rc = insert_event(s, customer_id, "promise_made",
                      dn_store_promise_event(*id, amount_minor, currency, due), now, err);
    if (rc < 0)
        goto fail;
    rc = touch_customer(s, customer_id, 0, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* ---- delivery ---- */

/* Records a provider's acceptance (store.h record_sent). */
static int maria_record_sent(void *ctx, int64_t contact_id, const dn_send_record *r, dn_time at,
                             dn_err *err)
{
    maria_store *s = ctx;
    bool costed;
    int rc = dn_store_check_send_record(r, &costed, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_CONTACT_BY_ID, PARAMS(PI(contact_id)), err, "record sent");
    if (rc < 0)
        goto fail;
    int64_t customer_id = 0;
    bool accepted = false;
    if (rc == 1) {
        static const char *const from[] = { "sending", "delivered", "failed" };
        const char *state = col_text(s, ST_CONTACT_BY_ID, 2);
        for (size_t i = 0; i < sizeof from / sizeof from[0]; i++)
            accepted |= strcmp(state, from[i]) == 0;
        customer_id = col_int(s, ST_CONTACT_BY_ID, 1);
        q_done(&s->q[ST_CONTACT_BY_ID]);
    }
    if (!accepted) {
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact %lld being sent",
                        (long long)contact_id);
        goto fail;
    }
    rc = q_exec(s, ST_CONTACT_SENT,
                PARAMS(text_or_null(r->provider_id), text_or_null(r->instance),
                       costed ? PI(r->cost_minor) : PNULL,
                       costed ? PT(r->cost_currency) : PNULL, PI(at), PI(at),
                       text_or_null(r->detail), PI(r->sms_parts), PI(r->sms_parts),
                       text_or_null(r->sms_encoding), PI(contact_id)), err, "record sent");
    if (rc >= 0)
        rc = q_exec(s, ST_CONFIRMATION_SENT, PARAMS(PI(at), PI(contact_id)), err,
                    "opt-out confirmation sent");
    if (rc < 0)
        goto fail;
    rc = insert_event(s, customer_id, "contact_sent",
                      dn_store_sent_event(contact_id, r, costed), at, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* Adds a provider message id named after the send (see store.h). */
static int maria_record_provider_id(void *ctx, int64_t contact_id, const char *provider_id,
                                    dn_time at, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_provider_id(provider_id, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_CONTACT_PROVIDER, PARAMS(PI(contact_id)), err, "provider id");
    if (rc < 0)
        goto fail;
    char list[DN_PROVIDER_IDS_MAX + 1];
    if (rc == 1) {
        const char *state = col_text(s, ST_CONTACT_PROVIDER, 0);
        bool unsent = strcmp(state, "planned") == 0 || strcmp(state, "cancelled") == 0;
        col_copy(s, ST_CONTACT_PROVIDER, 1, list, sizeof list);
        q_done(&s->q[ST_CONTACT_PROVIDER]);
        if (unsent)
            rc = 0;
    }
    if (rc == 0) {
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact %lld sent to a provider",
                        (long long)contact_id);
        goto fail;
    }
    rc = dn_store_provider_ids_add(list, sizeof list, provider_id, err);
    if (rc <= 0) {
        if (rc == 0) {
            unit_abort(s, &u);            /* named before: nothing to do */
            return 0;
        }
        goto fail;
    }
    rc = q_exec(s, ST_CONTACT_SET_PROVIDER, PARAMS(PT(list), PI(at), PI(contact_id)), err,
                "provider id");
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* The customer an inbound chat message comes from (see store.h). */
static int maria_find_chat_customer(void *ctx, const char *chat_id, const char *username,
                                    char *external_id, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_chat_sender(chat_id, &username, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_CUSTOMER_BY_CHAT, PARAMS(PT(chat_id), PT(username), PT(chat_id)), err,
               "chat sender");
    if (rc == 1) {
        col_copy(s, ST_CUSTOMER_BY_CHAT, 0, external_id, DN_ID_MAX);
        q_done(&s->q[ST_CUSTOMER_BY_CHAT]);
        return 0;
    }
    return rc < 0 ? rc : dn_store_no_chat_sender(chat_id, username, err);
}

/* Records the day a letter was posted (see store.h). */
static int maria_record_letter_posted(void *ctx, int64_t contact_id, dn_date posted_on,
                                      dn_time now, char *customer_external_id, dn_err *err)
{
    maria_store *s = ctx;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_LETTER_READ, PARAMS(PI(contact_id)), err, "letter");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "id", "no letter %lld", (long long)contact_id);
    if (rc < 0)
        goto fail;
    int64_t customer_id = col_int(s, ST_LETTER_READ, 0);
    char state[16];
    col_copy(s, ST_LETTER_READ, 1, customer_external_id, DN_ID_MAX);
    col_copy(s, ST_LETTER_READ, 2, state, sizeof state);
    dn_time written_at = col_int(s, ST_LETTER_READ, 3);
    dn_date posted = col_date(s, ST_LETTER_READ, 4);
    q_done(&s->q[ST_LETTER_READ]);
    rc = dn_store_check_letter_posted(contact_id, state, written_at, posted, posted_on, now, err);
    if (rc <= 0) {
        if (rc == 0) {
            unit_abort(s, &u);            /* recorded before: the same answer */
            return 0;
        }
        goto fail;
    }
    rc = q_exec(s, ST_LETTER_POSTED, PARAMS(date_param(posted_on), PI(now), PI(contact_id)),
                err, "letter posted");
    if (rc < 0)
        goto fail;
    char day[11];
    dn_date_format(posted_on, day);
    rc = insert_event(s, customer_id, "letter_posted",
                      json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id, "posted_on",
                                day), now, err);
    if (rc == 0)
        rc = touch_customer(s, customer_id, 0, err);   /* due under any clock */
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* Finds and locks a contact by id (and checks idem_key when given) or by
 * idem_key alone: 1 with *id, *customer_id and state filled, or a negative
 * errno (-ENOENT when nothing matches, -EINVAL when neither is given). */
static int find_contact(maria_store *s, int64_t contact_id, const char *idem_key, int64_t *id,
                        int64_t *customer_id, char *state, size_t state_size, dn_err *err)
{
    bool by_id = contact_id > 0;
    bool has_key = idem_key && *idem_key;
    int rc = dn_store_check_contact_key(contact_id, idem_key, err);
    if (rc < 0)
        return rc;
    enum stmt_id q = by_id ? ST_CONTACT_BY_ID : ST_CONTACT_BY_KEY;
    qp key = by_id ? PI(contact_id) : PT(idem_key);
    rc = q_row(s, q, &key, 1, err, "find contact");
    if (rc < 0)
        return rc;
    bool match = rc == 1;
    if (match) {
        *id = col_int(s, q, 0);
        *customer_id = col_int(s, q, 1);
        col_copy(s, q, 2, state, state_size);
        if (has_key && strcmp(col_text(s, q, 3), idem_key) != 0)
            match = false;
        q_done(&s->q[q]);
    }
    return match ? 1 : dn_store_contact_not_found(contact_id, err);
}

/* Settles a contact from a delivery report or bounce (store.h). */
static int maria_record_receipt(void *ctx, int64_t contact_id, const char *idem_key,
                                const char *state, const char *reason, dn_time at, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_receipt(state, reason, idem_key, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    int64_t id = 0, customer_id = 0;
    char current[16];
    rc = find_contact(s, contact_id, idem_key, &id, &customer_id, current, sizeof current, err);
    if (rc >= 0)
        rc = dn_store_receipt_transition(id, current, state, err);
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        unit_abort(s, &u);                 /* the same report again: nothing to do */
        return 0;
    }
    rc = q_exec(s, ST_CONTACT_FINAL, PARAMS(PT(state), PI(at), PI(at), text_or_null(reason),
                                            PI(id)), err, "receipt");
    if (rc >= 0 && strcmp(state, "delivered") == 0)
        rc = q_exec(s, ST_CONFIRMATION_SENT, PARAMS(PI(at), PI(id)), err,
                    "opt-out confirmation sent");
    if (rc < 0)
        goto fail;
    char kind[32];
    snprintf(kind, sizeof kind, "contact_%s", state);
    rc = insert_event(s, customer_id, kind,
                      dn_store_receipt_event(id, state, current, reason), at, err);
    if (rc == 0)
        rc = touch_customer(s, customer_id, 0, err);   /* due under any clock */
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* Opens a unit with the contact (contact_id, idem_key) found in it
 * (find_contact): 0, or its error with the unit closed. */
static int contact_unit(maria_store *s, unit *u, int64_t contact_id, const char *idem_key,
                        int64_t *id, int64_t *customer_id, dn_err *err)
{
    int rc = unit_begin(s, u, err);
    if (rc < 0)
        return rc;
    char state[16];
    rc = find_contact(s, contact_id, idem_key, id, customer_id, state, sizeof state, err);
    if (rc < 0)
        unit_abort(s, u);
    return rc < 0 ? rc : 0;
}

/* Marks the address a contact went to as undeliverable (see store.h). */
static int maria_mark_undeliverable(void *ctx, int64_t contact_id, const char *idem_key,
                                    const char *reason, dn_time at, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_contact_texts(reason, idem_key, err);
    if (rc < 0)
        return rc;
    unit u;
    int64_t id = 0, customer_id = 0;
    rc = contact_unit(s, &u, contact_id, idem_key, &id, &customer_id, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, ST_CONTACT_ADDRESSES, PARAMS(PI(id)), err, "addresses");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact %lld", (long long)id);
    if (rc < 0)
        goto fail;
    char channel[16], address[DN_ADDR_MAX], email[DN_ADDR_MAX], phone[32], chat[DN_ADDR_MAX];
    col_copy(s, ST_CONTACT_ADDRESSES, 0, channel, sizeof channel);
    col_copy(s, ST_CONTACT_ADDRESSES, 1, address, sizeof address);
    col_copy(s, ST_CONTACT_ADDRESSES, 2, email, sizeof email);
    col_copy(s, ST_CONTACT_ADDRESSES, 3, phone, sizeof phone);
    col_copy(s, ST_CONTACT_ADDRESSES, 4, chat, sizeof chat);
    q_done(&s->q[ST_CONTACT_ADDRESSES]);
    bool marked = false;
    rc = dn_store_undeliverable_bit(channel, address, email, phone, chat, &marked, err);
    if (rc < 0)
        goto fail;
    if (marked)
        rc = q_exec(s, ST_CUSTOMER_UNDELIVERABLE, PARAMS(PI(rc), PI(at), PI(customer_id)), err,
                    "undeliverable");
    else
        rc = touch_customer(s, customer_id, 0, err);   /* due under any clock */
    if (rc < 0)
        goto fail;
    json_t *payload = json_pack("{s:I, s:s, s:s, s:s*, s:b}", "contact_id", (json_int_t)id,
                                "channel", channel, "address", address, "reason",
                                reason && *reason ? reason : NULL, "marked", marked);
    rc = insert_event(s, customer_id, "address_undeliverable", payload, at, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* An event about one contact, on its customer's record (see store.h). */
static int maria_append_contact_event(void *ctx, int64_t contact_id, const char *idem_key,
                                      const char *kind, json_t *payload, dn_time at,
                                      dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_contact_event(kind, payload, idem_key, err);
    if (rc < 0)
        return rc;
    unit u;
    int64_t id = 0, customer_id = 0;
    rc = contact_unit(s, &u, contact_id, idem_key, &id, &customer_id, err);
    if (rc < 0)
        return rc;
    json_t *copy = json_copy(payload);
    if (copy)
        json_object_set_new(copy, "contact_id", json_integer(id));
    rc = insert_event(s, customer_id, kind, copy, at, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* Records an opt-out reached through one of the customer's contacts. */
static int maria_opt_out_by_contact(void *ctx, int64_t contact_id, const char *idem_key,
                                    unsigned channel_bits, const char *source, dn_time at,
                                    dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_opt_out(channel_bits, source, idem_key, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    int64_t id = 0, customer_id = 0;
    char current[16];
    rc = find_contact(s, contact_id, idem_key, &id, &customer_id, current, sizeof current, err);
    if (rc < 0)
        goto fail;
    rc = q_exec(s, ST_CUSTOMER_OPT_OUT, PARAMS(PI(channel_bits), PI(at), PI(customer_id)), err,
                "opt out");
    if (rc < 0)
        goto fail;
    rc = insert_event(s, customer_id, "opt_out",
                      dn_store_opt_out_event(id, channel_bits, source), at, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

static const dn_store_module_ops maria_module_ops;

const dn_store_ops dn_store_mariadb = {
    .name = "mariadb",
    .open = maria_open,
    .close = maria_close,
    .schema_version = maria_schema_version,
    .upsert_customer = maria_upsert_customer,
    .get_customer = maria_get_customer,
    .list_customers = maria_list_customers,
    .upsert_invoice = maria_upsert_invoice,
    .get_invoice = maria_get_invoice,
    .list_invoices = maria_list_invoices,
    .add_payment = maria_add_payment,
    .list_payments = maria_list_payments,
    .begin = maria_begin,
    .commit = maria_commit,
    .rollback = maria_rollback,
    .claim_due = maria_claim_due,
    .record_results = maria_record_results,
    .touch_customer = maria_touch_customer,
    .claim_outbox = maria_claim_outbox,
    .load_facts = maria_load_facts,
    .set_contact_state = maria_set_contact_state,
    .rewrite_contact = maria_rewrite_contact,
    .append_event = maria_append_event,
    .timeline = maria_timeline,
    .list_rows = maria_list_rows,
    .stats = maria_stats,
    .record_ruleset = maria_record_ruleset,
    .touch_all = maria_touch_all,
    .reschedule_contact = maria_reschedule_contact,
    .mark_in_doubt = maria_mark_in_doubt,
    .add_promise = maria_add_promise,
    .claim_outbox_channel = maria_claim_outbox_channel,
    .record_sent = maria_record_sent,
    .record_provider_id = maria_record_provider_id,
    .find_chat_customer = maria_find_chat_customer,
    .record_letter_posted = maria_record_letter_posted,
    .mark_undeliverable = maria_mark_undeliverable,
    .append_contact_event = maria_append_contact_event,
    .record_receipt = maria_record_receipt,
    .opt_out_by_contact = maria_opt_out_by_contact,
    .requeue_sending = maria_requeue_sending,
    .modules = &maria_module_ops,
};

/* ---- the channel modules' operations (store_modules.h) ---- */

#define MODULE(id) [(id) - ST_COUNT]

static const char *const module_sql[STMT_TOTAL - ST_COUNT] = {
    /* customer_id, contact_id, source, reason, priority, now, now */
    MODULE(MS_TASK_INSERT) =
        "INSERT INTO agent_tasks (customer_id, contact_id, source, reason, priority, state, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
    MODULE(MS_TASK_BY_CONTACT) = "SELECT id FROM agent_tasks WHERE contact_id = ?",
    /* now, now: a second taker waits here for the first one's commit */
    MODULE(MS_TASK_EXPIRE) =
        "UPDATE agent_tasks SET state = 'open', agent = NULL, taken_until = NULL, "
        "updated_at = ? WHERE state = 'taken' AND taken_until < ?",
    /* now: the queue index (state, priority DESC, id) is read in order, so
     * only the row taken is locked; rows another taker holds are skipped */
    MODULE(MS_TASK_PICK) =
        "SELECT id FROM agent_tasks WHERE state = 'open' AND snoozed_until <= ? "
        "ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED",
    /* agent, taken_until, now, id */
    MODULE(MS_TASK_TAKE) =
        "UPDATE agent_tasks SET state = 'taken', agent = ?, taken_until = ?, updated_at = ? "
        "WHERE id = ?",
    MODULE(MS_TASK_ROW) =
        "SELECT customer_id, COALESCE(contact_id, 0), state, COALESCE(agent, ''), "
        "COALESCE(taken_until, 0) FROM agent_tasks WHERE id = ? FOR UPDATE",
    /* outcome, note, now, id */
    MODULE(MS_TASK_CLOSE) =
        "UPDATE agent_tasks SET state = 'done', outcome = ?, note = ?, taken_until = NULL, "
        "updated_at = ? WHERE id = ?",
    /* until, now, id */
    MODULE(MS_TASK_REQUEUE) =
        "UPDATE agent_tasks SET state = 'open', agent = NULL, taken_until = NULL, "
        "snoozed_until = ?, updated_at = ? WHERE id = ?",
    MODULE(MS_TASK_GET) = TASK_JSON_SELECT "WHERE t.id = ?",
    /* state, state, limit */
    MODULE(MS_TASK_LIST) =
        TASK_JSON_SELECT "WHERE (? = '' OR t.state = ?) "
        "ORDER BY t.state = 'done', t.priority DESC, t.id LIMIT ?",
    /* state, outcome, now, id (NULL keeps) */
    MODULE(MS_CONTACT_OUTCOME) =
        "UPDATE contacts SET state = COALESCE(?, state), outcome = COALESCE(?, outcome), "
        "updated_at = ? WHERE id = ?",

    MODULE(MS_WEBHOOK_DISABLE) = "UPDATE webhook_endpoints SET enabled = 0",
    MODULE(MS_WEBHOOK_ENDPOINT) =
        "INSERT INTO webhook_endpoints (name, url, enabled) VALUES (?, ?, 1) "
        "ON DUPLICATE KEY UPDATE url = VALUES(url), enabled = 1",
    /* now_ms, now_ms, max: candidates, read without locks (the heads of
     * their queues as last committed); each is locked and checked below */
    MODULE(MS_WEBHOOK_DUE) =
        "SELECT d.id, d.endpoint, d.customer_id FROM webhook_deliveries d "
        "JOIN webhook_endpoints w ON w.name = d.endpoint AND w.enabled = 1 "
        "WHERE ((d.state = 'pending' AND d.next_attempt_at <= ?) "
        "OR (d.state = 'sending' AND d.lease_until < ?)) "
        "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint = d.endpoint "
        "AND p.customer_id <=> d.customer_id AND p.state IN ('pending', 'sending') "
        "AND p.id < d.id) ORDER BY d.id LIMIT ?",
    /* id, now_ms, now_ms: still claimable, and not being claimed elsewhere */
    MODULE(MS_WEBHOOK_LOCK) =
        "SELECT id FROM webhook_deliveries WHERE id = ? AND ((state = 'pending' AND "
        "next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ?)) "
        "FOR UPDATE SKIP LOCKED",
    /* endpoint, customer_id, id: an earlier undelivered one of the same
     * queue; a locking read, so it waits for one another transaction is
     * writing (an event committed after this candidate's, with a lower id) */
    MODULE(MS_WEBHOOK_EARLIER) =
        "SELECT id FROM webhook_deliveries WHERE endpoint = ? AND customer_id <=> ? AND id < ? "
        "AND state IN ('pending', 'sending') LIMIT 1 FOR UPDATE",
    /* lease_until, owner, now, id */
    MODULE(MS_WEBHOOK_TAKE) =
        "UPDATE webhook_deliveries SET state = 'sending', attempts = attempts + 1, "
        "lease_until = ?, claimed_by = ?, updated_at = ? WHERE id = ?",
    MODULE(MS_WEBHOOK_READ) =
        "SELECT d.id, d.endpoint, d.event_id, d.attempts, e.kind, e.at, e.payload, "
        "c.external_id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id "
        "LEFT JOIN customers c ON c.id = d.customer_id WHERE d.id = ?",
    /* state, status, error, next_ms, state, now, now, id, owner: only while
     * the claim is still this connection's (state first: MariaDB assigns
     * left to right) */
    MODULE(MS_WEBHOOK_RECORD) =
        "UPDATE webhook_deliveries SET state = ?, last_status = ?, last_error = ?, "
        "next_attempt_at = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? "
        "ELSE delivered_at END, updated_at = ?, lease_until = NULL, claimed_by = NULL "
        "WHERE id = ? AND state = 'sending' AND claimed_by = ?",
    MODULE(MS_WEBHOOK_RELEASE) =
        "UPDATE webhook_deliveries SET state = 'pending', lease_until = NULL, claimed_by = NULL "
        "WHERE state = 'sending' AND claimed_by = ?",
    MODULE(MS_WEBHOOK_GET) = DELIVERY_JSON_SELECT "WHERE d.id = ?",
    /* state, state, after, limit */
    MODULE(MS_WEBHOOK_LIST) =
        DELIVERY_JSON_SELECT "WHERE (? = '' OR d.state = ?) AND d.id > ? ORDER BY d.id LIMIT ?",
    MODULE(MS_WEBHOOK_REPLAY) =
        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = 0, "
        "last_error = NULL, last_status = NULL WHERE id = ? AND state IN ('dead', 'delivered')",

    MODULE(MS_CUSTOMER_BY_PHONE) =
        "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE phone = ? ORDER BY id LIMIT 1",
    /* chat handles compare as find_chat_customer does (any case, no '@') */
    MODULE(MS_CUSTOMER_BY_CHAT) =
        "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE chat_handle = "
        "LOWER(TRIM(LEADING '@' FROM ?)) AND chat <> '' ORDER BY id LIMIT 1",
    /* bit, now, id */
    MODULE(MS_OPT_OUT_ONE) = "UPDATE customers SET opt_out = opt_out | ?, updated_at = ? WHERE id = ? "
                             "AND (opt_out & ?) = 0",
    /* address, except id, bit: the others on that contact point, locked */
    MODULE(MS_SHARED_PHONE) =
        "SELECT id FROM customers WHERE phone = ? AND id <> ? AND (opt_out & ?) = 0 "
        "ORDER BY id FOR UPDATE",
    MODULE(MS_SHARED_CHAT) =
        "SELECT id FROM customers WHERE chat_handle = LOWER(TRIM(LEADING '@' FROM ?)) "
        "AND chat <> '' AND id <> ? AND (opt_out & ?) = 0 ORDER BY id FOR UPDATE",
    /* customer_id, channel */
    MODULE(MS_REPLIED_PICK) =
        "SELECT id FROM contacts WHERE customer_id = ? AND channel = ? AND state IN "
        "('sent', 'delivered') AND purpose <> 'optout_confirm' "
        "ORDER BY scheduled_at DESC, id DESC LIMIT 1 FOR UPDATE",
    /* now, id */
    MODULE(MS_REPLIED_MARK) = "UPDATE contacts SET state = 'replied', updated_at = ? WHERE id = ?",
    /* customer_id, customer_id, idem_key, channel .. scheduled_at, sms_parts,
     * sms_encoding, now, now, purpose, debt_ref; a duplicate idem_key fails
     * with ER_DUP_ENTRY (this statement only) */
    MODULE(MS_CONTACT_PLAN) =
        "INSERT INTO contacts (customer_id, case_id, idem_key, step_day, channel, address, "
        "template, language, tone, voice, subject, body, scheduled_at, state, sms_parts, "
        "sms_encoding, created_at, updated_at, purpose, debt_ref) VALUES (?, (SELECT id FROM "
        "cases WHERE customer_id = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1), ?, 0, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?)",
    /* source, digest, now: a second claim of a key waits for the first's
     * transaction, then fails with ER_DUP_ENTRY if it committed */
    MODULE(MS_INBOUND_CLAIM) =
        "INSERT INTO inbound_seen (source, digest, received_at) VALUES (?, ?, ?)",
    MODULE(MS_INBOUND_RESULT) = "SELECT result FROM inbound_seen WHERE source = ? AND digest = ?",
    /* customer_id, result, source, digest */
    MODULE(MS_INBOUND_SETTLE) =
        "UPDATE inbound_seen SET customer_id = ?, result = ? WHERE source = ? AND digest = ?",

    /* id, channel */
    MODULE(MS_CONTACT_FIND_ID) =
        "SELECT k.id, k.customer_id, c.external_id, k.state, k.created_at, k.updated_at "
        "FROM contacts k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.id = ? AND k.channel = ?",
    /* provider_id, channel */
    MODULE(MS_CONTACT_FIND_PROVIDER) =
        "SELECT k.id, k.customer_id, c.external_id, k.state, k.created_at, k.updated_at "
        "FROM contacts k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.provider_id = ? AND k.channel = ? ORDER BY k.id DESC LIMIT 1",
    /* posted_at, posted_at, id */
};

/* Executed statement id's first row as JSON (row_to_json): 1 with *out, 0
 * when there is none. */
static int row_object(maria_store *s, int id, json_t **out, dn_err *err, const char *what)
{
    int rc = q_fetch(s, id, err, what);
    if (rc == 1 && !(*out = row_to_json(s, id)))
        rc = dn_err_set(err, -ENOMEM, NULL, "%s: out of memory", what);
    q_done(&s->q[id]);
    return rc;
}

static int maria_task_create(void *ctx, const dn_task_new *t, dn_time now, int64_t *id,
                             dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    rc = q_exec(s, MS_TASK_INSERT,
                PARAMS(PI(t->customer_id), id_or_null(t->contact_id), PT(t->source),
                       PT(t->reason), PI(t->priority), PI(now), PI(now)), err, "agent task");
    if (rc == 0)
        *id = insert_id(s, MS_TASK_INSERT);
    if (rc != -EEXIST || !t->contact_id)
        return rc;
    int found = q_row(s, MS_TASK_BY_CONTACT, PARAMS(PI(t->contact_id)), err, "agent task");
    if (found == 1) {
        *id = col_int(s, MS_TASK_BY_CONTACT, 0);
        q_done(&s->q[MS_TASK_BY_CONTACT]);
    }
    return found < 0 ? found : rc;
}

static int maria_task_take(void *ctx, const char *agent, dn_time now, int lease_seconds,
                           int64_t *id, dn_err *err)
{
    maria_store *s = ctx;
    *id = 0;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_exec(s, MS_TASK_EXPIRE, PARAMS(PI(now), PI(now)), err, "take agent task");
    if (rc == 0)
        rc = q_row(s, MS_TASK_PICK, PARAMS(PI(now)), err, "take agent task");
    if (rc == 1) {
        int64_t picked = col_int(s, MS_TASK_PICK, 0);
        q_done(&s->q[MS_TASK_PICK]);
        rc = q_exec(s, MS_TASK_TAKE, PARAMS(PT(agent), PI(now + lease_seconds), PI(now),
                                            PI(picked)), err, "take agent task");
        if (rc == 0)
            *id = picked;
    }
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

static int maria_task_lock(void *ctx, int64_t id, dn_task_row *row, dn_err *err)
{
    maria_store *s = ctx;
    const int q = MS_TASK_ROW;
    int rc = q_row(s, q, PARAMS(PI(id)), err, "agent task");
    if (rc == 1) {
        row->customer_id = col_int(s, q, 0);
        row->contact_id = col_int(s, q, 1);
        col_copy(s, q, 2, row->state, sizeof row->state);
        col_copy(s, q, 3, row->agent, sizeof row->agent);
        row->taken_until = col_int(s, q, 4);
        q_done(&s->q[q]);
    }
    return rc;
}

static int maria_task_close(void *ctx, int64_t id, const char *outcome, const char *note,
                            dn_time now, dn_err *err)
{
    return q_exec(ctx, MS_TASK_CLOSE, PARAMS(PT(outcome), note ? PT(note) : PNULL, PI(now),
                                             PI(id)), err, "complete agent task");
}

static int maria_task_requeue(void *ctx, int64_t id, dn_time until, dn_time now, dn_err *err)
{
    return q_exec(ctx, MS_TASK_REQUEUE, PARAMS(PI(until), PI(now), PI(id)), err,
                  "requeue agent task");
}

/* The row of statement q (which takes one id) as JSON: 1, or 0 when none. */
static int row_by_id(maria_store *s, int q, int64_t id, json_t **out, dn_err *err,
                     const char *what)
{
    int rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, q, PARAMS(PI(id)), err, what);
    return rc < 0 ? rc : row_object(s, q, out, err, what);
}

static int maria_task_get(void *ctx, int64_t id, json_t **task, dn_err *err)
{
    return row_by_id(ctx, MS_TASK_GET, id, task, err, "agent task");
}

static int maria_task_list(void *ctx, const char *state, int limit, json_t **out, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_limit(limit, err);
    if (rc == 0)
        rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, MS_TASK_LIST, PARAMS(PT(state), PT(state), PI(limit)), err,
                    "list agent tasks");
    return rc < 0 ? rc : rows_array(s, MS_TASK_LIST, out, err, "list agent tasks");
}

static int maria_contact_outcome(void *ctx, int64_t contact_id, const char *state,
                                 const char *outcome, dn_time now, dn_err *err)
{
    maria_store *s = ctx;
    int rc = q_exec(s, MS_CONTACT_OUTCOME,
                    PARAMS(state ? PT(state) : PNULL, outcome ? PT(outcome) : PNULL, PI(now),
                           PI(contact_id)), err, "contact outcome");
    if (rc == 0 && affected(s, MS_CONTACT_OUTCOME) == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact with id %lld",
                        (long long)contact_id);
    return rc;
}

static int maria_webhook_endpoints(void *ctx, const char *const *names,
                                   const char *const *urls, int n, dn_err *err)
{
    maria_store *s = ctx;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_exec(s, MS_WEBHOOK_DISABLE, NULL, 0, err, "webhook endpoints");
    for (int i = 0; rc == 0 && i < n; i++)
        rc = q_exec(s, MS_WEBHOOK_ENDPOINT, PARAMS(PT(names[i]), PT(urls[i])), err,
                    "webhook endpoints");
    if (rc < 0) {
        unit_abort(s, &u);
        return rc;
    }
    return unit_commit(s, &u, err);
}

/* A candidate of MS_WEBHOOK_DUE becomes this connection's: 1 when claimed,
 * 0 when another instance is claiming it or an earlier delivery of its
 * queue is undelivered after all. */
static int claim_delivery(maria_store *s, int64_t id, const char *endpoint, int64_t customer_id,
                          bool has_customer, int64_t now_ms, int lease_seconds, dn_err *err)
{
    int rc = q_row(s, MS_WEBHOOK_LOCK, PARAMS(PI(id), PI(now_ms), PI(now_ms)), err,
                   "webhook claim");
    q_done(&s->q[MS_WEBHOOK_LOCK]);
    if (rc <= 0)
        return rc;
    rc = q_row(s, MS_WEBHOOK_EARLIER,
               PARAMS(PT(endpoint), has_customer ? PI(customer_id) : PNULL, PI(id)), err,
               "webhook claim");
    q_done(&s->q[MS_WEBHOOK_EARLIER]);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = q_exec(s, MS_WEBHOOK_TAKE,
                PARAMS(PI(now_ms + (int64_t)lease_seconds * 1000), PT(s->owner),
                       PI(now_ms / 1000), PI(id)), err, "webhook claim");
    return rc < 0 ? rc : 1;
}

/* Reads MS_WEBHOOK_READ of id into d (its payload copied). */
static int read_delivery(maria_store *s, int64_t id, dn_webhook_delivery *d, dn_err *err)
{
    const int q = MS_WEBHOOK_READ;
    int rc = q_row(s, q, PARAMS(PI(id)), err, "webhook claim");
    if (rc == 0)
        rc = dn_err_set(err, -EIO, NULL, "webhook delivery %lld vanished", (long long)id);
    if (rc < 0)
        return rc;
    d->payload = strdup(col_null(s, q, 6) ? "{}" : col_text(s, q, 6));
    d->id = col_int(s, q, 0);
    col_copy(s, q, 1, d->endpoint, sizeof d->endpoint);
    d->event_id = col_int(s, q, 2);
    d->attempts = (int)col_int(s, q, 3);
    col_copy(s, q, 4, d->kind, sizeof d->kind);
    d->at = col_int(s, q, 5);
    d->has_customer = !col_null(s, q, 7);
    col_copy(s, q, 7, d->customer_external_id, sizeof d->customer_external_id);
    q_done(&s->q[q]);
    return d->payload ? 0 : dn_err_set(err, -ENOMEM, NULL, "out of memory reading a webhook "
                                       "delivery");
}

/* Candidates are read without locks, then each is locked (SKIP LOCKED:
 * another instance claiming it at this moment keeps it) and its queue
 * checked again under locks before it is taken, all in one transaction. */
static int maria_webhook_claim(void *ctx, int64_t now_ms, int lease_seconds, int max,
                               dn_webhook_delivery **list, int *n, dn_err *err)
{
    maria_store *s = ctx;
    dn_webhook_delivery *out = NULL;
    struct candidate { int64_t id, customer_id; bool has_customer; char endpoint[DN_TOKEN_MAX]; }
        *cand = NULL;
    int count = 0, found = 0;
    *list = NULL;
    *n = 0;
    if (max <= 0)
        return 0;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    out = calloc((size_t)max, sizeof *out);
    cand = calloc((size_t)max, sizeof *cand);
    if (!out || !cand) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory claiming webhook deliveries");
        goto fail;
    }
    const int q = MS_WEBHOOK_DUE;
    rc = q_exec(s, q, PARAMS(PI(now_ms), PI(now_ms), PI(max)), err, "webhook claim");
    while (rc == 0 && found < max && (rc = q_fetch(s, q, err, "webhook claim")) == 1) {
        cand[found].id = col_int(s, q, 0);
        col_copy(s, q, 1, cand[found].endpoint, sizeof cand[found].endpoint);
        cand[found].has_customer = !col_null(s, q, 2);
        cand[found].customer_id = col_int(s, q, 2);
        found++;
        rc = 0;
    }
    q_done(&s->q[q]);
    if (rc < 0)
        goto fail;
    for (int i = 0; i < found; i++) {
        rc = claim_delivery(s, cand[i].id, cand[i].endpoint, cand[i].customer_id,
                            cand[i].has_customer, now_ms, lease_seconds, err);
        if (rc == 1)
            rc = read_delivery(s, cand[i].id, &out[count], err);
        else if (rc == 0)
            continue;
        if (rc < 0)
            goto fail;
        count++;
    }
    rc = unit_commit(s, &u, err);
    if (rc < 0)
        goto fail_closed;
    free(cand);
    if (count == 0) {
        free(out);
        out = NULL;
    }
    *list = out;
    *n = count;
    return 0;
fail:
    unit_abort(s, &u);
fail_closed:
    free(cand);
    dn_webhook_deliveries_free(out, count);
    return rc;
}

static int maria_webhook_record(void *ctx, int64_t id, const char *state, long status,
                                const char *error, int64_t next_attempt_ms, dn_time now,
                                dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, MS_WEBHOOK_RECORD,
                    PARAMS(PT(state), status < 0 ? PNULL : PI(status), error ? PT(error) : PNULL,
                           PI(next_attempt_ms), PT(state), PI(now), PI(now), PI(id),
                           PT(s->owner)), err, "webhook outcome");
    return rc < 0 ? rc : affected(s, MS_WEBHOOK_RECORD) > 0;
}

static int maria_webhook_release(void *ctx, dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    return rc < 0 ? rc : q_exec(s, MS_WEBHOOK_RELEASE, PARAMS(PT(s->owner)), err,
                                "webhook release");
}

static int maria_webhook_get(void *ctx, int64_t id, json_t **out, dn_err *err)
{
    return row_by_id(ctx, MS_WEBHOOK_GET, id, out, err, "webhook delivery");
}

static int maria_webhook_list(void *ctx, const char *state, int64_t after, int limit,
                              json_t **out, dn_err *err)
{
    maria_store *s = ctx;
    int rc = dn_store_check_limit(limit, err);
    if (rc == 0)
        rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, MS_WEBHOOK_LIST, PARAMS(PT(state), PT(state), PI(after), PI(limit)), err,
                    "webhook deliveries");
    return rc < 0 ? rc : rows_array(s, MS_WEBHOOK_LIST, out, err, "webhook deliveries");
}

static int maria_webhook_replay(void *ctx, int64_t id, dn_err *err)
{
    maria_store *s = ctx;
    int rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_exec(s, MS_WEBHOOK_REPLAY, PARAMS(PI(id)), err, "webhook replay");
    if (rc == 0 && affected(s, MS_WEBHOOK_REPLAY) == 0)
        rc = dn_err_set(err, -EEXIST, "id", "webhook delivery %lld is not dead or delivered",
                        (long long)id);
    return rc;
}

/* DN_OPTOUT_SMS for "sms", DN_OPTOUT_CHAT for "chat", 0 for any other. */
static unsigned reply_channel_bit(const char *channel)
{
    return strcmp(channel, "sms") == 0 ? DN_OPTOUT_SMS
           : strcmp(channel, "chat") == 0 ? DN_OPTOUT_CHAT : 0;
}

static int maria_customer_find_by_address(void *ctx, const char *channel, const char *address,
                                          dn_customer *out, dn_err *err)
{
    maria_store *s = ctx;
    unsigned bit = reply_channel_bit(channel);
    if (!bit)
        return dn_err_set(err, -EINVAL, "channel", "channel must be sms or chat");
    int q = bit == DN_OPTOUT_SMS ? MS_CUSTOMER_BY_PHONE : MS_CUSTOMER_BY_CHAT;
    int rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_row(s, q, PARAMS(PT(address)), err, "customer lookup");
    if (rc == 1) {
        read_customer(s, q, out, NULL, 0);
        q_done(&s->q[q]);
    }
    return rc;
}

static int maria_opt_out_address(void *ctx, int64_t customer_id, const char *channel,
                                 const char *address, dn_time now, bool *news,
                                 int64_t **others, size_t *n_others, dn_err *err)
{
    maria_store *s = ctx;
    unsigned bit = reply_channel_bit(channel);
    int64_t *ids = NULL;
    size_t count = 0, capacity = 0;
    *news = false;
    *others = NULL;
    *n_others = 0;
    if (!bit)
        return dn_err_set(err, -EINVAL, "channel", "channel must be sms or chat");
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_exec(s, MS_OPT_OUT_ONE, PARAMS(PI(bit), PI(now), PI(customer_id), PI(bit)), err,
                "opt-out");
    if (rc == 0)
        *news = affected(s, MS_OPT_OUT_ONE) > 0;
    if (rc < 0 || !address[0])
        goto end;
    int q = bit == DN_OPTOUT_SMS ? MS_SHARED_PHONE : MS_SHARED_CHAT;
    rc = q_exec(s, q, PARAMS(PT(address), PI(customer_id), PI(bit)), err,
                "opt-out of a shared address");
    while (rc == 0 && (rc = q_fetch(s, q, err, "opt-out of a shared address")) == 1) {
        rc = 0;
        if (count == capacity) {
            size_t grown = capacity ? capacity * 2 : 16;
            int64_t *bigger = realloc(ids, grown * sizeof *bigger);
            if (!bigger) {
                rc = dn_err_set(err, -ENOMEM, NULL, "out of memory opting out a shared address");
                break;
            }
            ids = bigger;
            capacity = grown;
        }
        ids[count++] = col_int(s, q, 0);
    }
    q_done(&s->q[q]);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = q_exec(s, MS_OPT_OUT_ONE, PARAMS(PI(bit), PI(now), PI(ids[i]), PI(bit)), err,
                    "opt-out of a shared address");
end:
    if (rc < 0) {
        free(ids);
        unit_abort(s, &u);
        return rc;
    }
    rc = unit_commit(s, &u, err);
    if (rc < 0) {
        free(ids);
        return rc;
    }
    *others = ids;
    *n_others = count;
    return 0;
}

static int maria_contact_mark_replied(void *ctx, int64_t customer_id, const char *channel,
                                      dn_time now, dn_err *err)
{
    maria_store *s = ctx;
    unit u;
    int rc = unit_begin(s, &u, err);
    if (rc < 0)
        return rc;
    rc = q_row(s, MS_REPLIED_PICK, PARAMS(PI(customer_id), PT(channel)), err,
               "mark the contact replied");
    if (rc == 1) {
        int64_t id = col_int(s, MS_REPLIED_PICK, 0);
        q_done(&s->q[MS_REPLIED_PICK]);
        rc = q_exec(s, MS_REPLIED_MARK, PARAMS(PI(now), PI(id)), err, "mark the contact replied");
    }
    if (rc < 0) {
        unit_abort(s, &u);
        return rc;
    }
    return unit_commit(s, &u, err);
}

static int maria_contact_plan(void *ctx, int64_t customer_id, const dn_contact_plan *c,
                              dn_time now, int64_t *contact_id, dn_err *err)
{
    maria_store *s = ctx;
    *contact_id = 0;
    int rc = dn_store_check_plan(c, err);
    if (rc == 0)
        rc = ensure_connected(s, err);
    if (rc < 0)
        return rc;
    dn_err local;
    dn_err_clear(&local);
    rc = q_exec(s, MS_CONTACT_PLAN,
                PARAMS(PI(customer_id), PI(customer_id), PT(c->idem_key), PT(c->channel),
                       PT(c->address), PT(c->template_name), PT(c->language), PT(c->tone),
                       PT(c->voice), PT(c->subject), PT(c->body ? c->body : ""),
                       PI(c->scheduled_at), PI(c->sms_parts), PT(c->sms_encoding), PI(now),
                       PI(now), PT(dn_purpose_names[c->purpose]), PT(c->debt_ref)),
                &local, "plan contact");
    if (rc == -EEXIST)
        return 0;                 /* planned before: never a second one */
    if (rc < 0) {
        if (err)
            *err = local;
        return rc;
    }
    *contact_id = insert_id(s, MS_CONTACT_PLAN);
    return 0;
}

static int maria_inbound_claim(void *ctx, const char *source, const char *digest, dn_time now,
                               json_t **earlier, dn_err *err)
{
    maria_store *s = ctx;
    *earlier = NULL;
    dn_err local;
    dn_err_clear(&local);
    int rc = q_exec(s, MS_INBOUND_CLAIM, PARAMS(PT(source), PT(digest), PI(now)), &local,
                    "inbound claim");
    if (rc == 0)
        return 0;
    if (rc != -EEXIST) {
        if (err)
            *err = local;
        return rc;
    }
    rc = q_row(s, MS_INBOUND_RESULT, PARAMS(PT(source), PT(digest)), err, "inbound claim");
    if (rc == 1) {
        *earlier = json_loads(col_text(s, MS_INBOUND_RESULT, 0), JSON_DECODE_ANY, NULL);
        q_done(&s->q[MS_INBOUND_RESULT]);
        if (!*earlier)
            rc = dn_err_set(err, -ENOMEM, NULL, "inbound claim: out of memory");
    } else if (rc == 0) {
        rc = dn_err_set(err, -EIO, NULL, "inbound claim: the key vanished");
    }
    return rc;
}

static int maria_inbound_settle(void *ctx, const char *source, const char *digest,
                                int64_t customer_id, json_t *result, dn_err *err)
{
    maria_store *s = ctx;
    char *text = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return dn_err_set(err, -ENOMEM, NULL, "inbound result: out of memory");
    int rc = q_exec(s, MS_INBOUND_SETTLE, PARAMS(id_or_null(customer_id), PT(text), PT(source),
                                                 PT(digest)), err, "inbound result");
    free(text);
    return rc;
}

static int maria_contact_find(void *ctx, int64_t contact_id, const char *provider_id,
                              const char *channel, dn_contact_ref *out, dn_err *err)
{
    maria_store *s = ctx;
    int q = contact_id ? MS_CONTACT_FIND_ID : MS_CONTACT_FIND_PROVIDER;
    qp key = contact_id ? PI(contact_id) : PT(provider_id ? provider_id : "");
    int rc = ensure_connected(s, err);
    if (rc == 0)
        rc = q_row(s, q, PARAMS(key, PT(channel)), err, "find contact");
    if (rc == 1) {
        out->id = col_int(s, q, 0);
        out->customer_id = col_int(s, q, 1);
        col_copy(s, q, 2, out->customer_external_id, sizeof out->customer_external_id);
        col_copy(s, q, 3, out->state, sizeof out->state);
        out->created_at = col_int(s, q, 4);
        out->updated_at = col_int(s, q, 5);
        q_done(&s->q[q]);
    }
    return rc;
}

static const dn_store_module_ops maria_module_ops = {
    .task_create = maria_task_create,
    .task_take = maria_task_take,
    .task_lock = maria_task_lock,
    .task_close = maria_task_close,
    .task_requeue = maria_task_requeue,
    .task_get = maria_task_get,
    .task_list = maria_task_list,
    .contact_outcome = maria_contact_outcome,
    .webhook_endpoints = maria_webhook_endpoints,
    .webhook_claim = maria_webhook_claim,
    .webhook_record = maria_webhook_record,
    .webhook_release = maria_webhook_release,
    .webhook_get = maria_webhook_get,
    .webhook_list = maria_webhook_list,
    .webhook_replay = maria_webhook_replay,
    .customer_find_by_address = maria_customer_find_by_address,
    .opt_out_address = maria_opt_out_address,
    .contact_mark_replied = maria_contact_mark_replied,
    .contact_plan = maria_contact_plan,
    .inbound_claim = maria_inbound_claim,
    .inbound_settle = maria_inbound_settle,
    .contact_find = maria_contact_find,
};
