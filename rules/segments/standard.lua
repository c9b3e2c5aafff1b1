-- rules/segments/standard.lua — the catch-all: mostly new customers with no
-- payment history yet. We do not know their habits, so the ladder is the
-- plain one: SMS first (every customer has a phone), e-mail as a fallback.
--
-- The path is the lawful Latvian one (docs/rules-guide.md, section 18), and
-- it is lawful under every other profile too:
--   prevention  before the due date   (not about a late payment: not counted)
--   reminder    ONE informative reminder after the due date
--   notice      the formal written notice, by letter, early
--   formal      collection messages, only once the notice has been posted
--   escalation  only after the notice period: deemed received on the 7th day
--               after posting + 21 days to object = from posting + 29 days

-- The day of the notice letter in this ladder.
local NOTICE_DAY = 7

-- The notice step is done in this case (its day is the stage reached or
-- behind it). Steps after the notice wait for it; after downtime this makes
-- the catch-up send the letter first instead of a later step.
local function notice_sent(c)
  return c.stage_day ~= nil and c.stage_day >= NOTICE_DAY
end

-- The notice has been posted at least 29 days ago (7 days until it counts
-- as received + 21 days to object + 1). c.contacts holds the last 35 days,
-- so a notice not in it was posted longer ago than that.
local function notice_period_over(c, ctx)
  if not notice_sent(c) then return false end
  for _, contact in ipairs(c.contacts) do
    if contact.template == "formal_notice" and contact.state ~= "cancelled" then
      return dn.days_between(string.sub(contact.at, 1, 10), ctx.today) >= 29
    end
  end
  return true
end

-- Prevention only while the bill is not yet overdue: after downtime (or a
-- pass that comes late) a "due on …" message must not go out after the due
-- date, where it would be an uncounted second reminder.
local function not_yet_due(c) return c.days_overdue ~= nil and c.days_overdue <= 0 end

return {
  describe = "Everyone else, mostly new customers",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: a first bill is easy to miss
    { day = -3, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email" }, when = not_yet_due },
    -- the one informative reminder the law allows before the notice
    { day =  1, channel = "sms",    template = "overdue",       tone = "friendly", fallback = { "email" },
      purpose = "reminder" },
    -- one week: the formal written notice (starts the 7 + 21 days)
    { day = NOTICE_DAY, channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" },
    -- while the customer may object: factual reminders that offer a plan
    { day = 14, channel = "email",  template = "reminder",      tone = "neutral",  fallback = { "sms" },
      purpose = "formal", when = notice_sent },
    { day = 21, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email" },
      purpose = "formal", when = notice_sent },
    -- after the notice period (7 + 29 = day 36 at the earliest): final message, then a person
    { day = 40, channel = "email",  template = "final",         tone = "urgent",   fallback = { "sms" },
      purpose = "escalation", when = notice_period_over },
    { day = 45, channel = "agent",  template = "call_brief",    tone = "urgent",
      purpose = "escalation", when = notice_period_over },
  },

  -- Promise to pay not yet due: wait for it.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
