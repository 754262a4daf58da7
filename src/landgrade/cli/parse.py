"""``landgrade parse``: a grade-zone description printed as rules (JSON) or gazette wording."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from landgrade.errors import LandgradeError
from landgrade.gazette.county import ALL_USES, CountyFolder
from landgrade.gazette.parse import Reading, parse_file, read_file
from landgrade.gazette.per_use import parse_descriptions, read_descriptions, uses_to_dict
from landgrade.gazette.rules import Rules
from landgrade.gazette.wording import to_gazette_text


class NamesFileError(LandgradeError):
    """A ``--names`` file that cannot be read as one feature name per line."""


def parse_command(file: Path, as_text: bool = False, keep_going: bool = False,
                  names: Path | None = None) -> None:
    """``landgrade parse FILE``: print the rules as JSON, or with ``--text`` as gazette wording.

    FILE is a description, or a county folder (each use's description, as metadata.json names
    them). ``--keep-going`` prints every area that reads and one line per refused area on
    stderr; the exit status is then 2 when anything was refused.
    """
    known = _names(names) if names else None
    folder = CountyFolder(file) if file.is_dir() else None
    if keep_going:
        readings = (read_descriptions(folder, known) if folder
                    else {ALL_USES: read_file(file, known_names=known)})
        _print(_rules_of(readings), as_text)
        refused = [r for reading in readings.values() for r in reading.refusals]
        for r in refused:
            print(f"refused: {r.message()}", file=sys.stderr)
        if refused:
            print(f"{len(refused)} area(s) not read; every other area is on stdout",
                  file=sys.stderr)
            raise typer.Exit(2)
        return
    rules = parse_descriptions(folder, known) if folder else {
        ALL_USES: parse_file(file, known_names=known)}
    _print(rules, as_text)


def _rules_of(readings: dict[str, Reading]) -> dict[str, Rules]:
    return {use: r.rules if r.rules is not None else Rules(())
            for use, r in readings.items()}


def _print(rules: dict[str, Rules], as_text: bool) -> None:
    if as_text:
        for use, r in rules.items():
            if len(rules) > 1:
                print(f"# {use}")
            print(to_gazette_text(r), end="")
    else:
        print(json.dumps(uses_to_dict(rules), ensure_ascii=False, indent=2))


def _names(path: Path) -> frozenset[str]:
    """``--names FILE``: the feature names the network has, one per line (UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise NamesFileError(f"{path}: not UTF-8 text; give one feature name per line, "
                             "saved as UTF-8") from None
    return frozenset(line.strip() for line in text.splitlines() if line.strip())
