/* letters.c — the posting day of printed letters (letters.h). */
#include "letters.h"

int letter_record_posted(dn_store *store, int64_t contact_id, dn_date posted_on, dn_time now,
                         json_t **out, dn_err *err)
{
    *out = NULL;
    char customer[DN_ID_MAX];
    int rc = store->ops->record_letter_posted(store->ctx, contact_id, posted_on, now, customer,
                                              err);
    if (rc)
        return rc;
    char day[11];
    dn_date_format(posted_on, day);
    *out = json_pack("{s:I, s:s, s:s}", "contact_id", (json_int_t)contact_id, "customer_id",
                     customer, "posted_on", day);
    return *out ? 0 : dn_err_set(err, -ENOMEM, NULL, "out of memory");
}
