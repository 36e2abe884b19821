"""Synthesized stacks, once per configuration: bundling skipped, cdk-nag on (synthesis fails on a finding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

FULL = {
    "instance": "acme",
    "notification_emails": "data@acme.example,ops@acme.example",
    "notification_webhooks": "https://hooks.acme.example/randomuser",
    "alarm_emails": "oncall@acme.example",
    "get_users_auth": "AWS_IAM",
    "trigger_auth": "NONE",
    "keep_data_on_destroy": "false",
    "first_run_on_deploy": "false",
    "schedule": "cron(0 3 * * ? *)",
    "run_retention_days": "7",
    "regions": "eu-central-1,us-east-1",
    "fetch_reserved_concurrency": "0",
}


def synthesize(context: dict[str, Any], outdir: Path) -> Any:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    import app as cdk_app

    application = cdk.App(context={"aws:cdk:bundling-stacks": [], **context}, outdir=str(outdir))
    stacks = cdk_app.build(application)
    application.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    return [(stack, Template.from_stack(stack)) for stack in stacks]


@pytest.fixture(scope="session")
def default_stack(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return synthesize({}, tmp_path_factory.mktemp("cdk-default"))[0]


@pytest.fixture(scope="session")
def full_stacks(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return synthesize(FULL, tmp_path_factory.mktemp("cdk-full"))
