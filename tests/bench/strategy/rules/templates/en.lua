-- tests/bench/strategy/rules/templates/en.lua — English texts of the
-- benchmark strategy: every (template, channel, tone) its decide() returns.
return {
  _opt_out = "Reply STOP to opt out.",

  pre_due = {
    sms = { friendly = "Hi {first_name}, your {company} bill of {amount} is due on {due_date}. Pay: {pay_link} {opt_out}" },
  },

  overdue_1 = {
    email = {
      friendly = {
        subject = "Did you forget? Your bill of {amount}",
        body = [[
Dear {name},

Your bill {invoice_id} of {amount}, due on {due_date}, is still unpaid. It happens to all of us.

You can pay in a minute here: {pay_link}

If you have already paid, thank you, and please ignore this message.

Kind regards,
{company} customer care

{opt_out}]],
      },
    },
    sms = { friendly = "Hi {first_name}, your {company} bill of {amount} (due {due_date}) is still open. Pay: {pay_link} {opt_out}" },
  },

  overdue_2 = {
    voice = {
      neutral = "Hello, this is {company}. Your bill of {amount}, due on {due_date}, is still unpaid. To promise a payment date, press 1. To talk to a member of our team, press 2.",
      firm = "Hello, this is {company}. Your bill of {amount}, due on {due_date}, is still unpaid, and an earlier promise to pay was not kept. Please pay today. To promise a payment date, press 1. To talk to a member of our team, press 2.",
    },
    chat = {
      neutral = "Hi {first_name}, your {company} bill of {amount} is {days_overdue} days overdue. Pay here: {pay_link} or reply to agree on a date. {opt_out}",
      firm = "{first_name}, your {company} bill of {amount} is {days_overdue} days overdue and an earlier promise was not kept. Please pay today: {pay_link} {opt_out}",
    },
    sms = {
      neutral = "{company}: your bill of {amount} is {days_overdue} days overdue. Pay: {pay_link} {opt_out}",
      firm = "{company}: your bill of {amount} is {days_overdue} days overdue; a promise was not kept. Pay today: {pay_link} {opt_out}",
    },
  },

  overdue_3 = {
    agent = {
      firm = [[
GOAL: agree on a payment date or an instalment plan. The customer usually argues: listen first.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: bill {invoice_id}, {amount}, due on {due_date}, {days_overdue} days overdue.
HOW: state the facts calmly, offer the payment link ({pay_link}) or instalments.
RECORD: the agreed date or the reason for not paying.]],
    },
    sms = { firm = "{company}: your bill of {amount} is {days_overdue} days overdue. Please pay by the end of the week: {pay_link} {opt_out}" },
  },

  final = {
    agent = {
      urgent = [[
GOAL: final call before the claim is passed on. Agree on full payment or a plan today.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: bill {invoice_id}, {amount}, due on {due_date}, {days_overdue} days overdue.
HOW: state the consequences as facts, offer the payment link ({pay_link}) or instalments.
RECORD: the outcome and any agreed date.]],
    },
    sms = { firm = "{company}: your bill of {amount} is {days_overdue} days overdue. Please pay now to avoid further steps: {pay_link} {opt_out}" },
  },
}
