"""The answer schema: what a point or parcel gets, built in one place for every renderer.

The engine returns one row of answer columns per input row (a DataFrame); :func:`to_record`
turns one such row into the single JSON-ready record that ``landgrade locate --json``, the
service and the report all use, and :func:`to_text` renders a record for the terminal.

Answer columns (names fit a shapefile's 10 characters; ``<u>`` is a use's short key, e.g.
``comm, resi, indu, pub1, pub2`` for commercial, residential, industrial, public_1, public_2):

============  ===================================================================================
column        meaning
============  ===================================================================================
in_extent     inside the grading extent (基准地价范围界线), boundary included
grade         urban land grade (土地级别), null outside the extent
p_<u>         benchmark price per use, yuan/m² (parcels: area-weighted over the part in the extent)
t_<u>         land-use term of that price, years (使用年期)
r_<u>         plot ratio of that price (容积率)
val_date      valuation date (估价期日)
price_src     ``urban`` (the urban price table), ``town`` (the town price table, given a town and
              town grade, only outside the urban extent) or empty
town_cls      the town's class when town prices were used
town          with a township layer (``--towns``): the town (乡镇) the row lies in
route_id      nearest road-line price segment (路线价)
route_name    its name
route_m       distance to it, metres
route_in      within that segment's standard depth (标准深度): ``route_m <= standard_depth_m``
route_px      its road-line price, yuan/m², only where it applies (``route_in``); else empty
on_bound      the point lies on a boundary between grades (or of the extent)
status        one of :data:`STATUSES`
message       what the status means for this row, and the fix
share_<g>     parcels: share of the parcel's area in grade g (0–1); ``share_out`` outside
area_m2       parcels: area in the working CRS
price         with a use per row (``assign --use-field``): the benchmark price of that use
total         ``price`` × the parcel's area inside the extent, yuan (points: empty)
============  ===================================================================================

Rules, stated once:

- **Boundary tie rule.** A point on the shared boundary of two grades takes the better (lower
  numbered) grade, as the gazette lets higher grades win, and gets ``on_bound``. A point on the
  extent's outer edge is inside (grade of the zone it touches). Points in the interior of a zone
  are decided exactly (``shapely.contains_xy`` semantics); a regular grid only skips the exact
  test in cells that no zone boundary crosses.
- **Nearest route ties.** Distances are exact point-to-segment distances (the same arithmetic
  as GEOS); equally near routes resolve to the one listed first in the routes layer.
- **Parcels.** ``grade`` is the grade holding the largest share of the parcel's area (ties: the
  better grade); prices are area-weighted over the part inside the extent.
- **Rounding.** Answers are rounded to what they mean: distances and lengths to 0.01 m
  (:data:`DISTANCE_DECIMALS`), areas to 0.01 m² (:data:`AREA_DECIMALS`), shares to 1e-4
  (:data:`SHARE_DECIMALS`), area-weighted prices to the precision the gazette prints its prices
  in (:func:`published_decimals`; whole yuan for Dongkou).
- **Other geometry** (lines, multipoints) is graded at a point on the geometry
  (``shapely.point_on_surface``); the nearest route uses the whole geometry.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from landgrade.errors import LandgradeError
from landgrade.gazette.labels import grade_label, table_cite, unit, word


class AnswerSource(Protocol):
    """What the answer schema reads of an engine (:class:`landgrade.engine.Engine` has it all).

    A protocol, not the class: the schema is defined before the engine that fills it.
    """

    pricebook: Any
    grade_map: Any
    route_facts: dict[str, dict[str, Any]]
    _prices: Any


# The statuses' standard messages, {table} still open where STATUS_TABLES names a table.
_STATUS_WORDING: dict[str, str] = {
    "ok": "answered",
    "outside_extent": "outside the grading extent: no urban grade or price",
    "outside_county": "outside the county outline: check the coordinates and --crs",
    "empty_geometry": "empty geometry: nothing to locate",
    "null_geometry": "no geometry (or blank/non-numeric coordinates)",
    "invalid_geometry_repaired": "invalid geometry, repaired with make_valid before use",
    "invalid_geometry": "invalid geometry that make_valid could not repair",
    "crs_suspect_swapped": "coordinates look like latitude/longitude swapped: swap them",
    "crs_suspect_zone_prefix": (
        "easting has a Gauss-Krüger zone prefix (e.g. 37xxxxxx): give --crs the zone-prefixed "
        "CGCS2000 system (EPSG:4513-4533)"
    ),
    "crs_suspect_geographic": "coordinates look like degrees, not metres: use --crs EPSG:4326",
    "crs_suspect_projected": (
        "coordinates look like metres, not degrees: give --crs their projected system (e.g. the "
        "county's Gauss-Krüger zone, EPSG:4534-4554)"
    ),
    "crs_suspect": "coordinates do not fit the given CRS: check --crs",
    "unknown_town": "town not in the town table{table}: check the town name",
    "bad_town_grade": "town grade not in the town's class table{table}",
    "unknown_use": "use not in the county's use table (uses.csv): give a use key or label",
}
# Statuses whose message cites one of the county's gazette tables, by its metadata key; the
# county's own name of it (table_cite: " (Table 8)") fills {table}, or nothing at all.
STATUS_TABLES = {"unknown_town": "town_prices", "bad_town_grade": "town_prices"}
# The county-neutral wording: every status's message when no county is known.
STATUSES: dict[str, str] = {
    k: v.format(table="") if k in STATUS_TABLES else v for k, v in _STATUS_WORDING.items()
}
CRS_FLAG_STATUS = {
    "lat_lon_swapped": "crs_suspect_swapped",
    "swapped": "crs_suspect_swapped",
    "gk_zone_prefix": "crs_suspect_zone_prefix",
    "looks_geographic": "crs_suspect_geographic",
    "not_geographic": "crs_suspect_projected",
}
STATUS_CODE = {k: i for i, k in enumerate(STATUSES)}
# A nearest road outside the county, or for a point read in the wrong CRS, answers nothing.
NO_ROUTE_STATUSES = [
    STATUS_CODE[k] for k in STATUSES if k == "outside_county" or k.startswith("crs_suspect")
]
DISTANCE_DECIMALS = 2  # metres: a centimetre
AREA_DECIMALS = 2  # square metres
SHARE_DECIMALS = 4  # a share of 0–1
BOUNDARY_MESSAGE = "on a boundary between zones: the better (lower) grade is taken"
MESSAGES = [*STATUSES.values(), BOUNDARY_MESSAGE]


def published_decimals(values: Any) -> int:
    """The number of decimals a price table is printed with: 0 for whole yuan (at most 2)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    for decimals in (0, 1, 2):
        if np.allclose(v, np.round(v, decimals), rtol=0, atol=1e-9):
            return decimals
    return 2


def use_short(use: str) -> str:
    """Short key of a use for 10-character column names: ``public_1`` → ``pub1``."""
    head, _, tail = use.rpartition("_")
    if head and tail.isdigit():
        return head[:3] + tail
    return use[:4]


def _clean(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _int_or_none(v: Any) -> int | None:
    v = _clean(v)
    return None if v is None else int(v)


def use_price(
    answer: pd.DataFrame, uses: Any, pricebook: Any
) -> pd.DataFrame:
    """``answer`` with a ``price`` and ``total`` column for each row's own use.

    ``uses`` holds one use per row, as a key (``commercial``) or a label (``商服用地``, ``商服``);
    it selects that use's ``p_<u>`` column. ``total`` is the price times the parcel's area
    inside the grading extent (``area_m2`` × (1 − ``share_out``)), so a parcel partly outside
    pays only for the priced part (a row priced by the town table, ``price_src`` ``town``: the
    part outside, ``area_m2`` × ``share_out``); points have no area and no total. A blank use
    leaves both empty; a use the county does not know is flagged ``unknown_use``, never
    silently unpriced.
    """
    out = answer.copy()
    n = len(out)
    raw = pd.Series(np.asarray(uses, dtype=object), index=out.index)
    text = raw.where(raw.notna(), "").astype(str).str.strip()
    price = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    for value in pd.unique(text[text != ""]):  # one lookup per distinct use, not per row
        rows = (text == value).to_numpy()
        try:
            key = pricebook.use_key(value)
        except (LandgradeError, AttributeError):
            bad |= rows
            continue
        price[rows] = out[f"p_{use_short(key)}"].to_numpy(dtype=float)[rows]
    out["price"] = price
    if "area_m2" in out:
        inside = out["area_m2"].to_numpy(dtype=float)
        if "share_out" in out:
            out_share = np.nan_to_num(out["share_out"].to_numpy(dtype=float))
            # Town prices (Table 8) price the part outside the urban extent, not the inside.
            if "price_src" in out:
                town = (out["price_src"].astype(str) == "town").to_numpy()
                out_share = np.where(town, 1 - out_share, out_share)
            inside = inside * (1 - out_share)
        out["total"] = np.round(price * inside, 2)
    else:
        out["total"] = np.full(n, np.nan)
    # Rows already flagged (outside the extent, bad geometry) keep their status: no price anyway.
    bad &= (out["status"].astype(str) == "ok").to_numpy()
    if bad.any():
        for col in ("status", "message"):
            out[col] = out[col].astype(object)
        rows = np.flatnonzero(bad)
        out.iloc[rows, out.columns.get_loc("status")] = "unknown_use"
        out.iloc[rows, out.columns.get_loc("message")] = [
            f"{STATUSES['unknown_use']}: {v!r}" for v in text.to_numpy()[rows]
        ]
    return out


def to_record(engine: AnswerSource, row: pd.Series, town: str | None = None) -> dict[str, Any]:
    """The one JSON-ready answer record of an answer row (see the module docstring).

    The nearest route's road-line price is given only where the route applies (the point is
    within its standard depth); beyond it the route is reported as not applicable. A point
    outside the urban extent but inside the county gets ``town_prices``: what the town price
    table would give, for ``town`` or the town a township layer named. Parcel rows add ``area_m2``,
    ``grade_shares`` (grade → share, ``outside`` for the part outside the extent); rows from
    :func:`use_price` add ``price`` and ``total``.
    """
    pc = engine._prices
    prices = {u: _clean(row[f"p_{pc.short[u]}"]) for u in pc.uses}
    conn = {
        u: {"term_years": _int_or_none(row[f"t_{pc.short[u]}"]),
            "plot_ratio": _clean(row[f"r_{pc.short[u]}"])}
        for u in pc.uses
    }
    route = None
    if not pd.isna(row["route_id"]):
        applies = bool(row["route_in"])
        route = {
            "id": row["route_id"], "name": row["route_name"],
            "distance_m": round(float(row["route_m"]), 2),
            "within_standard_depth": applies,
            "applicable": applies,
            "price": _clean(row["route_px"]) if applies else None,
            **engine.route_facts.get(str(row["route_id"]), {}),
        }
    named_town = _clean(row["town"]) if "town" in row else None
    record: dict[str, Any] = {
        "inside_extent": bool(row["in_extent"]),
        "grade": _clean(row["grade"]),
        "on_boundary": bool(row["on_bound"]),
        "prices": prices,
        "connotation": conn,
        "valuation_date": row["val_date"] or None,
        "price_source": _clean(row.get("price_src")) or None,
        "town": named_town or town,
        "town_class": _int_or_none(row.get("town_cls")),
        "nearest_route": route,
        "status": row["status"],
        "message": row["message"],
        "schematic_network": engine.grade_map.schematic,
        "gazette": _gazette(engine),
    }
    if "area_m2" in row and _clean(row["area_m2"]) is not None:
        record["area_m2"] = round(float(row["area_m2"]), 2)
        record["grade_shares"] = {
            int(g): round(float(row[f"share_{g}"]), 4)
            for g in pc.grades if f"share_{g}" in row and _clean(row[f"share_{g}"])
        }
        out = _clean(row.get("share_out"))
        if out is not None and round(float(out), 4) > 0:
            record["grade_shares"]["outside"] = round(float(out), 4)
    if "price" in row:
        record["price"] = _clean(row["price"])
        record["total"] = _clean(row.get("total"))
    if row["status"] == "outside_extent":
        record["town_prices"] = town_prices_hint(engine, town or named_town)
    return record


def town_prices_hint(engine: AnswerSource, town: str | None) -> dict[str, Any]:
    """What ``--town/--town-grade`` gives at a point outside the urban extent: the town's class
    and its town prices per town grade, or how to ask when the town is not known."""
    meta = getattr(engine.pricebook, "metadata", None)
    hint: dict[str, Any] = {
        "note": word("town_hint", "en", table=table_cite(meta, "town_prices", "en")),
        "town": town, "town_class": None, "by_town_grade": None,
        "how": "give --town NAME --town-grade N (or --towns FILE to name the town)",
    }
    book = engine.pricebook
    if town is None or book is None:
        return hint
    try:
        hint["town_class"] = int(book.town_class(town))
        hint["by_town_grade"] = {
            int(g): book.town_prices(town, int(g)) for g in book.town_grades(town)
        }
    except (KeyError, LookupError, AttributeError, LandgradeError) as e:
        hint["note"] += f"; {town!r}: {e}"
    return hint


def route_facts_table(routes: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Standard depth and road class of each route id, from the grade map's routes layer (the
    first row of an id, as a lookup by id would find). Built once per engine, as
    :attr:`AnswerSource.route_facts`: the service builds thousands of records a second."""
    facts: dict[str, dict[str, Any]] = {}
    if "id" not in routes or not len(routes):
        return facts
    depth = (pd.to_numeric(routes["standard_depth_m"], errors="coerce")
             if "standard_depth_m" in routes else None)
    for i, rid in enumerate(routes["id"].astype(str)):
        if rid in facts:
            continue
        f: dict[str, Any] = {}
        if depth is not None:
            f["standard_depth_m"] = _clean(depth.iloc[i])
        if "road_class" in routes:
            f["road_class"] = _clean(routes["road_class"].iloc[i])
        facts[rid] = f
    return facts


def _gazette(engine: AnswerSource) -> dict[str, Any] | None:
    """Where the prices come from: document number (文号), issuer, date, from the county's
    metadata; None without a pricebook."""
    meta = getattr(engine.pricebook, "metadata", None)
    if not meta:
        return None
    return {k: meta.get(k) for k in ("document", "issuer", "date", "title")}


def answer_lang(engine: AnswerSource, lang: str | None) -> str:
    """``lang``, or the county's default (its metadata's ``language``)."""
    from landgrade.gazette.labels import check_lang, default_lang

    if lang is not None:
        return check_lang(lang)
    return default_lang(getattr(engine.pricebook, "metadata", None))


def to_text(
    engine: AnswerSource, r: dict[str, Any], x: float, y: float, crs: str, lang: str = "en"
) -> str:
    """A record as aligned terminal lines, in ``lang`` (``zh`` or ``en``)."""
    from landgrade.text import display_width

    meta = getattr(engine.pricebook, "metadata", None)
    heads = {k: word(k, lang) for k in (
        "point", "grade", "town", "prices", "route", "status", "note")}
    hw = max(11, max(display_width(h) for h in heads.values()) + 2)

    def head(key: str) -> str:
        return heads[key] + " " * (hw - display_width(heads[key]))

    lines = [f"{head('point')}{x} {y} ({crs})"]
    if r["inside_extent"]:
        tie = f"  {word('on_boundary', lang)}" if r["on_boundary"] else ""
        g = r["grade"] if lang == "en" else grade_label(r["grade"], lang)
        lines.append(f"{head('grade')}{g}{tie}")
    else:
        lines.append(f"{head('grade')}{word('outside_extent', lang)}")
    if r.get("price_source") == "town":
        lines.append(head("town") + word("town_priced", lang, town=r["town"],
                                         cls=r["town_class"],
                                         table=table_cite(meta, "town_prices", lang)))
    elif r.get("town"):
        inside = word("town_inside", lang) if r["inside_extent"] else ""
        lines.append(f"{head('town')}{r['town']}{inside}")
    if engine.pricebook is not None and any(v is not None for v in r["prices"].values()):
        lines.append(head("prices") + word(
            "prices_line", lang, unit=unit(meta, lang), date=r["valuation_date"]))
        labels = _use_labels(engine.pricebook, lang)
        width = max(display_width(labels.get(u, u)) for u in r["prices"])
        for u, p in r["prices"].items():
            c = r["connotation"][u]
            label = labels.get(u, u)
            pad = " " * (width - display_width(label))
            terms = word("term_ratio", lang, term=_fmt(c["term_years"]),
                         ratio=_fmt(c["plot_ratio"]))
            lines.append(f"  {label}{pad} {_fmt(p):>8}   {terms}")
    lines.extend(_town_hint_lines(engine, r.get("town_prices"), lang, hw))
    nr = r["nearest_route"]
    if nr:
        if nr["applicable"]:
            lines.append(head("route") + word(
                "route_line", lang, id=nr["id"], name=nr["name"],
                dist=f"{nr['distance_m']:.1f}", inside=word("within_depth", lang),
                price=_fmt(nr["price"]), unit=unit(meta, lang)))
        else:
            lines.append(head("route") + word(
                "route_line_na", lang, id=nr["id"], name=nr["name"],
                dist=f"{nr['distance_m']:.1f}"))
    lines.append(f"{head('status')}{r['status']}: {status_message(r, lang, meta)}")
    if engine.grade_map.schematic:
        lines.append(f"{head('note')}{word('schematic_short', lang)}")
    return "\n".join(lines)


def _town_hint_lines(
    engine: AnswerSource, hint: dict[str, Any] | None, lang: str, hw: int
) -> list[str]:
    from landgrade.text import display_width

    if not hint:
        return []
    town_head = word("town", lang)
    pad = " " * hw
    cite = table_cite(getattr(engine.pricebook, "metadata", None), "town_prices", lang)
    lines = [town_head + " " * (hw - display_width(town_head))
             + word("town_hint", lang, table=cite)]
    table = hint.get("by_town_grade")
    if table:
        labels = _use_labels(engine.pricebook, lang)
        uses = list(next(iter(table.values())))
        lines.append(pad + word("town_table", lang, town=hint["town"], cls=hint["town_class"],
                                uses=" / ".join(labels.get(u, u) for u in uses)))
        for g, prices in table.items():
            cells = " / ".join(_fmt(prices[u]) for u in uses)
            lines.append(pad + word("town_grade_row", lang, grade=g, cells=cells))
        lines.append(pad + word("town_one_grade", lang, town=hint["town"]))
    else:
        lines.append(pad + word("town_how", lang))
    return lines


def status_text(status: str, metadata: Any = None, lang: str = "en") -> str:
    """The standard message of ``status`` in ``lang``, citing the county's own table where the
    status is about one (:data:`STATUS_TABLES`): ``town not in the town table (Table 8): …`` in
    Dongkou, without the parenthesis for a county whose metadata names no such table."""
    from landgrade.gazette.labels import STATUS_ZH, check_lang

    check_lang(lang)
    key = STATUS_TABLES.get(status)
    if lang == "zh" and status in STATUS_ZH:
        text = STATUS_ZH[status]
    elif key is None:
        return STATUSES[status]
    else:
        text = _STATUS_WORDING[status]
    return text.format(table=table_cite(metadata, key, lang)) if key else text


def status_message(r: dict[str, Any], lang: str, metadata: Any = None) -> str:
    """A record's message in ``lang``: a status's standard message (with or without the
    county's table cited, ``metadata``) has a Chinese wording
    (:data:`landgrade.labels.STATUS_ZH`), also where the engine followed it with the row's own
    detail (kept as given); any other message of a row (a town, a use) stays as given."""
    from landgrade.gazette.labels import STATUS_ZH

    message = str(r["message"])
    if lang != "zh":
        return message
    if message == BOUNDARY_MESSAGE:
        return STATUS_ZH["boundary"]
    status = str(r["status"])
    if status not in STATUSES:
        return message
    for standard in (status_text(status, metadata), STATUSES[status]):
        if message == standard:
            return status_text(status, metadata, "zh")
        # The engine adds the row's own detail (": '无此镇' grade 1"): word the standard part.
        if message.startswith(standard + ": "):
            return status_text(status, metadata, "zh") + message[len(standard):]
    return message


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _use_labels(pricebook: Any, lang: str = "zh") -> dict[str, str]:
    try:
        return {u: pricebook.use_label(u, lang=lang) for u in pricebook.uses}
    except (AttributeError, LandgradeError):
        return {}
