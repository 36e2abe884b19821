"""Faults injected end to end on the local twin, each run compared with the fault-free run of the same plan."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connector.standin import Fault
from connector.twin import LocalTwin
from connector.twin.twin import SimulatedCrash
from lambdas.shared.aws import ObjectStore, Queue
from tests.reliability.harness import (
    RUN_ID,
    SMALL_PAGES,
    Figures,
    Published,
    compare,
    notifications_for,
    published_users,
    record,
    reference_run,
    run_scenario,
    start_run,
    twin_config,
    wait_published,
)

pytestmark = pytest.mark.e2e
UPSTREAM_FAULTS = [f for f in Fault if f is not Fault.NONE]


def test_upstream_faults_at_a_high_rate(figures: Figures) -> None:
    def inject(twin: LocalTwin) -> None:
        assert twin.standin is not None
        twin.standin.random_faults(0.35, UPSTREAM_FAULTS, seed=7)

    outcome = run_scenario("upstream-faults", inject, page_size=SMALL_PAGES)
    compare(
        figures, "upstream faults (35% of requests, all 8 kinds)", outcome, reference_run(SMALL_PAGES), outcome.faults
    )


class Crashes:
    """Wraps an adapter method: do the side effect, then crash (the message is not deleted)."""

    def __init__(self, every: int, limit: int) -> None:
        self.every, self.limit = every, limit
        self.calls = itertools.count(1)
        self.crashed = 0
        self.lock = threading.Lock()

    def should_crash(self) -> bool:
        with self.lock:
            call = next(self.calls)
            if self.crashed < self.limit and call % self.every == 0:
                self.crashed += 1
                return True
            return False


def crash_after(
    monkeypatch: pytest.MonkeyPatch,
    cls: type,
    method: str,
    matches: Callable[..., bool],
    crashes: Crashes,
    half: bool = False,
) -> None:
    original = getattr(cls, method)

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not matches(self, *args) or not crashes.should_crash():
            return original(self, *args, **kwargs)
        if half:  # send half of the page's chunks, then die
            messages = list(args[0])
            original(self, messages[: max(1, len(messages) // 2)])
        else:
            original(self, *args, **kwargs)
        raise SimulatedCrash(f"{cls.__name__}.{method} crashed after its side effect")

    monkeypatch.setattr(cls, method, wrapped)


def _queue(name: str) -> Callable[..., bool]:
    return lambda self, *_: self.url.endswith(f"-{name}")


STAGES: dict[str, tuple[type, str, Callable[..., bool], bool]] = {
    "fetch, after sending half of a page's chunks": (Queue, "send", _queue("raw"), True),
    "transform, after sending its batch": (Queue, "send", _queue("grouped"), False),
    "load, after writing a part": (ObjectStore, "put", lambda _, key, *__: "/parts/" in key, False),
}


@pytest.mark.parametrize("stage", list(STAGES))
# "repeatedly" stays under the queues' max receive count: past it, a message is poison by definition
@pytest.mark.parametrize(("mode", "every", "limit"), [("once", 1, 1), ("repeatedly", 1, 3)])
def test_a_crash_at_the_worst_moment_of_each_stage(
    stage: str,
    mode: str,
    every: int,
    limit: int,
    reference: Published,
    figures: Figures,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cls, method, matches, half = STAGES[stage]
    crashes = Crashes(every, limit)
    crash_after(monkeypatch, cls, method, matches, crashes, half)
    outcome = run_scenario(f"crash-{mode}-{list(STAGES).index(stage)}", lambda _: None)
    assert crashes.crashed >= 1
    compare(figures, f"crash {mode}: {stage}", outcome, reference, crashes.crashed)


def test_every_message_delivered_twice(reference: Published, figures: Figures, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Queue.send
    duplicated = itertools.count()

    def twice(self: Queue, messages: Any) -> int:
        batch = list(messages)
        next(duplicated)
        original(self, batch)
        return original(self, batch)

    monkeypatch.setattr(Queue, "send", twice)
    outcome = run_scenario("duplicates", lambda _: None)
    compare(figures, "every message delivered twice", outcome, reference, next(duplicated))


def test_an_older_run_finishing_after_a_newer_one(reference: Published, figures: Figures) -> None:
    newer = "20261203T040000Z-0b0b"
    with LocalTwin(twin_config("overlap")) as twin:
        # Both runs in flight at once; the newer one (one page) is planned a moment earlier, so it completes
        # while the older one (the reference plan) is still fetching: the older finishes last.
        start_run(twin, newer, users=200)
        start_run(twin)
        wait_published(twin, newer)
        older = wait_published(twin)
        latest = twin.read_json("latest/run.json")
        users, entries = published_users(twin.read_json(f"runs/{RUN_ID}/users.json"))
        notices = {run: notifications_for(twin, run, settle=0.5) for run in (RUN_ID, newer)}
    assert older["state"] == "superseded"
    assert latest["run_id"] == newer
    assert users == reference
    assert entries == len(users)
    assert notices == {RUN_ID: 0, newer: 1}
    notified = f"{notices[newer]} (newer), 0 (superseded older)"
    record(figures, "two runs overlapping, the older finishing last", reference, users, entries, 0, notified)


@pytest.fixture
def poisoned_twin() -> Iterator[LocalTwin]:
    with LocalTwin(twin_config("poison")) as twin:
        yield twin


def test_poison_messages_end_in_their_dlq_and_a_blocked_run_completes_after_redrive(
    poisoned_twin: LocalTwin, reference: Published, figures: Figures
) -> None:
    twin = poisoned_twin
    previous = "20261203T020000Z-0a0a"
    start_run(twin, previous, users=100)
    wait_published(twin, previous)
    baseline = twin.read_json("latest/run.json")
    # Given a malformed message in every queue, and a page randomuser keeps refusing
    for name in ("tasks", "raw", "grouped"):
        twin.sqs.send_message(QueueUrl=twin.queue_urls[name], MessageBody='{"schema_version": 9, "oops": true}')
    assert twin.standin is not None
    twin.standin.fail_pages([2], Fault.HTML_403)
    start_run(twin)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(twin.dead_letters().values()) < 4:
        time.sleep(0.5)
    dead = twin.dead_letters()
    status = twin.read_json(f"runs/{RUN_ID}/status.json")
    # Then each poison message is in its own queue's DLQ, the run is not published, latest/ is unchanged
    assert dead == {"tasks": 2, "raw": 1, "grouped": 1}
    assert status["state"] == "failed"
    assert status["pages"]["missing"] == [2]
    assert "HTTP 403" in status["detail"]
    assert twin.read_json("latest/run.json") == baseline
    assert not twin.keys(f"runs/{RUN_ID}/users.json")
    # When the cause is fixed and the tasks DLQ redriven, Then the run completes
    twin.standin.clear_faults()
    twin.redrive("tasks")
    published = wait_published(twin)
    users, entries = published_users(twin.read_json(f"runs/{RUN_ID}/users.json"))
    assert published["state"] == "published"
    assert users == reference
    assert twin.read_json("latest/run.json")["run_id"] == RUN_ID
    notices = notifications_for(twin, RUN_ID)
    assert notices == 1
    record(
        figures, "poison message in each queue + a refused page, then redrive", reference, users, entries, 4, notices
    )


def test_a_run_several_times_the_rate_budget_gets_no_429(figures: Figures) -> None:
    budget, window = 300, 3
    users = 1200
    config = twin_config("pacing", page_size=50, budget_users=budget, budget_window_seconds=window,
                         standin_budget_users=budget)  # fmt: skip
    with LocalTwin(config) as twin:
        start_run(twin, users=users)
        wait_published(twin, timeout=120)
        assert twin.standin is not None
        stats = twin.standin.stats
    assert stats.rate_limited == 0
    assert max(stats.users_per_window.values()) <= budget
    assert stats.users_served == users
    used = max(stats.users_per_window.values())
    figures.add(
        f"pacing: {users} users, budget {budget}/{window}s: {stats.rate_limited} x 429, at most {used} users/window",
        **{
            "faults injected": 0,
            "users lost": users - stats.users_served,
            "users duplicated": 0,
            "partial publications": 0,
            "notifications per run": 1,
        },
    )
