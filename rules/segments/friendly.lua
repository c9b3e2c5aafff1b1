-- rules/segments/friendly.lua — known customers who pay after a gentle nudge.
--
-- Read the ladder top to bottom like a calendar. `day` counts from the due
-- date: -3 is three days before it, 14 is two weeks after it. Each day the
-- engine sends at most one step: on a day with several lines, the first
-- line whose `when` is true wins, so the plain line without `when` goes last.
--
-- `purpose` says what each step is in law (docs/rules-guide.md, section 18):
-- prevention before the due date; ONE informative reminder after it; the
-- formal written notice by letter; formal steps once it is posted;
-- escalation once its period is over (posting + 7 + 21 days).
-- These customers usually pay after one nudge, so the notice waits until
-- day 10: most of them never get it.

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

-- Over 60: a voice call, at civilised hours.
local function older_with_phone(c) return c.age ~= nil and c.age >= 60 and c.reachable.voice end
-- Under 35 with a chat handle: chat is where they read.
local function younger_on_chat(c) return c.age ~= nil and c.age < 35 and c.reachable.chat end

local function after_notice_older(c)   return notice_sent(c) and older_with_phone(c) end
local function after_notice_younger(c) return notice_sent(c) and younger_on_chat(c) end

return {
  describe = "Known customer who pays after a gentle nudge",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: one friendly heads-up three days before the due date
    { day = -3, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email" },
      when = not_yet_due },
    -- the day after: a friendly "did you forget?" (the one informative reminder)
    { day =  1, channel = "email",  template = "overdue",       tone = "friendly", fallback = { "sms" },
      purpose = "reminder", when = no_reminder_yet },
    -- still unpaid after 10 days: the formal written notice
    { day = 10, channel = "letter", template = "formal_notice", tone = "firm",
      purpose = "notice", when = notice_not_sent },
    -- two weeks: a neutral reminder on the channel that suits the customer
    { day = 14, channel = "voice",  template = "reminder",      tone = "neutral",  when = after_notice_older,
      hours = { from = "10:00", to = "18:00" }, purpose = "formal" },
    { day = 14, channel = "chat",   template = "reminder",      tone = "neutral",  when = after_notice_younger,
      purpose = "formal" },
    { day = 14, channel = "sms",    template = "reminder",      tone = "neutral",  fallback = { "email" },
      purpose = "formal", when = notice_sent },
    -- three weeks: firm
    { day = 21, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email" },
      purpose = "formal", when = notice_sent },
    -- after the notice period (10 + 29 = day 39 at the earliest): final message, then a person
    { day = 40, channel = "email",  template = "final",         tone = "urgent",   fallback = { "sms" },
      purpose = "escalation", when = notice_period_over },
    { day = 45, channel = "agent",  template = "call_brief",    tone = "urgent",
      purpose = "escalation", when = notice_period_over },
  },

  -- A promise to pay that is not yet due: leave the customer alone until
  -- then. Once the promised date has passed, the ladder continues.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
