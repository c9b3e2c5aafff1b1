/* agent_queue.c — tasks for people (agent_queue.h). */
#include "agent_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_ext.h"

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

/* ---- rows ---- */

#define TASK_SELECT \
    "SELECT t.id, c.external_id, c.name, c.language, c.phone, t.contact_id, t.source, " \
    "t.reason, t.priority, t.state, t.agent, t.taken_until, t.snoozed_until, t.outcome, " \
    "t.note, t.created_at, t.updated_at, t.customer_id " \
    "FROM agent_tasks t JOIN customers c ON c.id = t.customer_id "

static json_t *time_or_null(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL || sqlite3_column_int64(st, i) == 0)
        return json_null();
    char text[21];
    dn_time_format(sqlite3_column_int64(st, i), text);
    return json_string(text);
}

static json_t *text_or_null(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? json_string((const char *)t) : json_null();
}

/* One row of TASK_SELECT as the API shows a task. */
static json_t *task_from_row(sqlite3_stmt *st)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "customer_id", text_or_null(st, 1));
    json_object_set_new(o, "customer_name", text_or_null(st, 2));
    json_object_set_new(o, "language", text_or_null(st, 3));
    json_object_set_new(o, "phone", text_or_null(st, 4));
    json_object_set_new(o, "contact_id", sqlite3_column_type(st, 5) == SQLITE_NULL
                                             ? json_null()
                                             : json_integer(sqlite3_column_int64(st, 5)));
    json_object_set_new(o, "source", text_or_null(st, 6));
    json_object_set_new(o, "reason", text_or_null(st, 7));
    json_object_set_new(o, "priority", json_integer(sqlite3_column_int64(st, 8)));
    json_object_set_new(o, "state", text_or_null(st, 9));
    json_object_set_new(o, "agent", text_or_null(st, 10));
    json_object_set_new(o, "taken_until", time_or_null(st, 11));
    json_object_set_new(o, "snoozed_until", time_or_null(st, 12));
    json_object_set_new(o, "outcome", text_or_null(st, 13));
    json_object_set_new(o, "note", text_or_null(st, 14));
    json_object_set_new(o, "created_at", time_or_null(st, 15));
    json_object_set_new(o, "updated_at", time_or_null(st, 16));
    return o;
}

/* Reads one task; with row (may be NULL) also its customer id, state,
 * agent and contact id for the state checks. */
typedef struct task_row {
    int64_t customer_id, contact_id;
    char    state[8];
    char    agent[DN_TOKEN_MAX];
    dn_time taken_until;
} task_row;

static int task_read(sqlite3 *db, int64_t id, json_t **task, task_row *row, dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db, TASK_SELECT "WHERE t.id = ?1", &st, "read task", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (row) {
            row->customer_id = sqlite3_column_int64(st, 17);
            row->contact_id = sqlite3_column_int64(st, 5);
            store_ext_column_text(st, 9, row->state, sizeof row->state);
            store_ext_column_text(st, 10, row->agent, sizeof row->agent);
            row->taken_until = sqlite3_column_int64(st, 11);
        }
        if (task && !(*task = task_from_row(st)))
            rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = dn_err_set(err, -ENOENT, "id", "no agent task %lld", (long long)id);
    } else {
        rc = store_ext_fail(db, step, "read task", err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The caller may act on the task only while it holds it. */
static int check_holder(const task_row *row, int64_t id, const char *agent, dn_time now,
                        dn_err *err)
{
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
    sqlite3 *db = store_ext_db(store, "the agent queue", err);
    if (!db)
        return -ENOTSUP;
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "INSERT INTO agent_tasks (customer_id, contact_id, source, "
                               "reason, priority, state, created_at, updated_at) VALUES (?1, "
                               "?2, ?3, ?4, ?5, 'open', ?6, ?6)",
                               &st, "create agent task", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, customer_id);
    if (contact_id)
        sqlite3_bind_int64(st, 2, contact_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, reason ? reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, priority);
    sqlite3_bind_int64(st, 6, now);
    rc = store_ext_run(db, st, "create agent task", err);
    if (rc == 0 && task_id)
        *task_id = sqlite3_last_insert_rowid(db);
    return rc;
}

int agent_queue_contact(dn_store *store, const dn_outbox_item *it, const dn_facts *f,
                        dn_time now, int64_t *task_id, dn_err *err)
{
    sqlite3 *db = store_ext_db(store, "the agent queue", err);
    if (!db)
        return -ENOTSUP;
    dn_task_inputs in;
    agent_task_inputs(f, now, &in);
    char reason[DN_NAME_MAX];
    snprintf(reason, sizeof reason, "rules: template %s, tone %s", it->template_name, it->tone);
    dn_ext_tx tx;
    int rc = store_ext_begin(db, &tx, err);
    if (rc)
        return rc;
    rc = agent_task_create(store, it->customer_id, it->id, "rules", reason, agent_priority(&in),
                           now, task_id, err);
    if (rc == -EEXIST) {
        /* queued before (a crash between the task and the contact's state) */
        sqlite3_stmt *st;
        rc = store_ext_prepare(db, "SELECT id FROM agent_tasks WHERE contact_id = ?1", &st,
                               "find agent task", err);
        if (rc == 0) {
            sqlite3_bind_int64(st, 1, it->id);
            if (sqlite3_step(st) == SQLITE_ROW)
                *task_id = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    if (rc == 0) {
        char provider[32];
        snprintf(provider, sizeof provider, "task-%lld", (long long)*task_id);
        rc = store->ops->set_contact_state(store->ctx, it->id, "sent", provider,
                                           "queued for an agent", now, err);
    }
    if (rc == 0)
        rc = store_ext_commit(&tx, err);
    else
        store_ext_abort(&tx);
    return rc;
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
    sqlite3 *db = store_ext_db(store, "the agent queue", err);
    if (!db)
        return -ENOTSUP;
    int rc = check_agent(agent, err);
    if (rc)
        return rc;
    /* one statement picks and takes the row: no other taker can get between */
    sqlite3_stmt *st;
    rc = store_ext_prepare(db,
                           "UPDATE agent_tasks SET state = 'taken', agent = ?1, "
                           "taken_until = ?2 + ?3, updated_at = ?2 WHERE id = (SELECT id "
                           "FROM agent_tasks WHERE (state = 'open' AND snoozed_until <= ?2) "
                           "OR (state = 'taken' AND taken_until < ?2) "
                           "ORDER BY priority DESC, id LIMIT 1) RETURNING id",
                           &st, "take agent task", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, agent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int(st, 3, lease_seconds);
    int64_t id = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        step = sqlite3_step(st);
    }
    if (step != SQLITE_DONE)
        rc = store_ext_fail(db, step, "take agent task", err);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    if (id == 0)
        return dn_err_set(err, -ENOENT, "", "no agent task is waiting");
    return task_read(db, id, task, NULL, err);
}

int agent_task_get(dn_store *store, int64_t id, json_t **task, dn_err *err)
{
    sqlite3 *db = store_ext_db(store, "the agent queue", err);
    if (!db)
        return -ENOTSUP;
    return task_read(db, id, task, NULL, err);
}

int agent_task_list(dn_store *store, const char *state, int limit, json_t **out, dn_err *err)
{
    sqlite3 *db = store_ext_db(store, "the agent queue", err);
    if (!db)
        return -ENOTSUP;
    if (state[0] && strcmp(state, "open") && strcmp(state, "taken") && strcmp(state, "done"))
        return dn_err_set(err, -EINVAL, "state", "state must be open, taken or done");
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               TASK_SELECT "WHERE (?1 = '' OR t.state = ?1) "
                               "ORDER BY t.state = 'done', t.priority DESC, t.id LIMIT ?2",
                               &st, "list agent tasks", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    json_t *list = json_array();
    int step;
    while (list && (step = sqlite3_step(st)) == SQLITE_ROW)
        if (json_array_append_new(list, task_from_row(st)) < 0) {
            json_decref(list);
            list = NULL;
        }
    if (!list)
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
    else if (step != SQLITE_DONE) {
        rc = store_ext_fail(db, step, "list agent tasks", err);
        json_decref(list);
        list = NULL;
    }
    sqlite3_finalize(st);
    *out = list;
    return rc;
}

int agent_promise_insert(sqlite3 *db, int64_t customer_id, int64_t amount_minor, dn_date due,
                         dn_time now, int64_t *promise_id, dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "SELECT currency, SUM(amount_minor - paid_minor) FROM invoices "
                               "WHERE customer_id = ?1 AND status = 'open' AND paid_minor < "
                               "amount_minor GROUP BY currency ORDER BY MIN(due) LIMIT 1",
                               &st, "promise: balance", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, customer_id);
    char currency[4] = "";
    int64_t balance = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        store_ext_column_text(st, 0, currency, sizeof currency);
        balance = sqlite3_column_int64(st, 1);
    } else if (step != SQLITE_DONE) {
        rc = store_ext_fail(db, step, "promise: balance", err);
    }
    sqlite3_finalize(st);
    if (rc)
        return rc;
    if (balance <= 0)
        return dn_err_set(err, -EINVAL, "promise", "nothing is owed: there is nothing to promise");
    if (amount_minor <= 0)
        amount_minor = balance;
    char due_text[11];
    dn_date_format(due, due_text);
    rc = store_ext_prepare(db,
                           "INSERT INTO promises (customer_id, case_id, amount_minor, currency, "
                           "due, state, created_at) VALUES (?1, (SELECT id FROM cases WHERE "
                           "customer_id = ?1 AND closed_at IS NULL ORDER BY id DESC LIMIT 1), "
                           "?2, ?3, ?4, 'pending', ?5)",
                           &st, "record promise", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, amount_minor);
    sqlite3_bind_text(st, 3, currency, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, due_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    rc = store_ext_run(db, st, "record promise", err);
    if (rc == 0 && promise_id)
        *promise_id = sqlite3_last_insert_rowid(db);
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
    sqlite3 *db = store_ext_db(store, "the agent queue", err);
    if (!db)
        return -ENOTSUP;
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

    task_row row;
    dn_ext_tx tx;
    if ((rc = store_ext_begin(db, &tx, err)))
        return rc;
    if ((rc = task_read(db, id, NULL, &row, err)) || (rc = check_holder(&row, id, agent, now, err)))
        goto fail;
    sqlite3_stmt *st;
    rc = store_ext_prepare(db,
                           "UPDATE agent_tasks SET state = 'done', outcome = ?2, note = ?3, "
                           "taken_until = NULL, updated_at = ?4 WHERE id = ?1",
                           &st, "complete agent task", err);
    if (rc)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, outcome, -1, SQLITE_STATIC);
    if (note)
        sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, now);
    if ((rc = store_ext_run(db, st, "complete agent task", err)))
        goto fail;
    if (row.contact_id) {
        const char *co = contact_outcome(outcome);
        rc = store_ext_prepare(db,
                               "UPDATE contacts SET outcome = ?2, state = CASE WHEN ?2 = "
                               "'conversation' THEN 'answered' ELSE state END, updated_at = ?3 "
                               "WHERE id = ?1",
                               &st, "record the contact's outcome", err);
        if (rc)
            goto fail;
        sqlite3_bind_int64(st, 1, row.contact_id);
        sqlite3_bind_text(st, 2, co, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        if ((rc = store_ext_run(db, st, "record the contact's outcome", err)))
            goto fail;
    }
    int64_t promise_id = 0;
    if (is_promise &&
        (rc = agent_promise_insert(db, row.customer_id, amount, due, now, &promise_id, err)))
        goto fail;
    json_t *payload = json_pack("{s:I, s:s, s:s, s:s?}", "task_id", (json_int_t)id, "agent",
                                agent, "outcome", outcome, "note", note);
    if (payload && promise_id)
        json_object_set_new(payload, "promise_id", json_integer(promise_id));
    if (!payload) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto fail;
    }
    rc = store_ext_event(db, row.customer_id, "agent_outcome", payload, now, NULL, err);
    if (rc == 0 && strcmp(outcome, "dispute") == 0)
        rc = store_ext_event(db, row.customer_id, "dispute", payload, now, NULL, err);
    json_decref(payload);
    if (rc || (rc = store_ext_due(db, row.customer_id, now, err)))
        goto fail;
    if ((rc = store_ext_commit(&tx, err)))
        return rc;
    return task_read(db, id, task, NULL, err);
fail:
    store_ext_abort(&tx);
    return rc;
}

/* Back to the queue (open) from a holder, not before `until`. */
static int put_back(dn_store *store, int64_t id, const char *agent, dn_time until, dn_time now,
                    const char *kind, json_t **task, dn_err *err)
{
    sqlite3 *db = store_ext_db(store, "the agent queue", err);
    if (!db)
        return -ENOTSUP;
    int rc = check_agent(agent, err);
    if (rc)
        return rc;
    task_row row;
    dn_ext_tx tx;
    if ((rc = store_ext_begin(db, &tx, err)))
        return rc;
    if ((rc = task_read(db, id, NULL, &row, err)) || (rc = check_holder(&row, id, agent, now, err)))
        goto fail;
    sqlite3_stmt *st;
    rc = store_ext_prepare(db,
                           "UPDATE agent_tasks SET state = 'open', agent = NULL, taken_until = "
                           "NULL, snoozed_until = ?2, updated_at = ?3 WHERE id = ?1",
                           &st, kind, err);
    if (rc)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, until);
    sqlite3_bind_int64(st, 3, now);
    if ((rc = store_ext_run(db, st, kind, err)))
        goto fail;
    char until_text[21];
    dn_time_format(until, until_text);
    json_t *payload = json_pack("{s:I, s:s, s:s}", "task_id", (json_int_t)id, "agent", agent,
                                "until", until_text);
    if (!payload) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto fail;
    }
    rc = store_ext_event(db, row.customer_id, kind, payload, now, NULL, err);
    json_decref(payload);
    if (rc || (rc = store_ext_commit(&tx, err)))
        goto fail;
    return task_read(db, id, task, NULL, err);
fail:
    store_ext_abort(&tx);
    return rc;
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
