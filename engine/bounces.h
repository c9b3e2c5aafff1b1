/*
 * bounces.h — what mail systems send back about the e-mails dunningd sent:
 * delivery status notifications (RFC 3464, "multipart/report;
 * report-type=delivery-status", and its UTF-8 form of RFC 6533) and
 * complaint feedback reports (ARF, RFC 5965, "multipart/report;
 * report-type=feedback-report"). The MIME structure is read with GMime
 * (Debian's libgmime-3.0); the report's fields are header blocks, which
 * GMime's header parser reads too (folding, comments kept in the value).
 *
 * bounce_parse is pure: it turns a raw message into a dn_bounce_report;
 * bounce_effect says what the report means for the contact (the API applies
 * it, api.c POST /v1/bounces). The original message is named by its
 * Message-ID, taken from the returned message (message/rfc822, message/
 * global) or its headers (text/rfc822-headers, message/global-headers).
 */
#ifndef DN_BOUNCES_H
#define DN_BOUNCES_H

#include "model.h"

#define DN_BOUNCE_RECIPIENTS 8    /* per-recipient groups read; more are ignored */

typedef enum dn_bounce_kind { DN_BOUNCE_DSN, DN_BOUNCE_COMPLAINT } dn_bounce_kind;

/* One per-recipient group of a DSN (RFC 3464 section 2.3). */
typedef struct dn_bounce_recipient {
    char final_recipient[DN_ADDR_MAX];    /* the address, "rfc822;" taken off */
    char action[16];                      /* failed, delayed, delivered, relayed, expanded */
    char status[16];                      /* "5.1.1": class.subject.detail */
    char diagnostic[200];                 /* Diagnostic-Code, "" if none */
} dn_bounce_recipient;

typedef struct dn_bounce_report {
    dn_bounce_kind kind;
    char message_id[300];                 /* the original message's, without <> */
    char feedback_type[32];               /* complaints: abuse, fraud, virus, other, ... */
    dn_bounce_recipient recipients[DN_BOUNCE_RECIPIENTS];
    int n_recipients;                     /* DSN: 1.. ; complaints: 0 */
} dn_bounce_report;

/* Parses a raw message (len bytes, any line ends). 0, or -EINVAL with
 * err->field naming what is missing or wrong: "Content-Type" (not a
 * multipart/report of a known report-type), "message/delivery-status" or
 * "message/feedback-report" (the machine-readable part), "Action",
 * "Status", "Final-Recipient", "Feedback-Type", or "Message-ID" (the report
 * returns nothing of the original message that names it). -ENOMEM. */
int bounce_parse(const char *raw, size_t len, dn_bounce_report *out, dn_err *err);

/* What a report does to the contact of the original message. */
typedef enum dn_bounce_effect {
    DN_BOUNCE_FAILED_PERMANENT,   /* Action failed, Status 5.x.x: the contact fails and the
                                     address is undeliverable */
    DN_BOUNCE_FAILED,             /* Action failed with another status (4.x.x: the mail
                                     system gave up retrying): the contact fails, the
                                     address stays */
    DN_BOUNCE_DELIVERED,          /* Action delivered: the contact is delivered */
    DN_BOUNCE_RECORDED,           /* delayed, relayed, expanded; a complaint of type
                                     not-spam or auth-failure: recorded, nothing changes */
    DN_BOUNCE_OPT_OUT             /* a complaint (abuse, fraud, virus, other): the customer
                                     opts out of e-mail */
} dn_bounce_effect;

/* The effect of r, and in *recipient the DSN group it comes from (the
 * first failed one, else the first): -1 for complaints. Pure. */
dn_bounce_effect bounce_effect(const dn_bounce_report *r, int *recipient);

/* Releases GMime's global state (at exit; GMime is set up on first use). */
void bounces_shutdown(void);

#endif
