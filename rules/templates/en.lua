-- rules/templates/en.lua — English texts.
-- template → channel → tone. E-mail: { subject = ..., body = ... }.
-- Variables: {name} {first_name} {amount} {amount_minor} {currency}
-- {due_date} {days_overdue} {company} {pay_link} {customer_id}
-- {invoice_id} {invoices_count} {opt_out}. {amount} and {due_date} are
-- written the English way ("€45.00", "13 March 2026"), in any currency.
-- SMS: one message of 160 GSM-7 characters when the variables are of usual
-- length; "€" counts as 2. Avoid "{days_overdue} days" where it can be 1.
-- Voice keys everywhere: 1 = promise to pay, 2 = talk to a person.
return {
  _opt_out = "Reply STOP to opt out.",

  pre_due = {
    sms = {
      friendly = "Hi {first_name}, your {company} bill of {amount} is due on {due_date}. Pay: {pay_link} {opt_out}",
    },
    email = {
      friendly = {
        subject = "Your {company} bill of {amount} is due on {due_date}",
        body = [[
Dear {name},

This is a friendly reminder that your bill {invoice_id} of {amount} is due on {due_date}.

You can pay in a minute here: {pay_link}

If you have already paid, thank you, and please ignore this message. If the date does not suit you, just reply to this e-mail and we will find a solution together.

Kind regards,
{company} customer care

{opt_out}]],
      },
    },
    voice = {
      friendly = "Hello, this is {company} with a friendly reminder. Your bill of {amount} is due on {due_date}. To confirm that you will pay on time, press 1. To talk to a member of our team, press 2. Thank you, and have a nice day.",
    },
    chat = {
      friendly = "Hi {first_name}! A quick reminder from {company}: your bill of {amount} is due on {due_date}. You can pay here: {pay_link} If you need more time, just reply here. {opt_out}",
    },
    agent = {
      gentle = [[
GOAL: a caring support call before the due date. The customer is marked vulnerable.
CUSTOMER: {name}, customer no. {customer_id}
BILL: {invoice_id}, {amount}, due on {due_date}. Unpaid bills: {invoices_count}.
HOW: ask kindly whether everything is all right and whether paying on time will be easy. Offer help: the payment link ({pay_link}), a later date, or paying in instalments.
DO NOT: put pressure, hurry the customer, or talk about consequences. If the customer is tired or upset, offer to call back at a better time.
RECORD: any agreement, promised date or request for help.]],
    },
  },

  overdue = {
    email = {
      friendly = {
        subject = "Did you forget? Your bill of {amount}",
        body = [[
Dear {name},

Our records show that your bill {invoice_id} of {amount}, due on {due_date}, is still unpaid. It happens to all of us.

You can pay here: {pay_link}

If you have already paid, thank you, and please ignore this message. If now is a difficult time, reply to this e-mail: we can agree on another date or on paying in parts.

Kind regards,
{company} customer care

{opt_out}]],
      },
      neutral = {
        subject = "Payment overdue: bill {invoice_id}",
        body = [[
Dear {name},

Bill {invoice_id} of {amount} was due on {due_date} and has not been paid yet.

Please pay it here: {pay_link}

If you believe the bill is wrong, reply to this e-mail with the reason. We will review it and answer you in writing.

Regards,
{company} customer care

{opt_out}]],
      },
    },
    sms = {
      friendly = "Hi {first_name}, your {company} bill of {amount} was due on {due_date}. Pay: {pay_link} Already paid? Thank you! {opt_out}",
      neutral  = "{company}: bill {invoice_id} of {amount} was due on {due_date}. Pay: {pay_link} Questions? Reply. {opt_out}",
    },
  },

  reminder = {
    voice = {
      neutral = "Hello, this is {company}. Your bill of {amount} was due on {due_date} and is still unpaid. To promise a payment date, press 1. To talk to a member of our team about paying in instalments, press 2. Thank you.",
    },
    chat = {
      neutral = "Hello {first_name}, {company} here. Your bill of {amount} is {days_overdue} days overdue. Pay here: {pay_link} Need more time or a payment plan? Reply here and we will arrange it. {opt_out}",
    },
    sms = {
      neutral = "{first_name}, your {company} bill of {amount} is {days_overdue} days overdue. Pay: {pay_link} Need a plan? Reply. {opt_out}",
    },
    email = {
      neutral = {
        subject = "Reminder: {amount} is {days_overdue} days overdue",
        body = [[
Dear {name},

Your bill {invoice_id} of {amount} was due on {due_date} and is now {days_overdue} days overdue.

Please pay it here: {pay_link}

If paying the whole amount at once is difficult, reply to this e-mail. We can agree on a payment date or split the amount into instalments.

Regards,
{company} customer care

{opt_out}]],
      },
    },
  },

  second = {
    sms = {
      firm = "{first_name}, {amount} to {company} is {days_overdue} days overdue. Please pay today: {pay_link} or reply to agree a date. {opt_out}",
    },
    chat = {
      firm = "{first_name}, {amount} to {company} is {days_overdue} days overdue. Please pay today: {pay_link} or reply here to agree a date or instalments. {opt_out}",
    },
    email = {
      firm = {
        subject = "Second reminder: {amount} is overdue",
        body = [[
Dear {name},

We have already reminded you about bill {invoice_id}. The amount of {amount} was due on {due_date} and is now {days_overdue} days overdue.

Please pay today: {pay_link}

If you cannot pay the full amount, reply to this e-mail within 7 days and we will agree on a date or an instalment plan. We have also sent you a formal written notice by post; it explains how to object if you disagree with this claim.

Regards,
{company} customer care

{opt_out}]],
      },
    },
  },

  instalment_offer = {
    email = {
      neutral = {
        subject = "Pay {amount} in instalments",
        body = [[
Dear {name},

Your bill {invoice_id} of {amount} has been overdue since {due_date}. We understand that a larger amount is not always easy to pay at once.

We can split it into monthly instalments at no extra cost. Reply to this e-mail with the amount you can pay each month, and we will send you a plan to confirm.

If you prefer to pay everything now: {pay_link}

Kind regards,
{company} customer care

{opt_out}]],
      },
    },
    sms = {
      neutral = "{first_name}, {company} can split {amount} into monthly instalments. Reply to agree a plan, or pay: {pay_link} {opt_out}",
    },
    agent = {
      neutral = [[
GOAL: agree an instalment plan, or a payment date.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: {amount} overdue since {due_date} ({days_overdue} days). Unpaid bills: {invoices_count}. Reference bill: {invoice_id}.
HOW: explain that we can split the amount into monthly instalments at no extra cost. Ask what the customer can pay each month; agree the amount and the dates, and confirm them in writing.
IF THE CUSTOMER CAN PAY NOW: send the payment link {pay_link}.
RECORD: the plan or the promised date.]],
      gentle = [[
GOAL: help a vulnerable customer find an affordable way to pay.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: {amount} overdue since {due_date}. Unpaid bills: {invoices_count}.
HOW: listen first. Ask how the customer is and whether the payments are manageable. Offer small monthly instalments at no extra cost; let the customer choose the amount. Offer to pause reminders while the situation is difficult.
DO NOT: put pressure or mention consequences. If the customer seems to need support, offer our support contacts.
RECORD: the agreement, or what help the customer asked for.]],
    },
  },

  formal_notice = {
    letter = {
      firm = [[
{company}

To: {name}
Customer no.: {customer_id}

FORMAL NOTICE OF OVERDUE PAYMENT

Dear {name},

According to our records, the following amount remains unpaid:

  Bill: {invoice_id}
  Due date: {due_date}
  Days overdue: {days_overdue}
  Amount due: {amount}
  Number of unpaid bills: {invoices_count}

Please pay the amount due within 21 days of receiving this notice, online at {pay_link} or by bank transfer quoting your customer number.

If you cannot pay the full amount, contact us within the same period: we are ready to agree on a payment date or on instalments.

If you disagree with this claim, you may object in writing within 21 days of receiving this notice, stating your reasons. We will review your objection and reply in writing.

If the amount is neither paid nor agreed within this period, we may restrict our services and pass the claim to a debt collection company, which may add the collection costs permitted by law.

Yours sincerely,
{company}]],
    },
  },

  final = {
    email = {
      urgent = {
        subject = "Final reminder: {amount} overdue",
        body = [[
Dear {name},

Your bill {invoice_id} of {amount} has been overdue since {due_date} ({days_overdue} days), and the period set in our formal notice has ended.

This is our final reminder. Please pay within 10 days: {pay_link}

If you cannot pay the full amount, reply to this e-mail within those 10 days and we will still agree on a plan with you.

If we receive neither payment nor a reply, we may restrict our services and pass the claim to a debt collection company, which may add the collection costs permitted by law.

Regards,
{company} customer care

{opt_out}]],
      },
    },
    sms = {
      urgent = "{first_name}, final reminder: {amount} to {company} is {days_overdue} days overdue. Pay within 10 days: {pay_link} or reply. {opt_out}",
    },
    letter = {
      urgent = [[
{company}

To: {name}
Customer no.: {customer_id}

FINAL NOTICE

Dear {name},

The period set in our formal notice has ended, and the following amount remains unpaid:

  Bill: {invoice_id}
  Due date: {due_date}
  Days overdue: {days_overdue}
  Amount due: {amount}
  Number of unpaid bills: {invoices_count}

Please pay within 10 days of receiving this letter, online at {pay_link} or by bank transfer quoting your customer number. If you cannot pay the full amount, contact us within the same period and we will agree on a plan.

If we receive neither payment nor an agreement, we may restrict our services and pass the claim to a debt collection company, which may add the collection costs permitted by law.

Yours sincerely,
{company}]],
    },
  },

  call_brief = {
    agent = {
      gentle = [[
GOAL: a caring call to a vulnerable customer about an overdue bill.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: {amount}, due on {due_date} ({days_overdue} days ago). Unpaid bills: {invoices_count}.
HOW: listen first. Ask whether the customer is aware of the bill and whether paying is manageable. Offer the payment link ({pay_link}), a later date, or small instalments.
DO NOT: put pressure or mention consequences. If the customer is upset, end kindly and offer to call back.
RECORD: the agreement, the promised date, or the help requested.]],
      neutral = [[
GOAL: reach the customer and agree when the bill will be paid.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: {amount}, due on {due_date} ({days_overdue} days ago). Unpaid bills: {invoices_count}. Reference bill: {invoice_id}.
HOW: check that the customer received our messages and the bill. Ask whether anything is wrong with it; if so, note the reason. Agree a payment date, or offer instalments. Offer to send the payment link ({pay_link}).
RECORD: promise to pay (date and amount), dispute (reason), or a better way to reach the customer.]],
      firm = [[
GOAL: a clear agreement on payment; the formal notice stage is near or has started.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: {amount}, due on {due_date} ({days_overdue} days ago). Unpaid bills: {invoices_count}. Reference bill: {invoice_id}.
HOW: be calm, factual and respectful. Listen to any objection and note it exactly. State the amount and ask for payment in full, or agree a firm date or an instalment plan. Explain the next steps factually if asked: formal notice, possible service restriction.
DO NOT: threaten, raise your voice, or discuss the debt with anyone but the customer.
RECORD: promise to pay, plan, objection (reason), or refusal.]],
      urgent = [[
GOAL: last personal contact before the claim is passed on.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: {amount}, due on {due_date} ({days_overdue} days ago). Unpaid bills: {invoices_count}. Reference bill: {invoice_id}.
HOW: explain calmly that the notice period has ended and that without payment or an agreement the claim may be passed to a debt collection company, which may add collection costs permitted by law. Offer a realistic plan: a firm date or instalments. Offer the payment link ({pay_link}).
DO NOT: threaten, shame, or discuss the debt with anyone but the customer.
RECORD: promise to pay, plan, objection (reason), or refusal.]],
    },
  },
  -- A record for a case manager, not a message to the customer (crm).
  case_review = {
    crm = {
      gentle = [[
CASE REVIEW: vulnerable customer, Latvian notice rule.
CUSTOMER: {name}, customer no. {customer_id}
DEBT: {amount}, due on {due_date} ({days_overdue} days ago). Unpaid bills: {invoices_count}. Reference bill: {invoice_id}.
WHY: the customer is marked vulnerable and has had one informative reminder call. Before any further collection contact the law requires the formal written notice, and vulnerable customers get no automatic letters.
DECIDE: pause reminders, agree a plan in a personal call, or send the written notice by hand with a personal covering note.]],
    },
  },
}
