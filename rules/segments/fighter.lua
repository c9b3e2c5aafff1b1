-- rules/segments/fighter.lua — disputes, broken promises, complaints.
--
-- Firm but respectful: neutral words, everything in writing (e-mail,
-- letters) so there is a record, and a person who listens. Never friendly
-- chit-chat, never pressure beyond the facts. The formal notice comes early
-- (day 7): it is the written record, and it tells the customer how to object.
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

-- Prevention only while the bill is not yet overdue: after downtime (or a
-- pass that comes late) a "due on …" message must not go out after the due
-- date, where it would be an uncounted second reminder.
local function not_yet_due(c) return c.days_overdue ~= nil and c.days_overdue <= 0 end

return {
  describe = "Disputes or broken promises: written record and a person",
  hours    = { from = "09:00", to = "19:00" },
  ladder = {
    { day = -3, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" }, when = not_yet_due },
    -- the one informative reminder, in writing
    { day =  1, channel = "email",  template = "overdue",       tone = "neutral",  fallback = { "sms" },
      purpose = "reminder" },
    -- the formal notice on paper
    { day = NOTICE_DAY, channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" },
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
