/* replies.c — inbound replies (replies.h). */
#include "replies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_queue.h"
#include "store_ext.h"

#define SECONDS_PER_DAY 86400

const char *reply_kind_name(dn_reply_kind k)
{
    switch (k) {
    case DN_REPLY_OPT_OUT: return "opt_out";
    case DN_REPLY_PROMISE: return "promise";
    default:               return "other";
    }
}

/* ---- text (pure) ---- */

/* Decodes one UTF-8 character at s (len bytes available); returns its
 * length, or 0 for an invalid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || n > len)
        return 0;
    unsigned v = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return n;
}

static size_t utf8_encode(unsigned cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Lowercase of the letters customers here write: ASCII, Latin Extended-A
 * (Latvian ā č ē ģ ī ķ ļ ņ š ū ž) and basic Cyrillic. */
static unsigned fold_cp(unsigned cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14a && cp <= 0x177))
        return cp % 2 == 0 ? cp + 1 : cp;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
        return cp % 2 == 1 ? cp + 1 : cp;
    if (cp >= 0x410 && cp <= 0x42f)
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40f)
        return cp + 0x50;
    return cp;
}

void reply_fold(const char *in, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t len = strlen(in), o = 0;
    if (size == 0)
        return;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        char enc[4];
        size_t n = utf8_decode(s + i, len - i, &cp), m;
        if (n == 0) {
            enc[0] = (char)s[i];
            n = m = 1;
        } else {
            m = utf8_encode(fold_cp(cp), enc);
        }
        if (o + m >= size)
            break;
        memcpy(out + o, enc, m);
        o += m;
        i += n;
    }
    out[o] = '\0';
}

static bool trim_char(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '.' || c == ',' ||
           c == '!' || c == '?' || c == ';' || c == ':' || c == '"' || c == '\'' ||
           c == '(' || c == ')' || c == '-';
}

static bool in_list(const char *word, size_t len, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == len && memcmp(list[i], word, len) == 0)
            return true;
    return false;
}

dn_reply_kind reply_classify(const char *text)
{
    static const char *const stop_words[] = {
        "stop", "stopp", "unsubscribe", "optout",                    /* en */
        "beigt", "atteikties", "atrakstīties", "pārtraukt",          /* lv */
        "стоп", "отписаться", "отписка", "отказ",                    /* ru */
        NULL,
    };
    static const char *const yes_words[] = {
        "1", "yes", "y", "jā", "ja", "да", "da", NULL,
    };
    char folded[256];
    reply_fold(text ? text : "", folded, sizeof folded);
    const char *s = folded;
    size_t len = strlen(s);
    while (len && trim_char(*s)) {
        s++;
        len--;
    }
    while (len && trim_char(s[len - 1]))
        len--;
    size_t first = 0;
    while (first < len && s[first] != ' ' && !trim_char(s[first]))
        first++;
    if (first && in_list(s, first, stop_words))
        return DN_REPLY_OPT_OUT;
    if (len && in_list(s, len, yes_words))
        return DN_REPLY_PROMISE;
    return DN_REPLY_OTHER;
}

/* ---- applying a reply ---- */

static const char *confirmation_text(const char *language)
{
    if (strcmp(language, "lv") == 0)
        return "Jūs esat atteicies no ziņām šajā kanālā. Vairs šeit nerakstīsim.";
    if (strcmp(language, "ru") == 0)
        return "Вы отписались от сообщений в этом канале. Мы больше не будем сюда писать.";
    return "You have opted out of messages on this channel. We will not write here again.";
}

/* Finds the customer (store id, language, address on the channel). */
static int find_sender(sqlite3 *db, const dn_reply_in *in, int64_t *id, char *external,
                       char *language, char *address, dn_err *err)
{
    bool by_id = in->customer_id && in->customer_id[0];
    bool sms = strcmp(in->channel, "sms") == 0;
    const char *sql = by_id ? "SELECT id, external_id, language, phone, chat FROM customers "
                              "WHERE external_id = ?1"
                      : sms ? "SELECT id, external_id, language, phone, chat FROM customers "
                              "WHERE phone = ?1 OR phone = '+' || ?1 ORDER BY id LIMIT 1"
                            : "SELECT id, external_id, language, phone, chat FROM customers "
                              "WHERE chat = ?1 ORDER BY id LIMIT 1";
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db, sql, &st, "reply: find the customer", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, by_id ? in->customer_id : in->from, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        store_ext_column_text(st, 1, external, DN_ID_MAX);
        store_ext_column_text(st, 2, language, DN_LANG_MAX);
        store_ext_column_text(st, sms ? 3 : 4, address, DN_ADDR_MAX);
    } else if (step == SQLITE_DONE) {
        rc = by_id ? dn_err_set(err, -ENOENT, "customer_id", "no customer %s", in->customer_id)
                   : dn_err_set(err, -ENOENT, "from", "no customer has the %s %s",
                                sms ? "phone number" : "chat handle", in->from);
    } else {
        rc = store_ext_fail(db, step, "reply: find the customer", err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The result of an earlier reply with the same provider id from the same
 * sender on the same channel, or 0. Provider ids are unique only per
 * provider: two gateways, or SMS and chat, may reuse one, and a STOP must
 * never be taken for someone else's earlier reply. */
static int earlier_reply(sqlite3 *db, const dn_reply_in *in, json_t **result, dn_err *err)
{
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "SELECT json_extract(payload, '$.result') FROM events WHERE kind = "
                               "'reply' AND json_extract(payload, '$.provider_id') = ?1 "
                               "AND json_extract(payload, '$.channel') = ?2 "
                               "AND json_extract(payload, '$.from') = ?3 "
                               "AND json_extract(payload, '$.customer_ref') = ?4 "
                               "ORDER BY id LIMIT 1",
                               &st, "reply: duplicate check", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, in->provider_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, in->channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, in->from ? in->from : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, in->customer_id ? in->customer_id : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        *result = text ? json_loads(text, 0, NULL) : NULL;
        if (*result)
            json_object_set_new(*result, "duplicate", json_true());
        rc = *result ? 1 : 0;
    } else if (step != SQLITE_DONE) {
        rc = store_ext_fail(db, step, "reply: duplicate check", err);
    }
    sqlite3_finalize(st);
    return rc;
}

static int check_text_field(const char *value, const char *field, size_t max, bool required,
                            dn_err *err)
{
    if (required && (!value || !value[0]))
        return dn_err_set(err, -EINVAL, field, "%s is required", field);
    if (value && (strlen(value) > max || !dn_utf8_valid(value)))
        return dn_err_set(err, -EINVAL, field, "%s must be UTF-8 text of at most %zu bytes",
                          field, max);
    return 0;
}

/* Opt-out of the channel and its one confirmation (unique idem key). */
/* A STOP says "not to this number": every other customer with the same
 * phone (or chat handle) is opted out of that channel too, with an event
 * each (for the first 64); the one confirmation goes only to the customer
 * who wrote. */
static int opt_out_shared_address(sqlite3 *db, int64_t customer_id, const char *channel,
                                  const char *address, dn_time now, dn_err *err)
{
    bool sms = strcmp(channel, "sms") == 0;
    unsigned bit = sms ? DN_OPTOUT_SMS : DN_OPTOUT_CHAT;
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               sms ? "UPDATE customers SET opt_out = opt_out | ?3, updated_at = ?4 "
                                     "WHERE phone = ?1 AND id <> ?2 AND (opt_out & ?3) = 0 "
                                     "RETURNING id"
                                   : "UPDATE customers SET opt_out = opt_out | ?3, updated_at = ?4 "
                                     "WHERE chat = ?1 AND id <> ?2 AND (opt_out & ?3) = 0 "
                                     "RETURNING id",
                               &st, "reply: opt-out of a shared address", err);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, customer_id);
    sqlite3_bind_int(st, 3, (int)bit);
    sqlite3_bind_int64(st, 4, now);
    int64_t others[64];
    int n = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (n < (int)(sizeof others / sizeof others[0]))
            others[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return store_ext_fail(db, step, "reply: opt-out of a shared address", err);
    for (int i = 0; i < n && rc == 0; i++) {
        json_t *payload = json_pack("{s:s, s:s}", "channel", channel, "source",
                                    "reply from a shared contact point");
        rc = payload ? store_ext_event(db, others[i], "opt_out", payload, now, NULL, err)
                     : dn_err_set(err, -ENOMEM, NULL, "out of memory");
        json_decref(payload);
    }
    return rc;
}

static int apply_opt_out(sqlite3 *db, int64_t customer_id, const char *channel,
                         const char *language, const char *address, dn_time now,
                         int64_t *confirmation, dn_err *err)
{
    unsigned bit = strcmp(channel, "sms") == 0 ? DN_OPTOUT_SMS : DN_OPTOUT_CHAT;
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "UPDATE customers SET opt_out = opt_out | ?2, updated_at = ?3 "
                               "WHERE id = ?1",
                               &st, "reply: opt-out", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int(st, 2, (int)bit);
    sqlite3_bind_int64(st, 3, now);
    if ((rc = store_ext_run(db, st, "reply: opt-out", err)))
        return rc;
    json_t *payload = json_pack("{s:s, s:s}", "channel", channel, "source", "reply");
    rc = payload ? store_ext_event(db, customer_id, "opt_out", payload, now, NULL, err)
                 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
    json_decref(payload);
    if (rc)
        return rc;
    char idem[128];
    snprintf(idem, sizeof idem, "optout-confirm-cu%lld-%s", (long long)customer_id, channel);
    rc = store_ext_prepare(db,
                           "INSERT INTO contacts (customer_id, case_id, idem_key, step_day, "
                           "channel, address, template, language, tone, body, scheduled_at, "
                           "state, created_at, updated_at, purpose) VALUES (?1, (SELECT id FROM "
                           "cases WHERE customer_id = ?1 AND closed_at IS NULL ORDER BY id DESC "
                           "LIMIT 1), ?2, 0, ?3, ?4, 'optout_confirm', ?5, 'neutral', ?6, ?7, "
                           "'planned', ?7, ?7, 'optout_confirm') ON CONFLICT (idem_key) DO "
                           "NOTHING",
                           &st, "reply: opt-out confirmation", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_text(st, 2, idem, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, address, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, language, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, confirmation_text(language), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now);
    if ((rc = store_ext_run(db, st, "reply: opt-out confirmation", err)))
        return rc;
    *confirmation = sqlite3_changes(db) ? sqlite3_last_insert_rowid(db) : 0;
    return 0;
}

int reply_receive(dn_store *store, const dn_reply_in *in, int promise_days, dn_time now,
                  json_t **result, dn_err *err)
{
    *result = NULL;
    sqlite3 *db = store_ext_db(store, "inbound replies", err);
    if (!db)
        return -ENOTSUP;
    int rc;
    if (!in->channel || (strcmp(in->channel, "sms") && strcmp(in->channel, "chat")))
        return dn_err_set(err, -EINVAL, "channel", "channel must be sms or chat");
    bool by_id = in->customer_id && in->customer_id[0];
    if ((rc = check_text_field(in->from, "from", DN_ADDR_MAX - 1, !by_id, err)) ||
        (rc = check_text_field(in->customer_id, "customer_id", DN_ID_MAX - 1, false, err)) ||
        (rc = check_text_field(in->text, "text", DN_REPLY_TEXT_MAX, false, err)) ||
        (rc = check_text_field(in->provider_id, "provider_id", 128, false, err)))
        return rc;
    if (!in->text)
        return dn_err_set(err, -EINVAL, "text", "text is required (it may be empty)");
    if (in->provider_id && in->provider_id[0] &&
        (rc = earlier_reply(db, in, result, err)) != 0)
        return rc < 0 ? rc : 0;

    int64_t customer_id = 0, event_id = 0, confirmation = 0, promise_id = 0, task_id = 0;
    char external[DN_ID_MAX], language[DN_LANG_MAX], address[DN_ADDR_MAX];
    if ((rc = find_sender(db, in, &customer_id, external, language, address, err)))
        return rc;
    dn_reply_kind kind = reply_classify(in->text);
    int priority = 0;
    if (kind == DN_REPLY_OTHER) {
        dn_facts *f = malloc(sizeof *f);
        if (!f)
            return dn_err_set(err, -ENOMEM, NULL, "out of memory");
        dn_task_inputs ti;
        rc = store->ops->load_facts(store->ctx, customer_id, now, f, err);
        if (rc == 0) {
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
    if (kind == DN_REPLY_OPT_OUT) {
        rc = apply_opt_out(db, customer_id, in->channel, language, address, now, &confirmation,
                           err);
        if (rc == 0 && address[0])
            rc = opt_out_shared_address(db, customer_id, in->channel, address, now, err);
    } else if (kind == DN_REPLY_PROMISE) {
        dn_date due = (dn_date)(now / SECONDS_PER_DAY) + promise_days;
        rc = agent_promise_insert(db, customer_id, 0, due, now, &promise_id, err);
        if (rc == -EINVAL) {          /* nothing owed: the reply is only recorded */
            dn_err_clear(err);
            rc = 0;
        }
    } else {
        char reason[DN_NAME_MAX];
        snprintf(reason, sizeof reason, "reply (%s): %.200s", in->channel, in->text);
        rc = agent_task_create(store, customer_id, 0, "reply", reason, priority, now, &task_id,
                               err);
    }
    if (rc)
        goto fail;
    /* the last message on that channel was answered */
    sqlite3_stmt *st;
    rc = store_ext_prepare(db,
                           "UPDATE contacts SET state = 'replied', updated_at = ?3 WHERE id = "
                           "(SELECT id FROM contacts WHERE customer_id = ?1 AND channel = ?2 AND "
                           "state IN ('sent', 'delivered') AND purpose <> 'optout_confirm' "
                           "ORDER BY scheduled_at DESC, id DESC LIMIT 1)",
                           &st, "reply: mark the contact replied", err);
    if (rc)
        goto fail;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_text(st, 2, in->channel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    if ((rc = store_ext_run(db, st, "reply: mark the contact replied", err)))
        goto fail;

    json_t *res = json_object();
    if (!res) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto fail;
    }
    json_object_set_new(res, "customer_id", json_string(external));
    json_object_set_new(res, "classification", json_string(reply_kind_name(kind)));
    json_object_set_new(res, "opt_out_confirmation",
                        confirmation ? json_integer(confirmation) : json_null());
    json_object_set_new(res, "promise_id", promise_id ? json_integer(promise_id) : json_null());
    json_object_set_new(res, "task_id", task_id ? json_integer(task_id) : json_null());
    json_t *payload = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "channel", in->channel,
                                "from", in->from ? in->from : "", "customer_ref",
                                in->customer_id ? in->customer_id : "", "text", in->text,
                                "classification", reply_kind_name(kind), "provider_id",
                                in->provider_id ? in->provider_id : "", "result", res);
    if (!payload) {
        json_decref(res);
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto fail;
    }
    rc = store_ext_event(db, customer_id, "reply", payload, now, &event_id, err);
    json_decref(payload);
    if (rc == 0)
        rc = store_ext_due(db, customer_id, now, err);
    if (rc == 0)
        rc = store_ext_commit(&tx, err);
    if (rc) {
        json_decref(res);
        goto fail;
    }
    json_object_set_new(res, "event_id", json_integer(event_id));
    json_object_set_new(res, "duplicate", json_false());
    *result = res;
    return 0;
fail:
    store_ext_abort(&tx);
    return rc;
}
