"""One grade row read into areas, each with its source text — or refused by name.

The grammar (:mod:`landgrade.gazette.grammar_read`) reads Dongkou's wording; a row it reads whole,
with every name a plain name, is taken as it reads. Otherwise the row is cut into its areas
(:mod:`landgrade.gazette.segments`) and each area is read by the reader of its phrasing: the
grammar, a 四至, a walk, a ring with a lead-in, a region, frontage, an administrative area or the
residual. An area no reader reads *with certainty* is refused, naming its text and why.

Every area read carries ``source``: the verbatim text of the row it was read from.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from landgrade.gazette.connectives import connective_in, name_problem
from landgrade.gazette.features import read_feature, split_members
from landgrade.gazette.grade_rows import Row
from landgrade.gazette.grammar_read import GrammarFailure, grammar_items
from landgrade.gazette.names import grade_word
from landgrade.gazette.read_admin import (
    looks_like_admin,
    looks_like_residual,
    read_admin,
    read_residual,
)
from landgrade.gazette.read_four_sides import looks_like as looks_like_four_sides
from landgrade.gazette.read_four_sides import read_four_sides
from landgrade.gazette.read_region import (
    looks_like_frontage,
    looks_like_region,
    read_frontage,
    read_region,
)
from landgrade.gazette.read_ring import looks_like as looks_like_ring
from landgrade.gazette.read_ring import read_ring
from landgrade.gazette.read_walk import looks_like as looks_like_walk
from landgrade.gazette.read_walk import read_walk
from landgrade.gazette.refusal import Refuse
from landgrade.gazette.rule_areas import AdminArea
from landgrade.gazette.rules import Area, Corridor, Region, Residual, Ring, area_items
from landgrade.gazette.segments import Piece, segment


@dataclass(frozen=True)
class Refused:
    """An area not read: the words at fault ``[pos, end)`` inside the area ``[area_start,
    area_end)`` (folded offsets in the row body), why, and the area's number in the row."""

    pos: int
    end: int
    reason: str
    item: int | None
    area_start: int
    area_end: int


@dataclass
class RowReading:
    """What a row gave: its areas (each with its source set), notes, refusals (folded offsets
    in the row body with what was expected) and the names accepted because the network has
    them."""

    areas: list[Area] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refusals: list[Refused] = field(default_factory=list)
    names_used: list[str] = field(default_factory=list)
    grammar_failure: GrammarFailure | None = None
    recognised: bool = False  # some refused area was recognised as a phrasing (四至, walk, …)


def read_row(row: Row, text: str, *, known_names: Collection[str] = (),
             grades_before: tuple[int, ...] = ()) -> RowReading:
    body = row.body.text
    out = RowReading()
    if not body:
        out.grammar_failure = GrammarFailure(0, f"the description of {row.word} after the grade "
                                                "word")
        out.refusals.append(Refused(0, 0, out.grammar_failure.expected, None, 0, 0))
        return out
    try:
        items = grammar_items(body, row.grade)
    except GrammarFailure as e:
        out.grammar_failure = e
        items = None
    if items is not None:
        whole = RowReading()
        for k, item in enumerate(items, start=1):
            try:
                area = _checked(_enriched(item.area), body[item.pos:item.end], row.grade,
                                known_names, whole.names_used)
            except Refuse:
                break
            whole.areas.append(_with_source(area, row, text, item.pos, _trim(body, item.end)))
            if k == len(items):
                return whole
    _read_pieces(row, text, out, known_names, grades_before)
    if not out.areas and not out.refusals:  # nothing but separators or notes
        failure = out.grammar_failure or GrammarFailure(0, "an area")
        out.refusals.append(Refused(failure.pos, failure.pos, failure.expected, None, 0,
                                    len(body)))
    return out


def _read_pieces(row: Row, text: str, out: RowReading, known_names: Collection[str],
                 grades_before: tuple[int, ...]) -> None:
    body = row.body.text
    seg = segment(body)
    out.notes += seg.notes
    previous: int | None = None
    for piece in seg.pieces:
        out.notes += [n for n in piece.lead.notes if n not in out.notes]
    for k, piece in enumerate(seg.pieces, start=1):
        if piece.number is not None:
            if previous is not None and piece.number != previous + 1:
                out.refusals.append(Refused(
                    piece.full_start, piece.end,
                    f"item number {previous + 1} (items are numbered in order)", k,
                    piece.full_start, piece.end))
                previous = piece.number
                continue
            previous = piece.number
        try:
            area = _read_piece(piece, row, known_names, grades_before, out.names_used)
        except Refuse as e:
            e = e.shifted(piece.start)
            out.recognised |= e.family is not None
            end = e.end if e.end is not None else piece.end
            out.refusals.append(Refused(e.pos, max(end, e.pos), e.reason, k, piece.full_start,
                                        piece.end))
            continue
        out.areas.append(_with_source(area, row, text, piece.full_start, piece.end))


def _read_piece(piece: Piece, row: Row, known_names: Collection[str],
                grades_before: tuple[int, ...], names_used: list[str]) -> Area:
    t = piece.text
    lead = piece.lead
    excluded = tuple(sorted(set(lead.exclude_grades)
                            | (set(grades_before) if lead.exclude_above else set())))
    if not t:
        raise Refuse(0, "an area here: the item is empty")
    grammar_refusal: Refuse | None = None
    try:
        items = grammar_items(t, row.grade)
        if len(items) == 1:
            area = _checked(_enriched(items[0].area), t, row.grade, known_names, names_used)
            area = _lead_exclusions(area, excluded, row.grade)
            return replace(area, subarea=piece.label) if piece.label else area
        grammar_refusal = Refuse(items[1].pos, "one area here")
    except GrammarFailure as e:
        grammar_refusal = Refuse(e.pos, "wording no reader knows (四至, walk, ring, region, "
                                 "frontage, administrative area, residual); read as Dongkou's "
                                 f"wording it would need {e.expected} here")
    except Refuse as e:
        grammar_refusal = e
    area = _by_phrasing(t, lead.ring, excluded, row.grade, grades_before, known_names)
    if area is None:
        for m in split_members(t):  # name the clause that reads as no feature
            problem = connective_in(m.text)
            if problem and m.text:
                raise Refuse(m.start, f"wording no reader knows; \"{m.text}\" holds {problem}, "
                             "so it is a clause, not a feature name", end=m.start + len(m.text))
        raise grammar_refusal
    area = _checked(area, t, row.grade, known_names, names_used, cut_by_reader=True)
    return replace(area, subarea=piece.label) if piece.label else area


def _by_phrasing(t: str, ring_lead: bool, excluded: tuple[int, ...], grade: int,
                 grades_before: tuple[int, ...], known_names: Collection[str]) -> Area | None:
    if looks_like_walk(t):
        return read_walk(t, excluded)
    if looks_like_residual(t):
        return read_residual(t, grade, grades_before)
    if looks_like_admin(t):
        return read_admin(t, excluded)
    if looks_like_four_sides(t):
        return read_four_sides(t, excluded)
    if looks_like_frontage(t):
        return read_frontage(t, excluded)
    if looks_like_region(t):
        return read_region(t, excluded)
    if looks_like_ring(t, ring_lead):
        return read_ring(t, excluded, ring_lead, known_names)
    return None


def _lead_exclusions(area: Area, excluded: tuple[int, ...], grade: int) -> Area:
    if not excluded or isinstance(area, Residual):
        return area
    return replace(area, exclude_grades=tuple(sorted(set(area.exclude_grades) | set(excluded))))


_MORE_THAN_A_NAME = re.compile(r"^规划|(?:[东南西北]侧?)?(?:围墙|边界|外围线|界线)$")


def _enriched(area: Area) -> Area:
    """Ring items the grammar read as plain names that say more: 规划三环路 (planned),
    王岘乡北围墙 (the north wall of a landmark). Other names stay exactly as the grammar read
    them (洞口大道西段, 公安局东侧)."""
    if not isinstance(area, Ring) or not any(_MORE_THAN_A_NAME.search(i.feature)
                                             for i in area.items):
        return area
    items = []
    for i in area.items:
        if _MORE_THAN_A_NAME.search(i.feature):
            more = read_feature(i.feature)
            if more.qualifier is None and more.offset is None and (more.planned or more.landmark):
                i = replace(i, feature=more.feature, planned=more.planned,
                            landmark=more.landmark, edge=more.edge,
                            feature_kind=more.feature_kind)
        items.append(i)
    return replace(area, items=tuple(items))


_ENCLOSED = re.compile(r"所?包?围[成合]|所围|合围|为界(?:所?围成|围合)?的?(?:区域|范围|地块|地区)")


def _checked(area: Area, area_text: str, grade: int, known_names: Collection[str],
             names_used: list[str], *, cut_by_reader: bool = False) -> Area:
    """Refuse an area that names a clause as a feature, a 、-list that no word says encloses
    anything, or an exclusion of a grade that is not better."""
    names: list[str] = [i.feature for i in area_items(area)]
    names += [i.landmark for i in area_items(area) if i.landmark]
    if isinstance(area, Corridor):
        names += list(area.features)
    if isinstance(area, Region):
        names += [b.feature for b in area.bounds]
    if isinstance(area, AdminArea):
        names += list(area.units)
    names += list(getattr(area, "exclude_features", ()))
    for name in names:
        problem, matched = name_problem(name, known_names, cut_by_reader=cut_by_reader)
        if problem:
            pos = area_text.find(name[:4]) if name[:4] in area_text else 0
            raise Refuse(max(pos, 0), problem, end=max(pos, 0) + len(name), family="names")
        if matched and name not in names_used:
            names_used.append(name)
    if isinstance(area, Ring) and not _ENCLOSED.search(area_text) and not re.search(
            r"[-—–‐‑―─]", re.sub(r"\([^()]*\)", "", area_text)):
        raise Refuse(0, "a list joined by 、 is a ring only where the text says it encloses "
                     "the zone (所围成的区域)", end=len(area_text))
    bad = [g for g in area.exclude_grades if not 1 <= g < grade]
    if bad:
        raise Refuse(0, f"only better grades than {grade_word(grade)} may be cut out, not "
                     f"{grade_word(bad[0])}", end=len(area_text))
    return area


def _trim(body: str, end: int) -> int:
    while end > 0 and body[end - 1] in ";。":
        end -= 1
    return end


def _with_source(area: Area, row: Row, text: str, start: int, end: int) -> Area:
    return replace(area, source=row.body.original(text, start, _trim(row.body.text, end)))
