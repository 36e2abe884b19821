"""extract fetch (against the stand-in) and transform (exact contents), with SQS played by moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector.standin import Fault, StandIn, generate_page
from lambdas.extract import fetch, plan
from lambdas.shared import topology
from lambdas.shared.randomuser import INCLUDED_FIELDS, strip_record
from lambdas.transform import handler as transform
from tests.helpers import CREDENTIAL_KEYS, FakeContext
from tests.moto_env import Aws


@pytest.fixture
def source(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    monkeypatch.setenv("SOURCE_URL", standin.url)
    plan.settings.cache_clear()
    return standin


def start(users: int, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = plan.handler({"users": users, **extra}, FakeContext())
    return result


def expected_records(manifest: dict[str, Any], page: int, results: int) -> list[dict[str, Any]]:
    raw = generate_page(manifest["seed"], page, results, manifest["nationalities"], INCLUDED_FIELDS.split(","))
    return [strip_record(record) for record in raw]


def test_fetch_sends_each_page_as_raw_batches_of_exactly_the_served_users(aws: Aws, source: StandIn) -> None:
    run_id = start(250)["run_id"]
    assert aws.deliver("tasks", fetch.handler) == {"ok": 3, "failed": 0}
    batches = sorted(aws.bodies("raw"), key=lambda b: (b["page"], b["chunk"]))
    manifest = aws.object(f"runs/{run_id}/manifest.json")
    assert [(b["page"], b["chunk"], b["chunks"]) for b in batches] == [(1, 1, 1), (2, 1, 1), (3, 1, 1)]
    for batch, (page, results) in zip(batches, ((1, 100), (2, 100), (3, 50)), strict=True):
        assert batch["records"] == expected_records(manifest, page, results)
    assert not any(f'"{key}"' in json.dumps(batches) for key in CREDENTIAL_KEYS)


def test_a_5000_user_page_is_split_into_chunks_that_fit_a_message(aws: Aws, source: StandIn, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAGE_SIZE", "5000")
    plan.settings.cache_clear()
    start(5000)
    aws.deliver("tasks", fetch.handler)
    messages = aws.receive("raw")
    assert len(messages) > 1
    assert all(len(m["Body"].encode()) <= 240 * 1024 for m in messages)
    assert sum(len(json.loads(m["Body"])["records"]) for m in messages) == 5000


def test_refetching_a_task_sends_batches_with_the_same_identity_and_content(aws: Aws, source: StandIn) -> None:
    start(100)
    task = aws.receive("tasks")[0]["Body"]
    for _ in range(2):
        aws.sqs.send_message(QueueUrl=aws.queue_urls["tasks"], MessageBody=task)
        aws.deliver("tasks", fetch.handler)
    first, second = aws.bodies("raw")
    assert first == second


def test_a_rate_limited_page_is_put_back_for_the_next_window_and_not_lost(aws: Aws, source: StandIn) -> None:
    run_id = start(100)["run_id"]
    source.script_faults([Fault.RATE_LIMIT] * 10)  # outlives the client's retries
    assert aws.deliver("tasks", fetch.handler) == {"ok": 1, "failed": 0}
    assert aws.bodies("raw") == []
    # the deferred task waits one budget window (SQS delay) and carries its deferral count
    attributes = aws.sqs.get_queue_attributes(
        QueueUrl=aws.queue_urls["tasks"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"
    aws.sqs.set_queue_attributes(QueueUrl=aws.queue_urls["tasks"], Attributes={"DelaySeconds": "0"})
    source.clear_faults()
    # moto cannot fast-forward a delay; put the deferred body back without one to play "later"
    deferred = {"schema_version": 1, "run_id": run_id, "kind": "page", "page": 1, "results": 100, "deferrals": 1}
    aws.sqs.send_message(QueueUrl=aws.queue_urls["tasks"], MessageBody=json.dumps(deferred))
    assert aws.deliver("tasks", fetch.handler)["ok"] == 1
    assert len(aws.bodies("raw")[0]["records"]) == 100


def test_a_broken_page_ends_in_the_dlq_after_the_max_receive_count(aws: Aws, source: StandIn) -> None:
    run_id = start(100)["run_id"]
    source.random_faults(1.0, [Fault.HTML_403])
    for attempt in range(1, topology.TASKS.max_receive_count + 1):
        assert aws.deliver("tasks", fetch.handler) == {"ok": 0, "failed": 1}
        status = aws.object(f"runs/{run_id}/status.json")
        assert status["state"] == ("failed" if attempt == topology.TASKS.max_receive_count else "planned")
    assert aws.deliver("tasks", fetch.handler) == {"ok": 0, "failed": 0}  # moved on receive
    dead = aws.bodies("tasks", dlq=True)
    assert [d["page"] for d in dead] == [1]
    # the run's status says what happened and what to do
    detail = aws.object(f"runs/{run_id}/status.json")["detail"]
    assert detail.startswith("extract-fetch: UpstreamHTTPError: randomuser answered HTTP 403")
    assert "after 5 attempts; the message is in the dead-letter queue: redrive it" in detail


def test_a_malformed_task_fails_alone_and_its_neighbours_succeed(aws: Aws, source: StandIn) -> None:
    start(100)
    aws.sqs.send_message(QueueUrl=aws.queue_urls["tasks"], MessageBody='{"schema_version": 2, "kind": "page"}')
    outcome = aws.deliver("tasks", fetch.handler)
    assert outcome == {"ok": 1, "failed": 1}
    assert len(aws.bodies("raw")) == 1


def test_transform_emits_one_grouped_batch_with_exact_contents(aws: Aws) -> None:
    run_id = "20261203T030000Z-0001"
    records = [
        {
            "gender": "female",
            "email": " ada@example.com ",
            "login": {"uuid": "u1", "username": "ada"},
            "location": {"country": "Germany"},
        },
        {
            "gender": "male",
            "email": "bo@example.com",
            "login": {"uuid": "u2", "username": "bo"},
            "location": {"country": "Atlantis"},
        },
        {
            "gender": "male",
            "email": "not-an-email",
            "login": {"uuid": "u3", "username": "cy"},
            "location": {"country": "France"},
        },
        {"gender": "female", "email": "di@example.com", "login": {"username": "di"}, "location": {"country": "France"}},
    ]
    raw = {"schema_version": 1, "kind": "raw", "run_id": run_id, "page": 2, "chunk": 1, "chunks": 3, "records": records}
    aws.sqs.send_message(QueueUrl=aws.queue_urls["raw"], MessageBody=json.dumps(raw))
    assert aws.deliver("raw", transform.handler) == {"ok": 1, "failed": 0}
    assert aws.bodies("grouped") == [
        {
            "schema_version": 1,
            "run_id": run_id,
            "page": 2,
            "chunk": 1,
            "chunks": 3,
            "kind": "grouped",
            "extracted": 4,
            "countries": {
                "Atlantis": {
                    "code": "atlantis",
                    "users": [{"id": "u2", "userName": "bo", "email": "bo@example.com", "gender": "male"}],
                },
                "Germany": {
                    "code": "DE",
                    "users": [{"id": "u1", "userName": "ada", "email": "ada@example.com", "gender": "female"}],
                },
            },
            "rejected": [
                {"reason": "invalid email", "record": records[2]},
                {"reason": "missing uuid", "record": records[3]},
            ],
        }
    ]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '{"schema_version": 2}',
        '{"schema_version": 1, "kind": "raw", "run_id": "x"}',
        json.dumps(
            {
                "schema_version": 1,
                "kind": "raw",
                "run_id": "20261203T030000Z-0001",
                "page": 1,
                "chunk": 1,
                "chunks": 1,
                "records": [{"login": {"uuid": "u", "password": "hunter2"}}],
            }
        ),
    ],
)
def test_transform_fails_a_malformed_message_without_sending_anything(aws: Aws, body: str) -> None:
    aws.sqs.send_message(QueueUrl=aws.queue_urls["raw"], MessageBody=body)
    assert aws.deliver("raw", transform.handler) == {"ok": 0, "failed": 1}
    assert aws.bodies("grouped") == []
