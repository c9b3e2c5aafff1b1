/*
 * store_sqlite.c — the embedded SQLite backend of store.h.
 *
 * One connection per store, used from one thread. Every statement is
 * prepared once at open (stmt_sql below) and reused with sqlite3_reset, so
 * no SQL text is ever built from data and the evaluation pass does no
 * parsing. Dates are 'YYYY-MM-DD' text, times integer Unix seconds, money
 * integer minor units (schema/sqlite/001_init.sql).
 *
 * Transactions: each operation that writes more than one row runs as a
 * "unit": BEGIN IMMEDIATE ... COMMIT when the caller has no transaction open,
 * or SAVEPOINT ... RELEASE inside the caller's begin()/commit(), so a batch
 * of writes can share one commit (record_results writes a whole batch in one).
 */
#include "store.h"
#include "store-internal.h"
#include "store_modules.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS_PER_DAY     86400
#define REPLY_WINDOW_DAYS   90      /* dn_facts.replies counts this far back */
#define CONTACT_WINDOW_DAYS 35      /* dn_facts.contacts reaches this far back */

/* ---- statements ---- */

#define CUSTOMER_COLUMNS \
    "id, external_id, name, language, timezone, country, email, phone, chat, age, " \
    "holds, hold_until, opt_out, persona, opt_out_confirmed, third_party, consent, blackout, " \
    "undeliverable"
/* what the API shows of a customer: dn_customer's names plus pass state */
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
    "p.amount_minor, (SELECT COALESCE(SUM(a.amount_minor), 0) FROM payment_allocations a " \
    "WHERE a.payment_id = p.id) AS allocated_minor, p.paid_on, p.kind, " \
    "p.invoice_external_id, p.created_at"
/* an invoice that still asks for money and keeps a case open */
#define UNPAID_REMINDABLE \
    "status IN ('open', 'disputed', 'on_hold') AND paid_minor < amount_minor"

enum stmt_id {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
    ST_SCHEMA_VERSION,
    ST_CUSTOMER_BY_EXT, ST_CUSTOMER_BY_ID, ST_CUSTOMER_ID_BY_EXT, ST_CUSTOMER_INSERT,
    ST_CUSTOMER_UPDATE, ST_CUSTOMER_TOUCH, ST_CUSTOMER_LIST,
    ST_INVOICE_BY_EXT, ST_INVOICE_INSERT, ST_INVOICE_UPDATE, ST_INVOICE_LIST_ALL,
    ST_INVOICE_LIST_CUSTOMER, ST_INVOICE_OLDEST_OPEN, ST_INVOICE_ADD_PAID, ST_UNPAID_EXISTS,
    ST_PAYMENT_BY_EXT, ST_PAYMENT_INSERT, ST_ALLOCATION_INSERT, ST_PAYMENT_LIST_ALL,
    ST_PAYMENT_LIST_CUSTOMER, ST_PAYMENT_CREDIT_LEFT,
    ST_CASE_OPEN_FOR, ST_CASE_INSERT, ST_CASE_CLOSE, ST_CASE_STAGE,
    ST_EVENT_INSERT,
    ST_CLAIM_SELECT, ST_CLAIM_LEASE, ST_FACT_INVOICES, ST_FACT_SUMMARY, ST_FACT_CONTACTS,
    ST_FACT_CASE, ST_PROMISE_INSERT,
    ST_DECISION_INSERT, ST_CONTACT_INSERT, ST_CONTACT_KEY_TAKEN, ST_CONTACT_NEXT_ID,
    ST_CUSTOMER_AFTER_PASS,
    ST_OUTBOX_SELECT, ST_OUTBOX_TAKE, ST_CONTACT_STATE, ST_CONTACT_REWRITE,
    ST_TL_CUSTOMER, ST_TL_INVOICES, ST_TL_PAYMENTS, ST_TL_CASES, ST_TL_DECISIONS,
    ST_TL_CONTACTS, ST_TL_EVENTS,
    ST_LIST_DECISIONS, ST_LIST_CONTACTS,
    ST_STATS_TOTALS, ST_STATS_CONTACTS, ST_STATS_DECISIONS,
    ST_RULESET_INSERT, ST_RULESET_LAST,
    ST_CUSTOMER_TOUCH_ALL, ST_CONTACT_RESCHEDULE, ST_CONTACT_IN_DOUBT,
    ST_CONTACT_SENT, ST_CONTACT_BY_ID, ST_CONTACT_BY_KEY, ST_CONTACT_FINAL,
    ST_CUSTOMER_OPT_OUT, ST_CONTACT_REQUEUE, ST_CONFIRMATION_SENT, ST_CONTACT_PROVIDER,
    ST_CONTACT_SET_PROVIDER, ST_CUSTOMER_BY_CHAT, ST_LETTER_READ, ST_LETTER_POSTED,
    ST_CONTACT_ADDRESSES, ST_CUSTOMER_UNDELIVERABLE,
    ST_COUNT
};

/* The channel modules' statements (store_modules.h) continue the numbering,
 * so that the same helpers run them; their text is module_sql at the end. */
enum {
    MS_TASK_INSERT = ST_COUNT, MS_TASK_BY_CONTACT, MS_TASK_EXPIRE, MS_TASK_TAKE, MS_TASK_ROW,
    MS_TASK_CLOSE, MS_TASK_REQUEUE, MS_TASK_GET, MS_TASK_LIST,
    MS_CONTACT_OUTCOME,
    MS_WEBHOOK_DISABLE, MS_WEBHOOK_ENDPOINT, MS_WEBHOOK_DUE, MS_WEBHOOK_TAKE, MS_WEBHOOK_READ,
    MS_WEBHOOK_RECORD, MS_WEBHOOK_RELEASE, MS_WEBHOOK_GET, MS_WEBHOOK_LIST, MS_WEBHOOK_REPLAY,
    MS_CUSTOMER_BY_PHONE, MS_CUSTOMER_BY_CHAT, MS_OPT_OUT_ONE, MS_OPT_OUT_PHONE, MS_OPT_OUT_CHAT,
    MS_CONTACT_REPLIED, MS_CONTACT_PLAN, MS_INBOUND_CLAIM, MS_INBOUND_RESULT, MS_INBOUND_SETTLE,
    MS_CONTACT_FIND_ID, MS_CONTACT_FIND_PROVIDER,
    STMT_TOTAL
};
static const char *const module_sql[STMT_TOTAL - ST_COUNT];

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT dn_unit",
    [ST_RELEASE] = "RELEASE dn_unit",
    [ST_ROLLBACK_TO] = "ROLLBACK TO dn_unit",
    [ST_SCHEMA_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_version",

    [ST_CUSTOMER_BY_EXT] = "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE external_id = ?1",
    [ST_CUSTOMER_BY_ID] = "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE id = ?1",
    [ST_CUSTOMER_ID_BY_EXT] = "SELECT id FROM customers WHERE external_id = ?1",
    /* ST_CUSTOMER_INSERT and ST_CUSTOMER_UPDATE share bind_customer()'s layout */
    [ST_CUSTOMER_INSERT] =
        "INSERT INTO customers (external_id, name, language, timezone, country, email, "
        "phone, chat, age, holds, hold_until, opt_out, next_evaluation_at, created_at, "
        "updated_at, opt_out_confirmed, third_party, consent, blackout, undeliverable) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, ?13, ?14, ?15, "
        "?16, ?17, ?18)",
    [ST_CUSTOMER_UPDATE] =
        "UPDATE customers SET name = ?2, language = ?3, timezone = ?4, country = ?5, "
        "email = ?6, phone = ?7, chat = ?8, age = ?9, holds = ?10, hold_until = ?11, "
        "opt_out = ?12, next_evaluation_at = 0, updated_at = ?13, opt_out_confirmed = ?14, "
        "third_party = ?15, consent = ?16, blackout = ?17, undeliverable = ?18 "
        "WHERE external_id = ?1",
    [ST_CUSTOMER_TOUCH] = "UPDATE customers SET next_evaluation_at = ?2 WHERE id = ?1",
    [ST_CUSTOMER_LIST] =
        "SELECT " CUSTOMER_JSON_COLUMNS " FROM customers WHERE external_id > ?1 "
        "ORDER BY external_id LIMIT ?2",

    [ST_INVOICE_BY_EXT] =
        "SELECT i.id, i.customer_id, c.external_id, i.currency, i.amount_minor, "
        "i.paid_minor, i.issued, i.due, i.status FROM invoices i "
        "JOIN customers c ON c.id = i.customer_id WHERE i.external_id = ?1",
    [ST_INVOICE_INSERT] =
        "INSERT INTO invoices (external_id, customer_id, currency, amount_minor, paid_minor, "
        "issued, due, status, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    [ST_INVOICE_UPDATE] =
        "UPDATE invoices SET issued = ?2, due = ?3, status = ?4, updated_at = ?5 WHERE id = ?1",
    [ST_INVOICE_LIST_ALL] =
        "SELECT " INVOICE_JSON_COLUMNS " FROM invoices i JOIN customers c "
        "ON c.id = i.customer_id WHERE i.external_id > ?1 ORDER BY i.external_id LIMIT ?2",
    [ST_INVOICE_LIST_CUSTOMER] =
        "SELECT " INVOICE_JSON_COLUMNS " FROM invoices i JOIN customers c "
        "ON c.id = i.customer_id WHERE i.customer_id = ?3 AND i.external_id > ?1 "
        "ORDER BY i.external_id LIMIT ?2",
    /* automatic allocation: oldest due first, no due date last */
    [ST_INVOICE_OLDEST_OPEN] =
        "SELECT id, amount_minor - paid_minor, external_id FROM invoices WHERE customer_id = ?1 "
        "AND currency = ?2 AND status = 'open' AND paid_minor < amount_minor "
        "ORDER BY due IS NULL, due, id LIMIT 1",
    [ST_INVOICE_ADD_PAID] =
        "UPDATE invoices SET paid_minor = paid_minor + ?2, status = CASE WHEN "
        "paid_minor + ?2 >= amount_minor THEN 'paid' ELSE status END, updated_at = ?3 "
        "WHERE id = ?1 RETURNING status, external_id",
    [ST_UNPAID_EXISTS] =
        "SELECT EXISTS (SELECT 1 FROM invoices WHERE customer_id = ?1 AND "
        UNPAID_REMINDABLE ")",

    [ST_PAYMENT_BY_EXT] =
        "SELECT id, customer_id, currency, amount_minor, paid_on, kind, "
        "COALESCE(invoice_external_id, '') FROM payments WHERE external_id = ?1",
    [ST_PAYMENT_INSERT] =
        "INSERT INTO payments (external_id, customer_id, currency, amount_minor, paid_on, "
        "kind, invoice_external_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_ALLOCATION_INSERT] =
        "INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor) "
        "VALUES (?1, ?2, ?3)",
    [ST_PAYMENT_LIST_ALL] =
        "SELECT " PAYMENT_JSON_COLUMNS " FROM payments p JOIN customers c "
        "ON c.id = p.customer_id WHERE p.external_id > ?1 ORDER BY p.external_id LIMIT ?2",
    [ST_PAYMENT_LIST_CUSTOMER] =
        "SELECT " PAYMENT_JSON_COLUMNS " FROM payments p JOIN customers c "
        "ON c.id = p.customer_id WHERE p.customer_id = ?3 AND p.external_id > ?1 "
        "ORDER BY p.external_id LIMIT ?2",
    /* standing credit: the oldest payment or credit note of the customer in
     * ?2 with something not allocated, and how much */
    [ST_PAYMENT_CREDIT_LEFT] =
        "SELECT id, external_id, amount_minor - allocated FROM (SELECT p.id, p.external_id, "
        "p.paid_on, p.amount_minor, (SELECT COALESCE(SUM(a.amount_minor), 0) FROM "
        "payment_allocations a WHERE a.payment_id = p.id) AS allocated FROM payments p "
        "WHERE p.customer_id = ?1 AND p.currency = ?2) WHERE amount_minor > allocated "
        "ORDER BY paid_on, id LIMIT 1",

    [ST_CASE_OPEN_FOR] =
        "SELECT id, anchor_due, stage_day FROM cases WHERE customer_id = ?1 "
        "AND closed_at IS NULL ORDER BY id DESC LIMIT 1",
    [ST_CASE_INSERT] =
        "INSERT INTO cases (customer_id, opened_at, anchor_due, stage_day) "
        "VALUES (?1, ?2, ?3, ?4)",
    [ST_CASE_CLOSE] = "UPDATE cases SET closed_at = ?2 WHERE id = ?1",
    [ST_CASE_STAGE] =
        "UPDATE cases SET stage_day = CASE WHEN stage_day IS NULL OR stage_day < ?2 "
        "THEN ?2 ELSE stage_day END WHERE id = ?1",

    [ST_EVENT_INSERT] =
        "INSERT INTO events (customer_id, at, kind, payload) VALUES (?1, ?2, ?3, ?4)",

    [ST_CLAIM_SELECT] =
        "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE next_evaluation_at <= ?1 "
        "AND (lease_until IS NULL OR lease_until < ?1) "
        "ORDER BY next_evaluation_at, id LIMIT ?2",
    [ST_CLAIM_LEASE] = "UPDATE customers SET lease_until = ?2 WHERE id = ?1",
    /* in index order: fill_facts keeps the oldest (a sort here would build
     * a temporary B-tree for every customer) */
    [ST_FACT_INVOICES] =
        "SELECT external_id, currency, amount_minor, paid_minor, issued, due, status, id "
        "FROM invoices WHERE customer_id = ?1 AND " UNPAID_REMINDABLE,
    /* ?2 = start of the reply window */
    [ST_FACT_SUMMARY] =
        "SELECT "
        "(SELECT COUNT(*) FROM promises WHERE customer_id = ?1 AND state = 'kept'), "
        "(SELECT COUNT(*) FROM promises WHERE customer_id = ?1 AND state = 'broken'), "
        "(SELECT COUNT(*) FROM promises WHERE customer_id = ?1 AND state = 'pending'), "
        "(SELECT MIN(due) FROM promises WHERE customer_id = ?1 AND state = 'pending'), "
        "(SELECT COUNT(*) FROM events WHERE customer_id = ?1 AND kind = 'reply' "
        " AND at >= ?2), "
        "(SELECT COUNT(*) FROM events WHERE customer_id = ?1 AND kind = 'dispute'), "
        "(SELECT COUNT(*) FROM payments WHERE customer_id = ?1 AND kind = 'payment'), "
        "(SELECT CAST(AVG(MAX(julianday(p.paid_on) - julianday(i.due), 0)) AS INTEGER) "
        " FROM payments p JOIN payment_allocations a ON a.payment_id = p.id "
        " JOIN invoices i ON i.id = a.invoice_id "
        " WHERE p.customer_id = ?1 AND i.due IS NOT NULL)",
    /* ?2 = start of the contact window; every contact of it in index
     * order: fill_facts keeps the DN_FACT_CONTACTS the guard needs (no
     * temporary B-tree per customer). Column 10 says the guard does not
     * count it (cancelled, failed without an outcome, crm), so a burst of
     * stopped contacts never pushes a counted one out. */
    [ST_FACT_CONTACTS] =
        "SELECT id, COALESCE(sent_at, scheduled_at) AS at, channel, state, "
        "COALESCE(outcome, ''), template, step_day, COALESCE(case_id, 0), purpose, debt_ref, "
        "(state = 'cancelled' OR channel = 'crm' OR (state = 'failed' AND "
        "COALESCE(outcome, '') = '')) FROM contacts WHERE customer_id = ?1 AND scheduled_at >= ?2",
    [ST_PROMISE_INSERT] =
        "INSERT INTO promises (customer_id, case_id, amount_minor, currency, due, state, "
        "created_at) VALUES (?1, (SELECT id FROM cases WHERE customer_id = ?1 AND closed_at "
        "IS NULL ORDER BY id DESC LIMIT 1), ?2, ?3, ?4, 'pending', ?5)",
    /* the open case, its informative reminders counted as the guard counts
     * them, and its formal written notice (dn_store_notice_posted: a letter
     * counts from its recorded posting day, any other channel from the
     * moment it was sent) */
    [ST_FACT_CASE] =
        "SELECT c.id, c.anchor_due, c.stage_day, "
        "(SELECT COUNT(*) FROM contacts k WHERE k.case_id = c.id AND k.purpose = 'reminder' "
        " AND k.state <> 'cancelled' "
        " AND NOT (k.state = 'failed' AND COALESCE(k.outcome, '') = '')), "
        "(SELECT MIN(CASE WHEN k.channel <> 'letter' THEN COALESCE(k.sent_at, k.updated_at) END) "
        " FROM contacts k WHERE k.case_id = c.id AND k.purpose = 'notice' "
        " AND k.state IN ('sent', 'delivered', 'answered', 'replied')), "
        "(SELECT MIN(CASE WHEN k.channel = 'letter' THEN k.posted_on END) "
        " FROM contacts k WHERE k.case_id = c.id AND k.purpose = 'notice' "
        " AND k.state IN ('sent', 'delivered', 'answered', 'replied')) "
        "FROM cases c WHERE c.customer_id = ?1 AND c.closed_at IS NULL ORDER BY c.id DESC LIMIT 1",

    [ST_DECISION_INSERT] =
        "INSERT INTO decisions (customer_id, case_id, at, ruleset_version, segment, persona, "
        "action, step_day, step_index, channel, template, tone, language, rule_where, "
        "reason, guard_verdict, guard_reason, contact_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    /* ?1 = id chosen by ST_CONTACT_NEXT_ID, ?2 = its decision */
    [ST_CONTACT_INSERT] =
        "INSERT INTO contacts (id, decision_id, customer_id, case_id, idem_key, step_day, "
        "channel, address, template, language, tone, voice, subject, body, scheduled_at, "
        "state, sms_parts, sms_encoding, created_at, updated_at, purpose, debt_ref, "
        "transliterate) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'planned', ?16, "
        "?17, ?18, ?18, ?19, ?20, ?21)",
    [ST_CONTACT_KEY_TAKEN] = "SELECT 1 FROM contacts WHERE idem_key = ?1",
    /* the id SQLite would give the next row */
    [ST_CONTACT_NEXT_ID] = "SELECT COALESCE(MAX(id), 0) + 1 FROM contacts",
    [ST_CUSTOMER_AFTER_PASS] =
        "UPDATE customers SET next_evaluation_at = ?2, lease_until = NULL, "
        "persona = CASE WHEN ?3 = '' THEN persona ELSE ?3 END, "
        "segment = CASE WHEN ?4 = '' THEN segment ELSE ?4 END WHERE id = ?1",

    [ST_OUTBOX_SELECT] =
        "SELECT o.id, o.customer_id, COALESCE(o.case_id, 0), c.external_id, o.idem_key, "
        "o.channel, o.address, o.template, o.language, o.tone, o.voice, o.subject, o.body, "
        "o.scheduled_at, o.purpose, o.attempts, o.sms_parts, o.sms_encoding, o.debt_ref, "
        "o.transliterate FROM contacts o JOIN customers c ON c.id = o.customer_id "
        "WHERE o.state = 'planned' AND o.scheduled_at <= ?1 AND (?3 IS NULL OR o.channel = ?3) "
        "ORDER BY o.scheduled_at, o.id LIMIT ?2",
    [ST_OUTBOX_TAKE] =
        "UPDATE contacts SET state = 'sending', updated_at = ?2, sent_at = ?4, "
        "attempts = attempts + 1, claimed_by = ?3 "
        "WHERE id = ?1 AND state = 'planned'",
    [ST_CONTACT_STATE] =
        "UPDATE contacts SET state = ?2, provider_id = COALESCE(?3, provider_id), "
        "state_reason = COALESCE(?4, state_reason), updated_at = ?5 WHERE id = ?1 "
        "AND final_at IS NULL RETURNING customer_id",
    [ST_CONTACT_REWRITE] =
        "UPDATE contacts SET subject = ?2, body = ?3, sms_parts = ?4, sms_encoding = ?5, "
        "updated_at = ?6 WHERE id = ?1 AND state = 'sending'",

    [ST_TL_CUSTOMER] =
        "SELECT " CUSTOMER_JSON_COLUMNS ", created_at, updated_at FROM customers "
        "WHERE external_id = ?1",
    [ST_TL_INVOICES] =
        "SELECT " INVOICE_JSON_COLUMNS " FROM invoices i JOIN customers c "
        "ON c.id = i.customer_id WHERE i.customer_id = ?1 ORDER BY i.id",
    [ST_TL_PAYMENTS] =
        "SELECT " PAYMENT_JSON_COLUMNS " FROM payments p JOIN customers c "
        "ON c.id = p.customer_id WHERE p.customer_id = ?1 ORDER BY p.id",
    [ST_TL_CASES] =
        "SELECT id, opened_at, closed_at, anchor_due, stage_day FROM cases "
        "WHERE customer_id = ?1 ORDER BY id",
    [ST_TL_DECISIONS] =
        "SELECT " DECISION_COLUMNS " FROM decisions WHERE customer_id = ?1 ORDER BY id",
    [ST_TL_CONTACTS] =
        "SELECT " CONTACT_COLUMNS " FROM contacts WHERE customer_id = ?1 ORDER BY id",
    [ST_TL_EVENTS] =
        "SELECT id, at, kind, payload FROM events WHERE customer_id = ?1 ORDER BY id",

    [ST_LIST_DECISIONS] =
        "SELECT " DECISION_COLUMNS ", (SELECT external_id FROM customers c WHERE "
        "c.id = decisions.customer_id) AS customer_external_id FROM decisions "
        "WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_LIST_CONTACTS] =
        "SELECT " CONTACT_COLUMNS ", (SELECT external_id FROM customers c WHERE "
        "c.id = contacts.customer_id) AS customer_external_id FROM contacts "
        "WHERE id > ?1 ORDER BY id LIMIT ?2",

    [ST_STATS_TOTALS] =
        "SELECT (SELECT COUNT(*) FROM customers), "
        "(SELECT COUNT(*) FROM invoices WHERE status = 'open' AND paid_minor < amount_minor), "
        "(SELECT COUNT(*) FROM cases WHERE closed_at IS NULL)",
    [ST_STATS_CONTACTS] = "SELECT state, COUNT(*) FROM contacts GROUP BY state",
    [ST_STATS_DECISIONS] = "SELECT action, COUNT(*) FROM decisions GROUP BY action",

    [ST_RULESET_INSERT] =
        /* REPLACE gives the row a new, highest rowid: the order of loads */
        "INSERT OR REPLACE INTO rulesets (version, loaded_at, files) VALUES (?1, ?2, ?3)",
    [ST_RULESET_LAST] = "SELECT version FROM rulesets ORDER BY rowid DESC LIMIT 1",

    [ST_CUSTOMER_TOUCH_ALL] =
        "UPDATE customers SET next_evaluation_at = ?1 WHERE next_evaluation_at > ?1",
    [ST_CONTACT_RESCHEDULE] =
        "UPDATE contacts SET state = 'planned', scheduled_at = ?2, state_reason = ?3, "
        "updated_at = ?4, sent_at = NULL WHERE id = ?1 AND state IN ('sending', 'planned') "
        "RETURNING customer_id",
    [ST_CONTACT_IN_DOUBT] =
        "UPDATE contacts SET state = 'in_doubt', updated_at = ?2, state_reason = "
        "'the engine stopped between taking this contact and recording its send; "
        "check with the provider before sending again' "
        "WHERE state = 'sending' AND updated_at < ?1 AND claimed_by IS NOT ?3 "
        "RETURNING id, customer_id",
    [ST_CONTACT_SENT] =
        "UPDATE contacts SET state = CASE WHEN state = 'sending' THEN 'sent' ELSE state END, "
        "provider_id = COALESCE(?2, provider_id), instance = ?3, cost_minor = ?4, "
        "cost_currency = ?5, sent_at = ?6, updated_at = ?6, "
        "state_reason = CASE WHEN state = 'sending' THEN COALESCE(?7, state_reason) "
        "ELSE state_reason END, "
        "sms_parts = CASE WHEN ?8 > 0 THEN ?8 ELSE sms_parts END, "
        "sms_encoding = COALESCE(?9, sms_encoding) WHERE id = ?1 "
        "AND state IN ('sending', 'delivered', 'failed') RETURNING customer_id",
    [ST_CONTACT_BY_ID] =
        "SELECT id, customer_id, state, idem_key FROM contacts WHERE id = ?1",
    [ST_CONTACT_BY_KEY] =
        "SELECT id, customer_id, state, idem_key FROM contacts WHERE idem_key = ?1",
    [ST_CONTACT_FINAL] =
        "UPDATE contacts SET state = ?2, final_at = ?3, updated_at = ?3, "
        "state_reason = COALESCE(?4, state_reason) WHERE id = ?1",
    [ST_CUSTOMER_OPT_OUT] =
        "UPDATE customers SET opt_out = opt_out | ?2, next_evaluation_at = 0, "
        "updated_at = ?3 WHERE id = ?1",
    /* the one opt-out confirmation went out: its channel's bit (DN_OPTOUT_*)
     * on the customer, which the guard reads; other contacts change nothing */
    [ST_CONFIRMATION_SENT] =
        "UPDATE customers SET opt_out_confirmed = opt_out_confirmed | (SELECT CASE channel "
        "WHEN 'sms' THEN 1 WHEN 'email' THEN 2 WHEN 'voice' THEN 4 WHEN 'agent' THEN 4 "
        "WHEN 'chat' THEN 8 ELSE 0 END FROM contacts WHERE id = ?1), updated_at = ?2 "
        "WHERE id = (SELECT customer_id FROM contacts WHERE id = ?1 AND "
        "purpose = 'optout_confirm')",
    [ST_CONTACT_REQUEUE] =
        "UPDATE contacts SET state = 'planned', scheduled_at = ?3, updated_at = ?3, "
        "state_reason = 'the engine stopped while this contact was being sent; sent again "
        "with the same idempotency key, which the provider deduplicates' "
        "WHERE channel = ?1 AND state = 'sending' AND updated_at < ?2 AND claimed_by IS NOT ?4 "
        "RETURNING id, customer_id",
    [ST_CONTACT_PROVIDER] =
        "SELECT state, COALESCE(provider_id, '') FROM contacts WHERE id = ?1",
    [ST_CONTACT_SET_PROVIDER] =
        "UPDATE contacts SET provider_id = ?2, updated_at = ?3 WHERE id = ?1",
    /* the expression of the customers_chat_handle index (014) */
    [ST_CUSTOMER_BY_CHAT] =
        "SELECT external_id FROM customers WHERE lower(ltrim(chat, '@')) IN "
        "(lower(ltrim(?1, '@')), lower(ltrim(?2, '@'))) "
        "ORDER BY lower(ltrim(chat, '@')) = lower(ltrim(?1, '@')) DESC, id LIMIT 1",
    [ST_LETTER_READ] =
        "SELECT k.customer_id, c.external_id, k.state, COALESCE(k.sent_at, k.updated_at), "
        "k.posted_on FROM contacts k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.id = ?1 AND k.channel = 'letter'",
    [ST_LETTER_POSTED] = "UPDATE contacts SET posted_on = ?2, updated_at = ?3 WHERE id = ?1",
    [ST_CONTACT_ADDRESSES] =
        "SELECT k.channel, k.address, c.email, c.phone, c.chat FROM contacts k "
        "JOIN customers c ON c.id = k.customer_id WHERE k.id = ?1",
    [ST_CUSTOMER_UNDELIVERABLE] =
        "UPDATE customers SET undeliverable = undeliverable | ?2, next_evaluation_at = 0, "
        "updated_at = ?3 WHERE id = ?1",
};

typedef struct sqlite_store {
    sqlite3      *db;
    char          owner[33];   /* random per open: contacts.claimed_by of our sends */
    sqlite3_stmt *st[STMT_TOTAL];
} sqlite_store;

/* ---- small helpers ---- */

/* Turns a SQLite result code into our convention and fills err with what was
 * being done and SQLite's message. A unique violation is a conflict
 * (-EEXIST), another constraint a bad value (-EINVAL). */
static int db_fail(sqlite_store *s, int rc, dn_err *err, const char *field, const char *what)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = -EBUSY;
        break;
    case SQLITE_NOMEM:
        code = -ENOMEM;
        break;
    case SQLITE_CONSTRAINT:
        code = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ?
            -EEXIST : -EINVAL;
        break;
    default:
        code = -EIO;
        break;
    }
    return dn_err_set(err, code, field, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* The prepared statement id, reset and ready for new bindings. */
static sqlite3_stmt *use(sqlite_store *s, int id)
{
    sqlite3_reset(s->st[id]);
    return s->st[id];
}

/* Binds text without copying: the caller keeps v alive until the step. */
static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* NULL and "" both bind SQL NULL (optional text columns). */
static int bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (!v || !*v)
        return sqlite3_bind_null(st, i);
    return bind_text(st, i, v);
}

/* A date as 'YYYY-MM-DD', DN_NO_DATE as NULL. */
static int bind_date(sqlite3_stmt *st, int i, dn_date d)
{
    if (d == DN_NO_DATE)
        return sqlite3_bind_null(st, i);
    char text[11];
    dn_date_format(d, text);
    return sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

/* A row id, 0 ("none") as NULL. */
static int bind_id_or_null(sqlite3_stmt *st, int i, int64_t id)
{
    return id ? sqlite3_bind_int64(st, i, id) : sqlite3_bind_null(st, i);
}

/* Copies a text column into a fixed buffer (cut to size); NULL reads "". */
static void column_text(sqlite3_stmt *st, int i, char *dst, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    dn_strlcpy(dst, t ? (const char *)t : "", size);
}

/* NULL or unparsable text reads as DN_NO_DATE. */
static dn_date column_date(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    dn_date d;
    if (!t || dn_date_parse((const char *)t, &d) < 0)
        return DN_NO_DATE;
    return d;
}

/* Steps a statement that returns no rows we need (INSERT/UPDATE) and resets
 * it. 0 or a negative errno with err filled. */
static int run(sqlite_store *s, sqlite3_stmt *st, dn_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = db_fail(s, rc, err, NULL, what);
    sqlite3_reset(st);
    return result;
}

/* Steps a statement expected to give at most one row: 1 with the row
 * available (the caller resets), 0 for no row (already reset), or a negative
 * errno. */
static int step_row(sqlite_store *s, sqlite3_stmt *st, dn_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    int result = rc == SQLITE_DONE ? 0 : db_fail(s, rc, err, NULL, what);
    sqlite3_reset(st);
    return result;
}

/* Reports a failed bind (a programming error or out of memory). */
static int bind_failed(sqlite_store *s, int rc, dn_err *err, const char *what)
{
    return db_fail(s, rc, err, NULL, what);
}

/* Resets every statement still stepping, so a failure path never leaves a
 * read open that would pin the WAL or keep a transaction alive. */
static void reset_busy_statements(sqlite_store *s)
{
    for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st; st = sqlite3_next_stmt(s->db, st))
        if (sqlite3_stmt_busy(st))
            sqlite3_reset(st);
}

/* ---- units of work ---- */

typedef struct unit {
    bool savepoint;   /* inside someone's transaction, or a read-only unit */
    bool active;
} unit;

/* Starts a unit: a write unit outside any transaction takes the write lock
 * up front (BEGIN IMMEDIATE) so it never fails half-way on a lock upgrade;
 * anything else is a savepoint (which starts a deferred transaction when
 * none is open). */
static int unit_begin(sqlite_store *s, unit *u, bool write, dn_err *err)
{
    u->savepoint = !write || !sqlite3_get_autocommit(s->db);
    u->active = false;
    int rc = run(s, use(s, u->savepoint ? ST_SAVEPOINT : ST_BEGIN), err, "begin");
    if (rc == 0)
        u->active = true;
    return rc;
}

/* Undoes a unit that failed; harmless when the unit is no longer active. */
static void unit_abort(sqlite_store *s, unit *u)
{
    if (!u->active)
        return;
    u->active = false;
    reset_busy_statements(s);
    if (u->savepoint) {
        run(s, use(s, ST_ROLLBACK_TO), NULL, "rollback to savepoint");
        run(s, use(s, ST_RELEASE), NULL, "release savepoint");
    } else if (!sqlite3_get_autocommit(s->db)) {
        run(s, use(s, ST_ROLLBACK), NULL, "rollback");
    }
}

/* Ends a unit successfully; on a failed commit the unit is rolled back. */
static int unit_commit(sqlite_store *s, unit *u, dn_err *err)
{
    int rc = run(s, use(s, u->savepoint ? ST_RELEASE : ST_COMMIT), err, "commit");
    if (rc < 0) {
        unit_abort(s, u);
        return rc;
    }
    u->active = false;
    return 0;
}

/* ---- events ---- */

/* Appends one audit event whose payload is JSON object text (borrowed). */
static int insert_event_text(sqlite_store *s, int64_t customer_id, const char *kind,
                             const char *payload, dn_time at, dn_err *err)
{
    sqlite3_stmt *st = use(s, ST_EVENT_INSERT);
    int b = bind_id_or_null(st, 1, customer_id);
    b |= sqlite3_bind_int64(st, 2, at);
    b |= bind_text(st, 3, kind);
    b |= bind_text(st, 4, payload);
    return b ? bind_failed(s, b, err, "event") : run(s, st, err, "append event");
}

/* Appends one audit event; payload is owned and released here. NULL means
 * building it failed (out of memory), which fails the write. */
static int insert_event(sqlite_store *s, int64_t customer_id, const char *kind,
                        json_t *payload, dn_time at, dn_err *err)
{
    char *text;
    int rc = dn_store_event_text(payload, kind, &text, err);
    if (rc == 0)
        rc = insert_event_text(s, customer_id, kind, text, at, err);
    free(text);
    return rc;
}

/* A {"case_id":N} payload without allocating (the pass writes many). */
static int insert_case_event(sqlite_store *s, int64_t customer_id, const char *kind,
                             int64_t case_id, dn_date anchor_due, dn_time at, dn_err *err)
{
    char payload[96];
    dn_store_case_payload(payload, sizeof payload, case_id, anchor_due);
    return insert_event_text(s, customer_id, kind, payload, at, err);
}

/* ---- migrations ---- */

/* Applies schema_root/sqlite/NNN_*.sql with NNN above the recorded version,
 * in order, each in its own transaction together with its schema_version
 * row. A failing file rolls back alone and stops the open. */
static int migrate(sqlite_store *s, const char *schema_root, dn_err *err)
{
    dn_migration *list = NULL;
    int count = 0, rc = 0;
    char *sql = NULL;
    char *message = NULL;

    if (sqlite3_exec(s->db,
                     "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                     "name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, sqlite3_errcode(s->db), err, NULL, "create schema_version");

    sqlite3_stmt *version_stmt = NULL;
    int current = 0;
    int prc = sqlite3_prepare_v2(s->db, stmt_sql[ST_SCHEMA_VERSION], -1, &version_stmt, NULL);
    if (prc != SQLITE_OK)
        return db_fail(s, prc, err, NULL, "read schema version");
    if (sqlite3_step(version_stmt) == SQLITE_ROW)
        current = sqlite3_column_int(version_stmt, 0);
    sqlite3_finalize(version_stmt);

    char folder[PATH_MAX];
    if ((size_t)snprintf(folder, sizeof folder, "%s/sqlite", schema_root) >= sizeof folder)
        return dn_err_set(err, -ENAMETOOLONG, "schema_root", "schema folder path too long");
    rc = dn_store_list_migrations(folder, &list, &count, err);
    if (rc < 0)
        return rc;

    for (int i = 0; i < count; i++) {
        if (list[i].version <= current)
            continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", folder, list[i].name);
        rc = dn_store_read_migration(path, &sql, err);
        if (rc < 0)
            goto done;
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &message) != SQLITE_OK ||
            sqlite3_exec(s->db, sql, NULL, NULL, &message) != SQLITE_OK) {
            rc = dn_err_set(err, -EIO, list[i].name, "migration failed: %s",
                            message ? message : sqlite3_errmsg(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            goto done;
        }
        sqlite3_stmt *record = NULL;
        prc = sqlite3_prepare_v2(s->db,
                                 "INSERT INTO schema_version (version, name, applied_at) "
                                 "VALUES (?1, ?2, ?3)", -1, &record, NULL);
        if (prc == SQLITE_OK) {
            sqlite3_bind_int(record, 1, list[i].version);
            bind_text(record, 2, list[i].name);
            sqlite3_bind_int64(record, 3, dn_now());
            prc = sqlite3_step(record) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s->db);
        }
        sqlite3_finalize(record);
        if (prc != SQLITE_OK ||
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, &message) != SQLITE_OK) {
            rc = dn_err_set(err, -EIO, list[i].name, "cannot record migration: %s",
                            message ? message : sqlite3_errmsg(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            goto done;
        }
        dn_log(DN_LOG_INFO, "store", "applied migration %s", list[i].name);
        free(sql);
        sql = NULL;
    }
done:
    sqlite3_free(message);
    free(sql);
    free(list);
    return rc;
}

/* ---- open / close ---- */

static void sqlite_close(void *ctx)
{
    sqlite_store *s = ctx;
    if (!s)
        return;
    for (int i = 0; i < STMT_TOTAL; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}

/* dsn is the database file (created if missing); schema_root holds the
 * sqlite/ migration folder. On success *ctx owns the connection and every
 * prepared statement; on failure nothing is left open. */
static int sqlite_open(void **ctx, const char *dsn, const char *schema_root, dn_err *err)
{
    int rc = 0;
    /* no allocation statistics (a global mutex around every malloc); takes
     * effect only before SQLite's first use in the process */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory opening the store");
    unsigned char nonce[16];
    sqlite3_randomness(sizeof nonce, nonce);
    for (size_t i = 0; i < sizeof nonce; i++)
        snprintf(s->owner + 2 * i, 3, "%02x", nonce[i]);
    int src = sqlite3_open_v2(dsn, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = dn_err_set(err, -EIO, "dsn", "cannot open %s: %s", dsn,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    if (sqlite3_exec(s->db,
                     /* the busy timeout first: two processes opening at once
                      * may meet while one recovers the WAL */
                     "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; "
                     "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                     "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; "
                     /* checkpoint every 64 MB of WAL rather than every 4 MB:
                      * a pass rewrites the same index pages batch after
                      * batch, and each checkpoint costs an fsync */
                     "PRAGMA wal_autocheckpoint = 16384;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(s, sqlite3_errcode(s->db), err, "dsn", "cannot configure the database");
        goto fail;
    }
    rc = migrate(s, schema_root, err);
    if (rc < 0)
        goto fail;
    for (int i = 0; i < STMT_TOTAL; i++) {
        const char *sql = i < ST_COUNT ? stmt_sql[i] : module_sql[i - ST_COUNT];
        src = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (src != SQLITE_OK) {
            rc = dn_err_set(err, -EIO, NULL, "cannot prepare statement %d (%s): %s", i, sql,
                            sqlite3_errmsg(s->db));
            goto fail;
        }
    }
    *ctx = s;
    return 0;
fail:
    sqlite_close(s);
    return rc;
}

/* The highest applied migration (0 for an empty database). */
static int sqlite_schema_version(void *ctx, int *version, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, ST_SCHEMA_VERSION);
    int rc = step_row(s, st, err, "read schema version");
    if (rc < 0)
        return rc;
    *version = rc ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return 0;
}

/* ---- customers ---- */

/* Reads CUSTOMER_COLUMNS starting at column 0 into c (and persona). */
static void read_customer(sqlite3_stmt *st, dn_customer *c, char *persona, size_t persona_size)
{
    c->id = sqlite3_column_int64(st, 0);
    column_text(st, 1, c->external_id, sizeof c->external_id);
    column_text(st, 2, c->name, sizeof c->name);
    column_text(st, 3, c->language, sizeof c->language);
    column_text(st, 4, c->timezone, sizeof c->timezone);
    column_text(st, 5, c->country, sizeof c->country);
    column_text(st, 6, c->email, sizeof c->email);
    column_text(st, 7, c->phone, sizeof c->phone);
    column_text(st, 8, c->chat, sizeof c->chat);
    c->age = sqlite3_column_int(st, 9);
    c->holds = (unsigned)sqlite3_column_int64(st, 10);
    c->hold_until = column_date(st, 11);
    c->opt_out = (unsigned)sqlite3_column_int64(st, 12);
    if (persona)
        column_text(st, 13, persona, persona_size);
    c->opt_out_confirmed = (unsigned)sqlite3_column_int64(st, 14);
    c->third_party = (unsigned)sqlite3_column_int64(st, 15);
    c->consent = (unsigned)sqlite3_column_int64(st, 16);
    c->undeliverable = (unsigned)sqlite3_column_int64(st, 18);
    /* ';'-joined text forms, written only by dn_store_blackouts_format() */
    char text[DN_STORE_BLACKOUT_TEXT];
    column_text(st, 17, text, sizeof text);
    dn_store_blackouts_parse(text, c);
}

/* Binds the shared layout of ST_CUSTOMER_INSERT / ST_CUSTOMER_UPDATE. */
static int bind_customer(sqlite3_stmt *st, const dn_customer *c, dn_time now)
{
    int b = bind_text(st, 1, c->external_id);
    b |= bind_text(st, 2, c->name);
    b |= bind_text(st, 3, c->language);
    b |= bind_text(st, 4, c->timezone);
    b |= bind_text(st, 5, c->country);
    b |= bind_text(st, 6, c->email);
    b |= bind_text(st, 7, c->phone);
    b |= bind_text(st, 8, c->chat);
    b |= sqlite3_bind_int(st, 9, c->age);
    b |= sqlite3_bind_int64(st, 10, c->holds);
    b |= bind_date(st, 11, c->hold_until);
    b |= sqlite3_bind_int64(st, 12, c->opt_out);
    b |= sqlite3_bind_int64(st, 13, now);
    b |= sqlite3_bind_int64(st, 14, c->opt_out_confirmed);
    b |= sqlite3_bind_int64(st, 15, c->third_party);
    b |= sqlite3_bind_int64(st, 16, c->consent);
    char text[DN_STORE_BLACKOUT_TEXT];
    dn_store_blackouts_format(c, text, sizeof text);
    b |= sqlite3_bind_text(st, 17, text, -1, SQLITE_TRANSIENT);
    b |= sqlite3_bind_int64(st, 18, c->undeliverable);
    return b;
}

/* Looks a customer id up by external id: 1 found (*id set), 0 not found, or
 * a negative errno. */
static int customer_id_by_external(sqlite_store *s, const char *external_id, int64_t *id,
                                   dn_err *err)
{
    sqlite3_stmt *st = use(s, ST_CUSTOMER_ID_BY_EXT);
    int b = bind_text(st, 1, external_id);
    if (b)
        return bind_failed(s, b, err, "customer lookup");
    int rc = step_row(s, st, err, "customer lookup");
    if (rc == 1) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return rc;
}

/* New external id → CREATED; same content → SAME (nothing written); other
 * content → UPDATED. CREATED and UPDATED make the customer due now and log
 * an event. Sets c->id. */
static int sqlite_upsert_customer(void *ctx, dn_customer *c, dn_upsert_outcome *outcome,
                                  dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_customer(c, err);
    if (rc < 0)
        return rc;
    /* a confirmation belongs to an opt-out in force: opting in again
     * forgets it, so the next opt-out earns its own */
    c->opt_out_confirmed &= c->opt_out;
    unit u;
    rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    dn_time now = dn_now();
    dn_customer stored;
    sqlite3_stmt *st = use(s, ST_CUSTOMER_BY_EXT);
    int b = bind_text(st, 1, c->external_id);
    if (b) {
        rc = bind_failed(s, b, err, "customer lookup");
        goto fail;
    }
    rc = step_row(s, st, err, "customer lookup");
    if (rc < 0)
        goto fail;
    bool exists = rc == 1;
    if (exists) {
        read_customer(st, &stored, NULL, 0);
        sqlite3_reset(st);
    }
    const char *changed = exists ? dn_store_customer_difference(c, &stored) : NULL;
    if (exists && !changed) {
        c->id = stored.id;
        *outcome = DN_UPSERT_SAME;
        return unit_commit(s, &u, err);
    }
    st = use(s, exists ? ST_CUSTOMER_UPDATE : ST_CUSTOMER_INSERT);
    b = bind_customer(st, c, now);
    rc = b ? bind_failed(s, b, err, "customer write") : run(s, st, err, "customer write");
    if (rc < 0)
        goto fail;
    c->id = exists ? stored.id : sqlite3_last_insert_rowid(s->db);
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

/* One customer by external id; -ENOENT (field "external_id") if unknown. */
static int sqlite_get_customer(void *ctx, const char *external_id, dn_customer *out,
                               dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, ST_CUSTOMER_BY_EXT);
    int b = bind_text(st, 1, external_id);
    if (b)
        return bind_failed(s, b, err, "customer lookup");
    int rc = step_row(s, st, err, "customer lookup");
    if (rc < 0)
        return rc;
    if (rc == 0)
        return dn_err_set(err, -ENOENT, "external_id", "no customer %s", external_id);
    read_customer(st, out, NULL, 0);
    sqlite3_reset(st);
    return 0;
}

/* Makes a customer due at `at` (0 = now); -ENOENT for an unknown id. */
static int sqlite_touch_customer(void *ctx, int64_t customer_id, dn_time at, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, ST_CUSTOMER_TOUCH);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    b |= sqlite3_bind_int64(st, 2, at);
    int rc = b ? bind_failed(s, b, err, "touch customer") : run(s, st, err, "touch customer");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer with id %lld",
                        (long long)customer_id);
    return rc;
}

/* ---- cases ---- */

/* The customer's open case: 1 with id/anchor/stage set, 0 if none. */
static int open_case(sqlite_store *s, int64_t customer_id, int64_t *case_id, dn_date *anchor,
                     int *stage_day, dn_err *err)
{
    sqlite3_stmt *st = use(s, ST_CASE_OPEN_FOR);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    if (b)
        return bind_failed(s, b, err, "case lookup");
    int rc = step_row(s, st, err, "case lookup");
    if (rc == 1) {
        *case_id = sqlite3_column_int64(st, 0);
        if (anchor)
            *anchor = column_date(st, 1);
        if (stage_day)
            *stage_day = sqlite3_column_type(st, 2) == SQLITE_NULL ?
                INT32_MIN : sqlite3_column_int(st, 2);
        sqlite3_reset(st);
    }
    return rc;
}

/* Closes the open case when nothing unpaid and remindable is left, logging
 * "case_closed". Called after every payment and invoice change. */
static int close_case_if_settled(sqlite_store *s, int64_t customer_id, dn_time now, dn_err *err)
{
    int64_t case_id = 0;
    int rc = open_case(s, customer_id, &case_id, NULL, NULL, err);
    if (rc <= 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_UNPAID_EXISTS);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    if (b)
        return bind_failed(s, b, err, "unpaid check");
    rc = step_row(s, st, err, "unpaid check");
    if (rc < 0)
        return rc;
    bool unpaid = rc == 1 && sqlite3_column_int(st, 0) != 0;
    sqlite3_reset(st);
    if (unpaid)
        return 0;
    st = use(s, ST_CASE_CLOSE);
    b = sqlite3_bind_int64(st, 1, case_id);
    b |= sqlite3_bind_int64(st, 2, now);
    rc = b ? bind_failed(s, b, err, "close case") : run(s, st, err, "close case");
    if (rc < 0)
        return rc;
    return insert_case_event(s, customer_id, "case_closed", case_id, DN_NO_DATE, now, err);
}

/* ---- invoices ---- */

/* Reads an invoice by external id into out (with stored customer_id): 1
 * found, 0 not found, negative errno. */
static int invoice_by_external(sqlite_store *s, const char *external_id, dn_invoice *out,
                               int64_t *customer_id, dn_err *err)
{
    sqlite3_stmt *st = use(s, ST_INVOICE_BY_EXT);
    int b = bind_text(st, 1, external_id);
    if (b)
        return bind_failed(s, b, err, "invoice lookup");
    int rc = step_row(s, st, err, "invoice lookup");
    if (rc != 1)
        return rc;
    out->id = sqlite3_column_int64(st, 0);
    *customer_id = sqlite3_column_int64(st, 1);
    column_text(st, 2, out->customer_external_id, sizeof out->customer_external_id);
    column_text(st, 3, out->currency, sizeof out->currency);
    out->amount_minor = sqlite3_column_int64(st, 4);
    out->paid_minor = sqlite3_column_int64(st, 5);
    out->issued = column_date(st, 6);
    out->due = column_date(st, 7);
    dn_invoice_status status = DN_INV_OPEN;
    dn_invoice_status_parse((const char *)sqlite3_column_text(st, 8), &status);
    out->status = status;
    dn_strlcpy(out->external_id, external_id, sizeof out->external_id);
    sqlite3_reset(st);
    return 1;
}

static int apply_credit(sqlite_store *s, int64_t customer_id, const char *currency, dn_time now,
                        dn_err *err);

/* New → CREATED; same status/dates → SAME (nothing written); other status or
 * dates → UPDATED (and the open case closes if nothing unpaid is left). An
 * invoice written as open takes the customer's standing credit in its
 * currency (apply_credit).
 * Customer, amount and currency are fixed: a change is -EEXIST naming the
 * field. An unknown customer is -ENOENT ("customer_id"). paid_minor is
 * taken from inv only on creation; afterwards payments own it, and inv is
 * given the stored value back. */
static int sqlite_upsert_invoice(void *ctx, dn_invoice *inv, dn_upsert_outcome *outcome,
                                 dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_invoice(inv, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
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
    sqlite3_stmt *st;
    int b;
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
        st = use(s, ST_INVOICE_UPDATE);
        b = sqlite3_bind_int64(st, 1, stored.id);
        b |= bind_date(st, 2, inv->issued);
        b |= bind_date(st, 3, inv->due);
        b |= bind_text(st, 4, dn_invoice_status_names[inv->status]);
        b |= sqlite3_bind_int64(st, 5, now);
    } else {
        st = use(s, ST_INVOICE_INSERT);
        b = bind_text(st, 1, inv->external_id);
        b |= sqlite3_bind_int64(st, 2, customer_id);
        b |= bind_text(st, 3, inv->currency);
        b |= sqlite3_bind_int64(st, 4, inv->amount_minor);
        b |= sqlite3_bind_int64(st, 5, inv->paid_minor);
        b |= bind_date(st, 6, inv->issued);
        b |= bind_date(st, 7, inv->due);
        b |= bind_text(st, 8, dn_invoice_status_names[inv->status]);
        b |= sqlite3_bind_int64(st, 9, now);
    }
    rc = b ? bind_failed(s, b, err, "invoice write") : run(s, st, err, "invoice write");
    if (rc < 0)
        goto fail;
    if (!exists)
        inv->id = sqlite3_last_insert_rowid(s->db);
    rc = insert_event(s, customer_id, exists ? "invoice_updated" : "invoice_created",
                      dn_store_invoice_event(inv), now, err);
    if (rc < 0)
        goto fail;
    if (inv->status == DN_INV_OPEN) {
        rc = apply_credit(s, customer_id, inv->currency, now, err);
        if (rc < 0)
            goto fail;
    }
    rc = sqlite_touch_customer(s, customer_id, 0, err);
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

/* One invoice by external id; -ENOENT (field "external_id") if unknown. */
static int sqlite_get_invoice(void *ctx, const char *external_id, dn_invoice *out, dn_err *err)
{
    sqlite_store *s = ctx;
    int64_t customer_id;
    int rc = invoice_by_external(s, external_id, out, &customer_id, err);
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "external_id", "no invoice %s", external_id);
    return rc < 0 ? rc : 0;
}

/* ---- payments ---- */

/* Reads a stored payment row (ST_PAYMENT_BY_EXT) into out and its
 * customer's store id, as dn_store_payment_difference compares them. */
static void read_payment(sqlite3_stmt *st, dn_payment *out, int64_t *customer_id)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    *customer_id = sqlite3_column_int64(st, 1);
    column_text(st, 2, out->currency, sizeof out->currency);
    out->amount_minor = sqlite3_column_int64(st, 3);
    out->paid_on = column_date(st, 4);
    out->is_credit_note = strcmp((const char *)sqlite3_column_text(st, 5), "credit_note") == 0;
    column_text(st, 6, out->invoice_external_id, sizeof out->invoice_external_id);
}

/* Allocates up to amount to one invoice; logs "invoice_paid" when it
 * becomes paid. */
static int allocate(sqlite_store *s, int64_t payment_id, int64_t invoice_id, int64_t amount,
                    int64_t customer_id, dn_time now, dn_err *err)
{
    sqlite3_stmt *st = use(s, ST_ALLOCATION_INSERT);
    int b = sqlite3_bind_int64(st, 1, payment_id);
    b |= sqlite3_bind_int64(st, 2, invoice_id);
    b |= sqlite3_bind_int64(st, 3, amount);
    int rc = b ? bind_failed(s, b, err, "allocation") : run(s, st, err, "allocation");
    if (rc < 0)
        return rc;
    st = use(s, ST_INVOICE_ADD_PAID);
    b = sqlite3_bind_int64(st, 1, invoice_id);
    b |= sqlite3_bind_int64(st, 2, amount);
    b |= sqlite3_bind_int64(st, 3, now);
    if (b)
        return bind_failed(s, b, err, "invoice payment");
    rc = step_row(s, st, err, "invoice payment");
    if (rc <= 0)
        return rc == 0 ? dn_err_set(err, -EIO, NULL, "invoice %lld vanished",
                                    (long long)invoice_id) : rc;
    bool paid = strcmp((const char *)sqlite3_column_text(st, 0), "paid") == 0;
    json_t *payload = paid ? json_pack("{s:s}", "external_id",
                                       (const char *)sqlite3_column_text(st, 1)) : NULL;
    /* finish the statement: RETURNING rows are produced before the write ends */
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(payload);
        return db_fail(s, rc, err, NULL, "invoice payment");
    }
    return paid ? insert_event(s, customer_id, "invoice_paid", payload, now, err) : 0;
}

/* Standing credit — what the customer's payments and credit notes in
 * `currency` left unallocated (an overpayment, a credit note larger than
 * what was open, a payment before any invoice), oldest first — goes to the
 * open invoices of that currency, oldest due first; each share is an
 * allocation of its payment and a "credit_applied" event. Called after an
 * invoice is created or becomes open. Each round spends one payment's
 * credit or pays one invoice in full, so it ends; once either is used up it
 * writes nothing (running it again changes nothing). */
static int apply_credit(sqlite_store *s, int64_t customer_id, const char *currency, dn_time now,
                        dn_err *err)
{
    for (;;) {
        char payment[DN_ID_MAX], invoice[DN_ID_MAX];
        sqlite3_stmt *st = use(s, ST_PAYMENT_CREDIT_LEFT);
        int b = sqlite3_bind_int64(st, 1, customer_id);
        b |= bind_text(st, 2, currency);
        if (b)
            return bind_failed(s, b, err, "credit lookup");
        int rc = step_row(s, st, err, "credit lookup");
        if (rc <= 0)
            return rc;
        int64_t payment_id = sqlite3_column_int64(st, 0);
        column_text(st, 1, payment, sizeof payment);
        int64_t credit = sqlite3_column_int64(st, 2);
        sqlite3_reset(st);
        st = use(s, ST_INVOICE_OLDEST_OPEN);
        b = sqlite3_bind_int64(st, 1, customer_id);
        b |= bind_text(st, 2, currency);
        if (b)
            return bind_failed(s, b, err, "credit allocation lookup");
        rc = step_row(s, st, err, "credit allocation lookup");
        if (rc <= 0)
            return rc;
        int64_t invoice_id = sqlite3_column_int64(st, 0);
        int64_t open_amount = sqlite3_column_int64(st, 1);
        column_text(st, 2, invoice, sizeof invoice);
        sqlite3_reset(st);
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

/* Records a payment or credit note and allocates it: all to the named invoice
 * (same customer and currency, else -EINVAL) as far as it is open, or oldest
 * due first over the customer's open invoices of that currency (no due date
 * last; disputed and on-hold invoices only when named). What is left over
 * stays unallocated. The same payment again is SAME; the same external id
 * with other content is -EEXIST naming the first differing field. */
static int sqlite_add_payment(void *ctx, dn_payment *p, dn_upsert_outcome *outcome, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_payment(p, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
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

    sqlite3_stmt *st = use(s, ST_PAYMENT_BY_EXT);
    int b = bind_text(st, 1, p->external_id);
    if (b) {
        rc = bind_failed(s, b, err, "payment lookup");
        goto fail;
    }
    rc = step_row(s, st, err, "payment lookup");
    if (rc < 0)
        goto fail;
    if (rc == 1) {
        dn_payment stored;
        int64_t stored_customer;
        read_payment(st, &stored, &stored_customer);
        sqlite3_reset(st);
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
    st = use(s, ST_PAYMENT_INSERT);
    b = bind_text(st, 1, p->external_id);
    b |= sqlite3_bind_int64(st, 2, customer_id);
    b |= bind_text(st, 3, p->currency);
    b |= sqlite3_bind_int64(st, 4, p->amount_minor);
    b |= bind_text(st, 5, paid_on);
    b |= bind_text(st, 6, kind);
    b |= bind_text_or_null(st, 7, p->invoice_external_id);
    b |= sqlite3_bind_int64(st, 8, now);
    rc = b ? bind_failed(s, b, err, "payment write") : run(s, st, err, "payment write");
    if (rc < 0)
        goto fail;
    p->id = sqlite3_last_insert_rowid(s->db);

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
            st = use(s, ST_INVOICE_OLDEST_OPEN);
            b = sqlite3_bind_int64(st, 1, customer_id);
            b |= bind_text(st, 2, p->currency);
            if (b) {
                rc = bind_failed(s, b, err, "allocation lookup");
                goto fail;
            }
            rc = step_row(s, st, err, "allocation lookup");
            if (rc < 0)
                goto fail;
            if (rc == 0)
                break;
            int64_t invoice_id = sqlite3_column_int64(st, 0);
            int64_t open_amount = sqlite3_column_int64(st, 1);
            sqlite3_reset(st);
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
    rc = sqlite_touch_customer(s, customer_id, 0, err);
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

/* Is invoice a older than b by (due date, no date last; id)? The order in
 * which the facts list the unpaid invoices. */
static bool invoice_older(dn_date a_due, int64_t a_id, dn_date b_due, int64_t b_id)
{
    if ((a_due == DN_NO_DATE) != (b_due == DN_NO_DATE))
        return b_due == DN_NO_DATE;
    if (a_due != b_due)
        return a_due < b_due;
    return a_id < b_id;
}

/* Keeps the row of st (ST_FACT_INVOICES) among f's DN_FACT_INVOICES oldest
 * unpaid invoices, ids[] holding their row ids in the same order. */
static void keep_oldest_invoice(sqlite3_stmt *st, dn_facts *f, int64_t ids[DN_FACT_INVOICES])
{
    dn_date due = column_date(st, 5);
    int64_t id = sqlite3_column_int64(st, 7);
    int at = f->n_invoices;
    while (at > 0 && invoice_older(due, id, f->invoices[at - 1].due, ids[at - 1]))
        at--;
    if (at == DN_FACT_INVOICES)
        return;                                   /* newer than every one kept */
    int last = f->n_invoices < DN_FACT_INVOICES ? f->n_invoices : DN_FACT_INVOICES - 1;
    memmove(&f->invoices[at + 1], &f->invoices[at], (size_t)(last - at) * sizeof f->invoices[0]);
    memmove(&ids[at + 1], &ids[at], (size_t)(last - at) * sizeof ids[0]);
    if (f->n_invoices < DN_FACT_INVOICES)
        f->n_invoices++;
    dn_fact_invoice *fi = &f->invoices[at];
    ids[at] = id;
    column_text(st, 0, fi->external_id, sizeof fi->external_id);
    column_text(st, 1, fi->currency, sizeof fi->currency);
    fi->amount_minor = sqlite3_column_int64(st, 2);
    fi->paid_minor = sqlite3_column_int64(st, 3);
    fi->issued = column_date(st, 4);
    fi->due = due;
    fi->status = DN_INV_OPEN;
    dn_invoice_status_parse((const char *)sqlite3_column_text(st, 6), &fi->status);
}

/* Whether contact a goes before b in the facts: most recent first by
 * (at, id). */
static bool contact_newer(const dn_fact_contact *a, const dn_fact_contact *b)
{
    return a->at > b->at || (a->at == b->at && a->id > b->id);
}

/* Keeps the row of st (ST_FACT_CONTACTS) among f's DN_FACT_CONTACTS
 * contacts: the ones the guard counts first (uncounted[] marks the others),
 * then the most recent, each group most recent first by (at, id); once
 * every row is in, dn_store_facts_order_contacts puts them in time order. */
static void keep_recent_contact(sqlite3_stmt *st, dn_facts *f, bool *uncounted)
{
    int64_t id = sqlite3_column_int64(st, 0);
    dn_time at_time = sqlite3_column_int64(st, 1);
    bool skip = sqlite3_column_int(st, 10) != 0;
    dn_fact_contact probe = { .id = id, .at = at_time };
    int at = f->n_contacts;
    while (at > 0 && ((uncounted[at - 1] && !skip) ||
                      (uncounted[at - 1] == skip && contact_newer(&probe, &f->contacts[at - 1]))))
        at--;
    if (at == DN_FACT_CONTACTS)
        return;                                   /* older than every one kept */
    int last = f->n_contacts < DN_FACT_CONTACTS ? f->n_contacts : DN_FACT_CONTACTS - 1;
    memmove(&f->contacts[at + 1], &f->contacts[at], (size_t)(last - at) * sizeof f->contacts[0]);
    memmove(&uncounted[at + 1], &uncounted[at], (size_t)(last - at) * sizeof uncounted[0]);
    if (f->n_contacts < DN_FACT_CONTACTS)
        f->n_contacts++;
    uncounted[at] = skip;
    dn_fact_contact *fc = &f->contacts[at];
    fc->id = id;
    fc->at = at_time;
    column_text(st, 2, fc->channel, sizeof fc->channel);
    column_text(st, 3, fc->state, sizeof fc->state);
    column_text(st, 4, fc->outcome, sizeof fc->outcome);
    column_text(st, 5, fc->template_name, sizeof fc->template_name);
    fc->step_day = sqlite3_column_int(st, 6);
    fc->case_id = sqlite3_column_int64(st, 7);
    fc->purpose = DN_PURPOSE_REMINDER;
    dn_purpose_parse((const char *)sqlite3_column_text(st, 8), &fc->purpose);
    column_text(st, 9, fc->debt_ref, sizeof fc->debt_ref);
}

/* Fills everything in f except the customer and persona (already read),
 * as of now. No allocation: every query is a prepared statement and every
 * value lands in f's fixed buffers. */
static int fill_facts(sqlite_store *s, dn_facts *f, dn_time now, dn_err *err)
{
    int64_t customer_id = f->customer.id;
    int rc, step;

    /* unpaid invoices (the oldest due first) and the open balance per currency */
    int64_t invoice_ids[DN_FACT_INVOICES];
    f->n_invoices = 0;
    sqlite3_stmt *st = use(s, ST_FACT_INVOICES);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    if (b)
        return bind_failed(s, b, err, "facts: invoices");
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *currency = (const char *)sqlite3_column_text(st, 1);
        int64_t amount = sqlite3_column_int64(st, 2), paid = sqlite3_column_int64(st, 3);
        dn_invoice_status status = DN_INV_OPEN;
        dn_invoice_status_parse((const char *)sqlite3_column_text(st, 6), &status);
        keep_oldest_invoice(st, f, invoice_ids);
        if (status == DN_INV_OPEN && currency)
            dn_store_facts_add_balance(f, currency, amount - paid);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return db_fail(s, step, err, NULL, "facts: invoices");

    /* the open case; the notice is posted when its contact was sent, the
     * posting date is the UTC date of that moment (legal periods count
     * whole days) */
    f->case_id = 0;
    f->case_anchor_due = DN_NO_DATE;
    f->stage_day = INT32_MIN;
    f->notice_posted = false;
    f->notice_posted_on = DN_NO_DATE;
    f->notice_posted_at = 0;
    f->debt_acknowledged = false;
    f->case_reminders = 0;
    st = use(s, ST_FACT_CASE);
    b = sqlite3_bind_int64(st, 1, customer_id);
    if (b)
        return bind_failed(s, b, err, "facts: case");
    rc = step_row(s, st, err, "facts: case");
    if (rc < 0)
        return rc;
    if (rc == 1) {
        f->case_id = sqlite3_column_int64(st, 0);
        f->case_anchor_due = column_date(st, 1);
        f->stage_day = sqlite3_column_type(st, 2) == SQLITE_NULL ?
            INT32_MIN : sqlite3_column_int(st, 2);
        f->case_reminders = sqlite3_column_int(st, 3);
        dn_store_notice_posted(f, sqlite3_column_type(st, 4) != SQLITE_NULL,
                               sqlite3_column_int64(st, 4), column_date(st, 5));
        sqlite3_reset(st);
    }

    st = use(s, ST_FACT_SUMMARY);
    b = sqlite3_bind_int64(st, 1, customer_id);
    b |= sqlite3_bind_int64(st, 2, now - (dn_time)REPLY_WINDOW_DAYS * SECONDS_PER_DAY);
    if (b)
        return bind_failed(s, b, err, "facts: summary");
    rc = step_row(s, st, err, "facts: summary");
    if (rc < 0)
        return rc;
    if (rc == 1) {
        f->promises_kept = sqlite3_column_int(st, 0);
        f->promises_broken = sqlite3_column_int(st, 1);
        f->promise_pending = sqlite3_column_int(st, 2) > 0;
        f->promise_due = column_date(st, 3);
        f->replies = sqlite3_column_int(st, 4);
        f->disputes = sqlite3_column_int(st, 5);
        f->payments_count = sqlite3_column_int(st, 6);
        f->avg_days_late = sqlite3_column_int(st, 7);   /* NULL (no allocation) reads 0 */
        sqlite3_reset(st);
    }

    st = use(s, ST_FACT_CONTACTS);
    b = sqlite3_bind_int64(st, 1, customer_id);
    b |= sqlite3_bind_int64(st, 2, now - (dn_time)CONTACT_WINDOW_DAYS * SECONDS_PER_DAY);
    if (b)
        return bind_failed(s, b, err, "facts: contacts");
    f->n_contacts = 0;
    bool uncounted[DN_FACT_CONTACTS];
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        keep_recent_contact(st, f, uncounted);
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return db_fail(s, step, err, NULL, "facts: contacts");
    int counted = 0;
    while (counted < f->n_contacts && !uncounted[counted])
        counted++;
    dn_store_facts_order_contacts(f, counted);

    return 0;
}

/* Empty facts: zero counts and the "none" spellings of dates and stage. */
static void facts_clear(dn_facts *f)
{
    memset(f, 0, sizeof *f);
    f->customer.hold_until = DN_NO_DATE;
    f->case_anchor_due = DN_NO_DATE;
    f->stage_day = INT32_MIN;
    f->promise_due = DN_NO_DATE;
}

/* Claims up to max due, unleased customers in (next_evaluation_at, id) order,
 * leases them until now + lease_seconds and fills out[0..*n) as of now. */
static int sqlite_claim_due(void *ctx, dn_time now, int lease_seconds, dn_facts *out, int max,
                            int *n, dn_err *err)
{
    sqlite_store *s = ctx;
    *n = 0;
    if (max < 0)
        return dn_err_set(err, -EINVAL, "max", "max must not be negative");
    if (lease_seconds < 0)
        return dn_err_set(err, -EINVAL, "lease_seconds", "lease must not be negative");
    if (max == 0)
        return 0;
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    int count = 0, step = SQLITE_DONE;
    sqlite3_stmt *st = use(s, ST_CLAIM_SELECT);
    int b = sqlite3_bind_int64(st, 1, now);
    b |= sqlite3_bind_int(st, 2, max);
    if (b) {
        rc = bind_failed(s, b, err, "claim");
        goto fail;
    }
    while (count < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
        facts_clear(&out[count]);
        read_customer(st, &out[count].customer, out[count].persona, sizeof out[count].persona);
        count++;
    }
    sqlite3_reset(st);
    if (count < max && step != SQLITE_DONE) {
        rc = db_fail(s, step, err, NULL, "claim");
        goto fail;
    }
    /* leases and facts after the scan: writing customers while stepping
     * over their index would disturb it */
    for (int i = 0; i < count; i++) {
        st = use(s, ST_CLAIM_LEASE);
        b = sqlite3_bind_int64(st, 1, out[i].customer.id);
        b |= sqlite3_bind_int64(st, 2, now + lease_seconds);
        rc = b ? bind_failed(s, b, err, "lease") : run(s, st, err, "lease");
        if (rc < 0)
            goto fail;
        rc = fill_facts(s, &out[i], now, err);
        if (rc < 0)
            goto fail;
    }
    rc = unit_commit(s, &u, err);
    if (rc == 0)
        *n = count;
    return rc;
fail:
    unit_abort(s, &u);
    return rc;
}

/* store.h add_promise. */
static int sqlite_add_promise(void *ctx, const char *customer_external_id, int64_t amount_minor,
                              const char *currency, dn_date due, dn_time now, int64_t *id,
                              dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_promise(customer_external_id, amount_minor, currency, due, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    int64_t customer_id = 0;
    rc = customer_id_by_external(s, customer_external_id, &customer_id, err);
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer %s", customer_external_id);
    if (rc < 0)
        goto fail;
    sqlite3_stmt *st = use(s, ST_PROMISE_INSERT);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    b |= sqlite3_bind_int64(st, 2, amount_minor);
    b |= bind_text(st, 3, currency);
    b |= bind_date(st, 4, due);
    b |= sqlite3_bind_int64(st, 5, now);
    rc = b ? bind_failed(s, b, err, "promise") : run(s, st, err, "promise");
    if (rc < 0)
        goto fail;
    *id = sqlite3_last_insert_rowid(s->db);
    rc = insert_event(s, customer_id, "promise_made",
                      dn_store_promise_event(*id, amount_minor, currency, due), now, err);
    if (rc < 0)
        goto fail;
    rc = sqlite_touch_customer(s, customer_id, 0, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* The facts of one customer as of now, read in one snapshot; no lease. */
static int sqlite_load_facts(void *ctx, int64_t customer_id, dn_time now, dn_facts *out,
                             dn_err *err)
{
    sqlite_store *s = ctx;
    unit u;
    int rc = unit_begin(s, &u, false, err);
    if (rc < 0)
        return rc;
    facts_clear(out);
    sqlite3_stmt *st = use(s, ST_CUSTOMER_BY_ID);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    if (b) {
        rc = bind_failed(s, b, err, "facts: customer");
        goto fail;
    }
    rc = step_row(s, st, err, "facts: customer");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "customer_id", "no customer with id %lld",
                        (long long)customer_id);
    if (rc < 0)
        goto fail;
    read_customer(st, &out->customer, out->persona, sizeof out->persona);
    sqlite3_reset(st);
    rc = fill_facts(s, out, now, err);
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* Writes the decision row (contact_id 0 = none); sets *decision_id. */
static int insert_decision(sqlite_store *s, const dn_pass_result *r, int64_t case_id,
                           int64_t contact_id, dn_time now, int64_t *decision_id, dn_err *err)
{
    const dn_decision *d = r->decision;
    sqlite3_stmt *st = use(s, ST_DECISION_INSERT);
    int b = sqlite3_bind_int64(st, 1, r->customer_id);
    b |= bind_id_or_null(st, 2, case_id);
    b |= sqlite3_bind_int64(st, 3, now);
    b |= bind_text(st, 4, d->ruleset_version);
    b |= bind_text(st, 5, d->segment);
    b |= bind_text(st, 6, d->persona);
    b |= bind_text(st, 7, dn_action_names[d->action]);
    b |= dn_decision_has_step(d) ? sqlite3_bind_int(st, 8, d->step_day) : sqlite3_bind_null(st, 8);
    b |= sqlite3_bind_int(st, 9, d->step_index);
    b |= bind_text(st, 10, d->channel);
    b |= bind_text(st, 11, d->template_name);
    b |= bind_text(st, 12, d->tone);
    b |= bind_text(st, 13, d->language);
    b |= bind_text(st, 14, d->where);
    b |= bind_text(st, 15, d->reason);
    b |= bind_text_or_null(st, 16, r->guard_verdict);
    b |= bind_text_or_null(st, 17, r->guard_reason);
    b |= bind_id_or_null(st, 18, contact_id);
    int rc = b ? bind_failed(s, b, err, "decision") : run(s, st, err, "decision");
    if (rc == 0)
        *decision_id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* Binds a planned contact's columns from parameter `first` on, in the
 * order both contact inserts list them: channel, address, template,
 * language, tone, voice, subject, body, scheduled_at, sms_parts,
 * sms_encoding, created/updated (now), purpose, debt_ref, transliterate. */
static int bind_plan(sqlite3_stmt *st, int first, const dn_contact_plan *c, dn_time now)
{
    int i = first;
    int b = bind_text(st, i++, c->channel);
    b |= bind_text(st, i++, c->address);
    b |= bind_text(st, i++, c->template_name);
    b |= bind_text(st, i++, c->language);
    b |= bind_text(st, i++, c->tone);
    b |= bind_text(st, i++, c->voice);
    b |= bind_text(st, i++, c->subject);
    b |= bind_text(st, i++, c->body ? c->body : "");
    b |= sqlite3_bind_int64(st, i++, c->scheduled_at);
    b |= sqlite3_bind_int(st, i++, c->sms_parts);
    b |= bind_text(st, i++, c->sms_encoding);
    b |= sqlite3_bind_int64(st, i++, now);
    b |= bind_text(st, i++, dn_purpose_names[c->purpose]);
    b |= bind_text(st, i++, c->debt_ref);
    b |= sqlite3_bind_int(st, i, c->transliterate);
    return b;
}

/* Writes the contact in state planned under idem_key with the id and the
 * decision chosen before (write_result). */
static int insert_contact(sqlite_store *s, const dn_pass_result *r, int64_t case_id,
                          const char *idem_key, int64_t contact_id, int64_t decision_id,
                          dn_time now, dn_err *err)
{
    const dn_contact_plan *c = r->contact;
    sqlite3_stmt *st = use(s, ST_CONTACT_INSERT);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    b |= sqlite3_bind_int64(st, 2, decision_id);
    b |= sqlite3_bind_int64(st, 3, r->customer_id);
    b |= bind_id_or_null(st, 4, case_id);
    b |= bind_text(st, 5, idem_key);
    b |= sqlite3_bind_int(st, 6, r->decision->step_day);
    b |= bind_plan(st, 7, c, now);
    return b ? bind_failed(s, b, err, "contact") : run(s, st, err, "contact");
}

/* Whether idem_key is taken (1), free (0), or negative on error; and, when
 * free, the id the contact will get. Called inside a write transaction:
 * SQLite's write lock keeps both true until the contact is inserted, so
 * its decision can name it up front (no update of the contact after). */
static int contact_slot(sqlite_store *s, const char *idem_key, int64_t *contact_id, dn_err *err)
{
    sqlite3_stmt *st = use(s, ST_CONTACT_KEY_TAKEN);
    int b = bind_text(st, 1, idem_key);
    if (b)
        return bind_failed(s, b, err, "contact key");
    int rc = step_row(s, st, err, "contact key");
    if (rc != 0) {
        if (rc == 1)
            sqlite3_reset(st);
        return rc;
    }
    st = use(s, ST_CONTACT_NEXT_ID);
    rc = step_row(s, st, err, "contact id");
    if (rc < 0)
        return rc;
    *contact_id = rc == 1 ? sqlite3_column_int64(st, 0) : 1;
    sqlite3_reset(st);
    return 0;
}

/* Writes one customer's (validated) pass result: next evaluation, lease
 * cleared, persona/segment kept; the case opened if asked and none is open;
 * then, unless the contact's idempotency key ("cu<customer>-ca<case>-d<day>"
 * when the plan leaves it empty) already exists, the decision, the planned
 * contact and the case stage. A duplicate sets *duplicate and is not an
 * error. No unit of its own: on failure the caller undoes what was written. */
static int write_result(sqlite_store *s, const dn_pass_result *r, dn_time now, bool *duplicate,
                        dn_err *err)
{
    *duplicate = false;
    /* the customer first: an unknown id fails before anything refers to it */
    sqlite3_stmt *st = use(s, ST_CUSTOMER_AFTER_PASS);
    int b = sqlite3_bind_int64(st, 1, r->customer_id);
    b |= sqlite3_bind_int64(st, 2, r->next_evaluation_at);
    b |= bind_text(st, 3, r->decision->persona);
    b |= bind_text(st, 4, r->decision->segment);
    int rc = b ? bind_failed(s, b, err, "pass result") : run(s, st, err, "pass result");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
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
        st = use(s, ST_CASE_INSERT);
        b = sqlite3_bind_int64(st, 1, r->customer_id);
        b |= sqlite3_bind_int64(st, 2, now);
        b |= bind_date(st, 3, r->anchor_due);
        /* a case opened with a planned contact starts at its step */
        if (r->contact)
            b |= sqlite3_bind_int(st, 4, r->decision->step_day);
        else
            b |= sqlite3_bind_null(st, 4);
        rc = b ? bind_failed(s, b, err, "open case") : run(s, st, err, "open case");
        if (rc < 0)
            return rc;
        case_id = sqlite3_last_insert_rowid(s->db);
        rc = insert_case_event(s, r->customer_id, "case_opened", case_id, r->anchor_due, now,
                               err);
        if (rc < 0)
            return rc;
    }

    int64_t contact_id = 0, decision_id = 0;
    char idem_key[sizeof ((dn_contact_plan *)0)->idem_key];
    if (r->contact) {
        if (r->contact->idem_key[0])
            dn_strlcpy(idem_key, r->contact->idem_key, sizeof idem_key);
        else
            snprintf(idem_key, sizeof idem_key, "cu%lld-ca%lld-d%d", (long long)r->customer_id,
                     (long long)case_id, r->decision->step_day);
        rc = contact_slot(s, idem_key, &contact_id, err);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            *duplicate = true;
            return 0;
        }
    }
    rc = insert_decision(s, r, case_id, contact_id, now, &decision_id, err);
    if (rc < 0 || !contact_id)
        return rc;
    rc = insert_contact(s, r, case_id, idem_key, contact_id, decision_id, now, err);
    if (rc < 0 || !case_id || case_opened)
        return rc;
    st = use(s, ST_CASE_STAGE);
    b = sqlite3_bind_int64(st, 1, case_id);
    b |= sqlite3_bind_int(st, 2, r->decision->step_day);
    return b ? bind_failed(s, b, err, "case stage") : run(s, st, err, "case stage");
}

/* store.h record_results. Outside a caller's transaction the batch is first
 * written in one transaction without a savepoint per customer (a savepoint
 * makes SQLite copy every page a customer touches into its statement
 * journal); should any customer fail, that attempt is rolled back whole and
 * the batch is written again with one savepoint per customer, so the
 * failing one is the only one lost. Inside the caller's transaction only
 * the second way is possible. */
static int sqlite_record_results(void *ctx, const dn_pass_result *results, int n, dn_time now,
                                 dn_record_outcome *outcomes, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = 0;
    if (n < 0)
        return dn_err_set(err, -EINVAL, "n", "n must not be negative");
    bool own = sqlite3_get_autocommit(s->db) != 0;
    if (own) {
        rc = run(s, use(s, ST_BEGIN), err, "begin");
        if (rc < 0)
            goto lost;
        bool failed = false;
        for (int i = 0; i < n; i++) {
            memset(&outcomes[i], 0, sizeof outcomes[i]);
            outcomes[i].rc = dn_store_check_pass_result(&results[i], &outcomes[i].err);
            if (outcomes[i].rc == 0 && !failed)
                failed = write_result(s, &results[i], now, &outcomes[i].duplicate,
                                      &outcomes[i].err) < 0;
        }
        if (!failed) {
            rc = run(s, use(s, ST_COMMIT), err, "commit");
            if (rc < 0)
                goto abort;
            return 0;
        }
        reset_busy_statements(s);
        run(s, use(s, ST_ROLLBACK), NULL, "rollback");
        rc = run(s, use(s, ST_BEGIN), err, "begin");
        if (rc < 0)
            goto lost;
    }
    for (int i = 0; i < n; i++) {
        memset(&outcomes[i], 0, sizeof outcomes[i]);
        outcomes[i].rc = dn_store_check_pass_result(&results[i], &outcomes[i].err);
        if (outcomes[i].rc < 0)
            continue;
        unit u;
        int one = unit_begin(s, &u, true, &outcomes[i].err);
        if (one == 0)
            one = write_result(s, &results[i], now, &outcomes[i].duplicate, &outcomes[i].err);
        if (one == 0)
            one = unit_commit(s, &u, &outcomes[i].err);
        else
            unit_abort(s, &u);
        if (one < 0) {
            outcomes[i].rc = one;
            outcomes[i].duplicate = false;
        }
    }
    if (!own)
        return 0;
    rc = run(s, use(s, ST_COMMIT), err, "commit");
    if (rc == 0)
        return 0;
abort:
    reset_busy_statements(s);
    if (!sqlite3_get_autocommit(s->db))
        run(s, use(s, ST_ROLLBACK), NULL, "rollback");
lost:
    for (int i = 0; i < n; i++) {
        outcomes[i].rc = rc;
        outcomes[i].duplicate = false;
        if (err)
            outcomes[i].err = *err;
    }
    return rc;
}

/* ---- dispatch ---- */

static int sqlite_claim_outbox_channel(void *ctx, dn_time now, const char *channel,
                                       dn_outbox_item **items, int max, int *n, dn_err *err)
{
    sqlite_store *s = ctx;
    dn_outbox_item *list = NULL;
    int count = 0, step = SQLITE_DONE;
    *items = NULL;
    *n = 0;
    if (max <= 0)
        return max == 0 ? 0 : dn_err_set(err, -EINVAL, "max", "max must not be negative");
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    list = calloc((size_t)max, sizeof *list);
    if (!list) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory claiming %d contacts", max);
        goto fail;
    }
    sqlite3_stmt *st = use(s, ST_OUTBOX_SELECT);
    int b = sqlite3_bind_int64(st, 1, now);
    b |= sqlite3_bind_int(st, 2, max);
    b |= bind_text_or_null(st, 3, channel);
    if (b) {
        rc = bind_failed(s, b, err, "outbox");
        goto fail;
    }
    while (count < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
        dn_outbox_item *it = &list[count];
        const unsigned char *body = sqlite3_column_text(st, 12);
        it->body = strdup(body ? (const char *)body : "");
        if (!it->body) {
            rc = dn_err_set(err, -ENOMEM, "body", "out of memory copying a contact body");
            goto fail;
        }
        count++;
        it->id = sqlite3_column_int64(st, 0);
        it->customer_id = sqlite3_column_int64(st, 1);
        it->case_id = sqlite3_column_int64(st, 2);
        column_text(st, 3, it->customer_external_id, sizeof it->customer_external_id);
        column_text(st, 4, it->idem_key, sizeof it->idem_key);
        column_text(st, 5, it->channel, sizeof it->channel);
        column_text(st, 6, it->address, sizeof it->address);
        column_text(st, 7, it->template_name, sizeof it->template_name);
        column_text(st, 8, it->language, sizeof it->language);
        column_text(st, 9, it->tone, sizeof it->tone);
        column_text(st, 10, it->voice, sizeof it->voice);
        column_text(st, 11, it->subject, sizeof it->subject);
        it->scheduled_at = sqlite3_column_int64(st, 13);
        it->purpose = DN_PURPOSE_REMINDER;
        dn_purpose_parse((const char *)sqlite3_column_text(st, 14), &it->purpose);
        it->attempts = sqlite3_column_int(st, 15) + 1;   /* this hand-over included */
        it->sms_parts = sqlite3_column_int(st, 16);
        column_text(st, 17, it->sms_encoding, sizeof it->sms_encoding);
        column_text(st, 18, it->debt_ref, sizeof it->debt_ref);
        it->transliterate = sqlite3_column_int(st, 19) != 0;
    }
    sqlite3_reset(st);
    if (count < max && step != SQLITE_DONE) {
        rc = db_fail(s, step, err, NULL, "outbox");
        goto fail;
    }
    /* updated_at of "sending" is the lease clock: the wall clock, even when
     * the engine's business clock is pinned (dispatch_recover compares it) */
    dn_time taken_at = dn_now();
    for (int i = 0; i < count; i++) {
        st = use(s, ST_OUTBOX_TAKE);
        b = sqlite3_bind_int64(st, 1, list[i].id);
        b |= sqlite3_bind_int64(st, 2, taken_at);
        b |= bind_text(st, 3, s->owner);
        /* sent_at is on the engine's clock: the guard counts the contact
         * from that moment, in the same time as every other fact */
        b |= sqlite3_bind_int64(st, 4, now);
        rc = b ? bind_failed(s, b, err, "outbox take") : run(s, st, err, "outbox take");
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

static int sqlite_claim_outbox(void *ctx, dn_time now, dn_outbox_item **items, int max, int *n,
                               dn_err *err)
{
    return sqlite_claim_outbox_channel(ctx, now, NULL, items, max, n, err);
}

/* Is state one of contacts.state's allowed values? */
/* Steps a bound "UPDATE contacts ... RETURNING customer_id" of one contact
 * to its end: the customer of the changed row in *customer_id, or -ENOENT
 * naming contact_id ("<before> <id><after>") when no row matched. The
 * statement is reset either way. */
static int update_contact_returning(sqlite_store *s, sqlite3_stmt *st, int64_t contact_id,
                                    const char *what, const char *before, const char *after,
                                    int64_t *customer_id, dn_err *err)
{
    int rc = step_row(s, st, err, what);
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "%s %lld%s", before, (long long)contact_id,
                        after);
    if (rc < 0)
        return rc;
    *customer_id = sqlite3_column_int64(st, 0);
    rc = sqlite3_step(st);   /* let the UPDATE finish */
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(s, rc, err, NULL, what);
}

/* Moves a contact to state (provider id and reason kept when NULL) and logs
 * "contact_<state>". -EINVAL for an unknown state, -ENOENT for an unknown id,
 * -EALREADY for one a receipt settled (store.h). */
/* store.h rewrite_contact. */
static int sqlite_rewrite_contact(void *ctx, int64_t contact_id, const char *subject,
                                  const char *body, int sms_parts, const char *sms_encoding,
                                  dn_time at, dn_err *err)
{
    sqlite_store *s = ctx;
    if (!subject || !body || !sms_encoding || !dn_utf8_valid(subject) || !dn_utf8_valid(body) ||
        !dn_utf8_valid(sms_encoding))
        return dn_err_set(err, -EINVAL, "body", "a contact's text must be valid UTF-8");
    sqlite3_stmt *st = use(s, ST_CONTACT_REWRITE);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    b |= bind_text(st, 2, subject);
    b |= bind_text(st, 3, body);
    b |= sqlite3_bind_int(st, 4, sms_parts);
    b |= bind_text(st, 5, sms_encoding);
    b |= sqlite3_bind_int64(st, 6, at);
    int rc = b ? bind_failed(s, b, err, "contact text") : run(s, st, err, "contact text");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact %lld being sent",
                        (long long)contact_id);
    return rc;
}

static int sqlite_set_contact_state(void *ctx, int64_t contact_id, const char *state,
                                    const char *provider_id, const char *reason, dn_time at,
                                    dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_contact_state(state, provider_id, reason, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CONTACT_STATE);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    b |= bind_text(st, 2, state);
    b |= bind_text_or_null(st, 3, provider_id);
    b |= bind_text_or_null(st, 4, reason);
    b |= sqlite3_bind_int64(st, 5, at);
    if (b) {
        rc = bind_failed(s, b, err, "contact state");
        goto fail;
    }
    int64_t customer_id = 0;
    rc = update_contact_returning(s, st, contact_id, "contact state", "no contact with id", "", &customer_id, err);
    if (rc == -ENOENT) {
        /* is it there, settled by a delivery report or bounce? */
        st = use(s, ST_CONTACT_PROVIDER);
        b = sqlite3_bind_int64(st, 1, contact_id);
        int found = b ? bind_failed(s, b, err, "contact state")
                      : step_row(s, st, err, "contact state");
        if (found == 1) {
            rc = dn_err_set(err, -EALREADY, "state", "contact %lld is %s: a receipt settled it",
                            (long long)contact_id, (const char *)sqlite3_column_text(st, 0));
            sqlite3_reset(st);
        } else if (found < 0) {
            rc = found;
        }
    }
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

static int sqlite_append_event(void *ctx, int64_t customer_id, const char *kind, json_t *payload,
                               dn_time at, int64_t *event_id, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_event(kind, payload, err);
    if (rc == 0)
        rc = payload ? insert_event(s, customer_id, kind, json_incref(payload), at, err)
                     : insert_event_text(s, customer_id, kind, "{}", at, err);
    if (rc == 0 && event_id)
        *event_id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* Notes a loaded rule set version and its files; a known version is kept. */
static int sqlite_record_ruleset(void *ctx, const char *version, json_t *files, dn_err *err)
{
    sqlite_store *s = ctx;
    if (!version || !*version || !dn_utf8_valid(version))
        return dn_err_set(err, -EINVAL, "version", "a rule set needs a version");
    char *text = files ? json_dumps(files, JSON_COMPACT) : NULL;
    if (files && !text)
        return dn_err_set(err, -ENOMEM, "files", "cannot serialise the rule set files");
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0) {
        free(text);
        return rc;
    }
    /* the version loaded last, before this one */
    sqlite3_stmt *st = use(s, ST_RULESET_LAST);
    rc = step_row(s, st, err, "rule set");
    bool same = rc == 1 && strcmp((const char *)sqlite3_column_text(st, 0), version) == 0;
    sqlite3_reset(st);
    if (rc >= 0) {
        st = use(s, ST_RULESET_INSERT);
        int b = bind_text(st, 1, version);
        b |= sqlite3_bind_int64(st, 2, dn_now());
        b |= bind_text(st, 3, text ? text : "[]");
        rc = b ? bind_failed(s, b, err, "rule set") : run(s, st, err, "rule set");
    }
    free(text);
    if (rc < 0) {
        unit_abort(s, &u);
        return rc;
    }
    rc = unit_commit(s, &u, err);
    return rc < 0 ? rc : same ? 1 : 0;
}

/* Opens the caller's transaction; units inside it become savepoints. */
static int sqlite_begin(void *ctx, dn_err *err)
{
    sqlite_store *s = ctx;
    return run(s, use(s, ST_BEGIN), err, "begin");
}

/* Commits the caller's transaction; on failure it is rolled back. */
static int sqlite_commit(void *ctx, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = run(s, use(s, ST_COMMIT), err, "commit");
    if (rc < 0 && !sqlite3_get_autocommit(s->db))
        run(s, use(s, ST_ROLLBACK), NULL, "rollback");
    return rc;
}

/* Drops the caller's transaction; a no-op when none is open. */
static int sqlite_rollback(void *ctx)
{
    sqlite_store *s = ctx;
    reset_busy_statements(s);
    if (sqlite3_get_autocommit(s->db))
        return 0;
    return run(s, use(s, ST_ROLLBACK), NULL, "rollback");
}

/* ---- reading as JSON ---- */

/* The current row as an object keyed by column name: integers as integers,
 * NULL as null, text as strings (JSON columns parsed). NULL on failure. */
static json_t *row_to_json(sqlite3_stmt *st)
{
    json_t *row = json_object();
    if (!row)
        return NULL;
    int columns = sqlite3_column_count(st);
    for (int i = 0; i < columns; i++) {
        const char *name = sqlite3_column_name(st, i);
        json_t *value = NULL;
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            value = json_integer(sqlite3_column_int64(st, i));
            break;
        case SQLITE_FLOAT:
            value = json_real(sqlite3_column_double(st, i));
            break;
        case SQLITE_NULL:
            value = json_null();
            break;
        default: {
            const char *text = (const char *)sqlite3_column_text(st, i);
            size_t length = (size_t)sqlite3_column_bytes(st, i);
            if (text && dn_store_json_column(name))
                value = json_loadb(text, length, 0, NULL);
            if (!value && text)
                value = json_stringn(text, length);
            break;
        }
        }
        if (!name || !value || json_object_set_new(row, name, value) < 0) {
            json_decref(row);
            return NULL;
        }
    }
    return row;
}

/* Steps st to the end, appending each row to array; resets st. */
static int append_rows(sqlite_store *s, sqlite3_stmt *st, json_t *array, dn_err *err,
                       const char *what)
{
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = row_to_json(st);
        if (!row || json_array_append_new(array, row) < 0) {
            rc = dn_err_set(err, -ENOMEM, NULL, "%s: cannot build the JSON row", what);
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(s, step, err, NULL, what);
    sqlite3_reset(st);
    return rc;
}

/* A fresh array of every row of st (bound by the caller) in *out. */
static int rows_array(sqlite_store *s, sqlite3_stmt *st, json_t **out, dn_err *err,
                      const char *what)
{
    json_t *array = json_array();
    if (!array) {
        sqlite3_reset(st);
        return dn_err_set(err, -ENOMEM, NULL, "%s: out of memory", what);
    }
    int rc = append_rows(s, st, array, err, what);
    if (rc < 0) {
        json_decref(array);
        return rc;
    }
    *out = array;
    return 0;
}

/* Customers with external_id > after, in external_id order. */
static int sqlite_list_customers(void *ctx, const char *after, int limit, json_t **out,
                                 dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_limit(limit, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CUSTOMER_LIST);
    int b = bind_text(st, 1, after ? after : "");
    b |= sqlite3_bind_int(st, 2, limit);
    if (b)
        return bind_failed(s, b, err, "list customers");
    return rows_array(s, st, out, err, "list customers");
}

/* Shared by list_invoices and list_payments: all rows (customer "" or NULL)
 * or one customer's (-ENOENT if unknown). */
static int list_by_customer(sqlite_store *s, enum stmt_id all, enum stmt_id one,
                            const char *customer_external_id, const char *after, int limit,
                            json_t **out, dn_err *err, const char *what)
{
    int rc = dn_store_check_limit(limit, err);
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
    }
    sqlite3_stmt *st = use(s, filtered ? one : all);
    int b = bind_text(st, 1, after ? after : "");
    b |= sqlite3_bind_int(st, 2, limit);
    if (filtered)
        b |= sqlite3_bind_int64(st, 3, customer_id);
    if (b)
        return bind_failed(s, b, err, what);
    return rows_array(s, st, out, err, what);
}

/* Invoices (of one customer, or all) with external_id > after. */
static int sqlite_list_invoices(void *ctx, const char *customer_external_id, const char *after,
                                int limit, json_t **out, dn_err *err)
{
    return list_by_customer(ctx, ST_INVOICE_LIST_ALL, ST_INVOICE_LIST_CUSTOMER,
                            customer_external_id, after, limit, out, err, "list invoices");
}

/* Payments (of one customer, or all) with external_id > after, each with
 * the part of it that was allocated. */
static int sqlite_list_payments(void *ctx, const char *customer_external_id, const char *after,
                                int limit, json_t **out, dn_err *err)
{
    return list_by_customer(ctx, ST_PAYMENT_LIST_ALL, ST_PAYMENT_LIST_CUSTOMER,
                            customer_external_id, after, limit, out, err, "list payments");
}

/* Decisions or contacts with id > after_id, in id order, each with the
 * customer's external id. */
static int sqlite_list_rows(void *ctx, const char *table, int64_t after_id, int limit,
                            json_t **out, dn_err *err)
{
    sqlite_store *s = ctx;
    enum stmt_id id;
    if (table && strcmp(table, "decisions") == 0)
        id = ST_LIST_DECISIONS;
    else if (table && strcmp(table, "contacts") == 0)
        id = ST_LIST_CONTACTS;
    else
        return dn_err_set(err, -EINVAL, "table", "rows can be listed from decisions or contacts");
    int rc = dn_store_check_limit(limit, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, id);
    int b = sqlite3_bind_int64(st, 1, after_id);
    b |= sqlite3_bind_int(st, 2, limit);
    if (b)
        return bind_failed(s, b, err, table);
    return rows_array(s, st, out, err, table);
}

/* Everything stored about one customer, read in one snapshot, as
 * {customer, invoices, payments, cases, decisions, contacts, events}; each
 * list in id order. -ENOENT for an unknown customer. */
static int sqlite_timeline(void *ctx, const char *customer_external_id, json_t **out,
                           dn_err *err)
{
    static const struct { const char *key; enum stmt_id id; } parts[] = {
        { "invoices", ST_TL_INVOICES },   { "payments", ST_TL_PAYMENTS },
        { "cases", ST_TL_CASES },         { "decisions", ST_TL_DECISIONS },
        { "contacts", ST_TL_CONTACTS },   { "events", ST_TL_EVENTS },
    };
    sqlite_store *s = ctx;
    json_t *timeline = NULL;
    unit u;
    int rc = unit_begin(s, &u, false, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_TL_CUSTOMER);
    int b = bind_text(st, 1, customer_external_id ? customer_external_id : "");
    if (b) {
        rc = bind_failed(s, b, err, "timeline");
        goto fail;
    }
    rc = step_row(s, st, err, "timeline");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "external_id", "no customer %s",
                        customer_external_id ? customer_external_id : "");
    if (rc < 0)
        goto fail;
    int64_t customer_id = sqlite3_column_int64(st, 0);
    json_t *customer = row_to_json(st);
    sqlite3_reset(st);
    timeline = json_object();
    if (!customer || !timeline || json_object_set_new(timeline, "customer", customer) < 0) {
        if (!timeline)
            json_decref(customer);
        rc = dn_err_set(err, -ENOMEM, NULL, "timeline: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *rows = NULL;
        st = use(s, parts[i].id);
        b = sqlite3_bind_int64(st, 1, customer_id);
        rc = b ? bind_failed(s, b, err, parts[i].key) : rows_array(s, st, &rows, err, parts[i].key);
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

/* Adds "key": count for every row of a (key, count) statement into obj,
 * whose keys were pre-filled with 0 so absent groups still show. */
static int count_groups(sqlite_store *s, enum stmt_id id, json_t *obj, dn_err *err)
{
    sqlite3_stmt *st = use(s, id);
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        if (key && json_object_set_new(obj, key, json_integer(sqlite3_column_int64(st, 1))) < 0) {
            rc = dn_err_set(err, -ENOMEM, NULL, "stats: out of memory");
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(s, step, err, NULL, "stats");
    sqlite3_reset(st);
    return rc;
}

/* {"customers", "invoices_open", "cases_open", "contacts": {state: n},
 * "decisions": {action: n}}; every state and action is present. */
static int sqlite_stats(void *ctx, json_t **out, dn_err *err)
{
    sqlite_store *s = ctx;
    json_t *stats = NULL, *contacts = json_object(), *decisions = json_object();
    unit u;
    int rc = unit_begin(s, &u, false, err);
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
    sqlite3_stmt *st = use(s, ST_STATS_TOTALS);
    rc = step_row(s, st, err, "stats");
    if (rc == 0)
        rc = dn_err_set(err, -EIO, NULL, "stats: no totals row");
    if (rc < 0)
        goto fail;
    stats = json_pack("{s:I, s:I, s:I, s:O, s:O}",
                      "customers", (json_int_t)sqlite3_column_int64(st, 0),
                      "invoices_open", (json_int_t)sqlite3_column_int64(st, 1),
                      "cases_open", (json_int_t)sqlite3_column_int64(st, 2),
                      "contacts", contacts, "decisions", decisions);
    sqlite3_reset(st);
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

/* Makes every customer due at `at` (a new rule set version). */
static int sqlite_touch_all(void *ctx, dn_time at, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, ST_CUSTOMER_TOUCH_ALL);
    int b = sqlite3_bind_int64(st, 1, at);
    return b ? bind_failed(s, b, err, "touch all") : run(s, st, err, "touch all");
}

/* Puts a contact back to "planned" at `at` with the reason, and logs it. */
static int sqlite_reschedule_contact(void *ctx, int64_t contact_id, dn_time at,
                                     const char *reason, dn_time now, dn_err *err)
{
    sqlite_store *s = ctx;
    if (reason && !dn_utf8_valid(reason))
        return dn_err_set(err, -EINVAL, "reason", "text is not valid UTF-8");
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CONTACT_RESCHEDULE);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    b |= sqlite3_bind_int64(st, 2, at);
    b |= bind_text_or_null(st, 3, reason);
    b |= sqlite3_bind_int64(st, 4, now);
    if (b) {
        rc = bind_failed(s, b, err, "reschedule contact");
        goto fail;
    }
    int64_t customer_id = 0;
    rc = update_contact_returning(s, st, contact_id, "reschedule contact", "no contact", " waiting to be sent", &customer_id, err);
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

/* Marks contacts stuck in "sending" since before `before` as in doubt. */
static int sqlite_mark_in_doubt(void *ctx, dn_time before, dn_time now, int *n, dn_err *err)
{
    sqlite_store *s = ctx;
    *n = 0;
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CONTACT_IN_DOUBT);
    int b = sqlite3_bind_int64(st, 1, before);
    b |= sqlite3_bind_int64(st, 2, now);
    b |= bind_text(st, 3, s->owner);
    if (b) {
        rc = bind_failed(s, b, err, "mark in doubt");
        goto fail;
    }
    /* collect first: events cannot be inserted while the UPDATE steps */
    int64_t (*ids)[2] = NULL;
    size_t count = 0, capacity = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == capacity) {
            size_t grown = capacity ? capacity * 2 : 64;
            void *bigger = realloc(ids, grown * sizeof *ids);
            if (!bigger) {
                sqlite3_reset(st);
                free(ids);
                rc = dn_err_set(err, -ENOMEM, NULL, "out of memory marking contacts in doubt");
                goto fail;
            }
            ids = bigger;
            capacity = grown;
        }
        ids[count][0] = sqlite3_column_int64(st, 0);
        ids[count][1] = sqlite3_column_int64(st, 1);
        count++;
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        free(ids);
        rc = db_fail(s, step, err, NULL, "mark in doubt");
        goto fail;
    }
    for (size_t i = 0; i < count; i++) {
        rc = insert_event(s, ids[i][1], "contact_in_doubt",
                          dn_store_contact_event(ids[i][0], "in_doubt", NULL, NULL), now, err);
        if (rc < 0) {
            free(ids);
            goto fail;
        }
    }
    free(ids);
    *n = (int)count;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* ---- delivery ---- */

/* A contact went out (accepted by its provider, or reported delivered):
 * when it is an opt-out confirmation, the customer's opt_out_confirmed
 * records it. */
static int note_confirmation_sent(sqlite_store *s, int64_t contact_id, dn_time at, dn_err *err)
{
    sqlite3_stmt *st = use(s, ST_CONFIRMATION_SENT);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    b |= sqlite3_bind_int64(st, 2, at);
    return b ? bind_failed(s, b, err, "opt-out confirmation sent")
             : run(s, st, err, "opt-out confirmation sent");
}

/* Records a provider's acceptance (see store.h record_sent). */
static int sqlite_record_sent(void *ctx, int64_t contact_id, const dn_send_record *r, dn_time at,
                              dn_err *err)
{
    sqlite_store *s = ctx;
    bool costed;
    int rc = dn_store_check_send_record(r, &costed, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CONTACT_SENT);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    b |= bind_text_or_null(st, 2, r->provider_id);
    b |= bind_text_or_null(st, 3, r->instance);
    b |= costed ? sqlite3_bind_int64(st, 4, r->cost_minor) : sqlite3_bind_null(st, 4);
    b |= bind_text_or_null(st, 5, costed ? r->cost_currency : NULL);
    b |= sqlite3_bind_int64(st, 6, at);
    b |= bind_text_or_null(st, 7, r->detail);
    b |= sqlite3_bind_int(st, 8, r->sms_parts);
    b |= bind_text_or_null(st, 9, r->sms_encoding);
    if (b) {
        rc = bind_failed(s, b, err, "record sent");
        goto fail;
    }
    int64_t customer_id = 0;
    rc = update_contact_returning(s, st, contact_id, "record sent", "no contact", " being sent", &customer_id, err);
    if (rc >= 0)
        rc = note_confirmation_sent(s, contact_id, at, err);
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
static int sqlite_record_provider_id(void *ctx, int64_t contact_id, const char *provider_id,
                                     dn_time at, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_provider_id(provider_id, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CONTACT_PROVIDER);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    rc = b ? bind_failed(s, b, err, "provider id") : step_row(s, st, err, "provider id");
    if (rc < 0)
        goto fail;
    char list[DN_PROVIDER_IDS_MAX + 1];
    if (rc == 1) {
        const char *state = (const char *)sqlite3_column_text(st, 0);
        bool unsent = strcmp(state, "planned") == 0 || strcmp(state, "cancelled") == 0;
        column_text(st, 1, list, sizeof list);
        sqlite3_reset(st);
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
    st = use(s, ST_CONTACT_SET_PROVIDER);
    b = sqlite3_bind_int64(st, 1, contact_id);
    b |= bind_text(st, 2, list);
    b |= sqlite3_bind_int64(st, 3, at);
    rc = b ? bind_failed(s, b, err, "provider id") : run(s, st, err, "provider id");
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* The customer an inbound chat message comes from (see store.h). */
static int sqlite_find_chat_customer(void *ctx, const char *chat_id, const char *username,
                                     char *external_id, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_chat_sender(chat_id, &username, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CUSTOMER_BY_CHAT);
    int b = bind_text(st, 1, chat_id);
    b |= bind_text(st, 2, username);
    rc = b ? bind_failed(s, b, err, "chat sender") : step_row(s, st, err, "chat sender");
    if (rc == 1) {
        column_text(st, 0, external_id, DN_ID_MAX);
        sqlite3_reset(st);
        return 0;
    }
    return rc < 0 ? rc : dn_store_no_chat_sender(chat_id, username, err);
}

/* Records the day a letter was posted (see store.h). */
static int sqlite_record_letter_posted(void *ctx, int64_t contact_id, dn_date posted_on,
                                       dn_time now, char *customer_external_id, dn_err *err)
{
    sqlite_store *s = ctx;
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_LETTER_READ);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    rc = b ? bind_failed(s, b, err, "letter") : step_row(s, st, err, "letter");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "id", "no letter %lld", (long long)contact_id);
    if (rc < 0)
        goto fail;
    int64_t customer_id = sqlite3_column_int64(st, 0);
    char state[16];
    column_text(st, 1, customer_external_id, DN_ID_MAX);
    column_text(st, 2, state, sizeof state);
    dn_time written_at = sqlite3_column_int64(st, 3);
    dn_date posted = column_date(st, 4);
    sqlite3_reset(st);
    rc = dn_store_check_letter_posted(contact_id, state, written_at, posted, posted_on, now, err);
    if (rc <= 0) {
        if (rc == 0) {
            unit_abort(s, &u);            /* recorded before: the same answer */
            return 0;
        }
        goto fail;
    }
    st = use(s, ST_LETTER_POSTED);
    b = sqlite3_bind_int64(st, 1, contact_id);
    b |= bind_date(st, 2, posted_on);
    b |= sqlite3_bind_int64(st, 3, now);
    rc = b ? bind_failed(s, b, err, "letter posted") : run(s, st, err, "letter posted");
    if (rc < 0)
        goto fail;
    char day[11];
    dn_date_format(posted_on, day);
    rc = insert_event(s, customer_id, "letter_posted",
                      json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id, "posted_on",
                                day), now, err);
    if (rc == 0)
        rc = sqlite_touch_customer(s, customer_id, 0, err);   /* due under any clock */
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* Finds a contact by id (and checks idem_key when given) or by idem_key
 * alone: 1 with *id, *customer_id and state filled, or a negative errno
 * (-ENOENT when nothing matches, -EINVAL when neither is given). */
static int find_contact(sqlite_store *s, int64_t contact_id, const char *idem_key, int64_t *id,
                        int64_t *customer_id, char *state, size_t state_size, dn_err *err)
{
    bool by_id = contact_id > 0;
    bool has_key = idem_key && *idem_key;
    int rc = dn_store_check_contact_key(contact_id, idem_key, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, by_id ? ST_CONTACT_BY_ID : ST_CONTACT_BY_KEY);
    int b = by_id ? sqlite3_bind_int64(st, 1, contact_id) : bind_text(st, 1, idem_key);
    if (b)
        return bind_failed(s, b, err, "find contact");
    rc = step_row(s, st, err, "find contact");
    if (rc < 0)
        return rc;
    bool match = rc == 1;
    if (match) {
        *id = sqlite3_column_int64(st, 0);
        *customer_id = sqlite3_column_int64(st, 1);
        column_text(st, 2, state, state_size);
        const unsigned char *key = sqlite3_column_text(st, 3);
        if (has_key && (!key || strcmp((const char *)key, idem_key) != 0))
            match = false;
        sqlite3_reset(st);
    }
    return match ? 1 : dn_store_contact_not_found(contact_id, err);
}

/* Settles a contact from a delivery report or bounce (store.h). */
static int sqlite_record_receipt(void *ctx, int64_t contact_id, const char *idem_key,
                                 const char *state, const char *reason, dn_time at, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_receipt(state, reason, idem_key, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
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
    sqlite3_stmt *st = use(s, ST_CONTACT_FINAL);
    int b = sqlite3_bind_int64(st, 1, id);
    b |= bind_text(st, 2, state);
    b |= sqlite3_bind_int64(st, 3, at);
    b |= bind_text_or_null(st, 4, reason);
    rc = b ? bind_failed(s, b, err, "receipt") : run(s, st, err, "receipt");
    if (rc >= 0 && strcmp(state, "delivered") == 0)
        rc = note_confirmation_sent(s, id, at, err);
    if (rc < 0)
        goto fail;
    char kind[32];
    snprintf(kind, sizeof kind, "contact_%s", state);
    rc = insert_event(s, customer_id, kind,
                      dn_store_receipt_event(id, state, current, reason), at, err);
    if (rc == 0)
        rc = sqlite_touch_customer(s, customer_id, 0, err);   /* due under any clock */
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

/* Opens a unit with the contact (contact_id, idem_key) found in it
 * (find_contact): 0, or its error with the unit closed. */
static int contact_unit(sqlite_store *s, unit *u, int64_t contact_id, const char *idem_key,
                        int64_t *id, int64_t *customer_id, dn_err *err)
{
    int rc = unit_begin(s, u, true, err);
    if (rc < 0)
        return rc;
    char state[16];
    rc = find_contact(s, contact_id, idem_key, id, customer_id, state, sizeof state, err);
    if (rc < 0)
        unit_abort(s, u);
    return rc < 0 ? rc : 0;
}

/* Marks the address a contact went to as undeliverable (see store.h). */
static int sqlite_mark_undeliverable(void *ctx, int64_t contact_id, const char *idem_key,
                                     const char *reason, dn_time at, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_contact_texts(reason, idem_key, err);
    if (rc < 0)
        return rc;
    unit u;
    int64_t id = 0, customer_id = 0;
    rc = contact_unit(s, &u, contact_id, idem_key, &id, &customer_id, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, ST_CONTACT_ADDRESSES);
    int b = sqlite3_bind_int64(st, 1, id);
    rc = b ? bind_failed(s, b, err, "addresses") : step_row(s, st, err, "addresses");
    if (rc == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact %lld", (long long)id);
    if (rc < 0)
        goto fail;
    char channel[16], address[DN_ADDR_MAX], email[DN_ADDR_MAX], phone[32], chat[DN_ADDR_MAX];
    column_text(st, 0, channel, sizeof channel);
    column_text(st, 1, address, sizeof address);
    column_text(st, 2, email, sizeof email);
    column_text(st, 3, phone, sizeof phone);
    column_text(st, 4, chat, sizeof chat);
    sqlite3_reset(st);
    bool marked = false;
    rc = dn_store_undeliverable_bit(channel, address, email, phone, chat, &marked, err);
    if (rc < 0)
        goto fail;
    if (marked) {
        st = use(s, ST_CUSTOMER_UNDELIVERABLE);
        b = sqlite3_bind_int64(st, 1, customer_id);
        b |= sqlite3_bind_int64(st, 2, rc);
        b |= sqlite3_bind_int64(st, 3, at);
        rc = b ? bind_failed(s, b, err, "undeliverable") : run(s, st, err, "undeliverable");
    } else {
        rc = sqlite_touch_customer(s, customer_id, 0, err);   /* due under any clock */
    }
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
static int sqlite_append_contact_event(void *ctx, int64_t contact_id, const char *idem_key,
                                       const char *kind, json_t *payload, dn_time at,
                                       dn_err *err)
{
    sqlite_store *s = ctx;
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
static int sqlite_opt_out_by_contact(void *ctx, int64_t contact_id, const char *idem_key,
                                     unsigned channel_bits, const char *source, dn_time at,
                                     dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_opt_out(channel_bits, source, idem_key, err);
    if (rc < 0)
        return rc;
    unit u;
    rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    int64_t id = 0, customer_id = 0;
    char current[16];
    rc = find_contact(s, contact_id, idem_key, &id, &customer_id, current, sizeof current, err);
    if (rc < 0)
        goto fail;
    sqlite3_stmt *st = use(s, ST_CUSTOMER_OPT_OUT);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    b |= sqlite3_bind_int64(st, 2, channel_bits);
    b |= sqlite3_bind_int64(st, 3, at);
    rc = b ? bind_failed(s, b, err, "opt out") : run(s, st, err, "opt out");
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

/* Puts contacts of an idempotent channel left in "sending" back to
 * "planned" (store.h requeue_sending). */
static int sqlite_requeue_sending(void *ctx, const char *channel, dn_time before, dn_time now,
                                  int *n, dn_err *err)
{
    sqlite_store *s = ctx;
    *n = 0;
    if (!channel || !*channel)
        return dn_err_set(err, -EINVAL, "channel", "requeue needs a channel");
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    int64_t (*rows)[2] = NULL;
    size_t count = 0, capacity = 0;
    sqlite3_stmt *st = use(s, ST_CONTACT_REQUEUE);
    int b = bind_text(st, 1, channel);
    b |= sqlite3_bind_int64(st, 2, before);
    b |= sqlite3_bind_int64(st, 3, now);
    b |= bind_text(st, 4, s->owner);
    if (b) {
        rc = bind_failed(s, b, err, "requeue");
        goto fail;
    }
    int step;
    /* collect first: events cannot be inserted while the UPDATE steps */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == capacity) {
            size_t grown = capacity ? capacity * 2 : 64;
            void *bigger = realloc(rows, grown * sizeof *rows);
            if (!bigger) {
                sqlite3_reset(st);
                rc = dn_err_set(err, -ENOMEM, NULL, "out of memory requeueing contacts");
                goto fail;
            }
            rows = bigger;
            capacity = grown;
        }
        rows[count][0] = sqlite3_column_int64(st, 0);
        rows[count][1] = sqlite3_column_int64(st, 1);
        count++;
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        rc = db_fail(s, step, err, NULL, "requeue");
        goto fail;
    }
    for (size_t i = 0; i < count; i++) {
        rc = insert_event(s, rows[i][1], "contact_requeued",
                          dn_store_contact_event(rows[i][0], "planned", NULL, NULL), now, err);
        if (rc < 0)
            goto fail;
    }
    free(rows);
    *n = (int)count;
    return unit_commit(s, &u, err);
fail:
    free(rows);
    unit_abort(s, &u);
    return rc;
}

static const dn_store_module_ops sqlite_module_ops;

const dn_store_ops dn_store_sqlite = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .schema_version = sqlite_schema_version,
    .upsert_customer = sqlite_upsert_customer,
    .get_customer = sqlite_get_customer,
    .list_customers = sqlite_list_customers,
    .upsert_invoice = sqlite_upsert_invoice,
    .get_invoice = sqlite_get_invoice,
    .list_invoices = sqlite_list_invoices,
    .add_payment = sqlite_add_payment,
    .list_payments = sqlite_list_payments,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .claim_due = sqlite_claim_due,
    .add_promise = sqlite_add_promise,
    .record_results = sqlite_record_results,
    .touch_customer = sqlite_touch_customer,
    .claim_outbox = sqlite_claim_outbox,
    .load_facts = sqlite_load_facts,
    .set_contact_state = sqlite_set_contact_state,
    .rewrite_contact = sqlite_rewrite_contact,
    .append_event = sqlite_append_event,
    .timeline = sqlite_timeline,
    .list_rows = sqlite_list_rows,
    .stats = sqlite_stats,
    .record_ruleset = sqlite_record_ruleset,
    .touch_all = sqlite_touch_all,
    .reschedule_contact = sqlite_reschedule_contact,
    .mark_in_doubt = sqlite_mark_in_doubt,
    .claim_outbox_channel = sqlite_claim_outbox_channel,
    .record_sent = sqlite_record_sent,
    .record_provider_id = sqlite_record_provider_id,
    .find_chat_customer = sqlite_find_chat_customer,
    .record_letter_posted = sqlite_record_letter_posted,
    .mark_undeliverable = sqlite_mark_undeliverable,
    .append_contact_event = sqlite_append_contact_event,
    .record_receipt = sqlite_record_receipt,
    .opt_out_by_contact = sqlite_opt_out_by_contact,
    .requeue_sending = sqlite_requeue_sending,
    .modules = &sqlite_module_ops,
};

/* ---- the channel modules' operations (store_modules.h) ---- */

#define MODULE(id) [(id) - ST_COUNT]

static const char *const module_sql[STMT_TOTAL - ST_COUNT] = {
    MODULE(MS_TASK_INSERT) =
        "INSERT INTO agent_tasks (customer_id, contact_id, source, reason, priority, state, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?6)",
    MODULE(MS_TASK_BY_CONTACT) = "SELECT id FROM agent_tasks WHERE contact_id = ?1",
    MODULE(MS_TASK_EXPIRE) =
        "UPDATE agent_tasks SET state = 'open', agent = NULL, taken_until = NULL, "
        "updated_at = ?1 WHERE state = 'taken' AND taken_until < ?1",
    /* one statement picks and takes the row (the write lock is held) */
    MODULE(MS_TASK_TAKE) =
        "UPDATE agent_tasks SET state = 'taken', agent = ?1, taken_until = ?3, updated_at = ?2 "
        "WHERE id = (SELECT id FROM agent_tasks WHERE state = 'open' AND snoozed_until <= ?2 "
        "ORDER BY priority DESC, id LIMIT 1) RETURNING id",
    MODULE(MS_TASK_ROW) =
        "SELECT customer_id, COALESCE(contact_id, 0), state, COALESCE(agent, ''), "
        "COALESCE(taken_until, 0) FROM agent_tasks WHERE id = ?1",
    MODULE(MS_TASK_CLOSE) =
        "UPDATE agent_tasks SET state = 'done', outcome = ?2, note = ?3, taken_until = NULL, "
        "updated_at = ?4 WHERE id = ?1",
    MODULE(MS_TASK_REQUEUE) =
        "UPDATE agent_tasks SET state = 'open', agent = NULL, taken_until = NULL, "
        "snoozed_until = ?2, updated_at = ?3 WHERE id = ?1",
    MODULE(MS_TASK_GET) = TASK_JSON_SELECT "WHERE t.id = ?1",
    MODULE(MS_TASK_LIST) =
        TASK_JSON_SELECT "WHERE (?1 = '' OR t.state = ?1) "
        "ORDER BY t.state = 'done', t.priority DESC, t.id LIMIT ?2",
    MODULE(MS_CONTACT_OUTCOME) =
        "UPDATE contacts SET state = COALESCE(?2, state), outcome = COALESCE(?3, outcome), "
        "updated_at = ?4 WHERE id = ?1",

    MODULE(MS_WEBHOOK_DISABLE) = "UPDATE webhook_endpoints SET enabled = 0",
    MODULE(MS_WEBHOOK_ENDPOINT) =
        "INSERT INTO webhook_endpoints (name, url, enabled) VALUES (?1, ?2, 1) "
        "ON CONFLICT (name) DO UPDATE SET url = excluded.url, enabled = 1",
    /* ?1 = now (ms): the head of each (endpoint, customer) queue, due or
     * left by a dead engine whose lease ended */
    MODULE(MS_WEBHOOK_DUE) =
        "SELECT d.id FROM webhook_deliveries d "
        "JOIN webhook_endpoints w ON w.name = d.endpoint AND w.enabled = 1 "
        "WHERE ((d.state = 'pending' AND d.next_attempt_at <= ?1) "
        "OR (d.state = 'sending' AND d.lease_until < ?1)) "
        "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint = d.endpoint "
        "AND p.customer_id IS d.customer_id AND p.state IN ('pending', 'sending') "
        "AND p.id < d.id) ORDER BY d.id LIMIT ?2",
    MODULE(MS_WEBHOOK_TAKE) =
        "UPDATE webhook_deliveries SET state = 'sending', attempts = attempts + 1, "
        "lease_until = ?2, claimed_by = ?3, updated_at = ?4 WHERE id = ?1",
    MODULE(MS_WEBHOOK_READ) =
        "SELECT d.id, d.endpoint, d.event_id, d.attempts, e.kind, e.at, e.payload, "
        "c.external_id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id "
        "LEFT JOIN customers c ON c.id = d.customer_id WHERE d.id = ?1",
    /* only while the claim is still this connection's */
    MODULE(MS_WEBHOOK_RECORD) =
        "UPDATE webhook_deliveries SET state = ?2, last_status = ?3, last_error = ?4, "
        "next_attempt_at = ?5, delivered_at = CASE WHEN ?2 = 'delivered' THEN ?6 "
        "ELSE delivered_at END, updated_at = ?6, lease_until = NULL, claimed_by = NULL "
        "WHERE id = ?1 AND state = 'sending' AND claimed_by = ?7",
    MODULE(MS_WEBHOOK_RELEASE) =
        "UPDATE webhook_deliveries SET state = 'pending', lease_until = NULL, claimed_by = NULL "
        "WHERE state = 'sending' AND claimed_by = ?1",
    MODULE(MS_WEBHOOK_GET) = DELIVERY_JSON_SELECT "WHERE d.id = ?1",
    MODULE(MS_WEBHOOK_LIST) =
        DELIVERY_JSON_SELECT "WHERE (?1 = '' OR d.state = ?1) AND d.id > ?2 ORDER BY d.id LIMIT ?3",
    MODULE(MS_WEBHOOK_REPLAY) =
        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = 0, "
        "last_error = NULL, last_status = NULL WHERE id = ?1 AND state IN ('dead', 'delivered')",

    MODULE(MS_CUSTOMER_BY_PHONE) =
        "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE phone = ?1 ORDER BY id LIMIT 1",
    /* chat handles compare as find_chat_customer does (any case, no '@') */
    MODULE(MS_CUSTOMER_BY_CHAT) =
        "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE lower(ltrim(chat, '@')) = "
        "lower(ltrim(?1, '@')) AND chat <> '' ORDER BY id LIMIT 1",
    MODULE(MS_OPT_OUT_ONE) =
        "UPDATE customers SET opt_out = opt_out | ?2, updated_at = ?3 WHERE id = ?1 "
        "AND (opt_out & ?2) = 0",
    MODULE(MS_OPT_OUT_PHONE) =
        "UPDATE customers SET opt_out = opt_out | ?3, updated_at = ?4 WHERE phone = ?1 "
        "AND id <> ?2 AND (opt_out & ?3) = 0 RETURNING id",
    MODULE(MS_OPT_OUT_CHAT) =
        "UPDATE customers SET opt_out = opt_out | ?3, updated_at = ?4 WHERE "
        "lower(ltrim(chat, '@')) = lower(ltrim(?1, '@')) AND chat <> '' "
        "AND id <> ?2 AND (opt_out & ?3) = 0 RETURNING id",
    MODULE(MS_CONTACT_REPLIED) =
        "UPDATE contacts SET state = 'replied', updated_at = ?3 WHERE id = (SELECT id FROM "
        "contacts WHERE customer_id = ?1 AND channel = ?2 AND state IN ('sent', 'delivered') "
        "AND purpose <> 'optout_confirm' ORDER BY scheduled_at DESC, id DESC LIMIT 1)",
    MODULE(MS_CONTACT_PLAN) =
        "INSERT INTO contacts (customer_id, case_id, idem_key, step_day, channel, address, "
        "template, language, tone, voice, subject, body, scheduled_at, state, sms_parts, "
        "sms_encoding, created_at, updated_at, purpose, debt_ref, transliterate) VALUES (?1, "
        "(SELECT id FROM cases WHERE customer_id = ?1 AND closed_at IS NULL ORDER BY id DESC "
        "LIMIT 1), ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'planned', ?12, ?13, ?14, ?14, "
        "?15, ?16, ?17) ON CONFLICT (idem_key) DO NOTHING",
    MODULE(MS_INBOUND_CLAIM) =
        "INSERT INTO inbound_seen (source, digest, received_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (source, digest) DO NOTHING",
    MODULE(MS_INBOUND_RESULT) = "SELECT result FROM inbound_seen WHERE source = ?1 AND digest = ?2",
    MODULE(MS_INBOUND_SETTLE) =
        "UPDATE inbound_seen SET customer_id = ?3, result = ?4 WHERE source = ?1 AND digest = ?2",

    MODULE(MS_CONTACT_FIND_ID) =
        "SELECT k.id, k.customer_id, c.external_id, k.state, k.created_at, k.updated_at "
        "FROM contacts k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.id = ?1 AND k.channel = ?2",
    MODULE(MS_CONTACT_FIND_PROVIDER) =
        "SELECT k.id, k.customer_id, c.external_id, k.state, k.created_at, k.updated_at "
        "FROM contacts k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.provider_id = ?1 AND k.channel = ?2 ORDER BY k.id DESC LIMIT 1",
};

/* Steps a bound statement to its end (a RETURNING write whose row was
 * read) and resets it. */
static int finish(sqlite_store *s, sqlite3_stmt *st, dn_err *err, const char *what)
{
    int step = sqlite3_step(st);
    int rc = step == SQLITE_DONE ? 0 : db_fail(s, step, err, NULL, what);
    sqlite3_reset(st);
    return rc;
}

/* The row of statement id (which takes one id, ?1) as JSON (row_to_json):
 * 1 with *out, 0 when there is none. */
static int row_by_id(sqlite_store *s, int id, int64_t row_id, json_t **out, dn_err *err,
                     const char *what)
{
    sqlite3_stmt *st = use(s, id);
    int rc = sqlite3_bind_int64(st, 1, row_id);
    if (rc)
        return bind_failed(s, rc, err, what);
    rc = step_row(s, st, err, what);
    if (rc == 1) {
        *out = row_to_json(st);
        sqlite3_reset(st);
        if (!*out)
            rc = dn_err_set(err, -ENOMEM, NULL, "%s: out of memory", what);
    }
    return rc;
}

static int sqlite_task_create(void *ctx, const dn_task_new *t, dn_time now, int64_t *id,
                              dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_TASK_INSERT);
    int b = sqlite3_bind_int64(st, 1, t->customer_id);
    b |= bind_id_or_null(st, 2, t->contact_id);
    b |= bind_text(st, 3, t->source);
    b |= bind_text(st, 4, t->reason);
    b |= sqlite3_bind_int(st, 5, t->priority);
    b |= sqlite3_bind_int64(st, 6, now);
    int rc = b ? bind_failed(s, b, err, "agent task") : run(s, st, err, "agent task");
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(s->db);
    if (rc != -EEXIST || !t->contact_id)
        return rc;
    st = use(s, MS_TASK_BY_CONTACT);
    b = sqlite3_bind_int64(st, 1, t->contact_id);
    int found = b ? bind_failed(s, b, err, "agent task") : step_row(s, st, err, "agent task");
    if (found == 1) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return found < 0 ? found : rc;
}

static int sqlite_task_take(void *ctx, const char *agent, dn_time now, int lease_seconds,
                            int64_t *id, dn_err *err)
{
    sqlite_store *s = ctx;
    *id = 0;
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, MS_TASK_EXPIRE);
    int b = sqlite3_bind_int64(st, 1, now);
    rc = b ? bind_failed(s, b, err, "take agent task") : run(s, st, err, "take agent task");
    if (rc < 0)
        goto fail;
    st = use(s, MS_TASK_TAKE);
    b = bind_text(st, 1, agent);
    b |= sqlite3_bind_int64(st, 2, now);
    b |= sqlite3_bind_int64(st, 3, now + lease_seconds);
    rc = b ? bind_failed(s, b, err, "take agent task") : step_row(s, st, err, "take agent task");
    if (rc == 1) {
        *id = sqlite3_column_int64(st, 0);
        rc = finish(s, st, err, "take agent task");
    }
    if (rc < 0)
        goto fail;
    return unit_commit(s, &u, err);
fail:
    unit_abort(s, &u);
    return rc;
}

static int sqlite_task_lock(void *ctx, int64_t id, dn_task_row *row, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_TASK_ROW);
    int b = sqlite3_bind_int64(st, 1, id);
    int rc = b ? bind_failed(s, b, err, "agent task") : step_row(s, st, err, "agent task");
    if (rc == 1) {
        row->customer_id = sqlite3_column_int64(st, 0);
        row->contact_id = sqlite3_column_int64(st, 1);
        column_text(st, 2, row->state, sizeof row->state);
        column_text(st, 3, row->agent, sizeof row->agent);
        row->taken_until = sqlite3_column_int64(st, 4);
        sqlite3_reset(st);
    }
    return rc;
}

static int sqlite_task_close(void *ctx, int64_t id, const char *outcome, const char *note,
                             dn_time now, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_TASK_CLOSE);
    int b = sqlite3_bind_int64(st, 1, id);
    b |= bind_text(st, 2, outcome);
    b |= note ? bind_text(st, 3, note) : sqlite3_bind_null(st, 3);
    b |= sqlite3_bind_int64(st, 4, now);
    return b ? bind_failed(s, b, err, "complete agent task")
             : run(s, st, err, "complete agent task");
}

static int sqlite_task_requeue(void *ctx, int64_t id, dn_time until, dn_time now, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_TASK_REQUEUE);
    int b = sqlite3_bind_int64(st, 1, id);
    b |= sqlite3_bind_int64(st, 2, until);
    b |= sqlite3_bind_int64(st, 3, now);
    return b ? bind_failed(s, b, err, "requeue agent task")
             : run(s, st, err, "requeue agent task");
}

static int sqlite_task_get(void *ctx, int64_t id, json_t **task, dn_err *err)
{
    return row_by_id(ctx, MS_TASK_GET, id, task, err, "agent task");
}

static int sqlite_task_list(void *ctx, const char *state, int limit, json_t **out, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_limit(limit, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, MS_TASK_LIST);
    int b = bind_text(st, 1, state);
    b |= sqlite3_bind_int(st, 2, limit);
    return b ? bind_failed(s, b, err, "list agent tasks")
             : rows_array(s, st, out, err, "list agent tasks");
}

static int sqlite_contact_outcome(void *ctx, int64_t contact_id, const char *state,
                                  const char *outcome, dn_time now, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_CONTACT_OUTCOME);
    int b = sqlite3_bind_int64(st, 1, contact_id);
    b |= state ? bind_text(st, 2, state) : sqlite3_bind_null(st, 2);
    b |= outcome ? bind_text(st, 3, outcome) : sqlite3_bind_null(st, 3);
    b |= sqlite3_bind_int64(st, 4, now);
    int rc = b ? bind_failed(s, b, err, "contact outcome") : run(s, st, err, "contact outcome");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = dn_err_set(err, -ENOENT, "contact_id", "no contact with id %lld",
                        (long long)contact_id);
    return rc;
}

static int sqlite_webhook_endpoints(void *ctx, const char *const *names,
                                    const char *const *urls, int n, dn_err *err)
{
    sqlite_store *s = ctx;
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    rc = run(s, use(s, MS_WEBHOOK_DISABLE), err, "webhook endpoints");
    for (int i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = use(s, MS_WEBHOOK_ENDPOINT);
        int b = bind_text(st, 1, names[i]);
        b |= bind_text(st, 2, urls[i]);
        rc = b ? bind_failed(s, b, err, "webhook endpoints") : run(s, st, err, "webhook endpoints");
    }
    if (rc < 0) {
        unit_abort(s, &u);
        return rc;
    }
    return unit_commit(s, &u, err);
}

/* Reads MS_WEBHOOK_READ's row into d (its payload copied). */
static int read_delivery(sqlite3_stmt *st, dn_webhook_delivery *d, dn_err *err)
{
    const unsigned char *payload = sqlite3_column_text(st, 6);
    d->payload = strdup(payload ? (const char *)payload : "{}");
    if (!d->payload)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory reading a webhook delivery");
    d->id = sqlite3_column_int64(st, 0);
    column_text(st, 1, d->endpoint, sizeof d->endpoint);
    d->event_id = sqlite3_column_int64(st, 2);
    d->attempts = sqlite3_column_int(st, 3);
    column_text(st, 4, d->kind, sizeof d->kind);
    d->at = sqlite3_column_int64(st, 5);
    d->has_customer = sqlite3_column_type(st, 7) != SQLITE_NULL;
    column_text(st, 7, d->customer_external_id, sizeof d->customer_external_id);
    return 0;
}

/* The write lock of the unit makes the choice and the claim one step: no
 * other engine on the file can claim between them. */
static int sqlite_webhook_claim(void *ctx, int64_t now_ms, int lease_seconds, int max,
                                dn_webhook_delivery **list, int *n, dn_err *err)
{
    sqlite_store *s = ctx;
    dn_webhook_delivery *out = NULL;
    int count = 0, step = SQLITE_DONE;
    *list = NULL;
    *n = 0;
    if (max <= 0)
        return 0;
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    out = calloc((size_t)max, sizeof *out);
    if (!out) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory claiming webhook deliveries");
        goto fail;
    }
    /* collect first: the rows are updated below */
    sqlite3_stmt *st = use(s, MS_WEBHOOK_DUE);
    int b = sqlite3_bind_int64(st, 1, now_ms);
    b |= sqlite3_bind_int(st, 2, max);
    if (b) {
        rc = bind_failed(s, b, err, "webhook claim");
        goto fail;
    }
    while (count < max && (step = sqlite3_step(st)) == SQLITE_ROW)
        out[count++].id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (count < max && step != SQLITE_DONE) {
        count = 0;
        rc = db_fail(s, step, err, NULL, "webhook claim");
        goto fail;
    }
    for (int i = 0; i < count; i++) {
        st = use(s, MS_WEBHOOK_TAKE);
        b = sqlite3_bind_int64(st, 1, out[i].id);
        b |= sqlite3_bind_int64(st, 2, now_ms + (int64_t)lease_seconds * 1000);
        b |= bind_text(st, 3, s->owner);
        b |= sqlite3_bind_int64(st, 4, now_ms / 1000);
        rc = b ? bind_failed(s, b, err, "webhook claim") : run(s, st, err, "webhook claim");
        if (rc < 0)
            goto fail;
        st = use(s, MS_WEBHOOK_READ);
        b = sqlite3_bind_int64(st, 1, out[i].id);
        rc = b ? bind_failed(s, b, err, "webhook claim") : step_row(s, st, err, "webhook claim");
        if (rc == 1) {
            rc = read_delivery(st, &out[i], err);
            sqlite3_reset(st);
        } else if (rc == 0) {
            rc = dn_err_set(err, -EIO, NULL, "webhook delivery %lld vanished",
                            (long long)out[i].id);
        }
        if (rc < 0)
            goto fail;
    }
    rc = unit_commit(s, &u, err);
    if (rc < 0)
        goto fail_closed;
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
    dn_webhook_deliveries_free(out, count);
    return rc;
}

static int sqlite_webhook_record(void *ctx, int64_t id, const char *state, long status,
                                 const char *error, int64_t next_attempt_ms, dn_time now,
                                 dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_WEBHOOK_RECORD);
    int b = sqlite3_bind_int64(st, 1, id);
    b |= bind_text(st, 2, state);
    b |= status < 0 ? sqlite3_bind_null(st, 3) : sqlite3_bind_int64(st, 3, status);
    b |= error ? bind_text(st, 4, error) : sqlite3_bind_null(st, 4);
    b |= sqlite3_bind_int64(st, 5, next_attempt_ms);
    b |= sqlite3_bind_int64(st, 6, now);
    b |= bind_text(st, 7, s->owner);
    int rc = b ? bind_failed(s, b, err, "webhook outcome") : run(s, st, err, "webhook outcome");
    return rc < 0 ? rc : sqlite3_changes(s->db) > 0;
}

static int sqlite_webhook_release(void *ctx, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_WEBHOOK_RELEASE);
    int b = bind_text(st, 1, s->owner);
    return b ? bind_failed(s, b, err, "webhook release") : run(s, st, err, "webhook release");
}

static int sqlite_webhook_get(void *ctx, int64_t id, json_t **out, dn_err *err)
{
    return row_by_id(ctx, MS_WEBHOOK_GET, id, out, err, "webhook delivery");
}

static int sqlite_webhook_list(void *ctx, const char *state, int64_t after, int limit,
                               json_t **out, dn_err *err)
{
    sqlite_store *s = ctx;
    int rc = dn_store_check_limit(limit, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, MS_WEBHOOK_LIST);
    int b = bind_text(st, 1, state);
    b |= sqlite3_bind_int64(st, 2, after);
    b |= sqlite3_bind_int(st, 3, limit);
    return b ? bind_failed(s, b, err, "webhook deliveries")
             : rows_array(s, st, out, err, "webhook deliveries");
}

static int sqlite_webhook_replay(void *ctx, int64_t id, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_WEBHOOK_REPLAY);
    int b = sqlite3_bind_int64(st, 1, id);
    int rc = b ? bind_failed(s, b, err, "webhook replay") : run(s, st, err, "webhook replay");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
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

static int sqlite_customer_find_by_address(void *ctx, const char *channel, const char *address,
                                           dn_customer *out, dn_err *err)
{
    sqlite_store *s = ctx;
    if (!reply_channel_bit(channel))
        return dn_err_set(err, -EINVAL, "channel", "channel must be sms or chat");
    sqlite3_stmt *st = use(s, strcmp(channel, "sms") == 0 ? MS_CUSTOMER_BY_PHONE
                                                         : MS_CUSTOMER_BY_CHAT);
    int b = bind_text(st, 1, address);
    int rc = b ? bind_failed(s, b, err, "customer lookup") : step_row(s, st, err, "customer lookup");
    if (rc == 1) {
        read_customer(st, out, NULL, 0);
        sqlite3_reset(st);
    }
    return rc;
}

static int sqlite_opt_out_address(void *ctx, int64_t customer_id, const char *channel,
                                  const char *address, dn_time now, bool *news,
                                  int64_t **others, size_t *n_others, dn_err *err)
{
    sqlite_store *s = ctx;
    unsigned bit = reply_channel_bit(channel);
    int64_t *ids = NULL;
    size_t count = 0, capacity = 0;
    *news = false;
    *others = NULL;
    *n_others = 0;
    if (!bit)
        return dn_err_set(err, -EINVAL, "channel", "channel must be sms or chat");
    unit u;
    int rc = unit_begin(s, &u, true, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, MS_OPT_OUT_ONE);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    b |= sqlite3_bind_int64(st, 2, bit);
    b |= sqlite3_bind_int64(st, 3, now);
    rc = b ? bind_failed(s, b, err, "opt-out") : run(s, st, err, "opt-out");
    if (rc == 0)
        *news = sqlite3_changes(s->db) > 0;
    if (rc < 0 || !address[0])
        goto end;
    st = use(s, bit == DN_OPTOUT_SMS ? MS_OPT_OUT_PHONE : MS_OPT_OUT_CHAT);
    b = bind_text(st, 1, address);
    b |= sqlite3_bind_int64(st, 2, customer_id);
    b |= sqlite3_bind_int64(st, 3, bit);
    b |= sqlite3_bind_int64(st, 4, now);
    if (b) {
        rc = bind_failed(s, b, err, "opt-out of a shared address");
        goto end;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
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
        ids[count++] = sqlite3_column_int64(st, 0);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(s, step, err, NULL, "opt-out of a shared address");
    sqlite3_reset(st);
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

static int sqlite_contact_mark_replied(void *ctx, int64_t customer_id, const char *channel,
                                       dn_time now, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, MS_CONTACT_REPLIED);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    b |= bind_text(st, 2, channel);
    b |= sqlite3_bind_int64(st, 3, now);
    return b ? bind_failed(s, b, err, "mark the contact replied")
             : run(s, st, err, "mark the contact replied");
}

static int sqlite_contact_plan(void *ctx, int64_t customer_id, const dn_contact_plan *c,
                               dn_time now, int64_t *contact_id, dn_err *err)
{
    sqlite_store *s = ctx;
    *contact_id = 0;
    int rc = dn_store_check_plan(c, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = use(s, MS_CONTACT_PLAN);
    int b = sqlite3_bind_int64(st, 1, customer_id);
    b |= bind_text(st, 2, c->idem_key);
    b |= bind_plan(st, 3, c, now);
    rc = b ? bind_failed(s, b, err, "plan contact") : run(s, st, err, "plan contact");
    if (rc == 0 && sqlite3_changes(s->db))
        *contact_id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int sqlite_inbound_claim(void *ctx, const char *source, const char *digest, dn_time now,
                                json_t **earlier, dn_err *err)
{
    sqlite_store *s = ctx;
    *earlier = NULL;
    sqlite3_stmt *st = use(s, MS_INBOUND_CLAIM);
    int b = bind_text(st, 1, source);
    b |= bind_text(st, 2, digest);
    b |= sqlite3_bind_int64(st, 3, now);
    int rc = b ? bind_failed(s, b, err, "inbound claim") : run(s, st, err, "inbound claim");
    if (rc < 0 || sqlite3_changes(s->db))
        return rc;
    st = use(s, MS_INBOUND_RESULT);
    b = bind_text(st, 1, source);
    b |= bind_text(st, 2, digest);
    rc = b ? bind_failed(s, b, err, "inbound claim") : step_row(s, st, err, "inbound claim");
    if (rc == 1) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        *earlier = json_loads(text ? text : "null", JSON_DECODE_ANY, NULL);
        sqlite3_reset(st);
        if (!*earlier)
            rc = dn_err_set(err, -ENOMEM, NULL, "inbound claim: out of memory");
    } else if (rc == 0) {
        rc = dn_err_set(err, -EIO, NULL, "inbound claim: the key vanished");
    }
    return rc;
}

static int sqlite_inbound_settle(void *ctx, const char *source, const char *digest,
                                 int64_t customer_id, json_t *result, dn_err *err)
{
    sqlite_store *s = ctx;
    char *text = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return dn_err_set(err, -ENOMEM, NULL, "inbound result: out of memory");
    sqlite3_stmt *st = use(s, MS_INBOUND_SETTLE);
    int b = bind_text(st, 1, source);
    b |= bind_text(st, 2, digest);
    b |= bind_id_or_null(st, 3, customer_id);
    b |= bind_text(st, 4, text);
    int rc = b ? bind_failed(s, b, err, "inbound result") : run(s, st, err, "inbound result");
    free(text);
    return rc;
}

static int sqlite_contact_find(void *ctx, int64_t contact_id, const char *provider_id,
                               const char *channel, dn_contact_ref *out, dn_err *err)
{
    sqlite_store *s = ctx;
    sqlite3_stmt *st = use(s, contact_id ? MS_CONTACT_FIND_ID : MS_CONTACT_FIND_PROVIDER);
    int b = contact_id ? sqlite3_bind_int64(st, 1, contact_id)
                       : bind_text(st, 1, provider_id ? provider_id : "");
    b |= bind_text(st, 2, channel);
    int rc = b ? bind_failed(s, b, err, "find contact") : step_row(s, st, err, "find contact");
    if (rc == 1) {
        out->id = sqlite3_column_int64(st, 0);
        out->customer_id = sqlite3_column_int64(st, 1);
        column_text(st, 2, out->customer_external_id, sizeof out->customer_external_id);
        column_text(st, 3, out->state, sizeof out->state);
        out->created_at = sqlite3_column_int64(st, 4);
        out->updated_at = sqlite3_column_int64(st, 5);
        sqlite3_reset(st);
    }
    return rc;
}

static const dn_store_module_ops sqlite_module_ops = {
    .task_create = sqlite_task_create,
    .task_take = sqlite_task_take,
    .task_lock = sqlite_task_lock,
    .task_close = sqlite_task_close,
    .task_requeue = sqlite_task_requeue,
    .task_get = sqlite_task_get,
    .task_list = sqlite_task_list,
    .contact_outcome = sqlite_contact_outcome,
    .webhook_endpoints = sqlite_webhook_endpoints,
    .webhook_claim = sqlite_webhook_claim,
    .webhook_record = sqlite_webhook_record,
    .webhook_release = sqlite_webhook_release,
    .webhook_get = sqlite_webhook_get,
    .webhook_list = sqlite_webhook_list,
    .webhook_replay = sqlite_webhook_replay,
    .customer_find_by_address = sqlite_customer_find_by_address,
    .opt_out_address = sqlite_opt_out_address,
    .contact_mark_replied = sqlite_contact_mark_replied,
    .contact_plan = sqlite_contact_plan,
    .inbound_claim = sqlite_inbound_claim,
    .inbound_settle = sqlite_inbound_settle,
    .contact_find = sqlite_contact_find,
};
