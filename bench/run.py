"""make bench: every measurement in one run (so ratios hold on a noisy machine), one table, one chart.

Results go to bench/results/ (git-ignored); the chart is also copied to docs/performance.png and
the table into README.md's Performance section.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from stacks.node import use_supported_node

use_supported_node()  # before aws_cdk is imported (bench.assets builds the real Lambda assets)

from bench import assets, imports  # noqa: E402
from lambdas.shared import topology  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
E2E_SIZES = [int(n) for n in os.environ.get("BENCH_E2E_USERS", "10000,100000").split(",")]
COMPACTION_SIZES = [int(n) for n in os.environ.get("BENCH_COMPACTION_USERS", "100000,1000000").split(",")]
MB = 1e6
# Price assumptions: eu-central-1 list prices, standard tiers, no free tier.
PRICES = {
    "lambda_gb_second_arm": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "s3_put_list": 0.0054 / 1000,
    "s3_get_head": 0.00043 / 1000,
    "sns_publish": 0.50 / 1e6,
}


def subprocess_result(*args: str) -> dict[str, Any]:
    """Run one benchmark in a fresh interpreter and read its BENCH line."""
    out = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, check=False, cwd=ROOT)
    lines = [line for line in out.stdout.splitlines() if line.startswith("BENCH ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(lines[-1][6:])
    return result


def cost(run: dict[str, Any], scale: float = 1.0) -> tuple[float, dict[str, float]]:
    """AWS cost of a measured run (scaled linearly), by service."""
    memory = {spec.name: spec.memory_mb / 1024 for spec in topology.FUNCTIONS}
    calls = run["calls"]
    gb_seconds = sum(seconds * memory[name] for name, seconds in run["stage_seconds"].items()) * scale
    invocations = sum(run["stage_invocations"].values()) * scale
    sqs = (2 * calls.get("sqs:payload-chunks", 0) + calls.get("sqs:DeleteMessageBatch", 0)) * scale
    puts = (calls.get("s3:PutObject", 0) + calls.get("s3:ListObjectsV2", 0)) * scale
    gets = (calls.get("s3:GetObject", 0) + calls.get("s3:HeadObject", 0)) * scale
    parts = {
        "Lambda": gb_seconds * PRICES["lambda_gb_second_arm"] + invocations * PRICES["lambda_request"],
        "SQS": sqs * PRICES["sqs_request"],
        "S3": puts * PRICES["s3_put_list"] + gets * PRICES["s3_get_head"],
        "SNS": calls.get("sns:Publish", 0) * PRICES["sns_publish"],
    }
    return sum(parts.values()), parts


def chart(e2e: list[dict[str, Any]], dlt: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    users = [r["users"] for r in e2e]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(users, [r["wall_seconds"] for r in e2e], "o-", label="connector (local twin)")
    left.plot(users, [r["wall_seconds"] for r in dlt], "s--", label="dlt rest_api -> filesystem")
    left.set(xscale="log", yscale="log", xlabel="users", ylabel="wall time, trigger to published (s)")
    left.legend()
    right.plot(users, [r["peak_rss_bytes"] / MB for r in e2e], "o-", label="connector (local twin)")
    right.plot(users, [r["peak_rss_bytes"] / MB for r in dlt], "s--", label="dlt")
    right.set(xscale="log", xlabel="users", ylabel="peak RSS (MB)")
    right.legend()
    fig.suptitle("randomuser-connector: end to end against dlt, same stand-in, same machine")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def table(results: dict[str, Any]) -> str:
    rows = ["| measure | connector | reference | ratio | target |", "|---|---|---|---|---|"]
    for run, other in zip(results["e2e"], results["dlt"], strict=True):
        ratio = run["wall_seconds"] / other["wall_seconds"]
        rows.append(
            f"| end to end, {run['users']:,} users: wall time | {run['wall_seconds']:.1f} s "
            f"({run['users_per_second']:,.0f} users/s) | dlt {other['wall_seconds']:.1f} s "
            f"({other['users_per_second']:,.0f} users/s) | {ratio:.2f} | <= 1 (aim 0.5) at 100,000 |"
        )
        rows.append(
            f"| end to end, {run['users']:,} users: peak RSS | {run['peak_rss_bytes'] / MB:.0f} MB (twin) "
            f"| dlt {other['peak_rss_bytes'] / MB:.0f} MB | {run['peak_rss_bytes'] / other['peak_rss_bytes']:.2f} | |"
        )
    for ours, floor in results["compaction"]:
        rows.append(
            f"| compaction, {ours['users']:,} users: time | {ours['seconds']:.2f} s | floor {floor['seconds']:.2f} s "
            f"| {ours['seconds'] / floor['seconds']:.2f} | <= 1.5 |"
        )
        rows.append(
            f"| compaction, {ours['users']:,} users: peak memory / snapshot | {ours['rss_growth_bytes'] / MB:.0f} MB "
            f"/ {ours['snapshot_bytes'] / MB:.0f} MB | floor {floor['rss_growth_bytes'] / MB:.0f} MB "
            f"| {ours['rss_growth_bytes'] / ours['snapshot_bytes']:.2f} | <= 3 |"
        )
    boto3 = results["imports"]["boto3"]
    for name, seconds in results["imports"].items():
        if name != "boto3":
            rows.append(f"| import of {name} | {seconds * 1000:.0f} ms | boto3 {boto3 * 1000:.0f} ms "
                        f"| {seconds / boto3:.2f} | <= 1.5 |")  # fmt: skip
    for name, (unzipped, zipped) in results["assets"].items():
        rows.append(f"| asset of {name} | {unzipped / MB:.1f} MB unzipped, {zipped / MB:.1f} MB zipped | | | < 80 MB |")
    pacing = results["pacing"]
    rows.append(
        f"| pacing, {pacing['users']:,} users at {pacing['budget']:,} per {pacing['window_seconds']} s "
        f"| {pacing['max_share_of_budget']:.0%} of the budget in a full window, {pacing['rate_limited']} x 429 "
        f"| {pacing['mean_share_of_budget']:.0%} mean over {pacing['windows']} windows | | >= 90%, 0 x 429 |"
    )
    for label, (total, parts) in results["cost"].items():
        detail = ", ".join(f"{k} ${v:.6f}" for k, v in parts.items())
        rows.append(f"| cost on paper: {label} | ${total:.4f} | {detail} | | |")
    return "\n".join(rows)


def update_readme(markdown: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    block = f"<!-- bench:start -->\n{markdown}\n<!-- bench:end -->"
    readme.write_text(re.sub(r"<!-- bench:start -->.*<!-- bench:end -->", lambda _: block, text, flags=re.S))


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results: dict[str, Any] = {"e2e": [], "dlt": [], "compaction": []}
    for users in E2E_SIZES:
        print(f"end to end, {users:,} users: connector, then dlt", flush=True)
        results["e2e"].append(subprocess_result("bench.e2e", "--users", str(users)))
        results["dlt"].append(subprocess_result("bench.dlt_run", "--users", str(users)))
    small = subprocess_result("bench.e2e", "--users", "100", "--page-size", "100")
    for users in COMPACTION_SIZES:
        print(f"compaction, {users:,} users: connector, then the floor", flush=True)
        results["compaction"].append(
            (subprocess_result("bench.compaction", "--users", str(users), "--which", "connector"),
             subprocess_result("bench.compaction", "--users", str(users), "--which", "floor"))
        )  # fmt: skip
    print("imports, assets, pacing", flush=True)
    results["imports"] = imports.measure()
    results["assets"] = assets.measure()
    results["pacing"] = subprocess_result("bench.pacing")
    biggest = results["e2e"][-1]
    results["cost"] = {
        "one daily run of 100 users": cost(small),
        f"1,000,000 users (scaled from {biggest['users']:,})": cost(biggest, 1_000_000 / biggest["users"]),
    }
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    markdown = (
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}, in {time.time() - started:.0f} s.\n\n"
        + table(results)
        + "\n\nPrices assumed (eu-central-1, no free tier): "
        + ", ".join(f"{k} ${v:.10g}" for k, v in PRICES.items())
        + ". Lambda seconds are the handlers' measured time on this machine; SQS requests count 64 KiB chunks "
        "sent and received plus deletes (not the event source mappings' empty polls); 1,000,000 users scale "
        "the largest measured run linearly.\n\n![benchmark chart](docs/performance.png)"
    )
    (RESULTS / "bench.md").write_text(markdown + "\n")
    (RESULTS / "bench.json").write_text(json.dumps(results, indent=1, default=str))
    chart(results["e2e"], results["dlt"], RESULTS / "bench.png")
    shutil.copy(RESULTS / "bench.png", ROOT / "docs" / "performance.png")
    update_readme(markdown)
    print(markdown)


if __name__ == "__main__":
    main()
