-- rules/segments/standard.lua — the catch-all: mostly new customers with no
-- payment history yet. We do not know their habits, so the ladder is the
-- plain one: SMS first (every customer has a phone), e-mail as a fallback.

return {
  describe = "Everyone else, mostly new customers",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: a first bill is easy to miss
    { day = -3, channel = "sms",    template = "pre_due",       tone = "friendly", fallback = { "email" } },
    { day =  1, channel = "sms",    template = "overdue",       tone = "friendly", fallback = { "email" } },
    { day =  7, channel = "email",  template = "reminder",      tone = "neutral",  fallback = { "sms" } },
    { day = 14, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email" } },
    -- formal written notice, then 7 + 21 days of the legal notice period
    { day = 30, channel = "letter", template = "formal_notice", tone = "firm" },
    { day = 60, channel = "email",  template = "final",         tone = "urgent",   fallback = { "sms" } },
    { day = 65, channel = "agent",  template = "call_brief",    tone = "urgent" },
  },

  -- Promise to pay not yet due: wait for it.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
