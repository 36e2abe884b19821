"""Pure transformation of one raw batch into one grouped batch (same identity)."""

from __future__ import annotations

import re

from lambdas.shared.messages import CountryGroup, GroupedBatch, RawBatch, RawRecord, Rejection, User
from lambdas.shared.nationalities import NATIONALITIES, code_for_name, slugify

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
REASONS = ("missing uuid", "missing username", "missing email", "missing country", "invalid email")


def _clean(value: str | None) -> str:
    return (value or "").strip()


def canonical_country(name: str) -> tuple[str, str]:
    """(name, code): the table's spelling and ISO code for known countries, a slug for others."""
    code = code_for_name(name)
    return (NATIONALITIES[code], code) if code else (name, slugify(name))


def validate(record: RawRecord) -> tuple[User, str] | str:
    """(user, country name), or the reason the record is rejected."""
    login, location = record.login, record.location
    uuid, username = _clean(login.uuid if login else None), _clean(login.username if login else None)
    email, country = _clean(record.email), _clean(location.country if location else None)
    for value, reason in (
        (uuid, "missing uuid"),
        (username, "missing username"),
        (email, "missing email"),
        (country, "missing country"),
    ):
        if not value:
            return reason
    if not EMAIL.match(email):
        return "invalid email"
    gender = record.gender.strip() if record.gender is not None else None
    return User(id=uuid, userName=username, email=email, gender=gender), country


def transform(batch: RawBatch) -> GroupedBatch:
    """Every valid record exactly once under its own country; every invalid one rejected with its reason."""
    groups: dict[str, tuple[str, list[User]]] = {}
    rejected: list[Rejection] = []
    for record in batch.records:
        outcome = validate(record)
        if isinstance(outcome, str):
            rejected.append(Rejection(reason=outcome, record=record))
            continue
        user, raw_country = outcome
        name, code = canonical_country(raw_country)
        groups.setdefault(name, (code, []))[1].append(user)
    return GroupedBatch(
        run_id=batch.run_id,
        page=batch.page,
        chunk=batch.chunk,
        chunks=batch.chunks,
        extracted=len(batch.records),
        countries={name: CountryGroup(code=code, users=users) for name, (code, users) in sorted(groups.items())},
        rejected=rejected,
    )
