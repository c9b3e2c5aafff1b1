return {
  { name = "sms three days before the due date",
    now = "2026-06-02T09:00:00Z",
    customer = { id = "T1", name = "Anna Ozola", language = "lv", timezone = "Europe/Riga", country = "LV",
                 email = "anna@example.lv", phone = "+37120000001",
                 invoices = { { id = "I1", currency = "EUR", amount = 4500, due = "2026-06-05" } } },
    expect = { action = "contact", channel = "sms", template = "pre_due", tone = "friendly", day = -3 } },
}
