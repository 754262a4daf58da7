"""The grade rows of a description: where each grade's text starts (the one pre-pass).

A row starts at a line whose first word is a grade word, in any spelling counties print:
``一级``, ``第二级``, ``1级``, ``III级``, ``Ⅰ级地``, ``一级地``, ``一级土地``, ``一等地段``,
``Ⅳ级住宅用地``, a bare ``Ⅰ`` or ``III`` before a tab, a circled ``①`` before a tab. A grade word
followed by words that go on with a clause (``二级区域以外）``) does not start a row; header lines
(``级别  级别范围描述``) and a table caption (``表5 …``) are skipped, and any other line continues
the row above it (a wrapped paragraph).

A description may start above 一级 (a table of Ⅳ and Ⅴ only); after its first row the grades go
on one by one. ``allow_gaps`` (``parse --keep-going``) accepts a missing grade and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from landgrade.gazette.folding import Folded, fold
from landgrade.gazette.names import grade_number, grade_word
from landgrade.gazette.parse_errors import RulesSyntaxError, error_at

_NUM = r"[一二三四五六七八九十]{1,3}|\d{1,2}|[IVX]{1,4}"
_GRADE_HEAD = re.compile(rf"第?({_NUM})(?:级|等)(?:土地|用地|地段|地区|区域|地|区)?")
# a label before a tab: the grade word and what the county adds (Ⅳ级住宅用地, 一等地段, Ⅰ)
_GAP_LABEL = re.compile(rf"第?(?P<n>{_NUM})(?:(?:级|等)[\u4e00-\u9fff]{{0,8}})?")
# after a grade word, these continue a clause (…二级区域以外）, 二级边界) rather than start a row
_CLAUSE_GOES_ON = re.compile(r"以外|之外|外|除外|[、,至)]|区域|范围|边界|末端|端|以[东南西北]")
_HEADER = re.compile(
    r"(?:级别)?级别(?:范围)?(?:描述|说明)?"  # the table header: 级别  级别范围描述
    r"|表\d+.*"  # a table caption: 表5 洞口县城区土地级别范围描述
    r"|(?:[一二三四五六七八九十]+、)?[^;。()]*级别范围(?:描述)?"  # a section heading
)
_CIRCLED = re.compile(r"[\u2460-\u2473]")


@dataclass
class Row:
    """One grade's row: its grade, the grade word as printed (``label``) and the folded body."""

    word: str
    grade: int
    start: int
    body: Folded
    label: str = ""
    problems: list[RulesSyntaxError] = field(default_factory=list)


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line))
        pos += len(line)
    return out


def _head(folded: Folded, line: str) -> tuple[str, int] | None:
    """The grade numeral and the folded length of the grade label, when the line starts a row."""
    stripped = line.lstrip()
    if _CIRCLED.match(stripped) and (len(stripped) == 1 or stripped[1].isspace()):
        n = len(f"{ord(stripped[0]) - 0x245F}、")
        return str(ord(stripped[0]) - 0x245F), n
    for g in range(1, min(len(folded.text), 16) + 1):
        if folded.gap_before(g):
            m = _GAP_LABEL.fullmatch(folded.text[:g])
            if m and (not m.group("n").isdigit() or re.search(r"级|等", m.group(0))):
                return m.group("n"), g
            break
    head = _GRADE_HEAD.match(folded.text)
    if head and _is_row_start(folded, head.end()):
        return head.group(1), head.end()
    return None


def grade_rows(text: str, source: str, *, allow_gaps: bool = False) -> list[Row]:
    rows: list[Row] = []
    for start, line in _lines(text):
        folded = fold(line, start)
        if not folded.text:
            continue
        head = _head(folded, line)
        if head:
            numeral, end = head
            try:
                grade = grade_number(numeral)
                if grade < 1:
                    raise ValueError(numeral)
            except ValueError:
                raise error_at(text, source, folded.origin[0],
                               "a grade word such as 一级 or 十级") from None
            body = folded.slice(end)
            if body.text[:1] == ":":
                body = body.slice(1)
            label = folded.original(text, 0, end) if end else ""
            rows.append(Row(grade_word(grade), grade, folded.origin[0], body, label))
        elif _HEADER.fullmatch(folded.text):
            continue
        elif rows:
            rows[-1].body.append(folded)
        else:
            raise error_at(text, source, folded.origin[0],
                           'a grade row: a grade word at the start of the line, as in '
                           '"一级<tab>1、…；2、…。"')
    if not rows:
        expected = 'grade rows such as "一级<tab>1、…；2、…。", one per grade'
        raise RulesSyntaxError(source=source, offset=0, fragment="", expected=expected,
                               message=f"{source}: the description is empty — expected {expected}")
    seen: dict[int, Row] = {}
    for k, row in enumerate(rows):
        if row.grade in seen:
            raise error_at(text, source, row.start,
                           f"the rows in order, one per grade: {row.word} appears twice",
                           grade=row.grade, grade_word=row.word)
        if k and row.grade != rows[k - 1].grade + 1:
            want = rows[k - 1].grade + 1
            err = error_at(text, source, row.start,
                           f"{grade_word(want)} here: the grades must be in order, "
                           f"{grade_word(rows[k - 1].grade)}, {grade_word(want)}, …, none missing",
                           grade=row.grade, grade_word=row.word)
            if not allow_gaps or row.grade < want:
                raise err
            row.problems.append(err)
        seen[row.grade] = row
    return rows


def _is_row_start(folded: Folded, end: int) -> bool:
    """A grade word at the start of a line starts a row unless the words after it go on with a
    clause wrapped from the line above (``二级区域以外）；…``)."""
    if end == len(folded.text):
        return True
    gap = folded.origin[end] > folded.origin[end - 1] + 1  # white space was folded away
    return gap or folded.text[end] == ":" or not _CLAUSE_GOES_ON.match(folded.text, end)
