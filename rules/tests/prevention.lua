-- rules/tests/prevention.lua — reminders BEFORE the due date, per segment.
--
-- All tests run on Monday 2026-03-16 at 12:00 in Riga (10:00 UTC), so the
-- number of days before the due date is simply the difference of the dates:
-- due 2026-03-19 → day -3, due 2026-03-21 → day -5, due 2026-03-17 → day -1.
--
-- Every step before the due date has the purpose `prevention` (the default
-- for a negative day): it is not about a late payment, so the Latvian guard
-- does not count it as the one informative reminder allowed before the notice.

local NOW = "2026-03-16T10:00:00Z"
local NONE = {}   -- put NONE in `changes` to remove a field of the base customer

-- A known, well-behaved Latvian customer: phone and e-mail, 8 bills paid on
-- time → persona friendly, segment friendly. Each test changes what it is about.
local function customer(changes)
  local c = {
    id = "P1", name = "Anna Ozola", language = "lv", timezone = "Europe/Riga", country = "LV",
    age = 40, phone = "+37120000001", email = "anna@example.lv",
    payments = { count = 8, avg_days_late = 0 },
    invoices = { { id = "INV-P1", currency = "EUR", amount = 4590, due = "2026-03-19" } },
  }
  for key, value in pairs(changes or {}) do
    if value == NONE then c[key] = nil else c[key] = value end
  end
  return c
end

local function bill(due, amount, currency)
  return { { id = "INV-P1", currency = currency or "EUR", amount = amount or 4590, due = due } }
end

return {
  { name = "friendly: SMS three days before the due date",
    now = NOW, customer = customer(),
    expect = { action = "contact", purpose = "prevention", segment = "friendly", persona = "friendly", day = -3,
               channel = "sms", template = "pre_due", tone = "friendly", language = "lv" } },

  { name = "friendly: four days before the due date is too early (first step is -3)",
    now = NOW, customer = customer({ invoices = bill("2026-03-20") }),
    expect = { action = "wait" } },

  { name = "friendly: on the due date itself nothing new after the -3 step",
    now = NOW, customer = customer({ invoices = bill("2026-03-16"), stage_day = -3 }),
    expect = { action = "wait" } },

  { name = "businessman: e-mail five days ahead, for the payment run",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-21"), payments = { count = 12, avg_days_late = 4 } }),
    expect = { action = "contact", purpose = "prevention", segment = "businessman", persona = "businessman", day = -5,
               channel = "email", template = "pre_due", tone = "friendly" } },

  { name = "invisible (e-mail only): day -1, no phone and no chat → the e-mail line",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-17"), phone = NONE, stage_day = -5 }),
    expect = { action = "contact", purpose = "prevention", segment = "invisible", persona = "invisible", day = -1,
               channel = "email", template = "pre_due", tone = "friendly" } },

  { name = "invisible (chat only): day -1 → chat",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-17"), phone = NONE, email = NONE,
                          chat = "anna.ozola", stage_day = -5 }),
    expect = { action = "contact", purpose = "prevention", segment = "invisible", day = -1,
               channel = "chat", template = "pre_due", tone = "friendly" } },

  { name = "invisible (phone only, 70 years old): day -1 → voice call",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-17"), email = NONE, age = 70, stage_day = -5,
                          opt_out = { "sms" } }),
    expect = { action = "contact", purpose = "prevention", segment = "invisible", day = -1,
               channel = "voice", template = "pre_due", tone = "friendly" } },

  { name = "high balance: e-mail five days ahead",
    now = NOW, customer = customer({ invoices = bill("2026-03-21", 45000) }),
    expect = { action = "contact", purpose = "prevention", segment = "high_balance", persona = "friendly", day = -5,
               channel = "email", template = "pre_due", tone = "friendly" } },

  { name = "high balance: SMS on the last day before the due date",
    now = NOW, customer = customer({ invoices = bill("2026-03-17", 45000), stage_day = -5 }),
    expect = { action = "contact", purpose = "prevention", segment = "high_balance", day = -1,
               channel = "sms", template = "pre_due", tone = "friendly" } },

  { name = "vulnerable: a person calls, gently, five days ahead",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-21"), holds = { vulnerable = true } }),
    expect = { action = "contact", purpose = "prevention", segment = "vulnerable", day = -5,
               channel = "agent", template = "pre_due", tone = "gentle" } },

  { name = "new customer (no payments yet): standard segment, SMS at -3",
    now = NOW, customer = customer({ payments = NONE }),
    expect = { action = "contact", purpose = "prevention", segment = "standard", persona = "friendly", day = -3,
               channel = "sms", template = "pre_due", tone = "friendly" } },

  -- Prevention is only for a bill not yet overdue. A pass that comes late
  -- (downtime) must not send "due on …" after the due date: with nothing
  -- done yet, the -3 step still fits on the due date itself (day 0) …
  { name = "late pass on the due date itself (day 0): the -3 heads-up still fits",
    now = NOW, customer = customer({ invoices = bill("2026-03-16") }),
    expect = { action = "contact", purpose = "prevention", segment = "friendly", day = -3,
               channel = "sms", template = "pre_due" } },

  -- … but not one day later.
  -- invisible: -5/-1 prevention, the reminder on day 3; due 03-15 → day 1
  { name = "invisible, first look on day 1: no pre-due message after the due date (wait for day 3)",
    now = NOW, customer = customer({ invoices = bill("2026-03-15"), phone = NONE }),
    expect = { action = "wait", segment = "invisible" } },

  -- businessman: -5 prevention, the reminder on day 3; due 03-14 → day 2
  { name = "businessman, first look on day 2: wait for the day-3 reminder",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-14"), payments = { count = 12, avg_days_late = 4 } }),
    expect = { action = "wait", segment = "businessman" } },
}
