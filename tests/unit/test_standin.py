"""The offline stand-in against the real API's fixtures: same shape, types, clamps and determinism."""

from __future__ import annotations

import json
from typing import Any

import requests

from connector.standin import generate_page
from lambdas.shared.nationalities import CODE_BY_COUNTRY
from tests.helpers import fixture

INC = "inc=gender,login,location,email"


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return type(value).__name__


def shapes_by_nat(records: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for record in records:
        nat = CODE_BY_COUNTRY[record["location"]["country"]]
        out.setdefault(nat, set()).add(json.dumps(shape(record), sort_keys=True))
    return out


def get(standin: Any, query: str) -> dict[str, Any]:
    response = requests.get(f"{standin.url}?{query}", timeout=5)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def test_same_keys_nesting_and_types_per_nationality_as_the_real_api(standin: Any) -> None:
    real = shapes_by_nat(fixture("seed-bulk-page1-5000.json")["results"])
    ours = shapes_by_nat(get(standin, f"seed=bulk&page=1&results=5000&{INC}")["results"])
    assert ours == real


def test_every_field_has_the_real_shape_per_nationality(standin: Any) -> None:
    # the captured all-fields page covers these nationalities; id.value is null for some of them
    real = shapes_by_nat(fixture("seed-connector-page1-20-allfields.json")["results"])
    ours = shapes_by_nat(get(standin, "seed=connector&page=1&results=3000")["results"])
    for nat, real_shapes in real.items():
        assert real_shapes <= ours[nat], nat


def test_info_echoes_the_request_and_field_order_matches(standin: Any) -> None:
    body = get(standin, f"seed=connector&page=2&results=100&{INC}")
    assert body["info"] == fixture("seed-connector-page2-100.json")["info"]
    assert list(body["results"][0]) == list(fixture("seed-connector-page2-100.json")["results"][0])


def test_silent_clamps_like_the_real_api(standin: Any) -> None:
    assert get(standin, f"seed=connector&page=1&results=5001&{INC}")["info"]["results"] == 1
    assert get(standin, f"seed=connector&page=1&results=abc&{INC}")["info"]["results"] == 1
    assert get(standin, f"seed=connector&page=10001&results=2&{INC}")["info"]["page"] == 1
    clamped = get(standin, f"seed=connector&page=1&results=5001&{INC}")["results"]
    assert clamped == get(standin, f"seed=connector&page=1&results=100&{INC}")["results"][:1]


def test_a_missing_seed_is_chosen_by_the_server_and_echoed(standin: Any) -> None:
    info = get(standin, f"results=10&{INC}")["info"]
    assert len(info["seed"]) == 16
    assert info["seed"] != get(standin, f"results=10&{INC}")["info"]["seed"]


def test_nat_filter_and_an_invalid_code_drops_the_whole_filter(standin: Any) -> None:
    countries = {r["location"]["country"] for r in get(standin, f"seed=c&results=200&nat=de,fr&{INC}")["results"]}
    assert countries == {"Germany", "France"}
    dropped = {r["location"]["country"] for r in get(standin, f"seed=c&results=2000&nat=de,xx&{INC}")["results"]}
    assert len(dropped) == 21


def test_determinism_pages_and_the_seed_page_concatenation(standin: Any) -> None:
    first = get(standin, f"seed=abc&page=12&results=20&{INC}")["results"]
    assert first == get(standin, f"seed=abc&page=12&results=20&{INC}")["results"]
    assert first == get(standin, f"seed=abc1&page=2&results=20&{INC}")["results"]  # the real server's quirk
    assert first != get(standin, f"seed=abcx&page=12&results=20&{INC}")["results"]
    page2 = get(standin, f"seed=abc&page=2&results=20&{INC}")["results"]
    longer_page1 = get(standin, f"seed=abc&page=1&results=40&{INC}")["results"]
    assert page2 != longer_page1[20:]  # pages are independent streams
    assert (
        get(standin, "seed=abc&page=1&results=20&exc=gender")["results"][0]["login"]["uuid"]
        != (get(standin, "seed=abc&page=1&results=20")["results"][0]["login"]["uuid"])
    )


def test_uuids_are_unique_over_100000_users_while_emails_and_usernames_repeat() -> None:
    records = [r for page in range(1, 21) for r in generate_page("uniquex", page, 5000, (), ("login", "email"))]
    uuids = {r["login"]["uuid"] for r in records}
    assert len(records) == 100_000
    assert len(uuids) == 100_000
    assert len({r["email"] for r in records}) < 100_000
    assert len({r["login"]["username"] for r in records}) < 100_000


def test_the_rate_budget_answers_429_with_the_real_body_and_no_retry_after() -> None:
    from connector.standin import StandIn

    with StandIn(budget_users=150) as small:
        assert requests.get(f"{small.url}?seed=a&results=100", timeout=5).status_code == 200
        over = requests.get(f"{small.url}?seed=a&results=100", timeout=5)
        assert over.status_code == 429
        assert "Retry-After" not in over.headers
        assert set(over.json()) == {"error"}
        assert set(fixture("error-429.json")) == {"error"}
        assert small.stats.rate_limited == 1
