"""A second reader of one SQLite statement, in a process of its own (``csv_lines.Halves``).

Run as a script by a fresh interpreter (``python -I -S <this file>``): it imports the standard
library only, so it starts in tens of milliseconds and shares nothing with the process that
started it (an SQLite connection must not cross a ``fork``, and SQLite's own locks are a
process's). It reads one pickled job from stdin, a dict:

* ``database``: the file's path;
* ``stamp``: the change stamp (``portfolio_changes``) the parent's read transaction sees;
* ``sql``, ``parameters``: a statement whose one column is bytes.

In one read transaction it reads the stamp and, when it is the parent's, runs the statement and
writes its rows' bytes, one after the other, to stdout (a file the parent reads afterwards):
both readers then saw the same committed portfolio. Exit status 0: every row written;
``STALE``: a write committed between the two readers' starts, nothing written (the parent reads
the rows itself). Any other status is a failure, which the parent treats as ``STALE``.
"""

from __future__ import annotations

import pickle
import sqlite3
import sys
from urllib.parse import quote

STALE = 75  # EX_TEMPFAIL
BATCH = 1000


def main() -> int:
    job = pickle.load(sys.stdin.buffer)
    # Read-only, by URI: the path quoted, as a "?" or "#" in it would end it.
    connection = sqlite3.connect(f"file:{quote(job['database'])}?mode=ro", uri=True, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute("BEGIN")
        stamp = connection.execute("SELECT stamp FROM portfolio_changes WHERE id = 1").fetchone()
        if stamp is None or stamp[0] != job["stamp"]:
            return STALE
        out = sys.stdout.buffer
        cursor = connection.execute(job["sql"], job["parameters"])
        while rows := cursor.fetchmany(BATCH):
            out.write(b"".join([row[0] for row in rows]))
        out.flush()
        return 0
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
