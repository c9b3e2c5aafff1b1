/* replies.c — inbound replies (replies.h). */
#include "replies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_queue.h"
#include "store_modules.h"

#define SECONDS_PER_DAY 86400
#define REPLY_TEXT_MAX  1600      /* ten SMS segments; longer is refused */

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

static const dn_store_module_ops *inbound(const dn_store *store)
{
    return store->ops->modules;
}

/* Finds the customer the reply is from: by external id, or by the phone
 * number (given with or without its leading '+') or chat handle it came
 * from. */
static int find_sender(dn_store *store, const dn_reply_in *in, dn_customer *c, dn_err *err)
{
    if (in->customer_id && in->customer_id[0]) {
        int rc = store->ops->get_customer(store->ctx, in->customer_id, c, err);
        if (rc == -ENOENT)
            rc = dn_err_set(err, -ENOENT, "customer_id", "no customer %s", in->customer_id);
        return rc;
    }
    bool sms = strcmp(in->channel, "sms") == 0;
    int rc = inbound(store)->customer_find_by_address(store->ctx, in->channel, in->from, c, err);
    if (rc == 0 && sms && in->from[0] != '+') {
        char plus[DN_ADDR_MAX + 1];
        snprintf(plus, sizeof plus, "+%s", in->from);
        rc = inbound(store)->customer_find_by_address(store->ctx, in->channel, plus, c, err);
    }
    if (rc == 0)
        return dn_err_set(err, -ENOENT, "from", "no customer has the %s %s",
                          sms ? "phone number" : "chat handle", in->from);
    return rc < 0 ? rc : 0;
}

/* What makes a reply the same one again: the provider's id, which is unique
 * only per provider, so with the channel and the sender (a STOP must never
 * be taken for someone else's earlier reply). */
static int reply_digest(const dn_reply_in *in, char digest[65], dn_err *err)
{
    json_t *key = json_pack("[s, s, s, s]", in->channel, in->from ? in->from : "",
                            in->customer_id ? in->customer_id : "", in->provider_id);
    int rc = dn_store_inbound_digest(key, digest, err);
    json_decref(key);
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

/* An "opt_out" event; already = the customer was opted out of the channel
 * before. *event_id may be NULL. */
static int opt_out_event(dn_store *store, int64_t customer_id, const char *channel,
                         const char *source, bool already, dn_time now, int64_t *event_id,
                         dn_err *err)
{
    json_t *payload = json_pack("{s:s, s:s, s:b}", "channel", channel, "source", source,
                                "already", already);
    int rc = payload ? store->ops->append_event(store->ctx, customer_id, "opt_out", payload, now,
                                                event_id, err)
                     : dn_err_set(err, -ENOMEM, NULL, "out of memory");
    json_decref(payload);
    return rc;
}

/* Opts the customer out of the channel and, when that is news (they were
 * not opted out of it already), plans the one confirmation: its
 * idempotency key names this opt-out's event, so a second STOP while
 * opted out earns nothing, and a STOP after opting in again earns its own.
 * A STOP says "not to this number": every other customer with the same
 * phone (or chat handle) is opted out of that channel too, with an event
 * each; the confirmation goes only to the customer who wrote.
 * *confirmation is the planned contact's id, 0 if none. */
static int apply_opt_out(dn_store *store, const dn_customer *c, const char *channel,
                         dn_time now, int64_t *confirmation, dn_err *err)
{
    const char *address = strcmp(channel, "sms") == 0 ? c->phone : c->chat;
    int64_t *others = NULL, event_id = 0;
    size_t n = 0;
    bool news = false;
    *confirmation = 0;
    int rc = inbound(store)->opt_out_address(store->ctx, c->id, channel, address, now, &news,
                                             &others, &n, err);
    if (rc == 0)
        rc = opt_out_event(store, c->id, channel, "reply", !news, now, &event_id, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = opt_out_event(store, others[i], channel, "reply from a shared contact point", false,
                           now, NULL, err);
    free(others);
    if (rc || !news)
        return rc;
    char body[256];
    dn_strlcpy(body, confirmation_text(c->language), sizeof body);
    dn_contact_plan plan = { .body = body, .scheduled_at = now,
                             .purpose = DN_PURPOSE_OPTOUT_CONFIRM };
    snprintf(plan.idem_key, sizeof plan.idem_key, "optout-confirm-cu%lld-%s-ev%lld",
             (long long)c->id, channel, (long long)event_id);
    dn_strlcpy(plan.channel, channel, sizeof plan.channel);
    dn_strlcpy(plan.address, address, sizeof plan.address);
    dn_strlcpy(plan.template_name, "optout_confirm", sizeof plan.template_name);
    dn_strlcpy(plan.language, c->language, sizeof plan.language);
    dn_strlcpy(plan.tone, "neutral", sizeof plan.tone);
    return inbound(store)->contact_plan(store->ctx, c->id, &plan, now, confirmation, err);
}

/* The agent task's priority for a reply the engine could not classify. */
static int reply_priority(dn_store *store, int64_t customer_id, dn_time now, int *priority,
                          dn_err *err)
{
    dn_facts *f = malloc(sizeof *f);
    if (!f)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    int rc = store->ops->load_facts(store->ctx, customer_id, now, f, err);
    if (rc == 0) {
        dn_task_inputs ti;
        agent_task_inputs(f, now, &ti);
        *priority = agent_priority(&ti);
    }
    free(f);
    return rc;
}

int reply_receive(dn_store *store, const dn_reply_in *in, int promise_days, dn_time now,
                  json_t **result, dn_err *err)
{
    *result = NULL;
    int rc;
    if (!in->channel || (strcmp(in->channel, "sms") && strcmp(in->channel, "chat")))
        return dn_err_set(err, -EINVAL, "channel", "channel must be sms or chat");
    bool by_id = in->customer_id && in->customer_id[0];
    if ((rc = check_text_field(in->from, "from", DN_ADDR_MAX - 1, !by_id, err)) ||
        (rc = check_text_field(in->customer_id, "customer_id", DN_ID_MAX - 1, false, err)) ||
        (rc = check_text_field(in->text, "text", REPLY_TEXT_MAX, false, err)) ||
        (rc = check_text_field(in->provider_id, "provider_id", 128, false, err)))
        return rc;
    if (!in->text)
        return dn_err_set(err, -EINVAL, "text", "text is required (it may be empty)");
    bool once = in->provider_id && in->provider_id[0];
    char digest[65];
    if (once && (rc = reply_digest(in, digest, err)))
        return rc;

    dn_reply_kind kind = reply_classify(in->text);
    int64_t event_id = 0, confirmation = 0, promise_id = 0, task_id = 0;
    dn_customer c;
    json_t *res = NULL, *payload = NULL;
    if ((rc = store->ops->begin(store->ctx, err)))
        return rc;
    if (once) {
        json_t *earlier = NULL;
        rc = inbound(store)->inbound_claim(store->ctx, "reply", digest, now, &earlier, err);
        if (rc == 1 && json_is_object(earlier)) {   /* applied before: the same answer */
            store->ops->rollback(store->ctx);
            json_object_set_new(earlier, "duplicate", json_true());
            *result = earlier;
            return 0;
        }
        if (rc == 1)
            rc = dn_err_set(err, -EIO, "provider_id", "reply %s was seen without a result",
                            in->provider_id);
        json_decref(earlier);
        if (rc)
            goto done;
    }
    if ((rc = find_sender(store, in, &c, err)))
        goto done;
    if (kind == DN_REPLY_OPT_OUT) {
        rc = apply_opt_out(store, &c, in->channel, now, &confirmation, err);
    } else if (kind == DN_REPLY_PROMISE) {
        dn_date due = (dn_date)(now / SECONDS_PER_DAY) + promise_days;
        rc = agent_promise_insert(store, c.id, 0, due, now, &promise_id, err);
        if (rc == -EINVAL) {          /* nothing owed: the reply is only recorded */
            dn_err_clear(err);
            rc = 0;
        }
    } else {
        int priority = 0;
        /* the text as far as it fits, cut between characters */
        size_t shown = strlen(in->text) < 200 ? strlen(in->text) : 200;
        while (shown > 0 && ((unsigned char)in->text[shown] & 0xc0) == 0x80)
            shown--;
        char reason[DN_NAME_MAX];
        snprintf(reason, sizeof reason, "reply (%s): %.*s", in->channel, (int)shown, in->text);
        rc = reply_priority(store, c.id, now, &priority, err);
        if (rc == 0)
            rc = agent_task_create(store, c.id, 0, "reply", reason, priority, now, &task_id, err);
    }
    /* the last message on that channel was answered */
    if (rc || (rc = inbound(store)->contact_mark_replied(store->ctx, c.id, in->channel, now, err)))
        goto done;
    res = json_pack("{s:s, s:s, s:o, s:o, s:o}", "customer_id", c.external_id,
                    "classification", reply_kind_name(kind), "opt_out_confirmation",
                    confirmation ? json_integer(confirmation) : json_null(), "promise_id",
                    promise_id ? json_integer(promise_id) : json_null(), "task_id",
                    task_id ? json_integer(task_id) : json_null());
    payload = res ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "channel", in->channel,
                              "from", in->from ? in->from : "", "customer_ref",
                              in->customer_id ? in->customer_id : "", "text", in->text,
                              "classification", reply_kind_name(kind), "provider_id",
                              in->provider_id ? in->provider_id : "", "result", res)
                  : NULL;
    if (!payload) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto done;
    }
    rc = store->ops->append_event(store->ctx, c.id, "reply", payload, now, &event_id, err);
    if (rc == 0)
        rc = store->ops->touch_customer(store->ctx, c.id, now, err);
    if (rc == 0) {
        json_object_set_new(res, "event_id", json_integer(event_id));
        json_object_set_new(res, "duplicate", json_false());
        if (once)
            rc = inbound(store)->inbound_settle(store->ctx, "reply", digest, c.id, res, err);
    }
done:
    json_decref(payload);
    rc = dn_store_finish(store, rc, err);
    if (rc) {
        json_decref(res);
        return rc;
    }
    *result = res;
    return 0;
}
