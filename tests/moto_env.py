"""AWS played by a moto server on loopback (server mode, so presigned URLs can really be fetched)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from connector.twin.lambda_runtime import sqs_event
from connector.twin.twin import reset_handler_caches
from lambdas.shared import topology
from tests.helpers import FakeContext

REGION = "eu-central-1"
BUCKET = "connector-test-data"


@dataclass
class Aws:
    endpoint: str
    s3: Any
    sqs: Any
    sns: Any
    queue_urls: dict[str, str] = field(default_factory=dict)
    dlq_urls: dict[str, str] = field(default_factory=dict)
    notifications_url: str = ""
    topic_arn: str = ""

    def receive(self, queue: str, dlq: bool = False, max_messages: int = 100) -> list[dict[str, Any]]:
        """Take messages off a queue (deleting them), for inspection."""
        url = (self.dlq_urls if dlq else self.queue_urls).get(queue, queue)
        out: list[dict[str, Any]] = []
        while len(out) < max_messages:
            got = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], WaitTimeSeconds=0
            ).get("Messages", [])
            if not got:
                break
            for message in got:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            out += got
        return out

    def bodies(self, queue: str, dlq: bool = False) -> list[dict[str, Any]]:
        return [json.loads(m["Body"]) for m in self.receive(queue, dlq)]

    def notifications(self) -> list[dict[str, Any]]:
        return [json.loads(m["Body"]) for m in self.receive(self.notifications_url)]

    def deliver(self, queue: str, handler: Callable[[dict[str, Any], Any], Any], batch: int = 10) -> dict[str, int]:
        """Play the event source mapping once over what is visible: invoke, delete only the successes."""
        url = self.queue_urls[queue]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        outcome = {"ok": 0, "failed": 0}
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=min(10, batch), AttributeNames=["All"], WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return outcome
            response = handler(sqs_event(messages, arn, REGION), FakeContext())
            failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
            for message in messages:
                if message["MessageId"] in failed:
                    outcome["failed"] += 1
                else:
                    outcome["ok"] += 1
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if failed:
                return outcome

    def object(self, key: str) -> Any:
        return json.loads(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())

    def raw_object(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        return body

    def list_keys(self, prefix: str = "") -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=moto_endpoint)
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=moto_endpoint)
    sns = boto3.client("sns", region_name=REGION, endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    env = Aws(moto_endpoint, s3, sqs, sns)
    for spec in topology.QUEUES:
        dlq = sqs.create_queue(QueueName=f"{spec.name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count})
        env.queue_urls[spec.name] = sqs.create_queue(
            QueueName=spec.name, Attributes={"VisibilityTimeout": "0", "RedrivePolicy": redrive}
        )["QueueUrl"]
        env.dlq_urls[spec.name] = dlq
        monkeypatch.setenv(spec.env, env.queue_urls[spec.name])
    env.topic_arn = sns.create_topic(Name="runs")["TopicArn"]
    env.notifications_url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    notifications_arn = sqs.get_queue_attributes(QueueUrl=env.notifications_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=env.topic_arn,
        Protocol="sqs",
        Endpoint=notifications_arn,
        Attributes={"RawMessageDelivery": "false"},
    )
    for key, value in {
        "BUCKET_NAME": BUCKET,
        "TOPIC_ARN": env.topic_arn,
        "READ_API_URL": "https://users.example/",
        "SOURCE_URL": "http://127.0.0.1:9/api/1.4/",
        "PAGE_SIZE": "100",
        "USERS_PER_RUN": "250",
        "MANUAL_COOLDOWN_SECONDS": "60",
        "HTTP_RETRIES": "1",
        "HTTP_BACKOFF_FACTOR": "0",
        "HTTP_READ_TIMEOUT_SECONDS": "2",
        "NOTIFICATION_LEASE_SECONDS": "60",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    reset_handler_caches()
    yield env
    reset_handler_caches()
