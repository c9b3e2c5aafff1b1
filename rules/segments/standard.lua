-- rules/segments/standard.lua — the catch-all: mostly new customers with no
-- payment history yet. We do not know their habits, so the ladder is the
-- plain one: SMS first (every customer has a phone), e-mail as a fallback,
-- and the formal notice on day 7.
--
-- `purpose` says what each step is in law (docs/rules-guide.md, section 18):
--   prevention  before the due date (not about a late payment: not counted)
--   reminder    ONE informative reminder after the due date
--   notice      the formal written notice, by letter
--   formal      collection messages, once the notice has been posted
--   escalation  once the notice period is over: deemed received on the 7th
--               day after posting + 21 days to object = posting + 29 days
-- The same ladder is lawful under the other profiles (no notice needed there).

-- ---- The Latvian notice path (the same block in every segment file) ----
-- The conditions look at the case, not at this ladder: a customer may
-- change segment during a case (a persona changes as contacts pile up), and
-- c.stage_day is the last step day done in the case by ANY segment. Every
-- shipped ladder's first step after the due date is its one informative
-- reminder, and from day 7 on its first step is the notice letter.

-- Prevention only while the bill is not yet overdue: a late pass must not
-- send "due on …" after the due date (it would be an uncounted reminder).
local function not_yet_due(c) return c.days_overdue ~= nil and c.days_overdue <= 0 end
-- No step after the due date done yet in this case: the reminder is still free.
local function no_reminder_yet(c) return c.stage_day == nil or c.stage_day < 0 end
-- The notice is done in this case (a stage of day 7 or more).
local function notice_sent(c) return c.stage_day ~= nil and c.stage_day >= 7 end
local function notice_not_sent(c) return not notice_sent(c) end
-- The notice was posted 29 days ago or more (7 days until it is deemed
-- received + 21 days to object + 1). c.contacts holds the last 35 days: a
-- notice not in it was posted longer ago than that.
local function notice_period_over(c, ctx)
  if not notice_sent(c) then return false end
  for _, contact in ipairs(c.contacts) do
    if contact.template == "formal_notice" and contact.state ~= "cancelled" then
      return dn.days_between(string.sub(contact.at, 1, 10), ctx.today) >= 29
    end
  end
  return true
end
-- ------------------------------------------------------------------------

return {
  describe = "Everyone else, mostly new customers",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: a first bill is easy to miss
    { day = -3, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email" },
      when = not_yet_due },
    -- the one informative reminder the law allows before the notice
    { day =  1, channel = "sms",    template = "overdue",       tone = "friendly", fallback = { "email" },
      purpose = "reminder", when = no_reminder_yet },
    -- one week: the formal written notice (starts the 7 + 21 days)
    { day =  7, channel = "letter", template = "formal_notice", tone = "firm",
      purpose = "notice", when = notice_not_sent },
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
