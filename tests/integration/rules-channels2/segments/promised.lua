return {
  describe = "A promise is pending: wait for it",
  ladder = {},
  decide = function(c, ctx)
    return { action = "wait", reason = "promise pending until " .. tostring(c.promises.due) }
  end,
}
