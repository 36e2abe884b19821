"""Pacing efficiency: a run several times the (scaled-down) budget, measured at the stand-in.

python -m bench.pacing
"""

from __future__ import annotations

import os

os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

from bench.measure import emit
from connector.twin import LocalTwin, TwinConfig
from lambdas.shared import topology

# 20 s windows keep the 1 s minimum guard small, as the 6 s guard is against 300 s windows
BUDGET, WINDOW, USERS, PAGE = 2000, 20, 9500, 100


def main() -> None:
    config = TwinConfig(instance="pacing", page_size=PAGE, budget_users=BUDGET, budget_window_seconds=WINDOW,
                        standin_budget_users=BUDGET, log_level="ERROR")  # fmt: skip
    with LocalTwin(config) as twin:
        run_id = twin.invoke(topology.PLAN, {"users": USERS})["run_id"]
        twin.wait_for_run(run_id, timeout=600)
        assert twin.standin is not None
        stats = twin.standin.stats
        per_window = dict(stats.users_per_window)
    counts = [users for _, users in sorted(per_window.items())]
    emit({"budget": BUDGET, "window_seconds": WINDOW, "users": USERS, "page_size": PAGE,
          "rate_limited": stats.rate_limited, "users_per_window": per_window,
          "max_share_of_budget": max(counts) / BUDGET,
          "mean_share_of_budget": sum(counts) / len(counts) / BUDGET,
          "windows": len(counts)})  # fmt: skip


if __name__ == "__main__":
    main()
