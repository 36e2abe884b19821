"""Compaction of a complete run's parts into its snapshot. Pure and deterministic.

Memory grows with the output: users are kept as small tuples, parts are read
one at a time, and each country's users are serialized once and reused for
both the country object and users.json.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass
class Counts:
    extracted: int = 0
    published: int = 0
    duplicates: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())

    @property
    def balanced(self) -> bool:
        return self.extracted == self.published + self.rejected + self.duplicates

    def as_dict(self) -> dict[str, Any]:
        return {
            "extracted": self.extracted,
            "published": self.published,
            "rejected": {"total": self.rejected, "by_reason": dict(sorted(self.rejected_by_reason.items()))},
            "duplicates": self.duplicates,
        }


@dataclass
class Snapshot:
    run_id: str
    generated_at: str
    users_json: bytes
    countries: dict[str, tuple[str, int, bytes]]  # code -> (name, count, country object bytes)
    counts: Counts

    @property
    def users_per_country(self) -> dict[str, int]:
        return {code: count for code, (_, count, _) in self.countries.items()}

    @property
    def country_names(self) -> dict[str, str]:
        return {code: name for code, (name, _, _) in self.countries.items()}


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _users_array(users: list[tuple[str, str, str, str | None]]) -> str:
    """Users sorted by userName then id, serialized with the published field order."""
    users.sort()
    return (
        "["
        + ",".join(
            f'{{"id":{_text(uid)},"userName":{_text(name)},"email":{_text(email)},"gender":{_text(gender)}}}'
            for name, uid, email, gender in users
        )
        + "]"
    )


def compact(run_id: str, generated_at: str, parts: Iterable[dict[str, Any]]) -> Snapshot:
    """Merge parts given in page-then-chunk order; the first occurrence of an id wins."""
    seen: set[str] = set()
    by_country: dict[str, tuple[str, list[tuple[str, str, str, str | None]]]] = {}
    counts = Counts()
    for part in parts:
        counts.extracted += part["extracted"]
        counts.rejected_by_reason.update(rejection["reason"] for rejection in part["rejected"])
        for name, group in part["countries"].items():
            target = by_country.setdefault(name, (group["code"], []))[1]
            for user in group["users"]:
                if user["id"] in seen:
                    counts.duplicates += 1
                    continue
                seen.add(user["id"])
                target.append((user["userName"], user["id"], user["email"], user.get("gender")))
    del seen
    header = f'"schema_version":{SCHEMA_VERSION},"run_id":{_text(run_id)},"generated_at":{_text(generated_at)}'
    countries: dict[str, tuple[str, int, bytes]] = {}
    fragments: list[str] = []
    for name in sorted(by_country):
        code, users = by_country.pop(name)
        count = len(users)
        array = _users_array(users)
        del users
        counts.published += count
        body = f'{{{header},"country":{_text(name)},"code":{_text(code)},"count":{count},"users":{array}}}'
        countries[code] = (name, count, body.encode())
        fragments.append(f'{_text(name)}:{{"code":{_text(code)},"count":{count},"users":{array}}}')
    users_json = f'{{{header},"total_users":{counts.published},"countries":{{{",".join(fragments)}}}}}'.encode()
    return Snapshot(run_id, generated_at, users_json, countries, counts)
