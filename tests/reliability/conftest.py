"""The reliability suite's figures: every test adds a row; the table is printed at the end of the session."""

from __future__ import annotations

from typing import Any

import pytest

from tests.moto_env import aws, moto_endpoint
from tests.reliability.harness import FIGURES, Figures, reference_run

__all__ = ["aws", "moto_endpoint"]

COLUMNS = ("faults injected", "users lost", "users duplicated", "partial publications", "notifications per run",
           "5xx answers", "secret hits")  # fmt: skip


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


@pytest.fixture(scope="session")
def reference() -> Any:
    """The fault-free run every scenario is compared with (same run id: same seed, pages and users)."""
    return reference_run()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES.rows:
        return
    write = terminalreporter.write_line
    write("")
    write("reliability figures (every loss, duplicate, partial, 5xx and secret figure must be 0;")
    write("notifications per run must be 1, or 0 for a run that is not published)")
    header = "| scenario | " + " | ".join(COLUMNS) + " |"
    write(header)
    write("|" + "---|" * (len(COLUMNS) + 1))
    for name, row in FIGURES.rows.items():
        write(f"| {name} | " + " | ".join(str(row.get(column, "")) for column in COLUMNS) + " |")
