-- tests/bench/strategy/rules/tests/strategy.lua — one test per branch of
-- the seven rules (/work/shared/bench/strategy.md), worked out by hand.
--
-- Every test runs on 2026-03-16 at 10:00 UTC; the customers live in UTC,
-- so days overdue = 2026-03-16 − due date:
--   03-20 → −4   03-19 → −3   03-17 → −1   03-16 → 0   03-15 → 1
--   03-10 → 6    03-09 → 7    03-03 → 13   03-02 → 14  02-15 → 29
--   02-14 → 30   2025-11-16 → 120
-- The persona is carried in the name (see personas.lua).

local NOW = "2026-03-16T10:00:00Z"
local NONE = {}

-- A friendly Latvian customer of 40 with a phone and an e-mail address,
-- owing 20.00 on a bill due on `due`.
local function customer(due, changes)
  local c = {
    id = "B1", name = "friendly", language = "lv", timezone = "UTC", country = "LV",
    age = 40, phone = "+37120000001", email = "b1@example.lv",
    invoices = { { id = "INV-B1", currency = "EUR", amount = 2000, due = due } },
  }
  for key, value in pairs(changes or {}) do
    if value == NONE then c[key] = nil else c[key] = value end
  end
  return c
end

local function bill(due, amount)
  return { { id = "INV-B1", currency = "EUR", amount = amount, due = due } }
end

return {
  -- rule 1 comes before every other rule, even at day 7
  { name = "rule 1: promise pending → wait",
    now = NOW, customer = customer("2026-03-09", { promises = { pending = true } }),
    expect = { action = "wait", segment = "strategy", persona = "friendly" } },

  -- rule 2
  { name = "rule 2: day −3, friendly → friendly SMS pre_due",
    now = NOW, customer = customer("2026-03-19"),
    expect = { action = "contact", channel = "sms", template = "pre_due", tone = "friendly",
               language = "lv" } },
  { name = "rule 2: day −1, businessman → friendly SMS pre_due",
    now = NOW, customer = customer("2026-03-17", { name = "businessman" }),
    expect = { action = "contact", persona = "businessman", channel = "sms",
               template = "pre_due", tone = "friendly" } },
  { name = "rule 2 does not apply to invisible: day −1 → wait (rule 7)",
    now = NOW, customer = customer("2026-03-17", { name = "invisible" }),
    expect = { action = "wait", persona = "invisible" } },
  { name = "day −4: before rule 2's window → wait",
    now = NOW, customer = customer("2026-03-20"),
    expect = { action = "wait" } },
  { name = "day 0, the due date: no rule → wait",
    now = NOW, customer = customer("2026-03-16"),
    expect = { action = "wait" } },

  -- rule 3
  { name = "rule 3: day 1 with an e-mail address → friendly e-mail overdue_1",
    now = NOW, customer = customer("2026-03-15"),
    expect = { action = "contact", channel = "email", template = "overdue_1", tone = "friendly" } },
  { name = "rule 3: day 6 without an e-mail address → friendly SMS overdue_1",
    now = NOW, customer = customer("2026-03-10", { email = NONE }),
    expect = { action = "contact", channel = "sms", template = "overdue_1", tone = "friendly" } },

  -- rule 4
  { name = "rule 4: day 7, 65 with a phone, no broken promise → neutral voice",
    now = NOW, customer = customer("2026-03-09", { age = 65 }),
    expect = { action = "contact", channel = "voice", template = "overdue_2", tone = "neutral" } },
  { name = "rule 4: day 7, 60 with a phone, a broken promise → firm voice",
    now = NOW, customer = customer("2026-03-09", { age = 60, promises = { broken = 1 } }),
    expect = { action = "contact", channel = "voice", template = "overdue_2", tone = "firm" } },
  { name = "rule 4: day 13, 30 on chat, a broken promise → firm chat",
    now = NOW, customer = customer("2026-03-03", { age = 30, chat = "b1chat",
                                                   promises = { broken = 1 } }),
    expect = { action = "contact", channel = "chat", template = "overdue_2", tone = "firm" } },
  { name = "rule 4: day 13, 34 on chat → neutral chat",
    now = NOW, customer = customer("2026-03-03", { age = 34, chat = "b1chat" }),
    expect = { action = "contact", channel = "chat", template = "overdue_2", tone = "neutral" } },
  { name = "rule 4: day 7, 35 on chat (not under 35) → neutral SMS",
    now = NOW, customer = customer("2026-03-09", { age = 35, chat = "b1chat" }),
    expect = { action = "contact", channel = "sms", template = "overdue_2", tone = "neutral" } },
  { name = "rule 4: day 7, 30 without chat → neutral SMS",
    now = NOW, customer = customer("2026-03-09", { age = 30 }),
    expect = { action = "contact", channel = "sms", template = "overdue_2", tone = "neutral" } },
  { name = "rule 4: day 7, 70 without voice (opted out) → firm SMS after 3 broken promises",
    now = NOW, customer = customer("2026-03-09", { age = 70, opt_out = { "voice" },
                                                   promises = { broken = 3 } }),
    expect = { action = "contact", channel = "sms", template = "overdue_2", tone = "firm" } },

  -- rule 5
  { name = "rule 5: day 14, fighter → firm agent overdue_3",
    now = NOW, customer = customer("2026-03-02", { name = "fighter" }),
    expect = { action = "contact", persona = "fighter", channel = "agent",
               template = "overdue_3", tone = "firm" } },
  { name = "rule 5: day 29, friendly → firm SMS overdue_3",
    now = NOW, customer = customer("2026-02-15"),
    expect = { action = "contact", channel = "sms", template = "overdue_3", tone = "firm" } },

  -- rule 6: the threshold is 5000 cents, inclusive
  { name = "rule 6: day 30, owes exactly 5000 → urgent agent final",
    now = NOW, customer = customer("2026-02-14", { invoices = bill("2026-02-14", 5000) }),
    expect = { action = "contact", channel = "agent", template = "final", tone = "urgent" } },
  { name = "rule 6: day 120, owes 4999 → firm SMS final",
    now = NOW, customer = customer("2025-11-16", { invoices = bill("2025-11-16", 4999) }),
    expect = { action = "contact", channel = "sms", template = "final", tone = "firm" } },

  -- language: the customer's, or lv when empty
  { name = "language ru is kept",
    now = NOW, customer = customer("2026-03-15", { language = "ru" }),
    expect = { action = "contact", channel = "email", language = "ru" } },
  { name = "language en is kept",
    now = NOW, customer = customer("2026-02-14", { language = "en" }),
    expect = { action = "contact", channel = "sms", template = "final", language = "en" } },
  { name = "no language → lv",
    now = NOW, customer = customer("2026-03-19", { language = NONE }),
    expect = { action = "contact", channel = "sms", language = "lv" } },
}
