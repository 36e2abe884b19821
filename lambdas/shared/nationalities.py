"""The 21 nationalities randomuser.me generates, with the one spelling of each country name."""

from __future__ import annotations

import re
import unicodedata

NATIONALITIES: dict[str, str] = {
    "AU": "Australia",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "DE": "Germany",
    "DK": "Denmark",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "IN": "India",
    "IR": "Iran",
    "MX": "Mexico",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "RS": "Serbia",
    "TR": "Turkey",
    "UA": "Ukraine",
    "US": "United States",
}
CODE_BY_COUNTRY: dict[str, str] = {name: code for code, name in NATIONALITIES.items()}
_CODE_BY_LOWER_NAME = {name.lower(): code for name, code in CODE_BY_COUNTRY.items()}


class UnknownNationalityError(ValueError):
    """A nationality code that randomuser.me does not generate."""


def slugify(name: str) -> str:
    """A URL-safe, lower-case slug for a country name that is not in the table."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "unknown"


def country_code(country: str) -> str:
    """ISO 3166 alpha-2 code for a known country name, else a slug of the name."""
    return CODE_BY_COUNTRY.get(country) or slugify(country)


def parse_nationalities(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Parse `de,fr` (or a list) into sorted, upper-case, known codes; empty means all.

    Unlike randomuser.me, which silently drops the whole filter when one code is
    unknown, an unknown code is an error here.
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = sorted({item.strip().upper() for item in items if item.strip()})
    unknown = [code for code in codes if code not in NATIONALITIES]
    if unknown:
        raise UnknownNationalityError(
            f"unknown nationality code(s) {', '.join(unknown)}; allowed: {', '.join(NATIONALITIES)}"
        )
    return tuple(codes)


def code_for_name(name: str) -> str | None:
    """The code of a known country name (any case), None for other names."""
    return CODE_BY_COUNTRY.get(name) or _CODE_BY_LOWER_NAME.get(name.strip().lower())


def resolve_country(value: str) -> str | None:
    """A country code from a code or a name, case-insensitive; None when unknown."""
    candidate = value.strip()
    if candidate.upper() in NATIONALITIES:
        return candidate.upper()
    return _CODE_BY_LOWER_NAME.get(candidate.lower())
