"""transform handler: raw batches from the raw queue -> grouped batches on the grouped queue."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.shared.aws import OutgoingMessage, Queue
from lambdas.shared.messages import RawBatch, encode
from lambdas.shared.observability import powertools
from lambdas.shared.settings import TransformSettings
from lambdas.shared.sqs_batch import process_sqs_batch
from lambdas.transform.logic import transform

logger, metrics, tracer = powertools("transform")


@cache
def settings() -> TransformSettings:
    return TransformSettings.from_env()


@tracer.capture_method
def process(record: SQSRecord) -> None:
    raw = RawBatch.model_validate_json(record.body)
    logger.set_correlation_id(raw.run_id)
    grouped = transform(raw)
    Queue(settings().grouped_queue_url).send(
        [OutgoingMessage(id=f"p{grouped.page}-c{grouped.chunk}of{grouped.chunks}", body=encode(grouped))]
    )
    metrics.add_metric(name="UsersRejected", unit=MetricUnit.Count, value=len(grouped.rejected))
    logger.info(
        "batch transformed",
        extra={"run_id": raw.run_id, "batch": list(raw.batch_id), "rejected": len(grouped.rejected)},
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_sqs_batch(event, context, process, logger)
