-- rules/tests/edge_cases.lua — languages, nothing owed, missing due dates,
-- part payments, several invoices.
--
-- All tests run on Monday 2026-03-16, 12:00 in Riga (10:00 UTC).
-- Due 2026-03-15 → day 1, 2026-03-09 → day 7, 2026-03-02 → day 14.

local NOW = "2026-03-16T10:00:00Z"
local NONE = {}

-- Known customer, phone + e-mail, pays on time; day 1 after the -3 step.
local function customer(changes)
  local c = {
    id = "E1", name = "Olga Ivanova", language = "lv", timezone = "Europe/Riga", country = "LV",
    age = 40, phone = "+37120000004", email = "olga@example.lv",
    payments = { count = 8, avg_days_late = 0 },
    stage_day = -3,
    invoices = { { id = "INV-E1", currency = "EUR", amount = 2590, due = "2026-03-15" } },
  }
  for key, value in pairs(changes or {}) do
    if value == NONE then c[key] = nil else c[key] = value end
  end
  return c
end

return {
  -- languages ---------------------------------------------------------------
  { name = "Russian-speaking customer: Russian texts",
    now = NOW, customer = customer({ language = "ru" }),
    expect = { action = "contact", language = "ru", channel = "email", template = "overdue" } },

  { name = "English-speaking customer: English texts",
    now = NOW, customer = customer({ language = "en", name = "John Smith" }),
    expect = { action = "contact", language = "en", channel = "email", template = "overdue" } },

  { name = "German (not offered): the default language, Latvian",
    now = NOW, customer = customer({ language = "de" }),
    expect = { action = "contact", language = "lv", channel = "email", template = "overdue" } },

  { name = "language unknown (empty): Latvian",
    now = NOW, customer = customer({ language = NONE }),
    expect = { action = "contact", language = "lv" } },

  -- nothing owed, no due date -----------------------------------------------
  { name = "bill paid in full: nothing to do",
    now = NOW,
    customer = customer({ invoices = { { id = "INV-E1", currency = "EUR", amount = 2590, paid = 2590,
                                         due = "2026-03-15" } } }),
    expect = { action = "none" } },

  { name = "bill marked paid: nothing to do",
    now = NOW,
    customer = customer({ invoices = { { id = "INV-E1", currency = "EUR", amount = 2590,
                                         due = "2026-03-15", status = "paid" } } }),
    expect = { action = "none" } },

  { name = "no invoices at all: nothing to do",
    now = NOW, customer = customer({ invoices = NONE, stage_day = NONE }),
    expect = { action = "none" } },

  -- Something is owed, so the customer is looked at again (wait), but with no
  -- due date nobody is overdue and no ladder step is ever chosen.
  { name = "invoice without a due date: no overdue reminder (wait)",
    now = NOW,
    customer = customer({ stage_day = NONE,
                          invoices = { { id = "INV-E1", currency = "EUR", amount = 2590 } } }),
    expect = { action = "wait" } },

  { name = "disputed invoice: not reminded",
    now = NOW,
    customer = customer({ invoices = { { id = "INV-E1", currency = "EUR", amount = 2590,
                                         due = "2026-03-15", status = "disputed" } } }),
    expect = { action = "none" } },

  -- amounts and several invoices ---------------------------------------------
  { name = "partly paid: the rest is still reminded",
    now = NOW,
    customer = customer({ invoices = { { id = "INV-E1", currency = "EUR", amount = 2590, paid = 1000,
                                         due = "2026-03-15" } } }),
    expect = { action = "contact", day = 1, channel = "email", template = "overdue", tone = "friendly",
               purpose = "reminder" } },

  -- friendly ladder: 1 overdue | 10 letter | 14 reminder (formal) | 21 second …
  { name = "two bills: the oldest unpaid due date counts (day 14, not day 1)",
    now = NOW,
    customer = customer({ stage_day = 10, invoices = {
      { id = "INV-E2", currency = "EUR", amount = 2590, due = "2026-03-15" },
      { id = "INV-E1", currency = "EUR", amount = 2590, due = "2026-03-02" } } }),
    expect = { action = "contact", day = 14, channel = "sms", template = "reminder", tone = "neutral",
               purpose = "formal" } },

  -- the paid bill (03-02) would give day 14 and the SMS step; the open one
  -- (03-09) gives day 7, behind the stage reached (10): nothing to do yet
  { name = "older bill paid: the next bill's due date counts (day 7, wait)",
    now = NOW,
    customer = customer({ stage_day = 10, invoices = {
      { id = "INV-E1", currency = "EUR", amount = 2590, paid = 2590, due = "2026-03-02" },
      { id = "INV-E2", currency = "EUR", amount = 2590, due = "2026-03-09" } } }),
    expect = { action = "wait" } },

  { name = "an invoice without a due date beside an overdue one: the dated one counts",
    now = NOW,
    customer = customer({ invoices = {
      { id = "INV-E3", currency = "EUR", amount = 990 },
      { id = "INV-E1", currency = "EUR", amount = 2590, due = "2026-03-15" } } }),
    expect = { action = "contact", day = 1, channel = "email", template = "overdue" } },
}
