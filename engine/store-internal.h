/*
 * store-internal.h — what the store backends (store_sqlite.c,
 * store_mariadb.c) share, implemented once in store.c: the checks of every
 * value before it reaches a database, the comparisons that decide what an
 * idempotent write is (same content, a change, a conflict), the text forms
 * both schemas store, and the listing of migration files. Callers of the
 * store never include this; they see only store.h and store_modules.h.
 *
 * Checks return 0 or a negative errno with err naming the field, worded
 * for the API's 422 (the backends' behaviour is the same because it is the
 * same code).
 */
#ifndef DN_STORE_INTERNAL_H
#define DN_STORE_INTERNAL_H

#include <jansson.h>

#include "store.h"

#define DN_STORE_LIST_LIMIT_MAX 10000   /* page sizes of the list operations */
#define DN_STORE_BLACKOUT_TEXT  (DN_CUSTOMER_BLACKOUTS * DN_BLACKOUT_TEXT_MAX)

/* The SELECT both backends read an agent task or a webhook delivery with,
 * as the API shows it (store_modules.h task_get, webhook_get); the caller
 * adds WHERE and ORDER BY. Plain SQL both dialects take alike. */
#define TASK_JSON_SELECT \
    "SELECT t.id AS id, c.external_id AS customer_id, c.name AS customer_name, " \
    "c.language AS language, c.phone AS phone, t.contact_id AS contact_id, " \
    "t.source AS source, t.reason AS reason, t.priority AS priority, t.state AS state, " \
    "t.agent AS agent, t.taken_until AS taken_until, t.snoozed_until AS snoozed_until, " \
    "t.outcome AS outcome, t.note AS note, t.created_at AS created_at, " \
    "t.updated_at AS updated_at FROM agent_tasks t JOIN customers c ON c.id = t.customer_id "
#define DELIVERY_JSON_SELECT \
    "SELECT d.id AS id, d.endpoint AS endpoint, d.event_id AS event_id, e.kind AS event_type, " \
    "c.external_id AS customer_id, d.state AS state, d.attempts AS attempts, " \
    "d.next_attempt_at AS next_attempt_at, d.last_status AS last_status, " \
    "d.last_error AS last_error, d.delivered_at AS delivered_at FROM webhook_deliveries d " \
    "JOIN events e ON e.id = d.event_id LEFT JOIN customers c ON c.id = d.customer_id "

/* The states contacts.state accepts (the schema's CHECK), in its order. */
extern const char *const dn_contact_states[];
#define DN_CONTACT_STATE_COUNT 9

/* ISO 4217 spelling: exactly three capital letters. */
bool dn_store_currency_valid(const char *currency);
/* Page sizes are 1..DN_STORE_LIST_LIMIT_MAX. */
int  dn_store_check_limit(int limit, dn_err *err);

/* -- customers -- */
/* No external id, text that is not UTF-8, an impossible age. */
int  dn_store_check_customer(const dn_customer *c, dn_err *err);
/* Name of the first field where a and b differ, NULL when they are equal. */
const char *dn_store_customer_difference(const dn_customer *a, const dn_customer *b);
/* The ';'-joined text forms of c's blackouts (the blackout column); out
 * holds DN_STORE_BLACKOUT_TEXT bytes. */
void dn_store_blackouts_format(const dn_customer *c, char *out, size_t size);
/* Reads that column's text (cut into items in place) into c's blackouts;
 * an unreadable item is logged and left out. */
void dn_store_blackouts_parse(char *text, dn_customer *c);

/* -- invoices and payments -- */
int  dn_store_check_invoice(const dn_invoice *inv, dn_err *err);
/* An invoice sent again (stored: as the store has it, of customer
 * stored_customer; inv: as sent, of customer customer_id): -EEXIST naming
 * the fixed field it changes (customer, amount, currency), 1 when its
 * status or dates change, 0 when it is the same. */
int  dn_store_invoice_change(const dn_invoice *stored, int64_t stored_customer,
                             const dn_invoice *inv, int64_t customer_id, dn_err *err);
int  dn_store_check_payment(const dn_payment *p, dn_err *err);
/* A payment id sent again: the first field where the stored one differs
 * from p (customer ids compared as store ids), NULL when it is the same. */
const char *dn_store_payment_difference(const dn_payment *stored, int64_t stored_customer,
                                        const dn_payment *p, int64_t customer_id);
/* The invoice a payment names must be the payer's, in its currency. */
int  dn_store_check_named_invoice(const dn_payment *p, const dn_invoice *named,
                                  int64_t named_customer, int64_t customer_id, dn_err *err);
/* What of remaining goes to the named invoice: its open amount at most,
 * nothing when it no longer asks for money. */
int64_t dn_store_named_share(const dn_invoice *named, int64_t remaining);
/* add_promise's arguments. */
int  dn_store_check_promise(const char *customer_external_id, int64_t amount_minor,
                            const char *currency, dn_date due, dn_err *err);

/* -- contacts and events -- */
/* set_contact_state's arguments: a known state, UTF-8 texts. */
int  dn_store_check_contact_state(const char *state, const char *provider_id,
                                  const char *reason, dn_err *err);
/* record_sent's: UTF-8 texts, an ISO 4217 cost currency; *costed = a cost
 * is given. */
int  dn_store_check_send_record(const dn_send_record *r, bool *costed, dn_err *err);
/* record_receipt's arguments. */
int  dn_store_check_receipt(const char *state, const char *reason, const char *idem_key,
                            dn_err *err);
/* What a receipt does to contact id in state current: 1 settle it as
 * state, 0 nothing (the same report again), -EALREADY (it is settled, or
 * was never sent). */
int  dn_store_receipt_transition(int64_t id, const char *current, const char *state,
                                 dn_err *err);
/* opt_out_by_contact's arguments. */
int  dn_store_check_opt_out(unsigned channel_bits, const char *source, const char *idem_key,
                            dn_err *err);
/* A contact is named by id or idempotency key: -EINVAL when by neither. */
int  dn_store_check_contact_key(int64_t contact_id, const char *idem_key, dn_err *err);
/* The "no such contact" of a lookup by id or key. */
int  dn_store_contact_not_found(int64_t contact_id, dn_err *err);
/* append_event's arguments. */
int  dn_store_check_event(const char *kind, json_t *payload, dn_err *err);
/* The stored text of an event payload (owned and released here; NULL, a
 * failed json_pack, is -ENOMEM). *text is the caller's to free. */
int  dn_store_event_text(json_t *payload, const char *kind, char **text, dn_err *err);
/* The {"case_id"} or {"anchor_due", "case_id"} payload of a case event,
 * written without allocating (the pass writes many). */
void dn_store_case_payload(char *out, size_t size, int64_t case_id, dn_date anchor_due);
/* The payloads of the audit events both backends write (a new object, NULL
 * when out of memory, which insert paths report as such). An optional text
 * that is NULL or "" is left out. */
json_t *dn_store_customer_event(const char *external_id, const char *changed);  /* NULL: new */
json_t *dn_store_invoice_event(const dn_invoice *inv);
json_t *dn_store_payment_event(const dn_payment *p, int64_t unallocated_minor);
json_t *dn_store_promise_event(int64_t promise_id, int64_t amount_minor, const char *currency,
                               dn_date due);
json_t *dn_store_contact_event(int64_t contact_id, const char *state, const char *provider_id,
                               const char *reason);
json_t *dn_store_sent_event(int64_t contact_id, const dn_send_record *r, bool costed);
json_t *dn_store_receipt_event(int64_t contact_id, const char *state, const char *previous,
                               const char *reason);
json_t *dn_store_opt_out_event(int64_t contact_id, unsigned channel_bits, const char *source);
json_t *dn_store_reschedule_event(int64_t contact_id, dn_time at, const char *reason);
/* Columns whose text is JSON and is handed out parsed. */
bool dn_store_json_column(const char *name);
/* Fills stats' "contacts" and "decisions" objects with every state and
 * action at 0, so absent groups still show. */
void dn_store_stats_zero(json_t *contacts, json_t *decisions);

/* -- migrations (schema_root/<backend>/NNN_name.sql) -- */
typedef struct dn_migration {
    int  version;
    char name[256];
} dn_migration;
/* The migrations in folder, in version order (*list malloc'd, the caller
 * frees); -EINVAL naming the file when two share a version. */
int  dn_store_list_migrations(const char *folder, dn_migration **list, int *n, dn_err *err);
/* A whole migration file (at most 1 MiB) into *text (malloc'd,
 * NUL-terminated; the caller frees). */
int  dn_store_read_migration(const char *path, char **text, dn_err *err);

#endif
