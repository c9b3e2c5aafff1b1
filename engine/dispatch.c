/*
 * dispatch.c — from the outbox to the channel drivers. Every contact is
 * checked again right before it is sent, because the world may have changed
 * since it was planned: paid or credited meanwhile, disputed, opted out,
 * quiet hours, a cap reached through another instance. Such a contact is
 * cancelled (or deferred) with the reason recorded, never sent.
 */
#include "engine.h"

#include "agent_queue.h"
#include "sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double monotonic_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sends this instance may start now: free concurrency, bounded by the
 * token bucket (refilled here) when a rate is configured. */
static int slot_capacity(dn_channel_slot *slot)
{
    int free_slots = slot->concurrency - slot->in_flight;
    if (free_slots <= 0)
        return 0;
    double now = 0;
    if (slot->resting_until > 0) {
        now = monotonic_seconds();
        if (now < slot->resting_until)
            return 0;
        slot->resting_until = 0;          /* rested: try it again */
        slot->consecutive_failures = 0;
    }
    if (slot->rate_per_second <= 0)
        return free_slots;
    if (now == 0)
        now = monotonic_seconds();
    double burst = slot->rate_per_second > 1 ? slot->rate_per_second : 1;
    if (slot->tokens_at >= 0) {
        slot->tokens += (now - slot->tokens_at) * slot->rate_per_second;
        if (slot->tokens > burst)
            slot->tokens = burst;
    }
    slot->tokens_at = now;
    int tokens = (int)slot->tokens;
    return tokens < free_slots ? tokens : free_slots;
}

/* The first instance of channel with capacity, or NULL. */
static dn_channel_slot *slot_for(dn_engine *e, const char *channel)
{
    for (int i = 0; i < e->n_channels; i++)
        if (strcmp(e->channels[i].name, channel) == 0 && slot_capacity(&e->channels[i]) > 0)
            return &e->channels[i];
    return NULL;
}

/* One send handed to a driver, until its outcome is recorded (owned by
 * the dispatcher: allocated in dispatch_one; on completion queued on
 * engine.done_head; freed by dispatch_flush). */
typedef struct dn_send_context {
    dn_engine       *engine;
    dn_channel_slot *slot;
    int              attempts;
    int              sms_parts;       /* of the text handed over; 0 if not SMS */
    char             sms_encoding[8];
    /* the outcome, filled on completion */
    int64_t          contact_id;
    int              rc;
    char             provider_id[128];
    char             detail[320];
    bool             has_provider_id, has_detail;
    struct dn_send_context *next;
} send_context;

/* Why a contact planned for case_id must no longer go out, or NULL. */
static const char *no_longer_owed(const dn_facts *f, int64_t case_id, char *buf, size_t size)
{
    if (f->case_id == 0 || (case_id != 0 && f->case_id != case_id)) {
        snprintf(buf, size, "paid: the case was settled before sending");
        return buf;
    }
    int64_t open = 0;
    int disputed = 0, held = 0;
    for (int i = 0; i < f->n_invoices; i++) {
        const dn_fact_invoice *inv = &f->invoices[i];
        if (inv->status == DN_INV_OPEN)
            open += inv->amount_minor - inv->paid_minor;
        else if (inv->status == DN_INV_DISPUTED)
            disputed++;
        else if (inv->status == DN_INV_ON_HOLD)
            held++;
    }
    if (open > 0)
        return NULL;
    if (disputed)
        snprintf(buf, size, "disputed: every unpaid invoice is disputed");
    else if (held)
        snprintf(buf, size, "on hold: every unpaid invoice is on hold");
    else
        snprintf(buf, size, "paid: nothing is owed any more");
    return buf;
}

/* Waiting time before hand-over number attempts + 1: backoff doubled per
 * attempt already made, capped. */
static dn_time retry_delay(const dn_channel_slot *slot, int attempts)
{
    int64_t delay = slot->backoff_seconds;
    for (int i = 1; i < attempts && delay < slot->max_backoff_seconds; i++)
        delay *= 2;
    return delay < slot->max_backoff_seconds ? delay : slot->max_backoff_seconds;
}

/* Records one completed send's outcome (see on_sent). */
static void record_outcome(dn_engine *e, send_context *sc)
{
    dn_channel_slot *slot = sc->slot;
    int64_t contact_id = sc->contact_id;
    int rc = sc->rc;
    const char *provider_id = sc->has_provider_id ? sc->provider_id : NULL;
    const char *detail = sc->has_detail ? sc->detail : NULL;
    dn_time now = engine_now(e);
    dn_err err;
    dn_err_clear(&err);
    int wrc;
    char why[400];
    /* unknown: in doubt unless the provider deduplicates and attempts are
     * left — the last attempt's outcome is as unknown as any, never "failed" */
    if (rc == -ETIMEDOUT && (!slot->deduplicates || sc->attempts >= slot->max_attempts)) {
        if (slot->deduplicates)
            snprintf(why, sizeof why, "outcome unknown (%s) after %d attempt(s): %s",
                     slot->instance, sc->attempts, detail ? detail : "no answer");
        else
            snprintf(why, sizeof why, "outcome unknown (%s): %s; not sent again blindly",
                     slot->instance, detail ? detail : "no answer");
        wrc = e->store.ops->set_contact_state(e->store.ctx, contact_id, "in_doubt",
                                              provider_id, why, now, &err);
        slot->in_doubt++;
    } else if (rc == 0) {
        int parts = sc->sms_parts > 0 ? sc->sms_parts : 1;
        dn_send_record r = {
            .provider_id = provider_id,
            .instance = slot->instance,
            .cost_minor = slot->cost_per_message_minor + slot->cost_per_part_minor * parts,
            .cost_currency = slot->currency,
            .detail = detail,
            .sms_parts = sc->sms_parts,
            .sms_encoding = sc->sms_encoding,
        };
        wrc = e->store.ops->record_sent(e->store.ctx, contact_id, &r, now, &err);
        slot->sent++;
        if (wrc == 0 && slot->posts_on_write) {
            /* a hybrid-mail instance posts what it writes that day */
            char customer[DN_ID_MAX];
            wrc = e->store.ops->record_letter_posted(e->store.ctx, contact_id,
                                                     (dn_date)(now / 86400), now, customer,
                                                     &err);
        }
    } else if (rc == -EPERM || sc->attempts >= slot->max_attempts) {
        if (rc == -EPERM)
            snprintf(why, sizeof why, "refused by %s: %s", slot->instance,
                     detail ? detail : "permanent failure");
        else
            snprintf(why, sizeof why, "gave up after %d attempt(s) on %s: %s", sc->attempts,
                     slot->instance, detail ? detail : "transient failure");
        wrc = e->store.ops->set_contact_state(e->store.ctx, contact_id, "failed", provider_id,
                                              why, now, &err);
        slot->failed++;
    } else {
        dn_time delay = retry_delay(slot, sc->attempts);
        snprintf(why, sizeof why, "attempt %d on %s failed, retry in %llds: %s", sc->attempts,
                 slot->instance, (long long)delay, detail ? detail : "transient failure");
        wrc = e->store.ops->reschedule_contact(e->store.ctx, contact_id, now + delay, why, now,
                                               &err);
        slot->retried++;
    }
    if (wrc == -EALREADY)
        dn_log(DN_LOG_INFO, "dispatch", "contact %lld: kept as its delivery report left it "
               "(%s)", (long long)contact_id, err.msg);
    else if (wrc)
        dn_log(DN_LOG_ERROR, "dispatch", "contact %lld: state not recorded: %s",
               (long long)contact_id, err.msg);
}

/* Completion of a driver's send (channel.h's contract). The outcome is
 * queued and recorded by dispatch_flush, many per transaction (one
 * transaction per send would bound the rate by the store's commits); the
 * instance's capacity is free at once, and the server is asked to
 * dispatch (which flushes first). Until the flush the contact stays in
 * "sending", so a crash in between is recovered like one during the send. */
static void on_sent(void *arg, int64_t contact_id, int rc, const char *provider_id,
                    const char *detail)
{
    send_context *sc = arg;
    dn_engine *e = sc->engine;
    dn_channel_slot *slot = sc->slot;
    slot->in_flight--;
    /* failover: an instance failing again and again (not refusals of one
     * message) rests, so the channel's other instances take the traffic */
    if (rc == 0 || rc == -EPERM) {
        slot->consecutive_failures = 0;
    } else if (slot->failover_after > 0 &&
               ++slot->consecutive_failures >= slot->failover_after &&
               slot->resting_until == 0) {
        slot->resting_until = monotonic_seconds() + slot->backoff_seconds;
        dn_log(DN_LOG_WARN, "dispatch", "%s failed %d times in a row: resting %ds",
               slot->instance, slot->consecutive_failures, slot->backoff_seconds);
    }
    sc->contact_id = contact_id;
    sc->rc = rc;
    sc->has_provider_id = provider_id != NULL;
    sc->has_detail = detail != NULL;
    dn_strlcpy(sc->provider_id, provider_id ? provider_id : "", sizeof sc->provider_id);
    dn_strlcpy(sc->detail, detail ? detail : "", sizeof sc->detail);
    sc->next = NULL;
    if (e->done_tail)
        e->done_tail->next = sc;
    else
        e->done_head = sc;
    e->done_tail = sc;
    if (e->kick)
        e->kick(e->kick_arg);
}

int dispatch_flush(dn_engine *e)
{
    int n = 0;
    if (!e->done_head)
        return 0;
    dn_err err;
    dn_err_clear(&err);
    bool tx = e->store.ops->begin(e->store.ctx, &err) == 0;
    if (!tx)
        dn_log(DN_LOG_WARN, "dispatch", "recording outcomes one by one: %s", err.msg);
    while (e->done_head) {
        send_context *sc = e->done_head;
        e->done_head = sc->next;
        record_outcome(e, sc);
        free(sc);
        n++;
    }
    e->done_tail = NULL;
    if (tx && e->store.ops->commit(e->store.ctx, &err)) {
        dn_log(DN_LOG_ERROR, "dispatch", "%d outcome(s) not recorded: %s", n, err.msg);
        e->store.ops->rollback(e->store.ctx);
    }
    return n;
}

/* Every SMS records its parts, encoding and so its cost: a contact planned
 * without them (the opt-out confirmation a reply queues, any module's) is
 * counted here from the text handed over (sms.h; text that is not UTF-8
 * counts as one part, and the driver refuses it). */
static void sms_count(const char *body, send_context *sc)
{
    dn_sms_info info;
    if (sms_analyse(body ? body : "", &info) < 0)
        return;
    sc->sms_parts = info.parts > 0 ? info.parts : 1;
    dn_strlcpy(sc->sms_encoding, info.coding == DN_SMS_UCS2 ? "ucs2" : "gsm7",
               sizeof sc->sms_encoding);
}

/*
 * The text states what is owed at the moment of sending, not at planning:
 * a partial payment, a new invoice or a paid anchor bill since then change
 * {amount}, {due_date}, {invoices_count}, {days_overdue}. So the contact's
 * template is rendered again from the live rule set with the facts just
 * read, as it was planned (language, tone, channel, transliteration); when
 * the text differs the contact is rewritten, so it holds what is sent.
 * Returns 0 with it->subject/body (and the SMS parts) current, or a
 * negative errno with why (the template is no longer in the live set, a
 * variable cannot be read): the contact must not go out with a stale text.
 */
static int render_at_send(dn_engine *e, dn_outbox_item *it, const dn_facts *f, dn_time now,
                          char *why, size_t why_size)
{
    dn_decision d;
    char subject[sizeof it->subject];
    char *body = NULL;
    dn_err err;
    int rc;

    memset(&d, 0, sizeof d);
    dn_err_clear(&err);
    d.action = DN_ACT_CONTACT;
    dn_strlcpy(d.channel, it->channel, sizeof d.channel);
    dn_strlcpy(d.template_name, it->template_name, sizeof d.template_name);
    dn_strlcpy(d.tone, it->tone, sizeof d.tone);
    dn_strlcpy(d.language, it->language, sizeof d.language);
    d.transliterate = it->transliterate;
    if (!e->rules) {
        snprintf(why, why_size, "no rule set is loaded to render the text at send time");
        return -ENOENT;
    }
    rc = rules_render(e->rules, &d, f, now, subject, sizeof subject, &body, &err);
    if (rc < 0) {
        snprintf(why, why_size, "the text cannot be rendered at send time (%s/%s/%s/%s in rule "
                 "set %s): %s", it->language, it->template_name, it->channel, it->tone,
                 rules_version(e->rules), err.msg);
        return rc;
    }
    if (strcmp(body, it->body ? it->body : "") == 0 && strcmp(subject, it->subject) == 0) {
        free(body);
        return 0;
    }
    dn_sms_info info;
    int parts = it->sms_parts;
    char encoding[sizeof it->sms_encoding];
    dn_strlcpy(encoding, it->sms_encoding, sizeof encoding);
    if (strcmp(it->channel, "sms") == 0 && sms_analyse(body, &info) == 0) {
        parts = info.parts;
        dn_strlcpy(encoding, info.coding == DN_SMS_GSM7 ? "gsm7" : "ucs2", sizeof encoding);
    }
    rc = e->store.ops->rewrite_contact(e->store.ctx, it->id, subject, body, parts, encoding, now,
                                       &err);
    if (rc < 0) {
        snprintf(why, why_size, "the text rendered at send time was not stored: %s", err.msg);
        free(body);
        return rc;
    }
    free(it->body);
    it->body = body;
    dn_strlcpy(it->subject, subject, sizeof it->subject);
    it->sms_parts = parts;
    dn_strlcpy(it->sms_encoding, encoding, sizeof it->sms_encoding);
    return 0;
}

/* Re-checks one taken contact and sends it, or records why not. */
static void dispatch_one(dn_engine *e, dn_outbox_item *it, dn_time now, dn_facts *f,
                         dn_dispatch_stats *st)
{
    dn_err err;
    dn_err_clear(&err);
    char why[256];
    const char *cancel = NULL;

    /* the one opt-out confirmation goes to an opted-out address whatever is
     * owed; the guard still checks that it is the first and its hours */
    bool confirmation = it->purpose == DN_PURPOSE_OPTOUT_CONFIRM;
    if (e->store.ops->load_facts(e->store.ctx, it->customer_id, now, f, &err)) {
        snprintf(why, sizeof why, "customer facts unavailable: %s", err.msg);
        cancel = why;
    }
    if (!cancel && !confirmation)
        cancel = no_longer_owed(f, it->case_id, why, sizeof why);
    if (!cancel && !confirmation) {
        const char *missing = NULL;
        if (!engine_channel_address(&f->customer, it->channel, &missing)) {
            snprintf(why, sizeof why, "%s: %s", it->channel, missing);
            cancel = why;
        }
    }
    if (!cancel) {
        /* the guard counts history without this contact itself */
        for (int i = 0; i < f->n_contacts; i++) {
            if (f->contacts[i].id == it->id) {
                memmove(&f->contacts[i], &f->contacts[i + 1],
                        (size_t)(f->n_contacts - i - 1) * sizeof f->contacts[0]);
                f->n_contacts--;
                break;
            }
        }
        dn_decision d;
        memset(&d, 0, sizeof d);
        d.action = DN_ACT_CONTACT;
        dn_strlcpy(d.channel, it->channel, sizeof d.channel);
        dn_strlcpy(d.tone, it->tone, sizeof d.tone);
        dn_strlcpy(d.template_name, it->template_name, sizeof d.template_name);
        dn_strlcpy(d.language, it->language, sizeof d.language);
        d.hours_from = d.hours_to = -1;
        d.purpose = it->purpose;
        d.contact_id = it->id;
        dn_strlcpy(d.debt_ref, it->debt_ref, sizeof d.debt_ref);
        /* nor does it count this reminder among the case's */
        if (it->purpose == DN_PURPOSE_REMINDER && it->case_id == f->case_id &&
            f->case_reminders > 0)
            f->case_reminders--;
        dn_verdict v;
        guard_check(engine_profile_for(e, &f->customer), f, &d, now, &v);
        if (v.kind == DN_GUARD_REFUSE) {
            snprintf(why, sizeof why, "guard refused at send time (%s): %s", v.code, v.reason);
            cancel = why;
        } else if (v.kind == DN_GUARD_DEFER) {
            snprintf(why, sizeof why, "guard deferred at send time (%s): %s", v.code,
                     v.reason);
            if (e->store.ops->reschedule_contact(e->store.ctx, it->id, v.defer_until, why, now,
                                                 &err))
                dn_log(DN_LOG_ERROR, "dispatch", "contact %lld not deferred: %s",
                       (long long)it->id, err.msg);
            st->deferred++;
            return;
        }
    }
    /* the opt-out confirmation is not a rules template: sent as planned */
    if (!cancel && !confirmation && render_at_send(e, it, f, now, why, sizeof why) < 0)
        cancel = why;
    if (cancel) {
        if (e->store.ops->set_contact_state(e->store.ctx, it->id, "cancelled", NULL, cancel,
                                            now, &err))
            dn_log(DN_LOG_ERROR, "dispatch", "contact %lld not cancelled: %s",
                   (long long)it->id, err.msg);
        st->cancelled++;
        return;
    }

    /* a task for a person: the agent queue */
    if (strcmp(it->channel, "agent") == 0) {
        int64_t task_id = 0;
        if (agent_queue_contact(&e->store, it, f, now, &task_id, &err)) {
            dn_log(DN_LOG_ERROR, "dispatch", "contact %lld not queued for an agent: %s",
                   (long long)it->id, err.msg);
            on_sent(e, it->id, -EIO, NULL, err.msg);
            st->failed++;
        } else {
            st->sent++;
        }
        return;
    }

    dn_channel_slot *slot = slot_for(e, it->channel);
    send_context *sc = slot ? malloc(sizeof *sc) : NULL;
    if (!sc) {
        /* claimed within capacity, so only out of memory lands here */
        if (e->store.ops->reschedule_contact(e->store.ctx, it->id, now + 1,
                                             slot ? "out of memory at send time"
                                                  : "no free instance of the channel", now,
                                             &err))
            dn_log(DN_LOG_ERROR, "dispatch", "contact %lld not put back: %s",
                   (long long)it->id, err.msg);
        st->deferred++;
        return;
    }
    *sc = (send_context){ .engine = e, .slot = slot, .attempts = it->attempts,
                          .sms_parts = it->sms_parts };
    dn_strlcpy(sc->sms_encoding, it->sms_encoding, sizeof sc->sms_encoding);
    if (strcmp(it->channel, "sms") == 0 && (sc->sms_parts <= 0 || !sc->sms_encoding[0]))
        sms_count(it->body, sc);
    dn_message m = {
        .contact_id = it->id,
        .idem_key = it->idem_key,
        .customer_external_id = it->customer_external_id,
        .channel = it->channel,
        .address = it->address,
        .language = it->language,
        .tone = it->tone,
        .voice = it->voice,
        .template_name = it->template_name,
        .subject = it->subject,
        .body = it->body ? it->body : "",
        .sms_parts = sc->sms_parts,
        .now = now,
    };
    slot->in_flight++;
    if (slot->rate_per_second > 0)
        slot->tokens -= 1;
    if (slot->driver->send(slot->ctx, &m, on_sent, sc, &err)) {
        /* could not even start: nothing went out, so never "unknown";
         * -EPERM (a message the driver can never send) stays permanent */
        on_sent(sc, it->id, err.code && err.code != -ETIMEDOUT ? err.code : -EIO, NULL,
                err.msg);
        st->failed++;
        return;
    }
    st->sent++;
}

int dispatch_batch(dn_engine *e, dn_time now, int max, dn_dispatch_stats *st, dn_err *err)
{
    dispatch_flush(e);
    dn_facts *f = NULL;
    int taken = 0;
    int rc = 0;
    for (int i = 0; i < e->n_channels && taken < max; i++) {
        const char *channel = e->channels[i].name;
        bool first = true;
        for (int j = 0; j < i; j++)
            first &= strcmp(e->channels[j].name, channel) != 0;
        if (!first)
            continue;
        int capacity = 0;
        for (int j = i; j < e->n_channels; j++)
            if (strcmp(e->channels[j].name, channel) == 0)
                capacity += slot_capacity(&e->channels[j]);
        if (capacity > max - taken)
            capacity = max - taken;
        if (capacity <= 0)
            continue;
        dn_outbox_item *items = NULL;
        int n = 0;
        rc = e->store.ops->claim_outbox_channel(e->store.ctx, now, channel, &items, capacity,
                                                &n, err);
        if (rc)
            break;
        if (n && !f && !(f = malloc(sizeof *f))) {
            /* put them back rather than leave them in "sending" */
            for (int k = 0; k < n; k++)
                e->store.ops->reschedule_contact(e->store.ctx, items[k].id, now,
                                                 "out of memory at send time", now, NULL);
            dn_outbox_items_free(items, n);
            rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
            break;
        }
        for (int k = 0; k < n; k++)
            dispatch_one(e, &items[k], now, f, st);
        dn_outbox_items_free(items, n);
        taken += n;
    }
    free(f);
    st->taken += taken;
    return rc ? rc : taken;
}

int dispatch_recover(dn_engine *e, dn_time now)
{
    int n = 0, total = 0;
    dn_err err;
    dn_err_clear(&err);
    /* "sending" rows carry the wall clock (the lease clock), not the
     * engine's possibly pinned business clock */
    dn_time before = dn_now() - e->lease_seconds;
    for (int i = 0; i < e->n_channels; i++) {
        const char *channel = e->channels[i].name;
        bool first = true, all_dedup = true;
        for (int j = 0; j < i; j++)
            first &= strcmp(e->channels[j].name, channel) != 0;
        for (int j = i; j < e->n_channels; j++)
            if (strcmp(e->channels[j].name, channel) == 0)
                all_dedup &= e->channels[j].deduplicates;
        if (!first || !all_dedup)
            continue;
        if (e->store.ops->requeue_sending(e->store.ctx, channel, before, now, &n, &err))
            dn_log(DN_LOG_ERROR, "dispatch", "requeue of %s failed: %s", channel, err.msg);
        else if (n)
            dn_log(DN_LOG_WARN, "dispatch", "%d %s contact(s) were being sent when the engine "
                   "stopped: sent again with their idempotency keys", n, channel);
        total += n;
    }
    if (e->store.ops->mark_in_doubt(e->store.ctx, before, now, &n, &err))
        dn_log(DN_LOG_ERROR, "dispatch", "in-doubt recovery failed: %s", err.msg);
    else if (n)
        dn_log(DN_LOG_WARN, "dispatch",
               "%d contact(s) were being sent when the engine stopped: marked in_doubt", n);
    return total + n;
}

int dispatch_in_flight(const dn_engine *e)
{
    int n = 0;
    for (int i = 0; i < e->n_channels; i++)
        n += e->channels[i].in_flight;
    return n;
}

void dispatch_metrics(const dn_engine *e, json_t *o)
{
    static const char *const names[] = { "channel_in_flight", "channel_sent_total",
                                         "channel_failed_total", "channel_retried_total",
                                         "channel_in_doubt_total" };
    json_t *series[5];
    for (int k = 0; k < 5; k++)
        series[k] = json_object();
    for (int i = 0; i < e->n_channels; i++) {
        const dn_channel_slot *s = &e->channels[i];
        long values[5] = { s->in_flight, s->sent, s->failed, s->retried, s->in_doubt };
        for (int k = 0; k < 5; k++)
            if (series[k])
                json_object_set_new(series[k], s->instance, json_integer(values[k]));
    }
    for (int k = 0; k < 5; k++)
        if (series[k])
            json_object_set_new(o, names[k], series[k]);
}
