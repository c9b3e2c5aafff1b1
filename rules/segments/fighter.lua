-- rules/segments/fighter.lua — disputes, broken promises, complaints.
--
-- Firm but respectful: neutral words, everything in writing (e-mail,
-- letters) so there is a record, and a person who listens. Never friendly
-- chit-chat, never pressure beyond the facts.

return {
  describe = "Disputes or broken promises: written record and a person",
  hours    = { from = "09:00", to = "19:00" },
  ladder = {
    { day = -3, channel = "email",  template = "pre_due",       tone = "friendly", fallback = { "sms" } },
    { day =  1, channel = "email",  template = "overdue",       tone = "neutral",  fallback = { "sms" } },
    -- a person listens early: most fights are about a misunderstanding
    { day =  7, channel = "agent",  template = "call_brief",    tone = "neutral" },
    { day = 14, channel = "email",  template = "second",        tone = "firm",     fallback = { "sms" } },
    -- formal notice on paper, then a person calls when it has arrived
    -- (a letter counts as received on the 7th day after posting)
    { day = 30, channel = "letter", template = "formal_notice", tone = "firm" },
    { day = 37, channel = "agent",  template = "call_brief",    tone = "firm" },
    -- after the 21 days to object: the final notice, also on paper
    { day = 60, channel = "letter", template = "final",         tone = "urgent" },
  },

  -- Promise to pay not yet due: wait for it.
  decide = function(c, ctx)
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    return nil
  end,
}
