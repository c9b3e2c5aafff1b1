return {
  describe = "everyone",
  ladder = {
    { day = -3, channel = "sms",   template = "pre_due", tone = "friendly" },
    { day =  5, channel = "email", template = "overdue", tone = "neutral", fallback = { "sms" } },
    { day =  7, channel = "sms",   template = "second",  tone = "firm" },
  },
}
