"""extract plan handler against moto: each way a run starts, bad parameters, cooldown, idempotence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connector.twin.lambda_runtime import function_url_event, scheduled_event
from lambdas.extract import plan as plan_handler
from tests.helpers import FakeContext
from tests.moto_env import Aws


def url_event(method: str = "POST", query: str = "", body: dict[str, Any] | str | None = None) -> dict[str, Any]:
    raw = (body if isinstance(body, str) else json.dumps(body)).encode() if body is not None else b""
    return function_url_event(method, "/", query, {"Content-Type": "application/json"}, raw, "127.0.0.1", "t.local")


def call(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = plan_handler.handler(event, FakeContext())
    return result


def test_post_starts_a_run_writes_the_manifest_and_enqueues_one_task_per_page(aws: Aws) -> None:
    # Given page size 100, When 250 users are asked for by POST
    response = call(url_event(body={"users": 250, "nat": "fr,de"}))
    # Then 202 with the run id, and where to follow it
    assert response["statusCode"] == 202
    accepted = json.loads(response["body"])
    run_id = accepted["run_id"]
    assert accepted == {
        "run_id": run_id,
        "users": 250,
        "pages": 3,
        "page_size": 100,
        "nationalities": ["DE", "FR"],
        "follow": {"status": f"https://users.example/runs/{run_id}", "data": f"https://users.example/?run={run_id}"},
    }
    manifest = aws.object(f"runs/{run_id}/manifest.json")
    assert manifest["trigger"] == "manual"
    assert manifest["pages"] == 3
    assert manifest["seed"][-1].isalpha()
    assert len(manifest["seed"]) != 18
    assert manifest["source_url"] == "http://127.0.0.1:9/api/1.4/"
    tasks = sorted(aws.bodies("tasks"), key=lambda t: t["page"])
    assert tasks == [
        {"schema_version": 1, "run_id": run_id, "kind": "page", "page": p, "results": r, "deferrals": 0}
        for p, r in ((1, 100), (2, 100), (3, 50))
    ]
    assert aws.object(f"runs/{run_id}/status.json")["state"] == "planned"


def test_get_with_query_parameters_starts_a_run(aws: Aws) -> None:
    response = call(url_event("GET", "users=5"))
    assert response["statusCode"] == 202
    assert json.loads(response["body"])["users"] == 5


def test_pacing_delays_reach_sqs(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a budget of 200 users per 10 s window (190 usable), When 500 users are planned in pages of 100
    monkeypatch.setenv("RATE_BUDGET_USERS", "200")
    monkeypatch.setenv("RATE_BUDGET_WINDOW_SECONDS", "10")
    plan_handler.settings.cache_clear()
    run_id = json.loads(call(url_event(body={"users": 500}))["body"])["run_id"]
    # Then one page per window: pages 2.. are delayed, so only page 1 is visible now
    visible = aws.bodies("tasks")
    assert [t["page"] for t in visible] == [1]
    attributes = aws.sqs.get_queue_attributes(
        QueueUrl=aws.queue_urls["tasks"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "4"
    assert aws.object(f"runs/{run_id}/manifest.json")["budget"] == {
        "users_per_window": 200,
        "window_seconds": 10,
        "safety": 0.95,
    }


def test_a_scheduled_event_starts_a_run_once_even_when_delivered_twice(aws: Aws) -> None:
    event = scheduled_event("arn:aws:events:eu-central-1:123456789012:rule/daily")
    first, second = call(event), call(event)
    assert first == second
    assert first["users"] == 250
    assert aws.object(f"runs/{first['run_id']}/manifest.json")["trigger"] == "schedule"
    assert len(aws.bodies("tasks")) == 3  # not 6


def test_a_direct_invoke_with_the_same_run_id_changes_nothing(aws: Aws) -> None:
    run_id = "20261203T030000Z-0001"
    first = call({"users": 120, "run_id": run_id})
    manifest = aws.raw_object(f"runs/{run_id}/manifest.json")
    second = call({"users": 999, "run_id": run_id})
    assert first == second
    assert first["users"] == 120
    assert aws.raw_object(f"runs/{run_id}/manifest.json") == manifest
    assert len(aws.bodies("tasks")) == 2


@pytest.mark.parametrize(
    ("query", "body", "parameter", "message"),
    [
        ("users=0", None, "users", "between 1 and 1,000,000"),
        ("users=abc", None, "users", "whole number"),
        ("users=1000001", None, "users", "between 1 and 1,000,000"),
        ("nat=xx", None, "nat", "unknown nationality code"),
        ("colour=red", None, "colour", "unknown parameter"),
        ("", "not json", "body", "JSON object"),
        ("", {"users": True}, "users", "whole number"),
        ("", {"nat": 5}, "nat", "nationality codes"),
    ],
)
def test_bad_parameters_get_400_naming_the_parameter(
    aws: Aws, query: str, body: Any, parameter: str, message: str
) -> None:
    response = call(url_event("POST", query, body))
    assert response["statusCode"] == 400
    payload = json.loads(response["body"])
    assert payload["parameter"] == parameter
    assert message in payload["message"]
    assert aws.list_keys("runs/") == []
    assert aws.bodies("tasks") == []


def test_a_bad_direct_invoke_raises_a_clear_error(aws: Aws) -> None:
    with pytest.raises(ValueError, match="users: must be between 1"):
        call({"users": -3})


def test_a_manual_run_within_the_cooldown_gets_429_with_retry_after(aws: Aws) -> None:
    assert call(url_event(body={"users": 1}))["statusCode"] == 202
    second = call(url_event(body={"users": 1}))
    assert second["statusCode"] == 429
    assert 1 <= int(second["headers"]["Retry-After"]) <= 60
    assert json.loads(second["body"])["error"] == "cooldown"
    assert len(aws.list_keys("runs/")) == 2  # manifest + status of the first run only
    # the schedule is not subject to the manual cooldown
    assert call(scheduled_event("arn:aws:events:eu-central-1:1:rule/daily"))["users"] == 250
