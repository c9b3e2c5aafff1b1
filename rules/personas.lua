-- rules/personas.lua — who is this customer, judging by behaviour only?
--
-- classify(c) returns one of "fighter", "invisible", "businessman",
-- "friendly". The checks run in that order and the first that fits wins:
-- a customer who disputes AND cannot be reached is treated as a fighter,
-- because a dispute needs a person and a written record before anything else.
-- Only behaviour is used (promises, replies, disputes, payments, contacts,
-- reachability), never protected attributes.

-- Call outcomes and contact states that show the customer reacted.
local reaction_states   = { answered = true, replied = true }
local reaction_outcomes = { conversation = true }
-- Contact states that were never really attempted and so prove nothing.
local not_attempted     = { planned = true, cancelled = true }

-- Fighter: argues instead of paying.
local function is_fighter(c)
  -- Anyone who has ever raised a dispute: keep everything in writing and
  -- let a person handle the talking.
  if (c.disputes or 0) >= 1 then return true end
  -- One broken promise can be bad luck; two is a pattern.
  if (c.promises.broken or 0) >= 2 then return true end
  -- Replies a lot (3+ in the last 90 days) yet still two weeks or more
  -- overdue: the replies are complaints or haggling, not payment news.
  if (c.replies or 0) >= 3 and (c.days_overdue or 0) >= 14 then return true end
  return false
end

-- How many of the four direct channels can reach the customer at all.
local function reachable_channels(c)
  local n = 0
  for _, channel in ipairs({ "sms", "email", "voice", "chat" }) do
    if c.reachable[channel] then n = n + 1 end
  end
  return n
end

-- Invisible: we cannot get through, or nobody ever answers.
local function is_invisible(c)
  -- Reachable on at most one channel of four (a phone alone gives two:
  -- SMS and voice): one bounced address and the customer is lost.
  if reachable_channels(c) <= 1 then return true end
  -- Three or more real attempts in the contact history (last 35 days) with
  -- no answer, no reply, and still overdue (so no payment followed either).
  local attempts, reacted = 0, false
  for _, contact in ipairs(c.contacts) do
    if not not_attempted[contact.state] then attempts = attempts + 1 end
    if reaction_states[contact.state] or reaction_outcomes[contact.outcome] then
      reacted = true
    end
  end
  return attempts >= 3 and not reacted and (c.replies or 0) == 0
         and (c.days_overdue or 0) >= 1
end

-- Businessman: always pays, a few days late — an accounting habit, not distress.
local function is_businessman(c)
  -- At least 6 payments: half a year of monthly bills is a habit we can trust.
  if (c.payments.count or 0) < 6 then return false end
  -- Late by 1..10 days on average: pays in the next payment run. Paying on
  -- time (0) is just a good friendly customer; more than 10 days is not
  -- "a few days" any more.
  local late = c.payments.avg_days_late or 0
  if late < 1 or late > 10 then return false end
  -- Keeps his word: a broken promise means he needs closer follow-up.
  return (c.promises.broken or 0) == 0
end

return {
  classify = function(c)
    if is_fighter(c)     then return "fighter"     end
    if is_invisible(c)   then return "invisible"   end
    if is_businessman(c) then return "businessman" end
    -- Everyone else pays after a nudge, or has not shown otherwise yet.
    return "friendly"
  end,
}
