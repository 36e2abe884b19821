"""One definition of the connector's queues and functions, used by the CDK stack and the local twin.

Change a timeout, batch size or receive count here and both follow: there is
no second copy to drift.
"""

from __future__ import annotations

from dataclasses import dataclass

VISIBILITY_FACTOR = 6  # SQS visibility timeout >= 6x the consumer's timeout (AWS guidance)


@dataclass(frozen=True)
class QueueSpec:
    name: str  # tasks, raw, grouped
    env: str  # the variable that carries its URL
    max_receive_count: int


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str  # module.function, relative to the asset root
    packages: tuple[str, ...]  # the lambdas/ sub-packages bundled with it, besides shared
    timeout_seconds: int
    memory_mb: int
    consumes: str | None = None  # a QueueSpec name
    batch_size: int = 1
    batching_window_seconds: int = 0
    max_concurrency: int | None = None  # of its SQS event source: at most this many invocations at once

    @property
    def visibility_timeout_seconds(self) -> int:
        return VISIBILITY_FACTOR * self.timeout_seconds


TASKS = QueueSpec("tasks", "TASKS_QUEUE_URL", max_receive_count=5)
RAW = QueueSpec("raw", "RAW_QUEUE_URL", max_receive_count=5)
GROUPED = QueueSpec("grouped", "GROUPED_QUEUE_URL", max_receive_count=8)
QUEUES = (TASKS, RAW, GROUPED)

PLAN = FunctionSpec("extract-plan", "lambdas.extract.plan.handler", ("extract",), 60, 256)
# One page per invocation, few at a time: randomuser's budget is per client IP.
FETCH = FunctionSpec(
    "extract-fetch", "lambdas.extract.fetch.handler", ("extract",), 180, 512, "tasks", 1, 0, max_concurrency=4
)
TRANSFORM = FunctionSpec("transform", "lambdas.transform.handler.handler", ("transform",), 60, 512, "raw", 10, 1)
# Compaction of a 1,000,000-user run needs the memory; batches of parts amortize the completeness check.
LOAD = FunctionSpec("load", "lambdas.load.handler.handler", ("load",), 900, 3008, "grouped", 10, 2)
GET_USERS = FunctionSpec("get-users", "lambdas.read.handler.handler", ("read",), 10, 256)
FUNCTIONS = (PLAN, FETCH, TRANSFORM, LOAD, GET_USERS)
CONSUMERS = tuple(f for f in FUNCTIONS if f.consumes)


def queue(name: str) -> QueueSpec:
    return next(q for q in QUEUES if q.name == name)
