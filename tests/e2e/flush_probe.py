"""``python -m tests.e2e.flush_probe <tracker arguments>``: the real ``tracker`` command, telling
on standard output each time it has flushed rows to the database (``flushed N``).

The fault tests (test_faults.py) use the line to stop and kill the command while its transaction
is open, half-way through a seed or an import. Nothing else about the command changes.
"""

import sys

import sqlalchemy as sa
from sqlalchemy.orm import Session

flushes = 0


@sa.event.listens_for(Session, "after_flush")
def _tell(session, context):
    global flushes
    flushes += 1
    print(f"flushed {flushes}", flush=True)


if __name__ == "__main__":
    from tracker.cli import main
    main(args=sys.argv[1:], prog_name="tracker")
