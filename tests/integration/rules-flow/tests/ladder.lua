return {
  { name = "email five days after the due date",
    now = "2026-06-06T09:00:00Z",
    customer = { id = "T1", name = "Ann Lee", language = "en", timezone = "Europe/Riga", country = "LV",
                 email = "ann@example.com", phone = "+37120000001",
                 invoices = { { id = "I1", currency = "EUR", amount = 10000, due = "2026-06-01" } } },
    expect = { action = "contact", channel = "email", template = "overdue", tone = "neutral", day = 5 } },
}
