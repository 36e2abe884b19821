"""Lambda assets without Docker: pip installs the runtime requirements for the Lambda platform, locally.

Each function's asset holds the pinned runtime requirements (manylinux aarch64
wheels for the Lambda Python version), `lambdas/__init__.py`, the shared
package and the function's own package: no tests, no caches, nothing else.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS = ROOT / "lambdas"
REQUIREMENTS = LAMBDAS / "requirements.txt"
PYTHON_VERSION = "3.14"
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
PLATFORM = "manylinux2014_aarch64"
CACHE = ROOT / ".build" / "lambda-deps"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.dist-info/RECORD")


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256(f"{PYTHON_VERSION}-{PLATFORM}".encode())
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def dependencies() -> Path:
    """The runtime requirements installed once for the Lambda platform, cached by their hash."""
    target = CACHE / _digest([REQUIREMENTS])[:16]
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(  # noqa: S603 - fixed arguments, our own requirements file
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                "--target", str(target), "--platform", PLATFORM, "--implementation", "cp",
                "--python-version", PYTHON_VERSION, "--only-binary=:all:", "-r", str(REQUIREMENTS),
            ],
            check=True,
        )  # fmt: skip
        for cache in target.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(target / "bin", ignore_errors=True)
        (target / ".complete").write_text("ok")
    return target


def build_asset(output_dir: Path, packages: tuple[str, ...]) -> None:
    """Fill an asset directory: dependencies, lambdas/__init__.py, shared and the function's packages."""
    shutil.copytree(dependencies(), output_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".complete"))
    (output_dir / "lambdas").mkdir(exist_ok=True)
    shutil.copy2(LAMBDAS / "__init__.py", output_dir / "lambdas" / "__init__.py")
    for package in ("shared", *packages):
        shutil.copytree(LAMBDAS / package, output_dir / "lambdas" / package, dirs_exist_ok=True, ignore=IGNORED)


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    def __init__(self, packages: tuple[str, ...]) -> None:
        self.packages = packages

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: object) -> bool:
        build_asset(Path(output_dir), self.packages)
        return True


def function_code(packages: tuple[str, ...]) -> lambda_.Code:
    """The asset of a function; its hash covers exactly what goes into it."""
    source_hash = _digest([REQUIREMENTS, LAMBDAS / "__init__.py", LAMBDAS / "shared", *(LAMBDAS / p for p in packages)])
    return lambda_.Code.from_asset(
        str(LAMBDAS),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=source_hash,
        bundling=BundlingOptions(
            image=RUNTIME.bundling_image,  # only used where local bundling is impossible
            local=LocalPipBundling(packages),
            command=["bash", "-c", "echo 'local bundling only: run cdk on a machine with Python' && exit 1"],
        ),
    )
