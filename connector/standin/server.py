"""The stand-in's HTTP server: randomuser's query rules, rate budget and injectable faults."""

from __future__ import annotations

import json
import random
import re
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connector.standin.generator import FIELDS, generate_page
from lambdas.shared.nationalities import NATIONALITIES

API_PATHS = ("/api", "/api/", "/api/1.4", "/api/1.4/")
MAX_RESULTS, MAX_PAGE = 5000, 10000
HTML_503 = "<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503</h1></body></html>"
HTML_403 = (
    "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
    "<body><h1>Sorry, you have been blocked</h1></body></html>"
)


class Fault(StrEnum):
    """What the stand-in can do to a request instead of answering it properly."""

    NONE = "none"
    HTML_503 = "503-html"
    JSON_500 = "500-json"
    HTML_403 = "403-html"
    RATE_LIMIT = "429"
    SLOW = "slow"
    HANG = "hang"
    TRUNCATED = "truncated"
    WRONG_COUNT = "wrong-count"


@dataclass
class StandInStats:
    """What the stand-in did, for tests and benchmarks."""

    requests: int = 0
    users_served: int = 0
    rate_limited: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    users_per_window: Counter[int] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "users_served": self.users_served,
            "rate_limited": self.rate_limited,
            "faults": dict(self.faults),
            "users_per_window": {str(k): v for k, v in sorted(self.users_per_window.items())},
        }


def _js_int(value: str | None, default: int, low: int, high: int) -> int:
    """parseInt() and the server's clamp: anything outside low..high silently becomes `default`."""
    match = re.match(r"\s*([+-]?\d+)", value or "")
    number = int(match.group(1)) if match else default
    return number if low <= number <= high else default


def _csv(value: str | None) -> list[str]:
    return [item.strip().lower() for item in (value or "").split(",") if item.strip()]


@dataclass
class ParsedQuery:
    seed: str
    page: int
    results: int
    nationalities: tuple[str, ...]
    fields: tuple[str, ...]


def parse_query(query: str) -> ParsedQuery:
    """randomuser's parameter rules, quirks included (silent clamps, nat dropped on a bad code)."""
    params = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
    nats = [code.upper() for code in _csv(params.get("nat"))]
    if any(code not in NATIONALITIES for code in nats):
        nats = []  # one invalid code drops the whole filter
    wanted = set(FIELDS)
    if params.get("inc"):
        wanted &= set(_csv(params["inc"]))
    if params.get("exc"):
        wanted -= set(_csv(params["exc"]))
    return ParsedQuery(
        seed=params.get("seed") or secrets.token_hex(8),
        page=_js_int(params.get("page"), 1, 1, MAX_PAGE),
        results=_js_int(params.get("results"), 1, 1, MAX_RESULTS),
        nationalities=tuple(sorted(set(nats))),
        fields=tuple(f for f in FIELDS if f in wanted),
    )


class _FaultPlan:
    """Faults scripted for the next requests, else drawn with a probability (seeded)."""

    def __init__(self) -> None:
        self.script: deque[Fault] = deque()
        self.probability = 0.0
        self.kinds: tuple[Fault, ...] = ()
        self.rng = random.Random(0)
        self.lock = threading.Lock()
        self.pages: dict[int, Fault] = {}

    def next(self, page: int) -> Fault:
        with self.lock:
            if page in self.pages:
                return self.pages[page]
            if self.script:
                return self.script.popleft()
            if self.kinds and self.rng.random() < self.probability:
                return self.rng.choice(self.kinds)
            return Fault.NONE


class StandIn:
    """The offline randomuser server on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(
        self,
        port: int = 0,
        budget_users: int = 20_000,
        window_seconds: float = 300.0,
        slow_seconds: float = 1.0,
        hang_seconds: float = 30.0,
    ) -> None:
        self.budget_users = budget_users
        self.window_seconds = window_seconds
        self.slow_seconds = slow_seconds
        self.hang_seconds = hang_seconds
        self.stats = StandInStats()
        self._faults = _FaultPlan()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._window = 0
        self._requested_by_ip: Counter[str] = Counter()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The version-pinned base URL, as the connector is configured with."""
        return f"http://127.0.0.1:{self.port}/api/1.4/"

    def start(self) -> StandIn:
        self._thread = threading.Thread(target=self._server.serve_forever, name="standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def script_faults(self, faults: Iterable[Fault | str]) -> None:
        """The next requests get these faults, in order (`none` lets one through)."""
        with self._faults.lock:
            self._faults.script.extend(Fault(f) for f in faults)

    def random_faults(self, probability: float, kinds: Iterable[Fault | str], seed: int = 0) -> None:
        """Each request gets one of `kinds` with this probability (seeded, so runs repeat)."""
        with self._faults.lock:
            self._faults.probability = probability
            self._faults.kinds = tuple(Fault(k) for k in kinds)
            self._faults.rng = random.Random(seed)

    def fail_pages(self, pages: Iterable[int], fault: Fault | str = Fault.HTML_403) -> None:
        """Every request for these page numbers gets this fault until clear_faults()."""
        with self._faults.lock:
            self._faults.pages.update({page: Fault(fault) for page in pages})

    def clear_faults(self) -> None:
        self.random_faults(0.0, ())
        with self._faults.lock:
            self._faults.script.clear()
            self._faults.pages.clear()

    def _charge(self, client_ip: str, users: int) -> int | None:
        """Count users against the IP's budget; the total when over budget, else None."""
        with self._lock:
            window = int((time.monotonic() - self._started) // self.window_seconds)
            if window != self._window:
                self._window = window
                self._requested_by_ip.clear()  # all counters reset together
            self._requested_by_ip[client_ip] += users
            total = self._requested_by_ip[client_ip]
            if total > self.budget_users:
                self.stats.rate_limited += 1
                return total
            self.stats.users_served += users
            self.stats.users_per_window[window] += users
            return None

    def answer(self, path: str, query: str, client_ip: str) -> tuple[int, str, bytes, float]:
        """(status, content type, body, delay before answering) for one request."""
        with self._lock:
            self.stats.requests += 1
        if path not in API_PATHS:
            return HTTPStatus.NOT_FOUND, "text/html", b"<html><body>Not Found</body></html>", 0.0
        parsed = parse_query(query)
        fault = self._faults.next(parsed.page)
        if fault is not Fault.NONE:
            with self._lock:
                self.stats.faults[fault.value] += 1
        if fault is Fault.RATE_LIMIT:
            return self._rate_limited(parsed.results + self.budget_users)
        if fault in _CANNED:
            status, content_type, body = _CANNED[fault]
            return status, content_type, body, 0.0
        if fault is Fault.HANG:
            return 0, "", b"", self.hang_seconds
        over_budget = self._charge(client_ip, parsed.results)
        if over_budget is not None:
            return self._rate_limited(over_budget)
        count = parsed.results + 1 if fault is Fault.WRONG_COUNT else parsed.results
        body = json.dumps(
            {
                "results": generate_page(parsed.seed, parsed.page, count, parsed.nationalities, parsed.fields),
                "info": {"seed": parsed.seed, "results": parsed.results, "page": parsed.page, "version": "1.4"},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        if fault is Fault.TRUNCATED:
            body = body[: len(body) // 2]
        return HTTPStatus.OK, "application/json; charset=utf-8", body, self.slow_seconds if fault is Fault.SLOW else 0.0

    @staticmethod
    def _rate_limited(requested: int) -> tuple[int, str, bytes, float]:
        message = (
            f"Whoa, ease up there cowboy. You've requested {requested} users in the last minute. "
            "Help us keep this service free and spare some bandwidth for other users please :)"
        )
        return (
            HTTPStatus.TOO_MANY_REQUESTS,
            "application/json; charset=utf-8",
            json.dumps({"error": message}).encode(),
            0,
        )


_CANNED: dict[Fault, tuple[int, str, bytes]] = {
    Fault.HTML_503: (HTTPStatus.SERVICE_UNAVAILABLE, "text/html", HTML_503.encode()),
    Fault.JSON_500: (
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "application/json; charset=utf-8",
        b'{"error":"Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."}',
    ),
    Fault.HTML_403: (HTTPStatus.FORBIDDEN, "text/html; charset=UTF-8", HTML_403.encode()),
}


def _handler_for(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, content_type, body, delay = standin.answer(parts.path, parts.query, self.client_address[0])
            if delay:
                time.sleep(delay)
            if status == 0:  # a hang: close without answering
                self.close_connection = True
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
            return

    return Handler
