"""runs/<run_id>/status.json: what a run has done so far, derived from what exists in S3."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from lambdas.shared.plan import RunPlan

State = Literal["planned", "running", "published", "superseded", "failed"]
FINAL_STATES = ("published", "superseded")
MISSING_LISTED = 50  # at most this many missing pages are named


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
