"""Compaction of a complete run's parts into its snapshot. Pure and deterministic.

Memory grows with the output, not with a multiple of it: parts are parsed one
at a time; each kept user becomes one bytes object (its sort key and its
serialized JSON); each country is serialized once into its country object, and
users.json is joined from views into those objects rather than from copies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

SCHEMA_VERSION = 1
_SEP = b"\x00"  # sorts below every character a userName or id can hold


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


def _published(user: dict[str, Any]) -> dict[str, Any]:
    """The user as published: parts omit a null gender, the snapshot states it."""
    if len(user) == 4 and "gender" in user:
        return user
    return {"id": user["id"], "userName": user["userName"], "email": user["email"], "gender": user.get("gender")}


def _array(items: list[bytes]) -> bytes:
    items.sort()
    return b"[" + b",".join(item[item.index(_SEP, item.index(_SEP) + 1) + 1 :] for item in items) + b"]"


def compact(run_id: str, generated_at: str, parts: Iterable[dict[str, Any]]) -> Snapshot:
    """Merge parts given in page-then-chunk order; the first occurrence of an id wins."""
    seen: set[str] = set()
    by_country: dict[str, tuple[str, list[bytes]]] = {}
    counts = Counts()
    remember, dumps = seen.add, orjson.dumps  # the loop runs once per user: keep lookups local
    for part in parts:
        counts.extracted += part["extracted"]
        counts.rejected_by_reason.update(rejection["reason"] for rejection in part["rejected"])
        for name, group in part["countries"].items():
            keep = by_country.setdefault(name, (group["code"], []))[1].append
            for user in group["users"]:
                uid = user["id"]
                if uid in seen:
                    counts.duplicates += 1
                    continue
                remember(uid)
                # userName NUL id NUL json: the bytes order of these is the (userName, id) order
                keep(b"%s\x00%s\x00%s" % (user["userName"].encode(), uid.encode(), dumps(_published(user))))
    del seen
    header = b'"schema_version":%d,"run_id":%s,"generated_at":%s' % (
        SCHEMA_VERSION,
        orjson.dumps(run_id),
        orjson.dumps(generated_at),
    )
    countries: dict[str, tuple[str, int, bytes]] = {}
    fragments: list[Any] = []
    for name in sorted(by_country):
        code, items = by_country.pop(name)
        count = len(items)
        counts.published += count
        entry = b'{"code":%s,"count":%d,"users":' % (orjson.dumps(code), count)
        prefix = b'{%s,"country":%s,"code":%s,"count":%d,"users":' % (
            header,
            orjson.dumps(name),
            orjson.dumps(code),
            count,
        )
        document = prefix + _array(items) + b"}"
        del items
        countries[code] = (name, count, document)
        # users.json reuses the array inside the country object through a view: no second copy
        fragments += [orjson.dumps(name), b":", entry, memoryview(document)[len(prefix) : -1], b"}", b","]
    if fragments:
        fragments.pop()
    users_json = b"".join([b'{%s,"total_users":%d,"countries":{' % (header, counts.published), *fragments, b"}}"])
    return Snapshot(run_id, generated_at, users_json, countries, counts)
