"""Read a grade-zone description (Table 5) into :class:`~landgrade.gazette.rules.Rules`.

A *grade-zone description* (土地级别范围描述) is the gazette table that says, grade by grade, which
areas of the town belong to each land grade (级别): one row per grade, ``一级<tab>1、…；2、…。``.
The clause language is the grammar in ``description.lark`` (beside this module); this module

1. folds the text (NFKC, white space dropped, with :func:`landgrade.names.normalize`) while keeping,
   for every folded character, its offset in the original text, so errors point at what the
   user typed;
2. locates the grade rows — the one pre-pass outside the grammar: a row starts at a line whose
   first word is a grade word (``一级`` … ``十级``, ``1级``, ``第二级``, ``一级地``) not followed
   by words that go on with a clause (``二级区域以外``); header lines (``级别  级别范围描述``) and
   a table caption (``表5 …``) are skipped, and any other line continues the row above it (a
   wrapped paragraph);
3. parses each row's description with the grammar (lark, LALR(1), contextual lexer: deterministic,
   fast, and its errors know exactly which tokens were expected) and turns the tree into rules.

Everything that goes wrong is a :class:`RulesSyntaxError` naming the grade, the item, the
character offset, the text found there and what was expected
(:mod:`landgrade.gazette.parse_errors`).

The way back, rules to gazette wording, is :func:`landgrade.gazette.wording.to_gazette_text`.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, UnexpectedToken, VisitError
from lark.tree import Meta

from landgrade.gazette.names import (
    ROAD_SUFFIXES,
    SIDE_OF_CHAR,
    grade_number,
    grade_word,
    strip_junction_marker,
)
from landgrade.gazette.parse_errors import (
    RulesEncodingError,
    RulesSyntaxError,
    error_at,
    expected_phrase,
    item_at,
)
from landgrade.gazette.rules import (
    Area,
    Bound,
    Corridor,
    GradeRule,
    Override,
    Region,
    Residual,
    Ring,
    RingItem,
    Rules,
)
from landgrade.text import normalize

__all__ = [
    "RulesEncodingError",
    "RulesSyntaxError",
    "grade_number",
    "grade_word",
    "parse_file",
    "parse_rules",
]


# Endpoint words that are not roads: in "至边界范围路段" the 路段 is "road stretch", so the
# junction is 边界范围, whereas in "至建设路段" it is 建设路.
_NON_ROAD_ENDPOINTS: tuple[str, ...] = ("范围", "界线", "范围线", "边界", "边界线", "末端", "处")


# --- folding with offsets ----------------------------------------------------------------------
@dataclass
class _Folded:
    """Folded text and, for each folded character, the offset of its original character."""

    text: str = ""
    origin: list[int] = field(default_factory=list)
    end: int = 0  # original offset just past the last folded character

    def append(self, other: _Folded) -> None:
        self.text += other.text
        self.origin += other.origin
        self.end = other.end if other.text else self.end

    def source_offset(self, pos: int) -> int:
        return self.origin[pos] if pos < len(self.origin) else self.end

    def slice(self, start: int) -> _Folded:
        return _Folded(self.text[start:], self.origin[start:], self.end)


def _fold(text: str, base: int = 0) -> _Folded:
    """``names.normalize`` character by character, remembering where each character came from."""
    out: list[str] = []
    origin: list[int] = []
    end = base
    for i, ch in enumerate(text):
        if "\u2460" <= ch <= "\u2473":  # ① … ⑳ are item numbers
            folded = f"{ord(ch) - 0x245F}、"
        else:
            folded = normalize(ch)
        if folded:
            out.append(folded)
            origin.extend([base + i] * len(folded))
            end = base + i + 1
    return _Folded("".join(out), origin, end)


# --- grade rows (the pre-pass) -----------------------------------------------------------------
_GRADE_HEAD = re.compile(r"第?([一二三四五六七八九十]{1,3}|\d{1,2}|[IVX]{1,4})级(?:区域|地|区)?")
# after a grade word, these continue a clause (…二级区域以外）, 二级边界) rather than start a row
_CLAUSE_GOES_ON = re.compile(r"以外|之外|外|除外|[、,至)]|区域|范围|边界|末端|端|以[东南西北]")
_HEADER = re.compile(
    r"(?:级别)?级别(?:范围)?(?:描述|说明)?"  # the table header: 级别  级别范围描述
    r"|表\d+.*"  # a table caption: 表5 洞口县城区土地级别范围描述
    r"|(?:[一二三四五六七八九十]+、)?[^;。()]*级别范围(?:描述)?"  # a section heading
)


@dataclass
class _Row:
    word: str
    grade: int
    start: int
    body: _Folded


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line))
        pos += len(line)
    return out


def _grade_rows(text: str, source: str) -> list[_Row]:
    rows: list[_Row] = []
    for start, line in _lines(text):
        folded = _fold(line, start)
        if not folded.text:
            continue
        head = _GRADE_HEAD.match(folded.text)
        if head and _is_row_start(folded, head.end()):
            try:
                grade = grade_number(head.group(1))
            except ValueError:
                raise error_at(text, source, folded.origin[0],
                                "a grade word such as 一级 or 十级") from None
            body = folded.slice(head.end())
            if body.text[:1] == ":":
                body = body.slice(1)
            rows.append(_Row(grade_word(grade), grade, folded.origin[0], body))
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
    for k, row in enumerate(rows, start=1):
        if row.grade != k:
            seen = {r.grade: r for r in rows[: k - 1]}
            expected = (f"the rows in order, one per grade: {row.word} appears twice"
                        if row.grade in seen else
                        f"{grade_word(k)} here: the grades must be 一级, 二级, … in order, none "
                        "missing")
            raise error_at(text, source, row.start, expected, grade=row.grade,
                            grade_word=row.word)
    return rows


def _is_row_start(folded: _Folded, end: int) -> bool:
    """A grade word at the start of a line starts a row unless the words after it go on with a
    clause wrapped from the line above (``二级区域以外）；…``)."""
    if end == len(folded.text):
        return True
    gap = folded.origin[end] > folded.origin[end - 1] + 1  # white space was folded away
    return gap or folded.text[end] == ":" or not _CLAUSE_GOES_ON.match(folded.text, end)


# --- parse tree -> rules -----------------------------------------------------------------------
@functools.cache
def _parser() -> Lark:
    grammar = resources.files("landgrade.gazette").joinpath("grammar.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True)


class _ClauseError(Exception):
    """A clause that parsed but does not make sense; ``pos`` is a folded offset in the row."""

    def __init__(self, pos: int, expected: str) -> None:
        super().__init__(expected)
        self.pos = pos
        self.expected = expected


@dataclass(frozen=True)
class _Frontage:
    side: str
    width_m: float
    overrides: tuple[Override, ...]
    notes: tuple[str, ...]
    pos: int


@dataclass(frozen=True)
class _Stretch:
    from_: str
    to: str
    text: str  # as printed, for a stretch that qualifies a ring item
    pos: int


@dataclass(frozen=True)
class _Item:
    number: int | None
    area: Area
    pos: int


def _pos(meta: Meta) -> int:
    return meta.start_pos if not meta.empty else 0


@v_args(meta=True)
class _ToRules(Transformer):
    """Parse tree of one grade row -> its areas, checking what the grammar cannot."""

    def __init__(self, grade: int, body: str) -> None:
        super().__init__()
        self.grade = grade
        self.body = body

    def start(self, meta: Meta, children: list[Any]) -> list[_Item]:
        items: list[_Item] = []
        for child in children:
            items.extend(child if isinstance(child, list) else [child])
        for k, it in enumerate(items, start=1):
            if it.number is not None and it.number != k:
                raise _ClauseError(it.pos, f"item number {k} (items are numbered 1、2、3、… "
                                   "in order)")
        return items

    def item_list(self, meta: Meta, children: list[Any]) -> list[_Item]:
        return [*children[0], children[1]] if len(children) == 2 else [children[0]]

    def item(self, meta: Meta, children: list[Any]) -> _Item:
        number = int(re.sub(r"\D", "", children[0])) if len(children) == 2 else None
        return _Item(number, children[-1], _pos(meta))

    residual_item = item

    # ring
    def ring(self, meta: Meta, children: list[Any]) -> Ring:
        within = children.pop(0) if isinstance(children[0], str) else None
        exclude = children.pop() if isinstance(children[-1], tuple) else ()
        return Ring(tuple(children), exclude, within)

    def within(self, meta: Meta, children: list[Token]) -> str:
        return f"{children[0]}{children[1]}"

    def ring_item(self, meta: Meta, children: list[Any]) -> RingItem:
        name, *parts = children
        frontages = [p for p in parts if isinstance(p, _Frontage)]
        if len(frontages) > 1:
            raise _ClauseError(frontages[1].pos, "one width bracket per feature (put a second "
                               "width into the first: （含北侧16米；A路口至B路口段北侧为100米）)")
        qualifiers = [p.text if isinstance(p, _Stretch) else p for p in parts
                      if isinstance(p, str | _Stretch)]
        f = frontages[0] if frontages else None
        qualifiers += list(f.notes) if f else []
        return RingItem(
            feature=str(name),
            side=f.side if f else None,
            width_m=f.width_m if f else None,
            overrides=f.overrides if f else (),
            qualifier=",".join(qualifiers) if qualifiers else None,
        )

    def frontage(self, meta: Meta, children: list[Any]) -> _Frontage:
        side, width, *extra = children
        overrides = tuple(
            Override(e.from_, e.to, e.side or SIDE_OF_CHAR[side], e.width_m)  # same side if unsaid
            for e in extra if isinstance(e, Override)
        )
        notes = tuple(e for e in extra if isinstance(e, str))
        return _Frontage(SIDE_OF_CHAR[side], width, overrides, notes, meta.start_pos)

    def override(self, meta: Meta, children: list[Any]) -> Override:
        a, b, *rest = children
        side = SIDE_OF_CHAR[rest[0]] if len(rest) == 2 else None
        return Override(_junction(a), _junction(b), side, rest[-1])  # type: ignore[arg-type]

    def note(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])

    def qualifier(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])

    # corridor
    def corridor(self, meta: Meta, children: list[Any]) -> Corridor:
        names = [str(c) for c in children if isinstance(c, Token)]
        stretches = [c for c in children if isinstance(c, _Stretch)]
        width = next(c for c in children if isinstance(c, float | int))
        exclude = children[-1] if isinstance(children[-1], tuple) else ()
        features = tuple(map(_corridor_feature, names))
        if not stretches:  # the whole road: 人民路两侧各50米区域
            return Corridor(features, None, None, width, exclude)
        if len(stretches) > 1:
            raise _ClauseError(stretches[1].pos, "one stretch per corridor")
        s = stretches[0]
        return Corridor(features, s.from_, s.to, width, exclude)

    def stretch(self, meta: Meta, children: list[Token]) -> _Stretch:
        text = self.body[meta.start_pos + 1: meta.end_pos - 1]
        return _Stretch(_junction(children[0]), _junction(children[1]), text, meta.start_pos)

    # region, residual
    def region(self, meta: Meta, children: list[Any]) -> Region:
        exclude = children.pop() if isinstance(children[-1], tuple) else ()
        return Region(tuple(children), exclude)

    def bound(self, meta: Meta, children: list[Token]) -> Bound:
        return Bound(str(children[0]), SIDE_OF_CHAR[children[1][-1]])  # type: ignore[arg-type]

    def residual(self, meta: Meta, children: list[Any]) -> Residual:
        named = [g for g in (children[0] if children else ()) if not 1 <= g < self.grade]
        if named:
            raise _ClauseError(meta.start_pos, f"only better grades than {grade_word(self.grade)} "
                               f"before \"以外其他区域\", not {grade_word(named[0])}")
        return Residual()

    # shared
    def exclusion(self, meta: Meta, children: list[Any]) -> tuple[int, ...]:
        grades = tuple(sorted(set(children[0])))
        bad = [g for g in grades if not 1 <= g < self.grade]
        if bad:
            raise _ClauseError(meta.start_pos, f"only better grades than {grade_word(self.grade)} "
                               f"in \"（除…级区域以外）\", not {grade_word(bad[0])}")
        return grades

    def grade_list(self, meta: Meta, children: list[list[int]]) -> list[int]:
        return [g for ref in children for g in ref]

    def grade_ref(self, meta: Meta, children: list[Token]) -> list[int]:
        try:
            numbers = [grade_number(c) for c in children]
        except ValueError:
            raise _ClauseError(meta.start_pos, "a grade numeral 一 … 十") from None
        if len(numbers) == 2:
            if numbers[0] > numbers[1]:
                raise _ClauseError(meta.start_pos,
                                   "a grade range from the better grade, as in 一至三级")
            return list(range(numbers[0], numbers[1] + 1))
        return numbers

    def width(self, meta: Meta, children: list[Token]) -> float:
        value = float(children[0])
        if not (math.isfinite(value) and value > 0):
            raise _ClauseError(meta.start_pos, "a width greater than 0 metres")
        return int(value) if value.is_integer() else value


def _junction(token: str) -> str:
    """A stretch end as the junction resolver reads it: 凤凰路口 → 凤凰路, 边界范围路 → 边界范围."""
    name = str(token)
    if name.endswith("路") and name[:-1].endswith(_NON_ROAD_ENDPOINTS):
        name = name[:-1]
    return strip_junction_marker(name)


def _corridor_feature(name: str) -> str:
    """A corridor's road without the words 道路/路段/段.

    文昌南路道路 → 文昌南路, 新华路路段 → 新华路, 蔡锷路段 → 蔡锷路 (路段 is taken whole only where
    what is left still ends like a road).
    """
    for word in ("道路", "路段", "段"):
        stem = name.removesuffix(word)
        if stem != name and stem.endswith(ROAD_SUFFIXES):
            return stem
    return name


# --- public API ----------------------------------------------------------------------------------
def parse_rules(text: str, source: str = "<text>") -> Rules:
    """Read a whole grade-zone description (all grade rows) into rules.

    Raises :class:`RulesSyntaxError` (a :class:`~landgrade.errors.LandgradeError`) for anything
    that does not read, naming the grade, item, character offset and what was expected.
    """
    text = text.removeprefix("\ufeff")
    grades: list[GradeRule] = []
    for row in _grade_rows(text, source):
        if grades and isinstance(grades[-1].areas[-1], Residual):
            raise error_at(text, source, row.start,
                            f"no row after {grade_word(grades[-1].grade)}: its residual area "
                            f"(…以外其他区域) leaves nothing for {row.word}",
                            grade=row.grade, grade_word=row.word)
        areas = _parse_row(text, source, row)
        grades.append(GradeRule(row.grade, tuple(a.area for a in areas)))
    return Rules(tuple(grades))


def _parse_row(text: str, source: str, row: _Row) -> list[_Item]:
    body = row.body.text

    def fail(pos: int, expected: str) -> RulesSyntaxError:
        return error_at(text, source, row.body.source_offset(pos), expected, grade=row.grade,
                         grade_word=row.word, item=item_at(body, pos))

    if not body:
        raise fail(0, f"the description of {row.word} after the grade word")
    try:
        tree = _parser().parse(body)
    except UnexpectedInput:
        unbalanced = _unbalanced_bracket(body)
        if unbalanced is not None:
            raise fail(*unbalanced) from None
        pos, acceptable = _syntax_error(body)
        raise fail(pos, expected_phrase(acceptable, body, pos)) from None
    try:
        return _ToRules(row.grade, body).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, _ClauseError):
            raise fail(e.orig_exc.pos, e.orig_exc.expected) from None
        raise


def _unbalanced_bracket(body: str) -> tuple[int, str] | None:
    """The first bracket that is not closed (brackets never nest), or a stray closing one."""
    opened: int | None = None
    for pos, ch in enumerate(body):
        if ch == "(":
            if opened is not None:
                return opened, '"）" to close the bracket opened here'
            opened = pos
        elif ch == ")":
            if opened is None:
                return pos, 'no "）" here: it closes no bracket'
            opened = None
    return None if opened is None else (opened, '"）" to close the bracket opened here')


def _syntax_error(body: str) -> tuple[int, set[str]]:
    """Where a row stops parsing, and exactly which terminals the parser would accept there.

    LALR merges look-ahead sets and reduces before it notices an error, so the sets lark puts
    in its exceptions can name tokens that are impossible here; replaying the parse and asking
    the parser in the state before the bad token gives only the possible ones.
    """
    ip = _parser().parse_interactive(body)
    tokens = ip.lexer_thread.lex(ip.parser_state)
    while True:
        before = ip.copy(deepcopy_values=False)
        try:
            token = next(tokens)
        except StopIteration:
            break
        except UnexpectedInput as e:  # no terminal of this state matches here
            return e.pos_in_stream or 0, before.accepts()
        try:
            ip.feed_token(token)
        except UnexpectedToken:
            return token.start_pos, before.accepts()
    try:
        ip.feed_eof()
    except UnexpectedToken:
        return len(body), before.accepts()
    return len(body), set()  # pragma: no cover - the first parse failed, so the replay does


def parse_file(path: str | Path, known_names: frozenset[str] | set[str] | None = None) -> Rules:
    """Read a description file (UTF-8, as ``geo/<county>/table5.txt``) into rules."""
    path = Path(path)
    return parse_rules(read_description(path), source=path.name)


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
