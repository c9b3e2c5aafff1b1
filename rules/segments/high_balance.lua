-- rules/segments/high_balance.lua — owes a lot at once (see rules.lua for
-- the thresholds per currency). A large sum is rarely paid in one go, so
-- an instalment plan is offered early, by e-mail and then by a person.

local function older_with_phone(c) return c.age ~= nil and c.age >= 60 and c.reachable.voice end

return {
  describe = "High balance: offer an instalment plan early",
  hours    = { from = "09:00", to = "20:00" },
  ladder = {
    -- prevention: early notice, then a last-day reminder
    { day = -5, channel = "email",  template = "pre_due",          tone = "friendly", fallback = { "sms" } },
    { day = -1, channel = "sms",    template = "pre_due",          tone = "friendly", fallback = { "email" } },
    { day =  1, channel = "sms",    template = "overdue",          tone = "friendly", fallback = { "email" } },
    -- one week: the plan, in writing (or a call for older customers)
    { day =  7, channel = "voice",  template = "reminder",         tone = "neutral",  when = older_with_phone,
      hours = { from = "10:00", to = "18:00" } },
    { day =  7, channel = "email",  template = "instalment_offer", tone = "neutral",  fallback = { "sms" } },
    -- two weeks: a person agrees the plan
    { day = 14, channel = "agent",  template = "instalment_offer", tone = "neutral" },
    { day = 30, channel = "letter", template = "formal_notice",    tone = "firm" },
    { day = 60, channel = "agent",  template = "call_brief",       tone = "urgent" },
  },

  decide = function(c, ctx)
    -- Promise to pay not yet due: wait for it.
    if c.promises.pending and (c.promises.due == nil or c.promises.due >= ctx.today) then
      return { action = "wait", reason = "promise to pay pending" }
    end
    -- Broke a promise before: another automatic message will not help.
    -- From day 7 a person offers the plan straight away (once: afterwards
    -- stage_day is 7 and the ladder goes on from there).
    local days = c.days_overdue
    if c.promises.broken >= 1 and days ~= nil and days >= 7 and days < 14
       and (c.stage_day == nil or c.stage_day < 7) then
      return { day = 7, channel = "agent", template = "instalment_offer", tone = "neutral" }
    end
    return nil
  end,
}
