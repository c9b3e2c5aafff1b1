/* voice_events.c — robot call progress and key presses (voice_events.h). */
#include "voice_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_queue.h"
#include "store_modules.h"

#define SECONDS_PER_DAY 86400

static const char *const statuses[] = { "answered", "no_answer", "busy", "voicemail", "failed",
                                         "key_press", NULL };

/* The digest that makes a callback the same one again: its contact,
 * status and keys. */
static int call_digest(int64_t contact_id, const dn_call_event *ev, char digest[65],
                       dn_err *err)
{
    json_t *key = json_pack("[I, s, s]", (json_int_t)contact_id, ev->status,
                            ev->digits ? ev->digits : "");
    int rc = dn_store_inbound_digest(key, digest, err);
    json_decref(key);
    return rc;
}

int voice_event_receive(dn_store *store, const dn_call_event *ev, int promise_days, dn_time now,
                        json_t **result, dn_err *err)
{
    *result = NULL;
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
    const dn_store_module_ops *calls = store->ops->modules;
    dn_contact_ref call;
    int rc = calls->contact_find(store->ctx, ev->contact_id, ev->contact_id ? NULL : ev->call_id,
                                 "voice", &call, err);
    if (rc == 0)
        return ev->contact_id ? dn_err_set(err, -ENOENT, "contact_id", "no voice contact %lld",
                                           (long long)ev->contact_id)
                              : dn_err_set(err, -ENOENT, "call_id", "no call %s", ev->call_id);
    char digest[65];
    if (rc < 0 || (rc = call_digest(call.id, ev, digest, err)))
        return rc;
    bool wants_person = key && strcmp(ev->digits, "2") == 0;
    int64_t event_id = 0, promise_id = 0, task_id = 0;
    json_t *payload = NULL;
    if ((rc = store->ops->begin(store->ctx, err)))
        return rc;
    json_t *earlier = NULL;
    rc = calls->inbound_claim(store->ctx, "call", digest, now, &earlier, err);
    if (rc == 1 && json_is_object(earlier)) {      /* the same callback again: applied once */
        store->ops->rollback(store->ctx);
        json_object_set_new(earlier, "duplicate", json_true());
        *result = earlier;
        return 0;
    }
    json_decref(earlier);
    if (rc == 1)
        rc = dn_err_set(err, -EIO, "contact_id", "callback of contact %lld was seen without a "
                        "result", (long long)call.id);
    if (rc)
        goto done;
    const char *state = NULL, *outcome = NULL;
    if (strcmp(ev->status, "answered") == 0)
        state = "answered", outcome = "conversation";
    else if (strcmp(ev->status, "failed") == 0)
        state = "failed";
    else if (!key)
        outcome = ev->status;
    else
        state = "answered", outcome = "conversation";   /* a key press means someone listened */
    if ((rc = calls->contact_outcome(store->ctx, call.id, state, outcome, now, err)))
        goto done;
    if (key && strcmp(ev->digits, "1") == 0) {
        dn_date due = (dn_date)(now / SECONDS_PER_DAY) + promise_days;
        rc = agent_promise_insert(store, call.customer_id, 0, due, now, &promise_id, err);
        if (rc == -EINVAL) {        /* nothing owed any more: the key press is only recorded */
            dn_err_clear(err);
            rc = 0;
        }
    } else if (wants_person) {
        dn_facts *f = malloc(sizeof *f);
        rc = f ? store->ops->load_facts(store->ctx, call.customer_id, now, f, err)
               : dn_err_set(err, -ENOMEM, NULL, "out of memory");
        if (rc == 0) {
            dn_task_inputs ti;
            agent_task_inputs(f, now, &ti);
            rc = agent_task_create(store, call.customer_id, 0, "voice",
                                   "asked for a person in a call", agent_priority(&ti), now,
                                   &task_id, err);
        }
        free(f);
    }
    if (rc)
        goto done;
    payload = json_pack("{s:I, s:s, s:s?, s:s?}", "contact_id", (json_int_t)call.id, "status",
                        ev->status, "digits", ev->digits, "call_id", ev->call_id);
    if (!payload) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto done;
    }
    if (promise_id)
        json_object_set_new(payload, "promise_id", json_integer(promise_id));
    if (task_id)
        json_object_set_new(payload, "task_id", json_integer(task_id));
    if ((rc = store->ops->append_event(store->ctx, call.customer_id, "call", payload, now,
                                       &event_id, err)) ||
        (rc = store->ops->touch_customer(store->ctx, call.customer_id, now, err)))
        goto done;
    *result = json_pack("{s:I, s:s, s:I, s:o, s:o, s:b}", "contact_id", (json_int_t)call.id,
                        "customer_id", call.customer_external_id, "event_id",
                        (json_int_t)event_id, "promise_id",
                        promise_id ? json_integer(promise_id) : json_null(), "task_id",
                        task_id ? json_integer(task_id) : json_null(), "duplicate", 0);
    rc = *result ? calls->inbound_settle(store->ctx, "call", digest, call.customer_id, *result,
                                         err)
                 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
done:
    json_decref(payload);
    rc = dn_store_finish(store, rc, err);
    if (rc) {
        json_decref(*result);
        *result = NULL;
    }
    return rc;
}
