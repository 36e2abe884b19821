"""The client against every captured response of the real API, and every fault the stand-in injects."""

import json

import pytest
import responses

from connector.standin import Fault
from lambdas.shared.randomuser import (
    MalformedResponseError,
    PageRequest,
    RandomUserClient,
    RateLimitedError,
    UpstreamHTTPError,
    UpstreamUnavailableError,
)
from tests.helpers import CREDENTIAL_KEYS, FIXTURES, fixture

BASE = "https://randomuser.me/api/1.4/"


def fast_client(base: str = BASE, **kwargs):  # type: ignore[no-untyped-def]
    options = {"retries": 2, "backoff_factor": 0.0, "read_timeout": 1.0, "malformed_retries": 0} | kwargs
    return RandomUserClient(base, **options)


def serve(name: str, status: int = 200, content_type: str = "application/json; charset=utf-8") -> None:
    responses.add(responses.GET, BASE, body=(FIXTURES / name).read_bytes(), status=status, content_type=content_type)


def assert_stripped(records: list[dict]) -> None:
    for record in records:
        assert set(record) <= {"gender", "email", "login", "location"}
        assert set(record["login"]) == {"uuid", "username"}
        assert set(record["location"]) == {"country"}
    text = json.dumps(records)
    assert not any(f'"{key}"' in text for key in CREDENTIAL_KEYS)


@responses.activate
@pytest.mark.parametrize(
    ("name", "seed", "page", "results"),
    [
        ("seed-connector-page1-100.json", "connector", 1, 100),
        ("seed-connector-page2-100.json", "connector", 2, 100),
        ("seed-connector-nat-de-fr-50.json", "connector", 1, 50),
        ("seed-bulk-page1-5000.json", "bulk", 1, 5000),
        ("seed-connector-page1-20-allfields.json", "connector", 1, 20),
    ],
)
def test_real_pages_are_parsed_and_stripped_of_credentials(name: str, seed: str, page: int, results: int) -> None:
    serve(name)
    records = fast_client().fetch_page(PageRequest(seed, page, results))
    raw = fixture(name)["results"]
    assert len(records) == results
    assert records[0] == {
        "gender": raw[0]["gender"],
        "email": raw[0]["email"],
        "login": {"uuid": raw[0]["login"]["uuid"], "username": raw[0]["login"]["username"]},
        "location": {"country": raw[0]["location"]["country"]},
    }
    assert_stripped(records)


@responses.activate
def test_request_pins_the_fields_and_passes_the_nationality_filter() -> None:
    serve("seed-connector-nat-de-fr-50.json")
    fast_client().fetch_page(PageRequest("connector", 1, 50, ("DE", "FR")))
    url = responses.calls[0].request.url
    assert "inc=gender%2Clogin%2Clocation%2Cemail" in url
    assert "nat=de%2Cfr" in url
    assert "seed=connector&page=1&results=50" in url


@responses.activate
def test_the_silent_clamp_of_results_to_one_is_caught() -> None:
    serve("results-5001-becomes-1.json")
    with pytest.raises(MalformedResponseError, match=r"info \{'results': 1\} does not match"):
        fast_client().fetch_page(PageRequest("connector", 1, 5001))


@responses.activate
def test_a_server_chosen_seed_is_caught() -> None:
    serve("noseed-10.json")
    with pytest.raises(MalformedResponseError, match="seed"):
        fast_client().fetch_page(PageRequest("connector", 1, 10))


@responses.activate
def test_a_429_that_outlives_the_retries_is_a_rate_limit_error_with_the_servers_message() -> None:
    for _ in range(3):
        serve("error-429.json", status=429)
    with pytest.raises(RateLimitedError, match="ease up there cowboy") as error:
        fast_client().fetch_page(PageRequest("connector", 1, 100))
    assert error.value.status == 429
    assert len(responses.calls) == 3  # first try + 2 retries


@responses.activate
def test_retry_after_is_honoured_when_present() -> None:
    responses.add(responses.GET, BASE, status=503, headers={"Retry-After": "0"}, body="<html>down</html>")
    serve("seed-connector-page1-100.json")
    assert len(fast_client().fetch_page(PageRequest("connector", 1, 100))) == 100


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (Fault.HTML_503, UpstreamHTTPError, r"HTTP 503: HTML body '<html><head><title>503"),
        (Fault.JSON_500, UpstreamHTTPError, "HTTP 500: Uh oh, something has gone wrong"),
        # 403 is not retried here: a block page does not lift in seconds; the queue retries the page later
        (Fault.HTML_403, UpstreamHTTPError, "HTTP 403: HTML body .*Cloudflare"),
        (Fault.RATE_LIMIT, RateLimitedError, "HTTP 429: Whoa"),
        (Fault.HANG, UpstreamUnavailableError, "ReadTimeout|ConnectionError"),
        (Fault.TRUNCATED, MalformedResponseError, "body is not JSON"),
        (Fault.WRONG_COUNT, MalformedResponseError, "101 results, asked for 100"),
    ],
)
def test_each_persistent_fault_becomes_its_typed_error(standin, fault, error, message) -> None:  # type: ignore[no-untyped-def]
    standin.script_faults([fault] * 3)
    with pytest.raises(error, match=message):
        fast_client(standin.url, read_timeout=0.5).fetch_page(PageRequest("abcx", 1, 100))


@pytest.mark.parametrize("fault", [f for f in Fault if f not in (Fault.NONE, Fault.HTML_403)])
def test_each_transient_fault_is_retried_to_the_right_page(standin, fault) -> None:  # type: ignore[no-untyped-def]
    standin.script_faults([fault])
    client = fast_client(standin.url, read_timeout=0.5 if fault is Fault.HANG else 1.0, malformed_retries=1)
    records = client.fetch_page(PageRequest("abcx", 2, 100))
    assert len(records) == 100
    assert_stripped(records)


def test_connection_refused_is_unavailable() -> None:
    with pytest.raises(UpstreamUnavailableError, match="page 1"):
        fast_client("http://127.0.0.1:9/api/1.4/").fetch_page(PageRequest("abcx", 1, 1))
