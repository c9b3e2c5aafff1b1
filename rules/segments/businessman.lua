-- rules/segments/businessman.lua — pays every bill, a few days late.
--
-- Works from the inbox, so e-mail comes first everywhere; SMS only when
-- there is no e-mail address. No nudge on day 1: he usually pays within a
-- few days anyway, so the first overdue e-mail waits until day 3.

return {
  describe = "Reliable payer, a few days late; reads e-mail",
  hours    = { from = "08:00", to = "18:00" },     -- office hours
  ladder = {
    -- prevention: five days ahead, in time for the weekly payment run
    { day = -5, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" } },
    { day =  3, channel = "email",  template = "overdue",       tone = "friendly", fallback = { "sms" } },
    { day =  7, channel = "email",  template = "reminder",      tone = "neutral",  fallback = { "sms" } },
    -- e-mails did not work: a short SMS
    { day = 14, channel = "sms",    template = "second",        tone = "firm",     fallback = { "email" } },
    { day = 30, channel = "letter", template = "formal_notice", tone = "firm" },
    { day = 60, channel = "email",  template = "final",         tone = "urgent",   fallback = { "sms" } },
    { day = 65, channel = "agent",  template = "call_brief",    tone = "urgent" },
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
