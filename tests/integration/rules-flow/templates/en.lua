return {
  _opt_out = "Reply STOP to opt out",
  pre_due = { sms = { friendly = "Hello {first_name}, {amount} is due on {due_date}. {opt_out}" } },
  overdue = {
    email = { neutral = { subject = "Overdue: {name}", body = "Dear {name}, {amount} was due on {due_date}. {pay_link}" } },
    sms   = { neutral = "{name}: {amount} overdue since {due_date}. {opt_out}" },
  },
  second = { sms = { firm = "{name}: {amount} is {days_overdue} days overdue. {pay_link}" } },
}
