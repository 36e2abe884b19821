"""The randomuser.me client: pinned version, timeouts, retries, and a suspicious eye on every response."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

INCLUDED_FIELDS = "gender,login,location,email"
RETRY_STATUSES = (429, 500, 502, 503, 504)
SNIPPET_CHARS = 160


class RandomUserError(Exception):
    """Anything that kept a page from being fetched."""


class UpstreamUnavailableError(RandomUserError):
    """No usable answer: connection refused or reset, timeouts, even after the retries."""


class UpstreamHTTPError(RandomUserError):
    """The API answered with an error status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"randomuser answered HTTP {status}: {detail}")
        self.status = status


class RateLimitedError(UpstreamHTTPError):
    """429 that outlived the retries: put the page back for the next budget window."""


class MalformedResponseError(RandomUserError):
    """A 200 whose body is not the page that was asked for (HTML, truncated JSON, wrong counts)."""


@dataclass(frozen=True)
class PageRequest:
    seed: str
    page: int
    results: int
    nationalities: tuple[str, ...] = ()

    def params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {
            "seed": self.seed,
            "page": self.page,
            "results": self.results,
            "inc": INCLUDED_FIELDS,
        }
        if self.nationalities:
            params["nat"] = ",".join(self.nationalities).lower()
        return params


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat[:SNIPPET_CHARS] + ("…" if len(flat) > SNIPPET_CHARS else ""))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def strip_record(record: Any) -> dict[str, Any]:
    """Only gender, email, login.uuid, login.username and location.country survive; credentials never do."""
    source = _dict(record)
    login, location = _dict(source.get("login")), _dict(source.get("location"))
    out: dict[str, Any] = {key: source[key] for key in ("gender", "email") if isinstance(source.get(key), str)}
    identity = {key: login[key] for key in ("uuid", "username") if isinstance(login.get(key), str)}
    if identity:
        out["login"] = identity
    if isinstance(location.get("country"), str):
        out["location"] = {"country": location["country"]}
    return out


def parse_page(request: PageRequest, status: int, content_type: str, text: str) -> list[dict[str, Any]]:
    """Validate one response against its request; the stripped records, or a typed error."""
    try:
        body = json.loads(text)
    except ValueError:
        kind = "HTML" if "html" in content_type.lower() or text.lstrip().startswith("<") else "not JSON"
        if status != 200:
            error = RateLimitedError if status == 429 else UpstreamHTTPError
            raise error(status, f"{kind} body {_snippet(text)}") from None
        raise MalformedResponseError(f"page {request.page}: body is {kind}: {_snippet(text)}") from None
    if isinstance(body, dict) and "error" in body:
        raise (RateLimitedError if status == 429 else UpstreamHTTPError)(status, str(body["error"]))
    if status != 200:
        raise (RateLimitedError if status == 429 else UpstreamHTTPError)(status, _snippet(text))
    info, results = _dict(_dict(body).get("info")), _dict(body).get("results")
    if not isinstance(results, list):
        raise MalformedResponseError(f"page {request.page}: no results list in {_snippet(text)}")
    expected = {"results": request.results, "page": request.page, "seed": request.seed}
    mismatched = {key: info.get(key) for key, value in expected.items() if info.get(key) != value}
    if mismatched:
        raise MalformedResponseError(f"page {request.page}: info {mismatched} does not match the request {expected}")
    if len(results) != request.results:
        raise MalformedResponseError(f"page {request.page}: {len(results)} results, asked for {request.results}")
    return [strip_record(record) for record in results]


class RandomUserClient:
    """Fetches pages from a version-pinned randomuser base URL."""

    def __init__(
        self,
        base_url: str,
        connect_timeout: float = 3.05,
        read_timeout: float = 30.0,
        retries: int = 5,
        backoff_factor: float = 0.5,
        backoff_max: float = 20.0,
        malformed_retries: int = 2,
    ) -> None:
        self.base_url = base_url
        self.timeout = (connect_timeout, read_timeout)
        self.malformed_retries = malformed_retries
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=retries,
            backoff_factor=backoff_factor,
            backoff_jitter=backoff_factor,
            backoff_max=backoff_max,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            raise_on_status=False,  # the last answer is returned and parsed into a typed error
        )
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers["User-Agent"] = "randomuser-connector/1.0"

    def fetch_page(self, request: PageRequest) -> list[dict[str, Any]]:
        for attempt in range(self.malformed_retries + 1):
            try:
                return self._fetch_once(request)
            except MalformedResponseError:
                if attempt == self.malformed_retries:
                    raise
        raise AssertionError("unreachable")

    def _fetch_once(self, request: PageRequest) -> list[dict[str, Any]]:
        try:
            response = self.session.get(self.base_url, params=request.params(), timeout=self.timeout)
            text = response.text
        except requests.exceptions.ChunkedEncodingError as error:
            raise MalformedResponseError(f"page {request.page}: body cut off: {error}") from error
        except requests.RequestException as error:
            raise UpstreamUnavailableError(f"page {request.page}: {type(error).__name__}: {error}") from error
        return parse_page(request, response.status_code, response.headers.get("Content-Type", ""), text)
