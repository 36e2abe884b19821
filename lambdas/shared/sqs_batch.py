"""Partial batch failures for every SQS consumer: one bad message never fails its neighbours."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

RUN_ID_IN_BODY = re.compile(r'"run_id"\s*:\s*"([^"]{1,64})"')
FinalFailure = Callable[[str, str], object]  # (run id, reason)


def process_sqs_batch(
    event: dict[str, Any],
    context: LambdaContext,
    record_handler: Callable[[SQSRecord], Any],
    logger: Logger,
    on_final_failure: FinalFailure | None = None,
    max_receive_count: int | None = None,
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
            receives = int(record.attributes.approximate_receive_count or 0)
            if on_final_failure and max_receive_count and receives >= max_receive_count:
                _final_failure(record, f"{type(error).__name__}: {error}", receives, on_final_failure, logger)
            raise

    # Report every failure item by item, even when all of them failed: the same contract for every batch.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response = process_partial_response(event=event, record_handler=logged, processor=processor, context=context)
    return dict(response)


def _final_failure(record: SQSRecord, reason: str, receives: int, report: FinalFailure, logger: Logger) -> None:
    """The last attempt failed: the queue moves the message to its DLQ next; tell the run's status why."""
    match = RUN_ID_IN_BODY.search(record.body or "")
    if match is None:
        return
    try:
        report(match.group(1), f"{reason} (after {receives} attempts; the message is in the dead-letter queue: "
                               "redrive it once the cause is fixed)")  # fmt: skip
    except Exception as error:  # reporting must never hide the original failure
        logger.warning("could not mark the run failed", extra={"reason": str(error)[:500]})
