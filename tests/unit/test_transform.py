"""Transform, property-tested: every valid record once under its own country, exactly the invalid ones rejected."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdas.shared.messages import RawBatch, RawLocation, RawLogin, RawRecord
from lambdas.shared.nationalities import NATIONALITIES
from lambdas.transform.logic import EMAIL, canonical_country, transform, validate

RUN = "20261203T030000Z-7f3a"
text = st.one_of(st.none(), st.just(""), st.just("  "), st.text(min_size=1, max_size=12))
emails = st.one_of(text, st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@example\.com", fullmatch=True))
countries = st.one_of(text, st.sampled_from(sorted(NATIONALITIES.values())))
records = st.builds(
    RawRecord,
    gender=st.one_of(st.none(), st.sampled_from(["male", "female"])),
    email=emails,
    login=st.one_of(st.none(), st.builds(RawLogin, uuid=text, username=text)),
    location=st.one_of(st.none(), st.builds(RawLocation, country=countries)),
)


def is_valid(record: RawRecord) -> bool:
    fields = [
        record.login.uuid if record.login else None,
        record.login.username if record.login else None,
        record.email,
        record.location.country if record.location else None,
    ]
    return all((value or "").strip() for value in fields) and bool(EMAIL.match((record.email or "").strip()))


@settings(max_examples=200, deadline=None)
@given(st.lists(records, max_size=40))
def test_transform_partitions_the_batch(batch_records: list[RawRecord]) -> None:
    batch = RawBatch(run_id=RUN, page=1, chunk=1, chunks=1, records=batch_records)
    grouped = transform(batch)
    valid = [r for r in batch_records if is_valid(r)]
    placed = [(name, user) for name, group in grouped.countries.items() for user in group.users]
    # rejected + grouped = input, and exactly the invalid ones are rejected
    assert len(placed) + len(grouped.rejected) == len(batch_records) == grouped.extracted
    assert [r.record for r in grouped.rejected] == [r for r in batch_records if not is_valid(r)]
    # every valid record exactly once, under its own country
    expected = sorted(
        (canonical_country(r.location.country.strip())[0], r.login.uuid.strip())  # type: ignore[union-attr]
        for r in valid
    )
    assert sorted((name, user.id) for name, user in placed) == expected
    assert (grouped.run_id, grouped.page, grouped.chunk, grouped.chunks) == (RUN, 1, 1, 1)


def test_reasons_are_specific_and_values_are_trimmed() -> None:
    def record(**kw: object) -> RawRecord:
        base = {"email": " a@b.co ", "login": {"uuid": " u ", "username": " n "}, "location": {"country": " germany "}}
        return RawRecord.model_validate(base | kw)

    user, country = validate(record())  # type: ignore[misc]
    assert (user.id, user.userName, user.email, country) == ("u", "n", "a@b.co", "germany")
    assert canonical_country(country) == ("Germany", "DE")
    assert validate(record(login={"username": "n"})) == "missing uuid"
    assert validate(record(login={"uuid": "u"})) == "missing username"
    assert validate(record(email=None)) == "missing email"
    assert validate(record(location={})) == "missing country"
    assert validate(record(email="a@b")) == "invalid email"
