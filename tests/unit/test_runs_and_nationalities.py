from datetime import UTC, datetime

import pytest

from lambdas.shared.nationalities import (
    NATIONALITIES,
    UnknownNationalityError,
    country_code,
    parse_nationalities,
    resolve_country,
    slugify,
)
from lambdas.shared.runs import InvalidRunIdError, new_run_id, run_started_at, seed_for, validate_run_id


def test_run_id_is_utc_timestamp_plus_suffix_and_sorts_by_time() -> None:
    # Given two moments, When ids are made, Then they have the documented form and sort by time
    early = new_run_id(datetime(2026, 12, 3, 3, 0, 0, tzinfo=UTC), "ffff")
    late = new_run_id(datetime(2026, 12, 3, 3, 0, 1, tzinfo=UTC), "0000")
    assert early == "20261203T030000Z-ffff"
    assert sorted([late, early]) == [early, late]
    assert run_started_at(late) == datetime(2026, 12, 3, 3, 0, 1, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", "20261203T030000Z", "20261203T030000Z-XYZW", "../etc", "2026-12-03"])
def test_malformed_run_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidRunIdError, match="run id"):
        validate_run_id(bad)


def test_seed_is_deterministic_ends_in_a_letter_and_is_never_18_long() -> None:
    ids = [new_run_id(datetime(2026, 1, 1, tzinfo=UTC), f"{n:04x}") for n in range(500)]
    seeds = [seed_for(run_id) for run_id in ids]
    assert all(seed[-1].isalpha() and len(seed) != 18 for seed in seeds)
    assert len(set(seeds)) == len(seeds)
    assert seed_for(ids[0]) == seeds[0]


def test_the_21_nationalities_and_their_names() -> None:
    assert len(NATIONALITIES) == 21
    assert NATIONALITIES["GB"] == "United Kingdom"
    assert country_code("Germany") == "DE"
    assert country_code("Côte d'Ivoire") == "cote-d-ivoire"
    assert slugify("ایران") == "unknown"


def test_nationality_filter_is_parsed_and_unknown_codes_are_named() -> None:
    assert parse_nationalities("fr, de,DE") == ("DE", "FR")
    assert parse_nationalities(None) == ()
    with pytest.raises(UnknownNationalityError, match=r"XX.*allowed: AU"):
        parse_nationalities("de,xx")


def test_country_resolution_accepts_code_or_name_in_any_case() -> None:
    assert resolve_country("de") == "DE"
    assert resolve_country("united kingdom") == "GB"
    assert resolve_country("Atlantis") is None
