"""Notifications: the topic organizations subscribe to (email, HTTPS webhooks), encrypted, SSL only."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.nag import acknowledge_dead_letter_queue


class Notifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, emails: tuple[str, ...], webhooks: tuple[str, ...]) -> None:
        super().__init__(scope, construct_id)
        # A customer managed key: CloudWatch alarms cannot publish to topics under the AWS managed SNS key.
        self.key = kms.Key(self, "TopicKey", enable_key_rotation=True, description="randomuser-connector topics")
        self.key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(self, "Runs", display_name="randomuser-connector runs", master_key=self.key,
                               enforce_ssl=True)  # fmt: skip
        # Deliveries that SNS gives up on land here instead of being lost.
        self.undelivered = sqs.Queue(
            self, "Undelivered", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            retention_period=Duration.days(14),
        )  # fmt: skip
        acknowledge_dead_letter_queue(self.undelivered, "the topic's subscriptions")
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email, dead_letter_queue=self.undelivered))
        for url in webhooks:
            self.topic.add_subscription(
                subscriptions.UrlSubscription(
                    url, protocol=sns.SubscriptionProtocol.HTTPS, raw_message_delivery=True,
                    dead_letter_queue=self.undelivered,
                )
            )  # fmt: skip
