-- rules/segments/high_balance.lua — owes a lot at once (see rules.lua for
-- the thresholds per currency). A large sum is rarely paid in one go, so
-- the formal notice comes early (day 7) and an instalment plan is offered
-- right after it, by e-mail and then by a person.
-- `purpose`: see docs/rules-guide.md, section 18.

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

local function older_with_phone(c) return c.age ~= nil and c.age >= 60 and c.reachable.voice end

-- Broke a promise before: another automatic message will not help, a
-- person offers the plan straight away.
local function broke_promise_after_notice(c) return notice_sent(c) and c.promises.broken >= 1 end
local function after_notice_older(c)         return notice_sent(c) and older_with_phone(c) end

-- Prevention only while the bill is not yet overdue: after downtime (or a
-- pass that comes late) a "due on …" message must not go out after the due
-- date, where it would be an uncounted second reminder.
local function not_yet_due(c) return c.days_overdue ~= nil and c.days_overdue <= 0 end

return {
  describe = "High balance: notice early, then an instalment plan",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: early notice, then a last-day reminder
    { day = -5, channel = "email",  template = "pre_due",          tone = "friendly", fallback = { "sms" }, when = not_yet_due },
    { day = -1, channel = "sms",    template = "pre_due",          tone = "friendly", fallback = { "email" }, when = not_yet_due },
    -- the one informative reminder
    { day =  1, channel = "sms",    template = "overdue",          tone = "friendly", fallback = { "email" },
      purpose = "reminder" },
    { day = NOTICE_DAY, channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" },
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
