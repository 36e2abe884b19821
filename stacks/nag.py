"""cdk-nag acknowledgments: every accepted finding is recorded with its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_s3 as s3
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def acknowledge_dead_letter_queue(queue: IConstruct, of_what: str) -> None:
    """A queue that is itself a dead-letter queue: no DLQ of its own, no redrive policy."""
    acknowledge(queue, "AwsSolutions-SQS3", f"this queue is the dead-letter queue of {of_what}")
    acknowledge(
        queue,
        "Serverless-SQSRedrivePolicy",
        "a dead-letter queue: an operator redrives its messages once the cause is fixed (see README, Operations)",
    )


def acknowledge_bucket_grants(role: IConstruct, bucket: s3.IBucket, prefixes: tuple[str, ...], writes: bool) -> None:
    """The wildcards that grant_read / grant_put bring, scoped to the prefixes a function works under."""
    logical_id = Stack.of(bucket).get_logical_id(bucket.node.default_child)  # type: ignore[arg-type]
    reads = "grant_read: GetObject*/GetBucket*/List* let the function read and list objects under its prefixes"
    for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*"):
        acknowledge(role, f"AwsSolutions-IAM5[Action::{action}]", reads)
    if writes:
        acknowledge(role, "AwsSolutions-IAM5[Action::s3:Abort*]", "grant_put: aborting its own multipart uploads")
    for prefix in prefixes:
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/{prefix}]",
            "object keys carry run ids and country codes, known only at run time; access stays under this prefix",
        )
