#!/usr/bin/python3
"""An independent checker of the compliance guard's property test.

tests/unit/test_guard.c simulates a year (2026) for many random customers
whose "rules" try to contact them as often as they like, at any hour, on any
channel, and asks the guard before every contact; with DN_GUARD_PROPERTY_LOG
set it writes every customer and every contact the guard allowed to a file.
This program reads that file and checks every contact against the profiles
as docs/compliance.md defines them. It shares no code with the engine: time
zones come from Python's zoneinfo (the system tz database), public holidays
from the table below (computed here from each country's law), the profile
figures are written out again from the documentation.

usage: check_guard_log.py LOG          (exit 0 = no violation)
       check_guard_log.py --run TEST_GUARD_BINARY LOG
          runs the binary with DN_GUARD_PROPERTY_LOG=LOG first
"""
import datetime
import os
import struct
import subprocess
import sys
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers.tzdata import TIMEZONE_DATA

CHANNELS = ["sms", "email", "voice", "chat", "letter", "agent"]
OUTCOMES = ["", "no_answer", "voicemail", "busy", "not_in_service", "conversation",
            "ringless_voicemail"]
NOT_ATTEMPTS = {"busy", "not_in_service"}            # docs: do not count as calls
CALLS = {"voice", "agent"}
# customer bits (docs/compliance.md "Holds and customer settings")
HOLD_BANKRUPTCY, HOLD_DECEASED, HOLD_CEASE, HOLD_DISPUTE = 2, 4, 8, 1
HOLD_PAUSE, HOLD_BREATHING = 32, 64
OPTOUT_BIT = {"sms": 1, "email": 2, "voice": 4, "agent": 4, "chat": 8, "letter": 0}


def hm(text):
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def window(text):
    return None if text is None else tuple(hm(x) for x in text.split("-"))


# ---- the built-in profiles, from the table in docs/compliance.md ----
# windows: Monday..Sunday as Python's weekday() numbers them (0 = Monday)
PROFILES = {
    "US": dict(
        windows=[window("08:00-21:00")] * 7, holidays=False,
        debt_calls=7, customer_calls=14, cooldown=7,
        per_day={"sms": 1, "email": 1, "chat": 1, "letter": 1},
        per_week={"sms": 3, "email": 3, "chat": 3, "letter": 2},
        budget=0, spacing=60),
    "LV": dict(
        windows=[window("08:00-20:00")] * 5 + [window("09:00-18:00"), None], holidays=True,
        debt_calls=3, customer_calls=5, cooldown=2,
        per_day={"sms": 1, "email": 1, "chat": 1, "voice": 1, "agent": 1},
        per_week={"sms": 2, "email": 2, "chat": 2},
        budget=5, spacing=240),
    "UK": dict(
        windows=[window("08:00-21:00")] * 6 + [None], holidays=True,
        debt_calls=3, customer_calls=5, cooldown=2,
        per_day={"sms": 1, "email": 1, "chat": 1, "voice": 1, "agent": 1},
        per_week={"sms": 3, "email": 3, "chat": 3},
        budget=7, spacing=180),
}
COUNTRY_ZONES = {
    "LV": ["Europe/Riga"], "EE": ["Europe/Tallinn"], "UK": ["Europe/London"],
    "GB": ["Europe/London"],
    "US": ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
           "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"],
}


# ---- public holidays ----
def easter(year):
    """Gregorian Easter Sunday (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return datetime.date(year, month, day)


def next_monday_if_weekend(day):
    return day + datetime.timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else None


def latvia(year):
    """Law on Public Holidays, Remembrance and Celebration Days (LV): Mother's
    Day is the second Sunday of May, Pentecost 49 days after Easter."""
    e = easter(year)
    may_sundays = [datetime.date(year, 5, d) for d in range(1, 15)
                   if datetime.date(year, 5, d).weekday() == 6]
    days = {datetime.date(year, 1, 1), e - datetime.timedelta(days=2), e,
            e + datetime.timedelta(days=1), datetime.date(year, 5, 1),
            may_sundays[1], e + datetime.timedelta(days=49),
            datetime.date(year, 6, 23), datetime.date(year, 6, 24),
            datetime.date(year, 12, 24), datetime.date(year, 12, 25),
            datetime.date(year, 12, 26), datetime.date(year, 12, 31)}
    for fixed in (datetime.date(year, 5, 4), datetime.date(year, 11, 18)):
        days.add(fixed)
        moved = next_monday_if_weekend(fixed)
        if moved:
            days.add(moved)
    return days


def england_wales(year):
    """gov.uk bank holidays; a holiday on a weekend gets a substitute weekday,
    and the day itself still counts (docs/compliance.md)."""
    e = easter(year)
    may = [datetime.date(year, 5, d) for d in range(1, 32)]
    aug = [datetime.date(year, 8, d) for d in range(1, 32)]
    days = {e - datetime.timedelta(days=2), e + datetime.timedelta(days=1),
            next(d for d in may if d.weekday() == 0),
            [d for d in may if d.weekday() == 0][-1],
            [d for d in aug if d.weekday() == 0][-1]}
    new_year = datetime.date(year, 1, 1)
    days.add(new_year)
    if new_year.weekday() >= 5:
        days.add(next_monday_if_weekend(new_year))
    xmas, boxing = datetime.date(year, 12, 25), datetime.date(year, 12, 26)
    days |= {xmas, boxing}
    taken = set(days)
    for d in (xmas, boxing):
        if d.weekday() >= 5:
            sub = d + datetime.timedelta(days=1)
            while sub.weekday() >= 5 or sub in taken:
                sub += datetime.timedelta(days=1)
            taken.add(sub)
            days.add(sub)
    return days


EPOCH = datetime.date(1970, 1, 1)


def day_numbers(dates):
    return {(d - EPOCH).days for d in dates}


HOLIDAYS = {
    "LV": day_numbers(latvia(2026) | latvia(2027)),
    "UK": day_numbers(england_wales(2026) | england_wales(2027)),
    "US": set(),
}


# ---- local time ----
class Zone:
    """UTC offsets of one zone, cached per UTC hour (every DST change of the
    zones used happens on a whole hour)."""

    def __init__(self, name):
        self.zone = ZoneInfo(name)
        self.name = name
        self.cache = {}

    def local(self, t):
        """(local day number, minute of day) at UTC instant t (seconds)."""
        hour = t // 3600
        off = self.cache.get(hour)
        if off is None:  # first time this hour is seen
            when = datetime.datetime.fromtimestamp(hour * 3600, datetime.timezone.utc)
            off = int(when.astimezone(self.zone).utcoffset().total_seconds())
            self.cache[hour] = off
        local = t + off
        return local // 86400, (local % 86400) // 60


ZONES = {}


def zone(name):
    if name not in ZONES:
        ZONES[name] = Zone(name)
    return ZONES[name]


def weekday(day_number):
    return (day_number + 3) % 7        # 1970-01-01 was a Thursday (3, Monday = 0)


# ---- reading the log ----
def read_customers(data):
    pos = 0
    n = len(data)
    while pos < n:
        if data[pos:pos + 1] != b"C":
            raise SystemExit(f"log corrupt at byte {pos}")
        country = data[pos + 1:pos + 3].decode()
        zl = data[pos + 3]
        pos += 4
        tz = data[pos:pos + zl].decode()
        pos += zl
        pl = data[pos]
        phone = data[pos + 1:pos + 1 + pl].decode()
        pos += 1 + pl
        holds, hold_until, opt_out, nb = struct.unpack_from("<IiIB", data, pos)
        pos += 13
        blackouts = []
        for _ in range(nb):
            blackouts.append(struct.unpack_from("<BHHB", data, pos))
            pos += 6
        (count,) = struct.unpack_from("<I", data, pos)
        pos += 4
        contacts = list(struct.iter_unpack("<qBBB", data[pos:pos + 11 * count]))
        pos += 11 * count
        yield dict(country=country, tz=tz, phone=phone, holds=holds, hold_until=hold_until,
                   opt_out=opt_out, blackouts=blackouts, contacts=contacts)


# ---- where the customer may be ----
def phone_zones(number):
    """The zones a phone number points at, from libphonenumber's metadata:
    in the NANP every zone its area code's numbers use, elsewhere the zones
    of the calling code's country."""
    if not number:
        return []
    if number.startswith("+1"):
        area = "1" + number[2:5]
        return sorted({z for prefix, zones in TIMEZONE_DATA.items()
                       if prefix.startswith(area) for z in zones})
    code = phonenumbers.parse(number).country_code
    return COUNTRY_ZONES.get(phonenumbers.region_code_for_country_code(code), [])


def candidate_zones(cust):
    """docs/compliance.md, "Which zones count": the stored zone, and where
    the phone points elsewhere, every zone it points at too (Regulation F:
    convenient in every possible location)."""
    if not cust["tz"]:
        return COUNTRY_ZONES[cust["country"]]
    from_phone = phone_zones(cust["phone"])
    if not from_phone or cust["tz"] in from_phone:
        return [cust["tz"]]
    return [cust["tz"]] + from_phone


# ---- the check ----
def check(cust, report):
    prof = PROFILES[cust["country"]]
    names = candidate_zones(cust)
    zones = [zone(z) for z in names]
    home = zones[0]
    holidays = HOLIDAYS[cust["country"]] if prof["holidays"] else ()
    windows = prof["windows"]
    blackouts = cust["blackouts"]
    spacing = prof["spacing"] * 60
    cooldown = prof["cooldown"]
    reach = max(7, cooldown)
    per_day, per_week = prof["per_day"], prof["per_week"]
    held = cust["holds"] & (HOLD_BANKRUPTCY | HOLD_DECEASED | HOLD_CEASE | HOLD_DISPUTE)
    paused = cust["holds"] & (HOLD_PAUSE | HOLD_BREATHING)
    history = []          # (at, day, channel, debt, outcome) of earlier contacts
    for at, ch_i, debt, out_i in cust["contacts"]:
        ch = CHANNELS[ch_i]
        outcome = OUTCOMES[out_i]
        bit = OPTOUT_BIT[ch]
        if held:
            report("contact during a hold", cust, ch, at)
        today, _ = home.local(at)
        if paused and (cust["hold_until"] == -2**31 or today < cust["hold_until"]):
            report("contact during a pause", cust, ch, at)
        if cust["opt_out"] & bit:
            report("contact on an opted-out channel", cust, ch, at)
        if ch != "letter":
            for z in zones:
                day, minute = z.local(at)
                wd = weekday(day)
                w = windows[wd]
                if w is None or not (w[0] <= minute < w[1]):
                    report(f"outside the window in {z.name}", cust, ch, at)
                if day in holidays:
                    report(f"on a public holiday in {z.name}", cust, ch, at)
                sunday_first = (wd + 1) % 7
                for days, frm, to, chans in blackouts:
                    if days & (1 << sunday_first) and frm <= minute < to and (
                            chans == 0 or chans & bit):
                        report(f"inside a customer blackout in {z.name}", cust, ch, at)
        # counts over the local days today-6 .. today, this contact included
        week = week_ch = day_ch = debt_calls = cust_calls = 1
        is_call = ch in CALLS
        for p_at, p_day, p_ch, p_debt, p_out in reversed(history):
            if p_day < today - reach:
                break
            if at - p_at < spacing:
                report("closer than the minimum spacing", cust, ch, at)
            if is_call and p_ch in CALLS and p_debt == debt and p_out == "conversation" \
                    and today < p_day + cooldown:
                report("call inside the conversation cooldown", cust, ch, at)
            if p_day < today - 6:
                continue
            week += 1
            if p_ch == ch:
                week_ch += 1
                if p_day == today:
                    day_ch += 1
            if is_call and p_ch in CALLS and p_out not in NOT_ATTEMPTS:
                cust_calls += 1
                if p_debt == debt:
                    debt_calls += 1
        if prof["budget"] and week > prof["budget"]:
            report("weekly contact budget", cust, ch, at)
        if per_week.get(ch) and week_ch > per_week[ch]:
            report("channel cap per week", cust, ch, at)
        if per_day.get(ch) and day_ch > per_day[ch]:
            report("channel cap per day", cust, ch, at)
        if is_call and debt_calls > prof["debt_calls"]:
            report("call attempts per debt in 7 days", cust, ch, at)
        if is_call and cust_calls > prof["customer_calls"]:
            report("call attempts per customer in 7 days", cust, ch, at)
        history.append((at, today, ch, debt, outcome))


def utc(text):
    return int(datetime.datetime.fromisoformat(text).timestamp())


def self_test():
    """The checker must see what it is meant to see: each row is one
    customer whose contacts break exactly one rule (or none)."""
    lv = dict(country="LV", tz="Europe/Riga", phone="", holds=0, hold_until=-2**31, opt_out=0,
              blackouts=[])
    rows = [
        # 2026-06-22 is a Monday; Riga is UTC+3 in June
        (dict(lv, contacts=[(utc("2026-06-22T10:00:00+03:00"), 0, 0, 0)]), set()),
        (dict(lv, contacts=[(utc("2026-06-22T20:00:00+03:00"), 0, 0, 0)]),
         {"outside the window in Europe/Riga"}),
        (dict(lv, contacts=[(utc("2026-06-23T10:00:00+03:00"), 1, 0, 0)]),
         {"on a public holiday in Europe/Riga"}),
        (dict(lv, contacts=[(utc("2026-11-18T10:00:00+02:00"), 1, 0, 0)]),
         {"on a public holiday in Europe/Riga"}),
        (dict(lv, contacts=[(utc("2026-06-22T10:00:00+03:00"), 0, 0, 0),
                            (utc("2026-06-22T13:00:00+03:00"), 1, 0, 0)]),
         {"closer than the minimum spacing"}),
        (dict(lv, contacts=[(utc("2026-06-22T09:00:00+03:00"), 0, 0, 0),
                            (utc("2026-06-22T14:00:00+03:00"), 0, 0, 0)]),
         {"channel cap per day"}),
        (dict(lv, contacts=[(utc(f"2026-06-{d}T10:00:00+03:00"), 2, 0, 1)
                            for d in (25, 26, 27, 29)]),
         {"call attempts per debt in 7 days"}),
        (dict(lv, contacts=[(utc("2026-06-25T10:00:00+03:00"), 2, 0, 5),
                            (utc("2026-06-26T10:00:00+03:00"), 2, 0, 1)]),
         {"call inside the conversation cooldown"}),
        (dict(lv, opt_out=4, contacts=[(utc("2026-06-22T10:00:00+03:00"), 5, 0, 1)]),
         {"contact on an opted-out channel"}),
        (dict(lv, holds=HOLD_PAUSE, hold_until=(datetime.date(2026, 6, 23) - EPOCH).days,
              contacts=[(utc("2026-06-22T10:00:00+03:00"), 0, 0, 0)]),
         {"contact during a pause"}),
        (dict(lv, blackouts=[(0x7f, 0, 14 * 60, 4)],
              contacts=[(utc("2026-06-22T10:00:00+03:00"), 2, 0, 1)]),
         {"inside a customer blackout in Europe/Riga"}),
        # unknown zone in the US: 09:00 in New York is 08:00 in Chicago, 07:00 in
        # Denver (MDT) and Phoenix (MST), 03:00 in Honolulu
        (dict(lv, country="US", tz="", contacts=[(utc("2026-06-22T09:00:00-04:00"), 0, 0, 0)]),
         {"outside the window in Pacific/Honolulu", "outside the window in America/Anchorage",
          "outside the window in America/Denver",
          "outside the window in America/Los_Angeles", "outside the window in America/Phoenix"}),
        # a Latvian customer with a New York phone: 10:00 in Riga is 03:00 there
        (dict(lv, phone="+12125550100", contacts=[(utc("2026-06-22T10:00:00+03:00"), 0, 0, 0)]),
         {"outside the window in America/New_York"}),
        # ... and a Latvian phone changes nothing
        (dict(lv, phone="+37120000001", contacts=[(utc("2026-06-22T10:00:00+03:00"), 0, 0, 0)]),
         set()),
        # UK: Boxing Day 2026 is a Saturday, its substitute Monday 28 December
        (dict(lv, country="UK", tz="Europe/London",
              contacts=[(utc("2026-12-28T10:00:00+00:00"), 0, 0, 0)]),
         {"on a public holiday in Europe/London"}),
    ]
    for i, (cust, want) in enumerate(rows):
        got = set()
        check(cust, lambda what, *_: got.add(what))
        if got != want:
            raise SystemExit(f"checker self-test row {i}: found {got}, expected {want}")
    # the holiday table against dates written out by hand
    assert latvia(2026) >= {datetime.date(2026, 4, 3), datetime.date(2026, 4, 6),
                            datetime.date(2026, 5, 4)}
    assert datetime.date(2027, 3, 26) in latvia(2027)                  # Good Friday 2027
    assert datetime.date(2025, 5, 5) in latvia(2025)                   # 4 May a Sunday
    assert datetime.date(2023, 11, 20) in latvia(2023)                 # 18 Nov a Saturday
    assert easter(2026) == datetime.date(2026, 4, 5)
    assert easter(2027) == datetime.date(2027, 3, 28)


def main(argv):
    self_test()
    if len(argv) == 4 and argv[1] == "--run":
        env = dict(os.environ, DN_GUARD_PROPERTY_LOG=argv[3])
        subprocess.run([argv[2]], env=env, check=True)
        argv = [argv[0], argv[3]]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    violations = []

    def report(what, cust, ch, at):
        if len(violations) < 20:
            when = datetime.datetime.fromtimestamp(at, datetime.timezone.utc).isoformat()
            print(f"violation: {what}: {cust['country']} {cust['tz'] or '(no zone)'} "
                  f"{ch} at {when}", file=sys.stderr)
        violations.append(what)

    customers = contacts = 0
    per_country = {}
    for cust in read_customers(data):
        customers += 1
        contacts += len(cust["contacts"])
        per_country[cust["country"]] = per_country.get(cust["country"], 0) + 1
        check(cust, report)
    print(f"independent check: {customers} customers {per_country}, {contacts} contacts, "
          f"{len(violations)} violations")
    if customers < 1000 or contacts < customers:
        print("too little to check: the simulation did not run", file=sys.stderr)
        return 1
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
