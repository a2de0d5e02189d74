"""The server ``tracker serve`` (and so ``make run``) starts: waitress, in this process.

Why waitress and not gunicorn's sync workers: a sync worker reads a request itself, so two
connections that send half a header (or a browser on a bad line) hold both workers and nobody
else is answered. Waitress reads every connection in one non-blocking loop and hands a request to
its thread pool only once the whole request (header and body) has arrived, so idle and trickling
connections cost a socket and a buffer each, never a thread. gunicorn's gthread worker does not
have this property (a connection that is readable but incomplete takes a thread until it ends).
Production puts nginx in front anyway (README: "PostgreSQL and several workers").
"""

from __future__ import annotations

import argparse
import logging
from typing import cast

logger = logging.getLogger(__name__)

# Connections held at once (idle, slow or busy); beyond it waitress stops accepting until some
# close. Well above a commission office's users, well below the process's file limit.
CONNECTION_LIMIT = 1000
# A connection that sends nothing for this long is closed.
CHANNEL_TIMEOUT = 60
# A client that takes nothing of an answer for this long is let go (``StalledAnswers``).
SEND_TIMEOUT = 60


# A body past this is refused by waitress itself, before it is read whole (its default is 1 GB,
# spooled to a temporary file: three such bodies at once took a minute of the disk, a QA walk
# found). The tracker's own limit (``MAX_CONTENT_LENGTH``, 16 MB) answers below it, in Chinese.
BODY_LIMIT_SLACK = 1024 * 1024


def options(host: str, port: int, threads: int, *, max_body: int = 16 * 1024 * 1024) -> dict:
    return {
        "max_request_body_size": max_body + BODY_LIMIT_SLACK,
        "host": host,
        "port": port,
        "threads": threads,
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": CHANNEL_TIMEOUT,
        "asyncore_use_poll": True,  # poll(), not select(): no 1024-descriptor ceiling
        "ident": "tracker",
    }


def make_server(app, *, host: str, port: int, threads: int, send_timeout: int = SEND_TIMEOUT):
    """waitress's server for ``app``, which also lets go of a client that stopped reading
    (``StalledAnswers``, run with waitress's own clean-up of idle connections)."""
    from waitress.server import BaseWSGIServer, create_server

    # Checked twice within the timeout, so a stall is found between one and two timeouts on.
    max_body = getattr(app, "config", {}).get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024
    server = create_server(app, **options(host, port, threads, max_body=max_body),
                           cleanup_interval=min(30, send_timeout / 2))
    assert isinstance(server, BaseWSGIServer)  # one host and port: one socket, not several
    own_maintenance, stalled = server.maintenance, StalledAnswers(send_timeout)

    def maintenance(now) -> None:
        own_maintenance(now)
        stalled.close(list(cast(dict, server.active_channels).values()), now)

    setattr(server, "maintenance", maintenance)  # noqa: B010  (waitress has no hook for it)
    return server


class StalledAnswers:
    """Closes each connection whose answer has waited to be sent for ``send_timeout`` seconds
    with none of it taken by the client.

    waitress closes a connection idle between requests (``channel_timeout``), never one whose
    answer is being written; and past ``outbuf_high_watermark`` (16 MB) of unsent output the
    thread writing it waits until the client reads. So ten clients that asked for the whole
    portfolio's csv (42 MB at 100,000 projects) and read nothing held all eight threads, and
    nobody else was answered. Closed here (in waitress's main loop, where it closes connections
    itself), the waiting thread gets ``ClientDisconnected`` and serves the next request.

    The clock starts when an answer is first seen waiting, not at the connection's last activity:
    a request that waited its turn for a thread has had no activity since it arrived, and its
    answer is being sent, not refused. It restarts whenever the client takes some: a client that
    reads slowly but reads is not stalled (Linux takes more once a third of its buffer of a few MB
    has drained, so a reader must average ~24 KB/s, ~200 kbit/s, with the 60 s default)."""

    def __init__(self, send_timeout: float):
        self.send_timeout = send_timeout
        self.waiting: dict[int, tuple[float, float]] = {}  # channel → (seen waiting at, its last activity then)

    def close(self, channels, now: float) -> None:
        waiting = {}
        for channel in list(channels):
            if not (channel.requests and channel.total_outbufs_len):
                continue
            since, activity = self.waiting.get(id(channel), (now, channel.last_activity))
            if activity != channel.last_activity:  # the client took some since
                since, activity = now, channel.last_activity
            if now - since >= self.send_timeout:
                logger.warning("closing a connection from %s that took nothing of its answer for %s s",
                               channel.addr[0] if channel.addr else "?", int(now - since))
                channel.handle_close()
            else:
                waiting[id(channel)] = (since, activity)
        self.waiting = waiting


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tracker.serving")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)

    from . import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Flask-Migrate imports Alembic, which logs each of its plugins at INFO as it sets them up:
    # seven lines under "Serving on" that say nothing about the tracker. Its warnings still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = make_server(create_app(), host=args.host, port=args.port, threads=args.threads)
    server.print_listen("Serving on http://{}:{}")
    server.run()


if __name__ == "__main__":
    main()
