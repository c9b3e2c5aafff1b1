-- pre_due: sms-encoding.md case 2 three times with single spaces between
-- (3 × 34 + 2 = 104 UCS-2 units: 2 parts of 67).
return {
  pre_due = { sms = { friendly = "Labdien! Jūsu parāds ir 45,00 EUR. Labdien! Jūsu parāds ir 45,00 EUR. Labdien! Jūsu parāds ir 45,00 EUR." } },
  overdue = { email = { neutral = { subject = "Atgādinājums: rēķins ir kavēts",
                                    body = "Labdien!\n\nJūsu rēķins ir kavēts. Lūdzu, samaksājiet." },
              firm = { subject = "Atgādinājums: rēķins joprojām nav samaksāts", body = "Jūsu rēķins joprojām nav samaksāts." } } },
}
