return {
  describe = "everyone",
  ladder = {
    { day = -3, channel = "sms",   template = "pre_due", tone = "friendly" },
    { day =  5, channel = "email", template = "overdue", tone = "neutral" },
    { day = 10, channel = "email", template = "overdue", tone = "firm" },
  },
}
