-- rules/segments/vulnerable.lua — customers marked vulnerable (illness,
-- bereavement, crisis…). Only a trained person calls, always gently;
-- no automatic SMS, e-mail, robot calls or letters.

return {
  describe = "Vulnerable: a trained person only, gently",
  hours    = { from = "10:00", to = "18:00" },
  ladder = {
    -- a caring call before the bill is due: can we help?
    { day = -5, channel = "agent", template = "pre_due",          tone = "gentle" },
    { day =  3, channel = "agent", template = "call_brief",       tone = "gentle" },
    { day = 14, channel = "agent", template = "instalment_offer", tone = "gentle" },
    { day = 30, channel = "agent", template = "call_brief",       tone = "gentle" },
    { day = 60, channel = "agent", template = "call_brief",       tone = "gentle" },
  },

  -- Promise to pay not yet due: no calls until then.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
