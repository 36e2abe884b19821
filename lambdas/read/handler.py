"""getUsers handler (function URL): redirects to short-lived presigned URLs of the published objects."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.read.routes import Answer, BadRequestError, run_status, users
from lambdas.shared.aws import ObjectStore, dumps
from lambdas.shared.observability import powertools
from lambdas.shared.settings import ReadSettings

logger, metrics, tracer = powertools("get-users")
app = LambdaFunctionUrlResolver()


@cache
def settings() -> ReadSettings:
    return ReadSettings.from_env()


def store() -> ObjectStore:
    return ObjectStore(settings().bucket_name)


def _json(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(status, content_types.APPLICATION_JSON, dumps(body).decode(), headers={"Cache-Control": "no-store"})


def _respond(answer: Answer) -> Response[str]:
    if answer.key is not None:
        url = store().presign(answer.key, settings().presign_seconds)
        metrics.add_metric(name="Redirects", unit=MetricUnit.Count, value=1)
        return Response(302, content_types.TEXT_PLAIN, "", headers={"Location": url, "Cache-Control": "no-store"})
    assert answer.body is not None
    return _json(answer.status, answer.body)


@app.get("/")
def get_users() -> Response[str]:
    return _respond(users(store(), dict(app.current_event.query_string_parameters or {})))


@app.get("/runs/<run_id>")
def get_run(run_id: str) -> Response[str]:
    unknown = sorted(name or "(empty name)" for name in app.current_event.query_string_parameters or {})
    if unknown:
        raise BadRequestError(unknown[0], "GET /runs/<run id> takes no parameters")
    return _respond(run_status(store(), run_id))


@app.exception_handler(BadRequestError)  # type: ignore[untyped-decorator]
def bad_request(error: BadRequestError) -> Response[str]:
    return _json(400, {"error": "bad_parameter", "parameter": error.parameter, "message": str(error)})


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return _json(
        404,
        {
            "error": "not_found",
            "message": "routes: GET / (latest), GET /?country=DE, GET /?run=<run id>, GET /runs/<run id>",
        },
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
