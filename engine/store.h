/*
 * store.h — the one storage interface the engine uses. A backend (SQLite in
 * store_sqlite.c, MariaDB in store_mariadb.c) is a dn_store_ops table plus an opaque
 * context. Callers never see SQL. Every operation returns 0 or a negative
 * errno and, on failure, fills err with what and which field.
 *
 * Idempotency: upserts are keyed by external id. Same content again → 0 and
 * *outcome = DN_UPSERT_SAME; different content for an existing id where the
 * operation does not allow updates → -EEXIST with err naming the field.
 *
 * Lists and timelines come back as jansson arrays/objects owned by the
 * caller (json_decref), built from result columns, so both backends share
 * the same JSON shape.
 *
 * The channel modules' operations (agent queue, replies, voice callbacks,
 * letters, webhooks) are a second table, dn_store_ops.modules
 * (store_modules.h). What both backends check and compare is written once,
 * in store.c (store-internal.h).
 */
#ifndef DN_STORE_H
#define DN_STORE_H

#include <jansson.h>

#include "model.h"

typedef enum dn_upsert_outcome {
    DN_UPSERT_CREATED, DN_UPSERT_UPDATED, DN_UPSERT_SAME
} dn_upsert_outcome;

/* A contact planned from a decision, written with it in one transaction. */
typedef struct dn_contact_plan {
    char    idem_key[128];            /* unique; "" = the store builds "cu<customer>-ca<case>-d<step_day>" */
    char    channel[16];
    char    address[DN_ADDR_MAX];
    char    template_name[DN_TOKEN_MAX];
    char    language[DN_LANG_MAX];
    char    tone[16];
    char    voice[32];
    char    subject[DN_NAME_MAX];
    char   *body;                     /* rendered content, caller owns */
    dn_time scheduled_at;
    int     sms_parts;                /* 0 if not SMS */
    char    sms_encoding[8];          /* "gsm7" / "ucs2" / "" */
    dn_purpose purpose;               /* what the guard counts it as */
    char    debt_ref[DN_ID_MAX];      /* the debt it is about; "" = the whole balance */
    bool    transliterate;            /* SMS folded to GSM-7 (rendered so again when sent) */
} dn_contact_plan;

/* A contact taken for dispatch. */
typedef struct dn_outbox_item {
    int64_t id;
    int64_t customer_id;
    int64_t case_id;
    char    customer_external_id[DN_ID_MAX];
    char    idem_key[128];
    char    channel[16];
    char    address[DN_ADDR_MAX];
    char    template_name[DN_TOKEN_MAX];
    char    language[DN_LANG_MAX];
    char    tone[16];
    char    voice[32];
    char    subject[DN_NAME_MAX];
    char   *body;                     /* owned by the item; dn_outbox_items_free */
    dn_time scheduled_at;
    dn_purpose purpose;
    char    debt_ref[DN_ID_MAX];      /* as planned; the guard counts calls per debt */
    int     attempts;                 /* hand-overs to a provider, this one included */
    int     sms_parts;                /* as planned; 0 if not SMS */
    char    sms_encoding[8];
    bool    transliterate;            /* as planned */
} dn_outbox_item;

/* What a provider's acceptance of a contact records (record_sent). */
typedef struct dn_send_record {
    const char *provider_id;          /* the provider's message id, NULL/"" if none */
    const char *instance;             /* the configured channel instance that sent it */
    int64_t     cost_minor;           /* what the send cost, integer minor units */
    const char *cost_currency;        /* ISO 4217, NULL/"" when no cost is configured */
    const char *detail;               /* optional reason text */
    int         sms_parts;            /* SMS parts of the text sent; 0 = as planned */
    const char *sms_encoding;         /* "gsm7" / "ucs2"; NULL/"" = as planned */
} dn_send_record;
void dn_outbox_items_free(dn_outbox_item *items, int n);

/* What the pass writes back for one customer. */
typedef struct dn_pass_result {
    int64_t customer_id;
    const dn_decision *decision;
    const char *guard_verdict;        /* "allow", "defer", "refuse", or NULL */
    const char *guard_reason;         /* reason code + text, or NULL */
    const dn_contact_plan *contact;   /* NULL when nothing is planned */
    bool    open_case;                /* open a case anchored at anchor_due if none */
    dn_date anchor_due;
    dn_time next_evaluation_at;
} dn_pass_result;

#define DN_PROVIDER_ID_MAX  127           /* bytes of one provider message id */
#define DN_PROVIDER_IDS_MAX 255           /* bytes of a contact's provider_id list (the column) */
/* What record_results did with one pass result. */
typedef struct dn_record_outcome {
    int    rc;                        /* 0 written; negative errno: nothing of it written */
    bool   duplicate;                 /* the contact's idem_key existed: only the next
                                         evaluation time was written */
    dn_err err;                       /* why, when rc < 0 */
} dn_record_outcome;

typedef struct dn_store_ops {
    const char *name;                 /* "sqlite", "mariadb" */

    /* Opens (creating if needed) and applies pending migrations from
     * schema/<backend>/. dsn is backend-specific (a file path for SQLite). */
    int  (*open)(void **ctx, const char *dsn, const char *schema_dir, dn_err *err);
    void (*close)(void *ctx);
    int  (*schema_version)(void *ctx, int *version, dn_err *err);

    /* -- portfolio (API and importer) -- */
    int (*upsert_customer)(void *ctx, dn_customer *c, dn_upsert_outcome *outcome, dn_err *err);
    int (*get_customer)(void *ctx, const char *external_id, dn_customer *out, dn_err *err);
    /* Page of customers with external_id > after (""=from start), ≤ limit. */
    int (*list_customers)(void *ctx, const char *after, int limit, json_t **out, dn_err *err);
    /* Invoices may change status (open → disputed → open) and dates; amount
     * and currency are fixed once created (-EEXIST otherwise). An invoice
     * written as open takes the customer's standing credit in its currency
     * (what payments and credit notes left unallocated, oldest first; an
     * allocation and a "credit_applied" event each), so a customer in
     * credit is never reminded of it. */
    int (*upsert_invoice)(void *ctx, dn_invoice *inv, dn_upsert_outcome *outcome, dn_err *err);
    int (*get_invoice)(void *ctx, const char *external_id, dn_invoice *out, dn_err *err);
    int (*list_invoices)(void *ctx, const char *customer_external_id, const char *after,
                         int limit, json_t **out, dn_err *err);
    /* Records a payment (or credit note) and allocates it: to the named
     * invoice, or oldest due first among unpaid invoices of its currency.
     * Paid invoices become "paid"; a settled balance closes the open case;
     * what is left over is standing credit for invoices to come.
     * Makes the customer due for evaluation now. Idempotent by external id;
     * same external id with other content → -EEXIST. */
    int (*add_payment)(void *ctx, dn_payment *p, dn_upsert_outcome *outcome, dn_err *err);
    int (*list_payments)(void *ctx, const char *customer_external_id, const char *after,
                         int limit, json_t **out, dn_err *err);

    /* Several writes as one unit (bulk import of a batch). */
    int (*begin)(void *ctx, dn_err *err);
    int (*commit)(void *ctx, dn_err *err);
    int (*rollback)(void *ctx);

    /* -- the evaluation pass -- */
    /* Loads up to max customers whose next_evaluation_at <= now, ordered by
     * it, into out (caller-allocated array of max), with every fact filled
     * as of `now` (balances, unpaid invoices, case, promises, last contacts).
     * Sets *n. With several instances it claims them (lease until
     * now+lease_seconds) so no other instance takes them meanwhile. */
    int (*claim_due)(void *ctx, dn_time now, int lease_seconds, dn_facts *out, int max,
                     int *n, dn_err *err);
    /* Writes a batch of pass results, each customer's decision, its contact
     * (if any, unique by idem_key: a duplicate is not an error,
     * outcomes[i].duplicate is set and nothing is written but
     * next_evaluation_at), the case change and the next evaluation time as
     * one all-or-nothing unit per customer: a customer whose write fails
     * (outcomes[i].rc < 0, with outcomes[i].err saying why) leaves nothing
     * of its own behind and never stops the others. outcomes has n entries,
     * filled for every customer. Outside a caller's transaction the batch
     * commits once; inside one (begin/commit) it is written into it.
     * Returns 0 when the batch was written (some customers may have
     * failed), or a negative errno when nothing of it was (the connection
     * dropped, the commit failed): then every outcome says so. */
    int (*record_results)(void *ctx, const dn_pass_result *results, int n, dn_time now,
                          dn_record_outcome *outcomes, dn_err *err);
    /* Sets next_evaluation_at = at for one customer (events make it now). */
    int (*touch_customer)(void *ctx, int64_t customer_id, dn_time at, dn_err *err);

    /* -- dispatch -- */
    /* Takes up to max contacts in state planned with scheduled_at <= now,
     * moving them to "sending". Caller frees with dn_outbox_items_free. */
    int (*claim_outbox)(void *ctx, dn_time now, dn_outbox_item **items, int max, int *n,
                        dn_err *err);
    /* Loads the facts of one customer (for the re-check before sending). */
    int (*load_facts)(void *ctx, int64_t customer_id, dn_time now, dn_facts *out, dn_err *err);
    /* The text of a contact taken for dispatch, rendered again at send time
     * (what is owed changed since planning): subject, body, sms_parts and
     * sms_encoding replaced, so the contact holds what was sent. -ENOENT
     * unless it is in state "sending". */
    int (*rewrite_contact)(void *ctx, int64_t contact_id, const char *subject,
                           const char *body, int sms_parts, const char *sms_encoding,
                           dn_time at, dn_err *err);
    /* Moves a contact to state (sent, delivered, failed, cancelled, ...),
     * with an optional provider id and reason; appends an event. A contact
     * a delivery report or bounce already settled (record_receipt: final_at
     * set) keeps its state — the provider's late or lost answer to the send
     * never overrides what the report proved — and the call is -EALREADY
     * (field "state"); -ENOENT for an unknown id. */
    int (*set_contact_state)(void *ctx, int64_t contact_id, const char *state,
                             const char *provider_id, const char *reason, dn_time at,
                             dn_err *err);

    /* -- events and reading -- */
    /* Appends to the audit log; payload is a JSON object (borrowed; NULL =
     * {}). Sets *event_id (may be NULL). */
    int (*append_event)(void *ctx, int64_t customer_id, const char *kind, json_t *payload,
                        dn_time at, int64_t *event_id, dn_err *err);
    /* {customer, invoices, payments, cases, decisions, contacts, events}. */
    int (*timeline)(void *ctx, const char *customer_external_id, json_t **out, dn_err *err);
    /* Decisions or contacts (table = "decisions" | "contacts") after id. */
    int (*list_rows)(void *ctx, const char *table, int64_t after_id, int limit, json_t **out,
                     dn_err *err);
    /* Counters for /metrics and reports: {"customers":n, "invoices_open":n,
     * "cases_open":n, "contacts":{"<state>":n,...}, "decisions":{"<action>":n,...}}. */
    int (*stats)(void *ctx, json_t **out, dn_err *err);
    /* Records a loaded rule set version as the one loaded last (idempotent).
     * Returns 1 when it already was the one loaded last (an instance
     * restarting on the same rules: nothing to re-evaluate), 0 when it is
     * new or differs from it, negative on error. */
    int (*record_ruleset)(void *ctx, const char *version, json_t *files, dn_err *err);
    /* Moves a contact taken for dispatch back to "planned" at a later time
     * `at` (the guard deferred it at send time, a transient failure), with
     * the reason; the event is recorded at `now` (the engine's clock). */
    int (*reschedule_contact)(void *ctx, int64_t contact_id, dn_time at, const char *reason,
                              dn_time now, dn_err *err);
    /* Makes every customer due at `at` (after a rules reload). */
    int (*touch_all)(void *ctx, dn_time at, dn_err *err);
    /* Marks contacts left in "sending" since before `before` (the engine
     * stopped between taking a contact and recording its send) as
     * "in_doubt", so they are never re-sent blindly; sets *n. Contacts this
     * store connection took itself (still in flight here) are never
     * touched; `before` is on the wall clock (claims record it there). */
    int (*mark_in_doubt)(void *ctx, dn_time before, dn_time now, int *n, dn_err *err);

    /* Records a promise to pay (state "pending", attached to the customer's
     * open case if any) and makes the customer due now; the guard defers
     * contact until the day after `due` while it is pending. -ENOENT for
     * an unknown customer, -EINVAL naming the field for amount <= 0, a
     * currency not of 3 capital letters or due = DN_NO_DATE. Sets *id. */
    int (*add_promise)(void *ctx, const char *customer_external_id, int64_t amount_minor,
                       const char *currency, dn_date due, dn_time now, int64_t *id,
                       dn_err *err);
    /* -- delivery (channel drivers, receipts, opt-outs) -- */
    /* As claim_outbox, restricted to one channel (NULL = any); every taken
     * contact's attempts grows by one. */
    int (*claim_outbox_channel)(void *ctx, dn_time now, const char *channel,
                                dn_outbox_item **items, int max, int *n, dn_err *err);
    /* A provider accepted a contact taken for dispatch: state "sent" with
     * sent_at, provider id, instance, cost and (when given) the SMS parts
     * and encoding; appends "contact_sent". A delivery report that overtook
     * this record keeps its state (delivered or failed), its reason and any
     * provider id it brought when r->provider_id is NULL/"", and gains the
     * rest.
     * -ENOENT in any other state. */
    int (*record_sent)(void *ctx, int64_t contact_id, const dn_send_record *r, dn_time at,
                       dn_err *err);
    /* A delivery report or bounce: the contact (by id, or by idem_key alone
     * when contact_id is 0; when both are given they must belong together)
     * becomes state ("delivered" or "failed") with final_at = at, the
     * reason kept, an event "contact_<state>" appended and the customer made
     * due at once (next_evaluation_at 0, whatever the engine's clock).
     * Accepted from sending, sent and in_doubt (a report settles a doubt);
     * the same state again is 0 and changes nothing; any other state
     * (delivered then failed, cancelled, planned) is -EALREADY. -ENOENT
     * when nothing matches. */
    int (*record_receipt)(void *ctx, int64_t contact_id, const char *idem_key,
                          const char *state, const char *reason, dn_time at, dn_err *err);
    /* The customer of contact (contact_id, idem_key) opts out of the
     * channels in channel_bits (DN_OPTOUT_* bits); appends "opt_out" with
     * the source text and makes the customer due at once (as record_receipt). -ENOENT when the pair
     * does not match a contact. */
    int (*opt_out_by_contact)(void *ctx, int64_t contact_id, const char *idem_key,
                              unsigned channel_bits, const char *source, dn_time at,
                              dn_err *err);
    /* After a restart: contacts of `channel` left in "sending" since before
     * `before`, whose provider deduplicates by idempotency key, go back to
     * "planned" (to be sent again with the same key); sets *n. As
     * mark_in_doubt, never the contacts this connection took itself. */
    int (*requeue_sending)(void *ctx, const char *channel, dn_time before, dn_time now,
                           int *n, dn_err *err);
    /* A provider named its message id for a contact after the send (a
     * Kannel delivery report carries the SMSC's id; smsbox gives none at
     * send time). The contact's provider_id is a space-separated list of
     * the distinct ids named (one per part of a long SMS), the first
     * first: an id already there is 0 and changes nothing. -ENOENT for an
     * unknown contact or one never handed to a provider (planned,
     * cancelled),
     * -EINVAL (field provider_id) for an id that is empty, longer than
     * DN_PROVIDER_ID_MAX, not UTF-8 or holding a space, -ENOSPC when the
     * list would pass DN_PROVIDER_IDS_MAX bytes. */
    int (*record_provider_id)(void *ctx, int64_t contact_id, const char *provider_id,
                              dn_time at, dn_err *err);
    /* The customer an inbound chat message comes from: the one whose chat
     * handle is chat_id (the Bot API's numeric chat id, as text) or
     * username (the sender's username; NULL/"" if none), both compared
     * case-insensitively (ASCII) without leading '@'s — a handle may be
     * stored as "4242", "@Anna_B" or "anna_b". A match on the chat id wins
     * over one on the username, then the oldest customer. Copies the
     * external id into external_id (DN_ID_MAX bytes). -EINVAL (field
     * "chat_id") for an empty chat id, -ENOENT (field "from") when no
     * customer matches. */
    int (*find_chat_customer)(void *ctx, const char *chat_id, const char *username,
                              char *external_id, dn_err *err);
    /* The print room posted the letter of contact_id on posted_on (its
     * local day): the letter's posting day, which legal periods count from
     * (a notice letter counts as given only from it: store_notice_posted).
     * Appends "letter_posted" and makes the customer due at once (as
     * record_receipt). The same day again is 0 and changes nothing. Copies
     * the customer's external id into customer_external_id (DN_ID_MAX).
     * -ENOENT (field "id") for no letter of that id; -EEXIST for a letter
     * not written (state planned, sending, failed, cancelled, in_doubt;
     * field "id") or posted on another day (field "posted_on"); -EINVAL
     * (posted_on) for a day before the letter was written (the UTC date of
     * its sent_at, the date printed on it) or after today (the engine's
     * `now` on the first time zone to reach a day, UTC+14). */
    int (*record_letter_posted)(void *ctx, int64_t contact_id, dn_date posted_on, dn_time now,
                                char *customer_external_id, dn_err *err);
    /* The address contact (contact_id, idem_key as in record_receipt) went
     * to failed for good (an RFC 3464 bounce with a 5.x.x status): the
     * customer's address on the contact's channel is marked undeliverable
     * (dn_customer.undeliverable; the pass treats it as missing until the
     * address changes) — only while it is still that address, so a bounce
     * of an old message never marks a new one — with the event
     * "address_undeliverable" {contact_id, channel, address, reason,
     * marked}, and the customer is due at once. 0 whether marked or not
     * (the event says); -ENOENT when the pair matches no contact, -EINVAL
     * for a channel without a personal address (letter, crm, agent). */
    int (*mark_undeliverable)(void *ctx, int64_t contact_id, const char *idem_key,
                              const char *reason, dn_time at, dn_err *err);
    /* Appends an event to the customer of contact (contact_id, idem_key
     * as in record_receipt), its payload (borrowed, a JSON object) with
     * "contact_id" set; nothing else changes (a delayed delivery, a report
     * that settles nothing). -ENOENT when the pair matches no contact,
     * -EINVAL for an empty kind or a payload that is not an object. */
    int (*append_contact_event)(void *ctx, int64_t contact_id, const char *idem_key,
                                const char *kind, json_t *payload, dn_time at, dn_err *err);

    /* The channel modules' operations (store_modules.h). */
    const struct dn_store_module_ops *modules;
} dn_store_ops;

/* Whether a decision names a ladder step (a contact, or a skip of one):
 * the stores record step_day only for those, NULL for every other (a wait
 * or "nothing owed" has no step, and day 0 is the due-date step). */
bool dn_decision_has_step(const dn_decision *d);

/* A live store: ops + context. */
typedef struct dn_store {
    const dn_store_ops *ops;
    void *ctx;
} dn_store;

extern const dn_store_ops dn_store_sqlite;
extern const dn_store_ops dn_store_mariadb;   /* store_mariadb.c; DSN in store_mariadb.h */

/* Opens the backend named by the DSN: "sqlite:PATH" or a plain path →
 * SQLite; "mariadb://..." → MariaDB (store_mariadb.h describes the DSN).
 * Another scheme ("foo:bar") is -EINVAL (field "dsn"), never a file name. */
int  dn_store_open(dn_store *s, const char *dsn, const char *schema_root, dn_err *err);
void dn_store_close(dn_store *s);

/* Ends a write unit a module opened with s->ops->begin: commits when rc is
 * 0, otherwise rolls back. Returns rc, or the commit's failure. */
int  dn_store_finish(dn_store *s, int rc, dn_err *err);

#endif
