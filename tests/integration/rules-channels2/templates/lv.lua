return {
  _opt_out = "Atbildiet STOP, lai atteiktos",
  reminder = { chat = { neutral = "Labdien, {first_name}! {amount} bija jāsamaksā līdz {due_date}. Atbildiet 1, ja apsolāt samaksāt." },
               voice = { firm = "Labdien, {first_name}! {amount} bija jāsamaksā līdz {due_date}." } },
  notice = { letter = { firm = { subject = "Brīdinājums par parādu", body = "Cienījamā {name}! Lūdzam samaksāt {amount}, kas bija jāmaksā līdz {due_date}. Ja nesamaksāsiet 14 dienu laikā, lieta tiks nodota tālāk.\nУважаемая {name}! Просим оплатить задолженность {amount} в течение 14 дней." } } },
  call_brief = { agent = { neutral = "Zvanīt {name}: {amount} kavēts kopš {due_date}." } },
  second = { sms = { firm = "{name}: {amount} kavēts {days_overdue} dienas. {opt_out}" } },
}
