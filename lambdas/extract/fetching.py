"""Fetching one page task: randomuser page -> raw batches, or a deferral when rate-limited. No boto3."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from lambdas.extract.planning import task_messages
from lambdas.shared.aws import OutgoingMessage
from lambdas.shared.messages import ContinueTask, PageTask, RawBatch, encode, raw_batches
from lambdas.shared.plan import RunPlan, deferral_delay, schedule
from lambdas.shared.ports import Sender
from lambdas.shared.randomuser import PageRequest, RateLimitedError


class PageSource(Protocol):
    def fetch_page(self, request: PageRequest) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class FetchOutcome:
    kind: str  # "fetched", "deferred" or "continued"
    users: int = 0
    batches: int = 0


def batch_messages(batches: list[RawBatch]) -> list[OutgoingMessage]:
    return [OutgoingMessage(id=f"p{b.page}-c{b.chunk}of{b.chunks}", body=encode(b)) for b in batches]


def handle_task(
    task: PageTask | ContinueTask,
    plan: RunPlan,
    source_for: Callable[[str], PageSource],
    tasks: Sender,
    raw: Sender,
) -> FetchOutcome:
    """One task: schedule the next pages (continuation), or fetch a page and send its chunks."""
    if isinstance(task, ContinueTask):
        tasks.send(task_messages(schedule(plan, task.next_page, task.first_delay_seconds)))
        return FetchOutcome("continued")
    request = PageRequest(plan.seed, task.page, task.results, plan.nationalities)
    try:
        records = source_for(plan.source_url).fetch_page(request)
    except RateLimitedError:
        # Not a failure: the page goes back on the queue for the next budget window.
        deferred = task.model_copy(update={"deferrals": task.deferrals + 1})
        tasks.send(
            [OutgoingMessage(id=f"page-{task.page}", body=encode(deferred), delay_seconds=deferral_delay(plan.budget))]
        )
        return FetchOutcome("deferred")
    batches = list(raw_batches(plan.run_id, task.page, records))
    raw.send(batch_messages(batches))
    return FetchOutcome("fetched", users=len(records), batches=len(batches))
