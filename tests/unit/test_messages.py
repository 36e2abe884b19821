import json

import pytest
from pydantic import ValidationError

from lambdas.shared.messages import MAX_MESSAGE_BYTES, TASK_ADAPTER, PageTask, RawRecord, encode, raw_batches
from lambdas.shared.randomuser import strip_record
from tests.helpers import fixture

RUN = "20261203T030000Z-7f3a"


def test_the_real_5000_user_page_splits_into_messages_under_240_kib() -> None:
    records = [strip_record(r) for r in fixture("seed-bulk-page1-5000.json")["results"]]
    batches = list(raw_batches(RUN, 1, records))
    sizes = [len(encode(b).encode()) for b in batches]
    assert max(sizes) <= MAX_MESSAGE_BYTES
    assert [b.chunk for b in batches] == list(range(1, len(batches) + 1))
    assert {b.chunks for b in batches} == {len(batches)}
    assert sum(len(b.records) for b in batches) == 5000
    # deterministic: the same page gives the same chunks
    assert [encode(b) for b in raw_batches(RUN, 1, records)] == [encode(b) for b in batches]


def test_raw_records_cannot_carry_credentials() -> None:
    with pytest.raises(ValidationError, match="password"):
        RawRecord.model_validate({"login": {"uuid": "u", "username": "n", "password": "secret"}})


def test_tasks_round_trip_with_their_schema_version() -> None:
    body = encode(PageTask(run_id=RUN, page=3, results=100))
    assert json.loads(body) == {
        "schema_version": 1,
        "run_id": RUN,
        "kind": "page",
        "page": 3,
        "results": 100,
        "deferrals": 0,
    }
    assert TASK_ADAPTER.validate_json(body) == PageTask(run_id=RUN, page=3, results=100)
    with pytest.raises(ValidationError, match="schema_version"):
        TASK_ADAPTER.validate_json(body.replace('"schema_version":1', '"schema_version":2'))
