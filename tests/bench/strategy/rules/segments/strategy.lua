-- tests/bench/strategy/rules/segments/strategy.lua — the seven rules of the
-- reference strategy (/work/shared/bench/strategy.md), first that applies
-- decides. The ladder is empty: decide() answers for every customer.
--
-- The results are built once, here, and returned as they are: the engine
-- only reads them. `day` is left out, so each step is recorded on the
-- customer's current days overdue.

local function contact(channel, template, tone)
  return { channel = channel, template = template, tone = tone }
end

local WAIT_PROMISE   = { action = "wait", reason = "rule 1: a promise to pay is pending" }
local WAIT_OTHERWISE = { action = "wait", reason = "rule 7: no rule applies" }

-- rule 2: just before the due date
local PRE_DUE_SMS    = contact("sms",   "pre_due",   "friendly")
-- rule 3: the first week overdue
local FIRST_EMAIL    = contact("email", "overdue_1", "friendly")
local FIRST_SMS      = contact("sms",   "overdue_1", "friendly")
-- rule 4: the second week, firm after a broken promise
local SECOND = {
  voice = { firm = contact("voice", "overdue_2", "firm"), neutral = contact("voice", "overdue_2", "neutral") },
  chat  = { firm = contact("chat",  "overdue_2", "firm"), neutral = contact("chat",  "overdue_2", "neutral") },
  sms   = { firm = contact("sms",   "overdue_2", "firm"), neutral = contact("sms",   "overdue_2", "neutral") },
}
-- rule 5: two weeks to a month
local THIRD_AGENT    = contact("agent", "overdue_3", "firm")
local THIRD_SMS      = contact("sms",   "overdue_3", "firm")
-- rule 6: a month and more
local FINAL_AGENT    = contact("agent", "final",     "urgent")
local FINAL_SMS      = contact("sms",   "final",     "firm")

return {
  describe = "Everyone: the reference benchmark strategy",
  hours    = { from = "09:00", to = "20:00" },
  ladder   = {},

  decide = function(c, ctx)
    if c.promises.pending then return WAIT_PROMISE end                    -- rule 1
    local days = c.days_overdue
    if days == nil then return WAIT_OTHERWISE end
    if days >= -3 and days <= -1 then                                     -- rule 2
      if c.persona ~= "invisible" then return PRE_DUE_SMS end
      return WAIT_OTHERWISE
    end
    if days >= 1 and days <= 6 then                                       -- rule 3
      if c.reachable.email then return FIRST_EMAIL end
      return FIRST_SMS
    end
    if days >= 7 and days <= 13 then                                      -- rule 4
      local age, reachable = c.age, c.reachable
      local channel = "sms"
      if reachable.voice and age ~= nil and age >= 60 then
        channel = "voice"
      elseif reachable.chat and age ~= nil and age < 35 then
        channel = "chat"
      end
      return SECOND[channel][c.promises.broken > 0 and "firm" or "neutral"]
    end
    if days >= 14 and days <= 29 then                                     -- rule 5
      if c.persona == "fighter" then return THIRD_AGENT end
      return THIRD_SMS
    end
    if days >= 30 then                                                    -- rule 6
      if c.amount_due >= 5000 then return FINAL_AGENT end
      return FINAL_SMS
    end
    return WAIT_OTHERWISE                                                 -- rule 7
  end,
}
