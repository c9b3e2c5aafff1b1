"""The guard's phone-number tables (engine/location_data.c) against an
independent source: libphonenumber's metadata (Debian's python3-phonenumbers)
for which NANP area codes exist, which country each is in and which time
zones its numbers use, and which countries each ITU-T E.164 calling code
serves. Zones are compared by their local time (UTC offsets in January and
July 2026, Python's zoneinfo), since both sides name one zone per region in
their own way (America/Toronto or America/Montreal).

Where libphonenumber is wrong, the row below says why; everything else it
knows must be covered by the table (the table may know more: overlays
announced since that metadata, and zone boundaries it leaves out).

Run: /usr/bin/python3 -m pytest tests/integration/test_location_data.py"""
import datetime
import pathlib
import re
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers.tzdata import TIMEZONE_DATA

SOURCE = (pathlib.Path(__file__).resolve().parents[2] / "engine" / "location_data.c").read_text(
    encoding="utf-8")

# area code -> why libphonenumber's zones for it are not taken as the truth
LIBPHONENUMBER_MISTAKES = {
    "437": "Toronto's overlay; libphonenumber says America/Winnipeg",
    "480": "Phoenix: Arizona keeps standard time; the Navajo Nation's DST is in 928 only",
    "520": "Tucson: as 480",
    "602": "Phoenix: as 480",
    "689": "Orlando's overlay; libphonenumber says America/Chicago",
    "709": "Labrador keeps daylight saving time (America/Goose_Bay), not America/Puerto_Rico",
    "867": "Yukon has kept Mountain standard time all year since 2020, not Pacific time",
    "907": "the western Aleutians keep daylight saving time (America/Adak), not Honolulu's",
}
# calling code -> regions libphonenumber names that the tz database has no
# zones for (ISO 3166 counts Ascension and Tristan da Cunha as SH; Kosovo
# has no ISO code) and what the table names instead
NO_TZ_REGION = {247: ({"AC"}, {"SH"}), 290: ({"TA"}, set()), 383: ({"XK"}, {"XK"})}


def zone_names():
    return dict(re.findall(r'\[(NZ_\w+)\] = "([^"]+)"', SOURCE))


def area_table():
    names = zone_names()
    table = {}
    for code, country, zones in re.findall(r"A\((\d{3}), ([A-Z]{2}), ([^)]*)\)", SOURCE):
        assert code not in table, f"area code {code} listed twice"
        table[code] = (country, [names[z.strip()] for z in zones.split(",")])
    return table


def calling_table():
    body = SOURCE[SOURCE.index("const calling_code calling_codes[]"):]
    return {int(code): set(re.findall(r'"([A-Z]{2})"', countries))
            for code, countries in re.findall(r"\{ (\d+), \{ ([^}]*) \} \}", body)}


def local_time(zone):
    z = ZoneInfo(zone)
    return tuple(datetime.datetime(2026, month, 15, 12, tzinfo=datetime.timezone.utc)
                 .astimezone(z).utcoffset() for month in (1, 7))


def libphonenumber_areas():
    """area code -> the zones of every number prefix under it"""
    areas = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            areas.setdefault(prefix[1:4], set()).update(zones)
    return areas


def test_every_area_code_libphonenumber_knows_is_in_the_table():
    table = area_table()
    assert len(table) > 440
    for code in sorted(libphonenumber_areas()):
        number = phonenumbers.parse(f"+1{code}5550123")
        region = phonenumbers.region_code_for_number(number)
        assert code in table, f"area code {code} ({region}) is missing"
        if region:
            assert table[code][0] == region, (code, region, table[code])


def test_the_table_covers_libphonenumber_zones():
    table = area_table()
    for code, theirs in sorted(libphonenumber_areas().items()):
        if code in LIBPHONENUMBER_MISTAKES:
            continue
        ours = {local_time(z) for z in table[code][1]}
        missing = {z for z in theirs if local_time(z) not in ours}
        assert not missing, f"area code {code}: {sorted(missing)} not covered by {table[code][1]}"


def test_the_mistakes_listed_are_still_disagreements():
    """a row of LIBPHONENUMBER_MISTAKES that libphonenumber no longer gets
    wrong would hide nothing and should go"""
    table, theirs = area_table(), libphonenumber_areas()
    for code in LIBPHONENUMBER_MISTAKES:
        ours = {local_time(z) for z in table[code][1]}
        assert {local_time(z) for z in theirs[code]} - ours, code


def test_non_geographic_codes_are_not_places():
    table = area_table()
    for code in ("800", "833", "844", "855", "866", "877", "888", "900", "500", "600", "700"):
        assert code not in table, code
        assert re.search(rf"\b{code}\b", SOURCE[SOURCE.index("non_geographic[]"):]), code


def test_calling_codes_match_libphonenumber():
    ours = calling_table()
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        if code == 1 or regions == ("001",):
            assert code not in ours, code          # the NANP, or no place
            continue
        want = set(regions)
        if code in NO_TZ_REGION:
            lacking, instead = NO_TZ_REGION[code]
            want = (want - lacking) | instead
        assert ours.get(code) == want, (code, ours.get(code), want)
    assert set(ours) <= set(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
