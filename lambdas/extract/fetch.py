"""extract fetch handler: page tasks from the tasks queue -> raw batches on the raw queue."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.extract.fetching import handle_task
from lambdas.shared import topology
from lambdas.shared.aws import ObjectStore, Queue
from lambdas.shared.manifest import cached_plan
from lambdas.shared.messages import TASK_ADAPTER
from lambdas.shared.observability import powertools
from lambdas.shared.randomuser import RandomUserClient
from lambdas.shared.settings import FetchSettings
from lambdas.shared.sqs_batch import process_sqs_batch
from lambdas.shared.status import failure_reporter

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


@tracer.capture_method
def process(record: SQSRecord) -> None:
    task = TASK_ADAPTER.validate_json(record.body)
    logger.set_correlation_id(task.run_id)
    config = settings()
    outcome = handle_task(
        task,
        cached_plan(config.bucket_name, task.run_id),
        client_for,
        Queue(config.tasks_queue_url),
        Queue(config.raw_queue_url),
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
    on_final_failure = failure_reporter(ObjectStore(settings().bucket_name), "extract-fetch")
    return process_sqs_batch(event, context, process, logger, on_final_failure, topology.TASKS.max_receive_count)
