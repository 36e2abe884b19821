"""The messages that travel on the three queues, each with a schema version.

tasks queue:   PageTask | ContinueTask   (extract plan -> extract fetch)
raw queue:     RawBatch                  (extract fetch -> transform)
grouped queue: GroupedBatch              (transform -> load)

A batch is identified by (run_id, page, chunk, chunks): every downstream write
is keyed by it, so a redelivered message rewrites the same object.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from lambdas.shared.runs import validate_run_id

SCHEMA_VERSION: Literal[1] = 1
MAX_MESSAGE_BYTES = 240 * 1024
# Raw chunks aim below the limit: the grouped batch made from a chunk adds the
# rejection reasons, and must fit too.
RAW_CHUNK_TARGET_BYTES = 200 * 1024
_ENVELOPE_BYTES = 512


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    run_id: str

    @field_validator("run_id")
    @classmethod
    def _run_id(cls, value: str) -> str:
        return validate_run_id(value)


class PageTask(Message):
    """Fetch one page of a run."""

    kind: Literal["page"] = "page"
    page: int = Field(ge=1, le=10_000)
    results: int = Field(ge=1, le=5_000)
    deferrals: int = Field(default=0, ge=0)  # times a 429 put it back for later


class ContinueTask(Message):
    """Schedule the rest of a run's pages: SQS can delay a message by 15 minutes at most."""

    kind: Literal["continue"] = "continue"
    next_page: int = Field(ge=1)
    first_delay_seconds: int = Field(ge=0)


Task = Annotated[PageTask | ContinueTask, Field(discriminator="kind")]
TASK_ADAPTER: TypeAdapter[PageTask | ContinueTask] = TypeAdapter(Task)


class RawLogin(BaseModel):
    """Only the identity of a login: the credentials never get this far."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    uuid: str | None = None
    username: str | None = None


class RawLocation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    country: str | None = None


class RawRecord(BaseModel):
    """randomuser's own nesting, reduced to the fields the connector needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    gender: str | None = None
    email: str | None = None
    login: RawLogin | None = None
    location: RawLocation | None = None


class BatchMessage(Message):
    page: int = Field(ge=1, le=10_000)
    chunk: int = Field(ge=1)
    chunks: int = Field(ge=1)

    @property
    def batch_id(self) -> tuple[str, int, int, int]:
        return (self.run_id, self.page, self.chunk, self.chunks)


class RawBatch(BatchMessage):
    kind: Literal["raw"] = "raw"
    records: list[RawRecord]


class User(BaseModel):
    """A published user."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    userName: str  # noqa: N815 - the published JSON's field name
    email: str
    gender: str | None  # kept as given; randomuser always sends one


class CountryGroup(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    users: list[User]


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reason: str
    record: RawRecord


class GroupedBatch(BatchMessage):
    kind: Literal["grouped"] = "grouped"
    extracted: int = Field(ge=0)
    countries: dict[str, CountryGroup]  # by country name
    rejected: list[Rejection]


def _record_size(record: dict[str, Any]) -> int:
    return len(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()) + 1


def chunk_records(
    records: Sequence[dict[str, Any]], target_bytes: int = RAW_CHUNK_TARGET_BYTES
) -> list[list[dict[str, Any]]]:
    """Split a page's records, in order, into chunks whose message stays under the target size.

    Deterministic: the same page always gives the same chunks, so a re-fetched
    page produces batches with the same identity.
    """
    budget = target_bytes - _ENVELOPE_BYTES
    chunks: list[list[dict[str, Any]]] = [[]]
    used = 0
    for record in records:
        size = _record_size(record)
        if size > budget:
            raise ValueError(f"a single record of {size} bytes exceeds the message budget of {budget} bytes")
        if used + size > budget and chunks[-1]:
            chunks.append([])
            used = 0
        chunks[-1].append(record)
        used += size
    return chunks


def raw_batches(run_id: str, page: int, records: Sequence[dict[str, Any]]) -> Iterator[RawBatch]:
    chunks = chunk_records(records)
    for index, chunk in enumerate(chunks, start=1):
        yield RawBatch(
            run_id=run_id,
            page=page,
            chunk=index,
            chunks=len(chunks),
            records=[RawRecord.model_validate(record) for record in chunk],
        )


def encode(message: BaseModel) -> str:
    """The message body; refuses anything over the queue message limit."""
    body = message.model_dump_json(exclude_none=True)
    size = len(body.encode())
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {size} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
    return body
