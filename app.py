#!/usr/bin/env python3
"""The CDK app: one connector stack per configured region."""

from __future__ import annotations

import os

from stacks.node import use_supported_node

use_supported_node()

import aws_cdk as cdk  # noqa: E402 - jsii must start on the supported Node
from cdk_nag import AwsSolutionsChecks, ServerlessChecks  # noqa: E402

from stacks.config import load_config  # noqa: E402
from stacks.connector_stack import ConnectorStack  # noqa: E402


def build(app: cdk.App) -> list[ConnectorStack]:
    config = load_config(app.node.try_get_context)
    stacks = [
        ConnectorStack(
            app,
            f"RandomUserConnector-{config.instance}-{region}",
            config,
            env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region),
        )
        for region in config.regions
    ]
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return stacks


if __name__ == "__main__":
    application = cdk.App()
    build(application)
    application.synth()
