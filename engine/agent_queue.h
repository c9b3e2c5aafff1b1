/*
 * agent_queue.h — the agent queue: tasks for people instead of messages.
 *
 * A task comes from a decision for channel "agent" (the dispatcher hands the
 * contact here instead of to a driver), from an inbound reply the engine
 * cannot classify, or from a "talk to a person" key press. Agents take the
 * open task with the highest priority (ties: oldest first), then complete
 * it with an outcome, snooze it, or hand it back. The store takes the task
 * race-free (store_modules.h task_take), so two agents taking at once —
 * through one engine or several on one database — never get the same
 * task. A taken task whose lease ran out is open again.
 *
 * Outcomes are events (kind "agent_outcome") and make the customer due for
 * evaluation now; the rules see them as the contact's outcome
 * (c.contacts[i].outcome), a promise (c.promises) or a dispute (c.disputes).
 *
 * Every function returns 0 or a negative errno with err naming the field:
 * -ENOENT unknown task/customer (or no task waiting), -EEXIST the task is
 * not in a state that allows this (taken by another agent, done), -EINVAL
 * a bad value. Functions that write run as one transaction of the store
 * (begin/commit): call them outside any transaction of the caller's, except
 * agent_task_create and agent_promise_insert, which join the caller's.
 */
#ifndef DN_AGENT_QUEUE_H
#define DN_AGENT_QUEUE_H

#include <jansson.h>

#include "store.h"

/* What the priority depends on. */
typedef struct dn_task_inputs {
    int64_t     amount_minor;     /* open balance (first currency) */
    int         days_overdue;     /* of the oldest overdue invoice; 0 if none */
    int         broken_promises;
    const char *persona;          /* "" if not classified */
    bool        vulnerable;       /* DN_HOLD_VULNERABLE */
} dn_task_inputs;

/* The priority (higher first): 1 point per whole 10.00 of the balance (at
 * most 500), 2 per day overdue (at most 360), 100 per broken promise (at
 * most 300), persona invisible 80 / fighter 60 / businessman 20 / other 0,
 * and 200 for a vulnerable customer (a person should call them first).
 * Negative inputs count as 0. Pure. */
int  agent_priority(const dn_task_inputs *in);
/* Reads the inputs from a customer's facts as of `now` (persona borrowed
 * from f). */
void agent_task_inputs(const dn_facts *f, dn_time now, dn_task_inputs *out);

/* The outcomes an agent may record; NULL-terminated. */
extern const char *const agent_outcomes[];

/* Creates an open task (in the caller's transaction, if any). contact_id 0
 * = not from a decision; source "rules", "reply" or "voice". A contact
 * queued already is -EEXIST with *task_id set to its task. */
int agent_task_create(dn_store *store, int64_t customer_id, int64_t contact_id,
                      const char *source, const char *reason, int priority, dn_time now,
                      int64_t *task_id, dn_err *err);

/* The dispatcher's part: turns a contact for channel "agent" into a task
 * (priority from f) and records the contact as sent with provider id
 * "task-<id>". A contact already queued is not queued twice. */
int agent_queue_contact(dn_store *store, const dn_outbox_item *it, const dn_facts *f,
                        dn_time now, int64_t *task_id, dn_err *err);

/* Takes the best open task for agent (lease_seconds long); *task is a new
 * object. -ENOENT when nothing is waiting. */
int agent_task_take(dn_store *store, const char *agent, int lease_seconds, dn_time now,
                    json_t **task, dn_err *err);
int agent_task_get(dn_store *store, int64_t id, json_t **task, dn_err *err);
/* Tasks in state ("open", "taken", "done" or "" for all) after id, in
 * queue order for open tasks; *out a new array. */
int agent_task_list(dn_store *store, const char *state, int limit, json_t **out, dn_err *err);
/* Completes a task agent holds. outcome from agent_outcomes; "promise"
 * needs promise = {"due": "YYYY-MM-DD" (today..today+90),
 * "amount_minor": n (optional, default the open balance)}. note may be
 * NULL. */
int agent_task_complete(dn_store *store, int64_t id, const char *agent, const char *outcome,
                        const char *note, json_t *promise, dn_time now, json_t **task,
                        dn_err *err);
/* Puts a task agent holds back in the queue, not before `until`. */
int agent_task_snooze(dn_store *store, int64_t id, const char *agent, dn_time until,
                      dn_time now, json_t **task, dn_err *err);
/* Hands a task agent holds back to the queue right away. */
int agent_task_release(dn_store *store, int64_t id, const char *agent, dn_time now,
                       json_t **task, dn_err *err);

/* Records a pending promise to pay (store add_promise, in the caller's
 * transaction) in the currency of the customer's open balance (the first
 * one, oldest due first): amount 0 = that whole balance. -EINVAL (field
 * "promise") when nothing is owed. Shared with replies and voice. */
int agent_promise_insert(dn_store *store, int64_t customer_id, int64_t amount_minor,
                         dn_date due, dn_time now, int64_t *promise_id, dn_err *err);

#endif
