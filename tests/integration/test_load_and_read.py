"""load (parts, completion, compaction, latest/, one notification) and getUsers, against a moto server."""

from __future__ import annotations

import json
import random
import threading
from typing import Any

import pytest
import requests

from connector.twin.lambda_runtime import function_url_event
from lambdas.extract import plan
from lambdas.load import handler as load
from lambdas.read import handler as read
from tests.helpers import FakeContext
from tests.moto_env import Aws
from tests.schemas import validate_published

User = tuple[str, str, str]  # id, userName, country


def grouped(
    run_id: str, page: int, users: list[User], chunk: int = 1, chunks: int = 1, rejected: list[str] = ()
) -> str:  # type: ignore[assignment]
    codes = {"Germany": "DE", "France": "FR", "Atlantis": "atlantis"}
    countries: dict[str, Any] = {}
    for uid, name, country in users:
        countries.setdefault(country, {"code": codes[country], "users": []})["users"].append(
            {"id": uid, "userName": name, "email": f"{name}@example.com", "gender": "female"}
        )
    return json.dumps(
        {
            "schema_version": 1,
            "kind": "grouped",
            "run_id": run_id,
            "page": page,
            "chunk": chunk,
            "chunks": chunks,
            "extracted": len(users) + len(rejected),
            "countries": countries,
            "rejected": [{"reason": reason, "record": {"email": "x"}} for reason in rejected],
        }
    )


def plan_run(aws: Aws, users: int, run_id: str) -> str:
    plan.handler({"users": users, "run_id": run_id}, FakeContext())
    aws.receive("tasks")
    return run_id


def load_bodies(aws: Aws, bodies: list[str]) -> dict[str, int]:
    for body in bodies:
        aws.sqs.send_message(QueueUrl=aws.queue_urls["grouped"], MessageBody=body)
    return aws.deliver("grouped", load.handler)


RUN_A = "20261203T030000Z-aaaa"
RUN_B = "20261203T040000Z-bbbb"


def three_page_run(run_id: str) -> list[str]:
    """Page 2 in two chunks; u1 appears again on page 3 (cross-page duplicate)."""
    return [
        grouped(run_id, 1, [("u1", "zed", "Germany"), ("u2", "amy", "France")], rejected=["invalid email"]),
        grouped(run_id, 2, [("u3", "amy", "Germany")], chunk=1, chunks=2),
        grouped(run_id, 2, [("u4", "bob", "Atlantis")], chunk=2, chunks=2, rejected=["missing uuid"]),
        grouped(run_id, 3, [("u1", "zed-again", "France"), ("u0", "amy", "Germany")]),
    ]


def test_parts_in_any_order_complete_the_run_exactly_once(aws: Aws) -> None:
    # Given a planned 3-page run (page size 100, 250 users)
    plan_run(aws, 250, RUN_A)
    bodies = three_page_run(RUN_A)
    random.Random(7).shuffle(bodies)
    # When the parts arrive one invocation at a time, in shuffled order
    for index, body in enumerate(bodies[:-1]):
        assert load_bodies(aws, [body]) == {"ok": 1, "failed": 0}
        status = aws.object(f"runs/{RUN_A}/status.json")
        assert status["state"] == "running", index
        assert aws.list_keys("latest/") == []
    assert load_bodies(aws, [bodies[-1]]) == {"ok": 1, "failed": 0}
    # Then the run is published once, with exact sorting, the dedupe rule and balanced accounting
    status = aws.object(f"runs/{RUN_A}/status.json")
    assert status["state"] == "published"
    assert status["pages"] == {"done": 3, "total": 3, "missing": []}
    assert status["counts"] == {
        "extracted": 8,
        "published": 5,
        "duplicates": 1,
        "rejected": {"total": 2, "by_reason": {"invalid email": 1, "missing uuid": 1}},
    }
    snapshot = aws.object(f"runs/{RUN_A}/users.json")
    assert list(snapshot["countries"]) == ["Atlantis", "France", "Germany"]
    assert [(u["id"], u["userName"]) for u in snapshot["countries"]["Germany"]["users"]] == [
        ("u0", "amy"),
        ("u3", "amy"),
        ("u1", "zed"),
    ]  # by userName then id; u1 from page 1 wins
    assert [u["id"] for u in snapshot["countries"]["France"]["users"]] == ["u2"]
    assert snapshot["total_users"] == 5
    assert aws.raw_object("latest/users.json") == aws.raw_object(f"runs/{RUN_A}/users.json")
    assert aws.object("latest/run.json")["run_id"] == RUN_A
    assert aws.object("latest/countries/atlantis.json")["users"][0]["id"] == "u4"
    notes = aws.notifications()
    assert len(notes) == 1
    envelope = notes[0]
    assert json.loads(envelope["Message"]) == {
        "run_id": RUN_A,
        "generated_at": snapshot["generated_at"],
        "total_users": 5,
        "users_per_country": {"atlantis": 1, "FR": 1, "DE": 3},
        "rejected": 2,
        "duplicates": 1,
        "links": {
            "users": f"https://users.example/?run={RUN_A}",
            "latest": "https://users.example/",
            "status": f"https://users.example/runs/{RUN_A}",
            "countries": {code: f"https://users.example/?country={code}" for code in ("atlantis", "FR", "DE")},
        },
    }
    attributes = envelope["MessageAttributes"]
    assert attributes["run_id"] == {"Type": "String", "Value": RUN_A}
    assert json.loads(attributes["countries"]["Value"]) == ["DE", "FR", "atlantis"]
    assert attributes["total_users"] == {"Type": "Number", "Value": "5"}
    assert validate_published(aws.list_keys(), aws.object) == 10


def test_redelivery_changes_nothing_and_notifies_once(aws: Aws) -> None:
    plan_run(aws, 250, RUN_A)
    bodies = three_page_run(RUN_A)
    load_bodies(aws, bodies)
    before = {key: aws.raw_object(key) for key in aws.list_keys() if "/status.json" not in key}
    # When every message is delivered again
    assert load_bodies(aws, bodies) == {"ok": 4, "failed": 0}
    # Then every object is byte-identical and there is still one notification
    assert {key: aws.raw_object(key) for key in aws.list_keys() if "/status.json" not in key} == before
    assert len(aws.notifications()) == 1


def test_two_loads_completing_the_same_run_at_once_publish_one_notification(aws: Aws) -> None:
    plan_run(aws, 250, RUN_A)
    bodies = three_page_run(RUN_A)
    load_bodies(aws, bodies[:2])
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(2)

    def finish(body: str) -> None:
        from tests.helpers import sqs_event

        barrier.wait()
        results.append(load.handler(sqs_event([body]), FakeContext()))

    threads = [threading.Thread(target=finish, args=(body,)) for body in bodies[2:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    snapshot = aws.raw_object(f"runs/{RUN_A}/users.json")
    # a loser that found the claim held reports its message failed: redelivered later, it finds it published
    load_bodies(aws, bodies[2:])
    assert len(aws.notifications()) == 1
    assert aws.raw_object(f"runs/{RUN_A}/users.json") == snapshot
    assert aws.object(f"runs/{RUN_A}/status.json")["state"] == "published"


def test_an_older_run_completing_after_a_newer_one_never_replaces_latest(aws: Aws) -> None:
    plan_run(aws, 250, RUN_A)
    plan_run(aws, 100, RUN_B)
    load_bodies(aws, [grouped(RUN_B, 1, [("b1", "bea", "France")])])
    latest = {key: aws.raw_object(key) for key in aws.list_keys("latest/")}
    load_bodies(aws, three_page_run(RUN_A))
    assert {key: aws.raw_object(key) for key in aws.list_keys("latest/")} == latest
    older = aws.object(f"runs/{RUN_A}/status.json")
    assert older["state"] == "superseded"
    assert aws.object(f"runs/{RUN_A}/users.json")["total_users"] == 5  # still available under runs/
    assert [json.loads(n["Message"])["run_id"] for n in aws.notifications()] == [RUN_B]


def test_a_newer_run_moves_latest_forward_and_drops_countries_it_lacks(aws: Aws) -> None:
    plan_run(aws, 250, RUN_A)
    load_bodies(aws, three_page_run(RUN_A))
    plan_run(aws, 100, RUN_B)
    load_bodies(aws, [grouped(RUN_B, 1, [("b1", "bea", "France")])])
    assert aws.object("latest/run.json")["run_id"] == RUN_B
    assert sorted(aws.list_keys("latest/")) == ["latest/countries/FR.json", "latest/run.json", "latest/users.json"]


def test_an_incomplete_run_never_touches_latest(aws: Aws) -> None:
    plan_run(aws, 250, RUN_A)
    bodies = three_page_run(RUN_A)
    load_bodies(aws, [bodies[0], bodies[1], bodies[3]])  # page 2 lacks its chunk 2
    assert aws.list_keys("latest/") == []
    status = aws.object(f"runs/{RUN_A}/status.json")
    assert status["state"] == "running"
    assert status["pages"] == {"done": 2, "total": 3, "missing": [2]}
    assert aws.notifications() == []


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '{"schema_version": 1, "kind": "grouped"}',
        grouped("20991231T000000Z-0000", 1, [("x", "y", "France")]),
    ],  # no manifest
)
def test_a_malformed_or_orphan_batch_fails_without_writing(aws: Aws, body: str) -> None:
    assert load_bodies(aws, [body]) == {"ok": 0, "failed": 1}
    assert aws.list_keys() == []


# -- getUsers ---------------------------------------------------------------------------------


def get(path: str = "/", query: str = "") -> dict[str, Any]:
    event = function_url_event("GET", path, query, {}, b"", "127.0.0.1", "users.local")
    result: dict[str, Any] = read.handler(event, FakeContext())
    return result


def follow(response: dict[str, Any]) -> Any:
    assert response["statusCode"] == 302
    fetched = requests.get(response["headers"]["Location"], timeout=10)
    assert fetched.status_code == 200
    return fetched.json()


def test_get_users_before_any_run_says_to_trigger_one(aws: Aws) -> None:
    response = get()
    assert response["statusCode"] == 404
    assert "trigger a run" in json.loads(response["body"])["message"]


def test_get_users_routes_redirect_to_presigned_urls_of_the_right_documents(aws: Aws) -> None:
    plan_run(aws, 250, RUN_A)
    load_bodies(aws, three_page_run(RUN_A))
    assert follow(get()) == aws.object("latest/users.json")
    assert follow(get(query="country=de")) == aws.object("latest/countries/DE.json")
    assert follow(get(query="country=France"))["code"] == "FR"
    assert follow(get(query="country=Atlantis"))["code"] == "atlantis"
    assert follow(get(query=f"run={RUN_A}")) == aws.object(f"runs/{RUN_A}/users.json")
    assert follow(get(query=f"run={RUN_A}&country=DE"))["run_id"] == RUN_A
    status = get(f"/runs/{RUN_A}")
    assert status["statusCode"] == 200
    assert json.loads(status["body"])["state"] == "published"
    assert "X-Amz-Expires=300" in get()["headers"]["Location"]


@pytest.mark.parametrize(
    ("path", "query", "status", "needle"),
    [
        ("/", "country=NL", 404, "available: DE (Germany)"),
        ("/", "country=", 400, "country"),
        ("/", "run=nope", 400, "run id"),
        ("/", "run=20991231T000000Z-0000", 404, "no published snapshot"),
        ("/", "colour=red", 400, "unknown parameter"),
        ("/runs/20991231T000000Z-0000", "", 404, "no run"),
        ("/runs/..%2Flatest", "", 400, "run id"),
        ("/runs/../latest/users.json", "", 404, "routes"),
        ("/latest/users.json", "", 404, "routes"),
        ("/", "run=../../control", 400, "run id"),
    ],
)
def test_get_users_errors_name_the_problem(aws: Aws, path: str, query: str, status: int, needle: str) -> None:
    plan_run(aws, 250, RUN_A)
    load_bodies(aws, three_page_run(RUN_A))
    response = get(path, query)
    assert response["statusCode"] == status
    assert needle in response["body"]


def test_a_failed_run_stays_failed_while_it_progresses_and_publication_clears_it(aws: Aws) -> None:
    from datetime import UTC, datetime

    from lambdas.shared.aws import ObjectStore
    from lambdas.shared.status import mark_failed

    plan_run(aws, 250, RUN_A)
    bodies = three_page_run(RUN_A)
    load_bodies(aws, bodies[:1])
    store = ObjectStore("connector-test-data", aws.s3)
    assert mark_failed(store, RUN_A, "extract-fetch: boom", datetime.now(UTC))
    load_bodies(aws, bodies[1:3])
    status = aws.object(f"runs/{RUN_A}/status.json")
    assert (status["state"], status["detail"], status["pages"]["done"]) == ("failed", "extract-fetch: boom", 2)
    load_bodies(aws, bodies[3:])
    assert aws.object(f"runs/{RUN_A}/status.json")["state"] == "published"
    assert not mark_failed(store, RUN_A, "too late", datetime.now(UTC))
    assert not mark_failed(store, "not-a-run", "junk", datetime.now(UTC))
