"""GET /v1/customers/{id}/contactability through the real server, and the
guard's customer settings (blackout, opt-out, third party, consent) written
and read back through the API.

Expected windows are derived by hand from the LV profile as
docs/compliance.md states it (Mon-Fri 08:00-20:00, Sat 09:00-18:00, no
Sundays, Latvian public holidays) and from Riga's offset in June 2026
(EEST, UTC+3: `zdump -v -c 2026,2027 Europe/Riga` shows +03 from
2026-03-29 01:00 UT to 2026-10-25 01:00 UT). 23 and 24 June are Midsummer
(Līgo, Jāņi). The period starts Monday 2026-06-22 12:00 local (09:00 UT)
and ends 7 days later."""
import pytest

from test_api import Server, customer, invoice, error_of

AT = "2026-06-22T09:00:00Z"
END = "2026-06-29T09:00:00Z"


@pytest.fixture
def api(tmp_path):
    # the engine's clock pinned to AT: the start-up pass plans nothing (the
    # invoice is due 2026-07-15, the first ladder step is day -3)
    server = Server(tmp_path, now=AT)
    yield server
    server.stop()


def spans(blocks_or_windows, with_code=True):
    return [(s["from"], s["to"], s["code"]) if with_code else (s["from"], s["to"])
            for s in blocks_or_windows]


# Windows and blocks of a plain LV customer (no history, no settings).
PLAIN_WINDOWS = [
    ("2026-06-22T09:00:00Z", "2026-06-22T17:00:00Z"),   # Mon 12:00-20:00
    ("2026-06-25T05:00:00Z", "2026-06-25T17:00:00Z"),   # Thu 08:00-20:00
    ("2026-06-26T05:00:00Z", "2026-06-26T17:00:00Z"),   # Fri
    ("2026-06-27T06:00:00Z", "2026-06-27T15:00:00Z"),   # Sat 09:00-18:00
    ("2026-06-29T05:00:00Z", END),                      # Mon 08:00-12:00
]
PLAIN_BLOCKS = [
    ("2026-06-22T17:00:00Z", "2026-06-22T21:00:00Z", "quiet_hours"),  # Mon 20:00-24:00
    ("2026-06-22T21:00:00Z", "2026-06-24T21:00:00Z", "holiday"),      # 23, 24 June
    ("2026-06-24T21:00:00Z", "2026-06-25T05:00:00Z", "quiet_hours"),
    ("2026-06-25T17:00:00Z", "2026-06-26T05:00:00Z", "quiet_hours"),
    ("2026-06-26T17:00:00Z", "2026-06-27T06:00:00Z", "quiet_hours"),
    ("2026-06-27T15:00:00Z", "2026-06-27T21:00:00Z", "quiet_hours"),  # Sat 18:00-24:00
    ("2026-06-27T21:00:00Z", "2026-06-28T21:00:00Z", "weekend"),      # Sunday
    ("2026-06-28T21:00:00Z", "2026-06-29T05:00:00Z", "quiet_hours"),
]


def test_plain_customer_windows(api):
    assert api.post("/v1/customers", customer()).status_code == 201
    assert api.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
    r = api.get("/v1/customers/C1/contactability", params={"at": AT})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["profile"] == "LV"
    assert body["zones"] == ["Europe/Riga"]
    assert body["from"] == AT and body["to"] == END
    assert set(body["channels"]) == {"sms", "email", "voice", "chat", "letter", "agent"}
    for ch in ("sms", "email", "voice", "chat", "agent"):
        c = body["channels"][ch]
        assert c["now"]["verdict"] == "allow" and c["now"]["code"] == "ok", (ch, c["now"])
        assert spans(c["windows"], with_code=False) == PLAIN_WINDOWS, ch
        assert spans(c["blocks"]) == PLAIN_BLOCKS, ch
        assert all(b["reason"] for b in c["blocks"])
    # letters are not bound to a time of day (docs/compliance.md)
    letter = body["channels"]["letter"]
    assert spans(letter["windows"], with_code=False) == [(AT, END)]
    assert letter["blocks"] == []


def test_settings_shape_the_windows(api):
    rec = customer(opt_out=["sms"], blackout=["all 00:00-14:00 voice"],
                   third_party=["chat"])
    assert api.post("/v1/customers", rec).status_code == 201
    assert api.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
    got = api.get("/v1/customers/C1").json()
    assert got["blackout"] == ["all 00:00-14:00 voice"]
    assert got["opt_out"] == ["sms"] and got["third_party"] == ["chat"]
    assert got["consent"] == [] and got["opt_out_confirmed"] == []

    body = api.get("/v1/customers/C1/contactability", params={"at": AT}).json()
    sms = body["channels"]["sms"]
    assert sms["now"]["verdict"] == "refuse" and sms["now"]["code"] == "opted_out"
    assert sms["windows"] == [] and spans(sms["blocks"]) == [(AT, END, "opted_out")]
    chat = body["channels"]["chat"]
    assert chat["now"]["code"] == "third_party"
    assert spans(chat["blocks"]) == [(AT, END, "third_party")]

    # "no calls before 14:00" (Riga): a call window opens at 11:00 UT
    voice = body["channels"]["voice"]
    assert voice["now"] == {"verdict": "defer", "code": "blackout",
                            "reason": voice["now"]["reason"],
                            "next_allowed": "2026-06-22T11:00:00Z"}
    assert spans(voice["windows"], with_code=False) == [
        ("2026-06-22T11:00:00Z", "2026-06-22T17:00:00Z"),
        ("2026-06-25T11:00:00Z", "2026-06-25T17:00:00Z"),
        ("2026-06-26T11:00:00Z", "2026-06-26T17:00:00Z"),
        ("2026-06-27T11:00:00Z", "2026-06-27T15:00:00Z"),
    ]
    assert spans(voice["blocks"])[:5] == [
        (AT, "2026-06-22T11:00:00Z", "blackout"),
        ("2026-06-22T17:00:00Z", "2026-06-22T21:00:00Z", "quiet_hours"),
        ("2026-06-22T21:00:00Z", "2026-06-24T21:00:00Z", "holiday"),
        ("2026-06-24T21:00:00Z", "2026-06-25T05:00:00Z", "quiet_hours"),
        ("2026-06-25T05:00:00Z", "2026-06-25T11:00:00Z", "blackout"),
    ]
    assert spans(voice["blocks"])[-2:] == [
        ("2026-06-28T21:00:00Z", "2026-06-29T05:00:00Z", "quiet_hours"),
        ("2026-06-29T05:00:00Z", END, "blackout"),
    ]
    # e-mail is not touched by any of them
    email = body["channels"]["email"]
    assert spans(email["windows"], with_code=False) == PLAIN_WINDOWS

    # the settings are changed through PUT and the windows follow
    r = api.put("/v1/customers/C1", {"opt_out": [], "blackout": []})
    assert r.status_code == 200, r.text
    body = api.get("/v1/customers/C1/contactability", params={"at": AT}).json()
    assert spans(body["channels"]["sms"]["windows"], with_code=False) == PLAIN_WINDOWS
    assert spans(body["channels"]["voice"]["windows"], with_code=False) == PLAIN_WINDOWS


@pytest.mark.parametrize("holds,until,code", [
    (["bankruptcy"], None, "hold_bankruptcy"),
    (["deceased"], None, "hold_deceased"),
    (["cease_contact"], None, "hold_cease_contact"),
    (["dispute"], None, "hold_dispute"),
    (["pause"], "2026-07-01", "hold_pause"),
    (["breathing_space"], "2026-07-01", "hold_breathing_space"),
])
def test_holds_block_every_channel(api, holds, until, code):
    rec = customer(holds=holds, hold_until=until)
    assert api.post("/v1/customers", rec).status_code == 201
    assert api.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
    body = api.get("/v1/customers/C1/contactability", params={"at": AT}).json()
    for ch, c in body["channels"].items():
        assert c["now"]["code"] == code, ch
        assert c["windows"] == [] and spans(c["blocks"]) == [(AT, END, code)], ch


def test_pause_until_a_date_inside_the_period(api):
    # a pause until Saturday 27 June (the first day contact may resume)
    rec = customer(holds=["pause"], hold_until="2026-06-27")
    assert api.post("/v1/customers", rec).status_code == 201
    assert api.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
    email = api.get("/v1/customers/C1/contactability",
                    params={"at": AT}).json()["channels"]["email"]
    assert spans(email["windows"], with_code=False) == PLAIN_WINDOWS[3:]
    assert spans(email["blocks"])[0] == (AT, "2026-06-26T21:00:00Z", "hold_pause")
    assert spans(email["blocks"])[1] == ("2026-06-26T21:00:00Z", "2026-06-27T06:00:00Z",
                                         "quiet_hours")


def test_vulnerable_customer_agent_only(api):
    assert api.post("/v1/customers", customer(holds=["vulnerable"])).status_code == 201
    assert api.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
    body = api.get("/v1/customers/C1/contactability", params={"at": AT}).json()
    for ch in ("sms", "email", "voice", "chat", "letter"):
        assert body["channels"][ch]["now"]["code"] == "vulnerable_agent_only", ch
    assert spans(body["channels"]["agent"]["windows"], with_code=False) == PLAIN_WINDOWS


def test_nothing_owed(api):
    assert api.post("/v1/customers", customer()).status_code == 201
    body = api.get("/v1/customers/C1/contactability", params={"at": AT}).json()
    assert all(c["now"]["code"] == "nothing_owed" for c in body["channels"].values())


def test_errors(api):
    r = api.get("/v1/customers/NOPE/contactability")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    api.post("/v1/customers", customer())
    r = api.get("/v1/customers/C1/contactability", params={"at": "yesterday"})
    assert r.status_code == 422 and error_of(r)["field"] == "at"
    r = api.get("/v1/customers/C1/contactability", params={"at": "1969-12-31T00:00:00Z"})
    assert r.status_code == 422 and error_of(r)["field"] == "at"
    r = api.put("/v1/customers/C1", {"blackout": ["weekdays 15:00-17:00"]})
    assert r.status_code == 422 and error_of(r)["field"] == "blackout"
    r = api.put("/v1/customers/C1", {"consent": ["fax"]})
    assert r.status_code == 422 and error_of(r)["field"] == "consent"
    # without `at`: the engine's (pinned) now
    r = api.get("/v1/customers/C1/contactability")
    assert r.status_code == 200 and r.json()["from"] == AT


def test_configured_profile_replaces_the_builtin(tmp_path):
    """guard_profiles in the configuration: the LV profile with Mondays
    10:00-16:00 (Riga) only; the first window is 12:00-16:00 local."""
    server = Server(tmp_path, now=AT, guard_profiles={
        "LV": {"base": "LV", "name": "LV-short-monday", "windows": {"mon": "10:00-16:00"}}})
    try:
        assert server.post("/v1/customers", customer()).status_code == 201
        assert server.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
        body = server.get("/v1/customers/C1/contactability", params={"at": AT}).json()
        assert body["profile"] == "LV-short-monday"
        sms = body["channels"]["sms"]
        assert spans(sms["windows"], with_code=False) == [
            ("2026-06-22T09:00:00Z", "2026-06-22T13:00:00Z")] + PLAIN_WINDOWS[1:4] + [
            ("2026-06-29T07:00:00Z", END)]
    finally:
        server.stop()


def test_a_profile_looser_than_the_law_stops_the_start(tmp_path):
    import json
    import os
    import subprocess
    from test_api import REPO
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "store": f"sqlite:{tmp_path / 'store.db'}", "schema_dir": str(REPO / "schema"),
        "rules": str(REPO / "tests" / "integration" / "rules-flow"),
        "listen": "127.0.0.1:0",
        "guard_profiles": {"US": {"base": "US", "windows": {"mon": "07:00-21:00"}}}}))
    binary = os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))
    proc = subprocess.run([binary, "serve", "--config", str(config)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0
    assert "guard_profiles.US" in proc.stderr and "windows.mon" in proc.stderr, proc.stderr
    assert "08:00" in proc.stderr


def test_promise_to_pay_defers_contact(api):
    """A promise due Friday 26 June: no contact until Saturday 27 June
    (the day after), whose window opens at 09:00 Riga (06:00 UT)."""
    assert api.post("/v1/customers", customer()).status_code == 201
    assert api.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
    r = api.post("/v1/customers/C1/promises",
                 {"amount_minor": 5000, "currency": "EUR", "due": "2026-06-26"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "pending" and body["due"] == "2026-06-26"
    assert body["customer_id"] == "C1" and isinstance(body["id"], int)
    email = api.get("/v1/customers/C1/contactability",
                    params={"at": AT}).json()["channels"]["email"]
    assert email["now"]["code"] == "promise_pending"
    assert email["now"]["next_allowed"] == "2026-06-27T06:00:00Z"
    assert spans(email["windows"], with_code=False) == PLAIN_WINDOWS[3:]
    assert spans(email["blocks"])[0] == (AT, "2026-06-26T21:00:00Z", "promise_pending")
    events = [e["kind"] for e in api.get("/v1/customers/C1/timeline").json()["events"]]
    assert "promise_made" in events


@pytest.mark.parametrize("body,status,code,field", [
    ({"amount_minor": 0, "currency": "EUR", "due": "2026-06-26"}, 422, "invalid", "amount_minor"),
    ({"amount_minor": 1.5, "currency": "EUR", "due": "2026-06-26"}, 422, "invalid", "amount_minor"),
    ({"currency": "EUR", "due": "2026-06-26"}, 422, "required", "amount_minor"),
    ({"amount_minor": 100, "currency": "eur", "due": "2026-06-26"}, 422, "invalid", "currency"),
    ({"amount_minor": 100, "due": "2026-06-26"}, 422, "required", "currency"),
    ({"amount_minor": 100, "currency": "EUR", "due": "26.06.2026"}, 422, "invalid", "due"),
    ({"amount_minor": 100, "currency": "EUR"}, 422, "required", "due"),
    ({"amount_minor": 100, "currency": "EUR", "due": "2026-06-26", "x": 1}, 422, "invalid", "x"),
    (["not", "an", "object"], 422, "invalid", ""),
])
def test_promise_errors(api, body, status, code, field):
    assert api.post("/v1/customers", customer()).status_code == 201
    r = api.post("/v1/customers/C1/promises", body)
    assert r.status_code == status, r.text
    err = error_of(r)
    assert err["code"] == code and err["field"] == field


def test_promise_for_unknown_customer(api):
    r = api.post("/v1/customers/NOPE/promises",
                 {"amount_minor": 100, "currency": "EUR", "due": "2026-06-26"})
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_configured_one_off_holiday(tmp_path):
    """holidays in the configuration: Thursday 25 June 2026 declared a
    public holiday in Latvia (as 29 May 2023 was): no window that day."""
    server = Server(tmp_path, now=AT, holidays={"LV": {"2026-06-25": "Declared holiday"}})
    try:
        assert server.post("/v1/customers", customer()).status_code == 201
        assert server.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
        sms = server.get("/v1/customers/C1/contactability",
                         params={"at": AT}).json()["channels"]["sms"]
        assert spans(sms["windows"], with_code=False) == [PLAIN_WINDOWS[0]] + PLAIN_WINDOWS[2:]
        assert ("2026-06-22T21:00:00Z", "2026-06-25T21:00:00Z", "holiday") in spans(sms["blocks"])
    finally:
        server.stop()


# Configuration the guard cannot trust stops the start, naming the field
# and the value: country codes must be ISO 3166 (tzdata's iso3166.tab; UK
# is this project's alias of GB), dates real, a profile that forbids
# holidays needs a calendar (built in: LV, EE, UK, US; else "holidays").
@pytest.mark.parametrize("extra,field,value", [
    ({"holidays": {"LV": {"2026-02-30": "No such day"}}}, "holidays.LV.2026-02-30", None),
    ({"holidays": {"XX": {"2026-05-29": "Nowhere day"}}}, "holidays.XX", "XX"),
    ({"holidays": {"lv": {"2026-05-29": "Lower case"}}}, "holidays.lv", "lv"),
    ({"holidays": {"LV": {"26-05-29": "Short year"}}}, "holidays.LV.26-05-29", None),
    ({"holidays": {"LV": {"2026-05-29": ""}}}, "holidays.LV.2026-05-29", None),
    ({"holidays": {"LV": {"2026-05-29": "x" * 48}}}, "holidays.LV.2026-05-29", None),
    ({"holidays": ["LV"]}, "holidays", None),
    ({"guard_profiles": {"XX": {"base": "LV"}}}, "guard_profiles.XX", "XX"),
    ({"guard_profiles": {"LV": {"base": "LV", "country": "ZZ"}}},
     "guard_profiles.LV.country", "ZZ"),
    ({"guard_profiles": {"LV": {"base": "LV", "country": "lv"}}},
     "guard_profiles.LV.country", "lv"),
    ({"guard_profiles": {"DE": {"base": "default", "zones": ["Europe/Berlin"]}}},
     "guard_profiles.DE.holidays_forbidden", "DE"),
    ({"guard_profiles": {"LV": {"base": "XX"}}}, "guard_profiles.LV.base", "XX"),
    ({"default_country": "XX"}, "default_country", "XX"),
    ({"default_country": "lv"}, "default_country", "lv"),
])
def test_bad_guard_config_stops_the_start(tmp_path, extra, field, value):
    import json
    import os
    import subprocess
    from test_api import REPO
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "store": f"sqlite:{tmp_path / 'store.db'}", "schema_dir": str(REPO / "schema"),
        "rules": str(REPO / "tests" / "integration" / "rules-flow"), "listen": "127.0.0.1:0",
        **extra}))
    binary = os.environ.get("DUNNINGD", str(REPO / "build" / "dunningd"))
    proc = subprocess.run([binary, "serve", "--config", str(config)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0
    assert field in proc.stderr, proc.stderr
    if value:
        assert f'"{value}"' in proc.stderr or f" {value}" in proc.stderr, proc.stderr


def test_a_profile_for_a_country_without_a_calendar_with_its_holidays(tmp_path):
    """A German profile that forbids holidays starts once its holidays are
    configured, and a German holiday then blocks (Thursday 25 June 2026 is
    no German holiday; declared one here)."""
    server = Server(tmp_path, now=AT,
                    guard_profiles={"DE": {"base": "default", "name": "DE", "country": "DE",
                                           "zones": ["Europe/Berlin"]}},
                    holidays={"DE": {"2026-06-25": "Declared holiday"}})
    try:
        assert server.post("/v1/customers", customer(cid="DE1", country="DE",
                                                     timezone="Europe/Berlin",
                                                     phone="+4915112345678")).status_code == 201
        assert server.post("/v1/invoices", invoice(iid="IDE1", cid="DE1",
                                                   due="2026-07-15")).status_code == 201
        body = server.get("/v1/customers/DE1/contactability", params={"at": AT}).json()
        assert body["profile"] == "DE"
        holidays = [b for b in spans(body["channels"]["sms"]["blocks"]) if b[2] == "holiday"]
        # 25 June in Berlin (CEST, UTC+2): 24 June 22:00 UT to 25 June 22:00 UT
        assert holidays == [("2026-06-24T22:00:00Z", "2026-06-25T22:00:00Z", "holiday")]
    finally:
        server.stop()


def test_a_country_without_a_profile_gets_the_default_one(api):
    """default_country (LV here) stands in only for a customer without a
    country: a German customer in Berlin gets the "default" profile in
    Berlin time, never Latvia's hours and holidays (23 and 24 June are
    Latvian holidays, not German ones)."""
    assert api.post("/v1/customers", customer(cid="DE1", country="DE", timezone="Europe/Berlin",
                                              phone="+4915112345678")).status_code == 201
    assert api.post("/v1/invoices", invoice(iid="IDE1", cid="DE1", due="2026-07-15")).status_code == 201
    body = api.get("/v1/customers/DE1/contactability", params={"at": AT}).json()
    assert body["profile"] == "default"
    assert body["zones"] == ["Europe/Berlin"]
    blocks = spans(body["channels"]["sms"]["blocks"])
    assert not [b for b in blocks if b[2] == "holiday"], blocks


def test_every_possible_location_shapes_the_windows(api):
    """Regulation F's "convenient in every possible location", with the LV
    profile: a customer in Riga whose phone is a New York number (area code
    212). Monday 22 June 2026: Riga 08:00-20:00 EEST is 05:00-17:00 UT, New
    York 08:00-20:00 EDT is 12:00-24:00 UT, so the one window is 12:00-17:00
    UT, opened by New York's morning and closed by Riga's evening."""
    rec = customer(phone="+12125550100")
    assert api.post("/v1/customers", rec).status_code == 201
    assert api.post("/v1/invoices", invoice(due="2026-07-15")).status_code == 201
    body = api.get("/v1/customers/C1/contactability", params={"at": AT}).json()
    assert body["zones"] == ["Europe/Riga", "America/New_York"]
    assert body["zone_signals"] == {"Europe/Riga": ["timezone", "country"],
                                    "America/New_York": ["phone"]}
    sms = body["channels"]["sms"]
    assert sms["now"]["code"] == "quiet_hours"
    assert sms["now"]["next_allowed"] == "2026-06-22T12:00:00Z"
    assert sms["windows"][0] == {"from": "2026-06-22T12:00:00Z", "to": "2026-06-22T17:00:00Z",
                                 "opened_by": "America/New_York", "closed_by": "Europe/Riga"}
    first, second = sms["blocks"][0], sms["blocks"][1]
    assert (first["from"], first["to"], first["code"], first["zone"]) == (
        AT, "2026-06-22T12:00:00Z", "quiet_hours", "America/New_York")
    assert (second["from"], second["to"], second["code"], second["zone"]) == (
        "2026-06-22T17:00:00Z", "2026-06-22T21:00:00Z", "quiet_hours", "Europe/Riga")
    assert body["unsent"] == []


def test_a_planned_contact_holds_its_room_and_is_shown_as_planned(tmp_path):
    """docs/compliance.md, "How frequency is counted": a contact planned but
    not sent yet takes its place in the caps at its planned time, and
    contactability lists it apart from the contacts made. A pass at 21:30
    Riga on Monday 22 June plans the day -3 SMS (due 25 June); the guard
    defers it past the night and Midsummer (23, 24 June) to Thursday 25 June
    08:00 EEST (05:00 UT). Nothing sends it: the pass does not dispatch and
    the server's clock stays at the pass."""
    import datetime
    from conftest import Engine
    from test_api import REPO
    at = "2026-06-22T18:30:00Z"
    engine = Engine(tmp_path, REPO / "tests" / "integration" / "rules-flow")
    engine.load([{"type": "customer", **customer()},
                 {"type": "invoice", **invoice(due="2026-06-25")}])
    engine.pass_at(at, dispatch=False)
    thursday = int(datetime.datetime(2026, 6, 25, 5, tzinfo=datetime.timezone.utc).timestamp())
    rows = engine.query("SELECT id, channel, scheduled_at, state FROM contacts")
    assert [r[1:] for r in rows] == [("sms", thursday, "planned")], rows
    server = Server(tmp_path, now=at)
    try:
        body = server.get("/v1/customers/C1/contactability", params={"at": at}).json()
        assert body["unsent"] == [{"id": rows[0][0], "channel": "sms",
                                   "at": "2026-06-25T05:00:00Z", "state": "planned"}]
        # SMS: one a day (LV), and Thursday's is taken by the planned one
        sms = {(b["from"], b["to"], b["code"]): b for b in body["channels"]["sms"]["blocks"]}
        taken = sms[("2026-06-24T21:00:00Z", "2026-06-25T21:00:00Z", "cap_channel_day")]
        assert taken["unsent"] == 1 and "planned, not sent yet" in taken["reason"]
        # e-mail: 240 minutes of spacing on either side of it
        spacing = [b for b in body["channels"]["email"]["blocks"] if b["code"] == "spacing"]
        assert [b["to"] for b in spacing] == ["2026-06-25T09:00:00Z"]
        assert spacing[0]["unsent"] == 1 and "not sent yet" in spacing[0]["reason"]
        # a block that rests on the clock alone names no planned contact
        assert all("unsent" not in b for b in body["channels"]["voice"]["blocks"]
                   if b["code"] in ("quiet_hours", "holiday", "weekend"))
    finally:
        server.stop()
