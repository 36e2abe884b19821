"""extract plan handler: starts a run from the trigger URL, the schedule, or a direct invoke."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.extract.planning import (
    CooldownError,
    ParameterError,
    parse_body,
    parse_run_request,
    scheduled_run_id,
    start_run,
)
from lambdas.shared.aws import ObjectStore, Queue, dumps
from lambdas.shared.observability import powertools
from lambdas.shared.plan import RunPlan, Trigger
from lambdas.shared.settings import PlanSettings

logger, metrics, tracer = powertools("extract-plan")
app = LambdaFunctionUrlResolver()


@cache
def settings() -> PlanSettings:
    return PlanSettings.from_env()


def _start(params: dict[str, Any], trigger: Trigger, allow_run_id: bool = False, run_id: str | None = None) -> RunPlan:
    config = settings()
    request = parse_run_request(params, trigger, config, allow_run_id=allow_run_id)
    if run_id is not None:
        request = replace(request, run_id=run_id)
    plan = start_run(request, config, ObjectStore(config.bucket_name), Queue(config.tasks_queue_url), datetime.now(UTC))
    logger.set_correlation_id(plan.run_id)
    logger.info("run planned", extra={"run_id": plan.run_id, "users": plan.users, "pages": plan.pages})
    metrics.add_metric(name="RunsStarted", unit=MetricUnit.Count, value=1)
    return plan


def _accepted(plan: RunPlan) -> dict[str, Any]:
    base = settings().read_api_url.rstrip("/")
    follow = {"status": f"{base}/runs/{plan.run_id}", "data": f"{base}/?run={plan.run_id}"} if base else {}
    return {
        "run_id": plan.run_id,
        "users": plan.users,
        "pages": plan.pages,
        "page_size": plan.page_size,
        "nationalities": list(plan.nationalities),
        "follow": follow,
    }


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status, content_types.APPLICATION_JSON, dumps(body).decode(), headers=headers)


@app.get("/")
@app.post("/")
def trigger_run() -> Response[str]:
    event = app.current_event
    params: dict[str, Any] = dict(event.query_string_parameters or {})
    if event.request_context.http.method == "POST":
        params.update(parse_body(event.decoded_body))
    plan = _start(params, "manual")
    return _json(202, _accepted(plan))


@app.exception_handler(ParameterError)  # type: ignore[untyped-decorator]
def bad_parameter(error: ParameterError) -> Response[str]:
    return _json(400, {"error": "bad_parameter", "parameter": error.parameter, "message": str(error)})


@app.exception_handler(CooldownError)  # type: ignore[untyped-decorator]
def too_soon(error: CooldownError) -> Response[str]:
    return _json(
        429,
        {"error": "cooldown", "message": str(error), "retry_after_seconds": error.retry_after},
        {"Retry-After": str(error.retry_after)},
    )


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return _json(404, {"error": "not_found", "message": "POST or GET / starts a run; parameters: users, nat"})


def _is_function_url(event: dict[str, Any]) -> bool:
    return isinstance(event.get("requestContext"), dict) and "http" in event["requestContext"]


def _is_schedule(event: dict[str, Any]) -> bool:
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if _is_function_url(event):
        return app.resolve(event, context)
    if _is_schedule(event):
        plan = _start({}, "schedule", run_id=scheduled_run_id(event["time"], event["id"]))
        return _accepted(plan)
    trigger: Trigger = "deployment" if event.get("trigger") == "deployment" else "direct"
    params = {k: v for k, v in event.items() if k != "trigger"}
    return _accepted(_start(params, trigger, allow_run_id=True))
