-- Rule set of the channel integration tests (tests/integration/test_channels.py):
-- a customer with a pending promise waits; everyone else gets an agent call
-- one day after the due date and an SMS on day 10; customers named "Voice …"
-- get a robot call instead, "Chat …" a chat message, "Letter …" the
-- formal written notice.
return {
  name = "channels test strategy",
  default_language = "en",
  languages = { "en", "lv" },
  company = { name = "Test Telecom", pay_link = "https://pay.example.com/{customer_id}" },
  segments = {
    { name = "promised", match = function(c) return c.promises.pending end },
    { name = "caller", match = function(c) return c.name:sub(1, 5) == "Voice" end },
    { name = "chatter", match = function(c) return c.name:sub(1, 4) == "Chat" end },
    { name = "writer", match = function(c) return c.name:sub(1, 6) == "Letter" end },
    { name = "standard", match = function(c) return true end },
  },
}
