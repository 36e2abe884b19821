"""The local twin itself: resources from the shared topology, pollers, URL servers, schedule timer."""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
from moto.server import ThreadedMotoServer

from connector.standin import StandIn
from connector.twin.lambda_runtime import LambdaContext, scheduled_event, sqs_event
from connector.twin.servers import LoopbackServer, WebhookSink, function_url_server
from lambdas.shared import topology
from lambdas.shared.topology import FunctionSpec, QueueSpec

REGION = "eu-central-1"
Handler = Callable[[dict[str, Any], Any], Any]
log = logging.getLogger("connector.twin")


@dataclass
class TwinConfig:
    """Knobs of the twin. Defaults suit a developer's machine; tests scale them down."""

    instance: str = "local"
    source_url: str | None = None  # None: start the offline stand-in
    users_per_run: int = 1000
    page_size: int = 1000
    budget_users: int = 20_000
    budget_window_seconds: int = 300
    standin_budget_users: int | None = None  # defaults to budget_users
    manual_cooldown_seconds: int = 0
    visibility_timeout_seconds: int = 5  # scaled down from 6x the Lambda timeout, so retries come quickly
    notification_lease_seconds: int = 5
    schedule_every_seconds: float | None = None  # None: daily, like the deployed schedule
    webhooks: list[str] = field(default_factory=list)
    http_retries: int = 3
    http_backoff_factor: float = 0.05
    http_read_timeout: float = 5.0
    log_level: str = "WARNING"
    standin_hang_seconds: float = 30.0
    standin_slow_seconds: float = 1.0


def reset_handler_caches() -> None:
    """Handlers cache settings and clients per container; a new twin is a new 'container'."""
    from lambdas.extract import fetch, plan
    from lambdas.load import handler as load
    from lambdas.read import handler as read
    from lambdas.shared import aws, manifest
    from lambdas.transform import handler as transform

    for cached in (
        plan.settings,
        fetch.settings,
        fetch.client_for,
        transform.settings,
        load.settings,
        manifest.cached_plan,
        read.settings,
        aws.s3_client,
        aws.sqs_client,
        aws.sns_client,
    ):
        cached.cache_clear()


class SimulatedCrash(BaseException):
    """Raised by fault-injection wrappers: the 'Lambda' dies, its whole batch comes back later."""


class Poller:
    """An SQS event source mapping: long polling, batch size and window, partial batch responses."""

    def __init__(self, twin: LocalTwin, spec: FunctionSpec, queue: QueueSpec) -> None:
        self.twin, self.spec, self.queue = twin, spec, queue
        self.thread = threading.Thread(target=self._run, name=f"poller-{spec.name}", daemon=True)
        self.invocations = 0
        self.failures = 0

    def _receive(self) -> list[dict[str, Any]]:
        sqs, url = self.twin.sqs, self.twin.queue_urls[self.queue.name]
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.spec.batching_window_seconds
        while len(messages) < self.spec.batch_size and not self.twin.stopping.is_set():
            wait = 1 if not messages else max(0, min(1, int(deadline - time.monotonic())))
            response = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(10, self.spec.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            messages += response.get("Messages", [])
            if not messages or time.monotonic() >= deadline:
                break
        return messages

    def _run(self) -> None:
        while not self.twin.stopping.is_set():
            try:
                messages = self._receive()
            except Exception:  # the moto server is going away
                if self.twin.stopping.is_set():
                    return
                raise
            if messages:
                self._invoke(messages)

    def _invoke(self, messages: list[dict[str, Any]]) -> None:
        event = sqs_event(messages, self.twin.queue_arns[self.queue.name], REGION)
        self.invocations += 1
        try:
            response = self.twin.invoke(self.spec, event) or {}
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        except (Exception, SimulatedCrash) as error:  # the invocation died: every message comes back later
            log.warning("%s failed a whole batch: %r", self.spec.name, error)
            failed = {m["MessageId"] for m in messages}
        self.failures += len(failed)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.twin.sqs.delete_message_batch(
                QueueUrl=self.twin.queue_urls[self.queue.name],
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )


class LocalTwin:
    """Everything the deployed connector has, on loopback, running the real handlers.

    moto keeps its state per process: twins running side by side in one process
    need distinct `instance` names; the first twin of a process starts from a clean slate.
    """

    _running = 0
    _running_lock = threading.Lock()

    def __init__(self, config: TwinConfig | None = None) -> None:
        self.config = config or TwinConfig()
        self.stopping = threading.Event()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.standin: StandIn | None = None
        self.sink = WebhookSink()
        self.queue_urls: dict[str, str] = {}
        self.queue_arns: dict[str, str] = {}
        self.dlq_urls: dict[str, str] = {}
        self.pollers: list[Poller] = []
        self.servers: dict[str, LoopbackServer] = {}
        self.bucket = f"randomuser-connector-{self.config.instance}-data"
        self.topic_arn = ""
        self._handlers: dict[str, Handler] = {}
        self._timer: threading.Thread | None = None
        self._lock = threading.Lock()
        self.scheduled_runs = 0
        self._captured: list[dict[str, Any]] = []

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> LocalTwin:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
        self._saved_environment = dict(os.environ)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        with LocalTwin._running_lock:
            if LocalTwin._running == 0:
                requests.post(f"{self.endpoint}/moto-api/reset", timeout=10)
            LocalTwin._running += 1
        if self.config.source_url is None:
            self.standin = StandIn(
                budget_users=self.config.standin_budget_users or self.config.budget_users,
                window_seconds=self.config.budget_window_seconds,
                hang_seconds=self.config.standin_hang_seconds,
                slow_seconds=self.config.standin_slow_seconds,
            ).start()
        self.sink.server.start()
        self._environment_for_aws()
        self.s3 = boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION)
        self.sqs = boto3.client("sqs", endpoint_url=self.endpoint, region_name=REGION)
        self.sns = boto3.client("sns", endpoint_url=self.endpoint, region_name=REGION)
        self._create_resources()
        self.servers["trigger"] = function_url_server(lambda e: self.invoke(topology.PLAN, e), "trigger").start()
        self.servers["getUsers"] = function_url_server(lambda e: self.invoke(topology.GET_USERS, e), "getusers").start()
        self._environment_for_handlers()
        for spec in topology.CONSUMERS:
            assert spec.consumes is not None
            poller = Poller(self, spec, topology.queue(spec.consumes))
            poller.thread.start()
            self.pollers.append(poller)
        self._timer = threading.Thread(target=self._schedule_loop, name="schedule", daemon=True)
        self._timer.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for poller in self.pollers:
            poller.thread.join(timeout=5)
        for server in self.servers.values():
            server.stop()
        self.sink.server.stop()
        if self.standin:
            self.standin.stop()
        self.moto.stop()
        with LocalTwin._running_lock:
            LocalTwin._running -= 1
        os.environ.clear()
        os.environ.update(self._saved_environment)
        reset_handler_caches()

    def __enter__(self) -> LocalTwin:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- set-up ----------------------------------------------------------------------------------
    @property
    def source_url(self) -> str:
        return self.config.source_url or (self.standin.url if self.standin else "")

    @property
    def trigger_url(self) -> str:
        return self.servers["trigger"].url

    @property
    def get_users_url(self) -> str:
        return self.servers["getUsers"].url

    def _environment_for_aws(self) -> None:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
            }
        )
        os.environ.pop("AWS_PROFILE", None)

    def _environment_for_handlers(self) -> None:
        """What the stack sets on the functions, pointed at the twin; nothing handler-specific is local."""
        c = self.config
        os.environ.update(
            {
                "BUCKET_NAME": self.bucket,
                "TOPIC_ARN": self.topic_arn,
                "READ_API_URL": self.get_users_url,
                "SOURCE_URL": self.source_url,
                "USERS_PER_RUN": str(c.users_per_run),
                "PAGE_SIZE": str(c.page_size),
                "RATE_BUDGET_USERS": str(c.budget_users),
                "RATE_BUDGET_WINDOW_SECONDS": str(c.budget_window_seconds),
                "MANUAL_COOLDOWN_SECONDS": str(c.manual_cooldown_seconds),
                "NOTIFICATION_LEASE_SECONDS": str(c.notification_lease_seconds),
                "HTTP_RETRIES": str(c.http_retries),
                "HTTP_BACKOFF_FACTOR": str(c.http_backoff_factor),
                "HTTP_READ_TIMEOUT_SECONDS": str(c.http_read_timeout),
                "POWERTOOLS_LOG_LEVEL": c.log_level,
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_NAMESPACE": "RandomUserConnector",
                **{spec.env: url for spec in topology.QUEUES for url in [self.queue_urls[spec.name]]},
            }
        )
        reset_handler_caches()

    def _create_resources(self) -> None:
        self.s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        for spec in topology.QUEUES:
            dlq_url = self.sqs.create_queue(QueueName=f"{self.config.instance}-{spec.name}-dlq")["QueueUrl"]
            dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            url = self.sqs.create_queue(
                QueueName=f"{self.config.instance}-{spec.name}",
                Attributes={
                    "VisibilityTimeout": str(self.config.visibility_timeout_seconds),
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}
                    ),
                },
            )["QueueUrl"]
            self.queue_urls[spec.name] = url
            self.dlq_urls[spec.name] = dlq_url
            self.queue_arns[spec.name] = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
        self.topic_arn = self.sns.create_topic(Name=f"{self.config.instance}-runs")["TopicArn"]
        # A queue subscription keeps the full envelopes (message attributes included) for inspection.
        self.capture_url = self.sqs.create_queue(QueueName=f"{self.config.instance}-notifications-capture")["QueueUrl"]
        capture_arn = self.sqs.get_queue_attributes(QueueUrl=self.capture_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=capture_arn)
        for endpoint in [self.sink.url, *self.config.webhooks]:
            protocol = "https" if endpoint.startswith("https") else "http"
            self.sns.subscribe(
                TopicArn=self.topic_arn,
                Protocol=protocol,
                Endpoint=endpoint,
                Attributes={"RawMessageDelivery": "true"},
            )

    # -- running ---------------------------------------------------------------------------------
    def handler(self, spec: FunctionSpec) -> Handler:
        with self._lock:
            if spec.name not in self._handlers:
                module_name, function = spec.handler.rsplit(".", 1)
                self._handlers[spec.name] = getattr(importlib.import_module(module_name), function)
            return self._handlers[spec.name]

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        context = LambdaContext(spec.name, spec.memory_mb, spec.timeout_seconds)
        return self.handler(spec)(event, context)

    def _schedule_loop(self) -> None:
        every = self.config.schedule_every_seconds or 86_400.0
        while not self.stopping.wait(every):
            try:
                self.invoke(topology.PLAN, scheduled_event(f"arn:aws:events:{REGION}:123456789012:rule/daily"))
                self.scheduled_runs += 1
            except Exception as error:
                log.warning("scheduled run failed to start: %s", error)

    # -- observing -------------------------------------------------------------------------------
    def read_json(self, key: str) -> Any | None:
        try:
            return json.loads(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except self.s3.exceptions.NoSuchKey:
            return None

    def keys(self, prefix: str) -> list[str]:
        paginator = self.s3.get_paginator("list_objects_v2")
        return [
            o["Key"] for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix) for o in page.get("Contents", [])
        ]

    def captured_notifications(self) -> list[dict[str, Any]]:
        """Every SNS envelope published so far (Message, MessageAttributes), oldest first."""
        envelopes = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.capture_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            if not got.get("Messages"):
                break
            for message in got["Messages"]:
                envelopes.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.capture_url, ReceiptHandle=message["ReceiptHandle"])
        self._captured.extend(envelopes)
        return list(self._captured)

    def redrive(self, queue: str) -> int:
        """Move every message of a queue's DLQ back to the queue (what StartMessageMoveTask does)."""
        moved = 0
        while True:
            got = self.sqs.receive_message(QueueUrl=self.dlq_urls[queue], MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = got.get("Messages", [])
            if not messages:
                return moved
            for message in messages:
                self.sqs.send_message(QueueUrl=self.queue_urls[queue], MessageBody=message["Body"])
                self.sqs.delete_message(QueueUrl=self.dlq_urls[queue], ReceiptHandle=message["ReceiptHandle"])
                moved += 1

    def dead_letters(self) -> dict[str, int]:
        """Messages waiting in each dead-letter queue."""
        out = {}
        for name, url in self.dlq_urls.items():
            attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
            out[name] = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
        return out

    def wait_for_run(
        self, run_id: str, timeout: float = 120.0, on_progress: Callable[[dict[str, Any]], None] | None = None
    ) -> dict[str, Any]:
        """Poll the run's status until it is published or superseded; raise when it fails or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.read_json(f"runs/{run_id}/status.json") or {}
            if on_progress and status:
                on_progress(status)
            if status.get("state") in ("published", "superseded"):
                return status
            dead = {name: count for name, count in self.dead_letters().items() if count}
            if dead:
                raise RuntimeError(f"run {run_id} failed: messages in dead-letter queues {dead}; status: {status}")
            time.sleep(0.2)
        raise TimeoutError(f"run {run_id} not published within {timeout:.0f}s; last status: {status}")
