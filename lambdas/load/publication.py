"""Load's logic: part -> completion -> snapshot -> latest/ (forward only) -> one notification.

Every step is safe to repeat: redelivered messages and concurrent loads that
find the same run complete converge on the same objects, and the
notification is elected by a create-only marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import orjson

from lambdas.load.compaction import Snapshot, compact
from lambdas.load.completion import Completeness, completeness
from lambdas.shared import layout
from lambdas.shared.aws import PreconditionFailedError
from lambdas.shared.messages import GroupedBatch
from lambdas.shared.plan import RunPlan
from lambdas.shared.ports import Publisher, Store
from lambdas.shared.status import State, iso, status_document, write_status

RUN_ID_METADATA = "run-id"
CONFLICT_RETRIES = 20
LatestOutcome = Literal["advanced", "already", "superseded"]


class PublicationPendingError(RuntimeError):
    """Another load claimed the notification and its lease has not run out: retry this message later."""


@dataclass(frozen=True)
class LoadOutcome:
    run_id: str
    state: State
    pages_done: int
    pages_total: int
    notified: bool = False
    snapshot: Snapshot | None = None


def completed_at(store: Store, run_id: str, now: datetime) -> str:
    """The moment the run was first found complete, fixed once by a create-only marker."""
    key = layout.completion_marker_key(run_id)
    try:
        store.put_json(key, {"completed_at": iso(now)}, create_only=True)
        return iso(now)
    except PreconditionFailedError:
        stored = store.get(key)
        assert stored is not None
        return str(stored.json()["completed_at"])


def _parts(store: Store, keys: list[str]) -> Any:
    for key in keys:
        stored = store.get(key)
        if stored is None:
            raise RuntimeError(f"part {key} disappeared during compaction")
        yield orjson.loads(stored.body)


def _put_forward(store: Store, key: str, body: bytes, run_id: str) -> bool:
    """Write a latest/ object unless a newer run's copy is already there (ETag-conditional)."""
    for _ in range(CONFLICT_RETRIES):
        head = store.head(key)
        if head is not None and head.metadata.get(RUN_ID_METADATA, "") > run_id:
            return False
        try:
            store.put(
                key,
                body,
                create_only=head is None,
                if_match=head.etag if head else None,
                metadata={RUN_ID_METADATA: run_id},
                cache_control="no-cache",
            )
            return True
        except PreconditionFailedError:
            continue
    raise RuntimeError(f"{key} kept changing under {CONFLICT_RETRIES} attempts")


def latest_document(snapshot: Snapshot, published_at: str) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "run_id": snapshot.run_id,
        "generated_at": snapshot.generated_at,
        "published_at": published_at,
        "total_users": snapshot.counts.published,
        "countries": {code: {"name": name, "count": count} for code, (name, count, _) in snapshot.countries.items()},
        "counts": snapshot.counts.as_dict(),
    }


def advance_latest(store: Store, snapshot: Snapshot, now: datetime) -> LatestOutcome:
    """Copy the snapshot to latest/ unless a newer run is there; latest/run.json moves last, on its ETag."""
    run_id = snapshot.run_id
    for _ in range(CONFLICT_RETRIES):
        current = store.get(layout.LATEST_RUN)
        previous = current.json() if current else {}
        if previous.get("run_id", "") > run_id:
            return "superseded"
        if previous.get("run_id") == run_id:
            return "already"
        for code, (_, _, body) in snapshot.countries.items():
            _put_forward(store, layout.latest_country_key(code), body, run_id)
        _put_forward(store, layout.LATEST_USERS, snapshot.users_json, run_id)
        for code in set(previous.get("countries", {})) - set(snapshot.countries):
            head = store.head(layout.latest_country_key(code))
            if head is not None and head.metadata.get(RUN_ID_METADATA, "") < run_id:
                store.delete(layout.latest_country_key(code))
        try:
            document = latest_document(snapshot, iso(now))
            if current is None:
                store.put_json(layout.LATEST_RUN, document, create_only=True, cache_control="no-cache")
            else:
                store.put_json(layout.LATEST_RUN, document, if_match=current.etag, cache_control="no-cache")
            return "advanced"
        except PreconditionFailedError:
            continue
    raise RuntimeError(f"latest/run.json kept changing under {CONFLICT_RETRIES} attempts")


def notification(snapshot: Snapshot, read_api_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(message body, message attributes) announcing a published run."""
    base = read_api_url.rstrip("/")
    links = (
        {
            "users": f"{base}/?run={snapshot.run_id}",
            "latest": f"{base}/",
            "status": f"{base}/runs/{snapshot.run_id}",
            "countries": {code: f"{base}/?country={code}" for code in snapshot.countries},
        }
        if base
        else {}
    )
    body = {
        "run_id": snapshot.run_id,
        "generated_at": snapshot.generated_at,
        "total_users": snapshot.counts.published,
        "users_per_country": snapshot.users_per_country,
        "rejected": snapshot.counts.rejected,
        "duplicates": snapshot.counts.duplicates,
        "links": links,
    }
    attributes = {
        "run_id": snapshot.run_id,
        "countries": sorted(snapshot.countries),
        "total_users": snapshot.counts.published,
    }
    return body, attributes


def notify_once(
    store: Store, topic: Publisher, snapshot: Snapshot, read_api_url: str, lease_seconds: int, now: datetime
) -> bool:
    """Publish the run's notification unless another load did or is doing it.

    The create-only marker elects one publisher. A claim whose lease ran out
    (its publisher crashed) is taken over on its ETag, so no notification is
    lost; only a crash between publishing and marking it can repeat one.
    """
    key = layout.notification_marker_key(snapshot.run_id)
    claim = {"state": "claimed", "claimed_at": iso(now), "lease_until": iso(now + timedelta(seconds=lease_seconds))}
    try:
        etag = store.put_json(key, claim, create_only=True)
    except PreconditionFailedError:
        existing = store.get(key)
        assert existing is not None
        marker = existing.json()
        if marker["state"] == "published":
            return False
        if iso(now) < marker["lease_until"]:
            raise PublicationPendingError(
                f"notification of {snapshot.run_id} claimed until {marker['lease_until']}; will check again"
            ) from None
        try:
            etag = store.put_json(key, claim, if_match=existing.etag)
        except PreconditionFailedError:
            raise PublicationPendingError(f"notification of {snapshot.run_id} was just claimed") from None
    body, attributes = notification(snapshot, read_api_url)
    message_id = topic.publish(f"randomuser-connector: run {snapshot.run_id} published", body, attributes)
    store.put_json(key, {"state": "published", "message_id": message_id, "published_at": iso(now)}, if_match=etag)
    return True


def write_snapshot(store: Store, snapshot: Snapshot) -> None:
    for code, (_, _, body) in snapshot.countries.items():
        store.put(layout.country_key(snapshot.run_id, code), body)
    store.put(layout.snapshot_key(snapshot.run_id), snapshot.users_json)


def _duration(plan: RunPlan, finished: str) -> float:
    started = datetime.fromisoformat(plan.planned_at.replace("Z", "+00:00"))
    return (datetime.fromisoformat(finished.replace("Z", "+00:00")) - started).total_seconds()


def finish_run(
    store: Store, topic: Publisher, plan: RunPlan, done: Completeness, read_api_url: str, lease: int, now: datetime
) -> LoadOutcome:
    """A complete run: compact, publish (forward only), record, notify once."""
    generated_at = completed_at(store, plan.run_id, now)
    snapshot = compact(plan.run_id, generated_at, _parts(store, done.part_keys))
    write_snapshot(store, snapshot)
    outcome = advance_latest(store, snapshot, now)
    state: State = "superseded" if outcome == "superseded" else "published"
    timings = {
        "completed_at": generated_at,
        "published_at": iso(now),
        "duration_seconds": _duration(plan, generated_at),
    }
    detail = "a newer run was already published; this run stays under runs/" if state == "superseded" else None
    write_status(
        store,
        plan.run_id,
        status_document(plan, state, done.pages_done, [], now, snapshot.counts.as_dict(), timings, detail),
    )
    notified = state == "published" and notify_once(store, topic, snapshot, read_api_url, lease, now)
    return LoadOutcome(plan.run_id, state, done.pages_done, plan.pages, notified, snapshot)


def _already_finished(store: Store, run_id: str) -> State | None:
    marker = store.get(layout.notification_marker_key(run_id))
    if marker is not None and marker.json()["state"] == "published":
        return "published"
    status = store.get(layout.status_key(run_id))
    if status is not None and status.json()["state"] == "superseded":
        return "superseded"
    return None


def load_batch(
    batch: GroupedBatch,
    body: bytes,
    plan: RunPlan,
    store: Store,
    topic: Publisher,
    read_api_url: str,
    lease: int,
    now: datetime,
    check: bool = True,
) -> LoadOutcome:
    """Store one grouped batch as its part; with `check`, finish the run if that made it complete.

    A load invocation checks completeness once per run, with the last of that run's messages in
    its batch: the parts before it are already written, and a failure fails that message alone.
    """
    if plan.run_id != batch.run_id:
        raise ValueError(f"batch of run {batch.run_id} given the plan of {plan.run_id}")
    if batch.page > plan.pages:
        raise ValueError(f"batch page {batch.page} is outside run {plan.run_id}'s {plan.pages} pages")
    store.put(layout.part_key(batch.run_id, batch.page, batch.chunk, batch.chunks), body)
    if not check:
        return LoadOutcome(plan.run_id, "running", 0, plan.pages)
    finished = _already_finished(store, plan.run_id)
    if finished is not None:
        return LoadOutcome(plan.run_id, finished, plan.pages, plan.pages)
    done = completeness(plan, store.keys(layout.parts_prefix(plan.run_id)))
    if not done.complete:
        write_status(store, plan.run_id, status_document(plan, "running", done.pages_done, done.missing_pages, now))
        return LoadOutcome(plan.run_id, "running", done.pages_done, plan.pages)
    return finish_run(store, topic, plan, done, read_api_url, lease, now)
