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

logger = logging.getLogger(__name__)

# Connections held at once (idle, slow or busy); beyond it waitress stops accepting until some
# close. Well above a commission office's users, well below the process's file limit.
CONNECTION_LIMIT = 1000
# A connection that sends nothing for this long is closed.
CHANNEL_TIMEOUT = 60
# A client that takes nothing of an answer for this long is let go (``close_stalled``).
SEND_TIMEOUT = 60


def options(host: str, port: int, threads: int) -> dict:
    return {
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
    (``close_stalled``, run with waitress's own clean-up of idle connections)."""
    from waitress.server import BaseWSGIServer, create_server

    server = create_server(app, **options(host, port, threads), cleanup_interval=min(30, send_timeout))
    assert isinstance(server, BaseWSGIServer)  # one host and port: one socket, not several
    own_maintenance = server.maintenance

    def maintenance(now) -> None:
        own_maintenance(now)
        close_stalled(server, now, send_timeout)

    setattr(server, "maintenance", maintenance)  # noqa: B010  (waitress has no hook for it)
    return server


def close_stalled(server, now: float, send_timeout: float) -> None:
    """Close each connection whose answer waits to be sent and whose client has taken none of it
    for ``send_timeout`` seconds.

    waitress closes a connection idle between requests (``channel_timeout``), never one whose
    answer is being written; and past ``outbuf_high_watermark`` (16 MB) of unsent output the
    thread writing it waits until the client reads. So ten clients that asked for the whole
    portfolio's csv (42 MB at 100,000 projects) and read nothing held all eight threads, and
    nobody else was answered. Closed here (in waitress's main loop, where it closes connections
    itself), the waiting thread gets ``ClientDisconnected`` and serves the next request. A client
    that reads slowly but reads is not stalled: each send the kernel takes is activity (Linux takes
    more once a third of its buffer of a few MB has drained, so a reader must average ~24 KB/s,
    ~200 kbit/s, to be counted as reading with the 60 s default)."""
    for channel in list(server.active_channels.values()):
        if channel.requests and channel.total_outbufs_len and channel.last_activity < now - send_timeout:
            logger.warning("closing a connection from %s that took nothing of its answer for %s s",
                           channel.addr[0] if channel.addr else "?", int(now - channel.last_activity))
            channel.handle_close()


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
