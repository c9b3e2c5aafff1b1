/*
 * replies.h — inbound replies (SMS, chat): what the customer wrote back.
 *
 * Every reply is an event (kind "reply", counted by the rules' c.replies)
 * and makes the customer due for evaluation now. By its words:
 *   - STOP and its Latvian and Russian words → opt-out of that channel and,
 *     when the customer was not opted out of it already, one confirmation
 *     message on it (a contact with purpose optout_confirm keyed by that
 *     opt-out's event: a second STOP earns none). Sending it sets the
 *     channel in the customer's opt_out_confirmed, which the guard reads;
 *     opting in again clears it;
 *   - "1", yes, jā, да → a promise to pay the open balance within
 *     promise_days (the rules see c.promises.pending and its due date);
 *   - anything else → an agent task (source "reply").
 * A reply with a provider id already recorded is not applied twice, even
 * when two engines on one database receive it at the same moment (a unique
 * key claimed with it: store_modules.h inbound_claim); the duplicate gets
 * the first one's result.
 */
#ifndef DN_REPLIES_H
#define DN_REPLIES_H

#include <jansson.h>

#include "store.h"

typedef enum dn_reply_kind {
    DN_REPLY_OPT_OUT, DN_REPLY_PROMISE, DN_REPLY_OTHER
} dn_reply_kind;

/* "opt_out", "promise", "other". */
const char *reply_kind_name(dn_reply_kind k);

/* Classifies a reply's text (UTF-8; case, surrounding spaces and
 * punctuation ignored). Opt-out wins when the first word is a stop word;
 * a promise is a whole message of a yes word. Pure. */
dn_reply_kind reply_classify(const char *text);

/* Lowercases ASCII, Latvian letters with diacritics and Cyrillic into out
 * (always NUL-terminated, cut at a character boundary); other bytes are
 * copied. Pure; exposed for tests. */
void reply_fold(const char *in, char *out, size_t size);

/* One reply as received. customer_id (external) may be "" to look the
 * sender up by from: the phone number (sms) or chat handle (chat). */
typedef struct dn_reply_in {
    const char *channel;          /* "sms" or "chat" */
    const char *from;
    const char *customer_id;
    const char *text;
    const char *provider_id;      /* "" if none */
} dn_reply_in;

/* Applies one reply (see above) in one store transaction (call it outside
 * any transaction of the caller's); *result (new object)
 * = {"customer_id", "event_id", "classification", "opt_out_confirmation"
 * (contact id or null), "promise_id", "task_id", "duplicate"}. -ENOENT
 * (field "from" or "customer_id") for an unknown sender, -EINVAL for bad
 * fields. */
int reply_receive(dn_store *store, const dn_reply_in *in, int promise_days, dn_time now,
                  json_t **result, dn_err *err);

#endif
