"""Monitoring: an ops topic, an alarm per dead-letter queue, errors per function, data freshness, a dashboard."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambdas.shared.observability import NAMESPACE
from stacks.constructs.function import ConnectorFunction


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        key: kms.IKey,
        alarm_emails: tuple[str, ...],
        dead_letter_queues: dict[str, sqs.IQueue],
        functions: list[ConnectorFunction],
        queues: dict[str, sqs.IQueue],
        freshness_hours: int,
        undelivered: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Ops", display_name="randomuser-connector alarms", master_key=key, enforce_ssl=True
        )
        for email in alarm_emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email, dead_letter_queue=undelivered))
        action = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"{name.title()}DeadLetters",
                queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1), statistic="Maximum"),
                f"messages in the {name} dead-letter queue: a run cannot complete until they are redriven",
                action,
            )
        for fn in functions:
            self._alarm(
                f"{fn.node.id}Errors",
                fn.function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
                f"{fn.spec.name} raised errors",
                action,
            )
        published = cloudwatch.Metric(
            namespace=NAMESPACE, metric_name="RunsPublished", dimensions_map={"service": "load"},
            statistic="Sum", period=Duration.hours(1),
        )  # fmt: skip
        self.freshness = cloudwatch.Alarm(
            self,
            "Freshness",
            alarm_description=f"no run published in {freshness_hours} hours: the data is getting stale",
            metric=published,
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=freshness_hours,
            datapoints_to_alarm=freshness_hours,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        self.freshness.add_alarm_action(action)
        self.alarms.append(self.freshness)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="queue depth",
                left=[q.metric_approximate_number_of_messages_visible(label=n) for n, q in queues.items()],
            ),
            cloudwatch.GraphWidget(
                title="dead letters",
                left=[q.metric_approximate_number_of_messages_visible(label=n) for n, q in dead_letter_queues.items()],
            ),
            cloudwatch.GraphWidget(
                title="runs and users",
                left=[published.with_(label="runs published", period=Duration.hours(1))],
                right=[
                    cloudwatch.Metric(
                        namespace=NAMESPACE,
                        metric_name=name,
                        dimensions_map={"service": service},
                        statistic="Sum",
                        label=name,
                    )
                    for name, service in (
                        ("UsersPublished", "load"),
                        ("PagesRateLimited", "extract-fetch"),
                        ("UsersExtracted", "extract-fetch"),
                    )
                ],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="errors", left=[fn.function.metric_errors(label=fn.spec.name) for fn in functions]
            ),
            cloudwatch.GraphWidget(
                title="duration (p95)",
                left=[fn.function.metric_duration(statistic="p95", label=fn.spec.name) for fn in functions],
            ),
        )

    def _alarm(
        self, construct_id: str, metric: cloudwatch.IMetric, description: str, action: actions.SnsAction
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(action)
        self.alarms.append(alarm)
