return {
  describe = "a robot call one day after the due date",
  ladder = {
    { day = 1, channel = "voice", template = "reminder", tone = "firm" },
  },
}
