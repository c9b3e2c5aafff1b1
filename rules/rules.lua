-- rules/rules.lua — the telecom collections strategy: settings and segments.
--
-- A customer is put into the FIRST segment whose `match` returns true, so
-- the order below is the priority: protect first, then the personas that
-- need a special approach, then money, then everyone else.
-- Each segment NAME has its ladder in segments/NAME.lua.

-- "High balance" thresholds in minor units, per currency. Each is worth
-- roughly 300 euros: several months of a telecom bill, typically a device
-- bought on credit. Amounts of different currencies are never added; a
-- currency missing here never makes a balance "high".
local high_balance_from = {
  EUR = 30000,     --     300.00 €
  USD = 30000,     --     300.00 $
  GBP = 25000,     --     250.00 £
  TWD = 1000000,   --  10 000.00 NT$ (the demo portfolio)
}

local function has_high_balance(c)
  for currency, limit in pairs(high_balance_from) do
    local owed = c.balance[currency]      -- nil when nothing is owed in that currency
    if owed ~= nil and owed >= limit then
      return true
    end
  end
  return false
end

return {
  name = "Baltic Telecom collections strategy",
  default_language = "lv",            -- a customer whose language is not listed gets Latvian
  languages = { "lv", "ru", "en" },
  company = { name = "Baltic Telecom", pay_link = "https://pay.example.lv/c/{customer_id}" },

  segments = {
    -- A vulnerable customer (illness, bereavement, old age…) is only ever
    -- spoken to by a trained person, gently.
    { name = "vulnerable",   match = function(c) return c.holds.vulnerable end },
    -- Disputes or broken promises: written record + a person, firm but respectful.
    { name = "fighter",      match = function(c) return c.persona == "fighter" end },
    -- Cannot be reached or never reacts: every channel, and a person early.
    { name = "invisible",    match = function(c) return c.persona == "invisible" end },
    -- Pays every bill, a few days late: e-mail, no pressure.
    { name = "businessman",  match = function(c) return c.persona == "businessman" end },
    -- Owes a lot at once: offer an instalment plan early.
    { name = "high_balance", match = has_high_balance },
    -- Known customers who pay after a gentle nudge.
    { name = "friendly",     match = function(c)
                                return c.persona == "friendly" and c.payments.count > 0
                              end },
    -- Everyone else, mostly new customers with no payment history yet.
    { name = "standard",     match = function(c) return true end },
  },
}
