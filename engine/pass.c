/*
 * pass.c — the evaluation pass: due customers in batches, facts → rules →
 * channel choice → guard → rendered contact, each customer's decision and
 * contact written in one unit per customer (store->record_results writes a
 * whole batch in one transaction). One customer's failure (rule error, no
 * address, store refusal) is recorded for that customer and never stops the
 * batch.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sms.h"
#include "tz.h"

static double monotonic_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

dn_time engine_now(const dn_engine *e)
{
    if (!e->clock_origin)
        return dn_now();
    return e->clock_origin + (dn_time)(monotonic_seconds() - e->clock_origin_mono);
}

void engine_set_clock(dn_engine *e, dn_time origin)
{
    e->clock_origin = origin;
    e->clock_origin_mono = monotonic_seconds();
}

/* The customer's address for a channel, or NULL with *why saying what is
 * missing. Channels without a personal address (letter, crm, agent) answer
 * with a descriptive pseudo-address. */
const char *engine_channel_address(const dn_customer *c, const char *channel,
                                   const char **why)
{
    static const struct {
        const char *channel;
        unsigned    opt_out_bit;
        size_t      field;              /* offset of the address in dn_customer */
        const char *missing;
    } table[] = {
        { "sms",   DN_OPTOUT_SMS,   offsetof(dn_customer, phone), "no phone number" },
        { "voice", DN_OPTOUT_VOICE, offsetof(dn_customer, phone), "no phone number" },
        { "email", DN_OPTOUT_EMAIL, offsetof(dn_customer, email), "no e-mail address" },
        { "chat",  DN_OPTOUT_CHAT,  offsetof(dn_customer, chat),  "no chat handle" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].channel, channel) != 0)
            continue;
        const char *addr = (const char *)c + table[i].field;
        if (c->opt_out & table[i].opt_out_bit) {
            *why = "opted out";
            return NULL;
        }
        if (c->undeliverable & table[i].opt_out_bit) {
            /* a hard bounce: a fallback may reach them elsewhere */
            *why = "the address is undeliverable (it failed for good)";
            return NULL;
        }
        if (c->third_party & table[i].opt_out_bit) {
            /* a relative's phone, a shared e-mail: a fallback may still reach the debtor */
            *why = "not the debtor's own contact point";
            return NULL;
        }
        if (addr[0] == '\0') {
            *why = table[i].missing;
            return NULL;
        }
        return addr;
    }
    if (strcmp(channel, "agent") == 0)
        return "agent-queue";
    if (strcmp(channel, "letter") == 0 || strcmp(channel, "crm") == 0)
        return c->external_id;
    *why = "unknown channel";
    return NULL;
}

/* Chooses the first reachable channel of the decision's channel and its
 * fallbacks, rewriting d->channel. Returns the address, or NULL after
 * turning the decision into a SKIP that says why every channel failed. */
static const char *choose_channel(dn_decision *d, const dn_customer *c)
{
    char tried[DN_REASON_MAX] = "";
    size_t used = 0;
    for (int i = -1; i < d->n_fallback; i++) {
        const char *channel = i < 0 ? d->channel : d->fallback[i];
        const char *why = NULL;
        const char *addr = engine_channel_address(c, channel, &why);
        if (addr) {
            if (i >= 0) {
                char note[DN_REASON_MAX];
                snprintf(note, sizeof note, "%s; fell back to %s (%s)", d->reason, channel,
                         tried);
                dn_strlcpy(d->reason, note, sizeof d->reason);
                dn_strlcpy(d->channel, channel, sizeof d->channel);
            }
            return addr;
        }
        int w = snprintf(tried + used, sizeof tried - used, "%s%s: %s", used ? ", " : "",
                         channel, why);
        if (w > 0 && (size_t)w < sizeof tried - used)
            used += (size_t)w;
    }
    d->action = DN_ACT_SKIP;
    snprintf(d->reason, sizeof d->reason, "not reachable (%s)", tried);
    return NULL;
}

/* The customer's zone (UTC when unknown or not in the database). */
static const dn_tz *customer_zone(const dn_customer *c)
{
    const dn_tz *z = c->timezone[0] ? tz_get(c->timezone, NULL) : NULL;
    return z ? z : tz_get("UTC", NULL);
}

/* Local start of the customer's next day plus `minute`, in UTC: when a
 * customer without pending work is looked at again. */
static dn_time next_local_day(const dn_customer *c, dn_time now, int minute)
{
    const dn_tz *z = customer_zone(c);
    if (!z)
        return now + 86400;
    int mod;
    dn_date today = tz_local_date(z, now, &mod);
    return tz_local_to_utc(z, today + 1, minute);
}

/*
 * One step a day: a case whose last ladder step has not gone out yet
 * (planned, or being sent), or went out (or is planned) on the customer's
 * local today, gets no further step today, whatever made the customer due
 * again — an event, a re-import, a reload that made everyone due, a
 * restart. Without it a catch-up step (the notice letter on day 30) made
 * the next one eligible at once (its `when` reads the new stage), and a
 * second look the same day planned it hours later. The opt-out
 * confirmation is no ladder step; a cancelled contact never went out.
 * Returns true with why filled when the step must wait for tomorrow.
 */
static bool step_taken_today(const dn_facts *f, dn_time now, char *why, size_t size)
{
    const dn_tz *z = customer_zone(&f->customer);
    int minute;
    if (f->case_id == 0 || !z)
        return false;
    dn_date today = tz_local_date(z, now, &minute);
    for (int i = 0; i < f->n_contacts; i++) {
        const dn_fact_contact *k = &f->contacts[i];
        if (k->case_id != f->case_id || k->purpose == DN_PURPOSE_OPTOUT_CONFIRM ||
            strcmp(k->state, "cancelled") == 0)
            continue;
        bool pending = strcmp(k->state, "planned") == 0 || strcmp(k->state, "sending") == 0;
        if (!pending && tz_local_date(z, k->at, &minute) != today)
            continue;
        char at[21];
        dn_time_format(k->at, at);
        if (pending)
            snprintf(why, size, "one step a day: the day %d step (%s) has not gone out yet "
                     "(planned for %s); no later step before it has", k->step_day,
                     k->template_name, at);
        else
            snprintf(why, size, "one step a day: the day %d step (%s) went out today at %s; "
                     "the next waits for tomorrow", k->step_day, k->template_name, at);
        return true;
    }
    return false;
}

/* Due date of the oldest open invoice: the date the case's stage counts from. */
static dn_date anchor_due(const dn_facts *f)
{
    dn_date best = DN_NO_DATE;
    for (int i = 0; i < f->n_invoices; i++) {
        const dn_fact_invoice *inv = &f->invoices[i];
        if (inv->status != DN_INV_OPEN || inv->due == DN_NO_DATE ||
            inv->paid_minor >= inv->amount_minor)
            continue;
        if (best == DN_NO_DATE || inv->due < best)
            best = inv->due;
    }
    return best;
}

/* The configured profile for a country, else the built-in one (UK = GB). */
static const dn_guard_profile *profile_of(const dn_engine *e, const char *country)
{
    const char *alias = strcmp(country, "GB") == 0 ? "UK" : strcmp(country, "UK") == 0 ? "GB" : "";
    for (int i = 0; i < e->n_profiles; i++)
        if (strcmp(e->profile_country[i], country) == 0 ||
            (alias[0] && strcmp(e->profile_country[i], alias) == 0))
            return e->profiles[i];
    return guard_profile_builtin(country);
}

const dn_guard_profile *engine_profile_for(const dn_engine *e, const dn_customer *c)
{
    /* default_country stands in only for a customer WITHOUT a country; a
     * country with no profile of its own gets the "default" profile (never
     * another country's hours and holidays) */
    const dn_guard_profile *p = NULL;
    if (c->country[0])
        p = profile_of(e, c->country);
    else if (e->default_country && e->default_country[0])
        p = profile_of(e, e->default_country);
    if (!p)
        p = profile_of(e, "default");
    return p;
}

/* Renders the contact for a CONTACT decision into plan (body malloc'd).
 * On failure turns the decision into an ERROR and returns -1. */
static int render_contact(dn_ruleset *rs, dn_decision *d, const dn_facts *f, dn_time now,
                          const char *address, dn_time at, dn_contact_plan *plan)
{
    dn_err err;
    dn_err_clear(&err);
    memset(plan, 0, sizeof *plan);
    if (rules_render(rs, d, f, now, plan->subject, sizeof plan->subject, &plan->body, &err)) {
        d->action = DN_ACT_ERROR;
        snprintf(d->reason, sizeof d->reason, "template %s/%s/%s/%s: %s", d->language,
                 d->template_name, d->channel, d->tone, err.msg);
        return -1;
    }
    if (strcmp(d->channel, "sms") == 0) {   /* rules_render already transliterated */
        dn_sms_info info;
        if (sms_analyse(plan->body, &info) == 0) {
            plan->sms_parts = info.parts;
            dn_strlcpy(plan->sms_encoding, info.coding == DN_SMS_GSM7 ? "gsm7" : "ucs2",
                       sizeof plan->sms_encoding);
        }
    }
    dn_strlcpy(plan->channel, d->channel, sizeof plan->channel);
    dn_strlcpy(plan->address, address, sizeof plan->address);
    dn_strlcpy(plan->template_name, d->template_name, sizeof plan->template_name);
    dn_strlcpy(plan->language, d->language, sizeof plan->language);
    dn_strlcpy(plan->tone, d->tone, sizeof plan->tone);
    dn_strlcpy(plan->voice, d->voice, sizeof plan->voice);
    plan->scheduled_at = at;
    plan->purpose = d->purpose;
    dn_strlcpy(plan->debt_ref, d->debt_ref, sizeof plan->debt_ref);
    plan->transliterate = d->transliterate;
    return 0;
}

/* What the pass made of one customer's decision, kept until the batch is
 * written: the guard's verdict and the rendered contact (if any). */
typedef struct pass_item {
    dn_verdict      verdict;
    bool            guarded;
    char            guard_text[256];
    dn_contact_plan plan;             /* plan.body is owned here when planned */
    bool            planned;
    dn_time         next_eval;
} pass_item;

/* Acts on the rules' decision d for one customer into it (no store
 * access): channel choice, guard and rendering, which may turn d into a
 * skip or an error. The caller frees it->plan.body when it->planned. */
static void act_on_decision(dn_engine *e, dn_ruleset *rs, const dn_facts *f, dn_decision *d,
                            dn_time now, dn_pass_stats *st, pass_item *it)
{
    if (d->action == DN_ACT_CONTACT) {
        char why[DN_REASON_MAX];
        if (step_taken_today(f, now, why, sizeof why)) {
            d->action = DN_ACT_WAIT;
            dn_strlcpy(d->reason, why, sizeof d->reason);
        }
    }

    it->verdict = (dn_verdict){ .kind = DN_GUARD_ALLOW };
    it->guarded = false;
    it->planned = false;
    it->guard_text[0] = '\0';
    it->next_eval = next_local_day(&f->customer, now, d->hours_from >= 0 ? d->hours_from : 9 * 60);

    if (d->action == DN_ACT_CONTACT) {
        const char *address = choose_channel(d, &f->customer);
        if (address) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            guard_check(engine_profile_for(e, &f->customer), f, d, now, &it->verdict);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            st->guard_seconds += (double)(t1.tv_sec - t0.tv_sec) +
                                 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
            it->guarded = true;
            if (it->verdict.kind == DN_GUARD_REFUSE) {
                d->action = DN_ACT_SKIP;
                char note[DN_REASON_MAX];
                snprintf(note, sizeof note, "guard refused (%s): %s", it->verdict.code,
                         it->verdict.reason);
                dn_strlcpy(d->reason, note, sizeof d->reason);
            } else {
                dn_time at = it->verdict.kind == DN_GUARD_DEFER ? it->verdict.defer_until : now;
                if (render_contact(rs, d, f, now, address, at, &it->plan) == 0)
                    it->planned = true;
            }
        }
    } else if (d->action == DN_ACT_WAIT && d->wait_days > 1) {
        /* nothing can fire before the next step's day: sleep until then */
        it->next_eval = next_local_day(&f->customer, now + (dn_time)(d->wait_days - 1) * 86400,
                                       d->hours_from >= 0 ? d->hours_from : 9 * 60);
    } else if (d->action == DN_ACT_NONE) {
        /* nothing owed: look again in a month unless an event comes first */
        it->next_eval = now + 30 * 86400;
    }
    if (it->guarded)
        snprintf(it->guard_text, sizeof it->guard_text, "%s: %s", it->verdict.code,
                 it->verdict.reason);
}

/* What the store writes for a decided customer; points into d and it. */
static dn_pass_result result_of(const dn_facts *f, const dn_decision *d, const pass_item *it)
{
    return (dn_pass_result){
        .customer_id = f->customer.id,
        .decision = d,
        .guard_verdict = it->guarded ? dn_verdict_names[it->verdict.kind] : NULL,
        .guard_reason = it->guarded ? it->guard_text : NULL,
        .contact = it->planned ? &it->plan : NULL,
        .open_case = it->planned,
        .anchor_due = anchor_due(f),
        .next_evaluation_at = it->next_eval,
    };
}

/* Counts one decided customer in st (and logs a rule error). */
static void count_customer(const dn_facts *f, const dn_decision *d, const pass_item *it,
                           dn_pass_stats *st)
{
    switch (d->action) {
    case DN_ACT_CONTACT:
        if (it->planned && it->verdict.kind == DN_GUARD_DEFER)
            st->deferred++;
        else
            st->contacts++;
        break;
    case DN_ACT_WAIT:  st->waits++;  break;
    case DN_ACT_NONE:  st->nones++;  break;
    case DN_ACT_SKIP:  st->skips++;  break;
    case DN_ACT_ERROR:
        st->errors++;
        dn_log(DN_LOG_WARN, "rules", "customer %s: %s (%s)", f->customer.external_id,
               d->reason, d->where);
        break;
    }
    st->customers++;
}

/* The JSON of what was decided for one customer (preview). */
static json_t *item_to_json(const dn_decision *d, const pass_item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "decision", decision_to_json(d));
    if (it->guarded)
        json_object_set_new(o, "guard",
                            json_pack("{s:s, s:s, s:s}", "verdict",
                                      dn_verdict_names[it->verdict.kind], "code",
                                      it->verdict.code, "reason", it->verdict.reason));
    if (it->planned) {
        char at[21];
        dn_time_format(it->plan.scheduled_at, at);
        json_object_set_new(o, "contact",
                            json_pack("{s:s, s:s, s:s, s:s, s:s}", "channel", it->plan.channel,
                                      "scheduled_at", at, "subject", it->plan.subject, "body",
                                      it->plan.body, "sms_encoding", it->plan.sms_encoding));
    }
    return o;
}

/* A batch's working memory: facts, decisions, results and outcomes for up
 * to `size` customers. Reused from one batch to the next (a batch of 500
 * holds about 10 MB: allocating and clearing it every time cost more than
 * its customers' rules). */
struct dn_pass_buffers {
    int                size;
    dn_facts          *facts;
    dn_decision       *decisions;
    pass_item         *items;
    dn_pass_result    *results;
    dn_record_outcome *outcomes;
};

void pass_buffers_free(dn_engine *e)
{
    struct dn_pass_buffers *b = e->pass_buffers;
    if (!b)
        return;
    free(b->facts);
    free(b->decisions);
    free(b->items);
    free(b->results);
    free(b->outcomes);
    free(b);
    e->pass_buffers = NULL;
}

/* e->pass_buffers with room for max customers; NULL when out of memory.
 * claim_due clears each facts it fills, the rules each decision and
 * act_on_decision each item. */
static struct dn_pass_buffers *pass_buffers_for(dn_engine *e, int max)
{
    if (e->pass_buffers && e->pass_buffers->size >= max)
        return e->pass_buffers;
    pass_buffers_free(e);
    struct dn_pass_buffers *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->size = max;
    b->facts = malloc((size_t)max * sizeof *b->facts);
    b->decisions = malloc((size_t)max * sizeof *b->decisions);
    b->items = malloc((size_t)max * sizeof *b->items);
    b->results = malloc((size_t)max * sizeof *b->results);
    b->outcomes = malloc((size_t)max * sizeof *b->outcomes);
    e->pass_buffers = b;
    if (!b->facts || !b->decisions || !b->items || !b->results || !b->outcomes) {
        pass_buffers_free(e);
        return NULL;
    }
    return b;
}

/* Claims one batch, decides every customer of it, then writes the whole
 * batch with one record_results call (one transaction; a customer the store
 * refuses is logged and counted, the others are written). */
int pass_batch(dn_engine *e, dn_ruleset *rs, dn_time now, int max, dn_pass_stats *st,
               dn_err *err)
{
    int rc = 0, n = 0;
    struct dn_pass_buffers *b = pass_buffers_for(e, max);
    if (!b)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory for a batch of %d", max);
    dn_facts *batch = b->facts;
    pass_item *items = b->items;
    rc = e->store.ops->claim_due(e->store.ctx, now, e->lease_seconds, batch, max, &n, err);
    if (rc || n == 0)
        return rc ? rc : 0;
    rules_decide_batch(rs, batch, n, now, b->decisions);
    for (int i = 0; i < n; i++) {
        act_on_decision(e, rs, &batch[i], &b->decisions[i], now, st, &items[i]);
        b->results[i] = result_of(&batch[i], &b->decisions[i], &items[i]);
    }
    rc = e->store.ops->record_results(e->store.ctx, b->results, n, now, b->outcomes, err);
    for (int i = 0; i < n; i++) {
        if (b->outcomes[i].rc < 0) {
            st->store_errors++;
            dn_log(DN_LOG_WARN, "pass", "customer %s not recorded: %s",
                   batch[i].customer.external_id, b->outcomes[i].err.msg);
        } else if (b->outcomes[i].duplicate) {
            st->duplicates++;
        }
        count_customer(&batch[i], &b->decisions[i], &items[i], st);
        if (items[i].planned)
            free(items[i].plan.body);
    }
    return rc ? rc : n;
}

int pass_run(dn_engine *e, dn_time now, dn_pass_stats *st, dn_progress_fn progress, void *arg,
             dn_err *err)
{
    dn_ruleset *rs = e->rules;
    if (!rs)
        return dn_err_set(err, -ENOENT, "rules", "no rule set is loaded");
    rules_retain(rs);               /* the whole pass runs on one version */
    long done = 0;
    json_t *stats = NULL;
    long total = 0;
    if (e->store.ops->stats(e->store.ctx, &stats, NULL) == 0) {
        total = (long)json_integer_value(json_object_get(stats, "customers"));
        json_decref(stats);
    }
    int rc;
    for (;;) {
        rc = pass_batch(e, rs, now, e->batch_size, st, err);
        if (rc <= 0)
            break;
        done += rc;
        if (progress)
            progress(arg, done, total);
    }
    rules_release(rs);
    e->passes++;
    return rc < 0 ? rc : 0;
}

int pass_preview(dn_engine *e, const char *customer_external_id, dn_time at, json_t **out,
                 dn_err *err)
{
    if (!e->rules)
        return dn_err_set(err, -ENOENT, "rules", "no rule set is loaded");
    dn_customer c;
    int rc = e->store.ops->get_customer(e->store.ctx, customer_external_id, &c, err);
    if (rc)
        return rc;
    dn_facts *f = calloc(1, sizeof *f);
    if (!f)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    rc = e->store.ops->load_facts(e->store.ctx, c.id, at, f, err);
    if (rc == 0) {
        dn_pass_stats st = { 0 };
        dn_ruleset *rs = e->rules;
        pass_item *it = calloc(1, sizeof *it);
        if (!it) {
            free(f);
            return dn_err_set(err, -ENOMEM, NULL, "out of memory");
        }
        dn_decision d;
        rules_retain(rs);
        rules_decide(rs, f, at, &d);
        act_on_decision(e, rs, f, &d, at, &st, it);
        rules_release(rs);
        *out = item_to_json(&d, it);
        if (it->planned)
            free(it->plan.body);
        free(it);
        char when[21];
        dn_time_format(at, when);
        json_object_set_new(*out, "at", json_string(when));
        json_object_set_new(*out, "customer_id", json_string(customer_external_id));
    }
    free(f);
    return rc;
}

json_t *decision_to_json(const dn_decision *d)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "action",
                          dn_action_names[d->action], "ruleset_version", d->ruleset_version,
                          "segment", d->segment, "persona", d->persona, "reason", d->reason,
                          "where", d->where);
    if (!o)
        return json_object();
    if (d->action == DN_ACT_CONTACT || d->step_index > 0) {
        json_object_set_new(o, "step_day", json_integer(d->step_day));
        json_object_set_new(o, "step_index", json_integer(d->step_index));
        json_object_set_new(o, "channel", json_string(d->channel));
        json_object_set_new(o, "template", json_string(d->template_name));
        json_object_set_new(o, "tone", json_string(d->tone));
        json_object_set_new(o, "language", json_string(d->language));
        if (d->voice[0])
            json_object_set_new(o, "voice", json_string(d->voice));
    }
    return o;
}
