"""The connector stack: it only wires the constructs together and names the outputs."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from stacks.config import ConnectorConfig
from stacks.constructs.endpoints import ReadApi, Triggers
from stacks.constructs.monitoring import Monitoring
from stacks.constructs.notifications import Notifications
from stacks.constructs.pipeline import Pipeline
from stacks.constructs.storage import Storage


class ConnectorStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, config: ConnectorConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, description="randomuser-connector: users by country, daily", **kwargs)
        self.config = config
        self.storage = Storage(self, "Storage", config.run_retention_days, config.keep_data_on_destroy)
        self.notifications = Notifications(
            self, "Notifications", config.notification_emails, config.notification_webhooks
        )
        self.pipeline = Pipeline(self, "Pipeline", config, self.storage.bucket, self.notifications.topic)
        self.read_api = ReadApi(self, "ReadApi", config, self.storage.bucket)
        # links in the trigger's answer and in notifications point at getUsers, never at presigned URLs
        self.pipeline.plan.add_environment("READ_API_URL", self.read_api.url.url)
        self.pipeline.load.add_environment("READ_API_URL", self.read_api.url.url)
        self.triggers = Triggers(self, "Triggers", config, self.pipeline.plan)
        functions = [self.pipeline.plan, self.pipeline.fetch, self.pipeline.transform, self.pipeline.load,
                     self.read_api.handler]  # fmt: skip
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            self.notifications.key,
            config.alarm_emails,
            {**self.pipeline.dead_letter_queues, "schedule": self.triggers.failed_events,
             "notifications": self.notifications.undelivered},
            functions,
            dict(self.pipeline.queues),
            config.freshness_hours,
            self.notifications.undelivered,
        )  # fmt: skip
        if self.triggers.first_run is not None:
            self.triggers.first_run.execute_after(self.storage, self.notifications, self.pipeline, self.read_api)
        CfnOutput(self, "triggeretljob", value=self.triggers.url.url, description="POST (or GET) to start a run")
        CfnOutput(self, "getUsers", value=self.read_api.url.url, description="GET the latest users by country")
        CfnOutput(self, "s3bucket", value=self.storage.bucket.bucket_name, description="the published data")
        CfnOutput(self, "notificationtopic", value=self.notifications.topic.topic_arn, description="subscribe here")
        CfnOutput(self, "region", value=self.region, description="where this copy runs")
