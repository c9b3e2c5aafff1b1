#!/usr/bin/python3
"""Convert the UCI "default of credit card clients" data set into an NDJSON
portfolio that dunningd can import.

Input:  uci-credit-card-default.csv (30,000 real card holders, Apr-Sep 2005;
        Yeh & Lien 2009, DOI 10.24432/C55S3H, CC BY 4.0).
Output: one JSON object per line: every customer, then every invoice, then
        every payment and credit note, so that references always resolve.

Amounts, months, payment status codes and ages are real. SEX, EDUCATION and
MARRIAGE are never read. Names, languages, time zones and contact points are
synthetic and derived deterministically from the row ID (see
synthetic_identity). The mapping of statements and payments onto invoices is
described in examples/README.md; the functions below implement exactly that.

This file also holds the synthetic identity helpers used by convert_telco.py
and gen_synthetic.py. Standard library only; the output is byte-identical for
the same input.
"""

import argparse
import csv
import datetime
import hashlib
import json
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(REPO_ROOT, "..", "shared", "data")
OUTPUT_DIR = os.path.join(REPO_ROOT, "var")   # generated files; never written into the shared data

# ---------------------------------------------------------------------------
# Synthetic, deterministic identities
# ---------------------------------------------------------------------------

# (given name, grammatical gender) and family names as (masculine, feminine):
# Latvian and Russian family names agree with the gender of the given name.
LATVIAN_GIVEN = [
    ("Jānis", "m"), ("Andris", "m"), ("Mārtiņš", "m"), ("Edgars", "m"),
    ("Kārlis", "m"), ("Aivars", "m"), ("Juris", "m"), ("Raimonds", "m"),
    ("Artūrs", "m"), ("Dāvis", "m"), ("Krišjānis", "m"), ("Valdis", "m"),
    ("Anna", "f"), ("Ilze", "f"), ("Līga", "f"), ("Inese", "f"),
    ("Dace", "f"), ("Kristīne", "f"), ("Zane", "f"), ("Agnese", "f"),
    ("Māra", "f"), ("Ieva", "f"), ("Elīna", "f"), ("Baiba", "f"),
]
LATVIAN_FAMILY = [
    ("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozoliņš", "Ozoliņa"),
    ("Jansons", "Jansone"), ("Liepiņš", "Liepiņa"), ("Krūmiņš", "Krūmiņa"),
    ("Balodis", "Balode"), ("Eglītis", "Eglīte"), ("Zariņš", "Zariņa"),
    ("Pētersons", "Pētersone"), ("Kļaviņš", "Kļaviņa"), ("Vītols", "Vītola"),
    ("Ozols", "Ozola"), ("Lācis", "Lāce"), ("Siliņš", "Siliņa"),
    ("Žagars", "Žagare"),
]
RUSSIAN_GIVEN = [
    ("Александр", "m"), ("Сергей", "m"), ("Дмитрий", "m"), ("Андрей", "m"),
    ("Алексей", "m"), ("Владимир", "m"), ("Игорь", "m"), ("Николай", "m"),
    ("Елена", "f"), ("Ольга", "f"), ("Наталья", "f"), ("Татьяна", "f"),
    ("Ирина", "f"), ("Светлана", "f"), ("Юлия", "f"), ("Екатерина", "f"),
]
RUSSIAN_FAMILY = [
    ("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"), ("Васильев", "Васильева"), ("Петров", "Петрова"),
    ("Соколов", "Соколова"), ("Михайлов", "Михайлова"), ("Новиков", "Новикова"),
    ("Фёдоров", "Фёдорова"), ("Морозов", "Морозова"), ("Волков", "Волкова"),
]
ENGLISH_GIVEN = [
    ("James", "m"), ("Oliver", "m"), ("William", "m"), ("Daniel", "m"),
    ("Thomas", "m"), ("Michael", "m"), ("David", "m"), ("Robert", "m"),
    ("Emma", "f"), ("Olivia", "f"), ("Sophia", "f"), ("Grace", "f"),
    ("Chloe", "f"), ("Emily", "f"), ("Hannah", "f"), ("Sarah", "f"),
]
ENGLISH_FAMILY = [
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans",
    "Walker", "Wright", "Robinson", "Thompson", "Hughes", "Clarke", "Hall",
    "Green", "Garcia",
]

# ASCII folding for e-mail addresses and chat handles: Latvian letters lose
# their diacritics, Cyrillic is transliterated.
ASCII_FOLD = str.maketrans({
    "ā": "a", "č": "c", "ē": "e", "ģ": "g", "ī": "i", "ķ": "k", "ļ": "l",
    "ņ": "n", "š": "s", "ū": "u", "ž": "z",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})

# Per profile: languages with weights (out of 100), time zones with weights,
# country, e-mail domains (reserved by RFC 2606), and the phone number shape.
PROFILES = {
    "lv": {
        "languages": [("lv", 55), ("ru", 35), ("en", 10)],
        "timezones": [("Europe/Riga", 92), ("Europe/Tallinn", 5), ("Europe/Vilnius", 3)],
        "country": "LV",
        "domains": ["example.com", "example.net", "example.org"],
    },
    "us": {
        "languages": [("en", 100)],
        "timezones": [("America/Los_Angeles", 100)],
        "country": "US",
        "domains": ["example.com", "example.net", "example.org"],
    },
}
US_AREA_CODES = ["213", "310", "408", "415", "510", "619", "714", "818", "916", "949"]


class Draws:
    """Deterministic draws for one key: a SHA-512 of "namespace:key" read as
    a sequence of 16-bit numbers. Independent of Python's random module and of
    PYTHONHASHSEED, so the same key always gives the same draws."""

    def __init__(self, namespace, key):
        self._bytes = hashlib.sha512(f"{namespace}:{key}".encode("utf-8")).digest()
        self._offset = 0

    def below(self, bound):
        """A number in 0..bound-1 (bound <= 65536)."""
        if self._offset + 2 > len(self._bytes):
            self._bytes = hashlib.sha512(self._bytes).digest()
            self._offset = 0
        value = int.from_bytes(self._bytes[self._offset:self._offset + 2], "big")
        self._offset += 2
        return value % bound

    def percent(self):
        return self.below(100)

    def pick(self, items):
        return items[self.below(len(items))]

    def weighted(self, pairs):
        point = self.percent()
        for value, weight in pairs:
            if point < weight:
                return value
            point -= weight
        raise ValueError("weights must add up to 100")


def ascii_fold(text):
    return text.lower().translate(ASCII_FOLD)


def synthetic_name(draws, language):
    """A given and family name fitting the language: Latvian names with
    diacritics, Russian names in Cyrillic, English names. The grammatical
    gender is drawn from the hash, never from data."""
    if language == "lv":
        given, gender = draws.pick(LATVIAN_GIVEN)
        family = draws.pick(LATVIAN_FAMILY)[0 if gender == "m" else 1]
    elif language == "ru":
        given, gender = draws.pick(RUSSIAN_GIVEN)
        family = draws.pick(RUSSIAN_FAMILY)[0 if gender == "m" else 1]
    else:
        given, _ = draws.pick(ENGLISH_GIVEN)
        family = draws.pick(ENGLISH_FAMILY)
    return given, family


def synthetic_identity(namespace, key, profile_name):
    """The synthetic part of a customer record for one key: name, language,
    time zone, country, e-mail, phone and chat handle. About 7 % have no
    phone, 12 % no e-mail and 30 % a chat handle. Empty contact points are
    left out of the record."""
    profile = PROFILES[profile_name]
    draws = Draws(namespace, key)
    language = draws.weighted(profile["languages"])
    timezone = draws.weighted(profile["timezones"])
    given, family = synthetic_name(draws, language)
    number = draws.below(1000)
    identity = {
        "name": f"{given} {family}",
        "language": language,
        "timezone": timezone,
        "country": profile["country"],
    }
    local = f"{ascii_fold(given)}.{ascii_fold(family)}{number}"
    if draws.percent() >= 12:
        identity["email"] = f"{local}@{draws.pick(profile['domains'])}"
    if draws.percent() >= 7:
        if profile_name == "us":
            # 555-0100..0199 is the range reserved for fiction.
            identity["phone"] = f"+1{draws.pick(US_AREA_CODES)}5550{100 + draws.below(100)}"
        else:
            identity["phone"] = f"+3712{draws.below(10000):04d}{draws.below(1000):03d}"
    if draws.percent() < 30:
        identity["chat"] = f"@{ascii_fold(given)}_{ascii_fold(family)[:1]}{number}"
    return identity


def customer_record(external_id, identity, age):
    record = {"type": "customer", "external_id": external_id, "name": identity["name"],
              "language": identity["language"], "timezone": identity["timezone"],
              "country": identity["country"]}
    for field in ("email", "phone", "chat"):
        if field in identity:
            record[field] = identity[field]
    if age:
        record["age"] = age
    return record


def dump(record):
    """One NDJSON line: UTF-8, fixed key order, no spaces."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


class Progress:
    """Prints "label: n" to stderr every `every` items and at the end."""

    def __init__(self, label, every):
        self.label, self.every, self.count = label, every, 0

    def step(self):
        self.count += 1
        if self.count % self.every == 0:
            print(f"{self.label}: {self.count}", file=sys.stderr, flush=True)

    def done(self):
        print(f"{self.label}: {self.count} done", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# UCI statements → invoices, payments and credit notes
# ---------------------------------------------------------------------------

CURRENCY = "TWD"          # ISO 4217: 2 decimals, so NT$1 = 100 minor units
AS_OF = datetime.date(2005, 10, 1)       # evaluation date the mapping targets
LAST_DAY = datetime.date(2005, 9, 30)    # last day covered by the data
PRE_DUE = datetime.date(2005, 10, 25)    # due date of a September statement in good standing

# Statement months April..September and the column suffix of each.
# September is BILL_AMT1 / PAY_AMT1 / PAY_0; April is BILL_AMT6 / PAY_AMT6 / PAY_6.
MONTHS = [(4, "6"), (5, "5"), (6, "4"), (7, "3"), (8, "2"), (9, "1")]
HISTORY_MONTHS = [4, 5, 6, 7, 8]
STATUS_COLUMN = {"1": "PAY_0", "2": "PAY_2", "3": "PAY_3", "4": "PAY_4", "5": "PAY_5", "6": "PAY_6"}
USED_COLUMNS = (["ID", "AGE"] + [f"BILL_AMT{i}" for i in range(1, 7)]
                + [f"PAY_AMT{i}" for i in range(1, 7)] + list(STATUS_COLUMN.values()))
EXPECTED_HEADER = (["ID", "LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE", "PAY_0"]
                   + [f"PAY_{i}" for i in range(2, 7)] + [f"BILL_AMT{i}" for i in range(1, 7)]
                   + [f"PAY_AMT{i}" for i in range(1, 7)] + ["default.payment.next.month"])


def statement_due(month):
    """A history statement for `month` closes at the end of that month and is
    due on the 25th of the next month (when the data shows it being paid)."""
    return datetime.date(2005, month + 1, 25)


def first_of_month(day):
    return day.replace(day=1)


def read_account(row, line):
    """The used columns of one CSV row as integers: id, age, and per month
    (April..September) bill, payment and status. Protected columns are not
    read."""
    try:
        values = {name: int(row[name]) for name in USED_COLUMNS}
    except (KeyError, TypeError, ValueError) as error:
        raise SystemExit(f"line {line}: bad or missing integer column ({error})")
    account = {"id": values["ID"], "age": values["AGE"], "bill": {}, "paid": {}, "status": {}}
    for month, suffix in MONTHS:
        account["bill"][month] = values[f"BILL_AMT{suffix}"]
        account["paid"][month] = values[f"PAY_AMT{suffix}"]
        account["status"][month] = values[STATUS_COLUMN[suffix]]
    return account


def open_statement_due(account):
    """Due date of the September statement: 30 x PAY_0 days before AS_OF when
    the account is PAY_0 months in arrears, else 2005-10-25 (not yet due)."""
    months_late = account["status"][9]
    if months_late >= 1:
        return AS_OF - datetime.timedelta(days=30 * months_late)
    return PRE_DUE


def build_ledger(account, stats):
    """The invoices and the payment/credit-note records of one account.

    Invoices: one per month with a positive bill. The September statement is
    the one open balance. A history statement due before it is imported open
    and is settled during the import, oldest due first, by the real payments
    and by a carry-forward credit note for what they left unpaid; a history
    statement due on or after it (inside the arrears window) is imported as
    "credited" because its balance is carried inside the September one.
    Payments in April (they settled March, outside the data) and payments
    dated on or after the open statement's due date (already netted into
    BILL_AMT1) are not imported; a payment larger than what the history
    statements still owe is capped to that remainder."""
    cid = f"UCI-{account['id']}"
    open_due = open_statement_due(account)
    invoices, records = [], []
    targets = []  # [month, external id, unpaid minor units] in due order
    for month in HISTORY_MONTHS:
        bill = account["bill"][month]
        if bill <= 0:
            continue
        due = statement_due(month)
        external_id = f"{cid}-2005-{month:02d}"
        status = "open" if due < open_due else "credited"
        invoices.append({"type": "invoice", "external_id": external_id, "customer_id": cid,
                         "currency": CURRENCY, "amount_minor": bill * 100,
                         "issued": first_of_month(due).isoformat(), "due": due.isoformat(),
                         "status": status})
        if status == "open":
            targets.append([month, external_id, bill * 100])
    if account["bill"][9] > 0:
        invoices.append({"type": "invoice", "external_id": f"{cid}-2005-09", "customer_id": cid,
                         "currency": CURRENCY, "amount_minor": account["bill"][9] * 100,
                         "issued": first_of_month(open_due).isoformat(),
                         "due": open_due.isoformat(), "status": "open"})
    if account["paid"][4] > 0:
        stats["april_payments_left_out"] += 1

    for month in (5, 6, 7, 8, 9):
        amount = account["paid"][month] * 100
        paid_on = datetime.date(2005, month, 20)
        if amount > 0 and paid_on >= open_due:
            stats["arrears_payments_left_out"] += 1
        elif amount > 0:
            owed = sum(target[2] for target in targets)
            if owed == 0:
                stats["payments_nothing_owed"] += 1
            elif amount > owed:
                stats["payments_capped"] += 1
                stats["minor_units_capped"] += amount - owed
                amount = owed
            if owed > 0:
                records.append({"type": "payment", "external_id": f"{cid}-P-2005-{month:02d}",
                                "customer_id": cid, "currency": CURRENCY,
                                "amount_minor": amount, "paid_on": paid_on.isoformat(),
                                "kind": "payment"})
                left = amount
                for target in targets:          # oldest due first, like the engine
                    taken = min(left, target[2])
                    target[2] -= taken
                    left -= taken
        # The statement due this month is superseded by the next one: what is
        # still unpaid is carried forward, on the due date plus 30 days for
        # each month of delay the data shows for that statement's month.
        for target in targets:
            if target[0] == month - 1 and target[2] > 0:
                delay = max(account["status"][month - 1], 0)
                credited_on = min(statement_due(month - 1) + datetime.timedelta(days=30 * delay),
                                  LAST_DAY)
                records.append({"type": "payment", "external_id": f"{cid}-C-2005-{month - 1:02d}",
                                "customer_id": cid, "currency": CURRENCY,
                                "amount_minor": target[2], "paid_on": credited_on.isoformat(),
                                "kind": "credit_note"})
                target[2] = 0
    return invoices, records


def read_rows(path):
    """Yields (line number, row) from the CSV after checking its header."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != EXPECTED_HEADER:
            raise SystemExit(f"{path}: unexpected header {reader.fieldnames}")
        for row in reader:
            yield reader.line_num, row


def convert(input_path, output_path):
    """Three streaming passes over the CSV (customers, invoices, payments);
    returns the statistics printed at the end."""
    stats = {"customers": 0, "invoices_open": 0, "invoices_credited": 0, "payments": 0,
             "credit_notes": 0, "april_payments_left_out": 0, "arrears_payments_left_out": 0,
             "payments_nothing_owed": 0, "payments_capped": 0, "minor_units_capped": 0}
    unused = dict(stats)
    os.makedirs(os.path.dirname(os.path.abspath(output_path)), exist_ok=True)
    temporary = output_path + ".part"
    with open(temporary, "w", encoding="utf-8", newline="\n") as out:
        progress = Progress("customers", 5000)
        for line, row in read_rows(input_path):
            account = read_account(row, line)
            identity = synthetic_identity("uci", account["id"], "lv")
            out.write(dump(customer_record(f"UCI-{account['id']}", identity, account["age"])))
            stats["customers"] += 1
            progress.step()
        progress.done()

        progress = Progress("invoices (customers done)", 5000)
        for line, row in read_rows(input_path):
            invoices, _ = build_ledger(read_account(row, line), unused)
            for invoice in invoices:
                out.write(dump(invoice))
                stats[f"invoices_{invoice['status']}"] += 1
            progress.step()
        progress.done()

        progress = Progress("payments (customers done)", 5000)
        for line, row in read_rows(input_path):
            _, records = build_ledger(read_account(row, line), stats)
            for record in records:
                out.write(dump(record))
                stats["payments" if record["kind"] == "payment" else "credit_notes"] += 1
            progress.step()
        progress.done()
    os.replace(temporary, output_path)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", default=os.path.join(SHARED_DATA, "uci-credit-card-default.csv"))
    parser.add_argument("--output", default=os.path.join(OUTPUT_DIR, "portfolio-uci.ndjson"))
    args = parser.parse_args()
    stats = convert(args.input, args.output)
    print(" ".join(f"{key}={value}" for key, value in stats.items()), file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
