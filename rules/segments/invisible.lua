-- rules/segments/invisible.lua — cannot be reached, or never reacts.
--
-- Every touch uses a different channel (SMS, voice, chat, e-mail, paper).
-- The one informative reminder tries for a live answer; then the formal
-- notice goes by post early (day 7): a letter reaches everyone. A person
-- steps in right after it (day 10). A written step is only tried when some
-- written channel can reach the customer at all.
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
local function on_chat(c)          return c.reachable.chat end
local function by_phone(c)         return c.reachable.voice end
local function in_writing(c)       return c.reachable.sms or c.reachable.email or c.reachable.chat end

local function before_due_in_writing(c) return not_yet_due(c) and in_writing(c) end
local function before_due_older(c)      return not_yet_due(c) and older_with_phone(c) end
local function before_due_on_chat(c)    return not_yet_due(c) and on_chat(c) end
local function reminder_by_phone(c)     return no_reminder_yet(c) and by_phone(c) end
local function reminder_on_chat(c)      return no_reminder_yet(c) and on_chat(c) end
local function reminder_in_writing(c)   return no_reminder_yet(c) and in_writing(c) end
local function after_notice_in_writing(c) return notice_sent(c) and in_writing(c) end

return {
  describe = "Hard to reach or never answers: all channels, notice early, a person",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: twice, on two different channels
    { day = -5, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email", "chat" },
      when = before_due_in_writing },
    { day = -1, channel = "voice",  template = "pre_due",       tone = "friendly", when = before_due_older },
    { day = -1, channel = "chat",   template = "pre_due",       tone = "friendly", when = before_due_on_chat },
    { day = -1, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" },
      when = before_due_in_writing },
    -- day 3: the one informative reminder, trying for a live answer
    { day =  3, channel = "voice",  template = "reminder",      tone = "neutral",
      purpose = "reminder", when = reminder_by_phone },
    { day =  3, channel = "chat",   template = "reminder",      tone = "neutral",
      purpose = "reminder", when = reminder_on_chat },
    { day =  3, channel = "email",  template = "reminder",      tone = "neutral",  fallback = { "sms" },
      purpose = "reminder", when = reminder_in_writing },
    -- the formal notice on paper
    { day =  7, channel = "letter", template = "formal_notice", tone = "firm",
      purpose = "notice", when = notice_not_sent },
    -- a person, early
    { day = 10, channel = "agent",  template = "call_brief",    tone = "neutral",
      purpose = "formal", when = notice_sent },
    { day = 21, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email", "chat" },
      purpose = "formal", when = after_notice_in_writing },
    -- after the notice period (7 + 29 = day 36 at the earliest)
    { day = 40, channel = "agent",  template = "call_brief",    tone = "urgent",
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
