-- rules/tests/ladder.lua — the friendly ladder after the due date, stage by
-- stage, plus `when`, fallback, catch-up after downtime, the time zone and
-- the Latvian notice periods (docs/rules-guide.md, section 18).
--
-- The friendly ladder, by hand:
--   -3 sms pre_due (prevention) | 1 email overdue (reminder) |
--   10 letter formal_notice (notice) | 14 voice 60+ / chat <35 / sms reminder (formal) |
--   21 sms second (formal) | 40 email final, 45 agent call_brief (escalation,
--   only 29 days or more after the notice was posted)
--
-- All tests run on Monday 2026-03-16, 12:00 in Riga (10:00 UTC) unless a
-- test says otherwise. Due dates and the days overdue they give:
--   03-15 → 1   03-09 → 7   03-06 → 10  03-02 → 14  02-24 → 20
--   02-23 → 21  02-14 → 30  02-04 → 40  01-30 → 45  12-16 (2025) → 90

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

-- The notice letter as c.contacts shows it, posted on `day` (UTC date).
local function notice_posted(day)
  return { { at = day .. "T08:00:00Z", channel = "letter", state = "sent",
             template = "formal_notice", day = 10 } }
end

return {
  { name = "day 1: friendly e-mail, the one informative reminder",
    now = NOW, customer = customer({ invoices = bill("2026-03-15"), stage_day = -3 }),
    expect = { action = "contact", segment = "friendly", day = 1, channel = "email",
               template = "overdue", tone = "friendly", purpose = "reminder" } },

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

  -- Latvia allows only one informative reminder before the written notice:
  -- nothing between day 1 and the letter on day 10.
  { name = "day 7 after the reminder: wait for the notice (no second reminder)",
    now = NOW, customer = customer({ invoices = bill("2026-03-09"), stage_day = 1 }),
    expect = { action = "wait" } },

  { name = "day 10: the formal written notice, by letter",
    now = NOW, customer = customer({ invoices = bill("2026-03-06"), stage_day = 1 }),
    expect = { action = "contact", day = 10, channel = "letter", template = "formal_notice",
               tone = "firm", purpose = "notice" } },

  { name = "day 14, 65 years old: voice call, a formal step after the notice",
    now = NOW, customer = customer({ invoices = bill("2026-03-02"), stage_day = 10, age = 65 }),
    expect = { action = "contact", day = 14, channel = "voice", template = "reminder",
               tone = "neutral", purpose = "formal" } },

  { name = "day 14, 25 years old with a chat handle: chat",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-02"), stage_day = 10, age = 25, chat = "janis.b" }),
    expect = { action = "contact", day = 14, channel = "chat", template = "reminder",
               tone = "neutral", purpose = "formal" } },

  { name = "day 14, 25 years old without chat: SMS",
    now = NOW, customer = customer({ invoices = bill("2026-03-02"), stage_day = 10, age = 25 }),
    expect = { action = "contact", day = 14, channel = "sms", template = "reminder",
               tone = "neutral", purpose = "formal" } },

  { name = "day 14, age unknown: SMS (the age conditions are false, not an error)",
    now = NOW, customer = customer({ invoices = bill("2026-03-02"), stage_day = 10, age = NONE }),
    expect = { action = "contact", day = 14, channel = "sms", template = "reminder", tone = "neutral" } },

  { name = "day 21: firm SMS",
    now = NOW, customer = customer({ invoices = bill("2026-02-23"), stage_day = 14 }),
    expect = { action = "contact", day = 21, channel = "sms", template = "second", tone = "firm",
               purpose = "formal" } },

  { name = "between steps: day 21 done, now day 30 → wait",
    now = NOW, customer = customer({ invoices = bill("2026-02-14"), stage_day = 21 }),
    expect = { action = "wait" } },

  -- notice posted 02-14 (day 10 of a bill due 02-04); 02-14 → 03-16 = 30 days ≥ 29
  { name = "day 40, notice posted 30 days ago: final e-mail, urgent escalation",
    now = NOW,
    customer = customer({ invoices = bill("2026-02-04"), stage_day = 21,
                          contacts = notice_posted("2026-02-14") }),
    expect = { action = "contact", day = 40, channel = "email", template = "final", tone = "urgent",
               purpose = "escalation" } },

  -- 02-15 + 7 (received 02-22) + 21 (objections until 03-15): escalation from 03-16
  { name = "day 40, notice posted exactly 29 days ago: the objection period ended yesterday",
    now = NOW,
    customer = customer({ invoices = bill("2026-02-04"), stage_day = 21,
                          contacts = notice_posted("2026-02-15") }),
    expect = { action = "contact", day = 40, template = "final", purpose = "escalation" } },

  -- 02-16 + 7 + 21: objections until 03-16 (today): no escalation yet
  { name = "day 40, notice posted 28 days ago (sent late): wait out the objection period",
    now = NOW,
    customer = customer({ invoices = bill("2026-02-04"), stage_day = 21,
                          contacts = notice_posted("2026-02-16") }),
    expect = { action = "wait" } },

  -- c.contacts holds the last 35 days: no notice in it means it is older
  { name = "day 45: a person calls (the notice is older than the contact history)",
    now = NOW, customer = customer({ invoices = bill("2026-01-30"), stage_day = 40 }),
    expect = { action = "contact", day = 45, channel = "agent", template = "call_brief",
               tone = "urgent", purpose = "escalation" } },

  { name = "catch-up: notice done (day 10), now day 20 → one step, day 14",
    now = NOW, customer = customer({ invoices = bill("2026-02-24"), stage_day = 10 }),
    expect = { action = "contact", day = 14, channel = "sms", template = "reminder", purpose = "formal" } },

  { name = "catch-up: last step was the reminder, now day 20 → the notice first, not day 14",
    now = NOW, customer = customer({ invoices = bill("2026-02-24"), stage_day = 1 }),
    expect = { action = "contact", day = 10, channel = "letter", template = "formal_notice",
               purpose = "notice" } },

  { name = "long downtime: nothing done yet, now day 40 → the day 10 notice only",
    now = NOW, customer = customer({ invoices = bill("2026-02-04") }),
    expect = { action = "contact", day = 10, channel = "letter", template = "formal_notice",
               purpose = "notice" } },

  { name = "ladder finished: day 45 done, now day 90 → wait",
    now = NOW, customer = customer({ invoices = bill("2025-12-16"), stage_day = 45 }),
    expect = { action = "wait" } },

  -- The guard's profiles other than LV require no notice; the same ladder is
  -- lawful there, so it is not branched on the country.
  { name = "a customer in the UK gets the same ladder: day 10 → the notice letter",
    now = NOW,
    customer = customer({ invoices = bill("2026-03-06"), stage_day = 1, country = "GB",
                          timezone = "Europe/London", language = "en", name = "John Smith" }),
    expect = { action = "contact", segment = "friendly", day = 10, channel = "letter",
               template = "formal_notice", language = "en", purpose = "notice" } },
}
