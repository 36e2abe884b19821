"""runs/<run_id>/status.json: what a run has done so far, derived from what exists in S3."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from lambdas.shared import layout
from lambdas.shared.aws import PreconditionFailedError
from lambdas.shared.plan import RunPlan
from lambdas.shared.ports import Store
from lambdas.shared.runs import InvalidRunIdError, validate_run_id

State = Literal["planned", "running", "published", "superseded", "failed"]
FINAL_STATES = ("published", "superseded")
MISSING_LISTED = 50  # at most this many missing pages are named
CONFLICT_RETRIES = 20


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def status_document(
    plan: RunPlan,
    state: State,
    pages_done: int,
    missing_pages: list[int],
    updated_at: datetime,
    counts: dict[str, Any] | None = None,
    timings: dict[str, Any] | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": 1,
        "run_id": plan.run_id,
        "state": state,
        "trigger": plan.trigger,
        "users_requested": plan.users,
        "nationalities": list(plan.nationalities),
        "pages": {"done": pages_done, "total": plan.pages, "missing": missing_pages[:MISSING_LISTED]},
        "counts": counts,
        "timings": {"planned_at": plan.planned_at, **(timings or {})},
        "tasks_enqueued": True,
        "updated_at": iso(updated_at),
    }
    if detail:
        document["detail"] = detail
    return document


def planned_status(plan: RunPlan, now: datetime) -> dict[str, Any]:
    return status_document(plan, "planned", 0, list(range(1, plan.pages + 1)), now)


def write_status(store: Store, run_id: str, document: dict[str, Any]) -> None:
    """Progress only moves forward: a final state is never overwritten by a progress update, and a
    failed run stays failed (with its pages kept up to date) until it is published after a redrive."""
    key = layout.status_key(run_id)
    final = document["state"] in FINAL_STATES
    for _ in range(CONFLICT_RETRIES):
        current = store.get(key)
        if current is not None:
            existing = current.json()
            if existing["state"] in FINAL_STATES and (not final or existing["state"] == document["state"]):
                return
            if not final and existing["pages"]["done"] > document["pages"]["done"]:
                return
            if existing["state"] == "failed" and not final:
                document = {**document, "state": "failed", "detail": existing.get("detail", "")}
        try:
            if current is None:
                store.put_json(key, document, create_only=True)
            else:
                store.put_json(key, document, if_match=current.etag)
            return
        except PreconditionFailedError:
            continue
    raise RuntimeError(f"status of {run_id} kept changing under {CONFLICT_RETRIES} attempts")


def mark_failed(store: Store, run_id: str, detail: str, now: datetime) -> bool:
    """A message of the run is going to a dead-letter queue: say so in the run's status.

    Only runs that exist and are not published are marked; redriving the message
    lets the run complete, and publication replaces the failed state.
    """
    try:
        key = layout.status_key(validate_run_id(run_id))
    except InvalidRunIdError:
        return False
    for _ in range(CONFLICT_RETRIES):
        current = store.get(key)
        if current is None or current.json()["state"] in FINAL_STATES:
            return False
        document = {**current.json(), "state": "failed", "detail": detail[:1000], "updated_at": iso(now)}
        try:
            store.put_json(key, document, if_match=current.etag)
            return True
        except PreconditionFailedError:
            continue
    return False


def failure_reporter(store: Store, stage: str) -> Callable[[str, str], bool]:
    """What an SQS consumer calls when a message of a run fails its last attempt."""
    return lambda run_id, reason: mark_failed(store, run_id, f"{stage}: {reason}", datetime.now(UTC))
