"""The size of each Lambda asset, unzipped and zipped, built exactly as `cdk synth` builds them."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from lambdas.shared import topology
from stacks.bundling import build_asset


def measure() -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for spec in topology.FUNCTIONS:
        with tempfile.TemporaryDirectory() as work:
            target = Path(work) / "asset"
            build_asset(target, spec.packages)
            unzipped = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
            archive = shutil.make_archive(str(Path(work) / "asset"), "zip", target)
            out[spec.name] = (unzipped, Path(archive).stat().st_size)
    return out
