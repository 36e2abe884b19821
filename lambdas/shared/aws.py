"""The only code that talks to AWS: small adapters over S3, SQS and SNS.

Clients come from boto3's standard configuration (region, credentials,
AWS_ENDPOINT_URL), so the same code runs against AWS and the local twin.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=60)
SQS_BATCH_ENTRIES = 10
SQS_BATCH_BYTES = 240 * 1024


class PreconditionFailedError(Exception):
    """A conditional S3 write lost: the object exists (create-only) or changed (ETag)."""


@cache
def s3_client() -> S3Client:
    client: S3Client = boto3.client("s3", config=_CONFIG)
    return client


@cache
def sqs_client() -> SQSClient:
    client: SQSClient = boto3.client("sqs", config=_CONFIG)
    return client


@cache
def sns_client() -> SNSClient:
    client: SNSClient = boto3.client("sns", config=_CONFIG)
    return client


def dumps(document: Any) -> bytes:
    """The one JSON encoding of stored documents: UTF-8, compact, stable key order as given."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class ObjectHead:
    etag: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class StoredObject:
    body: bytes
    etag: str

    def json(self) -> Any:
        return json.loads(self.body)


def _is_precondition_failure(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("PreconditionFailed", "ConditionalRequestConflict") or status in (409, 412)


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")


class ObjectStore:
    """One bucket."""

    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> S3Client:
        return self._client or s3_client()

    def get(self, key: str) -> StoredObject | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return StoredObject(response["Body"].read(), response["ETag"])

    def get_json(self, key: str) -> Any | None:
        stored = self.get(key)
        return None if stored is None else stored.json()

    def head(self, key: str) -> ObjectHead | None:
        try:
            response = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return ObjectHead(response["ETag"], dict(response.get("Metadata", {})))

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def put(
        self,
        key: str,
        body: bytes,
        *,
        create_only: bool = False,
        if_match: str | None = None,
        content_type: str = "application/json",
        cache_control: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> str:
        """Write an object; with create_only or if_match, raise PreconditionFailedError on a lost race."""
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Body": body, "ContentType": content_type}
        if create_only:
            args["IfNoneMatch"] = "*"
        if if_match is not None:
            args["IfMatch"] = if_match
        if cache_control:
            args["CacheControl"] = cache_control
        if metadata:
            args["Metadata"] = metadata
        try:
            return str(self.client.put_object(**args)["ETag"])
        except ClientError as error:
            conditional = create_only or if_match is not None
            if conditional and (_is_precondition_failure(error) or (if_match is not None and _is_missing(error))):
                raise PreconditionFailedError(key) from error
            raise

    def put_json(self, key: str, document: Any, **kwargs: Any) -> str:
        return self.put(key, dumps(document), **kwargs)

    def keys(self, prefix: str) -> Iterator[str]:
        """Keys under a prefix, in S3's (lexicographic) order."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def common_prefixes(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
            for item in page.get("CommonPrefixes", []):
                yield item["Prefix"]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def presign(self, key: str, seconds: int) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds
        )


@dataclass(frozen=True)
class OutgoingMessage:
    id: str  # unique within one call; alphanumeric, hyphen, underscore
    body: str
    delay_seconds: int = 0


class SendFailedError(RuntimeError):
    """SQS refused some entries of a batch."""


def _groups(messages: Sequence[OutgoingMessage]) -> Iterator[list[OutgoingMessage]]:
    group: list[OutgoingMessage] = []
    size = 0
    for message in messages:
        length = len(message.body.encode())
        if group and (len(group) == SQS_BATCH_ENTRIES or size + length > SQS_BATCH_BYTES):
            yield group
            group, size = [], 0
        group.append(message)
        size += length
    if group:
        yield group


class Queue:
    """One SQS queue, written with SendMessageBatch."""

    def __init__(self, url: str, client: SQSClient | None = None) -> None:
        self.url = url
        self._client = client

    @property
    def client(self) -> SQSClient:
        return self._client or sqs_client()

    def send(self, messages: Iterable[OutgoingMessage]) -> int:
        """Send everything, 10 entries (and at most 240 KiB) per call; raise if any entry failed."""
        sent = 0
        for group in _groups(list(messages)):
            response = self.client.send_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": m.id, "MessageBody": m.body, "DelaySeconds": m.delay_seconds} for m in group],
            )
            failed = response.get("Failed", [])
            if failed:
                reasons = "; ".join(f"{f['Id']}: {f.get('Message', f.get('Code'))}" for f in failed)
                raise SendFailedError(f"{len(failed)} of {len(group)} messages not sent to {self.url}: {reasons}")
            sent += len(group)
        return sent


class Topic:
    """One SNS topic."""

    def __init__(self, arn: str, client: SNSClient | None = None) -> None:
        self.arn = arn
        self._client = client

    @property
    def client(self) -> SNSClient:
        return self._client or sns_client()

    def publish(self, subject: str, message: Mapping[str, Any], attributes: Mapping[str, str | int | list[str]]) -> str:
        encoded: dict[str, Any] = {}
        for name, value in attributes.items():
            if isinstance(value, list):
                encoded[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
            elif isinstance(value, int):
                encoded[name] = {"DataType": "Number", "StringValue": str(value)}
            else:
                encoded[name] = {"DataType": "String", "StringValue": value}
        response = self.client.publish(
            TopicArn=self.arn, Subject=subject[:100], Message=json.dumps(message), MessageAttributes=encoded
        )
        return str(response["MessageId"])
