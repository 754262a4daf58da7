"""Read a grade-zone description (Table 5) into :class:`~landgrade.gazette.rules.Rules`.

A *grade-zone description* (土地级别范围描述) is the gazette table that says, grade by grade, which
areas of the town belong to each land grade (级别): one row per grade, ``一级<tab>1、…；2、…。``.
Reading goes in three steps:

1. the text is folded (NFKC, white space dropped) while every folded character keeps its offset
   in the original text (:mod:`landgrade.gazette.folding`), so errors point at what the user
   typed and every area's ``source`` is a verbatim substring of its row;
2. the grade rows are located (:mod:`landgrade.gazette.grade_rows`: 一级, Ⅰ级地, 一级土地, 一等地段,
   Ⅳ级住宅用地, …; a table may start above 一级);
3. each row is read into areas (:mod:`landgrade.gazette.row_reader`): Dongkou's wording by the
   grammar (``grammar.lark``), other counties' wording (四至, walks, rings with a lead-in,
   regions, frontage, administrative areas, free-worded residuals) by one reader per phrasing.

An area is read with certainty or refused by name: a feature name that holds a connective
(由, 经, 以…为界, 至, …) is refused unless the network knows it (``known_names``). Strictly
(:func:`parse_rules`), the first refusal is a :class:`RulesSyntaxError` naming the grade, item,
character offset, the text found there and what was expected; :func:`read_rules` (``parse
--keep-going``) reads every area it can and lists the refusals.

The way back, rules to gazette wording, is :func:`landgrade.gazette.wording.to_gazette_text`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from landgrade.gazette.grade_rows import Row, grade_rows
from landgrade.gazette.grammar_read import _parser
from landgrade.gazette.names import grade_number, grade_word
from landgrade.gazette.parse_errors import (
    RulesEncodingError,
    RulesSyntaxError,
    error_at,
    item_at,
)
from landgrade.gazette.refusal import Refusal
from landgrade.gazette.row_reader import RowReading, read_row
from landgrade.gazette.rules import GradeRule, Residual, Rules
from landgrade.text import normalize

__all__ = [
    "Reading",
    "RulesEncodingError",
    "RulesSyntaxError",
    "_parser",
    "grade_number",
    "grade_word",
    "parse_file",
    "parse_rules",
    "read_description",
    "read_rules",
]


@dataclass
class Reading:
    """What ``parse --keep-going`` reads: the rules of every area read (None when no area
    was), and one :class:`~landgrade.gazette.refusal.Refusal` per area not read."""

    rules: Rules | None
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.refusals


def parse_rules(text: str, source: str = "<text>",
                known_names: Collection[str] | None = None) -> Rules:
    """Read a whole grade-zone description (all grade rows) into rules.

    Raises :class:`RulesSyntaxError` (a :class:`~landgrade.errors.LandgradeError`) for the first
    area that does not read, naming the grade, item, character offset and what was expected.
    ``known_names`` are the feature names of the network: a name holding a connective (至善路)
    is accepted only when it is one of them (listed in ``Rules.known_names_used``).
    """
    reading = _read(text, source, known_names, keep_going=False)
    assert reading.rules is not None
    return reading.rules


def read_rules(text: str, source: str = "<text>",
               known_names: Collection[str] | None = None) -> Reading:
    """Read every area that reads; refuse the others by name (``parse --keep-going``).

    Errors of the file as a whole (empty, no grade row, not UTF-8) are still raised.
    """
    return _read(text, source, known_names, keep_going=True)


def _read(text: str, source: str, known_names: Collection[str] | None,
          keep_going: bool) -> Reading:
    text = text.removeprefix("\ufeff")
    known = frozenset(normalize(n) for n in known_names or ())
    grades: list[GradeRule] = []
    refusals: list[Refusal] = []
    names_used: list[str] = []
    listed: list[int] = []
    for row in grade_rows(text, source, allow_gaps=keep_going):
        for problem in row.problems:
            refusals.append(_refusal(text, source, row, row.start, row.start, problem.expected,
                                     None, row.start, row.start))
        if grades and grades[-1].areas and isinstance(grades[-1].areas[-1], Residual):
            err = error_at(text, source, row.start,
                           f"no row after {grade_word(grades[-1].grade)}: its residual area "
                           f"(…以外其他区域) leaves nothing for {row.word}",
                           grade=row.grade, grade_word=row.word)
            if not keep_going:
                raise err
            refusals.append(_refusal(text, source, row, row.start, row.start, err.expected,
                                     None, row.start, row.start))
        reading = read_row(row, text, known_names=known, grades_before=tuple(listed))
        listed.append(row.grade)
        if reading.refusals and not keep_going:
            raise _strict_error(text, source, row, reading)
        for r in reading.refusals:
            refusals.append(_refusal(text, source, row, r.pos, r.end, r.reason, r.item,
                                     r.area_start, r.area_end))
        names_used += [n for n in reading.names_used if n not in names_used]
        if reading.areas:
            label = row.label if row.label and row.label != row.word else None
            grades.append(GradeRule(row.grade, tuple(reading.areas), tuple(reading.notes),
                                    label))
    rules = Rules(tuple(grades), known_names_used=tuple(names_used)) if grades else None
    return Reading(rules, refusals)


def _strict_error(text: str, source: str, row: Row, reading: RowReading) -> RulesSyntaxError:
    """The first refusal of a row as an error; for a row in Dongkou's wording that no reader
    recognised, the grammar's own error (where it stopped, what it expected)."""
    body = row.body.text
    failure = reading.grammar_failure
    if failure is not None and not reading.recognised:
        pos, expected = failure.pos, failure.expected
    else:
        first = reading.refusals[0]
        pos, expected = first.pos, first.reason
    return error_at(text, source, row.body.source_offset(pos), expected, grade=row.grade,
                    grade_word=row.word, item=item_at(body, pos))


def _refusal(text: str, source: str, row: Row, pos: int, end: int, reason: str,
             item: int | None, area_start: int, area_end: int) -> Refusal:
    body = row.body
    offset = body.source_offset(area_start) if area_end > area_start else row.start
    fragment = body.original(text, area_start, area_end) if area_end > area_start else \
        text[row.start:text.find("\n", row.start) if "\n" in text[row.start:] else len(text)]
    at = body.original(text, pos, end) if end > pos else ""
    return Refusal(source=source, grade=row.grade, grade_word=row.word, item=item,
                   offset=offset, line=text.count("\n", 0, offset) + 1,
                   fragment=fragment.strip(), at=at, reason=reason)


def parse_file(path: str | Path, known_names: Collection[str] | None = None) -> Rules:
    """Read a description file (UTF-8, as ``geo/<county>/table5.txt``) into rules."""
    path = Path(path)
    return parse_rules(read_description(path), source=path.name, known_names=known_names)


def read_file(path: str | Path, known_names: Collection[str] | None = None) -> Reading:
    """:func:`read_rules` of a description file (``parse FILE --keep-going``)."""
    path = Path(path)
    return read_rules(read_description(path), source=path.name, known_names=known_names)


def read_description(path: Path) -> str:
    """The text of a description file; a clear error when it is not UTF-8 text."""
    data = path.read_bytes()
    name = path.name
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RulesEncodingError(name, 0, "the file is UTF-16, not UTF-8",
                                 "re-save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)")
    if b"\x00" in data:
        raise RulesEncodingError(name, data.index(b"\x00"), "this is a binary file, not text",
                                 "give the grade-zone description as a UTF-8 text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        try:
            data.decode("gb18030")
            problem = ("the file is not UTF-8 (it reads as GBK/GB18030, the usual Windows "
                       "encoding for Chinese)")
        except UnicodeDecodeError:
            problem = f"the file is not UTF-8 text (undecodable byte at {e.start})"
        raise RulesEncodingError(
            name, e.start, problem,
            f"re-save it as UTF-8, or convert it: iconv -f GBK -t UTF-8 {name} > utf8-{name}",
        ) from None
