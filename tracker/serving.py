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

# Connections held at once (idle, slow or busy); beyond it waitress stops accepting until some
# close. Well above a commission office's users, well below the process's file limit.
CONNECTION_LIMIT = 1000
# A connection that sends nothing for this long is closed.
CHANNEL_TIMEOUT = 60


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tracker.serving")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)

    from waitress import serve

    from . import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Flask-Migrate imports Alembic, which logs each of its plugins at INFO as it sets them up:
    # seven lines under "Serving on" that say nothing about the tracker. Its warnings still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    serve(create_app(), **options(args.host, args.port, args.threads))


if __name__ == "__main__":
    main()
