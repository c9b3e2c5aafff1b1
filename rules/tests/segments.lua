-- rules/tests/segments.lua — personas and the segment ladders after the due date.
--
-- All tests run on Monday 2026-03-16, 12:00 in Riga (10:00 UTC) unless a
-- test says otherwise. Due dates and the days overdue they give:
--   03-15 → 1   03-13 → 3   03-09 → 7   03-07 → 9   03-06 → 10
--   03-02 → 14  02-23 → 21  02-14 → 30  02-04 → 40
-- Each segment's ladder (rules/segments/*.lua) is written next to its tests.

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

-- Three real attempts nobody reacted to (newest first): the two prevention
-- messages of this bill and an unanswered robot call from the last one.
local unanswered = {
  { at = "2026-03-12T09:00:00Z", channel = "email", state = "delivered", template = "pre_due",  day = -1 },
  { at = "2026-03-08T09:00:00Z", channel = "sms",   state = "delivered", template = "pre_due",  day = -5 },
  { at = "2026-02-20T09:00:00Z", channel = "voice", state = "sent", outcome = "no_answer",
    template = "reminder", day = 3 },
}

local businessman = { count = 12, avg_days_late = 4 }

return {
  -- fighter: -3 email pre_due | 1 email overdue neutral (reminder) |
  -- 7 letter formal_notice (notice) | 14 agent call_brief neutral, 21 email
  -- second firm (formal) | 40 letter final, 45 agent call_brief urgent (escalation)
  { name = "fighter (has disputed): day 1 → the one reminder, in writing, neutral",
    now = NOW, customer = customer({ disputes = 1, invoices = bill("2026-03-15"), stage_day = -3 }),
    expect = { action = "contact", segment = "fighter", persona = "fighter", day = 1,
               channel = "email", template = "overdue", tone = "neutral", purpose = "reminder" } },

  { name = "fighter (has disputed): day 7 → the formal notice by letter",
    now = NOW, customer = customer({ disputes = 1, invoices = bill("2026-03-09"), stage_day = 1 }),
    expect = { action = "contact", segment = "fighter", day = 7,
               channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" } },

  { name = "fighter (two broken promises): day 14 → a person listens once the letter has arrived",
    now = NOW,
    customer = customer({ promises = { broken = 2 }, invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { action = "contact", segment = "fighter", day = 14,
               channel = "agent", template = "call_brief", tone = "neutral", purpose = "formal" } },

  { name = "fighter: day 14 but the notice not done yet (stage 1) → the letter first",
    now = NOW, customer = customer({ disputes = 1, invoices = bill("2026-03-02"), stage_day = 1 }),
    expect = { action = "contact", segment = "fighter", day = 7,
               channel = "letter", template = "formal_notice", purpose = "notice" } },

  { name = "fighter (3 replies, 21 days overdue): firm reminder in writing",
    now = NOW, customer = customer({ replies = 3, invoices = bill("2026-02-23"), stage_day = 14 }),
    expect = { action = "contact", segment = "fighter", persona = "fighter", day = 21,
               channel = "email", template = "second", tone = "firm", purpose = "formal" } },

  { name = "fighter: day 40, notice long posted → the final notice on paper",
    now = NOW, customer = customer({ disputes = 2, invoices = bill("2026-02-04"), stage_day = 21 }),
    expect = { action = "contact", segment = "fighter", day = 40,
               channel = "letter", template = "final", tone = "urgent", purpose = "escalation" } },

  { name = "3 replies but only 3 days overdue: not a fighter",
    now = NOW, customer = customer({ replies = 3, invoices = bill("2026-03-13"), stage_day = 1 }),
    expect = { persona = "friendly", segment = "friendly", action = "wait" } },

  -- invisible: -5 sms, -1 voice 60+ / chat / email pre_due | 3 voice / chat /
  -- email reminder (reminder) | 7 letter (notice) | 10 agent call_brief neutral,
  -- 21 sms second (formal) | 40 agent call_brief urgent (escalation)
  { name = "invisible (3 unanswered contacts): day 3 → the one reminder, a voice call",
    now = NOW,
    customer = customer({ contacts = unanswered, invoices = bill("2026-03-13"), stage_day = -1 }),
    expect = { action = "contact", segment = "invisible", persona = "invisible", day = 3,
               channel = "voice", template = "reminder", tone = "neutral", purpose = "reminder" } },

  { name = "invisible (e-mail only): day 3 → the reminder by e-mail",
    now = NOW,
    customer = customer({ phone = NONE, invoices = bill("2026-03-13"), stage_day = -1 }),
    expect = { action = "contact", segment = "invisible", day = 3,
               channel = "email", template = "reminder", purpose = "reminder" } },

  { name = "invisible: day 7 → the notice by post (a letter reaches everyone)",
    now = NOW,
    customer = customer({ contacts = unanswered, invoices = bill("2026-03-09"), stage_day = 3 }),
    expect = { action = "contact", segment = "invisible", day = 7,
               channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" } },

  { name = "invisible: day 10 → a person, right after the notice",
    now = NOW,
    customer = customer({ contacts = unanswered, invoices = bill("2026-03-06"), stage_day = 7 }),
    expect = { action = "contact", segment = "invisible", day = 10,
               channel = "agent", template = "call_brief", tone = "neutral", purpose = "formal" } },

  { name = "3 contacts but one call was a conversation: not invisible",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-06"), stage_day = 1, contacts = {
      { at = "2026-03-14T09:00:00Z", channel = "voice", state = "answered", outcome = "conversation", day = 3 },
      { at = "2026-03-12T09:00:00Z", channel = "sms", state = "delivered", day = 1 },
      { at = "2026-03-08T09:00:00Z", channel = "sms", state = "delivered", day = -3 } } }),
    expect = { persona = "friendly", segment = "friendly", action = "contact", day = 10, channel = "letter" } },

  -- businessman: -5 email pre_due | 3 email overdue (reminder) | 10 letter
  -- (notice) | 14 email reminder, 21 sms second (formal) | 40 email final,
  -- 45 agent (escalation); waits at weekends
  { name = "businessman: day 1 → nothing yet (the reminder is on day 3)",
    now = NOW,
    customer = customer({ payments = businessman, invoices = bill("2026-03-15"), stage_day = -5 }),
    expect = { segment = "businessman", action = "wait" } },

  { name = "businessman: day 3 → friendly e-mail, the one reminder",
    now = NOW,
    customer = customer({ payments = businessman, invoices = bill("2026-03-13"), stage_day = -5 }),
    expect = { action = "contact", segment = "businessman", day = 3,
               channel = "email", template = "overdue", tone = "friendly", purpose = "reminder" } },

  { name = "businessman: day 7 → wait (no second reminder before the notice)",
    now = NOW,
    customer = customer({ payments = businessman, invoices = bill("2026-03-09"), stage_day = 3 }),
    expect = { segment = "businessman", action = "wait" } },

  { name = "businessman: day 10 → the notice by letter",
    now = NOW,
    customer = customer({ payments = businessman, invoices = bill("2026-03-06"), stage_day = 3 }),
    expect = { action = "contact", segment = "businessman", day = 10,
               channel = "letter", template = "formal_notice", purpose = "notice" } },

  { name = "businessman: day 14 → a neutral e-mail after the notice",
    now = NOW,
    customer = customer({ payments = businessman, invoices = bill("2026-03-02"), stage_day = 10 }),
    expect = { action = "contact", segment = "businessman", day = 14,
               channel = "email", template = "reminder", tone = "neutral", purpose = "formal" } },

  { name = "businessman on a Saturday: wait for Monday",
    now = "2026-03-14T10:00:00Z",
    customer = customer({ payments = businessman, invoices = bill("2026-03-11"), stage_day = -5 }),
    expect = { segment = "businessman", action = "wait" } },

  { name = "paid 15 days late on average: not a businessman, a friendly customer",
    now = NOW,
    customer = customer({ payments = { count = 12, avg_days_late = 15 }, invoices = bill("2026-03-19") }),
    expect = { persona = "friendly", segment = "friendly", action = "contact", day = -3, channel = "sms" } },

  -- vulnerable: -5 agent pre_due gentle | 3 agent call_brief gentle (reminder) |
  -- LV (or country unknown): 6 crm case_review — a case manager decides |
  -- elsewhere, or once a notice was sent: 14 agent instalment_offer, 30 and 60
  -- agent call_brief, gentle, purpose reminder
  { name = "vulnerable beats fighter: day 3 → a gentle call, the one reminder",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, disputes = 1,
                          invoices = bill("2026-03-13"), stage_day = -5 }),
    expect = { action = "contact", segment = "vulnerable", persona = "fighter", day = 3,
               channel = "agent", template = "call_brief", tone = "gentle", purpose = "reminder" } },

  -- due 03-09 → day 7; the review line is day 6
  { name = "vulnerable in Latvia: day 7 → a case review in the CRM (day 6), no letter, no second call",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, invoices = bill("2026-03-09"), stage_day = 3 }),
    expect = { action = "contact", segment = "vulnerable", day = 6,
               channel = "crm", template = "case_review", tone = "gentle" } },

  { name = "vulnerable, country unknown: treated as Latvia → case review",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, country = NONE,
                          invoices = bill("2026-03-09"), stage_day = 3 }),
    expect = { action = "contact", segment = "vulnerable", day = 6, channel = "crm" } },

  { name = "vulnerable in Latvia after the review: day 30 → wait (a person decides)",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, invoices = bill("2026-02-14"), stage_day = 6 }),
    expect = { segment = "vulnerable", action = "wait" } },

  -- the hold was set after another segment's day-1 reminder: no second reminder
  { name = "vulnerable since day 2, reminder already sent (stage 1): day 3 → wait",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, invoices = bill("2026-03-13"), stage_day = 1 }),
    expect = { segment = "vulnerable", action = "wait" } },

  -- the hold was set after another segment's notice (stage 10): gentle calls are lawful
  { name = "vulnerable in Latvia after a notice (stage 10): day 14 → a gentle instalment offer",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, invoices = bill("2026-03-02"), stage_day = 10 }),
    expect = { action = "contact", segment = "vulnerable", day = 14,
               channel = "agent", template = "instalment_offer", tone = "gentle", purpose = "reminder" } },

  { name = "vulnerable in Estonia (no notice rule): day 14 → a gentle instalment offer by a person",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, country = "EE", timezone = "Europe/Tallinn",
                          invoices = bill("2026-03-02"), stage_day = 3 }),
    expect = { action = "contact", segment = "vulnerable", day = 14,
               channel = "agent", template = "instalment_offer", tone = "gentle", purpose = "reminder" } },

  { name = "vulnerable in the UK: day 30 → a gentle call",
    now = NOW,
    customer = customer({ holds = { vulnerable = true }, country = "GB", timezone = "Europe/London",
                          invoices = bill("2026-02-14"), stage_day = 14 }),
    expect = { action = "contact", segment = "vulnerable", day = 30,
               channel = "agent", template = "call_brief", tone = "gentle" } },

  -- high balance: -5 email, -1 sms pre_due | 1 sms overdue (reminder) | 7 letter
  -- (notice) | 10 agent instalment_offer (broke a promise) / voice 60+ / email
  -- instalment_offer, 14 agent instalment_offer, 21 sms second (formal) |
  -- 40 agent call_brief urgent (escalation)
  { name = "high balance in TWD (demo portfolio): day 7 → the notice by letter",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-09", 1500000, "TWD"), stage_day = 1 }),
    expect = { action = "contact", segment = "high_balance", day = 7,
               channel = "letter", template = "formal_notice", purpose = "notice" } },

  { name = "high balance: day 10 → instalment offer by e-mail",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-06", 1500000, "TWD"), stage_day = 7 }),
    expect = { action = "contact", segment = "high_balance", day = 10,
               channel = "email", template = "instalment_offer", tone = "neutral", purpose = "formal" } },

  { name = "high balance, 65 years old: day 10 → a voice call",
    now = NOW,
    customer = customer({ age = 65, invoices = bill("2026-03-06", 45000), stage_day = 7 }),
    expect = { action = "contact", segment = "high_balance", day = 10,
               channel = "voice", template = "reminder", purpose = "formal" } },

  { name = "high balance, 299.99 €: just below the threshold → friendly (day 10 notice)",
    now = NOW, customer = customer({ invoices = bill("2026-03-06", 29999), stage_day = 1 }),
    expect = { segment = "friendly", action = "contact", day = 10, channel = "letter",
               template = "formal_notice" } },

  { name = "high balance, one broken promise: day 10 → a person with the plan",
    now = NOW,
    customer = customer({ promises = { broken = 1 }, invoices = bill("2026-03-06", 45000), stage_day = 7 }),
    expect = { action = "contact", segment = "high_balance", day = 10,
               channel = "agent", template = "instalment_offer", tone = "neutral", purpose = "formal" } },

  { name = "high balance, one broken promise, notice not sent yet: day 9 → the letter first",
    now = NOW,
    customer = customer({ promises = { broken = 1 }, invoices = bill("2026-03-07", 45000), stage_day = 1 }),
    expect = { action = "contact", segment = "high_balance", day = 7,
               channel = "letter", template = "formal_notice", purpose = "notice" } },

  { name = "high balance: day 14 → a person agrees the plan",
    now = NOW, customer = customer({ invoices = bill("2026-03-02", 45000), stage_day = 10 }),
    expect = { action = "contact", segment = "high_balance", day = 14,
               channel = "agent", template = "instalment_offer", tone = "neutral", purpose = "formal" } },

  { name = "high balance: day 40, notice long posted → a person, urgent",
    now = NOW, customer = customer({ invoices = bill("2026-02-04", 45000), stage_day = 21 }),
    expect = { action = "contact", segment = "high_balance", day = 40,
               channel = "agent", template = "call_brief", tone = "urgent", purpose = "escalation" } },

  -- standard: -3 sms pre_due | 1 sms overdue (reminder) | 7 letter (notice) |
  -- 14 email reminder, 21 sms second (formal) | 40 email final, 45 agent (escalation)
  { name = "new customer, day 1: standard segment, SMS, the one reminder",
    now = NOW,
    customer = customer({ payments = NONE, invoices = bill("2026-03-15"), stage_day = -3 }),
    expect = { action = "contact", segment = "standard", day = 1,
               channel = "sms", template = "overdue", tone = "friendly", purpose = "reminder" } },

  { name = "new customer, day 7: the notice by letter",
    now = NOW,
    customer = customer({ payments = NONE, invoices = bill("2026-03-09"), stage_day = 1 }),
    expect = { action = "contact", segment = "standard", day = 7,
               channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" } },

  { name = "new customer, day 14: a neutral e-mail after the notice",
    now = NOW,
    customer = customer({ payments = NONE, invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { action = "contact", segment = "standard", day = 14,
               channel = "email", template = "reminder", tone = "neutral", purpose = "formal" } },

  { name = "new customer, day 40, notice long posted: final e-mail",
    now = NOW,
    customer = customer({ payments = NONE, invoices = bill("2026-02-04"), stage_day = 21 }),
    expect = { action = "contact", segment = "standard", day = 40,
               channel = "email", template = "final", tone = "urgent", purpose = "escalation" } },

  -- a customer changes segment during a case ---------------------------------
  -- The conditions read the case's stage, whichever segment reached it.
  { name = "became invisible after friendly's day-1 reminder: day 3 → wait (no second reminder)",
    now = NOW,
    customer = customer({ contacts = unanswered, invoices = bill("2026-03-13"), stage_day = 1 }),
    expect = { segment = "invisible", action = "wait" } },

  { name = "became invisible after friendly's day-1 reminder: day 7 → the notice",
    now = NOW,
    customer = customer({ contacts = unanswered, invoices = bill("2026-03-09"), stage_day = 1 }),
    expect = { segment = "invisible", action = "contact", day = 7, channel = "letter", purpose = "notice" } },

  -- standard's notice is on day 7, friendly's on day 10
  { name = "friendly now, notice already sent as standard (stage 7): day 10 → wait, no second letter",
    now = NOW, customer = customer({ invoices = bill("2026-03-06"), stage_day = 7 }),
    expect = { segment = "friendly", action = "wait" } },

  { name = "friendly now, notice already sent as standard (stage 7): day 14 → the formal SMS",
    now = NOW, customer = customer({ invoices = bill("2026-03-02"), stage_day = 7 }),
    expect = { segment = "friendly", action = "contact", day = 14, channel = "sms", purpose = "formal" } },

  -- promises (decide) -------------------------------------------------------
  { name = "promise to pay pending until 03-20: wait",
    now = NOW,
    customer = customer({ promises = { pending = true, due = "2026-03-20" },
                          invoices = bill("2026-03-02"), stage_day = 10 }),
    expect = { segment = "friendly", action = "wait" } },

  { name = "promise to pay due today: still wait",
    now = NOW,
    customer = customer({ promises = { pending = true, due = "2026-03-16" },
                          invoices = bill("2026-03-02"), stage_day = 10 }),
    expect = { action = "wait" } },

  { name = "promised date passed (03-10) and still unpaid: the ladder goes on",
    now = NOW,
    customer = customer({ promises = { pending = true, due = "2026-03-10" },
                          invoices = bill("2026-03-02"), stage_day = 10 }),
    expect = { action = "contact", day = 14, channel = "sms", template = "reminder", tone = "neutral" } },
}
