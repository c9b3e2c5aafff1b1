-- tests/bench/strategy/rules/rules.lua — the reference benchmark strategy
-- (/work/shared/bench/strategy.md) as a dunningd rule set: one segment for
-- everyone, whose decide() holds the strategy's seven rules. Used by
-- tests/bench/compare.sh to compare dunningd with what users would pick
-- instead (json-rules-engine, a plain Lua script, hand-written C).

return {
  name = "Reference benchmark strategy",
  default_language = "lv",            -- the strategy: "lv when empty"
  languages = { "lv", "ru", "en" },
  company = { name = "Bench Telecom", pay_link = "https://pay.example.lv/c/{customer_id}" },

  segments = {
    { name = "strategy", match = function(c) return true end },
  },
}
