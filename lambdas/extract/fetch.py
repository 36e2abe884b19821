"""extract fetch handler: page tasks from the tasks queue -> raw batches on the raw queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.extract.fetching import handle_task, load_plan
from lambdas.shared import topology
from lambdas.shared.aws import ObjectStore, Queue
from lambdas.shared.messages import TASK_ADAPTER
from lambdas.shared.observability import powertools
from lambdas.shared.plan import RunPlan
from lambdas.shared.randomuser import RandomUserClient
from lambdas.shared.settings import FetchSettings
from lambdas.shared.sqs_batch import process_sqs_batch
from lambdas.shared.status import mark_failed

logger, metrics, tracer = powertools("extract-fetch")


@cache
def settings() -> FetchSettings:
    return FetchSettings.from_env()


@cache
def client_for(base_url: str) -> RandomUserClient:
    config = settings()
    return RandomUserClient(
        base_url,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        retries=config.retries,
        backoff_factor=config.backoff_factor,
        backoff_max=config.backoff_max,
    )


@cache
def plan_of(run_id: str) -> RunPlan:
    """Manifests are create-only, so a container may keep them."""
    return load_plan(ObjectStore(settings().bucket_name), run_id)


@tracer.capture_method
def process(record: SQSRecord) -> None:
    task = TASK_ADAPTER.validate_json(record.body)
    logger.set_correlation_id(task.run_id)
    config = settings()
    outcome = handle_task(
        task, plan_of(task.run_id), client_for, Queue(config.tasks_queue_url), Queue(config.raw_queue_url)
    )
    logger.info("task done", extra={"run_id": task.run_id, "task": task.model_dump(), "outcome": outcome.kind})
    if outcome.kind == "fetched":
        metrics.add_metric(name="PagesFetched", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="UsersExtracted", unit=MetricUnit.Count, value=outcome.users)
    elif outcome.kind == "deferred":
        metrics.add_metric(name="PagesRateLimited", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_sqs_batch(
        event, context, process, logger, mark_run_failed("extract-fetch"), topology.TASKS.max_receive_count
    )


def mark_run_failed(stage: str) -> Callable[[str, str], bool]:
    return lambda run_id, reason: mark_failed(
        ObjectStore(settings().bucket_name), run_id, f"{stage}: {reason}", datetime.now(UTC)
    )
