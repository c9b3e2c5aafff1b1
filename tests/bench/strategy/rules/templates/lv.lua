-- tests/bench/strategy/rules/templates/lv.lua — latviešu teksti etalona
-- stratēģijai: katrs (template, channel, tone), ko atgriež tās decide().
return {
  _opt_out = "Atteikties: atbildiet STOP",

  pre_due = {
    sms = { friendly = "Labdien, {first_name}! {company} rēķins {amount} jāsamaksā līdz {due_date} {pay_link} {opt_out}" },
  },

  overdue_1 = {
    email = {
      friendly = {
        subject = "Vai aizmirsāt? Jūsu rēķins {amount}",
        body = [[
Labdien, {name}!

Jūsu rēķins {invoice_id} par {amount} ar apmaksas termiņu {due_date} vēl nav samaksāts. Tā gadās ikvienam.

Samaksāt var vienā minūtē: {pay_link}

Ja jau esat samaksājis, paldies, un lūdzu neņemiet vērā šo vēstuli.

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
    },
    sms = { friendly = "Labdien, {first_name}! {company} rēķins {amount} (termiņš {due_date}) vēl nav samaksāts. {pay_link} {opt_out}" },
  },

  overdue_2 = {
    voice = {
      neutral = "Labdien, zvana {company}. Jūsu rēķins {amount} ar termiņu {due_date} vēl nav samaksāts. Lai apsolītu samaksas datumu, nospiediet 1. Lai runātu ar darbinieku, nospiediet 2.",
      firm = "Labdien, zvana {company}. Jūsu rēķins {amount} ar termiņu {due_date} vēl nav samaksāts, un iepriekšējais solījums netika izpildīts. Lūdzu, samaksājiet šodien. Lai apsolītu samaksas datumu, nospiediet 1. Lai runātu ar darbinieku, nospiediet 2.",
    },
    chat = {
      neutral = "Labdien, {first_name}! {company} rēķins {amount} ir kavēts. Kavējums: {days_overdue} d. Samaksāt: {pay_link} vai atbildiet, lai vienotos par datumu. {opt_out}",
      firm = "{first_name}, {company} rēķins {amount} ir kavēts, un solījums netika izpildīts. Kavējums: {days_overdue} d. Lūdzu, samaksājiet šodien: {pay_link} {opt_out}",
    },
    sms = {
      neutral = "{company}: rēķins {amount} ir kavēts. Kavējums: {days_overdue} d. {pay_link} {opt_out}",
      firm = "{company}: rēķins {amount} ir kavēts, solījums netika izpildīts. Kavējums: {days_overdue} d. {pay_link} {opt_out}",
    },
  },

  overdue_3 = {
    agent = {
      firm = [[
MĒRĶIS: vienoties par samaksas datumu vai maksājumu grafiku. Klients parasti strīdas: vispirms uzklausiet.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: rēķins {invoice_id}, {amount}, termiņš {due_date}. Kavējums: {days_overdue} d.
KĀ: mierīgi izklāstiet faktus, piedāvājiet maksājuma saiti ({pay_link}) vai maksājumu grafiku.
PIERAKSTIET: norunāto datumu vai nemaksāšanas iemeslu.]],
    },
    sms = { firm = "{company}: rēķins {amount} ir kavēts. Kavējums: {days_overdue} d. Lūdzu, samaksājiet līdz nedēļas beigām: {pay_link} {opt_out}" },
  },

  final = {
    agent = {
      urgent = [[
MĒRĶIS: pēdējais zvans pirms prasījuma nodošanas. Vienojieties par pilnu samaksu vai grafiku šodien.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: rēķins {invoice_id}, {amount}, termiņš {due_date}. Kavējums: {days_overdue} d.
KĀ: sekas izklāstiet kā faktus, piedāvājiet maksājuma saiti ({pay_link}) vai grafiku.
PIERAKSTIET: iznākumu un norunāto datumu.]],
    },
    sms = { firm = "{company}: rēķins {amount} ir kavēts. Kavējums: {days_overdue} d. Lūdzu, samaksājiet tūlīt: {pay_link} {opt_out}" },
  },
}
