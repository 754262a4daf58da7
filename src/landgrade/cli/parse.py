"""``landgrade parse``: a grade-zone description printed as rules (JSON) or gazette wording."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import typer

from landgrade.errors import LandgradeError
from landgrade.gazette.county import ALL_USES, CountyFolder
from landgrade.gazette.parse import Reading, parse_file, read_file
from landgrade.gazette.parse_errors import RulesSyntaxError
from landgrade.gazette.per_use import parse_descriptions, read_descriptions, uses_to_dict
from landgrade.gazette.rules import Rules
from landgrade.gazette.wording import to_gazette_text

# How the parser places an error it words from the grammar (landgrade.gazette.parse_errors).
_PLACED = re.compile(r": (?:grade .+? \(\d+\), )?(?:item \d+, )?at (?:the end of the row, )?"
                     r"character \d+: \".*\" — expected ")


class NamesFileError(LandgradeError):
    """A ``--names`` file that cannot be read as one feature name per line."""


def parse_command(file: Path, as_text: bool = False, keep_going: bool = False,
                  names: Path | None = None, lang: str = "en") -> None:
    """``landgrade parse FILE``: print the rules as JSON, or with ``--text`` as gazette wording.

    FILE is a description, or a county folder (each use's description, as metadata.json names
    them). ``--keep-going`` prints every area that reads and one line per refused area on
    stderr; the exit status is then 2 when anything was refused. A description that does not
    parse is an error naming the place and what was expected, in ``lang`` (the rules themselves
    are data: JSON keys, and the gazette's own words).
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
    try:
        rules = parse_descriptions(folder, known) if folder else {
            ALL_USES: parse_file(file, known_names=known)}
    except RulesSyntaxError as e:
        if lang != "zh":
            raise
        raise RulesSyntaxError(source=e.source, offset=e.offset, fragment=e.fragment,
                               expected=e.expected, grade=e.grade, grade_word=e.grade_word,
                               item=e.item, line=e.line, column=e.column,
                               message=syntax_message(e, lang)) from None
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


def syntax_message(error: RulesSyntaxError, lang: str) -> str:
    """The message of a description that does not parse, in ``lang``: where (grade, item,
    character, line and column) and what the grammar would have accepted. A message the parser
    wrote for a particular case (an encoding, a missing grade) is kept as it is."""
    from landgrade.gazette.labels import word
    from landgrade.gazette.labels_outputs import PARSE_REWORDINGS
    from landgrade.gazette.names import grade_word_of
    from landgrade.gazette.rewording import reword

    text = str(error)
    if lang != "zh":
        return text
    if not _PLACED.search(text):  # a message of its own: worded whole where a wording exists
        return reword(text, PARSE_REWORDINGS, lang)
    where = []
    if error.grade is not None:
        g = error.grade_word or grade_word_of(error.grade)
        where.append(word("parse_where_grade", lang, word=g, grade=error.grade))
    if error.item is not None:
        where.append(word("parse_where_item", lang, item=error.item))
    at_end = "at the end of the row, character" in text
    where.append(word("parse_where_end" if at_end else "parse_where_at", lang,
                      offset=error.offset))
    message = word("parse_error", lang, source=error.source, where="，".join(where),
                   fragment=error.fragment,
                   expected=reword(error.expected, PARSE_REWORDINGS, lang))
    if error.line is not None:
        message += word("parse_line", lang, line=error.line, column=error.column)
    return message
