-- rules/tests/segments.lua — personas and the segment ladders after the due date.
--
-- All tests run on Monday 2026-03-16, 12:00 in Riga (10:00 UTC) unless a
-- test says otherwise. Due dates and the days overdue they give:
--   03-15 → 1   03-13 → 3   03-09 → 7   03-07 → 9   03-02 → 14
--   02-14 → 30  02-07 → 37

local NOW = "2026-03-16T10:00:00Z"
local NONE = {}

-- Known Latvian customer, 40, phone + e-mail, pays on time (friendly).
local function customer(changes)
  local c = {
    id = "S1", name = "Ilze Kalniņa", language = "lv", timezone = "Europe/Riga", country = "LV",
    age = 40, phone = "+37120000003", email = "ilze@example.lv",
    payments = { count = 8, avg_days_late = 0 },
  }
  for key, value in pairs(changes or {}) do
    if value == NONE then c[key] = nil else c[key] = value end
  end
  return c
end

local function bill(due, amount, currency)
  return { { id = "INV-S1", currency = currency or "EUR", amount = amount or 3590, due = due } }
end

-- Three delivered messages nobody reacted to (newest first).
local unanswered = {
  { at = "2026-03-14T09:00:00Z", channel = "sms",   state = "delivered", template = "overdue",  day = 1 },
  { at = "2026-03-12T09:00:00Z", channel = "email", state = "delivered", template = "pre_due",  day = -1 },
  { at = "2026-03-08T09:00:00Z", channel = "voice", state = "sent", outcome = "no_answer",
    template = "pre_due", day = -5 },
}

local businessman = { count = 12, avg_days_late = 4 }

return {
  -- fighter -----------------------------------------------------------------
  { name = "fighter (has disputed): day 7 → a person listens, neutral",
    now = NOW, customer = customer({ disputes = 1, invoices = bill("2026-03-09"), stage_day = 1 }),
    expect = { action = "contact", segment = "fighter", persona = "fighter", day = 7,
               channel = "agent", template = "call_brief", tone = "neutral" } },

  { name = "fighter (two broken promises): day 30 → formal notice by letter",
    now = NOW,
    customer = customer({ promises = { broken = 2 }, invoices = bill("2026-02-14"), stage_day = 14 }),
    expect = { action = "contact", segment = "fighter", day = 30,
               channel = "letter", template = "formal_notice", tone = "firm" } },

  { name = "fighter: day 37 → a person calls once the letter has arrived",
    now = NOW, customer = customer({ disputes = 2, invoices = bill("2026-02-07"), stage_day = 30 }),
    expect = { action = "contact", segment = "fighter", day = 37,
               channel = "agent", template = "call_brief", tone = "firm" } },

  { name = "fighter (3 replies, 14 days overdue): second reminder in writing",
    now = NOW, customer = customer({ replies = 3, invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { action = "contact", segment = "fighter", persona = "fighter", day = 14,
               channel = "email", template = "second", tone = "firm" } },

  { name = "3 replies but only 3 days overdue: not a fighter",
    now = NOW, customer = customer({ replies = 3, invoices = bill("2026-03-13"), stage_day = 1 }),
    expect = { persona = "friendly", segment = "friendly", action = "wait" } },

  -- invisible ---------------------------------------------------------------
  { name = "invisible (3 unanswered contacts): day 3 → voice call",
    now = NOW,
    customer = customer({ contacts = unanswered, invoices = bill("2026-03-13"), stage_day = 1 }),
    expect = { action = "contact", segment = "invisible", persona = "invisible", day = 3,
               channel = "voice", template = "reminder", tone = "neutral" } },

  { name = "invisible: day 7 → a person, early",
    now = NOW,
    customer = customer({ contacts = unanswered, invoices = bill("2026-03-09"), stage_day = 3 }),
    expect = { action = "contact", segment = "invisible", day = 7,
               channel = "agent", template = "call_brief", tone = "neutral" } },

  { name = "3 contacts but one call was a conversation: not invisible",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-09"), stage_day = 1, contacts = {
      { at = "2026-03-14T09:00:00Z", channel = "voice", state = "answered", outcome = "conversation", day = 3 },
      { at = "2026-03-12T09:00:00Z", channel = "sms", state = "delivered", day = 1 },
      { at = "2026-03-08T09:00:00Z", channel = "sms", state = "delivered", day = -3 } } }),
    expect = { persona = "friendly", segment = "friendly", action = "contact", day = 7, channel = "sms" } },

  -- businessman -------------------------------------------------------------
  { name = "businessman: day 1 → nothing yet (first overdue e-mail on day 3)",
    now = NOW,
    customer = customer({ payments = businessman, invoices = bill("2026-03-15"), stage_day = -5 }),
    expect = { segment = "businessman", action = "wait" } },

  { name = "businessman: day 3 → friendly e-mail",
    now = NOW,
    customer = customer({ payments = businessman, invoices = bill("2026-03-13"), stage_day = -5 }),
    expect = { action = "contact", segment = "businessman", day = 3,
               channel = "email", template = "overdue", tone = "friendly" } },

  { name = "businessman on a Saturday: wait for Monday",
    now = "2026-03-14T10:00:00Z",
    customer = customer({ payments = businessman, invoices = bill("2026-03-11"), stage_day = -5 }),
    expect = { segment = "businessman", action = "wait" } },

  { name = "paid 15 days late on average: not a businessman, a friendly customer",
    now = NOW,
    customer = customer({ payments = { count = 12, avg_days_late = 15 }, invoices = bill("2026-03-19") }),
    expect = { persona = "friendly", segment = "friendly", action = "contact", day = -3, channel = "sms" } },

  -- vulnerable --------------------------------------------------------------
  { name = "vulnerable beats fighter: day 3 → a gentle call",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, disputes = 1,
                          invoices = bill("2026-03-13"), stage_day = -5 }),
    expect = { action = "contact", segment = "vulnerable", persona = "fighter", day = 3,
               channel = "agent", template = "call_brief", tone = "gentle" } },

  { name = "vulnerable: day 14 → a gentle instalment offer by a person",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, invoices = bill("2026-03-02"), stage_day = 3 }),
    expect = { action = "contact", segment = "vulnerable", day = 14,
               channel = "agent", template = "instalment_offer", tone = "gentle" } },

  -- high balance ------------------------------------------------------------
  { name = "high balance in TWD (demo portfolio): day 7 → instalment offer by e-mail",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-09", 1500000, "TWD"), stage_day = 1 }),
    expect = { action = "contact", segment = "high_balance", day = 7,
               channel = "email", template = "instalment_offer", tone = "neutral" } },

  { name = "high balance, 299.99 €: just below the threshold → friendly",
    now = NOW, customer = customer({ invoices = bill("2026-03-09", 29999), stage_day = 1 }),
    expect = { segment = "friendly", action = "contact", day = 7, channel = "sms", template = "reminder" } },

  { name = "high balance, one broken promise: decide() sends a person with the plan on day 9",
    now = NOW,
    customer = customer({ promises = { broken = 1 }, invoices = bill("2026-03-07", 45000), stage_day = 1 }),
    expect = { action = "contact", segment = "high_balance", day = 7,
               channel = "agent", template = "instalment_offer", tone = "neutral" } },

  { name = "high balance: day 14 → a person agrees the plan",
    now = NOW, customer = customer({ invoices = bill("2026-03-02", 45000), stage_day = 7 }),
    expect = { action = "contact", segment = "high_balance", day = 14,
               channel = "agent", template = "instalment_offer", tone = "neutral" } },

  -- standard ----------------------------------------------------------------
  { name = "new customer, day 1: standard segment, SMS",
    now = NOW,
    customer = customer({ payments = NONE, invoices = bill("2026-03-15"), stage_day = -3 }),
    expect = { action = "contact", segment = "standard", day = 1,
               channel = "sms", template = "overdue", tone = "friendly" } },

  -- promises (decide) -------------------------------------------------------
  { name = "promise to pay pending until 03-20: wait",
    now = NOW,
    customer = customer({ promises = { pending = true, due = "2026-03-20" },
                          invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { segment = "friendly", action = "wait" } },

  { name = "promise to pay due today: still wait",
    now = NOW,
    customer = customer({ promises = { pending = true, due = "2026-03-16" },
                          invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { action = "wait" } },

  { name = "promised date passed (03-10) and still unpaid: the ladder goes on",
    now = NOW,
    customer = customer({ promises = { pending = true, due = "2026-03-10" },
                          invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { action = "contact", day = 14, channel = "sms", template = "second", tone = "firm" } },
}
