-- rules/segments/invisible.lua — cannot be reached, or never reacts.
--
-- Every touch uses a different channel (SMS, voice, chat, e-mail), and a
-- person steps in early: on day 7, not on day 65.

local function older_with_phone(c) return c.age ~= nil and c.age >= 60 and c.reachable.voice end
local function on_chat(c)          return c.reachable.chat end
local function by_phone(c)         return c.reachable.voice end

return {
  describe = "Hard to reach or never answers: all channels, a person early",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: twice, on two different channels
    { day = -5, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email" } },
    { day = -1, channel = "voice",  template = "pre_due",       tone = "friendly", when = older_with_phone },
    { day = -1, channel = "chat",   template = "pre_due",       tone = "friendly", when = on_chat },
    { day = -1, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" } },
    { day =  1, channel = "sms",    template = "overdue",       tone = "friendly", fallback = { "email" } },
    -- day 3: try to get a live answer
    { day =  3, channel = "voice",  template = "reminder",      tone = "neutral",  when = by_phone },
    { day =  3, channel = "chat",   template = "reminder",      tone = "neutral",  when = on_chat },
    { day =  3, channel = "email",  template = "reminder",      tone = "neutral",  fallback = { "sms" } },
    -- a person, early
    { day =  7, channel = "agent",  template = "call_brief",    tone = "neutral" },
    { day = 14, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email" } },
    { day = 21, channel = "agent",  template = "call_brief",    tone = "firm" },
    { day = 30, channel = "letter", template = "formal_notice", tone = "firm" },
    { day = 60, channel = "agent",  template = "call_brief",    tone = "urgent" },
  },

  -- Promise to pay not yet due: wait for it.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
