"""load handler: grouped batches from the grouped queue -> parts, snapshots, latest/, notification."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.load.publication import load_batch
from lambdas.shared.aws import ObjectStore, Topic
from lambdas.shared.messages import GroupedBatch
from lambdas.shared.observability import powertools
from lambdas.shared.settings import LoadSettings
from lambdas.shared.sqs_batch import process_sqs_batch

logger, metrics, tracer = powertools("load")


@cache
def settings() -> LoadSettings:
    return LoadSettings.from_env()


@tracer.capture_method
def process(record: SQSRecord) -> None:
    body = record.body.encode()
    batch = GroupedBatch.model_validate_json(body)
    logger.set_correlation_id(batch.run_id)
    config = settings()
    outcome = load_batch(
        batch,
        body,
        ObjectStore(config.bucket_name),
        Topic(config.topic_arn),
        config.read_api_url,
        config.notification_lease_seconds,
        datetime.now(UTC),
    )
    logger.info(
        "batch loaded",
        extra={
            "run_id": outcome.run_id,
            "state": outcome.state,
            "pages": f"{outcome.pages_done}/{outcome.pages_total}",
        },
    )
    if outcome.snapshot is not None and outcome.state == "published" and outcome.notified:
        counts = outcome.snapshot.counts
        metrics.add_metric(name="RunsPublished", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="UsersPublished", unit=MetricUnit.Count, value=counts.published)
        metrics.add_metric(name="UsersDuplicated", unit=MetricUnit.Count, value=counts.duplicates)
        metrics.add_metric(name="UsersRejectedInRun", unit=MetricUnit.Count, value=counts.rejected)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_sqs_batch(event, context, process, logger)
