"""The same users pulled by dlt from the same stand-in, in a fresh process: wall time and peak RSS.

dlt's rest_api source with page-number pagination (its retrying client), written by
the filesystem destination as JSON lines. `python -m bench.dlt_run --users 100000`
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt
from dlt.sources.rest_api import rest_api_source

from bench.measure import emit, max_rss_bytes
from connector.standin import StandIn
from lambdas.shared.randomuser import INCLUDED_FIELDS
from lambdas.shared.runs import new_run_id, seed_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--page-size", type=int, default=5000)
    args = parser.parse_args()
    pages = -(-args.users // args.page_size)
    with StandIn(budget_users=10**9) as standin, tempfile.TemporaryDirectory() as work:
        source = rest_api_source(
            {
                "client": {
                    "base_url": standin.url,
                    "paginator": {
                        "type": "page_number",
                        "base_page": 1,
                        "page_param": "page",
                        "total_path": None,
                        "maximum_page": pages + 1,
                    },  # dlt stops once the next page reaches it
                },
                "resources": [
                    {
                        "name": "users",
                        "endpoint": {
                            "path": "",
                            "params": {
                                "seed": seed_for(new_run_id()),
                                "results": args.page_size,
                                "inc": INCLUDED_FIELDS,
                            },
                            "data_selector": "results",
                        },
                    }
                ],
            }
        )
        pipeline = dlt.pipeline(
            pipeline_name="bench_randomuser",
            destination=dlt.destinations.filesystem(bucket_url=os.path.join(work, "data")),
            dataset_name="randomuser",
            pipelines_dir=os.path.join(work, "pipelines"),
        )
        started = time.perf_counter()
        pipeline.run(source, loader_file_format="jsonl")
        wall = time.perf_counter() - started
        normalized = pipeline.last_trace.last_normalize_info if pipeline.last_trace else None
        rows = normalized.row_counts.get("users", 0) if normalized else 0
        served = standin.stats.users_served
    emit({"users": args.users, "rows": rows, "served": served, "wall_seconds": wall,
          "users_per_second": args.users / wall, "peak_rss_bytes": max_rss_bytes()})  # fmt: skip


if __name__ == "__main__":
    main()
