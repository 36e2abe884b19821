"""One connector run end to end on the local twin, in a fresh process: wall time, peak RSS, per-stage work.

python -m bench.e2e --users 100000
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from typing import Any

os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

import requests

from bench.measure import emit, max_rss_bytes
from connector.twin import LocalTwin, TwinConfig
from lambdas.shared import aws, topology


def count_calls(client: Any, counter: Counter[str]) -> None:
    """Count API calls; for SQS sends also the 64 KiB payload chunks that SQS bills as requests."""

    def before_call(event_name: str, **kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        counter[f"{service}:{operation}"] += 1

    def sent(params: dict[str, Any], **_: Any) -> None:  # the API parameters of the call
        payload = sum(len(entry["MessageBody"].encode()) for entry in params.get("Entries", []))
        counter["sqs:payload-chunks"] += max(1, -(-payload // 65536))

    client.meta.events.register("before-call", before_call)
    client.meta.events.register("before-parameter-build.sqs.SendMessageBatch", sent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--page-size", type=int, default=5000)
    args = parser.parse_args()
    config = TwinConfig(instance="bench", page_size=args.page_size, budget_users=10**9, budget_window_seconds=300,
                        log_level="ERROR", visibility_timeout_seconds=60)  # fmt: skip
    calls: Counter[str] = Counter()
    stage_seconds: dict[str, float] = {}
    stage_invocations: Counter[str] = Counter()
    with LocalTwin(config) as twin:
        original = twin.invoke

        def timed(spec: topology.FunctionSpec, event: dict[str, Any]) -> Any:
            started = time.perf_counter()
            try:
                return original(spec, event)
            finally:
                stage_seconds[spec.name] = stage_seconds.get(spec.name, 0.0) + time.perf_counter() - started
                stage_invocations[spec.name] += 1

        twin.invoke = timed  # type: ignore[method-assign]
        for client in (aws.s3_client(), aws.sqs_client(), aws.sns_client(), twin.sqs):
            count_calls(client, calls)
        started = time.perf_counter()
        answer = requests.post(twin.trigger_url, json={"users": args.users}, timeout=60)
        assert answer.status_code == 202, answer.text
        run_id = answer.json()["run_id"]
        status = twin.wait_for_run(run_id, timeout=3600)
        wall = time.perf_counter() - started
        snapshot_bytes = twin.s3.head_object(Bucket=twin.bucket, Key=f"runs/{run_id}/users.json")["ContentLength"]
    emit(
        {
            "users": args.users,
            "published": status["counts"]["published"],
            "wall_seconds": wall,
            "users_per_second": args.users / wall,
            "peak_rss_bytes": max_rss_bytes(),
            "snapshot_bytes": snapshot_bytes,
            "stage_seconds": dict(stage_seconds),
            "stage_invocations": dict(stage_invocations),
            "calls": dict(calls),
        }
    )


if __name__ == "__main__":
    main()
