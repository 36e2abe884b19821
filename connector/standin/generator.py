"""Deterministic generation of randomuser-shaped records.

Modelled on the real v1.4 generator as the captured fixtures show it:
- the stream is keyed by `seed + page` (concatenated, as the real server does),
  the nationality filter and whether `gender` is generated; `results` only
  decides how many records of the stream are returned (a prefix);
- `inc`/`exc` filter the output fields, in the real order;
- emails (`first.last@example.com`) and usernames repeat, uuids do not;
- postcodes are strings for CA, GB and NO, integers elsewhere; coordinates are
  strings; city and state are drawn independently of each other;
- `id.value` is null for some nationalities.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from lambdas.shared.nationalities import NATIONALITIES

FIELDS = ("gender", "name", "location", "email", "login", "dob", "registered", "phone", "cell", "id", "picture", "nat")
REFERENCE_DATE = datetime(2026, 12, 1, tzinfo=UTC)  # ages are computed against a fixed day: determinism
ADJECTIVES = (
    "silver",
    "green",
    "tiny",
    "golden",
    "happy",
    "purple",
    "crazy",
    "big",
    "red",
    "small",
    "beautiful",
    "heavy",
    "lazy",
    "brown",
    "black",
    "blue",
    "orange",
    "yellow",
    "white",
    "sad",
    "ticklish",
    "organic",
)
ANIMALS = (
    "rabbit",
    "fish",
    "panda",
    "snake",
    "ostrich",
    "leopard",
    "ladybug",
    "dog",
    "elephant",
    "butterfly",
    "tiger",
    "zebra",
    "peacock",
    "duck",
    "koala",
    "swan",
    "lion",
    "bird",
    "goose",
    "frog",
    "bear",
    "cat",
    "gorilla",
    "wolf",
    "mouse",
    "meercat",
)
TIMEZONES = (
    ("-12:00", "Eniwetok, Kwajalein"),
    ("-11:00", "Midway Island, Samoa"),
    ("-10:00", "Hawaii"),
    ("-9:00", "Alaska"),
    ("-8:00", "Pacific Time (US & Canada)"),
    ("-7:00", "Mountain Time (US & Canada)"),
    ("-6:00", "Central Time (US & Canada), Mexico City"),
    ("-5:00", "Eastern Time (US & Canada), Bogota, Lima"),
    ("-4:00", "Atlantic Time (Canada), Caracas, La Paz"),
    ("-3:30", "Newfoundland"),
    ("-3:00", "Brazil, Buenos Aires, Georgetown"),
    ("-1:00", "Azores, Cape Verde Islands"),
    ("0:00", "Western Europe Time, London, Lisbon, Casablanca"),
    ("+1:00", "Brussels, Copenhagen, Madrid, Paris"),
    ("+2:00", "Kaliningrad, South Africa"),
    ("+3:00", "Baghdad, Riyadh, Moscow, St. Petersburg"),
    ("+3:30", "Tehran"),
    ("+4:00", "Abu Dhabi, Muscat, Baku, Tbilisi"),
    ("+5:30", "Bombay, Calcutta, Madras, New Delhi"),
    ("+7:00", "Bangkok, Hanoi, Jakarta"),
    ("+8:00", "Beijing, Perth, Singapore, Hong Kong"),
    ("+9:00", "Tokyo, Seoul, Osaka, Sapporo, Yakutsk"),
    ("+10:00", "Eastern Australia, Guam, Vladivostok"),
    ("+12:00", "Auckland, Wellington, Fiji, Kamchatka"),
)
# (id name, id value pattern or None); '#' is a digit, '@' an upper-case letter
ID_FORMATS: dict[str, tuple[str, str | None]] = {
    "AU": ("TFN", "#########"),
    "BR": ("CPF", "###.###.###-##"),
    "CA": ("SIN", "#########"),
    "CH": ("AVS", "756.####.####.##"),
    "DE": ("SVNR", "## ###### @ ###"),
    "DK": ("CPR", "######-####"),
    "ES": ("DNI", "########-@"),
    "FI": ("HETU", "NaNNA###undefined"),
    "FR": ("INSEE", "############# ##"),
    "GB": ("NINO", "@@ ## ## ## @"),
    "IE": ("PPS", "#######@"),
    "IN": ("UIDAI", "############"),
    "IR": ("", None),
    "MX": ("NSS", "## ## ## ####-#"),
    "NL": ("BSN", "########"),
    "NO": ("FN", "######## ###"),
    "NZ": ("", None),
    "RS": ("SID", "#########"),
    "TR": ("", None),
    "UA": ("", None),
    "US": ("SSN", "###-##-####"),
}
PHONE_FORMATS: dict[str, str] = {
    "AU": "0#-####-####",
    "BR": "(##) ####-####",
    "CA": "@## @##-####",
    "CH": "07# ### ## ##",
    "DE": "0###-#######",
    "DK": "########",
    "ES": "9##-###-###",
    "FI": "0#-###-###",
    "FR": "0#-##-##-##-##",
    "GB": "0### ### ####",
    "IE": "0##-###-####",
    "IN": "#########",
    "IR": "0###-###-####",
    "MX": "(6##) ### ####",
    "NL": "(###)-###-####",
    "NO": "########",
    "NZ": "(###)-###-####",
    "RS": "0##-####-###",
    "TR": "(###)-###-####",
    "UA": "(0##) Q##-####",
    "US": "(###) ###-####",
}


@cache
def _pools() -> dict[str, dict[str, list[str]]]:
    data: dict[str, dict[str, list[str]]] = json.loads((Path(__file__).with_name("data.json")).read_text())
    return data


def _pattern(rng: random.Random, pattern: str) -> str:
    out = []
    for char in pattern:
        if char == "#":
            out.append(str(rng.randrange(10)))
        elif char == "@":
            out.append(rng.choice(string.ascii_uppercase))
        else:
            out.append(char)
    return "".join(out)


def _postcode(rng: random.Random, nat: str) -> str | int:
    if nat in ("CA", "GB"):
        return _pattern(rng, "@#@ #@#") if nat == "CA" else _pattern(rng, "@## #@@")
    if nat == "NO":
        return _pattern(rng, "####")
    return rng.randrange(1000, 100000)


def _moment(rng: random.Random, min_years: int, max_years: int) -> dict[str, Any]:
    days = rng.randrange(min_years * 365, max_years * 365)
    date = REFERENCE_DATE - timedelta(days=days, seconds=rng.randrange(86400), milliseconds=rng.randrange(1000))
    age = REFERENCE_DATE.year - date.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (date.month, date.day))
    return {"date": date.strftime("%Y-%m-%dT%H:%M:%S.") + f"{date.microsecond // 1000:03d}Z", "age": age}


def _login(rng: random.Random) -> dict[str, str]:
    password = rng.choice(_pools()["_passwords"]["all"])
    salt = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))
    salted = (password + salt).encode()
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "username": f"{rng.choice(ADJECTIVES)}{rng.choice(ANIMALS)}{rng.randrange(100, 1000)}",
        "password": password,
        "salt": salt,
        "md5": hashlib.md5(salted).hexdigest(),  # noqa: S324 - mimics randomuser's fake credentials
        "sha1": hashlib.sha1(salted).hexdigest(),  # noqa: S324
        "sha256": hashlib.sha256(salted).hexdigest(),
    }


def _record(rng: random.Random, nat: str, with_gender: bool) -> dict[str, Any]:
    country = NATIONALITIES[nat]
    pool = _pools()[country]
    gender = rng.choice(("male", "female")) if with_gender else "female"
    first, last = rng.choice(pool[f"first_{gender}"]), rng.choice(pool["last"])
    folder = "men" if gender == "male" else "women"
    picture = rng.randrange(100)
    id_name, id_pattern = ID_FORMATS[nat]
    phone = PHONE_FORMATS[nat].replace("Q", str(rng.randrange(5, 10)))
    offset, description = rng.choice(TIMEZONES)
    return {
        "gender": gender,
        "name": {
            "title": "Mr" if gender == "male" else rng.choice(("Ms", "Miss", "Mrs")),
            "first": first.title(),
            "last": last.title(),
        },
        "location": {
            "street": {"number": rng.randrange(1, 10000), "name": rng.choice(pool["street"])},
            "city": rng.choice(pool["city"]),
            "state": rng.choice(pool["state"]),
            "country": country,
            "postcode": _postcode(rng, nat),
            "coordinates": {"latitude": f"{rng.uniform(-90, 90):.4f}", "longitude": f"{rng.uniform(-180, 180):.4f}"},
            "timezone": {"offset": offset, "description": description},
        },
        "email": f"{first}.{last}@example.com",
        "login": _login(rng),
        "dob": _moment(rng, 18, 80),
        "registered": _moment(rng, 1, 22),
        "phone": _pattern(rng, phone),
        "cell": _pattern(rng, phone),
        "id": {"name": id_name, "value": _pattern(rng, id_pattern) if id_pattern else None},
        "picture": {
            "large": f"https://randomuser.me/api/portraits/{folder}/{picture}.jpg",
            "medium": f"https://randomuser.me/api/portraits/med/{folder}/{picture}.jpg",
            "thumbnail": f"https://randomuser.me/api/portraits/thumb/{folder}/{picture}.jpg",
        },
        "nat": nat,
    }


def generate_page(
    seed: str, page: int, results: int, nationalities: Iterable[str] = (), fields: Iterable[str] = FIELDS
) -> list[dict[str, Any]]:
    """The records randomuser would return for these (already clamped) parameters."""
    nats = sorted(nationalities) or sorted(NATIONALITIES)
    wanted = [field for field in FIELDS if field in set(fields)]
    with_gender = "gender" in wanted
    rng = random.Random(f"{seed}{page}|{','.join(nats)}|{with_gender}")
    out = []
    for _ in range(results):
        record = _record(rng, rng.choice(nats), with_gender)
        out.append({field: record[field] for field in wanted})
    return out
