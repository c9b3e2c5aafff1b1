return {
  describe = "everyone else",
  ladder = {
    { day =  1, channel = "agent", template = "call_brief", tone = "neutral" },
    { day = 10, channel = "sms",   template = "second",     tone = "firm" },
  },
}
