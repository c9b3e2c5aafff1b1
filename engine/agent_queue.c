/* agent_queue.c — tasks for people (agent_queue.h). */
#include "agent_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_modules.h"

#define SECONDS_PER_DAY    86400
#define PROMISE_MAX_DAYS   90

const char *const agent_outcomes[] = {
    "promise", "dispute", "paid", "refused", "conversation",
    "no_answer", "busy", "voicemail", "wrong_number", NULL,
};

/* ---- priority (pure) ---- */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int agent_priority(const dn_task_inputs *in)
{
    static const struct { const char *name; int points; } personas[] = {
        { "invisible", 80 }, { "fighter", 60 }, { "businessman", 20 },
    };
    int64_t p = clamp64(in->amount_minor / 1000, 0, 500);
    p += clamp64((int64_t)in->days_overdue * 2, 0, 360);
    p += clamp64((int64_t)in->broken_promises * 100, 0, 300);
    for (size_t i = 0; in->persona && i < sizeof personas / sizeof personas[0]; i++)
        if (strcmp(in->persona, personas[i].name) == 0)
            p += personas[i].points;
    if (in->vulnerable)
        p += 200;
    return (int)p;
}

void agent_task_inputs(const dn_facts *f, dn_time now, dn_task_inputs *out)
{
    memset(out, 0, sizeof *out);
    dn_date today = (dn_date)(now / SECONDS_PER_DAY);
    out->amount_minor = f->n_balance > 0 ? f->balance[0].amount_minor : 0;
    for (int i = 0; i < f->n_invoices; i++) {
        const dn_fact_invoice *inv = &f->invoices[i];
        if (inv->status != DN_INV_OPEN || inv->due == DN_NO_DATE || inv->due >= today)
            continue;
        if (today - inv->due > out->days_overdue)
            out->days_overdue = today - inv->due;
    }
    out->broken_promises = f->promises_broken;
    out->persona = f->persona;
    out->vulnerable = (f->customer.holds & DN_HOLD_VULNERABLE) != 0;
}

/* ---- the store's rows as the API shows them ---- */

static const dn_store_module_ops *queue(const dn_store *store)
{
    return store->ops->modules;
}

/* The task's times, integers in the store's rows, as RFC 3339 text. */
static void task_times(json_t *task)
{
    static const char *const times[] = { "taken_until", "snoozed_until", "created_at",
                                         "updated_at", NULL };
    dn_store_times_as_text(task, times, 1);
}

/* One task as the API shows it (*task a new object). */
static int task_read(dn_store *store, int64_t id, json_t **task, dn_err *err)
{
    int rc = queue(store)->task_get(store->ctx, id, task, err);
    if (rc == 0)
        return dn_err_set(err, -ENOENT, "id", "no agent task %lld", (long long)id);
    if (rc < 0)
        return rc;
    task_times(*task);
    return 0;
}

/* Locks the task in the caller's transaction and checks that agent holds
 * it now: the row in *row, -EEXIST (which field) when someone else holds
 * it, it is not taken, or the lease ran out. */
static int hold_task(dn_store *store, int64_t id, const char *agent, dn_time now,
                     dn_task_row *row, dn_err *err)
{
    int rc = queue(store)->task_lock(store->ctx, id, row, err);
    if (rc == 0)
        return dn_err_set(err, -ENOENT, "id", "no agent task %lld", (long long)id);
    if (rc < 0)
        return rc;
    if (strcmp(row->state, "taken") != 0)
        return dn_err_set(err, -EEXIST, "id", "agent task %lld is %s, not taken",
                          (long long)id, row->state);
    if (strcmp(row->agent, agent) != 0)
        return dn_err_set(err, -EEXIST, "agent", "agent task %lld is held by %s, not %s",
                          (long long)id, row->agent, agent);
    if (row->taken_until < now)
        return dn_err_set(err, -EEXIST, "id",
                          "agent task %lld: the lease of %s ran out; take a task again",
                          (long long)id, agent);
    return 0;
}

/* ---- creating ---- */

int agent_task_create(dn_store *store, int64_t customer_id, int64_t contact_id,
                      const char *source, const char *reason, int priority, dn_time now,
                      int64_t *task_id, dn_err *err)
{
    dn_task_new t = { .customer_id = customer_id, .contact_id = contact_id, .source = source,
                      .reason = reason ? reason : "", .priority = priority };
    int64_t id = 0;
    int rc = queue(store)->task_create(store->ctx, &t, now, &id, err);
    if (task_id)
        *task_id = id;
    return rc;
}

int agent_queue_contact(dn_store *store, const dn_outbox_item *it, const dn_facts *f,
                        dn_time now, int64_t *task_id, dn_err *err)
{
    dn_task_inputs in;
    agent_task_inputs(f, now, &in);
    char reason[DN_NAME_MAX];
    snprintf(reason, sizeof reason, "rules: template %s, tone %s", it->template_name, it->tone);
    int rc = store->ops->begin(store->ctx, err);
    if (rc)
        return rc;
    rc = agent_task_create(store, it->customer_id, it->id, "rules", reason, agent_priority(&in),
                           now, task_id, err);
    if (rc == -EEXIST) {
        /* queued before (a crash between the task and the contact's state) */
        dn_err_clear(err);
        rc = 0;
    }
    if (rc == 0) {
        char provider[32];
        snprintf(provider, sizeof provider, "task-%lld", (long long)*task_id);
        rc = store->ops->set_contact_state(store->ctx, it->id, "sent", provider,
                                           "queued for an agent", now, err);
    }
    return dn_store_finish(store, rc, err);
}

/* ---- agents' actions ---- */

static int check_agent(const char *agent, dn_err *err)
{
    if (!agent || !agent[0])
        return dn_err_set(err, -EINVAL, "agent", "agent is required: who is acting");
    if (strlen(agent) >= DN_TOKEN_MAX || !dn_utf8_valid(agent))
        return dn_err_set(err, -EINVAL, "agent",
                          "agent must be UTF-8 text of at most %d bytes", DN_TOKEN_MAX - 1);
    return 0;
}

int agent_task_take(dn_store *store, const char *agent, int lease_seconds, dn_time now,
                    json_t **task, dn_err *err)
{
    int rc = check_agent(agent, err);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = queue(store)->task_take(store->ctx, agent, now, lease_seconds, &id, err);
    if (rc)
        return rc;
    if (id == 0)
        return dn_err_set(err, -ENOENT, "", "no agent task is waiting");
    return task_read(store, id, task, err);
}

int agent_task_get(dn_store *store, int64_t id, json_t **task, dn_err *err)
{
    return task_read(store, id, task, err);
}

int agent_task_list(dn_store *store, const char *state, int limit, json_t **out, dn_err *err)
{
    *out = NULL;
    if (state[0] && strcmp(state, "open") && strcmp(state, "taken") && strcmp(state, "done"))
        return dn_err_set(err, -EINVAL, "state", "state must be open, taken or done");
    int rc = queue(store)->task_list(store->ctx, state, limit, out, err);
    if (rc)
        return rc;
    size_t i;
    json_t *task;
    json_array_foreach(*out, i, task)
        task_times(task);
    return 0;
}

int agent_promise_insert(dn_store *store, int64_t customer_id, int64_t amount_minor,
                         dn_date due, dn_time now, int64_t *promise_id, dn_err *err)
{
    dn_facts *f = malloc(sizeof *f);
    if (!f)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    int rc = store->ops->load_facts(store->ctx, customer_id, now, f, err);
    if (rc == 0 && (f->n_balance == 0 || f->balance[0].amount_minor <= 0))
        rc = dn_err_set(err, -EINVAL, "promise", "nothing is owed: there is nothing to promise");
    if (rc == 0)
        rc = store->ops->add_promise(store->ctx, f->customer.external_id,
                                     amount_minor > 0 ? amount_minor : f->balance[0].amount_minor,
                                     f->balance[0].currency, due, now, promise_id, err);
    free(f);
    return rc;
}

/* Reads the promise object of a "promise" outcome. */
static int parse_promise(json_t *promise, dn_time now, dn_date *due, int64_t *amount,
                         dn_err *err)
{
    dn_date today = (dn_date)(now / SECONDS_PER_DAY);
    if (!json_is_object(promise))
        return dn_err_set(err, -EINVAL, "promise",
                          "outcome \"promise\" needs promise = {\"due\": \"YYYY-MM-DD\"}");
    json_t *d = json_object_get(promise, "due");
    if (!json_is_string(d) || dn_date_parse(json_string_value(d), due) < 0)
        return dn_err_set(err, -EINVAL, "promise.due", "promise.due must be a date YYYY-MM-DD");
    if (*due < today || *due > today + PROMISE_MAX_DAYS)
        return dn_err_set(err, -EINVAL, "promise.due",
                          "promise.due must be from today to %d days ahead", PROMISE_MAX_DAYS);
    json_t *a = json_object_get(promise, "amount_minor");
    *amount = 0;
    if (a && (!json_is_integer(a) || json_integer_value(a) <= 0))
        return dn_err_set(err, -EINVAL, "promise.amount_minor",
                          "promise.amount_minor must be a positive integer");
    if (a)
        *amount = json_integer_value(a);
    const char *key;
    json_t *v;
    json_object_foreach(promise, key, v)
        if (strcmp(key, "due") && strcmp(key, "amount_minor"))
            return dn_err_set(err, -EINVAL, "promise", "promise: unknown field \"%s\"", key);
    return 0;
}

/* The contact outcome the rules see for an agent outcome. */
static const char *contact_outcome(const char *outcome)
{
    static const char *const talked[] = { "promise", "dispute", "paid", "refused",
                                          "conversation" };
    for (size_t i = 0; i < sizeof talked / sizeof talked[0]; i++)
        if (strcmp(outcome, talked[i]) == 0)
            return "conversation";
    return outcome;
}

int agent_task_complete(dn_store *store, int64_t id, const char *agent, const char *outcome,
                        const char *note, json_t *promise, dn_time now, json_t **task,
                        dn_err *err)
{
    int rc = check_agent(agent, err);
    if (rc)
        return rc;
    bool known = false;
    for (int i = 0; outcome && agent_outcomes[i]; i++)
        known |= strcmp(outcome, agent_outcomes[i]) == 0;
    if (!known)
        return dn_err_set(err, -EINVAL, "outcome",
                          "outcome must be one of promise, dispute, paid, refused, "
                          "conversation, no_answer, busy, voicemail, wrong_number");
    if (note && (strlen(note) > 2000 || !dn_utf8_valid(note)))
        return dn_err_set(err, -EINVAL, "note", "note must be UTF-8 text of at most 2000 bytes");
    bool is_promise = strcmp(outcome, "promise") == 0;
    if (!is_promise && promise)
        return dn_err_set(err, -EINVAL, "promise", "promise is only for outcome \"promise\"");
    dn_date due = DN_NO_DATE;
    int64_t amount = 0;
    if (is_promise && (rc = parse_promise(promise, now, &due, &amount, err)))
        return rc;

    dn_task_row row;
    int64_t promise_id = 0;
    json_t *payload = NULL;
    if ((rc = store->ops->begin(store->ctx, err)))
        return rc;
    if ((rc = hold_task(store, id, agent, now, &row, err)) ||
        (rc = queue(store)->task_close(store->ctx, id, outcome, note, now, err)))
        goto done;
    if (row.contact_id) {
        const char *co = contact_outcome(outcome);
        rc = queue(store)->contact_outcome(store->ctx, row.contact_id,
                                           strcmp(co, "conversation") == 0 ? "answered" : NULL,
                                           co, now, err);
        if (rc)
            goto done;
    }
    if (is_promise &&
        (rc = agent_promise_insert(store, row.customer_id, amount, due, now, &promise_id, err)))
        goto done;
    payload = json_pack("{s:I, s:s, s:s, s:s?}", "task_id", (json_int_t)id, "agent", agent,
                        "outcome", outcome, "note", note);
    if (payload && promise_id)
        json_object_set_new(payload, "promise_id", json_integer(promise_id));
    if (!payload) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto done;
    }
    rc = store->ops->append_event(store->ctx, row.customer_id, "agent_outcome", payload, now,
                                  NULL, err);
    if (rc == 0 && strcmp(outcome, "dispute") == 0)
        rc = store->ops->append_event(store->ctx, row.customer_id, "dispute", payload, now,
                                      NULL, err);
    if (rc == 0)
        rc = store->ops->touch_customer(store->ctx, row.customer_id, now, err);
done:
    json_decref(payload);
    rc = dn_store_finish(store, rc, err);
    return rc ? rc : task_read(store, id, task, err);
}

/* Back to the queue (open) from a holder, not before `until`. */
static int put_back(dn_store *store, int64_t id, const char *agent, dn_time until, dn_time now,
                    const char *kind, json_t **task, dn_err *err)
{
    int rc = check_agent(agent, err);
    if (rc)
        return rc;
    dn_task_row row;
    json_t *payload = NULL;
    if ((rc = store->ops->begin(store->ctx, err)))
        return rc;
    if ((rc = hold_task(store, id, agent, now, &row, err)) ||
        (rc = queue(store)->task_requeue(store->ctx, id, until, now, err)))
        goto done;
    char until_text[21];
    dn_time_format(until, until_text);
    payload = json_pack("{s:I, s:s, s:s}", "task_id", (json_int_t)id, "agent", agent, "until",
                        until_text);
    rc = payload ? store->ops->append_event(store->ctx, row.customer_id, kind, payload, now,
                                            NULL, err)
                 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
done:
    json_decref(payload);
    rc = dn_store_finish(store, rc, err);
    return rc ? rc : task_read(store, id, task, err);
}

int agent_task_snooze(dn_store *store, int64_t id, const char *agent, dn_time until,
                      dn_time now, json_t **task, dn_err *err)
{
    if (until <= now || until > now + (dn_time)30 * SECONDS_PER_DAY)
        return dn_err_set(err, -EINVAL, "until", "until must be in the next 30 days");
    return put_back(store, id, agent, until, now, "agent_snooze", task, err);
}

int agent_task_release(dn_store *store, int64_t id, const char *agent, dn_time now,
                       json_t **task, dn_err *err)
{
    return put_back(store, id, agent, 0, now, "agent_release", task, err);
}
