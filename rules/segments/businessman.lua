-- rules/segments/businessman.lua — pays every bill, a few days late.
--
-- Works from the inbox, so e-mail comes first everywhere; SMS only when
-- there is no e-mail address. No nudge on day 1: he usually pays within a
-- few days anyway, so the one informative reminder waits until day 3 and
-- the formal notice until day 10.
-- `purpose`: see docs/rules-guide.md, section 18.

local NOTICE_DAY = 10

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
  describe = "Reliable payer, a few days late; reads e-mail",
  hours    = { from = "08:00", to = "18:00" },     -- office hours
  ladder = {
    -- prevention: five days ahead, in time for the weekly payment run
    { day = -5, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" }, when = not_yet_due },
    -- the one informative reminder
    { day =  3, channel = "email",  template = "overdue",       tone = "friendly", fallback = { "sms" },
      purpose = "reminder" },
    { day = NOTICE_DAY, channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" },
    { day = 14, channel = "email",  template = "reminder",      tone = "neutral",  fallback = { "sms" },
      purpose = "formal", when = notice_sent },
    -- e-mails did not work: a short SMS
    { day = 21, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email" },
      purpose = "formal", when = notice_sent },
    -- after the notice period (10 + 29 = day 39 at the earliest)
    { day = 40, channel = "email",  template = "final",         tone = "urgent",   fallback = { "sms" },
      purpose = "escalation", when = notice_period_over },
    { day = 45, channel = "agent",  template = "call_brief",    tone = "urgent",
      purpose = "escalation", when = notice_period_over },
  },

  decide = function(c, ctx)
    -- Promise to pay not yet due: wait for it.
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    -- Weekend: a business inbox is read on Monday, and ours should be on
    -- top of it then, not buried under the weekend's mail.
    if ctx.weekday >= 6 then
      return { action = "wait", reason = "weekend: business e-mail waits for Monday" }
    end
    return nil
  end,
}
