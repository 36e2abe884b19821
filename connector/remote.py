"""Talking to a running connector (twin or deployed): URLs from a state file or stack outputs, SigV4."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

STATE_FILE = Path(".connector") / "twin.json"


class ConnectorNotFoundError(RuntimeError):
    """No running twin and no deployed stack outputs to talk to."""


@dataclass(frozen=True)
class Endpoints:
    trigger_url: str
    get_users_url: str
    sign: bool = False  # the trigger URL uses AWS_IAM auth
    region: str | None = None

    def save(self, path: Path = STATE_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self)))


def from_stack_outputs(path: Path) -> Endpoints:
    """`cdk deploy --outputs-file outputs.json`: the first stack that has both URLs."""
    try:
        stacks = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConnectorNotFoundError(f"cannot read stack outputs {path}: {error}") from None
    for outputs in stacks.values():
        if "triggeretljob" in outputs and "getUsers" in outputs:
            region = outputs.get("region")
            return Endpoints(outputs["triggeretljob"], outputs["getUsers"], sign=True, region=region)
    raise ConnectorNotFoundError(f"{path} has no stack with triggeretljob and getUsers outputs")


def locate(outputs: Path | None) -> Endpoints:
    if outputs is not None:
        return from_stack_outputs(outputs)
    if not STATE_FILE.exists():
        raise ConnectorNotFoundError(
            "no local twin is running (start one with `connector local up`), "
            "and no --outputs file of a deployed stack was given"
        )
    return Endpoints(**json.loads(STATE_FILE.read_text()))


def _signed(method: str, url: str, body: bytes, region: str | None) -> dict[str, str]:
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = boto3.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise ConnectorNotFoundError("the trigger URL needs AWS credentials (AWS_IAM auth) and none were found")
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(credentials.get_frozen_credentials(), "lambda", region or session.region_name or "eu-central-1").add_auth(
        request
    )
    return dict(request.headers.items())


def call(endpoints: Endpoints, method: str, url: str, body: dict[str, Any] | None = None) -> requests.Response:
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json"}
    if endpoints.sign and url.startswith(endpoints.trigger_url):
        headers = _signed(method, url, data, endpoints.region)
    try:
        return requests.request(method, url, data=data or None, headers=headers, timeout=30, allow_redirects=False)
    except requests.ConnectionError:
        raise ConnectorNotFoundError(f"nothing answers at {url}: is the twin (`connector local up`) running?") from None
