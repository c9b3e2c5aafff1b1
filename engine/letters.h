/*
 * letters.h — recording when a printed letter was really posted. The
 * letter driver (channels/letter.c) writes the PDF and the contact becomes
 * "sent" then; the print room records the posting date afterwards, which
 * becomes the notice's posting date the compliance guard counts legal
 * periods from (the earliest sent/delivered time of the case's notice).
 */
#ifndef DN_LETTERS_H
#define DN_LETTERS_H

#include <jansson.h>

#include "store.h"

/* Records that the letter of contact_id was posted on posted_on (not
 * before the day it was written, not after today): the contact becomes
 * "delivered" at that date's midnight UTC, an event "letter_posted" is
 * appended and the customer is due now. *out (new object) =
 * {"contact_id", "customer_id", "posted_on", "event_id"}. -ENOENT for an
 * unknown letter, -EEXIST when it was not sent (or already posted on
 * another day), -EINVAL for a date out of range. */
int letter_record_posted(dn_store *store, int64_t contact_id, dn_date posted_on, dn_time now,
                         json_t **out, dn_err *err);

#endif
