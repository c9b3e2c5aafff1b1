/* letters.c — the posting date of printed letters (letters.h). */
#include "letters.h"

#include <string.h>

#include "store_modules.h"

#define SECONDS_PER_DAY 86400

int letter_record_posted(dn_store *store, int64_t contact_id, dn_date posted_on, dn_time now,
                         json_t **out, dn_err *err)
{
    *out = NULL;
    dn_contact_ref letter;
    int rc = store->ops->modules->contact_find(store->ctx, contact_id, NULL, "letter", &letter,
                                               err);
    if (rc == 0)
        return dn_err_set(err, -ENOENT, "id", "no letter %lld", (long long)contact_id);
    if (rc < 0)
        return rc;
    dn_time posted = (dn_time)posted_on * SECONDS_PER_DAY;
    if (strcmp(letter.state, "delivered") == 0) {
        if (letter.updated_at == posted)
            goto reply;           /* recorded before: the same answer */
        return dn_err_set(err, -EEXIST, "posted_on", "letter %lld was already recorded as "
                          "posted on another day", (long long)contact_id);
    }
    if (strcmp(letter.state, "sent") != 0)
        return dn_err_set(err, -EEXIST, "id", "letter %lld is %s, not written yet",
                          (long long)contact_id, letter.state);
    if (posted_on < (dn_date)(letter.created_at / SECONDS_PER_DAY) ||
        posted_on > (dn_date)(now / SECONDS_PER_DAY))
        return dn_err_set(err, -EINVAL, "posted_on", "posted_on must be from the day the letter "
                          "was planned to today");
    if ((rc = store->ops->begin(store->ctx, err)))
        return rc;
    char day[11];
    dn_date_format(posted_on, day);
    json_t *payload = json_pack("{s:I, s:s}", "contact_id", (json_int_t)contact_id, "posted_on",
                                day);
    /* still "sent" (another engine may have recorded it meanwhile) */
    rc = store->ops->modules->contact_posted(store->ctx, contact_id, posted, err);
    if (rc == 0)
        rc = payload ? store->ops->append_event(store->ctx, letter.customer_id, "letter_posted",
                                                payload, now, NULL, err)
                     : dn_err_set(err, -ENOMEM, NULL, "out of memory");
    if (rc == 0)
        rc = store->ops->touch_customer(store->ctx, letter.customer_id, now, err);
    json_decref(payload);
    if ((rc = dn_store_finish(store, rc, err)))
        return rc;
reply:;
    char text[11];
    dn_date_format(posted_on, text);
    *out = json_pack("{s:I, s:s, s:s}", "contact_id", (json_int_t)contact_id, "customer_id",
                     letter.customer_external_id, "posted_on", text);
    return *out ? 0 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
}
