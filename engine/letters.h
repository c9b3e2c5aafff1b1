/*
 * letters.h — recording when a printed letter was really posted. The
 * letter driver (channels/letter.c) writes the PDF and the contact becomes
 * "sent" then; the print room records the posting day afterwards
 * (POST /v1/letters/{id}/posted). Legal periods count from that day: a
 * notice letter written but not yet posted has not been given, so the
 * guard holds the escalation that must wait for it (docs/compliance.md).
 */
#ifndef DN_LETTERS_H
#define DN_LETTERS_H

#include <jansson.h>

#include "store.h"

/* Records that the letter of contact_id was posted on posted_on
 * (store.h record_letter_posted: not before the day it was written, not
 * after today; the same day again is fine): *out (new object) =
 * {"contact_id", "customer_id", "posted_on"}. -ENOENT for an unknown
 * letter, -EEXIST when it was not written (or was posted on another day),
 * -EINVAL for a day out of range. */
int letter_record_posted(dn_store *store, int64_t contact_id, dn_date posted_on, dn_time now,
                         json_t **out, dn_err *err);

#endif
