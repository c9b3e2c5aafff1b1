-- rules/segments/fighter.lua — disputes, broken promises, complaints.
--
-- Firm but respectful: neutral words, everything in writing (e-mail,
-- letters) so there is a record, and a person who listens. Never friendly
-- chit-chat, never pressure beyond the facts. The formal notice comes early
-- (day 7): it is the written record, and it tells the customer how to object.
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
  describe = "Disputes or broken promises: written record and a person",
  hours    = { from = "09:00", to = "19:00" },
  ladder = {
    { day = -3, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" },
      when = not_yet_due },
    -- the one informative reminder, in writing
    { day =  1, channel = "email",  template = "overdue",       tone = "neutral",  fallback = { "sms" },
      purpose = "reminder", when = no_reminder_yet },
    -- the formal notice on paper
    { day =  7, channel = "letter", template = "formal_notice", tone = "firm",
      purpose = "notice", when = notice_not_sent },
    -- a person listens once the letter has arrived (deemed received 7 days
    -- after posting): most fights are about a misunderstanding
    { day = 14, channel = "agent",  template = "call_brief",    tone = "neutral",
      purpose = "formal", when = notice_sent },
    { day = 21, channel = "email",  template = "second",        tone = "firm",     fallback = { "sms" },
      purpose = "formal", when = notice_sent },
    -- after the 21 days to object (7 + 29 = day 36 at the earliest): the
    -- final notice, also on paper, then a person
    { day = 40, channel = "letter", template = "final",         tone = "urgent",
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
