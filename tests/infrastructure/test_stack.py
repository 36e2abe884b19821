"""The synthesized stack, on the properties that matter; cdk-nag runs in every synthesis here."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from lambdas.shared import topology

LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}
XRAY = {"xray:PutTelemetryRecords", "xray:PutTraceSegments"}
S3_READ = {"s3:GetBucket*", "s3:GetObject*", "s3:List*"}
S3_PUT = {
    "s3:Abort*",
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
}
SQS_SEND = {"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"}
SQS_CONSUME = {
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
}


def resources(template: Template, kind: str) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources(kind)
    return found


def function_by_handler(template: Template, handler: str) -> tuple[str, dict[str, Any]]:
    return next(
        (lid, r)
        for lid, r in resources(template, "AWS::Lambda::Function").items()
        if r["Properties"].get("Handler") == handler
    )


def role_actions(template: Template, handler: str) -> set[str]:
    role = function_by_handler(template, handler)[1]["Properties"]["Role"]["Fn::GetAtt"][0]
    actions: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update(action if isinstance(action, list) else [action])
    return actions


def statements_for(template: Template, handler: str) -> list[dict[str, Any]]:
    role = function_by_handler(template, handler)[1]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        s
        for p in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (topology.PLAN, LOGS | XRAY | S3_READ | S3_PUT | SQS_SEND),
        (topology.FETCH, LOGS | XRAY | S3_READ | SQS_SEND | SQS_CONSUME),
        (topology.TRANSFORM, LOGS | XRAY | SQS_SEND | SQS_CONSUME),
        (
            topology.LOAD,
            LOGS
            | XRAY
            | S3_READ
            | S3_PUT
            | SQS_CONSUME
            | {"s3:DeleteObject*", "sns:Publish", "kms:Decrypt", "kms:GenerateDataKey*"},
        ),
        (topology.GET_USERS, LOGS | XRAY | S3_READ),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_each_role_allows_exactly_the_actions_its_function_uses(
    default_stack: Any, spec: Any, expected: set[str]
) -> None:
    _, template = default_stack
    assert role_actions(template, spec.handler) == expected


def test_transform_touches_no_s3_and_get_users_reads_only_latest_and_runs(default_stack: Any) -> None:
    _, template = default_stack
    assert not any(a.startswith("s3:") for a in role_actions(template, topology.TRANSFORM.handler))
    object_resources = [
        r
        for s in statements_for(template, topology.GET_USERS.handler)
        if "s3:GetObject*" in s["Action"]
        for r in s["Resource"]
        if isinstance(r, dict) and "Fn::Join" in r
    ]
    prefixes = sorted(r["Fn::Join"][1][-1] for r in object_resources)
    assert prefixes == ["/latest/*", "/runs/*"]


def test_every_event_source_mapping_reports_batch_item_failures_with_the_topology_batch_sizes(
    default_stack: Any,
) -> None:
    _, template = default_stack
    mappings = resources(template, "AWS::Lambda::EventSourceMapping")
    assert len(mappings) == len(topology.CONSUMERS)
    by_function = {m["Properties"]["FunctionName"]["Ref"]: m["Properties"] for m in mappings.values()}
    for spec in topology.CONSUMERS:
        function_id = function_by_handler(template, spec.handler)[0]
        props = by_function[function_id]
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert props["BatchSize"] == spec.batch_size
        assert props.get("MaximumBatchingWindowInSeconds", 0) == spec.batching_window_seconds


def test_each_queue_has_a_dlq_max_receive_count_and_visibility_at_least_six_times_its_consumer(
    default_stack: Any,
) -> None:
    _, template = default_stack
    queues = resources(template, "AWS::SQS::Queue")
    mappings = resources(template, "AWS::Lambda::EventSourceMapping").values()
    for spec in topology.CONSUMERS:
        function_id, function = function_by_handler(template, spec.handler)
        mapping = next(m for m in mappings if m["Properties"]["FunctionName"]["Ref"] == function_id)
        queue_id = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
        queue = queues[queue_id]["Properties"]
        assert queue["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"]
        assert queue["RedrivePolicy"]["maxReceiveCount"] == topology.queue(spec.consumes or "").max_receive_count
        dlq_id = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert dlq_id in queues


def test_every_queue_is_encrypted_and_ssl_only(default_stack: Any) -> None:
    _, template = default_stack
    queues = resources(template, "AWS::SQS::Queue")
    assert all(q["Properties"]["SqsManagedSseEnabled"] is True for q in queues.values())
    policies = resources(template, "AWS::SQS::QueuePolicy").values()
    ssl_only = {
        q["Ref"]
        for p in policies
        for q in p["Properties"]["Queues"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    }
    assert ssl_only == set(queues)


def test_buckets_block_public_access_encrypt_enforce_ssl_version_and_log(default_stack: Any) -> None:
    _, template = default_stack
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 2
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
            "SSEAlgorithm": "AES256"
        }
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert bucket["DeletionPolicy"] == "Retain"
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )
    data = next(b for b in buckets.values() if "LoggingConfiguration" in b["Properties"])["Properties"]
    assert data["LoggingConfiguration"]["LogFilePrefix"] == "data/"
    rule = next(r for r in data["LifecycleConfiguration"]["Rules"] if r["Id"] == "expire-old-runs")
    assert (rule["Prefix"], rule["ExpirationInDays"], rule["Status"]) == ("runs/", 30, "Enabled")
    assert data["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"] == ["GET", "HEAD"]


def test_topics_are_encrypted_and_ssl_only(default_stack: Any) -> None:
    _, template = default_stack
    topics = resources(template, "AWS::SNS::Topic")
    assert len(topics) == 2
    assert all("KmsMasterKeyId" in t["Properties"] for t in topics.values())
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_functions_run_the_newest_python_on_arm64_with_json_logs_and_their_own_log_groups(default_stack: Any) -> None:
    _, template = default_stack
    groups = resources(template, "AWS::Logs::LogGroup")
    for spec in topology.FUNCTIONS:
        _, function = function_by_handler(template, spec.handler)
        props = function["Properties"]
        assert (props["Runtime"], props["Architectures"]) == ("python3.14", ["arm64"])
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert groups[props["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"]["RetentionInDays"] == 30
        assert (props["MemorySize"], props["Timeout"]) == (spec.memory_mb, spec.timeout_seconds)
    fetch = function_by_handler(template, topology.FETCH.handler)[1]["Properties"]
    assert fetch["ReservedConcurrentExecutions"] == 4
    fetch_id = function_by_handler(template, topology.FETCH.handler)[0]
    mapping = next(m for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
                   if m["Properties"]["FunctionName"]["Ref"] == fetch_id)  # fmt: skip
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": topology.FETCH.max_concurrency}


def test_schedule_urls_and_outputs(default_stack: Any) -> None:
    _, template = default_stack
    template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "rate(1 day)", "State": "ENABLED"})
    urls = {
        u["Properties"]["TargetFunctionArn"]["Fn::GetAtt"][0]: u["Properties"]
        for u in resources(template, "AWS::Lambda::Url").values()
    }
    plan_id = function_by_handler(template, topology.PLAN.handler)[0]
    read_id = function_by_handler(template, topology.GET_USERS.handler)[0]
    assert urls[plan_id]["AuthType"] == "AWS_IAM"
    assert urls[read_id]["AuthType"] == "NONE"
    assert urls[read_id]["Cors"] == {"AllowMethods": ["GET"], "AllowOrigins": ["*"]}
    assert set(template.to_json()["Outputs"]) == {
        "triggeretljob",
        "getUsers",
        "s3bucket",
        "notificationtopic",
        "region",
    }
    assert resources(template, "Custom::Trigger")  # a first run right after deployment


def test_an_alarm_on_every_dead_letter_queue_and_on_freshness(default_stack: Any) -> None:
    _, template = default_stack
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    watched = {
        a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in alarms
        if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
    }
    dead_letter_queues = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in resources(template, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in q["Properties"]
    }
    assert dead_letter_queues <= watched
    assert len(watched) == 5  # tasks, raw, grouped, schedule target, undelivered notifications
    freshness = next(a for a in alarms if a["Properties"].get("MetricName") == "RunsPublished")["Properties"]
    assert (freshness["EvaluationPeriods"], freshness["Period"], freshness["TreatMissingData"]) == (
        26,
        3600,
        "breaching",
    )
    errors = [a for a in alarms if a["Properties"].get("MetricName") == "Errors"]
    assert len(errors) == len(topology.FUNCTIONS)
    assert resources(template, "AWS::CloudWatch::Dashboard")


def test_configuration_creates_subscriptions_auth_schedule_and_one_stack_per_region(full_stacks: Any) -> None:
    assert [stack.region for stack, _ in full_stacks] == ["eu-central-1", "us-east-1"]
    assert [stack.stack_name for stack, _ in full_stacks] == [
        "RandomUserConnector-acme-eu-central-1",
        "RandomUserConnector-acme-us-east-1",
    ]
    _, template = full_stacks[0]
    subscriptions = [s["Properties"] for s in resources(template, "AWS::SNS::Subscription").values()]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == [
        ("email", "data@acme.example"),
        ("email", "oncall@acme.example"),
        ("email", "ops@acme.example"),
        ("https", "https://hooks.acme.example/randomuser"),
    ]
    webhook = next(s for s in subscriptions if s["Protocol"] == "https")
    assert webhook["RawMessageDelivery"] is True
    assert "RedrivePolicy" in webhook
    template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "cron(0 3 * * ? *)"})
    auth = sorted(u["Properties"]["AuthType"] for u in resources(template, "AWS::Lambda::Url").values())
    assert auth == ["AWS_IAM", "NONE"]
    assert not resources(template, "Custom::Trigger")
    fetch = function_by_handler(template, topology.FETCH.handler)[1]["Properties"]
    assert "ReservedConcurrentExecutions" not in fetch
    assert all(b["DeletionPolicy"] == "Delete" for b in resources(template, "AWS::S3::Bucket").values())
    rule = next(
        r
        for b in resources(template, "AWS::S3::Bucket").values()
        for r in b["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])
        if r["Id"] == "expire-old-runs"
    )
    assert rule["ExpirationInDays"] == 7
