"""A small HTTP client for loopback benchmarks: keep-alive, a session cookie, timings."""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

LOOPBACK = "127.0.0.1"


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    headers: dict


class Client:
    """One keep-alive connection to a server on 127.0.0.1, with the cookies it was given."""

    def __init__(self, port: int, host: str = LOOPBACK, timeout: float = 300):
        if host not in (LOOPBACK, "localhost"):
            raise ValueError("benchmarks talk to the loopback interface only")
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.connection

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, sink=None) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            connection = self._connection()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                if sink is None:
                    data = response.read()
                else:  # stream a large download without keeping it
                    data = b""
                    while chunk := response.read(1 << 16):
                        sink(chunk)
                seconds = time.perf_counter() - started
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(response.status, data, seconds, dict(response.getheaders()))

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def login(self, username: str, password: str) -> None:
        """Sign in through the login form, CSRF token and all, as a browser does."""
        page = self.get("/login")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body) or \
            re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', page.body)
        form = {"username": username, "password": password}
        if match:
            form["csrf_token"] = match.group(1).decode()
        response = self.request("POST", "/login", body=urlencode(form).encode(),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        if response.status not in (302, 303):
            raise RuntimeError(f"login failed: HTTP {response.status}")


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
            connection.request("GET", "/login")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server on {LOOPBACK}:{port} after {seconds} s")


def path_only(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
