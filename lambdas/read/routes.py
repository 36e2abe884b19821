"""Which object a getUsers request asks for. Pure: decisions only, S3 through the Store port."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lambdas.shared import layout
from lambdas.shared.nationalities import resolve_country
from lambdas.shared.ports import Store
from lambdas.shared.runs import InvalidRunIdError, validate_run_id

ALLOWED_PARAMETERS = ("country", "run")
NO_RUN_YET = "no run has been published yet: trigger a run (POST the trigger URL) and come back when it is published"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] | None = None
    key: str | None = None  # redirect to a presigned URL of this object


class BadRequestError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


def _error(status: int, error: str, message: str, **extra: Any) -> Answer:
    return Answer(status, {"error": error, "message": message, **extra})


def run_id_parameter(value: str, parameter: str = "run") -> str:
    try:
        return validate_run_id(value)
    except InvalidRunIdError as error:
        raise BadRequestError(parameter, str(error)) from None


def _country_code(value: str, known: dict[str, Any]) -> str | None:
    code = resolve_country(value)
    if code is not None:
        return code
    lowered = value.strip().lower()
    return next((c for c, entry in known.items() if lowered in (c.lower(), str(entry["name"]).lower())), None)


def _country(store: Store, value: str, run_id: str | None) -> Answer:
    if not value.strip():
        raise BadRequestError("country", "must be a country code (DE) or name (Germany)")
    if run_id is None:
        latest = store.get_json(layout.LATEST_RUN)
        if latest is None:
            return _error(404, "not_published", NO_RUN_YET)
        known, key_of = latest["countries"], layout.latest_country_key
    else:
        status = store.get_json(layout.status_key(run_id))
        if status is None or status.get("state") not in ("published", "superseded"):
            return _error(404, "run_not_published", f"run {run_id} has no published snapshot")
        known = {code: {"name": code} for code in _run_country_codes(store, run_id)}

        def key_of(code: str) -> str:
            return layout.country_key(run_id, code)

    code = _country_code(value, known)
    if code is None or code not in known:
        names = ", ".join(f"{c} ({entry['name']})" for c, entry in sorted(known.items()))
        return _error(404, "unknown_country", f"no users for country {value!r}; available: {names}")
    return Answer(302, key=key_of(code))


def _run_country_codes(store: Store, run_id: str) -> list[str]:
    prefix = layout.countries_prefix(run_id)
    return [key[len(prefix) : -len(".json")] for key in store.keys(prefix)]


def users(store: Store, params: Mapping[str, str]) -> Answer:
    """GET /: the latest snapshot, a run's snapshot, or one country's object."""
    unknown = sorted(name or "(empty name)" for name in set(params) - set(ALLOWED_PARAMETERS))
    if unknown:
        raise BadRequestError(
            unknown[0], f"unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(ALLOWED_PARAMETERS)}"
        )
    run_id = run_id_parameter(params["run"]) if "run" in params else None
    if "country" in params:
        return _country(store, params["country"], run_id)
    if run_id is not None:
        if store.head(layout.snapshot_key(run_id)) is None:
            status = store.get_json(layout.status_key(run_id))
            state = f" (state: {status['state']})" if status else ""
            return _error(404, "run_not_published", f"run {run_id} has no published snapshot{state}")
        return Answer(302, key=layout.snapshot_key(run_id))
    if store.head(layout.LATEST_RUN) is None:
        return _error(404, "not_published", NO_RUN_YET)
    return Answer(302, key=layout.LATEST_USERS)


def run_status(store: Store, run_id: str) -> Answer:
    """GET /runs/<id>: the run's status document."""
    status = store.get_json(layout.status_key(run_id_parameter(run_id, "run id")))
    if status is None:
        return _error(404, "unknown_run", f"no run {run_id}")
    return Answer(200, status)
