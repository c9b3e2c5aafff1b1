/*
 * test_bounces.c — reading delivery status notifications (RFC 3464) and
 * complaint feedback reports (RFC 5965). The messages are written by hand
 * after the RFCs' own examples (RFC 3464 appendix C, RFC 5965 appendix B),
 * with the variations real mail systems produce: several recipients, a
 * folded Diagnostic-Code, a Status with a comment, a base64 part, a report
 * forwarded inside multipart/mixed, returned headers only. The expected
 * fields are read off the messages by hand; the effects follow RFC 3464
 * 2.3.3 (Action) and 2.3.4 (Status class 5 = permanent, 4 = persistent
 * transient) and RFC 5965 / 6430 / 6591 (feedback types).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bounces.h"

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* RFC 3464 C.1-like: one recipient, failed after five days of 4.0.0 */
static const char dsn_gave_up[] =
    "Date: Thu, 7 Jul 1994 17:16:05 -0400\n"
    "From: Mail Delivery Subsystem <MAILER-DAEMON@CS.UTK.EDU>\n"
    "Message-Id: <199407072116.RAA14128@CS.UTK.EDU>\n"
    "Subject: Returned mail: Cannot send message for 5 days\n"
    "To: <billing@telecom.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "    boundary=\"RAA14128.773615765/CS.UTK.EDU\"\n"
    "\n"
    "--RAA14128.773615765/CS.UTK.EDU\n"
    "\n"
    "   The original message was received at Sat, 2 Jul 1994 17:10:28 -0400\n"
    "\n"
    "--RAA14128.773615765/CS.UTK.EDU\n"
    "content-type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; cs.utk.edu\n"
    "\n"
    "Original-Recipient: rfc822;louisl@larry.slip.umd.edu\n"
    "Final-Recipient: rfc822;louisl@larry.slip.umd.edu\n"
    "Action: failed\n"
    "Status: 4.0.0\n"
    "Diagnostic-Code: smtp; 426 connection timed out\n"
    "Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400\n"
    "\n"
    "--RAA14128.773615765/CS.UTK.EDU\n"
    "content-type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <cu7-ca3-d5.12@telecom.example>\n"
    "Subject: Atgadinajums\n"
    "\n"
    "--RAA14128.773615765/CS.UTK.EDU--\n";

/* RFC 3464 C.3-like, CRLF: two recipients, the second failed for good
 * (folded diagnostic, Status with a comment); the whole original returned */
static const char dsn_two_recipients[] =
    "From: MAILER-DAEMON@mx.example.lv\r\n"
    "To: billing@telecom.example\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=\"delivery-status\"; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "This is the mail system at host mx.example.lv.\r\n"
    "--b1\r\n"
    "Content-Type: message/delivery-status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.lv\r\n"
    "Arrival-Date: Tue, 2 Jun 2026 09:00:05 +0300\r\n"
    "\r\n"
    "Final-Recipient: rfc822; other@example.lv\r\n"
    "Action: delayed\r\n"
    "Status: 4.4.1\r\n"
    "\r\n"
    "Final-Recipient: rfc822; anna@example.lv\r\n"
    "Original-Recipient: rfc822;anna@example.lv\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1 (bad destination mailbox address)\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <anna@example.lv>: Recipient address\r\n"
    "    rejected: User unknown\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: <billing@telecom.example>\r\n"
    "To: <anna@example.lv>\r\n"
    "Subject: =?UTF-8?B?QXRnxIFkaW7EgWp1bXM=?=\r\n"
    "Message-ID: <cu1-ca1-d5.42@telecom.example>\r\n"
    "\r\n"
    "Labdien!\r\n"
    "--b1--\r\n";

/* the machine part in base64, a delay only */
static const char dsn_delayed_base64[] =
    "From: MAILER-DAEMON@mx.example.lv\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=b2\n"
    "\n"
    "--b2\n"
    "Content-Type: message/delivery-status\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    /* "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; anna@example.lv\n"
       "Action: delayed\nStatus: 4.4.7\n" */
    "UmVwb3J0aW5nLU1UQTogZG5zOyBteAoKRmluYWwtUmVjaXBpZW50OiByZmM4MjI7IGFubmFAZXhh\n"
    "bXBsZS5sdgpBY3Rpb246IGRlbGF5ZWQKU3RhdHVzOiA0LjQuNwo=\n"
    "--b2\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <cu1-ca1-d5.42@telecom.example>\n"
    "--b2--\n";

/* a success DSN (NOTIFY=SUCCESS), forwarded inside multipart/mixed */
static const char dsn_delivered_forwarded[] =
    "From: postmaster@telecom.example\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=outer\n"
    "\n"
    "--outer\n"
    "Content-Type: text/plain\n"
    "\n"
    "forwarded for processing\n"
    "--outer\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.lv\n"
    "\n"
    "Final-Recipient: rfc822;anna@example.lv\n"
    "Action: delivered\n"
    "Status: 2.0.0\n"
    "\n"
    "--inner\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <cu1-ca1-d5.42@telecom.example>\n"
    "--inner--\n"
    "--outer--\n";

/* RFC 6533: the UTF-8 forms */
static const char dsn_global[] =
    "From: MAILER-DAEMON@mx.example.lv\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=global-delivery-status; boundary=g\n"
    "\n"
    "--g\n"
    "Content-Type: message/global-delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.lv\n"
    "\n"
    "Final-Recipient: utf-8; jānis@piemērs.lv\n"
    "Action: failed\n"
    "Status: 5.1.1\n"
    "\n"
    "--g\n"
    "Content-Type: message/global-headers\n"
    "\n"
    "Message-ID: <cu9-ca2-d7.77@telecom.example>\n"
    "--g--\n";

/* RFC 5965 appendix B, the original message returned whole */
static const char arf_abuse[] =
    "From: <abusedesk@example.com>\n"
    "Date: Thu, 8 Mar 2005 17:40:36 EDT\n"
    "Subject: FW: Earn money\n"
    "To: <abuse@example.net>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report;\n"
    "     boundary=\"part1_13d.2e68ed54_boundary\"\n"
    "\n"
    "--part1_13d.2e68ed54_boundary\n"
    "Content-Type: text/plain; charset=\"US-ASCII\"\n"
    "Content-Transfer-Encoding: 7bit\n"
    "\n"
    "This is an email abuse report for an email message received from IP\n"
    "192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.\n"
    "\n"
    "--part1_13d.2e68ed54_boundary\n"
    "Content-Type: message/feedback-report\n"
    "\n"
    "Feedback-Type: abuse\n"
    "User-Agent: SomeGenerator/1.0\n"
    "Version: 1\n"
    "Original-Mail-From: <billing@telecom.example>\n"
    "Original-Rcpt-To: <anna@example.lv>\n"
    "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n"
    "Reporting-MTA: dns; mail.example.com\n"
    "Source-IP: 192.0.2.1\n"
    "Authentication-Results: mail.example.com;\n"
    "               spf=fail smtp.mail=somespammer@example.com\n"
    "Reported-Domain: example.net\n"
    "\n"
    "--part1_13d.2e68ed54_boundary\n"
    "Content-Type: message/rfc822\n"
    "Content-Disposition: inline\n"
    "\n"
    "From: <billing@telecom.example>\n"
    "To: <anna@example.lv>\n"
    "Subject: Your invoice is overdue\n"
    "MIME-Version: 1.0\n"
    "Content-type: text/plain\n"
    "Message-ID: <cu1-ca1-d5.42@telecom.example>\n"
    "Date: Thu, 02 Sep 2004 12:31:03 -0500\n"
    "\n"
    "Please pay.\n"
    "--part1_13d.2e68ed54_boundary--\n";

/* RFC 6430: "not spam", headers returned only */
static const char arf_not_spam[] =
    "From: <fbl@example.com>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report; boundary=n\n"
    "\n"
    "--n\n"
    "Content-Type: message/feedback-report\n"
    "\n"
    "Feedback-Type: not-spam\n"
    "Version: 1\n"
    "\n"
    "--n\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <cu1-ca1-d5.42@telecom.example>\n"
    "--n--\n";

/* what is wrong with the next ones is named in the row */
static const char not_a_report[] =
    "From: anna@example.lv\nSubject: re: invoice\n\nI will pay on Friday.\n";
static const char mdn_report[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=disposition-notification; boundary=m\n"
    "\n--m\nContent-Type: message/disposition-notification\n\nDisposition: "
    "manual-action/MDN-sent-manually; displayed\n--m--\n";
static const char dsn_without_status_part[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n"
    "\n--x\nContent-Type: text/plain\n\nundeliverable\n--x--\n";
static const char dsn_without_status[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n"
    "\n--x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
    "Final-Recipient: rfc822; anna@example.lv\nAction: failed\n\n"
    "--x\nContent-Type: text/rfc822-headers\n\nMessage-ID: <a.1@b>\n--x--\n";
static const char dsn_bad_action[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n"
    "\n--x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
    "Final-Recipient: rfc822; anna@example.lv\nAction: bounced\nStatus: 5.1.1\n\n"
    "--x\nContent-Type: text/rfc822-headers\n\nMessage-ID: <a.1@b>\n--x--\n";
static const char dsn_short_status[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n"
    "\n--x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
    "Final-Recipient: rfc822; anna@example.lv\nAction: failed\nStatus: 5.1\n\n"
    "--x\nContent-Type: text/rfc822-headers\n\nMessage-ID: <a.1@b>\n--x--\n";
static const char dsn_no_recipient[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n"
    "\n--x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
    "--x\nContent-Type: text/rfc822-headers\n\nMessage-ID: <a.1@b>\n--x--\n";
static const char dsn_nothing_returned[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n"
    "\n--x\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
    "Final-Recipient: rfc822; anna@example.lv\nAction: failed\nStatus: 5.1.1\n--x--\n";
static const char arf_no_type[] =
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report; boundary=x\n"
    "\n--x\nContent-Type: message/feedback-report\n\nVersion: 1\n\n"
    "--x\nContent-Type: text/rfc822-headers\n\nMessage-ID: <a.1@b>\n--x--\n";

static void test_reports(void **state)
{
    (void)state;
    static const struct {
        const char *name, *raw;
        int rc;
        const char *field;                 /* when rc != 0 */
        dn_bounce_kind kind;
        const char *message_id, *feedback_type;
        int n_recipients;
        const char *recipient, *action, *status, *diagnostic;   /* the effect's group */
        dn_bounce_effect effect;
    } rows[] = {
        { "gave up after 5 days", dsn_gave_up, 0, NULL, DN_BOUNCE_DSN,
          "cu7-ca3-d5.12@telecom.example", "", 1, "louisl@larry.slip.umd.edu", "failed",
          "4.0.0", "smtp; 426 connection timed out", DN_BOUNCE_FAILED },
        { "two recipients, the second failed", dsn_two_recipients, 0, NULL, DN_BOUNCE_DSN,
          "cu1-ca1-d5.42@telecom.example", "", 2, "anna@example.lv", "failed", "5.1.1",
          /* unfolded (RFC 5322 2.2.3): the line break goes, its 4 spaces stay */
          "smtp; 550 5.1.1 <anna@example.lv>: Recipient address    rejected: User unknown",
          DN_BOUNCE_FAILED_PERMANENT },
        { "delayed, base64", dsn_delayed_base64, 0, NULL, DN_BOUNCE_DSN,
          "cu1-ca1-d5.42@telecom.example", "", 1, "anna@example.lv", "delayed", "4.4.7", "",
          DN_BOUNCE_RECORDED },
        { "delivered, forwarded", dsn_delivered_forwarded, 0, NULL, DN_BOUNCE_DSN,
          "cu1-ca1-d5.42@telecom.example", "", 1, "anna@example.lv", "delivered", "2.0.0", "",
          DN_BOUNCE_DELIVERED },
        { "global (UTF-8)", dsn_global, 0, NULL, DN_BOUNCE_DSN,
          "cu9-ca2-d7.77@telecom.example", "", 1, "jānis@piemērs.lv", "failed", "5.1.1", "",
          DN_BOUNCE_FAILED_PERMANENT },
        { "ARF abuse", arf_abuse, 0, NULL, DN_BOUNCE_COMPLAINT, "cu1-ca1-d5.42@telecom.example",
          "abuse", 0, NULL, NULL, NULL, NULL, DN_BOUNCE_OPT_OUT },
        { "ARF not-spam", arf_not_spam, 0, NULL, DN_BOUNCE_COMPLAINT,
          "cu1-ca1-d5.42@telecom.example", "not-spam", 0, NULL, NULL, NULL, NULL,
          DN_BOUNCE_RECORDED },
        { .name = "a reply, not a report", .raw = not_a_report, .rc = -EINVAL,
          .field = "Content-Type" },
        { .name = "a read receipt (MDN)", .raw = mdn_report, .rc = -EINVAL,
          .field = "Content-Type" },
        { .name = "no delivery-status part", .raw = dsn_without_status_part, .rc = -EINVAL,
          .field = "message/delivery-status" },
        { .name = "no Status", .raw = dsn_without_status, .rc = -EINVAL,
          .field = "Status" },
        { .name = "unknown Action", .raw = dsn_bad_action, .rc = -EINVAL,
          .field = "Action" },
        { .name = "Status 5.1", .raw = dsn_short_status, .rc = -EINVAL,
          .field = "Status" },
        { .name = "no recipient", .raw = dsn_no_recipient, .rc = -EINVAL,
          .field = "Final-Recipient" },
        { .name = "nothing of the original", .raw = dsn_nothing_returned, .rc = -EINVAL,
          .field = "Message-ID" },
        { .name = "no Feedback-Type", .raw = arf_no_type, .rc = -EINVAL,
          .field = "Feedback-Type" },
        { .name = "empty", .raw = "", .rc = -EINVAL, .field = "Content-Type" },
    };
    for (size_t i = 0; i < COUNT(rows); i++) {
        print_message("row %zu: %s\n", i, rows[i].name);
        dn_bounce_report r;
        dn_err err = { 0 };
        assert_int_equal(bounce_parse(rows[i].raw, strlen(rows[i].raw), &r, &err), rows[i].rc);
        if (rows[i].rc) {
            assert_string_equal(err.field, rows[i].field);
            continue;
        }
        assert_int_equal(r.kind, rows[i].kind);
        assert_string_equal(r.message_id, rows[i].message_id);
        assert_string_equal(r.feedback_type, rows[i].feedback_type);
        assert_int_equal(r.n_recipients, rows[i].n_recipients);
        int pick = -2;
        assert_int_equal(bounce_effect(&r, &pick), rows[i].effect);
        if (rows[i].kind == DN_BOUNCE_COMPLAINT) {
            assert_int_equal(pick, -1);
            continue;
        }
        assert_true(pick >= 0 && pick < r.n_recipients);
        assert_string_equal(r.recipients[pick].final_recipient, rows[i].recipient);
        assert_string_equal(r.recipients[pick].action, rows[i].action);
        assert_string_equal(r.recipients[pick].status, rows[i].status);
        assert_string_equal(r.recipients[pick].diagnostic, rows[i].diagnostic);
    }
    bounces_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
