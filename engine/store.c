/* store.c — picks the storage backend from a DSN and frees what the store
 * hands out. Backend code lives in store_<backend>.c. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dsn: "sqlite:PATH", a plain file path (SQLite), or "mariadb://..."
 * (MariaDB; store_mariadb.h). schema_root is the folder holding one migration
 * folder per backend (schema_root/sqlite/NNN_name.sql, schema_root/mariadb/...). On success s->ops and
 * s->ctx are set and the caller closes with dn_store_close; on failure s is
 * left empty ({NULL, NULL}). */
int dn_store_open(dn_store *s, const char *dsn, const char *schema_root, dn_err *err)
{
    static const char sqlite_prefix[] = "sqlite:";
    static const char mariadb_prefix[] = "mariadb://";
    s->ops = NULL;
    s->ctx = NULL;
    if (!dsn || !*dsn)
        return dn_err_set(err, -EINVAL, "dsn", "the store DSN is empty");
    if (!schema_root || !*schema_root)
        return dn_err_set(err, -EINVAL, "schema_root", "the schema folder is not set");
    if (strncmp(dsn, mariadb_prefix, sizeof mariadb_prefix - 1) == 0) {
        void *ctx = NULL;
        int rc = dn_store_mariadb.open(&ctx, dsn, schema_root, err);
        if (rc < 0)
            return rc;
        s->ops = &dn_store_mariadb;
        s->ctx = ctx;
        return 0;
    }
    const char *path = dsn;
    if (strncmp(dsn, sqlite_prefix, sizeof sqlite_prefix - 1) == 0)
        path = dsn + sizeof sqlite_prefix - 1;
    if (!*path)
        return dn_err_set(err, -EINVAL, "dsn", "the SQLite DSN names no file");
    void *ctx = NULL;
    int rc = dn_store_sqlite.open(&ctx, path, schema_root, err);
    if (rc < 0)
        return rc;
    s->ops = &dn_store_sqlite;
    s->ctx = ctx;
    return 0;
}

/* Closes an open store; safe on an empty or already closed one. */
void dn_store_close(dn_store *s)
{
    if (!s || !s->ops)
        return;
    s->ops->close(s->ctx);
    s->ops = NULL;
    s->ctx = NULL;
}

/* Frees the bodies and the array from claim_outbox; items may be NULL. */
void dn_outbox_items_free(dn_outbox_item *items, int n)
{
    if (!items)
        return;
    for (int i = 0; i < n; i++)
        free(items[i].body);
    free(items);
}

int store_check_provider_id(const char *id, dn_err *err)
{
    if (!id || !*id || strlen(id) > DN_PROVIDER_ID_MAX || !dn_utf8_valid(id) ||
        strpbrk(id, " \t\r\n"))
        return dn_err_set(err, -EINVAL, "provider_id", "a provider id is 1..%d bytes of UTF-8 "
                          "without spaces", DN_PROVIDER_ID_MAX);
    return 0;
}

int store_provider_ids_add(char *list, size_t size, const char *id, dn_err *err)
{
    size_t len = strlen(list), n = strlen(id);
    for (const char *p = list; *p;) {
        size_t word = strcspn(p, " ");
        if (word == n && memcmp(p, id, n) == 0)
            return 0;
        p += word;
        p += *p == ' ';
    }
    size_t grown = len + (len ? 1 : 0) + n;
    if (grown > DN_PROVIDER_IDS_MAX || grown + 1 > size)
        return dn_err_set(err, -ENOSPC, "provider_id", "the contact already holds %zu bytes of "
                          "provider ids", len);
    if (len)
        list[len++] = ' ';
    memcpy(list + len, id, n + 1);
    return 1;
}

int store_check_chat_sender(const char *chat_id, const char **username, dn_err *err)
{
    if (!chat_id || !*chat_id || strlen(chat_id) >= DN_ADDR_MAX || !dn_utf8_valid(chat_id))
        return dn_err_set(err, -EINVAL, "chat_id", "a chat id is 1..%d bytes of UTF-8",
                          DN_ADDR_MAX - 1);
    if (!*username || !**username)
        *username = chat_id;
    else if (strlen(*username) >= DN_ADDR_MAX || !dn_utf8_valid(*username))
        return dn_err_set(err, -EINVAL, "username", "a username is at most %d bytes of UTF-8",
                          DN_ADDR_MAX - 1);
    return 0;
}

int store_no_chat_sender(const char *chat_id, const char *username, dn_err *err)
{
    if (username != chat_id && strcmp(username, chat_id) != 0)
        return dn_err_set(err, -ENOENT, "from", "no customer has the chat handle %s or @%s",
                          chat_id, username);
    return dn_err_set(err, -ENOENT, "from", "no customer has the chat handle %s", chat_id);
}

void store_notice_posted(dn_facts *f, bool notice_sent, dn_time sent_at,
                         dn_date letter_posted_on)
{
    if (notice_sent) {
        f->notice_posted = true;
        f->notice_posted_at = sent_at;
        f->notice_posted_on = (dn_date)(sent_at / 86400);
    }
    if (letter_posted_on != DN_NO_DATE &&
        (!f->notice_posted || letter_posted_on < f->notice_posted_on)) {
        f->notice_posted = true;
        f->notice_posted_at = 0;
        f->notice_posted_on = letter_posted_on;
    }
}

int store_check_letter_posted(int64_t contact_id, const char *state, dn_time written_at,
                              dn_date posted, dn_date posted_on, dn_time now, dn_err *err)
{
    static const char *const written[] = { "sent", "delivered", "answered", "replied" };
    bool was_written = false;
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        was_written |= strcmp(state, written[i]) == 0;
    if (!was_written)
        return dn_err_set(err, -EEXIST, "id", "letter %lld is %s, not written yet",
                          (long long)contact_id, state);
    if (posted != DN_NO_DATE) {
        if (posted == posted_on)
            return 0;
        char day[11];
        dn_date_format(posted, day);
        return dn_err_set(err, -EEXIST, "posted_on", "letter %lld was recorded as posted on %s",
                          (long long)contact_id, day);
    }
    dn_date written_on = (dn_date)(written_at / 86400);
    dn_date today = (dn_date)((now + 14 * 3600) / 86400);
    char day[11];
    if (posted_on < written_on) {
        dn_date_format(written_on, day);
        return dn_err_set(err, -EINVAL, "posted_on", "letter %lld was written on %s; it cannot "
                          "have been posted before", (long long)contact_id, day);
    }
    if (posted_on > today) {
        dn_date_format(today, day);
        return dn_err_set(err, -EINVAL, "posted_on", "posted_on is after today (%s)", day);
    }
    return 1;
}

int store_undeliverable_bit(const char *channel, const char *sent_to, const char *email,
                            const char *phone, const char *chat, bool *marked, dn_err *err)
{
    static const struct { const char *channel; int bit; int address; } table[] = {
        { "sms", DN_OPTOUT_SMS, 1 }, { "voice", DN_OPTOUT_VOICE, 1 },
        { "email", DN_OPTOUT_EMAIL, 0 }, { "chat", DN_OPTOUT_CHAT, 2 },
    };
    const char *current[3] = { email, phone, chat };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(channel, table[i].channel) != 0)
            continue;
        *marked = sent_to[0] && strcmp(current[table[i].address], sent_to) == 0;
        return table[i].bit;
    }
    return dn_err_set(err, -EINVAL, "channel", "a %s contact has no address to mark", channel);
}

int store_check_contact_texts(const char *reason, const char *idem_key, dn_err *err)
{
    if (reason && !dn_utf8_valid(reason))
        return dn_err_set(err, -EINVAL, "reason", "text is not valid UTF-8");
    if (idem_key && !dn_utf8_valid(idem_key))
        return dn_err_set(err, -EINVAL, "idem_key", "text is not valid UTF-8");
    return 0;
}

int store_check_contact_event(const char *kind, const json_t *payload, const char *idem_key,
                              dn_err *err)
{
    if (!kind || !*kind || !dn_utf8_valid(kind) || !json_is_object(payload))
        return dn_err_set(err, -EINVAL, kind && *kind ? "payload" : "kind",
                          "an event needs a kind and a JSON object");
    return store_check_contact_texts(NULL, idem_key, err);
}
