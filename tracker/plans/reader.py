"""A plan document a user sent, read in a process of its own under a limit of CPU time and memory.

A Word or PDF file of a few hundred kilobytes can ask for minutes and gigabytes: a PDF stream
that unpacks a thousandfold (pdfminer unpacks a stream whole, with no limit), thousands of ruled
lines for pdfplumber's table search to cross, a page tree of thousands of pages. Read in the
server's own process, one such upload held a request thread for minutes, slowed every other
request through the GIL, and could take the whole tracker's memory. So ``read_upload`` runs
``documents.read_lines`` in a child (``python -m tracker.plans.reader``) that first limits
itself (``RLIMIT_CPU``, ``RLIMIT_AS``): past either it stops, and the officer is told why. The
server's threads go on serving the others meanwhile. Text files (.txt, .md) are read in the
server: their reading is linear in their size, which the upload limit bounds.

The child answers on its standard output in JSON: the lines, or a problem's code and values
(``documents.PROBLEMS``), made a message in the reader's language by the server.
"""

from __future__ import annotations

import json
import logging
import resource
import signal
import subprocess
import sys
from pathlib import Path

from .documents import DocumentProblem, read_lines

logger = logging.getLogger(__name__)

IN_A_CHILD = (".docx", ".pdf")
OUT_OF_MEMORY = 3  # the child's exit status when reading ran out of the memory it may use


def read_upload(path: Path | str, filename: str, *, seconds: int, memory: int) -> list[str]:
    """``read_lines(path, filename)``, a Word or PDF file in a child process that may use
    ``seconds`` of CPU time and ``memory`` bytes of address space; ``DocumentProblem`` when the
    file cannot be read or reading it would pass a limit."""
    if Path(filename).suffix.lower() not in IN_A_CHILD:
        return read_lines(path, filename)
    command = [sys.executable, "-m", __name__, str(seconds), str(memory), str(path), filename]
    try:
        # The wall-clock limit is for a child that waits rather than computes (a full disk).
        done = subprocess.run(command, capture_output=True, timeout=seconds * 3 + 10, check=False)
    except subprocess.TimeoutExpired:
        raise DocumentProblem("too_slow", seconds=seconds) from None
    if done.returncode == 0:
        answer = json.loads(done.stdout)
        if "problem" in answer:
            raise DocumentProblem(answer["problem"], **answer["params"])
        return answer["lines"]
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise DocumentProblem("too_slow", seconds=seconds)
    if done.returncode == OUT_OF_MEMORY:
        raise DocumentProblem("too_much_memory", limit=memory // (1024 * 1024))
    logger.error("reading the plan document %r stopped with status %s: %s", filename, done.returncode,
                 done.stderr.decode("utf-8", "replace")[-2000:])
    raise DocumentProblem("reader_failed")


def main(argv: list[str]) -> int:
    seconds, memory, path, filename = int(argv[0]), int(argv[1]), argv[2], argv[3]
    # Past the soft limit the kernel sends SIGXCPU, which ends the process; the hard limit a
    # second later, SIGKILL, for a process that would not end.
    for limit, value in ((resource.RLIMIT_CPU, (seconds, seconds + 1)), (resource.RLIMIT_AS, (memory, memory))):
        try:
            resource.setrlimit(limit, value)
        except (ValueError, OSError) as error:  # macOS refuses RLIMIT_AS: read without that one
            print(f"tracker.plans.reader: limit {limit} not set: {error}", file=sys.stderr)
    try:
        answer: dict = {"lines": read_lines(path, filename)}
    except DocumentProblem as problem:
        answer = {"problem": problem.code, "params": problem.params}
    except MemoryError:
        return OUT_OF_MEMORY
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
