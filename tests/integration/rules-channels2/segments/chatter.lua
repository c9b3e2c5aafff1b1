return {
  describe = "a chat message one day after the due date",
  ladder = {
    { day = 1, channel = "chat", template = "reminder", tone = "neutral" },
  },
}
