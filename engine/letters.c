/* letters.c — the posting date of printed letters (letters.h). */
#include "letters.h"

#include <string.h>

#include "store_ext.h"

#define SECONDS_PER_DAY 86400

int letter_record_posted(dn_store *store, int64_t contact_id, dn_date posted_on, dn_time now,
                         json_t **out, dn_err *err)
{
    *out = NULL;
    sqlite3 *db = store_ext_db(store, "letters", err);
    if (!db)
        return -ENOTSUP;
    sqlite3_stmt *st;
    int rc = store_ext_prepare(db,
                               "SELECT k.customer_id, c.external_id, k.state, k.created_at, "
                               "k.updated_at FROM contacts k JOIN customers c ON c.id = "
                               "k.customer_id WHERE k.id = ?1 AND k.channel = 'letter'",
                               &st, "letter: read", err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, contact_id);
    int64_t customer_id = 0;
    char external[DN_ID_MAX], state[16];
    dn_time created = 0, updated = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        customer_id = sqlite3_column_int64(st, 0);
        store_ext_column_text(st, 1, external, sizeof external);
        store_ext_column_text(st, 2, state, sizeof state);
        created = sqlite3_column_int64(st, 3);
        updated = sqlite3_column_int64(st, 4);
    } else if (step == SQLITE_DONE) {
        rc = dn_err_set(err, -ENOENT, "id", "no letter %lld", (long long)contact_id);
    } else {
        rc = store_ext_fail(db, step, "letter: read", err);
    }
    sqlite3_finalize(st);
    if (rc)
        return rc;
    dn_time posted = (dn_time)posted_on * SECONDS_PER_DAY;
    if (strcmp(state, "delivered") == 0) {
        if (updated == posted)
            goto reply;           /* recorded before: the same answer */
        return dn_err_set(err, -EEXIST, "posted_on", "letter %lld was already recorded as "
                          "posted on another day", (long long)contact_id);
    }
    if (strcmp(state, "sent") != 0)
        return dn_err_set(err, -EEXIST, "id", "letter %lld is %s, not written yet",
                          (long long)contact_id, state);
    if (posted_on < (dn_date)(created / SECONDS_PER_DAY) ||
        posted_on > (dn_date)(now / SECONDS_PER_DAY))
        return dn_err_set(err, -EINVAL, "posted_on", "posted_on must be from the day the letter "
                          "was planned to today");
    dn_ext_tx tx;
    if ((rc = store_ext_begin(db, &tx, err)))
        return rc;
    if ((rc = store_ext_prepare(db,
                                "UPDATE contacts SET state = 'delivered', updated_at = ?2 "
                                "WHERE id = ?1",
                                &st, "letter: posted", err)))
        goto fail;
    sqlite3_bind_int64(st, 1, contact_id);
    sqlite3_bind_int64(st, 2, posted);
    if ((rc = store_ext_run(db, st, "letter: posted", err)))
        goto fail;
    char day[11];
    dn_date_format(posted_on, day);
    json_t *payload = json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id, "posted_on",
                                day);
    rc = payload ? store_ext_event(db, customer_id, "letter_posted", payload, now, NULL, err)
                 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
    json_decref(payload);
    if (rc || (rc = store_ext_due(db, customer_id, now, err)) ||
        (rc = store_ext_commit(&tx, err)))
        goto fail;
reply:;
    char text[11];
    dn_date_format(posted_on, text);
    *out = json_pack("{s:I, s:s, s:s}", "contact_id", (json_int_t)contact_id, "customer_id",
                     external, "posted_on", text);
    return *out ? 0 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
fail:
    store_ext_abort(&tx);
    return rc;
}
