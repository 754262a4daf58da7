"""``landgrade parse``: a grade-zone description printed as rules (JSON) or gazette wording."""

from __future__ import annotations

import json
from pathlib import Path

from landgrade.gazette.parse import parse_file
from landgrade.gazette.wording import to_gazette_text


def parse_command(file: Path, as_text: bool = False) -> None:
    """``landgrade parse FILE``: print the rules as JSON, or with ``--text`` as gazette wording."""
    rules = parse_file(file)
    if as_text:
        print(to_gazette_text(rules), end="")
    else:
        print(json.dumps(rules.to_dict(), ensure_ascii=False, indent=2))
