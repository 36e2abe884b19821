"""Every S3 key the connector reads or writes, in one place."""

from __future__ import annotations

import re

from lambdas.shared.runs import validate_run_id

RUNS_PREFIX = "runs/"
LATEST_PREFIX = "latest/"
CONTROL_PREFIX = "control/"
LATEST_USERS = "latest/users.json"
LATEST_RUN = "latest/run.json"
MANUAL_TRIGGER = "control/manual-trigger.json"
PAGE_DIGITS = 5  # pages are 1..10,000: zero-padding keeps S3 listings in page order
_PART_NAME = re.compile(r"^p(\d+)-c(\d+)of(\d+)\.json$")


def run_prefix(run_id: str) -> str:
    return f"{RUNS_PREFIX}{validate_run_id(run_id)}/"


def manifest_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}manifest.json"


def parts_prefix(run_id: str) -> str:
    return f"{run_prefix(run_id)}parts/"


def part_key(run_id: str, page: int, chunk: int, chunks: int) -> str:
    return f"{parts_prefix(run_id)}p{page:0{PAGE_DIGITS}d}-c{chunk}of{chunks}.json"


def parse_part_key(key: str) -> tuple[int, int, int] | None:
    """(page, chunk, chunks) of a part key; None for anything else."""
    match = _PART_NAME.match(key.rsplit("/", 1)[-1])
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def snapshot_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}users.json"


def countries_prefix(run_id: str) -> str:
    return f"{run_prefix(run_id)}countries/"


def country_key(run_id: str, code: str) -> str:
    return f"{countries_prefix(run_id)}{code}.json"


def latest_country_key(code: str) -> str:
    return f"{LATEST_PREFIX}countries/{code}.json"


def status_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}status.json"


def completion_marker_key(run_id: str) -> str:
    """Create-only: fixes the moment the run was found complete (the snapshot's generated_at)."""
    return f"{run_prefix(run_id)}markers/complete.json"


def notification_marker_key(run_id: str) -> str:
    """Create-only claim that elects the single publisher of the run's notification."""
    return f"{run_prefix(run_id)}markers/notification.json"
