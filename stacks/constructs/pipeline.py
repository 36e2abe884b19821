"""Pipeline: the three queues with their dead-letter queues, and the functions that produce and consume them."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambdas.shared import layout, topology
from lambdas.shared.topology import FunctionSpec, QueueSpec
from stacks.config import ConnectorConfig
from stacks.constructs.function import ConnectorFunction
from stacks.nag import acknowledge, acknowledge_bucket_grants, acknowledge_dead_letter_queue


class Pipeline(Construct):
    """extract plan -> [tasks] -> extract fetch -> [raw] -> transform -> [grouped] -> load."""

    def __init__(
        self, scope: Construct, construct_id: str, config: ConnectorConfig, bucket: s3.IBucket, topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for spec in topology.QUEUES:
            consumer = next(f for f in topology.CONSUMERS if f.consumes == spec.name)
            self._queue(spec, consumer)
        base_env = {
            "BUCKET_NAME": bucket.bucket_name,
            **{spec.env: self.queues[spec.name].queue_url for spec in topology.QUEUES},
            **config.lambda_environment(),
        }

        def function(spec: FunctionSpec, env_keys: tuple[str, ...], reserved: int | None = None) -> ConnectorFunction:
            env = {key: base_env[key] for key in env_keys}
            return ConnectorFunction(self, _construct_id(spec), spec, env, config.log_retention_days, reserved)

        settings = ("USERS_PER_RUN", "PAGE_SIZE", "NATIONALITIES", "SOURCE_URL", "MANUAL_COOLDOWN_SECONDS")
        budget = ("RATE_BUDGET_USERS", "RATE_BUDGET_WINDOW_SECONDS")
        self.plan = function(topology.PLAN, ("BUCKET_NAME", "TASKS_QUEUE_URL", *settings, *budget))
        self.fetch = function(
            topology.FETCH,
            ("BUCKET_NAME", "TASKS_QUEUE_URL", "RAW_QUEUE_URL", *budget),
            config.fetch_reserved_concurrency or None,
        )
        self.transform = function(topology.TRANSFORM, ("GROUPED_QUEUE_URL",))
        self.load = function(topology.LOAD, ("BUCKET_NAME",))
        self.load.add_environment("TOPIC_ARN", topic.topic_arn)

        # Least privilege, by grant: what each function reads, writes, sends and publishes.
        runs, latest, control = f"{layout.RUNS_PREFIX}*", f"{layout.LATEST_PREFIX}*", f"{layout.CONTROL_PREFIX}*"
        for prefix in (runs, control):
            bucket.grant_read(self.plan.role, prefix)
            bucket.grant_put(self.plan.role, prefix)
        self.queues["tasks"].grant_send_messages(self.plan.role)
        bucket.grant_read(self.fetch.role, runs)
        self.queues["tasks"].grant_send_messages(self.fetch.role)
        self.queues["raw"].grant_send_messages(self.fetch.role)
        self.queues["grouped"].grant_send_messages(self.transform.role)
        for prefix in (runs, latest):
            bucket.grant_read(self.load.role, prefix)
            bucket.grant_put(self.load.role, prefix)
        bucket.grant_delete(self.load.role, latest)
        topic.grant_publish(self.load.role)
        acknowledge_bucket_grants(self.plan.role, bucket, (runs, control), writes=True)
        acknowledge_bucket_grants(self.fetch.role, bucket, (runs,), writes=False)
        acknowledge_bucket_grants(self.load.role, bucket, (runs, latest), writes=True)
        acknowledge(
            self.load.role,
            "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
            "load removes latest/countries/<CODE>.json of countries the newest run no longer has",
        )
        acknowledge(
            self.load.role,
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            "grant_publish on the encrypted topic: data keys for the messages it publishes",
        )
        for fn in (self.fetch, self.transform, self.load):
            acknowledge(
                fn.function,
                "Serverless-LambdaDLQ",
                "invoked synchronously by its SQS event source; failed messages go to the queue's DLQ",
            )
        acknowledge(
            self.plan.function,
            "Serverless-LambdaDLQ",
            "invoked by its URL (synchronous) and the schedule, whose target has a DLQ and retries",
        )

        for stage in (self.fetch, self.transform, self.load):
            assert stage.spec.consumes is not None
            stage.function.add_event_source(
                sources.SqsEventSource(
                    self.queues[stage.spec.consumes],
                    batch_size=stage.spec.batch_size,
                    max_batching_window=Duration.seconds(stage.spec.batching_window_seconds)
                    if stage.spec.batching_window_seconds
                    else None,
                    report_batch_item_failures=True,
                    max_concurrency=stage.spec.max_concurrency,
                )
            )
            for mapping in stage.function.node.find_all():
                if isinstance(mapping, lambda_.CfnEventSourceMapping):
                    acknowledge(
                        mapping,
                        "Serverless-LambdaEventSourceMappingDestination",
                        "SQS sources fail over through the queue's redrive policy to its dead-letter queue",
                    )

    def _queue(self, spec: QueueSpec, consumer: FunctionSpec) -> None:
        dead = sqs.Queue(
            self, f"{spec.name.title()}DeadLetters", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            retention_period=Duration.days(14),
        )  # fmt: skip
        self.dead_letter_queues[spec.name] = dead
        acknowledge_dead_letter_queue(dead, f"the {spec.name} queue")
        self.queues[spec.name] = sqs.Queue(
            self,
            f"{spec.name.title()}Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(consumer.visibility_timeout_seconds),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=spec.max_receive_count, queue=dead),
        )


def _construct_id(spec: FunctionSpec) -> str:
    return "".join(part.title() for part in spec.name.split("-"))
