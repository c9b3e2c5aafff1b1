/*
 * dispatch.c — from the outbox to the channel drivers. Every contact is
 * checked again right before it is sent, because the world may have changed
 * since it was planned: paid or credited meanwhile, disputed, opted out,
 * quiet hours, a cap reached through another instance. Such a contact is
 * cancelled (or deferred) with the reason recorded, never sent.
 */
#include "engine.h"

#include "agent_queue.h"
#include "store_ext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_DELAY_SECONDS 300

static dn_channel_slot *slot_for(dn_engine *e, const char *channel)
{
    for (int i = 0; i < e->n_channels; i++)
        if (strcmp(e->channels[i].name, channel) == 0)
            return &e->channels[i];
    return NULL;
}

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

/* Completion of a driver's send: record what happened. */
static void on_sent(void *arg, int64_t contact_id, int rc, const char *provider_id,
                    const char *detail)
{
    dn_engine *e = arg;
    dn_err err;
    dn_err_clear(&err);
    int wrc;
    if (rc == 0) {
        wrc = e->store.ops->set_contact_state(e->store.ctx, contact_id, "sent", provider_id,
                                              detail, engine_now(e), &err);
    } else if (rc == -EPERM) {
        wrc = e->store.ops->set_contact_state(e->store.ctx, contact_id, "failed", provider_id,
                                              detail ? detail : "permanent failure",
                                              engine_now(e), &err);
    } else {
        char why[200];
        snprintf(why, sizeof why, "transient failure, retry: %s", detail ? detail : "");
        wrc = e->store.ops->reschedule_contact(e->store.ctx, contact_id,
                                               engine_now(e) + RETRY_DELAY_SECONDS, why, &err);
    }
    if (wrc)
        dn_log(DN_LOG_ERROR, "dispatch", "contact %lld: state not recorded: %s",
               (long long)contact_id, err.msg);
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
        dn_verdict v;
        guard_check(engine_profile_for(e, &f->customer), f, &d, now, &v);
        if (v.kind == DN_GUARD_REFUSE) {
            snprintf(why, sizeof why, "guard refused at send time (%s): %s", v.code, v.reason);
            cancel = why;
        } else if (v.kind == DN_GUARD_DEFER) {
            snprintf(why, sizeof why, "guard deferred at send time (%s): %s", v.code,
                     v.reason);
            if (e->store.ops->reschedule_contact(e->store.ctx, it->id, v.defer_until, why,
                                                 &err))
                dn_log(DN_LOG_ERROR, "dispatch", "contact %lld not deferred: %s",
                       (long long)it->id, err.msg);
            st->deferred++;
            return;
        }
    }
    if (cancel) {
        if (e->store.ops->set_contact_state(e->store.ctx, it->id, "cancelled", NULL, cancel,
                                            now, &err))
            dn_log(DN_LOG_ERROR, "dispatch", "contact %lld not cancelled: %s",
                   (long long)it->id, err.msg);
        st->cancelled++;
        return;
    }

    /* a task for a person: the agent queue (when the store keeps one) */
    if (strcmp(it->channel, "agent") == 0 && store_sqlite_db(&e->store)) {
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
    if (!slot) {
        e->store.ops->set_contact_state(e->store.ctx, it->id, "failed", NULL,
                                        "no driver configured for this channel", now, &err);
        st->failed++;
        return;
    }
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
    };
    if (slot->driver->send(slot->ctx, &m, on_sent, e, &err)) {
        on_sent(e, it->id, err.code ? err.code : -EIO, NULL, err.msg);
        slot->failed++;
        st->failed++;
        return;
    }
    slot->sent++;
    st->sent++;
}

int dispatch_batch(dn_engine *e, dn_time now, int max, dn_dispatch_stats *st, dn_err *err)
{
    dn_outbox_item *items = NULL;
    int n = 0;
    int rc = e->store.ops->claim_outbox(e->store.ctx, now, &items, max, &n, err);
    if (rc)
        return rc;
    dn_facts *f = n ? malloc(sizeof *f) : NULL;
    if (n && !f) {
        dn_outbox_items_free(items, n);
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    }
    for (int i = 0; i < n; i++)
        dispatch_one(e, &items[i], now, f, st);
    st->taken += n;
    free(f);
    dn_outbox_items_free(items, n);
    return n;
}

int dispatch_recover(dn_engine *e, dn_time now)
{
    int n = 0;
    dn_err err;
    dn_err_clear(&err);
    if (e->store.ops->mark_in_doubt(e->store.ctx, now - e->lease_seconds, now, &n, &err))
        dn_log(DN_LOG_ERROR, "dispatch", "in-doubt recovery failed: %s", err.msg);
    else if (n)
        dn_log(DN_LOG_WARN, "dispatch",
               "%d contact(s) were being sent when the engine stopped: marked in_doubt", n);
    return n;
}
