return {
  { name = "an agent call one day after the due date",
    now = "2026-06-02T09:00:00Z",
    customer = { id = "T1", name = "Ann Lee", language = "en", timezone = "Europe/Riga", country = "LV",
                 phone = "+37120000001",
                 invoices = { { id = "I1", currency = "EUR", amount = 10000, due = "2026-06-01" } } },
    expect = { action = "contact", channel = "agent", template = "call_brief", tone = "neutral", day = 1 } },
  { name = "a pending promise waits",
    now = "2026-06-02T09:00:00Z",
    customer = { id = "T2", name = "Ann Lee", language = "en", timezone = "Europe/Riga", country = "LV",
                 phone = "+37120000001", promises = { pending = true, due = "2026-06-09" },
                 invoices = { { id = "I1", currency = "EUR", amount = 10000, due = "2026-06-01" } } },
    expect = { action = "wait" } },
}
