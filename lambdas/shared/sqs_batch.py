"""Partial batch failures for every SQS consumer: one bad message never fails its neighbours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext


def process_sqs_batch(
    event: dict[str, Any], context: LambdaContext, record_handler: Callable[[SQSRecord], Any], logger: Logger
) -> dict[str, Any]:
    """Run `record_handler` on each message; failed ones are logged with their reason and reported.

    SQS then makes only the failed messages visible again; after the queue's
    max receive count, its redrive policy moves them to the dead-letter queue.
    """

    def logged(record: SQSRecord) -> Any:
        try:
            return record_handler(record)
        except Exception as error:
            logger.warning(
                "message failed",
                extra={
                    "message_id": record.message_id,
                    "receive_count": record.attributes.approximate_receive_count,
                    "reason": f"{type(error).__name__}: {error}"[:2000],
                },
            )
            raise

    # Report every failure item by item, even when all of them failed: the same contract for every batch.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response = process_partial_response(event=event, record_handler=logged, processor=processor, context=context)
    return dict(response)
