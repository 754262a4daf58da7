"""The one error type users see: every message names the file, row or clause, and the fix."""

from __future__ import annotations


class LandgradeError(Exception):
    """Bad input or data. The CLI prints the message without a traceback and exits non-zero."""
