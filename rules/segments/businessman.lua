-- rules/segments/businessman.lua — pays every bill, a few days late.
--
-- Works from the inbox, so e-mail comes first everywhere; SMS only when
-- there is no e-mail address. No nudge on day 1: he usually pays within a
-- few days anyway, so the one informative reminder waits until day 3 and
-- the formal notice until day 10.
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

return {
  describe = "Reliable payer, a few days late; reads e-mail",
  hours    = { from = "08:00", to = "18:00" },     -- office hours
  ladder = {
    -- prevention: five days ahead, in time for the weekly payment run
    { day = -5, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" },
      when = not_yet_due },
    -- the one informative reminder
    { day =  3, channel = "email",  template = "overdue",       tone = "friendly", fallback = { "sms" },
      purpose = "reminder", when = no_reminder_yet },
    { day = 10, channel = "letter", template = "formal_notice", tone = "firm",
      purpose = "notice", when = notice_not_sent },
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
