"""Running the connector on the local twin under faults, and measuring what came out."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connector.twin import LocalTwin, TwinConfig
from lambdas.shared import topology

FULL = os.environ.get("RELIABILITY_SCALE", "ci") == "full"
# pages of 1,500+ users span two chunks, so "half a page's chunks" means something
USERS = 20_000 if FULL else 3000
PAGE_SIZE = 2500 if FULL else 1500
SMALL_PAGES = 500 if FULL else 250  # many requests, for upstream faults
RUN_ID = "20261203T030000Z-0e2e"
Published = dict[str, tuple[str, str, str, str | None]]  # id -> (country, userName, email, gender)


@dataclass
class Figures:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, scenario: str, **values: Any) -> None:
        self.rows.setdefault(scenario, {}).update(values)


FIGURES = Figures()


def twin_config(instance: str, **overrides: Any) -> TwinConfig:
    """A twin tuned for fault tests: quick retries, short timeouts, generous budget."""
    options: dict[str, Any] = {
        "instance": instance,
        "page_size": PAGE_SIZE,
        "budget_users": 10_000_000,
        "budget_window_seconds": 60,
        "visibility_timeout_seconds": 1,
        "notification_lease_seconds": 2,
        "http_retries": 2,
        "http_backoff_factor": 0.01,
        "http_read_timeout": 0.5,
        "standin_hang_seconds": 1.0,
        "standin_slow_seconds": 0.1,
    } | overrides
    return TwinConfig(**options)


def start_run(twin: LocalTwin, run_id: str = RUN_ID, users: int = USERS) -> None:
    twin.invoke(topology.PLAN, {"users": users, "run_id": run_id})


def wait_published(twin: LocalTwin, run_id: str = RUN_ID, timeout: float = 180.0) -> dict[str, Any]:
    """Wait for a final state, ignoring dead letters (the scenarios decide what they mean)."""
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = twin.read_json(f"runs/{run_id}/status.json") or {}
        if status.get("state") in ("published", "superseded"):
            return status
        time.sleep(0.2)
    raise TimeoutError(f"{run_id} not published in {timeout}s: {status}; dead letters {twin.dead_letters()}")


def published_users(document: dict[str, Any]) -> tuple[Published, int]:
    """(users by id, number of user entries) of a users.json document."""
    users: Published = {}
    entries = 0
    for name, group in document["countries"].items():
        for user in group["users"]:
            entries += 1
            users[user["id"]] = (name, user["userName"], user["email"], user["gender"])
    return users, entries


def notifications_for(twin: LocalTwin, run_id: str, settle: float = 1.5) -> int:
    time.sleep(settle)  # deliveries are synchronous in moto, a margin covers the last publisher
    return sum(1 for message in twin.sink.notifications() if message.get("run_id") == run_id)


@dataclass
class Outcome:
    status: dict[str, Any]
    users: Published
    entries: int
    notifications: int
    faults: int


def run_scenario(instance: str, inject: Callable[[LocalTwin], None], **config: Any) -> Outcome:
    with LocalTwin(twin_config(instance, **config)) as twin:
        inject(twin)
        start_run(twin)
        status = wait_published(twin)
        users, entries = published_users(twin.read_json(f"runs/{RUN_ID}/users.json"))
        faults = sum(twin.standin.stats.faults.values()) if twin.standin else 0
        return Outcome(status, users, entries, notifications_for(twin, RUN_ID), faults)


_REFERENCES: dict[int, Published] = {}


def reference_run(page_size: int = PAGE_SIZE) -> Published:
    """The fault-free run of the plan (run id, users, page size), once per page size."""
    if page_size not in _REFERENCES:
        outcome = run_scenario(f"reference-{page_size}", lambda _: None, page_size=page_size)
        assert outcome.status["state"] == "published"
        _REFERENCES[page_size] = outcome.users
    return _REFERENCES[page_size]


def record(
    figures: Figures,
    scenario: str,
    reference: Published,
    users: Published,
    entries: int,
    faults: int,
    notifications: int | str,
    partial: int = 0,
) -> None:
    """One row of the table: users lost (missing or changed) and duplicated, against the reference run."""
    lost = len(set(reference) - set(users)) + sum(1 for uid, user in users.items() if reference.get(uid) != user)
    figures.add(
        scenario,
        **{
            "faults injected": faults,
            "users lost": lost,
            "users duplicated": entries - len(users),
            "partial publications": partial,
            "notifications per run": notifications,
        },
    )  # fmt: skip


def compare(figures: Figures, scenario: str, outcome: Outcome, reference: Published, faults: int) -> None:
    """Record the figures of a scenario and assert the promise: nothing lost, nothing doubled, one notice."""
    duplicated = outcome.entries - len(outcome.users)
    counts = outcome.status["counts"]
    balanced = counts["extracted"] == counts["published"] + counts["rejected"]["total"] + counts["duplicates"]
    partial = 0 if balanced and outcome.status["state"] == "published" else 1
    record(figures, scenario, reference, outcome.users, outcome.entries, faults, outcome.notifications, partial)
    assert outcome.users == reference
    assert duplicated == 0
    assert balanced
    assert outcome.notifications == 1
