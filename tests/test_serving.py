"""The server `tracker serve` runs (tracker/serving.py): a client that stops reading an answer
does not keep a thread for ever.

waitress closes a connection idle between requests (``channel_timeout``), but never one whose
answer is being written: past ``outbuf_high_watermark`` (16 MB) of unsent output the thread that
writes it waits until the client reads. Ten clients that asked for the whole portfolio's csv
(42 MB at 100,000 projects) and read nothing held all eight threads, and nobody else was
answered (by hand against `tracker serve`, 2026-12-06: five requests for /login timed out at
20 s each). Here a real waitress server with one thread, an answer of 32 MB, and a client that
reads none of it.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request

from tracker import serving

BIG = 32 * 1024 * 1024  # past the kernel's buffers (a few MB) and waitress's 16 MB


def app(environ, start_response):
    if environ["PATH_INFO"] == "/big":
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(BIG))])
        chunk = b"x" * (1024 * 1024)
        return (chunk for _ in range(BIG // len(chunk)))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def stalled_download(port: int) -> socket.socket:
    """A client that asks for the big answer and then reads nothing of it."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    client.sendall(b"GET /big HTTP/1.1\r\nHost: tracker\r\n\r\n")
    return client


def test_a_client_that_stops_reading_an_answer_is_let_go_and_the_thread_serves_the_next():
    server = serving.make_server(app, host="127.0.0.1", port=0, threads=1, send_timeout=1)
    port = int(server.effective_port)
    running = threading.Thread(target=server.run, daemon=True)
    running.start()
    stalled = stalled_download(port)
    try:
        time.sleep(0.5)  # the one thread is now waiting on the stalled client
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/small", timeout=15) as answer:
            assert answer.read() == b"ok"
        waited = time.monotonic() - started
        assert 0.5 < waited < 10, waited  # once the stalled client was let go, not before
        # The stalled connection was closed by the server: what it still reads ends short.
        stalled.settimeout(5)
        received = 0
        while chunk := stalled.recv(1024 * 1024):
            received += len(chunk)
        assert received < BIG
    finally:
        stalled.close()
        server.close()


def test_a_slow_reader_that_keeps_reading_is_not_cut_off():
    """Slow is not stalled: a client reading its answer bit by bit gets all of it."""
    server = serving.make_server(app, host="127.0.0.1", port=0, threads=1, send_timeout=1)
    port = int(server.effective_port)
    threading.Thread(target=server.run, daemon=True).start()
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /big HTTP/1.1\r\nHost: tracker\r\n\r\n")
    try:
        client.settimeout(10)
        received = 0
        while received < BIG:
            chunk = client.recv(256 * 1024)
            assert chunk, received
            received += len(chunk)
            time.sleep(0.02)  # at most 12 MB a second: a second and more for the answer
        assert received >= BIG
    finally:
        client.close()
        server.close()


class Channel:
    """What ``StalledAnswers`` reads of a waitress channel."""

    def __init__(self, last_activity: float):
        self.requests, self.total_outbufs_len, self.addr = ["GET"], 1024, ("127.0.0.1", 5000)
        self.last_activity, self.closed = last_activity, False

    def handle_close(self):
        self.closed = True


def test_an_answer_is_stalled_from_when_it_is_seen_waiting_not_from_the_request():
    """A request that waited its turn for a thread has had no activity since it arrived; its
    answer, pending for an instant while it is sent, is not a stalled one (CI closed such a
    connection: the clock ran from the request's arrival). Only an answer seen waiting, with
    nothing taken, for the whole timeout is."""
    watch = serving.StalledAnswers(send_timeout=60)
    queued, reading, stalled = Channel(last_activity=0), Channel(last_activity=0), Channel(last_activity=0)
    watch.close([queued, reading, stalled], now=100)  # each idle 100 s: none closed yet
    assert not any(channel.closed for channel in (queued, reading, stalled))
    queued.total_outbufs_len = 0  # its answer went out
    reading.last_activity = 130  # its client took some
    watch.close([queued, reading, stalled], now=161)
    assert (queued.closed, reading.closed, stalled.closed) == (False, False, True)
    watch.close([queued, reading], now=220)
    assert not reading.closed  # 59 s since it was seen to have taken some
    watch.close([queued, reading], now=222)
    assert reading.closed


def test_a_body_far_past_the_trackers_limit_is_refused_before_it_is_read():
    """A QA walk's complaint: a 300 MB POST was read whole into a temporary file before the 413
    (waitress's own limit is 1 GB); three of 1 GB at once took a minute. Past the tracker's 16 MB
    and a margin, waitress refuses it as the header arrives."""
    server = serving.make_server(app, host="127.0.0.1", port=0, threads=1)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        client = socket.create_connection(("127.0.0.1", server.effective_port), timeout=10)
        client.sendall(b"POST /login HTTP/1.1\r\nHost: tracker\r\nContent-Type: application/octet-stream\r\n"
                       b"Content-Length: 300000000\r\n\r\n" + b"x" * 65536)
        answer = client.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        client.close()
    finally:
        server.close()
