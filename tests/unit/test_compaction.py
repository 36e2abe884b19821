"""Compaction and completeness: pure, deterministic, exact."""

from __future__ import annotations

import json
from typing import Any

from lambdas.load.compaction import compact
from lambdas.load.completion import completeness
from lambdas.shared import layout
from lambdas.shared.plan import Budget, make_plan

RUN = "20261203T030000Z-7f3a"


def part(page: int, users: list[tuple[str, str, str]], extracted: int | None = None) -> dict[str, Any]:
    countries: dict[str, Any] = {}
    for uid, name, country in users:
        countries.setdefault(country, {"code": country[:2].upper(), "users": []})["users"].append(
            {"id": uid, "userName": name, "email": f"{name}@x.io", "gender": "male"}
        )
    return {"page": page, "extracted": extracted or len(users), "countries": countries, "rejected": []}


def test_snapshot_is_sorted_deduplicated_and_byte_identical_when_repeated() -> None:
    parts = [
        part(1, [("b", "bob", "Spain"), ("a", "bob", "Germany")]),
        part(2, [("a", "zz", "Spain"), ("c", "al", "Spain")]),
    ]
    first = compact(RUN, "2026-12-03T03:00:41Z", parts)
    second = compact(RUN, "2026-12-03T03:00:41Z", [json.loads(json.dumps(p)) for p in parts])
    assert first.users_json == second.users_json
    document = json.loads(first.users_json)
    assert document == {
        "schema_version": 1,
        "run_id": RUN,
        "generated_at": "2026-12-03T03:00:41Z",
        "total_users": 3,
        "countries": {
            "Germany": {
                "code": "GE",
                "count": 1,
                "users": [{"id": "a", "userName": "bob", "email": "bob@x.io", "gender": "male"}],
            },
            "Spain": {
                "code": "SP",
                "count": 2,
                "users": [
                    {"id": "c", "userName": "al", "email": "al@x.io", "gender": "male"},
                    {"id": "b", "userName": "bob", "email": "bob@x.io", "gender": "male"},
                ],
            },
        },
    }
    assert json.loads(first.countries["SP"][2])["users"] == document["countries"]["Spain"]["users"]
    assert first.counts.as_dict() == {
        "extracted": 4,
        "published": 3,
        "duplicates": 1,
        "rejected": {"total": 0, "by_reason": {}},
    }
    assert first.counts.balanced


def test_a_page_is_done_only_when_all_its_chunks_exist() -> None:
    plan = make_plan(RUN, "manual", "2026-12-03T03:00:00Z", 300, 100, (), "http://x/", Budget())
    keys = [
        layout.part_key(RUN, 1, 1, 1),
        layout.part_key(RUN, 2, 1, 2),
        layout.part_key(RUN, 3, 2, 2),
        layout.part_key(RUN, 3, 1, 2),
        f"runs/{RUN}/parts/garbage.json",
    ]
    state = completeness(plan, keys)
    assert (state.pages_done, state.missing_pages, state.complete) == (2, [2], False)
    assert state.part_keys == [
        layout.part_key(RUN, 1, 1, 1),
        layout.part_key(RUN, 3, 1, 2),
        layout.part_key(RUN, 3, 2, 2),
    ]
    assert completeness(plan, [*keys, layout.part_key(RUN, 2, 2, 2)]).complete
