return {
  _opt_out = "Reply STOP to opt out",
  reminder = { chat = { neutral = "Hello {first_name}, {amount} was due on {due_date}. Reply 1 to promise to pay." },
               voice = { firm = "Hello {first_name}. {amount} was due on {due_date}." } },
  notice = { letter = { firm = { subject = "Formal notice", body = "Dear {name}, {amount} was due on {due_date}. Please pay within 14 days." } } },
  call_brief = { agent = { neutral = "Call {name}: {amount} overdue since {due_date}." } },
  second = { sms = { firm = "{name}: {amount} is {days_overdue} days overdue. {opt_out}" } },
}
