"""The real Lambda assets, built without Docker: what is in them, for which platform, and how big."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdas.shared import topology
from stacks.bundling import build_asset

SIZE_BUDGET_MB = 80  # unzipped; Lambda allows 250


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for spec in (topology.TRANSFORM, topology.GET_USERS):
        target = tmp_path_factory.mktemp(spec.name)
        build_asset(target, spec.packages)
        out[spec.name] = target
    return out


def test_an_asset_holds_the_shared_package_its_own_package_and_nothing_else_of_ours(assets: dict[str, Path]) -> None:
    transform = assets["transform"]
    assert sorted(p.name for p in (transform / "lambdas").iterdir()) == ["__init__.py", "shared", "transform"]
    assert (transform / "lambdas" / "shared" / "messages.py").exists()
    assert sorted(p.name for p in (assets["get-users"] / "lambdas").iterdir()) == ["__init__.py", "read", "shared"]


def test_dependencies_are_built_for_lambda_arm64_and_the_lambda_python(assets: dict[str, Path]) -> None:
    native = list((assets["transform"] / "pydantic_core").glob("_pydantic_core*.so"))
    assert [p.name for p in native] == ["_pydantic_core.cpython-314-aarch64-linux-gnu.so"]
    for package in ("aws_lambda_powertools", "pydantic", "requests", "urllib3", "boto3", "aws_xray_sdk"):
        assert (assets["transform"] / package).is_dir(), package


def test_no_tests_caches_or_local_tooling_and_within_the_size_budget(assets: dict[str, Path]) -> None:
    for asset in assets.values():
        names = {p.name for p in asset.rglob("*")}
        assert "__pycache__" not in names
        assert not (asset / "tests").exists()
        assert not any(p.suffix == ".pyc" for p in asset.rglob("*"))
        assert not (asset / "moto").exists()
        assert not (asset / "connector").exists()
        size_mb = sum(p.stat().st_size for p in asset.rglob("*") if p.is_file()) / 1e6
        assert size_mb < SIZE_BUDGET_MB, f"{asset.name}: {size_mb:.1f} MB"
