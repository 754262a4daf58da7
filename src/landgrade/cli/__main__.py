"""``python -m landgrade.cli``: the same as the ``landgrade`` command."""

from landgrade.cli.app import app

app()
