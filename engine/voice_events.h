/*
 * voice_events.h — what the telephony provider tells about a robot call:
 * progress (answered, no_answer, busy, voicemail, failed) and key presses.
 * The call's contact gets the state/outcome the rules see
 * (answered → state answered, outcome conversation; no_answer, busy,
 * voicemail → that outcome; failed → state failed); key "1" records a
 * promise to pay within promise_days (c.promises), key "2" an agent task
 * (source "voice"). Each callback is an event (kind "call") and makes the
 * customer due now; the same callback twice is applied once, across
 * engines too (a unique key: store_modules.h inbound_claim), and answered
 * with the first one's result.
 */
#ifndef DN_VOICE_EVENTS_H
#define DN_VOICE_EVENTS_H

#include <jansson.h>

#include "store.h"

typedef struct dn_call_event {
    int64_t     contact_id;    /* 0: find the call by call_id */
    const char *call_id;       /* the provider id the call was placed with; may be NULL */
    const char *status;        /* answered, no_answer, busy, voicemail, failed, key_press */
    const char *digits;        /* for key_press: "1", "2", ... */
} dn_call_event;

/* Applies one callback in one store transaction (call it outside any of
 * the caller's); *result (new object) =
 * {"contact_id", "customer_id", "event_id", "promise_id", "task_id",
 * "duplicate"}. -ENOENT (field contact_id/call_id) for an unknown call,
 * -EINVAL for bad fields. */
int voice_event_receive(dn_store *store, const dn_call_event *ev, int promise_days, dn_time now,
                        json_t **result, dn_err *err);

#endif
