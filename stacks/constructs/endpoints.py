"""Triggers (daily schedule, trigger URL, first run on deploy) and the getUsers read API."""

from __future__ import annotations

from aws_cdk import Duration, triggers
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambdas.shared import layout, topology
from stacks.config import ConnectorConfig
from stacks.constructs.function import ConnectorFunction
from stacks.nag import acknowledge, acknowledge_bucket_grants, acknowledge_dead_letter_queue


class ReadApi(Construct):
    """getUsers: a function URL that redirects to short-lived presigned URLs; reads latest/ and runs/ only."""

    def __init__(self, scope: Construct, construct_id: str, config: ConnectorConfig, bucket: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.handler = ConnectorFunction(
            self, "GetUsers", topology.GET_USERS, {"BUCKET_NAME": bucket.bucket_name}, config.log_retention_days
        )
        bucket.grant_read(self.handler.role, f"{layout.LATEST_PREFIX}*")
        bucket.grant_read(self.handler.role, f"{layout.RUNS_PREFIX}*")
        acknowledge_bucket_grants(
            self.handler.role, bucket, (f"{layout.LATEST_PREFIX}*", f"{layout.RUNS_PREFIX}*"), writes=False
        )
        acknowledge(self.handler.function, "Serverless-LambdaDLQ", "invoked synchronously by its function URL")
        self.url = self.handler.function.add_function_url(
            auth_type=lambda_.FunctionUrlAuthType[config.get_users_auth],
            cors=lambda_.FunctionUrlCorsOptions(allowed_origins=["*"], allowed_methods=[lambda_.HttpMethod.GET]),
        )


class Triggers(Construct):
    """How runs start: the schedule, the trigger URL, and optionally a first run right after deployment."""

    def __init__(self, scope: Construct, construct_id: str, config: ConnectorConfig, plan: ConnectorFunction) -> None:
        super().__init__(scope, construct_id)
        self.failed_events = sqs.Queue(
            self, "ScheduleDeadLetters", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            retention_period=Duration.days(14),
        )  # fmt: skip
        acknowledge_dead_letter_queue(self.failed_events, "the schedule's target")
        self.rule = events.Rule(
            self,
            "Schedule",
            description="starts a randomuser-connector run",
            schedule=events.Schedule.expression(config.schedule),
            targets=[targets.LambdaFunction(plan.function, dead_letter_queue=self.failed_events, retry_attempts=2)],
        )
        self.url = plan.function.add_function_url(auth_type=lambda_.FunctionUrlAuthType[config.trigger_auth])
        self.first_run: triggers.Trigger | None = None
        if config.first_run_on_deploy:
            # invoked with an empty event: a direct run with the configured defaults
            self.first_run = triggers.Trigger(
                self,
                "FirstRun",
                handler=plan.function,
                invocation_type=triggers.InvocationType.EVENT,
                execute_on_handler_change=False,
            )
            acknowledge(
                plan.function,
                "Annotation::@aws-cdk/aws-lambda:addPermissionsToVersionOrAlias",
                "only the deployment trigger invokes a version, with the invoke permission it grants itself",
            )
