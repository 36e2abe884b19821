"""Shared measuring helpers: peak RSS sampled while a block runs, JSON output for the orchestrator."""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psutil


@dataclass
class Sample:
    seconds: float = 0.0
    rss_before: int = 0
    rss_peak: int = 0

    @property
    def rss_growth(self) -> int:
        return max(0, self.rss_peak - self.rss_before)


@contextmanager
def sampled(interval: float = 0.005) -> Iterator[Sample]:
    """Wall time and peak RSS of this process while the block runs (sampled every few milliseconds)."""
    process = psutil.Process()
    sample = Sample(rss_before=process.memory_info().rss)
    sample.rss_peak = sample.rss_before
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            sample.rss_peak = max(sample.rss_peak, process.memory_info().rss)
            time.sleep(interval)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    try:
        yield sample
    finally:
        sample.seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        sample.rss_peak = max(sample.rss_peak, process.memory_info().rss)


def max_rss_bytes() -> int:
    """Peak RSS of this process over its life (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def emit(result: dict[str, Any]) -> None:
    """The one line a benchmark subprocess prints: its result as JSON."""
    sys.stdout.write("BENCH " + json.dumps(result) + "\n")
    sys.stdout.flush()
