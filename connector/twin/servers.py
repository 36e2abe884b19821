"""Loopback HTTP servers of the twin: function URLs and the webhook sink for SNS notifications."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from connector.twin.lambda_runtime import function_url_event

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


class LoopbackServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> LoopbackServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def function_url_server(invoke: Invoke, name: str, port: int = 0) -> LoopbackServer:
    """Turns each request into a function URL event and the handler's answer into the HTTP response."""

    class Handler(_Quiet):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            event = function_url_event(
                self.command,
                parts.path,
                parts.query,
                dict(self.headers.items()),
                self.rfile.read(length) if length else b"",
                self.client_address[0],
                f"{name}.lambda-url.localhost",
            )
            try:
                result = invoke(event)
            except Exception as error:  # what Lambda answers when the function raises
                result = {"statusCode": 502, "body": json.dumps({"message": f"Internal Server Error: {error}"})}
            body = result.get("body") or ""
            payload = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
            self.send_response(int(result.get("statusCode", 200)))
            for key, value in (result.get("headers") or {}).items():
                self.send_header(key, str(value))
            if "headers" not in result or "content-type" not in {k.lower() for k in result["headers"]}:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle  # noqa: N815
        do_POST = _handle  # noqa: N815
        do_PUT = _handle  # noqa: N815
        do_DELETE = _handle  # noqa: N815
        do_PATCH = _handle  # noqa: N815

    return LoopbackServer(Handler, port)


class WebhookSink:
    """Records what SNS delivers to an HTTP(S) subscription."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(_Quiet):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    envelope = json.loads(raw)
                except ValueError:
                    envelope = {"raw": raw.decode(errors="replace")}
                with sink.lock:
                    sink.received.append(envelope)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = LoopbackServer(Handler)

    @property
    def url(self) -> str:
        return self.server.url

    def notifications(self) -> list[dict[str, Any]]:
        """The messages (decoded) that reached the sink, in order."""
        with self.lock:
            envelopes = list(self.received)
        out = []
        for envelope in envelopes:
            message = envelope.get("Message", envelope)
            out.append(json.loads(message) if isinstance(message, str) else message)
        return out
