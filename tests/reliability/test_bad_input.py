"""Bad input: both endpoints fuzzed, malformed queue messages, and credentials proven absent everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.standin import generate_page
from connector.twin import LocalTwin
from connector.twin.lambda_runtime import function_url_event
from lambdas.extract import fetch, plan, planning
from lambdas.load import handler as load
from lambdas.read import handler as read
from lambdas.read import routes
from lambdas.shared.randomuser import INCLUDED_FIELDS
from lambdas.transform import handler as transform
from tests.helpers import FakeContext
from tests.moto_env import Aws
from tests.reliability.harness import FULL, RUN_ID, Figures, start_run, twin_config, wait_published

EXAMPLES = 1500 if FULL else 120
OPENAPI = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text())
names = st.sampled_from(["users", "nat", "country", "run", "run_id", "page", "colour", "", "users[]", "%00"])
values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**9), max_value=10**9).map(str),
    st.sampled_from(["de,fr", "DE", "germany", "0", "1000001", "20261203T030000Z-0e2e", "../../x", "%2F..", "1e3"]),
)
queries = st.dictionaries(names | st.text(max_size=8), values, max_size=4)
bodies = st.one_of(
    st.none(), st.text(max_size=60), st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.dictionaries(names, values | st.integers() | st.lists(st.text(max_size=3), max_size=3) | st.none(), max_size=3)
    .map(json.dumps),
)  # fmt: skip
paths = st.one_of(
    st.sampled_from(["/", "/runs/20261203T030000Z-0e2e", "/runs/..%2F..", "/runs/../latest/users.json",
                     "/latest/users.json", "/control/manual-trigger.json", "//", "/runs/", "/runs/%2e%2e"]),
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=30).map(lambda t: "/" + t),
)  # fmt: skip


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _check(response: dict[str, Any], outcomes: dict[str, int]) -> None:
    status = int(response["statusCode"])
    outcomes["5xx"] += status >= 500
    outcomes["requests"] += 1
    assert status < 500, response
    if 400 <= status < 500:
        body = json.loads(response["body"])
        assert body["message"], body
        if status == 400:
            assert body["parameter"], body


def test_the_endpoints_match_their_openapi_description() -> None:
    trigger = {p["name"] for p in OPENAPI["paths"]["/"]["post"]["parameters"]}
    get_users = {p["name"] for p in OPENAPI["paths"]["/"]["get"]["parameters"]}
    assert trigger == set(planning.ALLOWED_PARAMETERS)
    assert get_users == set(routes.ALLOWED_PARAMETERS)


def test_fuzzed_requests_get_2xx_3xx_or_a_4xx_that_names_the_problem(aws: Aws, figures: Figures) -> None:
    outcomes = {"5xx": 0, "requests": 0}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]), query=queries, body=bodies, path=paths)
    def fuzz(method: str, query: dict[str, str], body: str | None, path: str) -> None:
        raw = body.encode() if body is not None else b""
        event = function_url_event(
            method, "/", _query(query), {"content-type": "application/json"}, raw, "1.2.3.4", "t"
        )
        _check(plan.handler(event, FakeContext()), outcomes)
        event = function_url_event("GET", path, _query(query), {}, b"", "1.2.3.4", "u")
        _check(read.handler(event, FakeContext()), outcomes)

    fuzz()
    figures.add(f"fuzzed endpoint requests ({outcomes['requests']})", **{"5xx answers": outcomes["5xx"]})


MALFORMED = {
    "not JSON": "this is not json",
    "wrong schema version": json.dumps({"schema_version": 2, "kind": "page", "run_id": RUN_ID, "page": 1}),
    "missing fields": json.dumps({"schema_version": 1, "run_id": RUN_ID}),
    "oversized": json.dumps({"schema_version": 1, "kind": "raw", "run_id": RUN_ID, "page": 1, "chunk": 1, "chunks": 1,
                             "records": [{"email": "x" * 1000}] * 250}),
}  # fmt: skip
CONSUMERS = {"tasks": fetch.handler, "raw": transform.handler, "grouped": load.handler}


@pytest.mark.parametrize("queue", list(CONSUMERS))
def test_malformed_queue_messages_go_to_the_dlq_with_a_reason_and_no_partial_write(
    aws: Aws, queue: str, caplog: pytest.LogCaptureFixture, figures: Figures
) -> None:
    for body in MALFORMED.values():
        aws.sqs.send_message(QueueUrl=aws.queue_urls[queue], MessageBody=body)
    for _ in range(10):
        aws.deliver(queue, CONSUMERS[queue])
    dead = aws.receive(queue, dlq=True)
    assert sorted(m["Body"] for m in dead) == sorted(MALFORMED.values())
    assert aws.list_keys() == []
    assert all(aws.receive(name) == [] for name in CONSUMERS)
    reasons = [getattr(r, "reason", "") for r in caplog.records if r.getMessage() == "message failed"]
    assert len(reasons) >= len(MALFORMED)
    assert all("Error" in reason for reason in reasons)
    figures.add(
        f"malformed messages on the {queue} queue",
        **{"faults injected": len(MALFORMED), "users lost": 0, "partial publications": 0},
    )


def test_no_credential_anywhere_after_a_run(capfd: pytest.CaptureFixture[str], figures: Figures) -> None:
    with LocalTwin(twin_config("secrets", log_level="INFO")) as twin:
        start_run(twin)
        wait_published(twin)
        manifest = twin.read_json(f"runs/{RUN_ID}/manifest.json")
        haystack = [twin.s3.get_object(Bucket=twin.bucket, Key=key)["Body"].read().decode() for key in twin.keys("")]
        haystack += twin.keys("")
        for url in [*twin.queue_urls.values(), *twin.dlq_urls.values()]:
            got = twin.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
            haystack += [m["Body"] for m in got.get("Messages", [])]
        haystack += [json.dumps(n) for n in twin.sink.notifications()]
        haystack += [json.dumps(e) for e in twin.captured_notifications()]
    haystack.append(capfd.readouterr().out)
    secrets: set[str] = set()
    for page in range(1, manifest["pages"] + 1):
        results = min(manifest["page_size"], manifest["users"] - (page - 1) * manifest["page_size"])
        for record in generate_page(
            manifest["seed"], page, results, manifest["nationalities"], INCLUDED_FIELDS.split(",")
        ):
            login = record["login"]
            secrets.update(login[key] for key in ("salt", "md5", "sha1", "sha256"))
            # passwords are common words ("trigger", "direct"): they are looked for by key, not by value
    text = "\n".join(haystack)
    served = json.dumps(generate_page(manifest["seed"], 1, 10, manifest["nationalities"], INCLUDED_FIELDS.split(",")))
    assert sum(secret in served for secret in secrets) == 40  # the scan does find credentials where they are
    hits = sorted(secret for secret in secrets if secret in text)
    hits += [f'"{key}"' for key in ("password", "salt", "md5", "sha1", "sha256") if f'"{key}"' in text]
    figures.add("secrets scan (S3, queues, DLQs, notifications, logs)", **{"secret hits": len(hits)})
    assert len(text) > 100_000
    assert hits == []
