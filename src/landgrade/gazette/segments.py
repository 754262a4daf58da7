"""A grade row cut into its areas: item numbers, sub-area labels, lead-ins and notes.

A row such as ``由以下路线围合而成的区域: 拱北:A—B—A; 香洲:C—D—C;`` or
``①北至…的地块;②…;东北至…的地块;`` or ``北以X为界;南以Y为界。东以Z为界。面积为4.55平方公里。``
holds several areas. This module finds them:

- pieces end at ``;`` and ``。`` outside brackets, and before ``,以及``;
- a piece that goes on with the area before it joins it: ``;所围地区…`` after a ring's list, and
  the next side of a 四至 (``;南以…为界``) until the 四至 ends (``…的地块``, ``…范围内``);
- an item number (``1、`` ``1.`` ``(1)`` ``①`` ``第一片``) and a sub-area label (``拱北:``,
  ``(1)北区片:``, ``北京西站地区,``) start an area; a label holds for the unnumbered areas after it;
- notes (``面积为…平方公里``, ``共两块``, remarks) are kept apart, never read as boundaries.

Offsets are folded offsets in the row body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from landgrade.gazette.features import DIR, SIDE_VERB, top_level
from landgrade.gazette.free_words import LeadIn, notes_in, take_lead_ins
from landgrade.gazette.names import grade_number

_ITEM = re.compile(r"\d{1,3}[、.](?!\d)|\(\d{1,3}\)|\d{1,3}\)(?!\d)"
                   r"|第[一二三四五六七八九十]{1,3}[片块区]")
_LABEL = re.compile(r"(?P<l>[^,;:、()\-—。]{1,12}):")
_LABEL_COMMA = re.compile(r"(?P<l>[^,;:、()\-—。]{2,12}(?:地区|片区|区片|片|块)),(?=[^,;]*[-—])")
SIDE_CLAUSE = re.compile(rf"(?:{DIR})(?:(?:和|、)(?:{DIR}))*(?:{SIDE_VERB})")
# words that end a 四至 (…范围内的地块, …的地块, …组成的范围内…用地)
_AREA_END = re.compile(r"(?:地块|区域|地区|用地|土地|范围内?)(?:\([^()]*\))?$")
_RING_TAIL = re.compile(r"所包?围|围[成合]|合围")


@dataclass
class Piece:
    """One area's text: ``text`` starts at ``start`` (after number, label, lead-ins);
    ``full_start`` is where its source begins (with number and label); ``end`` where it ends."""

    text: str
    start: int
    full_start: int
    end: int
    number: int | None = None
    label: str | None = None
    lead: LeadIn = field(default_factory=LeadIn)


@dataclass
class Segmented:
    pieces: list[Piece]
    notes: list[str]


def _raw_pieces(body: str) -> list[tuple[int, int]]:
    cuts: list[int] = []
    for i, ch in top_level(body):
        if ch in ";。":
            cuts.append(i)
    out, start = [], 0
    for c in cuts:
        out.append((start, c))
        start = c + 1
    out.append((start, len(body)))
    spans: list[tuple[int, int]] = []
    for a, b in out:  # a piece also ends before ",以及" (and another area)
        for m in re.finditer(r",以及", body[a:b]):
            spans.append((a, a + m.start()))
            a = a + m.start() + 1
        spans.append((a, b))
    return spans


def segment(body: str) -> Segmented:
    """The areas of a row body, in order, and its notes."""
    notes: list[str] = []
    note_spans = notes_in(body)
    masked = list(body)
    for a, b in note_spans:
        notes.append(body[a:b])
        masked[a:b] = " " * (b - a)
    text = "".join(masked)
    merged: list[list[int]] = []
    for a, b in _raw_pieces(text):
        piece = text[a:b].strip()
        if not piece:
            if _ITEM.fullmatch(body[a:b].strip()):  # a numbered item with nothing in it
                merged.append([a, b])
            continue
        lead = a + (len(text[a:b]) - len(text[a:b].lstrip()))
        if merged and _continues(text[merged[-1][0]:merged[-1][1]], text[lead:b]):
            merged[-1][1] = b
        else:
            merged.append([lead, b])
    pieces: list[Piece] = []
    label: str | None = None
    row_lead = LeadIn()
    for k, (a, b) in enumerate(merged):
        while b > a and text[b - 1] == " ":
            b -= 1
        pos, number = a, None
        m = _ITEM.match(text, pos)
        if m:
            number = _item_number(m.group(0))
            pos = m.end()
            label = m.group(0) if m.group(0).startswith("第") else None
        lead, used = take_lead_ins(text[pos:b])
        pos += used
        lab = _LABEL.match(text, pos, b) or _LABEL_COMMA.match(text, pos, b)
        if lab and _is_label(lab.group("l")):
            if k == 0 and number is None and used:
                row_lead = lead  # lead-ins before the first label hold for the whole row
                lead = LeadIn()
            label = lab.group("l")
            pos = lab.end()
            more, used2 = take_lead_ins(text[pos:b])
            lead = lead.merged(more)
            pos += used2
        full_start = a
        if k == 0 and row_lead is not lead and lab and number is None:
            full_start = lab.start()
        pieces.append(Piece(text[pos:b], pos, full_start, b, number, label,
                            row_lead.merged(lead)))
    return Segmented(pieces, notes)


def _is_label(label: str) -> bool:
    """``拱北``, ``北区片``, ``北京西站地区`` are labels; a lead-in or a side clause is not."""
    if re.search(rf"以(?:{DIR})$|^(?:{DIR})(?:至|起|以)|级别|范围|边界|围|除|级|四至|说明|备注|注",
                 label):
        return False
    return not re.fullmatch(r"\d+", label)


def _continues(before: str, piece: str) -> bool:
    if _RING_TAIL.match(piece):
        return True
    body = re.sub(r"^\s*(?:\d{1,3}[、.]|\(\d{1,3}\))", "", before)
    if _ITEM.match(piece):
        return False
    starts_side = bool(SIDE_CLAUSE.match(piece))
    has_sides = bool(re.search(rf"(?:^|[,;:、。]|以外|级地)(?:{DIR})(?:(?:和|、)(?:{DIR}))*"
                               f"(?:{SIDE_VERB})", body))
    return starts_side and has_sides and not _AREA_END.search(body.rstrip())


def _item_number(token: str) -> int:
    digits = re.sub(r"\D", "", token)
    if digits:
        return int(digits)
    return grade_number(re.sub(r"^第|[片块区]$", "", token))
