-- pre_due: sms-encoding.md case 1 (GSM-7, 34 units, 1 part).
return {
  pre_due = { sms = { friendly = "Labdien! Jusu parads ir 45,00 EUR." } },
  overdue = { email = { neutral = { subject = "Your invoice is overdue",
                                    body = "Hello,\n\nyour invoice is overdue." },
              firm = { subject = "Your invoice is still unpaid", body = "Your invoice is still unpaid." } } },
}
