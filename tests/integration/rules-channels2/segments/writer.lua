return {
  describe = "the formal written notice one day after the due date, then an escalation",
  ladder = {
    { day = 1, channel = "letter", template = "notice", tone = "firm", purpose = "notice" },
    { day = 3, channel = "sms", template = "second", tone = "firm", purpose = "escalation" },
  },
}
