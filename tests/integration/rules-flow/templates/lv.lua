return {
  _opt_out = "Atteikties: STOP",
  pre_due = { sms = { friendly = "Labdien, {first_name}! {amount} jāsamaksā līdz {due_date}. {opt_out}" } },
  overdue = {
    email = { neutral = { subject = "Kavēts maksājums: {name}", body = "{name}, {amount} bija jāsamaksā {due_date}. {pay_link}" } },
    sms   = { neutral = "{name}: {amount} kavēts kopš {due_date}. {opt_out}" },
  },
  second = { sms = { firm = "{name}: {amount} kavēts {days_overdue} dienas. {pay_link}" } },
}
