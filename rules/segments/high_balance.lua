-- rules/segments/high_balance.lua — owes a lot at once (see rules.lua for
-- the thresholds per currency). A large sum is rarely paid in one go, so
-- the formal notice comes early (day 7) and an instalment plan is offered
-- right after it, by e-mail and then by a person.
-- `purpose`: see docs/rules-guide.md, section 18.

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

local function older_with_phone(c) return c.age ~= nil and c.age >= 60 and c.reachable.voice end

-- Broke a promise before: another automatic message will not help, a
-- person offers the plan straight away.
local function broke_promise_after_notice(c) return notice_sent(c) and c.promises.broken >= 1 end
local function after_notice_older(c)         return notice_sent(c) and older_with_phone(c) end

return {
  describe = "High balance: notice early, then an instalment plan",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: early notice, then a last-day reminder
    { day = -5, channel = "email",  template = "pre_due",          tone = "friendly", fallback = { "sms" },
      when = not_yet_due },
    { day = -1, channel = "sms",    template = "pre_due",          tone = "friendly", fallback = { "email" },
      when = not_yet_due },
    -- the one informative reminder
    { day =  1, channel = "sms",    template = "overdue",          tone = "friendly", fallback = { "email" },
      purpose = "reminder", when = no_reminder_yet },
    { day =  7, channel = "letter", template = "formal_notice",    tone = "firm",
      purpose = "notice", when = notice_not_sent },
    -- three days after the notice: the plan (a person for promise breakers,
    -- a call for older customers, otherwise in writing)
    { day = 10, channel = "agent",  template = "instalment_offer", tone = "neutral",
      purpose = "formal", when = broke_promise_after_notice },
    { day = 10, channel = "voice",  template = "reminder",         tone = "neutral",  when = after_notice_older,
      hours = { from = "10:00", to = "18:00" }, purpose = "formal" },
    { day = 10, channel = "email",  template = "instalment_offer", tone = "neutral",  fallback = { "sms" },
      purpose = "formal", when = notice_sent },
    -- two weeks: a person agrees the plan
    { day = 14, channel = "agent",  template = "instalment_offer", tone = "neutral",
      purpose = "formal", when = notice_sent },
    -- three weeks: firm, in writing
    { day = 21, channel = "sms",    template = "second",           tone = "firm",     fallback = { "email" },
      purpose = "formal", when = notice_sent },
    -- after the notice period (7 + 29 = day 36 at the earliest): a person, urgent
    { day = 40, channel = "agent",  template = "call_brief",       tone = "urgent",
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
