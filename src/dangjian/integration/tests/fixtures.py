"""Integration test fixtures: local HTTP robots on 127.0.0.1 (threads), channel switches, users."""
from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

__all__ = ["Received", "RobotServer", "channels_on", "closed_url", "robot_server"]


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class RobotServer:
    """A robot endpoint: records every request; answers with ``status`` and ``answer`` (JSON)."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    answer: Any = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/cgi-bin/webhook/send", query: str = "key=robot-key-123") -> str:
        return f"{self.base}{path}{'?' + query if query else ''}"


def _handler(robot: RobotServer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parts = urlsplit(self.path)
            robot.requests.append(Received(parts.path, parse_qs(parts.query), parts.query,
                                           {k.lower(): v for k, v in self.headers.items()}, body))
            data = json.dumps(robot.answer).encode("utf-8")
            self.send_response(robot.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep test output clean
            return

    return Handler


@pytest.fixture
def robot_server() -> Iterator[Any]:
    """``robot_server()`` starts a robot on 127.0.0.1 (a free port) in a thread; all stop at teardown."""
    started: list[RobotServer] = []

    def start() -> RobotServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), None)  # handler set below, once robot exists
        robot = RobotServer(server)
        server.RequestHandlerClass = _handler(robot)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append(robot)
        return robot

    yield start
    for robot in started:
        robot.server.shutdown()
        robot.server.server_close()


@pytest.fixture
def closed_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/robot/send?access_token=down"


@pytest.fixture
def channels_on(settings):
    """Every channel kind switched on, robots allowed on 127.0.0.1, a sender address for email."""
    settings.DANGJIAN_EMAIL_ENABLED = True
    settings.DANGJIAN_WECOM_ENABLED = True
    settings.DANGJIAN_DINGTALK_ENABLED = True
    settings.DANGJIAN_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.DANGJIAN_EMAIL_FROM = "dangjian@example.com"
    settings.DANGJIAN_SITE_URL = "https://dj.example.com"
    settings.DANGJIAN_NOTIFY_TIMEOUT_SECONDS = 5
    return settings
