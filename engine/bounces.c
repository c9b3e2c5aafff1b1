/* bounces.c — delivery status notifications and complaint reports read
 * with GMime (bounces.h). */
#include "bounces.h"

#include <gmime/gmime.h>
#include <string.h>
#include <strings.h>

#define REPORT_DEPTH_MAX 4            /* a report forwarded inside a multipart, at most */
#define GROUPS_MAX (DN_BOUNCE_RECIPIENTS + 4)

static bool gmime_ready;

static void gmime_start(void)
{
    if (!gmime_ready) {
        g_mime_init();
        gmime_ready = true;
    }
}

void bounces_shutdown(void)
{
    if (gmime_ready) {
        g_mime_shutdown();
        gmime_ready = false;
    }
}

/* Copies a header value without surrounding white space (a field longer
 * than dst is cut: these are for matching and reasons, never re-sent). */
static void copy_trimmed(const char *value, char *dst, size_t size)
{
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r' ||
                 value[n - 1] == '\n'))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(dst, value, n);
    dst[n] = '\0';
}

/* The decoded body of a leaf part as a new memory stream positioned at its
 * start (the caller unrefs it), or NULL when out of memory. */
static GMimeStream *leaf_content(GMimeObject *part)
{
    GMimeStream *out = g_mime_stream_mem_new();
    if (!out)
        return NULL;
    GMimeDataWrapper *content = GMIME_IS_PART(part) ? g_mime_part_get_content(GMIME_PART(part))
                                                    : NULL;
    if (content && g_mime_data_wrapper_write_to_stream(content, out) < 0) {
        g_object_unref(out);
        return NULL;
    }
    g_mime_stream_reset(out);
    return out;
}

/* The fields of one report group, as GMime's header parser reads them. */
typedef void (*field_fn)(void *arg, int group, const char *name, const char *value);

/* Reads the blank-line separated field groups of a report body (RFC 3464
 * section 2.1; RFC 5965 has one group) from content, calling fn for each
 * field with the group's number (empty groups are not counted): each round
 * parses the next group as a message's headers, whose body is the rest.
 * Takes content over. Returns the number of groups, or -ENOMEM. */
static int read_groups(GMimeStream *content, field_fn fn, void *arg)
{
    int groups = 0, rc = 0;
    for (int round = 0; content && round < GROUPS_MAX; round++) {
        gint64 left = g_mime_stream_length(content);
        if (left <= 0)
            break;
        GMimeParser *parser = g_mime_parser_new_with_stream(content);
        GMimeMessage *group = parser ? g_mime_parser_construct_message(parser, NULL) : NULL;
        GMimeStream *rest = NULL;
        if (group) {
            GMimeHeaderList *fields = g_mime_object_get_header_list(GMIME_OBJECT(group));
            int n = g_mime_header_list_get_count(fields);
            for (int i = 0; i < n; i++) {
                GMimeHeader *h = g_mime_header_list_get_header_at(fields, i);
                fn(arg, groups, g_mime_header_get_name(h), g_mime_header_get_value(h));
            }
            groups += n > 0;
            GMimeObject *body = g_mime_message_get_mime_part(group);
            rest = body ? leaf_content(body) : NULL;
            if (body && !rest)
                rc = -ENOMEM;
            /* a round that consumed nothing would repeat forever */
            if (rest && g_mime_stream_length(rest) >= left) {
                g_object_unref(rest);
                rest = NULL;
            }
            g_object_unref(group);
        }
        if (parser)
            g_object_unref(parser);
        g_object_unref(content);
        content = rest;
    }
    if (content)
        g_object_unref(content);
    return rc < 0 ? rc : groups;
}

/* ---- the report's fields ---- */

typedef struct fields {
    dn_bounce_report *out;
    int recipient_group;              /* the group the current recipient came from */
} fields;

/* "rfc822;anna@example.lv" → "anna@example.lv" (RFC 3464 2.3.2:
 * address-type ";" generic-address). */
static void copy_address(const char *value, char *dst, size_t size)
{
    const char *semicolon = strchr(value, ';');
    copy_trimmed(semicolon ? semicolon + 1 : value, dst, size);
}

/* The status code at the start of a Status value ("5.1.1 (no such
 * user)" → "5.1.1"): digits and dots only. */
static void copy_status(const char *value, char *dst, size_t size)
{
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strspn(value, "0123456789.");
    if (n >= size)
        n = size - 1;
    memcpy(dst, value, n);
    dst[n] = '\0';
}

static void dsn_field(void *arg, int group, const char *name, const char *value)
{
    fields *f = arg;
    dn_bounce_report *r = f->out;
    bool per_recipient = strcasecmp(name, "Final-Recipient") == 0 ||
                         strcasecmp(name, "Action") == 0 || strcasecmp(name, "Status") == 0 ||
                         strcasecmp(name, "Diagnostic-Code") == 0;
    if (!per_recipient || !value)
        return;
    if (group != f->recipient_group) {
        if (r->n_recipients == DN_BOUNCE_RECIPIENTS)
            return;
        f->recipient_group = group;
        memset(&r->recipients[r->n_recipients++], 0, sizeof r->recipients[0]);
    }
    dn_bounce_recipient *rc = &r->recipients[r->n_recipients - 1];
    if (strcasecmp(name, "Final-Recipient") == 0)
        copy_address(value, rc->final_recipient, sizeof rc->final_recipient);
    else if (strcasecmp(name, "Action") == 0)
        copy_trimmed(value, rc->action, sizeof rc->action);
    else if (strcasecmp(name, "Status") == 0)
        copy_status(value, rc->status, sizeof rc->status);
    else
        copy_trimmed(value, rc->diagnostic, sizeof rc->diagnostic);
}

static void feedback_field(void *arg, int group, const char *name, const char *value)
{
    fields *f = arg;
    if (group == 0 && value && strcasecmp(name, "Feedback-Type") == 0)
        copy_trimmed(value, f->out->feedback_type, sizeof f->out->feedback_type);
}

/* RFC 3464 2.3.3: Action is one of these; 2.3.4: Status is
 * class "." subject "." detail with class 2, 4 or 5. */
static bool action_known(const char *action)
{
    static const char *const actions[] = { "failed", "delayed", "delivered", "relayed",
                                           "expanded" };
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcasecmp(action, actions[i]) == 0)
            return true;
    return false;
}

static bool status_valid(const char *status)
{
    if ((status[0] != '2' && status[0] != '4' && status[0] != '5') || status[1] != '.')
        return false;
    const char *second = strchr(status + 2, '.');
    return second && second > status + 2 && second[1] != '\0' && !strchr(second + 1, '.');
}

/* Checks what dsn_field collected: every recipient group has an address,
 * a known Action and a well-formed Status. */
static int check_recipients(const dn_bounce_report *r, dn_err *err)
{
    if (r->n_recipients == 0)
        return dn_err_set(err, -EINVAL, "Final-Recipient",
                          "the delivery status names no recipient");
    for (int i = 0; i < r->n_recipients; i++) {
        const dn_bounce_recipient *rc = &r->recipients[i];
        if (!rc->final_recipient[0])
            return dn_err_set(err, -EINVAL, "Final-Recipient",
                              "recipient %d of the delivery status has no Final-Recipient",
                              i + 1);
        if (!action_known(rc->action))
            return dn_err_set(err, -EINVAL, "Action", "recipient %d: Action must be failed, "
                              "delayed, delivered, relayed or expanded (RFC 3464 2.3.3)",
                              i + 1);
        if (!status_valid(rc->status))
            return dn_err_set(err, -EINVAL, "Status", "recipient %d: Status must be a code "
                              "like 5.1.1 (RFC 3464 2.3.4)", i + 1);
    }
    return 0;
}

/* ---- the MIME structure ---- */

typedef struct report_parts {
    GMimeObject *status;              /* message/delivery-status or feedback-report */
    GMimeObject *original;            /* message/rfc822, message/global (a message part) */
    GMimeObject *headers;             /* text/rfc822-headers, message/global-headers */
} report_parts;

static bool is_type(GMimeObject *o, const char *type, const char *subtype)
{
    return g_mime_content_type_is_type(g_mime_object_get_content_type(o), type, subtype);
}

/* The multipart/report at or under o (a report forwarded inside another
 * multipart), depth bounded; NULL if none. */
static GMimeObject *find_report(GMimeObject *o, int depth)
{
    if (!o || depth > REPORT_DEPTH_MAX)
        return NULL;
    if (is_type(o, "multipart", "report"))
        return o;
    if (!GMIME_IS_MULTIPART(o))
        return NULL;
    GMimeMultipart *mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
        GMimeObject *found = find_report(g_mime_multipart_get_part(mp, i), depth + 1);
        if (found)
            return found;
    }
    return NULL;
}

static void find_parts(GMimeObject *report, dn_bounce_kind kind, report_parts *p)
{
    memset(p, 0, sizeof *p);
    GMimeMultipart *mp = GMIME_MULTIPART(report);
    for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
        GMimeObject *part = g_mime_multipart_get_part(mp, i);
        bool status = kind == DN_BOUNCE_DSN
                          ? is_type(part, "message", "delivery-status") ||
                                is_type(part, "message", "global-delivery-status")
                          : is_type(part, "message", "feedback-report");
        if (status && !p->status)
            p->status = part;
        else if (GMIME_IS_MESSAGE_PART(part) && !p->original)
            p->original = part;
        else if ((is_type(part, "text", "rfc822-headers") ||
                  is_type(part, "message", "global-headers")) && !p->headers)
            p->headers = part;
    }
}

/* The Message-ID of the returned message or of its returned headers. */
static int original_message_id(const report_parts *p, char *out, size_t size, dn_err *err)
{
    out[0] = '\0';
    if (p->original) {
        GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(p->original));
        const char *id = m ? g_mime_message_get_message_id(m) : NULL;
        if (id)
            copy_trimmed(id, out, size);
    }
    if (!out[0] && p->headers) {
        GMimeStream *content = leaf_content(p->headers);
        if (!content)
            return dn_err_set(err, -ENOMEM, NULL, "out of memory reading the report");
        GMimeParser *parser = g_mime_parser_new_with_stream(content);
        GMimeMessage *m = parser ? g_mime_parser_construct_message(parser, NULL) : NULL;
        const char *id = m ? g_mime_message_get_message_id(m) : NULL;
        if (id)
            copy_trimmed(id, out, size);
        if (m)
            g_object_unref(m);
        if (parser)
            g_object_unref(parser);
        g_object_unref(content);
    }
    if (!out[0])
        return dn_err_set(err, -EINVAL, "Message-ID", "the report returns neither the original "
                          "message nor its headers with a Message-ID");
    return 0;
}

int bounce_parse(const char *raw, size_t len, dn_bounce_report *out, dn_err *err)
{
    memset(out, 0, sizeof *out);
    gmime_start();
    int rc = 0;
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
    GMimeParser *parser = stream ? g_mime_parser_new_with_stream(stream) : NULL;
    GMimeMessage *message = parser ? g_mime_parser_construct_message(parser, NULL) : NULL;
    if (!message) {
        rc = dn_err_set(err, -EINVAL, "Content-Type", "the body is not a mail message");
        goto done;
    }
    GMimeObject *report = find_report(g_mime_message_get_mime_part(message), 0);
    const char *type = report ? g_mime_object_get_content_type_parameter(report, "report-type")
                              : NULL;
    if (type && (strcasecmp(type, "delivery-status") == 0 ||
                 strcasecmp(type, "global-delivery-status") == 0))
        out->kind = DN_BOUNCE_DSN;
    else if (type && strcasecmp(type, "feedback-report") == 0)
        out->kind = DN_BOUNCE_COMPLAINT;
    else {
        rc = dn_err_set(err, -EINVAL, "Content-Type", "not a multipart/report with "
                        "report-type delivery-status (RFC 3464) or feedback-report (RFC 5965)");
        goto done;
    }
    report_parts parts;
    find_parts(report, out->kind, &parts);
    if (!parts.status) {
        rc = dn_err_set(err, -EINVAL, out->kind == DN_BOUNCE_DSN ? "message/delivery-status"
                                                                 : "message/feedback-report",
                        "the report has no %s part", out->kind == DN_BOUNCE_DSN
                            ? "message/delivery-status" : "message/feedback-report");
        goto done;
    }
    GMimeStream *content = leaf_content(parts.status);
    if (!content) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory reading the report");
        goto done;
    }
    fields f = { .out = out, .recipient_group = -1 };
    rc = read_groups(content, out->kind == DN_BOUNCE_DSN ? dsn_field : feedback_field, &f);
    if (rc < 0) {
        rc = dn_err_set(err, rc, NULL, "out of memory reading the report");
        goto done;
    }
    rc = out->kind == DN_BOUNCE_DSN ? check_recipients(out, err)
         : out->feedback_type[0] ? 0
         : dn_err_set(err, -EINVAL, "Feedback-Type", "the feedback report has no Feedback-Type "
                      "(RFC 5965 3.1)");
    if (rc == 0)
        rc = original_message_id(&parts, out->message_id, sizeof out->message_id, err);
done:
    if (message)
        g_object_unref(message);
    if (parser)
        g_object_unref(parser);
    if (stream)
        g_object_unref(stream);
    return rc;
}

dn_bounce_effect bounce_effect(const dn_bounce_report *r, int *recipient)
{
    *recipient = -1;
    if (r->kind == DN_BOUNCE_COMPLAINT) {
        /* RFC 6430 not-spam and RFC 6591 auth-failure are not the
         * recipient asking to hear no more */
        bool complaint = strcasecmp(r->feedback_type, "not-spam") != 0 &&
                         strcasecmp(r->feedback_type, "auth-failure") != 0;
        return complaint ? DN_BOUNCE_OPT_OUT : DN_BOUNCE_RECORDED;
    }
    int pick = 0;
    for (int i = 0; i < r->n_recipients; i++)
        if (strcasecmp(r->recipients[i].action, "failed") == 0) {
            pick = i;
            break;
        }
    *recipient = pick;
    const dn_bounce_recipient *rc = &r->recipients[pick];
    if (strcasecmp(rc->action, "failed") == 0)
        return rc->status[0] == '5' ? DN_BOUNCE_FAILED_PERMANENT : DN_BOUNCE_FAILED;
    if (strcasecmp(rc->action, "delivered") == 0)
        return DN_BOUNCE_DELIVERED;
    return DN_BOUNCE_RECORDED;
}
