-- rules/tests/ladder.lua — the friendly ladder after the due date, stage by
-- stage, plus `when`, fallback, catch-up after downtime and the time zone.
--
-- All tests run on Monday 2026-03-16, 12:00 in Riga (10:00 UTC) unless a
-- test says otherwise. Due dates and the days overdue they give:
--   03-15 → 1   03-09 → 7   03-02 → 14   02-24 → 20   02-14 → 30
--   02-04 → 40  01-15 → 60  01-10 → 65   12-16 (2025) → 90

local NOW = "2026-03-16T10:00:00Z"
local NONE = {}

-- Known Latvian customer, 40 years old, phone + e-mail, pays on time:
-- segment friendly. `stage_day` is the last ladder day already done.
local function customer(changes)
  local c = {
    id = "L1", name = "Jānis Bērziņš", language = "lv", timezone = "Europe/Riga", country = "LV",
    age = 40, phone = "+37120000002", email = "janis@example.lv",
    payments = { count = 8, avg_days_late = 0 },
  }
  for key, value in pairs(changes or {}) do
    if value == NONE then c[key] = nil else c[key] = value end
  end
  return c
end

local function bill(due)
  return { { id = "INV-L1", currency = "EUR", amount = 2990, due = due } }
end

return {
  { name = "day 1: friendly e-mail",
    now = NOW, customer = customer({ invoices = bill("2026-03-15"), stage_day = -3 }),
    expect = { action = "contact", segment = "friendly", day = 1,
               channel = "email", template = "overdue", tone = "friendly" } },

  -- A rule test compares the step's own channel; the fallback is applied when
  -- the contact is planned (the preview shows "sms" for this customer).
  { name = "day 1 without an e-mail address: still the e-mail step (its SMS fallback is used when planned)",
    now = NOW, customer = customer({ invoices = bill("2026-03-15"), stage_day = -3, email = NONE }),
    expect = { action = "contact", segment = "friendly", day = 1,
               channel = "email", template = "overdue", tone = "friendly" } },

  { name = "days count in the customer's zone: 00:30 in Riga is already day 1 (22:30 UTC the day before)",
    now = "2026-03-15T22:30:00Z",
    customer = customer({ invoices = bill("2026-03-15"), stage_day = -3 }),
    expect = { action = "contact", day = 1, channel = "email", template = "overdue" } },

  { name = "day 7, 65 years old: voice call",
    now = NOW, customer = customer({ invoices = bill("2026-03-09"), stage_day = 1, age = 65 }),
    expect = { action = "contact", day = 7, channel = "voice", template = "reminder", tone = "neutral" } },

  { name = "day 7, 25 years old with a chat handle: chat",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-09"), stage_day = 1, age = 25, chat = "janis.b" }),
    expect = { action = "contact", day = 7, channel = "chat", template = "reminder", tone = "neutral" } },

  { name = "day 7, 25 years old without chat: SMS",
    now = NOW, customer = customer({ invoices = bill("2026-03-09"), stage_day = 1, age = 25 }),
    expect = { action = "contact", day = 7, channel = "sms", template = "reminder", tone = "neutral" } },

  { name = "day 7, age unknown: SMS (the age conditions are false, not an error)",
    now = NOW, customer = customer({ invoices = bill("2026-03-09"), stage_day = 1, age = NONE }),
    expect = { action = "contact", day = 7, channel = "sms", template = "reminder", tone = "neutral" } },

  { name = "day 14: firm SMS",
    now = NOW, customer = customer({ invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { action = "contact", day = 14, channel = "sms", template = "second", tone = "firm" } },

  { name = "day 30: formal written notice",
    now = NOW, customer = customer({ invoices = bill("2026-02-14"), stage_day = 14 }),
    expect = { action = "contact", day = 30, channel = "letter", template = "formal_notice", tone = "firm" } },

  { name = "day 60: final e-mail, urgent",
    now = NOW, customer = customer({ invoices = bill("2026-01-15"), stage_day = 30 }),
    expect = { action = "contact", day = 60, channel = "email", template = "final", tone = "urgent" } },

  { name = "day 65: a person calls",
    now = NOW, customer = customer({ invoices = bill("2026-01-10"), stage_day = 60 }),
    expect = { action = "contact", day = 65, channel = "agent", template = "call_brief", tone = "urgent" } },

  { name = "catch-up: last step was day 1, now day 20 → one step, day 14 (not 7 and 14)",
    now = NOW, customer = customer({ invoices = bill("2026-02-24"), stage_day = 1 }),
    expect = { action = "contact", day = 14, channel = "sms", template = "second", tone = "firm" } },

  { name = "between steps: day 14 done, now day 20 → wait",
    now = NOW, customer = customer({ invoices = bill("2026-02-24"), stage_day = 14 }),
    expect = { action = "wait" } },

  { name = "long downtime: nothing done yet, now day 40 → the day 30 notice only",
    now = NOW, customer = customer({ invoices = bill("2026-02-04") }),
    expect = { action = "contact", day = 30, channel = "letter", template = "formal_notice" } },

  { name = "ladder finished: day 65 done, now day 90 → wait",
    now = NOW, customer = customer({ invoices = bill("2025-12-16"), stage_day = 65 }),
    expect = { action = "wait" } },
}
