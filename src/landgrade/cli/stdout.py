"""What a command prints on its standard output, written so that a closed pipe ends it quietly.

``landgrade locate … | head -3`` closes the pipe before the answer is all written; Python then
raises ``BrokenPipeError`` at the next write or at exit, which surfaced as a traceback (or as
``error: Broken pipe`` and status 2). :func:`emit` writes and flushes, and on a closed pipe
points standard output at the null device and exits with status 141 (128 + SIGPIPE), the
status a shell reports for any program a pipe closed, and says nothing: the reader asked for
no more.
"""

from __future__ import annotations

import os
import sys

SIGPIPE_STATUS = 141


def emit(text: str) -> None:
    """Print ``text`` and a newline to standard output, now; a closed pipe ends the command
    quietly with status 141."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at the null device so that flush
        # cannot fail (and print a traceback) a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
        raise SystemExit(SIGPIPE_STATUS) from None
