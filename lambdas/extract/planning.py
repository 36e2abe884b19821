"""Starting a run: parameters, cooldown, manifest, page tasks. No boto3 here: adapters are passed in."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lambdas.shared import layout
from lambdas.shared.aws import OutgoingMessage, PreconditionFailedError
from lambdas.shared.manifest import load_plan
from lambdas.shared.messages import encode
from lambdas.shared.nationalities import UnknownNationalityError, parse_nationalities
from lambdas.shared.plan import MAX_USERS, PlanError, RunPlan, ScheduledTask, Trigger, make_plan, schedule
from lambdas.shared.ports import Sender, Store
from lambdas.shared.runs import InvalidRunIdError, new_run_id, validate_run_id
from lambdas.shared.settings import PlanSettings
from lambdas.shared.status import planned_status

ALLOWED_PARAMETERS = ("users", "nat")


class ParameterError(ValueError):
    """A bad run parameter; the message names it and says what is allowed."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


class CooldownError(Exception):
    """A manual run came too soon after the previous one."""

    def __init__(self, retry_after: int, previous_run: str) -> None:
        super().__init__(f"a manual run ({previous_run}) started less than the cooldown ago; retry in {retry_after}s")
        self.retry_after = retry_after
        self.previous_run = previous_run


@dataclass(frozen=True)
class RunRequest:
    users: int
    nationalities: tuple[str, ...]
    trigger: Trigger
    run_id: str | None = None


def _users(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise ParameterError("users", f"must be a whole number between 1 and {MAX_USERS:,}, got {value!r}")
    users = int(value)
    if not 1 <= users <= MAX_USERS:
        raise ParameterError("users", f"must be between 1 and {MAX_USERS:,}, got {users}")
    return users


def _nationalities(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None or value == "":
        return default
    if not isinstance(value, str | list) or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
        raise ParameterError("nat", f"must be comma-separated nationality codes such as 'de,fr', got {value!r}")
    try:
        return parse_nationalities(value)
    except UnknownNationalityError as error:
        raise ParameterError("nat", str(error)) from None


def parse_run_request(
    params: Mapping[str, Any], trigger: Trigger, settings: PlanSettings, allow_run_id: bool = False
) -> RunRequest:
    """Validate `users` and `nat` (and, for direct invokes, `run_id`); reject anything else by name."""
    allowed = (*ALLOWED_PARAMETERS, "run_id") if allow_run_id else ALLOWED_PARAMETERS
    unknown = sorted(name or "(empty name)" for name in set(params) - set(allowed))
    if unknown:
        raise ParameterError(unknown[0], f"unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    run_id = params.get("run_id")
    if run_id is not None:
        try:
            validate_run_id(run_id)
        except InvalidRunIdError as error:
            raise ParameterError("run_id", str(error)) from None
    return RunRequest(
        users=_users(params.get("users"), settings.default_users),
        nationalities=_nationalities(params.get("nat"), settings.nationalities),
        trigger=trigger,
        run_id=run_id,
    )


def parse_body(body: str | None) -> dict[str, Any]:
    """A POST body: empty, or a JSON object of parameters."""
    if body is None or not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        raise ParameterError("body", 'must be a JSON object such as {"users": 500, "nat": "de,fr"}') from None
    if not isinstance(parsed, dict):
        raise ParameterError("body", 'must be a JSON object such as {"users": 500, "nat": "de,fr"}')
    return parsed


def scheduled_run_id(event_time: str, event_id: str) -> str:
    """The same scheduled event, delivered twice, names the same run."""
    moment = datetime.strptime(event_time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return new_run_id(moment, hashlib.sha256(event_id.encode()).hexdigest()[:4])


def check_cooldown(store: Store, cooldown_seconds: int, run_id: str, now: datetime) -> None:
    """Claim the manual-trigger slot in S3 or raise CooldownError. Two racing triggers: one wins."""
    if cooldown_seconds <= 0:
        return
    current = store.get(layout.MANUAL_TRIGGER)
    if current is not None:
        previous = current.json()
        elapsed = (now - datetime.fromisoformat(previous["at"])).total_seconds()
        if elapsed < cooldown_seconds:
            raise CooldownError(max(1, math.ceil(cooldown_seconds - elapsed)), previous["run_id"])
    claim = {"run_id": run_id, "at": now.isoformat()}
    try:
        if current is None:
            store.put_json(layout.MANUAL_TRIGGER, claim, create_only=True)
        else:
            store.put_json(layout.MANUAL_TRIGGER, claim, if_match=current.etag)
    except PreconditionFailedError:
        raise CooldownError(cooldown_seconds, "another manual run") from None


def task_messages(tasks: list[ScheduledTask]) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            id=f"{t.task.kind}-{getattr(t.task, 'page', getattr(t.task, 'next_page', 0))}",
            body=encode(t.task),
            delay_seconds=t.delay_seconds,
        )
        for t in tasks
    ]


def start_run(request: RunRequest, settings: PlanSettings, store: Store, tasks: Sender, now: datetime) -> RunPlan:
    """Plan a run, write its manifest create-only and enqueue its first page tasks.

    Planning the same run id again changes nothing once its tasks were sent;
    if a crash came between the manifest and the tasks, the tasks are sent now.
    """
    run_id = request.run_id or new_run_id(now)
    if request.trigger == "manual":
        check_cooldown(store, settings.manual_cooldown_seconds, run_id, now)
    try:
        plan = make_plan(
            run_id=run_id,
            trigger=request.trigger,
            planned_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            users=request.users,
            page_size=settings.page_size,
            nationalities=request.nationalities,
            source_url=str(settings.source_url),
            budget=settings.budget,
        )
    except PlanError as error:
        raise ParameterError(error.parameter, str(error).split(": ", 1)[1]) from None
    try:
        store.put_json(layout.manifest_key(run_id), plan.model_dump(mode="json"), create_only=True)
    except PreconditionFailedError:
        plan = load_plan(store, run_id)
        status = store.get(layout.status_key(run_id))
        if status is not None and status.json().get("tasks_enqueued"):
            return plan
    tasks.send(task_messages(schedule(plan)))
    store.put_json(layout.status_key(run_id), planned_status(plan, now))
    return plan
