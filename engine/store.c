/* store.c — picks the storage backend from a DSN, frees what the store
 * hands out, holds what the modules need around it (store_modules.h), and
 * the one copy of what both backends check and compare
 * (store-internal.h). Backend code lives in store_<backend>.c. */
#include "store.h"
#include "store-internal.h"
#include "store_modules.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of dsn's URI scheme including its ':' ("foo:" of "foo:bar",
 * RFC 3986: a letter, then letters, digits, '+', '-', '.'), 0 when it has
 * none: a plain path ("var/x.db", "./a:b", "/srv/a:b") starts otherwise. */
static size_t dsn_scheme_length(const char *dsn)
{
    size_t n = 0;
    if (!((dsn[0] >= 'a' && dsn[0] <= 'z') || (dsn[0] >= 'A' && dsn[0] <= 'Z')))
        return 0;
    while ((dsn[n] >= 'a' && dsn[n] <= 'z') || (dsn[n] >= 'A' && dsn[n] <= 'Z') ||
           (dsn[n] >= '0' && dsn[n] <= '9') || dsn[n] == '+' || dsn[n] == '-' || dsn[n] == '.')
        n++;
    return dsn[n] == ':' ? n + 1 : 0;
}

/* dsn: "sqlite:PATH", a plain file path (SQLite), or "mariadb://..."
 * (MariaDB; store_mariadb.h); anything else that starts with a URI scheme
 * ("foo:bar", "mysql://…") is refused (-EINVAL, field "dsn") rather than
 * taken for a file name. schema_root is the folder holding one migration
 * folder per backend (schema_root/sqlite/NNN_name.sql, schema_root/mariadb/...). On success s->ops and
 * s->ctx are set and the caller closes with dn_store_close; on failure s is
 * left empty ({NULL, NULL}). */
int dn_store_open(dn_store *s, const char *dsn, const char *schema_root, dn_err *err)
{
    static const char sqlite_prefix[] = "sqlite:";
    static const char mariadb_prefix[] = "mariadb://";
    s->ops = NULL;
    s->ctx = NULL;
    if (!dsn || !*dsn)
        return dn_err_set(err, -EINVAL, "dsn", "the store DSN is empty");
    if (!schema_root || !*schema_root)
        return dn_err_set(err, -EINVAL, "schema_root", "the schema folder is not set");
    if (strncmp(dsn, mariadb_prefix, sizeof mariadb_prefix - 1) == 0) {
        void *ctx = NULL;
        int rc = dn_store_mariadb.open(&ctx, dsn, schema_root, err);
        if (rc < 0)
            return rc;
        s->ops = &dn_store_mariadb;
        s->ctx = ctx;
        return 0;
    }
    const char *path = dsn;
    size_t scheme = dsn_scheme_length(dsn);
    if (strncmp(dsn, sqlite_prefix, sizeof sqlite_prefix - 1) == 0)
        path = dsn + sizeof sqlite_prefix - 1;
    else if (scheme)
        return dn_err_set(err, -EINVAL, "dsn", "unknown store DSN scheme \"%.*s\": use "
                          "sqlite:PATH or mariadb://USER:PASSWORD@HOST/DATABASE", (int)scheme,
                          dsn);
    if (!*path)
        return dn_err_set(err, -EINVAL, "dsn", "the SQLite DSN names no file");
    void *ctx = NULL;
    int rc = dn_store_sqlite.open(&ctx, path, schema_root, err);
    if (rc < 0)
        return rc;
    s->ops = &dn_store_sqlite;
    s->ctx = ctx;
    return 0;
}

/* Closes an open store; safe on an empty or already closed one. */
void dn_store_close(dn_store *s)
{
    if (!s || !s->ops)
        return;
    s->ops->close(s->ctx);
    s->ops = NULL;
    s->ctx = NULL;
}

bool dn_decision_has_step(const dn_decision *d)
{
    return d->action == DN_ACT_CONTACT || d->action == DN_ACT_SKIP;
}

/* Frees the bodies and the array from claim_outbox; items may be NULL. */
void dn_outbox_items_free(dn_outbox_item *items, int n)
{
    if (!items)
        return;
    for (int i = 0; i < n; i++)
        free(items[i].body);
    free(items);
}

int dn_store_finish(dn_store *s, int rc, dn_err *err)
{
    if (rc == 0)
        return s->ops->commit(s->ctx, err);
    s->ops->rollback(s->ctx);
    return rc;
}

/* Frees the payloads and the array from webhook_claim; list may be NULL. */
void dn_webhook_deliveries_free(dn_webhook_delivery *list, int n)
{
    if (!list)
        return;
    for (int i = 0; i < n; i++)
        free(list[i].payload);
    free(list);
}

void dn_store_times_as_text(json_t *obj, const char *const *keys, int per_second)
{
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        json_int_t t = json_is_integer(v) ? json_integer_value(v) : 0;
        char text[21];
        if (t > 0)
            dn_time_format((dn_time)(t / per_second), text);
        json_object_set_new(obj, keys[i], t > 0 ? json_string(text) : json_null());
    }
}

int dn_store_inbound_digest(json_t *key, char out[65], dn_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char *text = key ? json_dumps(key, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    int ok = text && EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) && len == 32;
    free(text);
    if (!ok)
        return dn_err_set(err, -ENOMEM, NULL, "cannot digest an inbound message's key");
    for (unsigned i = 0; i < len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

/* ---- what both backends share (store-internal.h) ---- */

#define MIGRATION_MAX_BYTES (1 << 20)

const char *const dn_contact_states[DN_CONTACT_STATE_COUNT] = {
    "planned", "sending", "sent", "delivered", "failed", "answered", "replied",
    "cancelled", "in_doubt",
};

bool dn_store_currency_valid(const char *c)
{
    for (int i = 0; i < 3; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            return false;
    return c[3] == '\0';
}

int dn_store_check_limit(int limit, dn_err *err)
{
    if (limit <= 0 || limit > DN_STORE_LIST_LIMIT_MAX)
        return dn_err_set(err, -EINVAL, "limit", "limit must be 1..%d", DN_STORE_LIST_LIMIT_MAX);
    return 0;
}

int dn_store_check_customer(const dn_customer *c, dn_err *err)
{
    const struct { const char *name, *value; } text[] = {
        { "external_id", c->external_id }, { "name", c->name },
        { "language", c->language },       { "timezone", c->timezone },
        { "country", c->country },         { "email", c->email },
        { "phone", c->phone },             { "chat", c->chat },
    };
    if (!c->external_id[0])
        return dn_err_set(err, -EINVAL, "external_id", "a customer needs an external id");
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (!dn_utf8_valid(text[i].value))
            return dn_err_set(err, -EINVAL, text[i].name, "%s is not valid UTF-8", text[i].name);
    if (c->age < 0 || c->age > 150)
        return dn_err_set(err, -EINVAL, "age", "age %d is out of range", c->age);
    return 0;
}

const char *dn_store_customer_difference(const dn_customer *a, const dn_customer *b)
{
    if (strcmp(a->name, b->name)) return "name";
    if (strcmp(a->language, b->language)) return "language";
    if (strcmp(a->timezone, b->timezone)) return "timezone";
    if (strcmp(a->country, b->country)) return "country";
    if (strcmp(a->email, b->email)) return "email";
    if (strcmp(a->phone, b->phone)) return "phone";
    if (strcmp(a->chat, b->chat)) return "chat";
    if (a->age != b->age) return "age";
    if (a->holds != b->holds) return "holds";
    if (a->hold_until != b->hold_until) return "hold_until";
    if (a->opt_out != b->opt_out) return "opt_out";
    if (a->opt_out_confirmed != b->opt_out_confirmed) return "opt_out_confirmed";
    if (a->third_party != b->third_party) return "third_party";
    if (a->undeliverable != b->undeliverable) return "undeliverable";
    if (a->consent != b->consent) return "consent";
    if (a->n_blackout != b->n_blackout ||
        memcmp(a->blackout, b->blackout, sizeof a->blackout[0] * (size_t)a->n_blackout))
        return "blackout";
    return NULL;
}

void dn_store_blackouts_format(const dn_customer *c, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < c->n_blackout && i < DN_CUSTOMER_BLACKOUTS; i++) {
        char one[DN_BLACKOUT_TEXT_MAX];
        dn_blackout_format(&c->blackout[i], one);
        int w = snprintf(out + n, size - n, "%s%s", i ? ";" : "", one);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
}

void dn_store_blackouts_parse(char *text, dn_customer *c)
{
    c->n_blackout = 0;
    for (char *item = text, *next; item && *item && c->n_blackout < DN_CUSTOMER_BLACKOUTS;
         item = next) {
        next = strchr(item, ';');
        if (next)
            *next++ = '\0';
        if (dn_blackout_parse(item, &c->blackout[c->n_blackout]) == 0)
            c->n_blackout++;
        else
            dn_log(DN_LOG_ERROR, "store", "customer %lld: unreadable blackout \"%s\" ignored",
                   (long long)c->id, item);
    }
}

int dn_store_check_invoice(const dn_invoice *inv, dn_err *err)
{
    if (!inv->external_id[0])
        return dn_err_set(err, -EINVAL, "external_id", "an invoice needs an external id");
    if (!dn_utf8_valid(inv->external_id))
        return dn_err_set(err, -EINVAL, "external_id", "external_id is not valid UTF-8");
    if (!dn_utf8_valid(inv->customer_external_id))
        return dn_err_set(err, -EINVAL, "customer_id", "customer id is not valid UTF-8");
    if (!dn_store_currency_valid(inv->currency))
        return dn_err_set(err, -EINVAL, "currency", "currency must be 3 capital letters (ISO 4217)");
    if (inv->amount_minor <= 0 || inv->amount_minor > DN_AMOUNT_MAX)
        return dn_err_set(err, -EINVAL, "amount_minor", "amount must be 1..%lld minor units",
                          (long long)DN_AMOUNT_MAX);
    if (inv->paid_minor < 0 || inv->paid_minor > inv->amount_minor)
        return dn_err_set(err, -EINVAL, "paid_minor", "paid amount must be 0..amount");
    if ((unsigned)inv->status >= DN_INV_STATUS_COUNT)
        return dn_err_set(err, -EINVAL, "status", "unknown invoice status %d", (int)inv->status);
    return 0;
}

int dn_store_invoice_change(const dn_invoice *stored, int64_t stored_customer,
                            const dn_invoice *inv, int64_t customer_id, dn_err *err)
{
    if (stored_customer != customer_id)
        return dn_err_set(err, -EEXIST, "customer_id", "invoice %s belongs to customer %s",
                          inv->external_id, stored->customer_external_id);
    if (stored->amount_minor != inv->amount_minor)
        return dn_err_set(err, -EEXIST, "amount_minor", "invoice %s has amount %lld already",
                          inv->external_id, (long long)stored->amount_minor);
    if (strcmp(stored->currency, inv->currency) != 0)
        return dn_err_set(err, -EEXIST, "currency", "invoice %s is in %s already",
                          inv->external_id, stored->currency);
    return stored->status != inv->status || stored->due != inv->due ||
           stored->issued != inv->issued;
}

int dn_store_check_payment(const dn_payment *p, dn_err *err)
{
    if (!p->external_id[0])
        return dn_err_set(err, -EINVAL, "external_id", "a payment needs an external id");
    if (!dn_utf8_valid(p->external_id))
        return dn_err_set(err, -EINVAL, "external_id", "external_id is not valid UTF-8");
    if (!dn_utf8_valid(p->customer_external_id))
        return dn_err_set(err, -EINVAL, "customer_id", "customer id is not valid UTF-8");
    if (!dn_utf8_valid(p->invoice_external_id))
        return dn_err_set(err, -EINVAL, "invoice_external_id", "invoice id is not valid UTF-8");
    if (!dn_store_currency_valid(p->currency))
        return dn_err_set(err, -EINVAL, "currency", "currency must be 3 capital letters (ISO 4217)");
    if (p->amount_minor <= 0 || p->amount_minor > DN_AMOUNT_MAX)
        return dn_err_set(err, -EINVAL, "amount_minor", "amount must be 1..%lld minor units",
                          (long long)DN_AMOUNT_MAX);
    if (p->paid_on == DN_NO_DATE)
        return dn_err_set(err, -EINVAL, "paid_on", "a payment needs the day it was paid");
    return 0;
}

const char *dn_store_payment_difference(const dn_payment *stored, int64_t stored_customer,
                                        const dn_payment *p, int64_t customer_id)
{
    if (stored_customer != customer_id) return "customer_id";
    if (strcmp(stored->currency, p->currency)) return "currency";
    if (stored->amount_minor != p->amount_minor) return "amount_minor";
    if (stored->paid_on != p->paid_on) return "paid_on";
    if (stored->is_credit_note != p->is_credit_note) return "is_credit_note";
    if (strcmp(stored->invoice_external_id, p->invoice_external_id))
        return "invoice_external_id";
    return NULL;
}

int dn_store_check_named_invoice(const dn_payment *p, const dn_invoice *named,
                                 int64_t named_customer, int64_t customer_id, dn_err *err)
{
    if (named_customer != customer_id)
        return dn_err_set(err, -EINVAL, "invoice_external_id",
                          "invoice %s belongs to customer %s, not %s", p->invoice_external_id,
                          named->customer_external_id, p->customer_external_id);
    if (strcmp(named->currency, p->currency) != 0)
        return dn_err_set(err, -EINVAL, "currency", "payment in %s for invoice %s in %s",
                          p->currency, p->invoice_external_id, named->currency);
    return 0;
}

int64_t dn_store_named_share(const dn_invoice *named, int64_t remaining)
{
    int64_t open_amount = named->amount_minor - named->paid_minor;
    bool remindable = named->status == DN_INV_OPEN || named->status == DN_INV_DISPUTED ||
                      named->status == DN_INV_ON_HOLD;
    int64_t share = remaining < open_amount ? remaining : open_amount;
    return remindable && share > 0 ? share : 0;
}

int dn_store_check_promise(const char *customer_external_id, int64_t amount_minor,
                           const char *currency, dn_date due, dn_err *err)
{
    if (amount_minor <= 0)
        return dn_err_set(err, -EINVAL, "amount_minor",
                          "amount_minor must be greater than zero (minor units)");
    if (!currency || !dn_store_currency_valid(currency))
        return dn_err_set(err, -EINVAL, "currency", "currency must be an ISO 4217 code");
    if (due == DN_NO_DATE)
        return dn_err_set(err, -EINVAL, "due", "a promise needs its due date");
    if (!customer_external_id || !dn_utf8_valid(customer_external_id))
        return dn_err_set(err, -EINVAL, "customer_id", "customer id is not valid UTF-8");
    return 0;
}

int dn_store_check_contact_state(const char *state, const char *provider_id, const char *reason,
                                 dn_err *err)
{
    bool known = false;
    for (int i = 0; state && i < DN_CONTACT_STATE_COUNT; i++)
        known |= strcmp(state, dn_contact_states[i]) == 0;
    if (!known)
        return dn_err_set(err, -EINVAL, "state", "unknown contact state %s", state ? state : "(null)");
    if ((provider_id && !dn_utf8_valid(provider_id)) || (reason && !dn_utf8_valid(reason)))
        return dn_err_set(err, -EINVAL, provider_id && !dn_utf8_valid(provider_id) ?
                          "provider_id" : "reason", "text is not valid UTF-8");
    return 0;
}

int dn_store_check_send_record(const dn_send_record *r, bool *costed, dn_err *err)
{
    const struct { const char *name, *value; } texts[] = {
        { "provider_id", r->provider_id }, { "instance", r->instance },
        { "cost_currency", r->cost_currency }, { "detail", r->detail },
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].value && !dn_utf8_valid(texts[i].value))
            return dn_err_set(err, -EINVAL, texts[i].name, "text is not valid UTF-8");
    *costed = r->cost_currency && *r->cost_currency;
    if (*costed && !dn_store_currency_valid(r->cost_currency))
        return dn_err_set(err, -EINVAL, "cost_currency",
                          "currency must be 3 capital letters (ISO 4217)");
    return 0;
}

int dn_store_check_receipt(const char *state, const char *reason, const char *idem_key,
                           dn_err *err)
{
    if (!state || (strcmp(state, "delivered") != 0 && strcmp(state, "failed") != 0))
        return dn_err_set(err, -EINVAL, "state", "a receipt settles a contact as delivered "
                          "or failed, not %s", state ? state : "(null)");
    if (reason && !dn_utf8_valid(reason))
        return dn_err_set(err, -EINVAL, "reason", "text is not valid UTF-8");
    if (idem_key && !dn_utf8_valid(idem_key))
        return dn_err_set(err, -EINVAL, "idem_key", "text is not valid UTF-8");
    return 0;
}

int dn_store_receipt_transition(int64_t id, const char *current, const char *state, dn_err *err)
{
    static const char *const open_states[] = { "sending", "sent", "in_doubt" };
    for (size_t i = 0; i < sizeof open_states / sizeof open_states[0]; i++)
        if (strcmp(current, open_states[i]) == 0)
            return 1;
    if (strcmp(current, state) == 0)
        return 0;                          /* the same report again: nothing to do */
    return dn_err_set(err, -EALREADY, "state", "contact %lld is %s; a receipt cannot "
                      "change it", (long long)id, current);
}

int dn_store_check_opt_out(unsigned channel_bits, const char *source, const char *idem_key,
                           dn_err *err)
{
    if (channel_bits == 0 || channel_bits > 15)
        return dn_err_set(err, -EINVAL, "channel", "no channel to opt out of");
    if (source && !dn_utf8_valid(source))
        return dn_err_set(err, -EINVAL, "source", "text is not valid UTF-8");
    if (idem_key && !dn_utf8_valid(idem_key))
        return dn_err_set(err, -EINVAL, "idem_key", "text is not valid UTF-8");
    return 0;
}

int dn_store_check_contact_key(int64_t contact_id, const char *idem_key, dn_err *err)
{
    if (contact_id <= 0 && !(idem_key && *idem_key))
        return dn_err_set(err, -EINVAL, "contact", "a contact id or an idempotency key is "
                          "needed");
    return 0;
}

int dn_store_contact_not_found(int64_t contact_id, dn_err *err)
{
    return dn_err_set(err, -ENOENT, contact_id > 0 ? "contact_id" : "idem_key",
                      "no contact %lld with that idempotency key", (long long)contact_id);
}

int dn_store_check_event(const char *kind, json_t *payload, dn_err *err)
{
    if (!kind || !*kind || !dn_utf8_valid(kind))
        return dn_err_set(err, -EINVAL, "kind", "an event needs a kind");
    if (payload && !json_is_object(payload))
        return dn_err_set(err, -EINVAL, "payload", "an event payload must be a JSON object");
    return 0;
}

int dn_store_event_text(json_t *payload, const char *kind, char **text, dn_err *err)
{
    *text = NULL;
    if (!payload)
        return dn_err_set(err, -ENOMEM, "payload", "cannot build the %s event", kind);
    *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (!*text)
        return dn_err_set(err, -ENOMEM, "payload", "cannot serialise the %s event", kind);
    return 0;
}

void dn_store_case_payload(char *out, size_t size, int64_t case_id, dn_date anchor_due)
{
    char anchor[11];
    dn_date_format(anchor_due, anchor);
    if (anchor_due == DN_NO_DATE)
        snprintf(out, size, "{\"case_id\":%lld}", (long long)case_id);
    else
        snprintf(out, size, "{\"anchor_due\":\"%s\",\"case_id\":%lld}", anchor,
                 (long long)case_id);
}

/* NULL for NULL and "": json_pack's "s*" then leaves the key out. */
static const char *optional(const char *text)
{
    return text && *text ? text : NULL;
}

json_t *dn_store_customer_event(const char *external_id, const char *changed)
{
    return changed ? json_pack("{s:s, s:s}", "external_id", external_id, "changed", changed)
                   : json_pack("{s:s}", "external_id", external_id);
}

json_t *dn_store_invoice_event(const dn_invoice *inv)
{
    char due[11];
    dn_date_format(inv->due, due);
    return json_pack("{s:s, s:s, s:I, s:s, s:s}", "external_id", inv->external_id, "currency",
                     inv->currency, "amount_minor", (json_int_t)inv->amount_minor, "status",
                     dn_invoice_status_names[inv->status], "due", due);
}

json_t *dn_store_payment_event(const dn_payment *p, int64_t unallocated_minor)
{
    char paid_on[11];
    dn_date_format(p->paid_on, paid_on);
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "external_id", p->external_id,
                     "currency", p->currency, "amount_minor", (json_int_t)p->amount_minor,
                     "allocated_minor", (json_int_t)(p->amount_minor - unallocated_minor),
                     "unallocated_minor", (json_int_t)unallocated_minor, "paid_on", paid_on);
}

json_t *dn_store_promise_event(int64_t promise_id, int64_t amount_minor, const char *currency,
                               dn_date due)
{
    char due_text[11];
    dn_date_format(due, due_text);
    return json_pack("{s:I, s:I, s:s, s:s}", "promise_id", (json_int_t)promise_id,
                     "amount_minor", (json_int_t)amount_minor, "currency", currency, "due",
                     due_text);
}

json_t *dn_store_contact_event(int64_t contact_id, const char *state, const char *provider_id,
                               const char *reason)
{
    return json_pack("{s:I, s:s, s:s*, s:s*}", "contact_id", (json_int_t)contact_id, "state",
                     state, "provider_id", optional(provider_id), "reason", optional(reason));
}

json_t *dn_store_sent_event(int64_t contact_id, const dn_send_record *r, bool costed)
{
    json_t *payload = json_pack("{s:I, s:s, s:s*, s:s*}", "contact_id", (json_int_t)contact_id,
                                "state", "sent", "provider_id", optional(r->provider_id),
                                "instance", optional(r->instance));
    if (payload && costed) {
        json_object_set_new(payload, "cost_minor", json_integer(r->cost_minor));
        json_object_set_new(payload, "cost_currency", json_string(r->cost_currency));
    }
    return payload;
}

json_t *dn_store_receipt_event(int64_t contact_id, const char *state, const char *previous,
                               const char *reason)
{
    return json_pack("{s:I, s:s, s:s, s:s*}", "contact_id", (json_int_t)contact_id, "state",
                     state, "previous", previous, "reason", optional(reason));
}

json_t *dn_store_opt_out_event(int64_t contact_id, unsigned channel_bits, const char *source)
{
    return json_pack("{s:I, s:i, s:s*}", "contact_id", (json_int_t)contact_id, "channels",
                     (int)channel_bits, "source", optional(source));
}

json_t *dn_store_reschedule_event(int64_t contact_id, dn_time at, const char *reason)
{
    return json_pack("{s:I, s:I, s:s*}", "contact_id", (json_int_t)contact_id, "scheduled_at",
                     (json_int_t)at, "reason", optional(reason));
}

bool dn_store_json_column(const char *name)
{
    return strcmp(name, "payload") == 0 || strcmp(name, "files") == 0;
}

void dn_store_stats_zero(json_t *contacts, json_t *decisions)
{
    for (int i = 0; i < DN_CONTACT_STATE_COUNT; i++)
        json_object_set_new(contacts, dn_contact_states[i], json_integer(0));
    for (int i = 0; i <= DN_ACT_ERROR; i++)
        json_object_set_new(decisions, dn_action_names[i], json_integer(0));
}

/* qsort order of migrations: by version number. */
static int migration_compare(const void *a, const void *b)
{
    const dn_migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

/* "NNN_anything.sql" → NNN (1..999); -1 for any other name. */
static int migration_version(const char *name)
{
    size_t n = strlen(name);
    if (n < 9 || n >= sizeof ((dn_migration *)0)->name || strcmp(name + n - 4, ".sql") != 0 ||
        name[3] != '_')
        return -1;
    int v = 0;
    for (int i = 0; i < 3; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    return v > 0 ? v : -1;
}

int dn_store_list_migrations(const char *folder, dn_migration **out, int *n, dn_err *err)
{
    dn_migration *list = NULL;
    int count = 0, capacity = 0, rc = 0;
    *out = NULL;
    *n = 0;
    DIR *dir = opendir(folder);
    if (!dir)
        return dn_err_set(err, -errno, folder, "cannot open the migration folder: %s",
                          strerror(errno));
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        int v = migration_version(entry->d_name);
        if (v < 0)
            continue;
        if (count == capacity) {
            int grown = capacity ? capacity * 2 : 16;
            dn_migration *bigger = realloc(list, (size_t)grown * sizeof *bigger);
            if (!bigger) {
                rc = dn_err_set(err, -ENOMEM, folder, "out of memory listing migrations");
                goto fail;
            }
            list = bigger;
            capacity = grown;
        }
        list[count].version = v;
        dn_strlcpy(list[count].name, entry->d_name, sizeof list[count].name);
        count++;
    }
    if (count)
        qsort(list, (size_t)count, sizeof *list, migration_compare);
    for (int i = 1; i < count; i++)
        if (list[i].version == list[i - 1].version) {
            rc = dn_err_set(err, -EINVAL, list[i].name, "two migrations share version %d",
                            list[i].version);
            goto fail;
        }
    closedir(dir);
    *out = list;
    *n = count;
    return 0;
fail:
    closedir(dir);
    free(list);
    return rc;
}

int dn_store_read_migration(const char *path, char **out, dn_err *err)
{
    char *text = NULL;
    int rc = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dn_err_set(err, -errno, path, "cannot open migration: %s", strerror(errno));
    text = malloc(MIGRATION_MAX_BYTES + 1);
    if (!text) {
        rc = dn_err_set(err, -ENOMEM, path, "out of memory reading migration");
        goto fail;
    }
    size_t n = fread(text, 1, MIGRATION_MAX_BYTES + 1, f);
    if (ferror(f)) {
        rc = dn_err_set(err, -EIO, path, "cannot read migration");
        goto fail;
    }
    if (n > MIGRATION_MAX_BYTES) {
        rc = dn_err_set(err, -E2BIG, path, "migration larger than %d bytes", MIGRATION_MAX_BYTES);
        goto fail;
    }
    text[n] = '\0';
    fclose(f);
    *out = text;
    return 0;
fail:
    free(text);
    fclose(f);
    return rc;
}

/* ---- delivery, bounces, letters (store.h's core operations) ---- */

int dn_store_check_provider_id(const char *id, dn_err *err)
{
    if (!id || !*id || strlen(id) > DN_PROVIDER_ID_MAX || !dn_utf8_valid(id) ||
        strpbrk(id, " \t\r\n"))
        return dn_err_set(err, -EINVAL, "provider_id", "a provider id is 1..%d bytes of UTF-8 "
                          "without spaces", DN_PROVIDER_ID_MAX);
    return 0;
}

int dn_store_provider_ids_add(char *list, size_t size, const char *id, dn_err *err)
{
    size_t len = strlen(list), n = strlen(id);
    for (const char *p = list; *p;) {
        size_t word = strcspn(p, " ");
        if (word == n && memcmp(p, id, n) == 0)
            return 0;
        p += word;
        p += *p == ' ';
    }
    size_t grown = len + (len ? 1 : 0) + n;
    if (grown > DN_PROVIDER_IDS_MAX || grown + 1 > size)
        return dn_err_set(err, -ENOSPC, "provider_id", "the contact already holds %zu bytes of "
                          "provider ids", len);
    if (len)
        list[len++] = ' ';
    memcpy(list + len, id, n + 1);
    return 1;
}

int dn_store_check_chat_sender(const char *chat_id, const char **username, dn_err *err)
{
    if (!chat_id || !*chat_id || strlen(chat_id) >= DN_ADDR_MAX || !dn_utf8_valid(chat_id))
        return dn_err_set(err, -EINVAL, "chat_id", "a chat id is 1..%d bytes of UTF-8",
                          DN_ADDR_MAX - 1);
    if (!*username || !**username)
        *username = chat_id;
    else if (strlen(*username) >= DN_ADDR_MAX || !dn_utf8_valid(*username))
        return dn_err_set(err, -EINVAL, "username", "a username is at most %d bytes of UTF-8",
                          DN_ADDR_MAX - 1);
    return 0;
}

int dn_store_no_chat_sender(const char *chat_id, const char *username, dn_err *err)
{
    if (username != chat_id && strcmp(username, chat_id) != 0)
        return dn_err_set(err, -ENOENT, "from", "no customer has the chat handle %s or @%s",
                          chat_id, username);
    return dn_err_set(err, -ENOENT, "from", "no customer has the chat handle %s", chat_id);
}

static bool fact_contact_newer(const dn_fact_contact *a, const dn_fact_contact *b)
{
    return a->at > b->at || (a->at == b->at && a->id > b->id);
}

void dn_store_facts_order_contacts(dn_facts *f, int counted)
{
    if (counted <= 0 || counted >= f->n_contacts)
        return;                                   /* one group: in order already */
    for (int i = counted; i < f->n_contacts; i++) {
        dn_fact_contact moving = f->contacts[i];
        int j = i;
        while (j > 0 && fact_contact_newer(&moving, &f->contacts[j - 1])) {
            f->contacts[j] = f->contacts[j - 1];
            j--;
        }
        f->contacts[j] = moving;
    }
}

void dn_store_notice_posted(dn_facts *f, bool notice_sent, dn_time sent_at,
                            dn_date letter_posted_on)
{
    if (notice_sent) {
        f->notice_posted = true;
        f->notice_posted_at = sent_at;
        f->notice_posted_on = (dn_date)(sent_at / 86400);
    }
    if (letter_posted_on != DN_NO_DATE &&
        (!f->notice_posted || letter_posted_on < f->notice_posted_on)) {
        f->notice_posted = true;
        f->notice_posted_at = 0;
        f->notice_posted_on = letter_posted_on;
    }
}

int dn_store_check_letter_posted(int64_t contact_id, const char *state, dn_time written_at,
                                 dn_date posted, dn_date posted_on, dn_time now, dn_err *err)
{
    static const char *const written[] = { "sent", "delivered", "answered", "replied" };
    bool was_written = false;
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        was_written |= strcmp(state, written[i]) == 0;
    if (!was_written)
        return dn_err_set(err, -EEXIST, "id", "letter %lld is %s, not written yet",
                          (long long)contact_id, state);
    if (posted != DN_NO_DATE) {
        if (posted == posted_on)
            return 0;
        char day[11];
        dn_date_format(posted, day);
        return dn_err_set(err, -EEXIST, "posted_on", "letter %lld was recorded as posted on %s",
                          (long long)contact_id, day);
    }
    dn_date written_on = (dn_date)(written_at / 86400);
    dn_date today = (dn_date)((now + 14 * 3600) / 86400);
    char day[11];
    if (posted_on < written_on) {
        dn_date_format(written_on, day);
        return dn_err_set(err, -EINVAL, "posted_on", "letter %lld was written on %s; it cannot "
                          "have been posted before", (long long)contact_id, day);
    }
    if (posted_on > today) {
        dn_date_format(today, day);
        return dn_err_set(err, -EINVAL, "posted_on", "posted_on is after today (%s)", day);
    }
    return 1;
}

int dn_store_undeliverable_bit(const char *channel, const char *sent_to, const char *email,
                               const char *phone, const char *chat, bool *marked, dn_err *err)
{
    static const struct { const char *channel; int bit; int address; } table[] = {
        { "sms", DN_OPTOUT_SMS, 1 }, { "voice", DN_OPTOUT_VOICE, 1 },
        { "email", DN_OPTOUT_EMAIL, 0 }, { "chat", DN_OPTOUT_CHAT, 2 },
    };
    const char *current[3] = { email, phone, chat };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(channel, table[i].channel) != 0)
            continue;
        *marked = sent_to[0] && strcmp(current[table[i].address], sent_to) == 0;
        return table[i].bit;
    }
    return dn_err_set(err, -EINVAL, "channel", "a %s contact has no address to mark", channel);
}

int dn_store_check_contact_texts(const char *reason, const char *idem_key, dn_err *err)
{
    if (reason && !dn_utf8_valid(reason))
        return dn_err_set(err, -EINVAL, "reason", "text is not valid UTF-8");
    if (idem_key && !dn_utf8_valid(idem_key))
        return dn_err_set(err, -EINVAL, "idem_key", "text is not valid UTF-8");
    return 0;
}

int dn_store_check_contact_event(const char *kind, const json_t *payload, const char *idem_key,
                                 dn_err *err)
{
    if (!kind || !*kind || !dn_utf8_valid(kind) || !json_is_object(payload))
        return dn_err_set(err, -EINVAL, kind && *kind ? "payload" : "kind",
                          "an event needs a kind and a JSON object");
    return dn_store_check_contact_texts(NULL, idem_key, err);
}

/* ---- the evaluation pass ---- */

int dn_store_check_plan(const dn_contact_plan *c, dn_err *err)
{
    const struct { const char *name, *value; } text[] = {
        { "idem_key", c->idem_key }, { "channel", c->channel }, { "address", c->address },
        { "template_name", c->template_name }, { "language", c->language },
        { "tone", c->tone }, { "voice", c->voice }, { "subject", c->subject },
        { "body", c->body ? c->body : "" }, { "sms_encoding", c->sms_encoding },
        { "debt_ref", c->debt_ref },
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (!dn_utf8_valid(text[i].value))
            return dn_err_set(err, -EINVAL, text[i].name, "contact %s is not valid UTF-8",
                              text[i].name);
    if (!c->channel[0])
        return dn_err_set(err, -EINVAL, "channel", "a planned contact needs a channel");
    return 0;
}

int dn_store_check_pass_result(const dn_pass_result *r, dn_err *err)
{
    if (!r->decision)
        return dn_err_set(err, -EINVAL, "decision", "a pass result needs a decision");
    if ((unsigned)r->decision->action > DN_ACT_ERROR)
        return dn_err_set(err, -EINVAL, "action", "unknown action %d", (int)r->decision->action);
    if (!dn_utf8_valid(r->decision->reason))
        return dn_err_set(err, -EINVAL, "reason", "decision reason is not valid UTF-8");
    return r->contact ? dn_store_check_plan(r->contact, err) : 0;
}

void dn_store_facts_add_balance(dn_facts *f, const char *currency, int64_t open_minor)
{
    int i = 0;
    while (i < f->n_balance && strcmp(f->balance[i].currency, currency) != 0)
        i++;
    if (i == f->n_balance) {
        if (f->n_balance == DN_FACT_BALANCES) {
            dn_log(DN_LOG_WARN, "store", "customer %lld owes in more than %d currencies; "
                   "%s left out of the balance", (long long)f->customer.id, DN_FACT_BALANCES,
                   currency);
            return;
        }
        dn_strlcpy(f->balance[i].currency, currency, sizeof f->balance[i].currency);
        f->balance[i].amount_minor = 0;
        f->n_balance++;
    }
    /* saturating: amounts are capped, but a balance must never wrap */
    if (__builtin_add_overflow(f->balance[i].amount_minor, open_minor,
                               &f->balance[i].amount_minor))
        f->balance[i].amount_minor = INT64_MAX;
}
