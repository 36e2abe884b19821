"""load handler: grouped batches from the grouped queue -> parts, snapshots, latest/, notification."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.load.publication import load_batch
from lambdas.shared import topology
from lambdas.shared.aws import ObjectStore, Topic
from lambdas.shared.manifest import cached_plan
from lambdas.shared.messages import GroupedBatch
from lambdas.shared.observability import powertools
from lambdas.shared.settings import LoadSettings
from lambdas.shared.sqs_batch import RUN_ID_IN_BODY, process_sqs_batch
from lambdas.shared.status import failure_reporter

logger, metrics, tracer = powertools("load")


@cache
def settings() -> LoadSettings:
    return LoadSettings.from_env()


def last_message_of_each_run(event: dict[str, Any]) -> set[str]:
    """The message ids after which each run of this batch is checked for completeness."""
    last: dict[str, str] = {}
    for record in event.get("Records", []):
        match = RUN_ID_IN_BODY.search(record.get("body", ""))
        last[match.group(1) if match else record["messageId"]] = record["messageId"]
    return set(last.values())


@tracer.capture_method
def process(record: SQSRecord, check_after: frozenset[str] = frozenset()) -> None:
    body = record.body.encode()
    batch = GroupedBatch.model_validate_json(body)
    logger.set_correlation_id(batch.run_id)
    config = settings()
    outcome = load_batch(
        batch,
        body,
        cached_plan(config.bucket_name, batch.run_id),
        ObjectStore(config.bucket_name),
        Topic(config.topic_arn),
        config.read_api_url,
        config.notification_lease_seconds,
        datetime.now(UTC),
        check=record.message_id in check_after,
    )
    metrics.add_metric(name="PartsStored", unit=MetricUnit.Count, value=1)
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
    record_handler = partial(process, check_after=frozenset(last_message_of_each_run(event)))
    on_final_failure = failure_reporter(ObjectStore(settings().bucket_name), "load")
    return process_sqs_batch(
        event, context, record_handler, logger, on_final_failure, topology.GROUPED.max_receive_count
    )
