"""Analyst decisions: how to draw the clauses the gazette text leaves open.

Some clauses cannot be drawn from the text alone: an unnamed road (未命名道路), a line beside a
landmark, a road met twice, a typo. An analyst pins each one in ``decisions.csv`` (format in
``docs/decisions.md``) with columns ``clause,item,text,resolve_as,note``. The build applies a
decision only while the text it was made for is still there; otherwise it is *stale* and
reported, never silently applied to a different clause.

Decisions are written to survive a new road network (the county's survey replacing a sketch):

- ``road:<id>`` names a road by the roads layer's id field (``--id-field``); pieces sharing an
  id are one road;
- ``edge:<grade>`` is where the line crosses the edge of that grade's zone, instead of
  coordinates (Table 7's ``二级边界`` on 蔡锷北路 is the edge of grade 2);
- ``point:<x> <y>`` (working CRS) is snapped to the nearest crossing within the snap tolerance,
  and the report says when it moved;
- ``crossing:<n>`` counts junction clusters along the road in its model direction (west to east,
  or south to north; see :func:`landgrade.junctions.orient_lines`), and ``end:start|end`` is
  the road's west/south or east/north end in the same direction;
- ``width:<m>`` (item ``width``) is the depth of a frontage the text gives none for (…两侧地区),
  where the county's ``default_frontage_m`` does not apply or is not set.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from landgrade.errors import LandgradeError
from landgrade.io.formats import IOInputError
from landgrade.io.tables import read_data_table
from landgrade.text import normalize

COLUMNS = ("clause", "item", "text", "resolve_as", "note")
RESOLVE_KINDS = ("road", "water", "landmark", "feature", "junction", "crossing", "point", "edge",
                 "end", "arc", "width")
_ITEM = re.compile(r"^(\d+|\d+>\d+|\d+\.\d+|from|to|road|width)$")


class DecisionError(LandgradeError):
    """A decisions file row is malformed; the message names the file, the row and the fix."""


@dataclass(frozen=True)
class Decision:
    """One row: clause ``2.1`` or ``A16``, item ``9``/``5>6``/``from``/``to``/``road``."""

    clause: str
    item: str
    text: str
    kind: str
    value: str
    note: str
    row: int

    @property
    def resolve_as(self) -> str:
        return f"{self.kind}:{self.value}"

    def label(self) -> str:
        what = f"{self.clause} {self.item} → {self.resolve_as}"
        return f"decision on line {self.row} ({what}: {self.note})"

    def point(self) -> tuple[float, float]:
        x, y = (float(v) for v in self.value.replace(",", " ").split())
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"not a finite point: {self.value!r}")
        return x, y


@dataclass
class Decisions:
    """The decisions of one build; tracks which were applied and which were stale."""

    rows: list[Decision] = field(default_factory=list)
    source: str = ""
    used: set[int] = field(default_factory=set)
    stale: dict[int, str] = field(default_factory=dict)

    def lookup(self, clause: str, item: str, texts: tuple[str, ...]) -> Decision | None:
        """The decision for (clause, item), if its text is one of ``texts`` as printed now."""
        wanted = {normalize(t) for t in texts if t}
        for d in self.rows:
            if d.clause != clause or d.item != item:
                continue
            if d.text and wanted and normalize(d.text) not in wanted:
                self.stale[d.row] = (
                    f"the rules now read {' / '.join(sorted(wanted))!r} there, not {d.text!r}"
                )
                continue
            self.used.add(d.row)
            self.stale.pop(d.row, None)
            return d
        return None

    def unused(self) -> list[Decision]:
        return [d for d in self.rows if d.row not in self.used]


def read_decisions(path: str | Path | None) -> Decisions:
    """Read ``decisions.csv``; a missing file means no decisions, a bad row is an error."""
    if path is None:
        return Decisions()
    path = Path(path)
    if not path.exists():
        raise DecisionError(f"{path}: no such decisions file")
    try:
        df = read_data_table(path, COLUMNS)
    except IOInputError as e:
        raise DecisionError(f"{e}; see docs/decisions.md") from None
    rows = []
    first: dict[tuple[str, str, str], int] = {}
    for r in df.itertuples(index=False):
        i = int(r.line)
        clause, item = str(r.clause).strip(), str(r.item).strip().replace(" ", "")
        where = f"{path}: line {i}"
        if not clause:
            raise DecisionError(f"{where}: empty clause (a grade-zone area id like 2.1, or a "
                                "route id)")
        if not _ITEM.match(item):
            raise DecisionError(
                f"{where}: item {item!r} must be an item number (9), a junction (5>6), "
                "a side's item (2.1), from, to, road or width"
            )
        kind, sep, value = str(r.resolve_as).strip().partition(":")
        if not sep or kind not in RESOLVE_KINDS or not value.strip():
            raise DecisionError(
                f"{where}: resolve_as {r.resolve_as!r} must be <kind>:<value> with kind one of "
                f"{', '.join(RESOLVE_KINDS)}"
            )
        value = value.strip()
        if not str(r.note).strip():
            raise DecisionError(f"{where}: the note is empty; say in one line why ({clause})")
        if kind == "crossing" and not value.isdigit():
            raise DecisionError(f"{where}: crossing:<n> needs a 1-based number, got {value!r}")
        if kind == "end" and value not in ("start", "end"):
            raise DecisionError(f"{where}: end:<start|end>, got {value!r}")
        if kind == "edge" and not value.isdigit():
            raise DecisionError(f"{where}: edge:<grade> needs a grade number, got {value!r}")
        if kind == "arc" and value not in ("short", "long"):
            raise DecisionError(f"{where}: arc:<short|long>, got {value!r}")
        if kind == "width" and not _positive(value):
            raise DecisionError(f"{where}: width:<metres> needs a depth greater than 0, got "
                                f"{value!r}")
        d = Decision(clause, item, str(r.text).strip(), kind, value, str(r.note).strip(), i)
        if kind == "point":
            try:
                d.point()
            except ValueError:
                raise DecisionError(f"{where}: point:<x> <y> in the working CRS, got {value!r}"
                                    ) from None
        # Only the first of two rows for one clause, item and text is ever applied; the second
        # would be reported as 'no clause asked for it', which sends the analyst looking for a typo.
        key = (clause, item, normalize(d.text))
        if key in first:
            raise DecisionError(f"{where}: repeats line {first[key]} (clause {clause}, item "
                                f"{item}, {d.text!r}); keep one of the two rows")
        first[key] = i
        rows.append(d)
    return Decisions(rows=rows, source=str(path))


def _positive(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and float(text) > 0
    except ValueError:
        return False
