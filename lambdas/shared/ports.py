"""What the logic needs from AWS, as protocols: the adapters in aws.py provide them, tests may fake them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from lambdas.shared.aws import ObjectHead, OutgoingMessage, StoredObject


class Store(Protocol):
    def get(self, key: str) -> StoredObject | None: ...
    def get_json(self, key: str) -> Any | None: ...
    def head(self, key: str) -> ObjectHead | None: ...
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
    ) -> str: ...
    def put_json(self, key: str, document: Any, **kwargs: Any) -> str: ...
    def keys(self, prefix: str) -> Iterator[str]: ...
    def delete(self, key: str) -> None: ...


class Sender(Protocol):
    def send(self, messages: Iterable[OutgoingMessage]) -> int: ...


class Publisher(Protocol):
    def publish(
        self, subject: str, message: Mapping[str, Any], attributes: Mapping[str, str | int | list[str]]
    ) -> str: ...
