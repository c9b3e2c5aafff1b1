-- rules/segments/invisible.lua — cannot be reached, or never reacts.
--
-- Every touch uses a different channel (SMS, voice, chat, e-mail, paper).
-- The one informative reminder tries for a live answer; then the formal
-- notice goes by post early (day 7): a letter reaches everyone. A person
-- steps in right after it (day 10).
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
local function on_chat(c)          return c.reachable.chat end
local function by_phone(c)         return c.reachable.voice end

-- Prevention only while the bill is not yet overdue: after downtime (or a
-- pass that comes late) a "due on …" message must not go out after the due
-- date, where it would be an uncounted second reminder.
local function not_yet_due(c) return c.days_overdue ~= nil and c.days_overdue <= 0 end
local function older_not_yet_due(c)   return not_yet_due(c) and older_with_phone(c) end
local function on_chat_not_yet_due(c) return not_yet_due(c) and on_chat(c) end

return {
  describe = "Hard to reach or never answers: all channels, notice early, a person",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: twice, on two different channels
    { day = -5, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email" }, when = not_yet_due },
    { day = -1, channel = "voice",  template = "pre_due",       tone = "friendly", when = older_not_yet_due },
    { day = -1, channel = "chat",   template = "pre_due",       tone = "friendly", when = on_chat_not_yet_due },
    { day = -1, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" }, when = not_yet_due },
    -- day 3: the one informative reminder, trying for a live answer
    { day =  3, channel = "voice",  template = "reminder",      tone = "neutral",  when = by_phone,
      purpose = "reminder" },
    { day =  3, channel = "chat",   template = "reminder",      tone = "neutral",  when = on_chat,
      purpose = "reminder" },
    { day =  3, channel = "email",  template = "reminder",      tone = "neutral",  fallback = { "sms" },
      purpose = "reminder" },
    -- the formal notice on paper
    { day = NOTICE_DAY, channel = "letter", template = "formal_notice", tone = "firm", purpose = "notice" },
    -- a person, early
    { day = 10, channel = "agent",  template = "call_brief",    tone = "neutral",
      purpose = "formal", when = notice_sent },
    { day = 21, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email", "chat" },
      purpose = "formal", when = notice_sent },
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
