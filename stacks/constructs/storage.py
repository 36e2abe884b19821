"""Storage: the data bucket clients read from, and the bucket that keeps its access logs."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from lambdas.shared import layout


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, run_retention_days: int, keep_on_destroy: bool) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if keep_on_destroy else RemovalPolicy.DESTROY

        def secure_bucket(bucket_id: str, **props: Any) -> s3.Bucket:
            """Private, encrypted, SSL-only and versioned, whatever else it is."""
            return s3.Bucket(
                self,
                bucket_id,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                encryption=s3.BucketEncryption.S3_MANAGED,
                enforce_ssl=True,
                versioned=True,
                removal_policy=removal,
                auto_delete_objects=not keep_on_destroy,
                **props,
            )

        self.access_logs = secure_bucket(
            "AccessLogs",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(365),
                                 noncurrent_version_expiration=Duration.days(7)),
            ],
        )  # fmt: skip
        self.bucket = secure_bucket(
            "Data",
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="data/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-old-runs",
                    prefix=layout.RUNS_PREFIX,
                    expiration=Duration.days(run_retention_days),
                    noncurrent_version_expiration=Duration.days(7),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(
                    id="expire-replaced-versions",
                    noncurrent_version_expiration=Duration.days(7),
                    expired_object_delete_marker=True,
                ),
            ],
            cors=[
                # a browser page can follow getUsers' redirect to a presigned URL
                s3.CorsRule(allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.HEAD], allowed_origins=["*"],
                            allowed_headers=["*"], max_age=3600),
            ],
        )  # fmt: skip
