-- The rule set of the channel tests (tests/integration/test_channels*.py):
-- an SMS three days before the due date, an e-mail five days after it.
-- The texts are fixed (no variables) so that the tests can count SMS units
-- and parts by hand (../shared/cases/sms-encoding.md).
return {
  name = "channel test strategy",
  default_language = "en",
  languages = { "en", "lv" },
  company = { name = "Test Telecom", pay_link = "https://pay.example.com/{customer_id}" },
  segments = { { name = "standard", match = function(c) return true end } },
}
