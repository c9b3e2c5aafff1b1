-- rules/templates/lv.lua — latviešu teksti (Latvian texts).
-- template → channel → tone. E-pasts: { subject = ..., body = ... }.
-- {due_date} is written "13.03.2026." — the Latvian date already ends with
-- its own dot, so never put another "." right after {due_date}.
-- {amount} is written "1 234,50 €" (any currency). Latvian letters make an
-- SMS UCS-2: keep it within 2 parts (134 characters) with usual values.
-- Plural forms of "diena" depend on the number, so days overdue are written
-- as "Kavējums: {days_overdue} d." rather than "... dienām".
-- Voice keys everywhere: 1 = apsolīt samaksu, 2 = runāt ar darbinieku.
return {
  _opt_out = "Atteikties: atbildiet STOP",

  pre_due = {
    sms = {
      friendly = "Labdien, {first_name}! Rēķins {amount} jāapmaksā līdz {due_date} Maksāt: {pay_link} {opt_out}",
    },
    email = {
      friendly = {
        subject = "Atgādinājums: rēķins par {amount} jāapmaksā līdz {due_date}",
        body = [[
Labdien, {name}!

Draudzīgi atgādinām, ka Jūsu rēķins {invoice_id} par {amount} jāapmaksā līdz {due_date}

Samaksāt var dažu minūšu laikā: {pay_link}

Ja rēķins jau ir apmaksāts, paldies – šo vēstuli varat neņemt vērā. Ja apmaksas termiņš Jums nav ērts, atbildiet uz šo e-pastu, un kopā atradīsim risinājumu.

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
    },
    voice = {
      friendly = "Labdien! Jums zvana {company} ar draudzīgu atgādinājumu. Jūsu rēķins par {amount} jāapmaksā līdz {due_date} Lai apstiprinātu, ka samaksāsiet laikā, nospiediet 1. Lai runātu ar mūsu darbinieku, nospiediet 2. Paldies un jauku dienu!",
    },
    chat = {
      friendly = "Sveiki, {first_name}! {company} atgādina: Jūsu rēķins par {amount} jāapmaksā līdz {due_date} Samaksāt var šeit: {pay_link} Ja vajag vairāk laika, uzrakstiet mums šeit. {opt_out}",
    },
    agent = {
      gentle = [[
MĒRĶIS: gādīgs atbalsta zvans pirms apmaksas termiņa. Klients ir atzīmēts kā mazaizsargāts.
KLIENTS: {name}, klienta nr. {customer_id}
RĒĶINS: {invoice_id}, {amount}, termiņš {due_date} Neapmaksāto rēķinu skaits: {invoices_count}.
KĀ: laipni pajautājiet, vai viss ir kārtībā un vai rēķinu būs ērti apmaksāt laikā. Piedāvājiet palīdzību: apmaksas saiti ({pay_link}), vēlāku datumu vai maksājumu pa daļām.
NEDRĪKST: izdarīt spiedienu, steidzināt vai runāt par sekām. Ja klients ir noguris vai satraukts, piedāvājiet piezvanīt citā laikā.
PIERAKSTIET: vienošanos, apsolīto datumu vai lūgumu pēc palīdzības.]],
    },
  },

  overdue = {
    email = {
      friendly = {
        subject = "Vai neaizmirsāt? Rēķins par {amount}",
        body = [[
Labdien, {name}!

Mūsu sistēmā redzams, ka rēķins {invoice_id} par {amount} ar apmaksas termiņu {due_date} vēl nav apmaksāts. Tā gadās ikvienam.

Samaksāt var šeit: {pay_link}

Ja rēķins jau ir apmaksāts, paldies – šo vēstuli varat neņemt vērā. Ja šobrīd ir grūtāk, atbildiet uz šo e-pastu: varam vienoties par citu datumu vai maksājumu pa daļām.

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
      neutral = {
        subject = "Nokavēts maksājums: rēķins {invoice_id}",
        body = [[
Labdien, {name}!

Rēķina {invoice_id} par {amount} apmaksas termiņš bija {due_date} Rēķins vēl nav apmaksāts.

Lūdzam to samaksāt šeit: {pay_link}

Ja uzskatāt, ka rēķins ir kļūdains, atbildiet uz šo e-pastu un norādiet iemeslu. Mēs to izskatīsim un atbildēsim rakstiski.

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
    },
    sms = {
      friendly = "{first_name}, rēķina {amount} termiņš bija {due_date} {pay_link} Ja samaksāts, paldies! {opt_out}",
      neutral  = "Rēķina {invoice_id} par {amount} termiņš bija {due_date} Lūdzam samaksāt: {pay_link} {opt_out}",
    },
  },

  reminder = {
    voice = {
      neutral = "Labdien! Jums zvana {company}. Jūsu rēķina par {amount} apmaksas termiņš bija {due_date} Rēķins vēl nav apmaksāts. Lai apsolītu samaksas datumu, nospiediet 1. Lai ar mūsu darbinieku vienotos par maksājumu pa daļām, nospiediet 2. Paldies!",
    },
    chat = {
      neutral = "Labdien, {first_name}! Raksta {company}. Jūsu rēķins par {amount} vēl nav apmaksāts, kavējums: {days_overdue} d. Samaksāt: {pay_link} Vajag vairāk laika vai maksāt pa daļām? Atbildiet šeit. {opt_out}",
    },
    sms = {
      neutral = "{first_name}, rēķins {amount} nav apmaksāts (kavējums {days_overdue} d.) Maksāt: {pay_link} {opt_out}",
    },
    email = {
      neutral = {
        subject = "Atgādinājums: rēķins par {amount} nav apmaksāts",
        body = [[
Labdien, {name}!

Jūsu rēķina {invoice_id} par {amount} apmaksas termiņš bija {due_date} Kavējums: {days_overdue} d.

Lūdzam to samaksāt šeit: {pay_link}

Ja visu summu uzreiz samaksāt ir grūti, atbildiet uz šo e-pastu. Varam vienoties par samaksas datumu vai sadalīt summu pa daļām.

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
    },
  },

  second = {
    sms = {
      firm = "{first_name}, maksājums {amount} kavējas {days_overdue} d. Lūdzam samaksāt: {pay_link} {opt_out}",
    },
    chat = {
      firm = "{first_name}, maksājums {amount} kavējas {days_overdue} d. Lūdzam samaksāt šodien: {pay_link} vai atbildiet šeit, lai vienotos par datumu vai maksājumu pa daļām. {opt_out}",
    },
    email = {
      firm = {
        subject = "Otrais atgādinājums: maksājums {amount} nav saņemts",
        body = [[
Labdien, {name}!

Mēs jau atgādinājām par rēķinu {invoice_id}. Summas {amount} apmaksas termiņš bija {due_date} Kavējums: {days_overdue} d.

Lūdzam samaksāt šodien: {pay_link}

Ja visu summu samaksāt nevarat, 7 dienu laikā atbildiet uz šo e-pastu, un vienosimies par datumu vai maksājumu pa daļām. Mēs Jums pa pastu nosūtījām arī oficiālu rakstisku brīdinājumu; tajā aprakstīts, kā iesniegt iebildumus, ja nepiekrītat šim prasījumam.

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
    },
  },

  instalment_offer = {
    email = {
      neutral = {
        subject = "Samaksājiet {amount} pa daļām",
        body = [[
Labdien, {name}!

Jūsu rēķins {invoice_id} par {amount} nav apmaksāts kopš {due_date} Saprotam, ka lielāku summu ne vienmēr ir viegli samaksāt uzreiz.

Varam to sadalīt ikmēneša maksājumos bez papildu maksas. Atbildiet uz šo e-pastu un norādiet, cik varat maksāt mēnesī, – mēs atsūtīsim grafiku apstiprināšanai.

Ja vēlaties samaksāt visu uzreiz: {pay_link}

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
    },
    sms = {
      neutral = "{first_name}, {amount} var maksāt pa daļām. Atbildiet mums vai maksājiet: {pay_link} {opt_out}",
    },
    agent = {
      neutral = [[
MĒRĶIS: vienoties par maksājumu grafiku vai samaksas datumu.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: {amount}, termiņš {due_date} Kavējums: {days_overdue} d. Neapmaksāto rēķinu skaits: {invoices_count}. Rēķins: {invoice_id}.
KĀ: paskaidrojiet, ka summu varam sadalīt ikmēneša maksājumos bez papildu maksas. Pajautājiet, cik klients var maksāt mēnesī; vienojieties par summām un datumiem un apstipriniet tos rakstiski.
JA KLIENTS VAR SAMAKSĀT TŪLĪT: nosūtiet apmaksas saiti {pay_link}.
PIERAKSTIET: grafiku vai apsolīto datumu.]],
      gentle = [[
MĒRĶIS: palīdzēt mazaizsargātam klientam atrast samaksas veidu, kas viņam ir pa spēkam.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: {amount}, termiņš {due_date} Neapmaksāto rēķinu skaits: {invoices_count}.
KĀ: vispirms uzklausiet. Pajautājiet, kā klientam klājas un vai maksājumi ir pa spēkam. Piedāvājiet nelielus ikmēneša maksājumus bez papildu maksas; summu lai izvēlas klients. Piedāvājiet uz laiku apturēt atgādinājumus, kamēr situācija ir sarežģīta.
NEDRĪKST: izdarīt spiedienu vai runāt par sekām. Ja klientam vajadzīgs atbalsts, piedāvājiet mūsu atbalsta kontaktus.
PIERAKSTIET: vienošanos vai to, kādu palīdzību klients lūdza.]],
    },
  },

  formal_notice = {
    letter = {
      firm = [[
{company}

Adresāts: {name}
Klienta nr.: {customer_id}

BRĪDINĀJUMS PAR NOKAVĒTU MAKSĀJUMU

Godātais klient!

Saskaņā ar mūsu datiem šī summa joprojām nav samaksāta:

  Rēķins: {invoice_id}
  Apmaksas termiņš: {due_date}
  Kavējums (dienas): {days_overdue}
  Maksājamā summa: {amount}
  Neapmaksāto rēķinu skaits: {invoices_count}

Lūdzam samaksāt maksājamo summu 21 dienas laikā no šī brīdinājuma saņemšanas tiešsaistē {pay_link} vai ar bankas pārskaitījumu, norādot klienta numuru.

Ja visu summu samaksāt nevarat, sazinieties ar mums tajā pašā termiņā: esam gatavi vienoties par samaksas datumu vai maksājumu pa daļām.

Ja nepiekrītat šim prasījumam, 21 dienas laikā no šī brīdinājuma saņemšanas varat iesniegt rakstisku iebildumu, norādot iemeslus. Mēs to izskatīsim un atbildēsim rakstiski.

Ja šajā termiņā summa netiks samaksāta un vienošanās netiks panākta, mēs varam ierobežot pakalpojumus un nodot prasījumu parādu atgūšanas pakalpojumu sniedzējam, kas var pieprasīt normatīvajos aktos atļautos parāda atgūšanas izdevumus.

Ar cieņu
{company}]],
    },
  },

  final = {
    email = {
      urgent = {
        subject = "Pēdējais atgādinājums: maksājums {amount} nav saņemts",
        body = [[
Labdien, {name}!

Jūsu rēķins {invoice_id} par {amount} nav apmaksāts kopš {due_date} (kavējums: {days_overdue} d.), un mūsu brīdinājumā noteiktais termiņš ir beidzies.

Šis ir mūsu pēdējais atgādinājums. Lūdzam samaksāt 10 dienu laikā: {pay_link}

Ja visu summu samaksāt nevarat, atbildiet uz šo e-pastu šo 10 dienu laikā – mēs joprojām esam gatavi vienoties par grafiku.

Ja nesaņemsim ne maksājumu, ne atbildi, mēs varam ierobežot pakalpojumus un nodot prasījumu parādu atgūšanas pakalpojumu sniedzējam, kas var pieprasīt normatīvajos aktos atļautos parāda atgūšanas izdevumus.

Ar cieņu
{company} klientu apkalpošana

{opt_out}]],
      },
    },
    sms = {
      urgent = "Pēdējais atgādinājums: {amount}, kavējums {days_overdue} d. Lūdzam samaksāt 10 dienās: {pay_link} {opt_out}",
    },
    letter = {
      urgent = [[
{company}

Adresāts: {name}
Klienta nr.: {customer_id}

PĒDĒJAIS BRĪDINĀJUMS

Godātais klient!

Mūsu brīdinājumā noteiktais termiņš ir beidzies, un šī summa joprojām nav samaksāta:

  Rēķins: {invoice_id}
  Apmaksas termiņš: {due_date}
  Kavējums (dienas): {days_overdue}
  Maksājamā summa: {amount}
  Neapmaksāto rēķinu skaits: {invoices_count}

Lūdzam samaksāt 10 dienu laikā no šīs vēstules saņemšanas tiešsaistē {pay_link} vai ar bankas pārskaitījumu, norādot klienta numuru. Ja visu summu samaksāt nevarat, sazinieties ar mums tajā pašā termiņā, un mēs vienosimies par grafiku.

Ja nesaņemsim ne maksājumu, ne vienošanos, mēs varam ierobežot pakalpojumus un nodot prasījumu parādu atgūšanas pakalpojumu sniedzējam, kas var pieprasīt normatīvajos aktos atļautos parāda atgūšanas izdevumus.

Ar cieņu
{company}]],
    },
  },

  call_brief = {
    agent = {
      gentle = [[
MĒRĶIS: gādīgs zvans mazaizsargātam klientam par nokavētu rēķinu.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: {amount}, termiņš {due_date} Kavējums: {days_overdue} d. Neapmaksāto rēķinu skaits: {invoices_count}.
KĀ: vispirms uzklausiet. Pajautājiet, vai klients zina par rēķinu un vai samaksa ir pa spēkam. Piedāvājiet apmaksas saiti ({pay_link}), vēlāku datumu vai nelielus maksājumus pa daļām.
NEDRĪKST: izdarīt spiedienu vai runāt par sekām. Ja klients ir satraukts, laipni beidziet sarunu un piedāvājiet piezvanīt vēlāk.
PIERAKSTIET: vienošanos, apsolīto datumu vai lūgto palīdzību.]],
      neutral = [[
MĒRĶIS: sazināties ar klientu un vienoties, kad rēķins tiks samaksāts.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: {amount}, termiņš {due_date} Kavējums: {days_overdue} d. Neapmaksāto rēķinu skaits: {invoices_count}. Rēķins: {invoice_id}.
KĀ: pārliecinieties, ka klients ir saņēmis mūsu ziņas un rēķinu. Pajautājiet, vai ar rēķinu viss ir kārtībā; ja nav, pierakstiet iemeslu. Vienojieties par samaksas datumu vai piedāvājiet maksājumu pa daļām. Piedāvājiet nosūtīt apmaksas saiti ({pay_link}).
PIERAKSTIET: solījumu samaksāt (datums un summa), strīdu (iemesls) vai labāku veidu, kā sazināties ar klientu.]],
      firm = [[
MĒRĶIS: skaidra vienošanās par samaksu; tuvojas vai jau sācies oficiālā brīdinājuma posms.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: {amount}, termiņš {due_date} Kavējums: {days_overdue} d. Neapmaksāto rēķinu skaits: {invoices_count}. Rēķins: {invoice_id}.
KĀ: runājiet mierīgi, faktos balstīti un ar cieņu. Uzklausiet iebildumus un precīzi tos pierakstiet. Nosauciet summu un lūdziet to samaksāt pilnā apmērā vai vienojieties par konkrētu datumu vai maksājumu grafiku. Ja klients jautā, faktos balstīti izskaidrojiet nākamos soļus: oficiāls brīdinājums, iespējama pakalpojumu ierobežošana.
NEDRĪKST: draudēt, pacelt balsi vai runāt par parādu ar kādu citu, izņemot klientu.
PIERAKSTIET: solījumu samaksāt, grafiku, iebildumu (iemesls) vai atteikumu.]],
      urgent = [[
MĒRĶIS: pēdējā personīgā saruna, pirms prasījums tiek nodots tālāk.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: {amount}, termiņš {due_date} Kavējums: {days_overdue} d. Neapmaksāto rēķinu skaits: {invoices_count}. Rēķins: {invoice_id}.
KĀ: mierīgi paskaidrojiet, ka brīdinājuma termiņš ir beidzies un bez samaksas vai vienošanās prasījumu var nodot parādu atgūšanas pakalpojumu sniedzējam, kas var pieprasīt normatīvajos aktos atļautos izdevumus. Piedāvājiet reālu risinājumu: konkrētu datumu vai maksājumu pa daļām. Piedāvājiet apmaksas saiti ({pay_link}).
NEDRĪKST: draudēt, kaunināt vai runāt par parādu ar kādu citu, izņemot klientu.
PIERAKSTIET: solījumu samaksāt, grafiku, iebildumu (iemesls) vai atteikumu.]],
    },
  },
  -- Ieraksts lietas vadītājam, nevis ziņa klientam (crm).
  case_review = {
    crm = {
      gentle = [[
LIETAS PĀRSKATĪŠANA: klients ar īpašām vajadzībām, brīdinājuma prasība Latvijā.
KLIENTS: {name}, klienta nr. {customer_id}
PARĀDS: {amount}, termiņš {due_date} Kavējums: {days_overdue} d. Neapmaksāto rēķinu skaits: {invoices_count}. Rēķins: {invoice_id}.
KĀPĒC: klients ir atzīmēts kā mazaizsargāts, un viņam jau ir bijis viens informatīvs atgādinājuma zvans. Pirms jebkādām turpmākām parāda atgūšanas darbībām likums prasa oficiālu rakstisku brīdinājumu, bet mazaizsargātiem klientiem automātiskas vēstules netiek sūtītas.
IZLEMIET: apturēt atgādinājumus, vienoties par grafiku personīgā sarunā vai nosūtīt rakstisku brīdinājumu ar personīgu pavadvēstuli.]],
    },
  },
}
