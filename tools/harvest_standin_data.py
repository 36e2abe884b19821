"""Builds connector/standin/data.json from the captured randomuser fixtures.

The offline stand-in draws names, streets, cities and states from these pools so
its records look like the real API's. Run once when the fixtures change:

    python tools/harvest_standin_data.py ../shared/fixtures/randomuser/seed-bulk-page1-5000.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "connector" / "standin" / "data.json"


def harvest(fixture: Path) -> dict[str, dict[str, list[str]]]:
    pools: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    passwords: set[str] = set()
    for record in json.loads(fixture.read_text())["results"]:
        location = record["location"]
        pool = pools[location["country"]]
        first, _, last = record["email"].split("@")[0].partition(".")
        pool[f"first_{record['gender']}"].add(first)
        pool["last"].add(last)
        pool["street"].add(location["street"]["name"])
        pool["city"].add(location["city"])
        pool["state"].add(location["state"])
        passwords.add(record["login"]["password"])
    data: dict[str, dict[str, list[str]]] = {
        country: {key: sorted(values) for key, values in sorted(pool.items())}
        for country, pool in sorted(pools.items())
    }
    data["_passwords"] = {"all": sorted(passwords)}
    return data


if __name__ == "__main__":
    TARGET.write_text(json.dumps(harvest(Path(sys.argv[1])), ensure_ascii=False, separators=(",", ":")))
    print(f"wrote {TARGET}")
