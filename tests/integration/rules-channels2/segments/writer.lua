return {
  describe = "the formal written notice one day after the due date",
  ladder = {
    { day = 1, channel = "letter", template = "notice", tone = "firm", purpose = "notice" },
  },
}
