"""The load's compaction against the floor, in-process and in a fresh process per size.

Floor: parse the same part bytes with orjson, group users by country, serialize with orjson.
    python -m bench.compaction --users 1000000
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import uuid
from typing import Any

import orjson

from bench.measure import emit, sampled
from lambdas.load.compaction import compact
from lambdas.shared.nationalities import NATIONALITIES

RUN_ID = "20261203T030000Z-be0c"
USERS_PER_PART = 1100  # what a 200 KiB raw chunk holds
FIRST = ("ada", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo", "kai", "lu", "max", "ned", "oli", "pia")


def parts_for(users: int, seed: int = 1) -> list[bytes]:
    """Grouped batches as the load receives them, with realistic sizes and a few duplicates."""
    rng = random.Random(seed)
    names = list(NATIONALITIES.items())
    parts: list[bytes] = []
    for start in range(0, users, USERS_PER_PART):
        countries: dict[str, Any] = {}
        for _ in range(min(USERS_PER_PART, users - start)):
            code, country = rng.choice(names)
            first, last = rng.choice(FIRST), rng.choice(FIRST)
            countries.setdefault(country, {"code": code, "users": []})["users"].append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "userName": f"{first}{last}{rng.randrange(100, 1000)}",
                    "email": f"{first}.{last}@example.com",
                    "gender": rng.choice(("male", "female")),
                }
            )
        extracted = min(USERS_PER_PART, users - start)
        part = {"schema_version": 1, "kind": "grouped", "run_id": RUN_ID, "page": 1 + start // 5000, "chunk": 1,
                "chunks": 1, "extracted": extracted, "countries": countries, "rejected": []}  # fmt: skip
        parts.append(json.dumps(part).encode())
    return parts


def connector(parts: list[bytes]) -> int:
    """What the load does: orjson-parse each part, compact; the size of users.json."""
    return len(compact(RUN_ID, "2026-12-03T03:00:41Z", (orjson.loads(body) for body in parts)).users_json)


def floor(parts: list[bytes]) -> int:
    grouped: dict[str, list[Any]] = {}
    for body in parts:
        for name, group in orjson.loads(body)["countries"].items():
            grouped.setdefault(name, []).extend(group["users"])
    return len(orjson.dumps(grouped))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--which", choices=("connector", "floor"), required=True)
    args = parser.parse_args()
    parts = parts_for(args.users)
    gc.collect()
    with sampled() as sample:
        written = (connector if args.which == "connector" else floor)(parts)
    emit(
        {"users": args.users, "which": args.which, "seconds": sample.seconds, "rss_growth_bytes": sample.rss_growth,
         "snapshot_bytes": written, "parts_bytes": sum(map(len, parts))}
    )  # fmt: skip


if __name__ == "__main__":
    main()
