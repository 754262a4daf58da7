"""Compare what the parser reads to the hand readings in ``tests/data/gazettes/*/expected.json``.

The hand readings are written in their own, parser-independent shape (see the corpus README):
this module turns a parsed area into that shape, keeping only what a reading must get right —
the kind, the features (per side for a 四至), the sides of a region, the steps of a walk, the
grades cut out, the sub-area label, offsets, planned roads, landmarks and land cut out, and
frontage at the default depth.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from landgrade.gazette.rule_areas import AdminArea, FourSides, Frontage, Walk
from landgrade.gazette.rule_items import RingItem
from landgrade.gazette.rules import Area, Corridor, Region, Residual, Ring

CORPUS = Path(__file__).parent / "data" / "gazettes"
CHINESE = {"E": "东", "S": "南", "W": "西", "N": "北", "NE": "东北", "SE": "东南", "SW": "西南",
           "NW": "西北", None: None}
# what the hand readings call a feature that bounds along roads, rivers or railways
LINEAR = {"road", "water", "rail", "planned_road"}


def places() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").exists())


def expected(place: str) -> list[dict[str, Any]]:
    return json.loads((CORPUS / place / "expected.json").read_text("utf-8"))


def grade_files(place: str) -> dict[str, Path]:
    """The grades file of each use: ``grades.txt`` (use ``all``) or ``grades_<use>.txt``."""
    out = {}
    for p in sorted((CORPUS / place).glob("grades*.txt")):
        use = p.stem.removeprefix("grades").removeprefix("_") or "all"
        out[{"comprehensive": "all"}.get(use, use)] = p
    return out


def core(source: str) -> str:
    """A source without its item number, label and end punctuation, for matching."""
    s = re.sub(r"\s", "", source).strip(";。,")
    s = re.sub(r"^(?:\d{1,3}[、.]|\(\d{1,3}\)|[\u2460-\u2473])", "", s)
    return s


def linear(entry: dict[str, Any]) -> bool:
    """An area bounded only by roads, rivers and railways (the share the corpus measures)."""
    kinds = entry.get("feature_kinds")
    flat = [k for v in kinds.values() for k in v] if isinstance(kinds, dict) else kinds or []
    return bool(flat) and set(flat) <= LINEAR


def match(area: Area, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The hand reading whose source holds this area's source (or the other way round)."""
    mine = core(area.source or "")
    best = None
    for e in entries:
        theirs = core(e["source"])
        if mine and (mine in theirs or theirs in mine):
            if best is None or abs(len(core(best["source"])) - len(mine)) > abs(
                    len(theirs) - len(mine)):
                best = e
    return best


def _item(i: RingItem) -> str:
    return i.feature


def reading(area: Area) -> dict[str, Any]:
    """The area in the hand readings' shape (only the keys it compares)."""
    d: dict[str, Any] = {"kind": area.kind, "subarea": area.subarea}
    if isinstance(area, FourSides):
        sides: dict[str, list[str]] = {}
        offsets: dict[str, Any] = {}
        for s in area.sides:
            for direction in s.directions:
                sides.setdefault(CHINESE[direction], []).extend(_item(i) for i in s.items)
            for i in s.items:
                if i.offset:
                    offsets[i.feature] = {"side": CHINESE[i.offset.side], "m": i.offset.distance_m}
        d |= {"features": sides, "offsets": offsets,
              "excludes": sorted(area.exclude_grades),
              "exclude_landmarks": sorted(area.exclude_features),
              "minus_terrain": list(area.exclude_land),
              "frontage_both_sides": area.boundary_frontage == "both"}
        d["planned"] = sorted({i.feature for s in area.sides for i in s.items if i.planned})
    elif isinstance(area, Ring):
        d |= {"features": [_item(i) for i in area.items], "excludes": sorted(area.exclude_grades),
              "frontage_outside": area.boundary_frontage == "outside",
              "planned": sorted({i.feature for i in area.items if i.planned})}
    elif isinstance(area, Region):
        d |= {"bounds": [{"feature": b.feature, "zone_side": CHINESE[b.side]}
                         for b in area.bounds], "excludes": sorted(area.exclude_grades),
              "planned": sorted({b.feature for b in area.bounds if b.item and b.item.planned})}
    elif isinstance(area, AdminArea):
        d |= {"features": list(area.units), "excludes": sorted(area.exclude_grades)}
    elif isinstance(area, Walk):
        d["steps"] = [_step(s) for s in area.steps]
    elif isinstance(area, Residual):
        d["not_graded"] = list(area.exclude_features)
    elif isinstance(area, Corridor | Frontage):
        d["features"] = list(area.features) if isinstance(area, Corridor) else [
            i.feature for i in area.items]
    return d


def _step(s: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"op": s.op}
    if s.op in ("head", "turn"):
        out["dir"] = CHINESE[s.direction]
    elif s.op in ("along", "cross"):
        out["features"] = [i.feature for i in s.items]
    elif s.op in ("start", "to"):
        for i in s.items:
            if i.offset:
                out["offset"] = {"from": i.feature, "side": CHINESE[i.offset.side],
                                 "m": i.offset.distance_m}
            else:
                out["at"] = i.feature
    elif s.op == "parallel":
        out["to"] = s.items[0].feature
        if s.distance_m is not None:
            out["m"] = s.distance_m
    elif s.op == "extend":
        out["m"] = s.distance_m
    return out


def hand_reading(e: dict[str, Any]) -> dict[str, Any]:
    """The same keys, from a hand reading."""
    d: dict[str, Any] = {"kind": e["kind"], "subarea": e.get("subarea")}
    kinds = e.get("feature_kinds")
    if e["kind"] == "four_sides":
        offsets = {k: {"side": v["side"], "m": v["m"]} for k, v in (e.get("offsets") or {}).items()}
        terrain = e.get("minus_terrain")
        d |= {"features": e["features"], "offsets": offsets, "excludes": sorted(e["excludes"]),
              "exclude_landmarks": sorted(e.get("exclude_landmarks") or []),
              "minus_terrain": [terrain] if isinstance(terrain, str) else list(terrain or []),
              "frontage_both_sides": bool(e.get("frontage_both_sides"))}
        d["planned"] = sorted({f for side, names in e["features"].items()
                               for f, k in zip(names, kinds[side], strict=True)
                               if k == "planned_road"})
    elif e["kind"] == "ring":
        d |= {"features": e["features"], "excludes": sorted(e["excludes"]),
              "frontage_outside": bool(e.get("frontage_outside")),
              "planned": sorted({f for f, k in zip(e["features"], kinds or [], strict=False)
                                 if k == "planned_road"})}
    elif e["kind"] == "region":
        planned = {f for f, k in zip(e["features"], kinds, strict=True) if k == "planned_road"}
        d |= {"bounds": e["bounds"], "excludes": sorted(e["excludes"]),
              "planned": sorted(planned)}
    elif e["kind"] == "admin":
        d |= {"features": e["features"], "excludes": sorted(e["excludes"])}
    elif e["kind"] == "walk":
        d["steps"] = [{k: v for k, v in s.items() if k not in ("qualifier", "note")}
                      for s in e["steps"]]
    elif e["kind"] == "residual":
        d["not_graded"] = list(e.get("not_graded") or [])
    return d
