"""Cold start proxy: import time of each handler module in a fresh interpreter, against `import boto3`."""

from __future__ import annotations

import statistics
import subprocess
import sys

from lambdas.shared import topology

PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
REPEATS = 7


def import_seconds(module: str) -> float:
    """Median over fresh interpreters (bytecode already compiled, as in a deployed asset)."""
    times = []
    for _ in range(REPEATS):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)],
            capture_output=True, text=True, check=True,
            env={"PATH": "", "POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "eu-central-1"},
        )  # fmt: skip
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def measure() -> dict[str, float]:
    out = {"boto3": import_seconds("boto3")}
    for spec in topology.FUNCTIONS:
        out[spec.name] = import_seconds(spec.handler.rsplit(".", 1)[0])
    return out
