"""What a grade-zone description that does not parse is told: where, and what was expected.

Every failure of :mod:`landgrade.gazette.parse` is a :class:`RulesSyntaxError` naming the grade,
the item, the character offset in the text the user typed, a dozen characters found there
(:func:`error_at`) and, in words, what the grammar would have accepted (:func:`expected_phrase`,
from the terminal names of ``description.lark``: :data:`_PHRASES`).
"""

from __future__ import annotations

import re

from landgrade.errors import LandgradeError
from landgrade.gazette.names import grade_word_of

_FRAGMENT_CHARS = 12


class RulesSyntaxError(LandgradeError):
    """A description that does not read as rules.

    Attributes: ``source`` (file name or ``"<text>"``), ``grade`` (int, or None outside a grade
    row), ``grade_word`` (as printed, ``三级``), ``item`` (1-based area number within the grade,
    or None), ``offset`` (0-based character offset in the original text), ``line`` and
    ``column`` (1-based), ``fragment`` (the text found there) and ``expected`` (a phrase).
    """

    def __init__(
        self,
        *,
        source: str,
        offset: int,
        fragment: str,
        expected: str,
        grade: int | None = None,
        grade_word: str | None = None,
        item: int | None = None,
        line: int | None = None,
        column: int | None = None,
        at_end: bool = False,
        message: str | None = None,
    ) -> None:
        self.source = source
        self.offset = offset
        self.fragment = fragment
        self.expected = expected
        self.grade = grade
        self.grade_word = grade_word
        self.item = item
        self.line = line
        self.column = column
        where = []
        if grade is not None:
            where.append(f"grade {grade_word or grade_word_of(grade)} ({grade})")
        if item is not None:
            where.append(f"item {item}")
        where.append(f"at the end of the row, character {offset}" if at_end
                     else f"at character {offset}")
        if message is None:
            message = f"{source}: {', '.join(where)}: \"{fragment}\" — expected {expected}"
            if line is not None:
                message += f" (line {line}, column {column})"
        super().__init__(message)


class RulesEncodingError(RulesSyntaxError):
    """A description file that is not UTF-8 text; the message says how to re-save it."""

    def __init__(self, source: str, offset: int, problem: str, fix: str) -> None:
        super().__init__(source=source, offset=offset, fragment="", expected=fix,
                         message=f"{source}: {problem}; {fix}")


_PHRASES: dict[str, str] = {
    "_BOTH_SIDES": '"两侧…米区域"',
    "_LINK": '"－" and the next boundary feature',
    "_BOUND_SEP": '"－" and the next bound, as in "沟渠以西"',
    "_FRONTAGE_OPEN": 'a frontage width such as "（含东侧16米）"',
    "_ENCLOSED": '"所围成区域"',
    "_RPAR": '"）" closing the bracket',
    "_METRE": '"米" after the width',
    "SIDE": "a side: 东, 西, 南 or 北",
    "_SIDE_WORD": '"侧" after the side',
    "NUMBER": "a width in metres, as in 16米",
    "NAME": "a road, river or landmark name",
    "JUNCTION": "a junction, as in 健民路口",
    "QUALIFIER": 'a qualifier such as "平溪江以南段", or a width with its side: "（含东侧20米）"',
    "NOTE": "a note",
    "_STRETCH_OPEN": 'the stretch of road, as in "（益民路口起至凤凰路口止）"',
    "_TO": '"至"',
    "DIRECTION": '"以东", "以南", "以西" or "以北"',
    "_COLON": '"："',
    "_CLAUSE_SEP": '"；" and a sub-stretch width (健民路口至文昌路口段北侧为100米)',
    "_ITEM_SEP": '"；" before the next item (or "。" at the end)',
    "_EXCL_OPEN": '"（除…级区域以外）"',
    "_EXCEPTED": '"除外"',
    "GRADE_NUM": "a grade numeral 一 … 十",
    "_ENUM_SEP": '"、" and another grade',
    "_GRADE_SUFFIX": '"级"',
    "_EXCEPT": '"以外"',
    "_AREA_WORD": '"区域"',
    "_OTHER_AREA": '"其他区域"',
    "ITEM_NO": "an item number, as in 1、",
    "_EXTENT": '"定级范围"',
    "_STRETCH_END": '"段"',
    "$END": "the end of the grade's description",
}
_END_ONLY = {"$END", "_ITEM_SEP"}
# Terminals that only ever complete a phrase already listed; naming them adds noise.
_QUIET = {"_LPAR", "_EACH", "_ROAD_WORD", "_FROM", "_IS", "_OF", "_EXCEPT_WORD", "_DEPTH",
          "_AMONG", "_EXCL_AFTER_OPEN", "_ABOVE"}
_RANK = list(_PHRASES)
_RESIDUAL_BEFORE = re.compile(r"(?:其[他它余]的?(?:区域|范围|地区)|剩余的?区域)[;。]?$")


def expected_phrase(expected: set[str], body: str, pos: int) -> str:
    if expected and expected <= _END_ONLY:
        return ('the end of the row: nothing may follow the residual area ("…以外其他区域")'
                if _RESIDUAL_BEFORE.search(body[:pos]) else "the end of the row")
    names = sorted((e for e in expected if e not in _QUIET), key=lambda e: (
        _RANK.index(e) if e in _RANK else len(_RANK), e))
    phrases = [_PHRASES.get(e, e) for e in names] or ["something else"]
    if names and names[0] == "_BOTH_SIDES" and re.search(r"\)(?:道路)?$", body[:pos]):
        phrases[0] += " after the road stretch"
    phrases = phrases[:4]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " or " + phrases[-1]


def item_at(body: str, pos: int) -> int:
    """The 1-based item a folded position falls in: count ；/。 outside brackets before it."""
    depth, item = 0, 1
    for ch in body[:pos]:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch in ";。" and depth == 0:
            item += 1
    return item


def _fragment(text: str, offset: int) -> tuple[str, bool]:
    """The text found at ``offset`` (a dozen characters of its line), or before it at a line end."""
    tail = re.split(r"[\r\n]", text[offset:], maxsplit=1)[0].rstrip()
    if tail:
        short = tail[:_FRAGMENT_CHARS]
        return _printable(short) + ("…" if len(tail) > len(short) else ""), False
    head = text[:offset].rstrip().rsplit("\n", 1)[-1]
    short = head[-_FRAGMENT_CHARS:]
    return ("…" if len(head) > len(short) else "") + _printable(short), True


def _printable(s: str) -> str:
    return "".join(c if c.isprintable() else " " for c in s)


def error_at(text: str, source: str, offset: int, expected: str, *, grade: int | None = None,
              grade_word: str | None = None, item: int | None = None) -> RulesSyntaxError:
    fragment, at_end = _fragment(text, offset)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return RulesSyntaxError(source=source, offset=offset, fragment=fragment, expected=expected,
                            grade=grade, grade_word=grade_word, item=item, line=line,
                            column=column, at_end=at_end)
