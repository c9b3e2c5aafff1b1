-- rules/segments/friendly.lua — known customers who pay after a gentle nudge.
--
-- Read the ladder top to bottom like a calendar. `day` counts from the due
-- date: -3 is three days before it, 14 is two weeks after it. Each day the
-- engine sends at most one step: on a day with several lines, the first
-- line whose `when` is true wins, so the plain line without `when` goes last.

-- Over 60: a voice call, at civilised hours.
local function older_with_phone(c) return c.age ~= nil and c.age >= 60 and c.reachable.voice end
-- Under 35 with a chat handle: chat is where they read.
local function younger_on_chat(c) return c.age ~= nil and c.age < 35 and c.reachable.chat end

return {
  describe = "Known customer who pays after a gentle nudge",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: one friendly heads-up three days before the due date
    { day = -3, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email" } },
    -- the day after: a friendly "did you forget?"
    { day =  1, channel = "email",  template = "overdue",       tone = "friendly", fallback = { "sms" } },
    -- one week: a neutral reminder on the channel that suits the customer
    { day =  7, channel = "voice",  template = "reminder",      tone = "neutral",  when = older_with_phone,
      hours = { from = "10:00", to = "18:00" } },
    { day =  7, channel = "chat",   template = "reminder",      tone = "neutral",  when = younger_on_chat },
    { day =  7, channel = "sms",    template = "reminder",      tone = "neutral",  fallback = { "email" } },
    -- two weeks: firm
    { day = 14, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email" } },
    -- one month: the formal written notice (starts the 7 + 21 days the law gives)
    { day = 30, channel = "letter", template = "formal_notice", tone = "firm" },
    -- after the notice period (30 + 7 + 21 = 58 days): final message, then a person
    { day = 60, channel = "email",  template = "final",         tone = "urgent",   fallback = { "sms" } },
    { day = 65, channel = "agent",  template = "call_brief",    tone = "urgent" },
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
