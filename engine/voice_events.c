/* voice_events.c — robot call progress and key presses (voice_events.h). */
#include "voice_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_queue.h"
#include "store_ext.h"

#define SECONDS_PER_DAY 86400

static const char *const statuses[] = { "answered", "no_answer", "busy", "voicemail", "failed",
                                         "key_press", NULL };

/* Finds the call's contact: id, customer (store and external id). */
static int find_call(sqlite3 *db, const dn_call_event *ev, int64_t *contact_id,
                     int64_t *customer_id, char *external, dn_err *err)
{
    sqlite3_stmt *st;
    const char *sql = ev->contact_id
                          ? "SELECT k.id, k.customer_id, c.external_id FROM contacts k JOIN "
                            "customers c ON c.id = k.customer_id WHERE k.id = ?1 AND k.channel "
                            "= 'voice'"
                          : "SELECT k.id, k.customer_id, c.external_id FROM contacts k JOIN "
                            "customers c ON c.id = k.customer_id WHERE k.provider_id = ?1 AND "
                            "k.channel = 'voice' ORDER BY k.id DESC LIMIT 1";
    int rc = store_ext_prepare(db, sql, &st, "call: find the contact", err);
    if (rc)
        return rc;
    if (ev->contact_id)
        sqlite3_bind_int64(st, 1, ev->contact_id);
    else
        sqlite3_bind_text(st, 1, ev->call_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *contact_id = sqlite3_column_int64(st, 0);
        *customer_id = sqlite3_column_int64(st, 1);
        store_ext_column_text(st, 2, external, DN_ID_MAX);
    } else if (step == SQLITE_DONE) {
        rc = ev->contact_id ? dn_err_set(err, -ENOENT, "contact_id", "no voice contact %lld",
                                         (long long)ev->contact_id)
                            : dn_err_set(err, -ENOENT, "call_id", "no call %s", ev->call_id);
    } else {
        rc = store_ext_fail(db, step, "call: find the contact", err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* 1 if the same callback was applied before, 0 if not. */
static int seen_before(sqlite3 *db, int64_t contact_id, const char *status, const char *digits,
                       dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "SELECT 1 FROM events WHERE kind = 'call' AND "
                               "json_extract(payload, '$.contact_id') = ?1 AND "
                               "json_extract(payload, '$.status') = ?2 AND "
                               "COALESCE(json_extract(payload, '$.digits'), '') = ?3 LIMIT 1",
                               &st, "call: duplicate check", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, contact_id);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, digits ? digits : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : store_ext_fail(db, step, "call", err);
    sqlite3_finalize(st);
    return rc;
}

int voice_event_receive(dn_store *store, const dn_call_event *ev, int promise_days, dn_time now,
                        json_t **result, dn_err *err)
{
    *result = NULL;
    sqlite3 *db = store_ext_db(store, "voice callbacks", err);
    if (!db)
        return -ENOTSUP;
    bool known = false;
    for (int i = 0; ev->status && statuses[i]; i++)
        known |= strcmp(ev->status, statuses[i]) == 0;
    if (!known)
        return dn_err_set(err, -EINVAL, "status", "status must be answered, no_answer, busy, "
                          "voicemail, failed or key_press");
    bool key = strcmp(ev->status, "key_press") == 0;
    if (key != (ev->digits != NULL))
        return dn_err_set(err, -EINVAL, "digits", key ? "a key_press needs digits"
                                                      : "digits belong to status key_press");
    if (key && (!ev->digits[0] || strlen(ev->digits) > 16 ||
                strspn(ev->digits, "0123456789*#") != strlen(ev->digits)))
        return dn_err_set(err, -EINVAL, "digits", "digits must be 1..16 of 0-9, * and #");
    if (!ev->contact_id && (!ev->call_id || !ev->call_id[0] || strlen(ev->call_id) > 128))
        return dn_err_set(err, -EINVAL, "call_id", "contact_id or call_id (1..128 bytes) is "
                          "required");
    int64_t contact_id = 0, customer_id = 0, event_id = 0, promise_id = 0, task_id = 0;
    char external[DN_ID_MAX];
    int rc = find_call(db, ev, &contact_id, &customer_id, external, err);
    if (rc)
        return rc;
    if ((rc = seen_before(db, contact_id, ev->status, ev->digits, err)) < 0)
        return rc;
    if (rc == 1) {
        *result = json_pack("{s:I, s:s, s:b}", "contact_id", (json_int_t)contact_id,
                            "customer_id", external, "duplicate", 1);
        return *result ? 0 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
    }
    int priority = 0;
    bool wants_person = key && strcmp(ev->digits, "2") == 0;
    if (wants_person) {
        dn_facts *f = malloc(sizeof *f);
        if (!f)
            return dn_err_set(err, -ENOMEM, NULL, "out of memory");
        rc = store->ops->load_facts(store->ctx, customer_id, now, f, err);
        if (rc == 0) {
            dn_task_inputs ti;
            agent_task_inputs(f, now, &ti);
            priority = agent_priority(&ti);
        }
        free(f);
        if (rc)
            return rc;
    }

    dn_ext_tx tx;
    if ((rc = store_ext_begin(db, &tx, err)))
        return rc;
    const char *state = NULL, *outcome = NULL;
    if (strcmp(ev->status, "answered") == 0)
        state = "answered", outcome = "conversation";
    else if (strcmp(ev->status, "failed") == 0)
        state = "failed";
    else if (!key)
        outcome = ev->status;
    else
        state = "answered", outcome = "conversation";   /* a key press means someone listened */
    sqlite3_stmt *st;
    rc = store_ext_prepare(db,
                           "UPDATE contacts SET state = COALESCE(?2, state), outcome = "
                           "COALESCE(?3, outcome), updated_at = ?4 WHERE id = ?1",
                           &st, "call: record", err);
    if (rc)
        goto fail;
    sqlite3_bind_int64(st, 1, contact_id);
    if (state)
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    if (outcome)
        sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, now);
    if ((rc = store_ext_run(db, st, "call: record", err)))
        goto fail;
    if (key && strcmp(ev->digits, "1") == 0) {
        dn_date due = (dn_date)(now / SECONDS_PER_DAY) + promise_days;
        rc = agent_promise_insert(store, customer_id, 0, due, now, &promise_id, err);
        if (rc == -EINVAL) {        /* nothing owed any more: the key press is only recorded */
            dn_err_clear(err);
            rc = 0;
        }
    } else if (wants_person) {
        rc = agent_task_create(store, customer_id, 0, "voice", "asked for a person in a call",
                               priority, now, &task_id, err);
    }
    if (rc)
        goto fail;
    json_t *payload = json_pack("{s:I, s:s, s:s?, s:s?}", "contact_id", (json_int_t)contact_id,
                                "status", ev->status, "digits", ev->digits, "call_id",
                                ev->call_id);
    if (!payload) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto fail;
    }
    if (promise_id)
        json_object_set_new(payload, "promise_id", json_integer(promise_id));
    if (task_id)
        json_object_set_new(payload, "task_id", json_integer(task_id));
    rc = store_ext_event(db, customer_id, "call", payload, now, &event_id, err);
    json_decref(payload);
    if (rc || (rc = store_ext_due(db, customer_id, now, err)) ||
        (rc = store_ext_commit(&tx, err)))
        goto fail;
    *result = json_pack("{s:I, s:s, s:I, s:o, s:o, s:b}", "contact_id", (json_int_t)contact_id,
                        "customer_id", external, "event_id", (json_int_t)event_id, "promise_id",
                        promise_id ? json_integer(promise_id) : json_null(), "task_id",
                        task_id ? json_integer(task_id) : json_null(), "duplicate", 0);
    return *result ? 0 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
fail:
    store_ext_abort(&tx);
    return rc;
}
