"""The ``landgrade`` command: a thin shell over the stages below it."""

from landgrade.cli.app import app

__all__ = ["app"]
