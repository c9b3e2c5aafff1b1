-- A small rule set with a known ladder, used by the engine-flow integration
-- tests (tests/integration/test_engine_flow.py). Steps: -3, 5, 7 days.
return {
  name = "flow test strategy",
  default_language = "en",
  languages = { "en", "lv" },
  company = { name = "Test Telecom", pay_link = "https://pay.example.com/{customer_id}" },
  segments = {
    { name = "standard", match = function(c)
        if c.name == "RULE ERROR" then error("this customer breaks the rule") end
        return true
      end },
  },
}
