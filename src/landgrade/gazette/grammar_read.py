"""The grade-zone grammar (``grammar.lark``) applied to a row, or to one area of a row.

This is the reading of Dongkou's wording: rings of features with frontage brackets, corridors,
regions and the residual (see the grammar's header). :func:`grammar_items` parses a text and
returns its areas with their spans, or raises :class:`GrammarFailure` saying where it stopped
and, in words, what the grammar would have accepted there.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib import resources
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
from landgrade.gazette.parse_errors import expected_phrase
from landgrade.gazette.rules import (
    Area,
    Bound,
    Corridor,
    Override,
    Region,
    Residual,
    Ring,
    RingItem,
)

# Endpoint words that are not roads: in "至边界范围路段" the 路段 is "road stretch", so the
# junction is 边界范围, whereas in "至建设路段" it is 建设路.
_NON_ROAD_ENDPOINTS: tuple[str, ...] = ("范围", "界线", "范围线", "边界", "边界线", "末端", "处")


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
class GrammarItem:
    """One area the grammar read: its item number, the area, and its span in the text."""

    number: int | None
    area: Area
    pos: int
    end: int


def _pos(meta: Meta) -> int:
    return meta.start_pos if not meta.empty else 0


@v_args(meta=True)
class _ToRules(Transformer):
    """Parse tree of one grade row -> its areas, checking what the grammar cannot."""

    def __init__(self, grade: int, body: str) -> None:
        super().__init__()
        self.grade = grade
        self.body = body

    def start(self, meta: Meta, children: list[Any]) -> list[GrammarItem]:
        items: list[GrammarItem] = []
        for child in children:
            items.extend(child if isinstance(child, list) else [child])
        for k, it in enumerate(items, start=1):
            if it.number is not None and it.number != k:
                raise _ClauseError(it.pos, f"item number {k} (items are numbered 1、2、3、… "
                                   "in order)")
        return items

    def item_list(self, meta: Meta, children: list[Any]) -> list[GrammarItem]:
        return [*children[0], children[1]] if len(children) == 2 else [children[0]]

    def item(self, meta: Meta, children: list[Any]) -> GrammarItem:
        number = int(re.sub(r"\D", "", children[0])) if len(children) == 2 else None
        return GrammarItem(number, children[-1], _pos(meta), meta.end_pos if not meta.empty else 0)

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



class GrammarFailure(Exception):
    """The grammar stopped at ``pos`` (folded offset); ``expected`` says what it wanted."""

    def __init__(self, pos: int, expected: str) -> None:
        super().__init__(expected)
        self.pos = pos
        self.expected = expected


def grammar_items(body: str, grade: int) -> list[GrammarItem]:
    """The areas of ``body`` as the grammar reads them, each with its span in ``body``."""
    if not body:
        raise GrammarFailure(0, f"the description of {grade_word(grade)} after the grade word")
    try:
        tree = _parser().parse(body)
    except UnexpectedInput:
        unbalanced = _unbalanced_bracket(body)
        if unbalanced is not None:
            raise GrammarFailure(*unbalanced) from None
        pos, acceptable = _syntax_error(body)
        raise GrammarFailure(pos, expected_phrase(acceptable, body, pos)) from None
    try:
        return _ToRules(grade, body).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, _ClauseError):
            raise GrammarFailure(e.orig_exc.pos, e.orig_exc.expected) from None
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

