"""Build the grade map: rules + network (+ Table 7 routes, decisions) → grades, routes, report.

This module orchestrates; each clause kind is drawn by its own module, registered in
:data:`landgrade.build.kinds.DRAWERS` (ring, corridor, region, residual), on a shared
:class:`landgrade.build.context.BuildContext`.

Each grade is the union of its areas, best grade first; a grade keeps only what no better grade
took ("higher grades win"), and the residual takes whatever of the extent is left, so the grades
*partition* the extent. All overlay work runs on a common precision grid of 1 mm
(:data:`landgrade.build.geometry.GRID_M`), which makes "no overlap" and "union = extent" exact
rather than approximate. Everything is drawn in the network's working CRS (the county's
Gauss-Krüger zone), which the map records. The road model the clauses are drawn on (named
roads in pieces, dual carriageways, decisions) is described in :mod:`landgrade.build.lines`.

A result that cannot be right — a half-plane or region covering the whole extent or nothing, a
grade with no area, a strip along less than a tenth of its stretch, an extension of a line (or a
join across a gap in it) that already spans the extent, a ring over half the extent — is a
report warning starting ``cannot be right:`` naming the clause (``--strict`` fails on it).
The geometry each report row was drawn from is kept in :attr:`GradeMap.clauses` for review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from landgrade.build.context import BuildContext, BuildError, Clause, join_notes
from landgrade.build.decisions import Decisions, read_decisions
from landgrade.build.exclusions import cut_features
from landgrade.build.geometry import GRID_M, multipolygon, polygonal
from landgrade.build.grade_map import GradeMap
from landgrade.build.kinds import DRAWERS
from landgrade.build.report import IMPOSSIBLE, ReportRow, report_frame
from landgrade.build.routes import draw_routes, read_routes
from landgrade.gazette.county import ALL_USES
from landgrade.gazette.labels import SCHEMATIC_NOTE
from landgrade.gazette.rules import GradeRule, Rules
from landgrade.network.fields import NameFields
from landgrade.network.layers import SNAP_M, Network, load_network
from landgrade.progress import advance


def build_grade_map(
    rules: Rules | Mapping[str, Rules],
    network: Network,
    routes: pd.DataFrame | None = None,
    decisions: Decisions | None = None,
    source: str = "",
    tolerance_m: float | None = None,
    metadata: dict[str, Any] | None = None,
    default_frontage_m: float | None = None,
    route_use: str | None = None,
) -> GradeMap:
    """Draw every grade of ``rules`` on ``network`` (and the Table 7 ``routes``) as a grade map.

    The grades partition the network's extent, in the network's working CRS (recorded on the
    map). ``tolerance_m`` (default: the network's snap tolerance) is how far apart two features
    may be and still meet. A clause that cannot be drawn raises :class:`BuildError` naming it;
    a route that cannot be resolved gets status ``unresolved`` with the reason in the report.
    ``default_frontage_m`` is the county's depth for frontage the text gives none for;
    ``route_use`` the use the route table prices (metadata ``tables.routes.use``), whose grading
    the routes are drawn with when the county grades each use.

    ``rules`` may map land uses to their own descriptions (a county grading each use
    separately, keyed as metadata.json ``descriptions``): each is drawn on its own, the main one
    (``all``, else ``commercial``, else the first) as the map's ``grades``, every described use
    as ``use_grades``; report clause ids of a use start ``<use>:``. Table 7 routes (commercial
    road-line prices) are drawn with the commercial grading where there is one.
    """
    tol = network.snap_m if tolerance_m is None else tolerance_m
    by_use = dict(rules) if isinstance(rules, Mapping) else {ALL_USES: rules}
    main = main_grading(by_use, route_use)
    ctx = BuildContext(network, decisions or Decisions(), tol, default_frontage_m,
                       clause_prefix=_prefix(main, by_use))
    epsg = network.crs.to_epsg() if hasattr(network.crs, "to_epsg") else None
    crs = f"EPSG:{epsg}" if epsg else network.crs
    grades = _grade_layer(_draw_grades(ctx, by_use[main]), crs)
    # The route table prices one use: its grade edges (二级边界) are that use's grading's.
    routes_drawn_with = route_use if route_use in by_use else main
    route_layer = (draw_routes(ctx, routes, source)
                   if routes is not None and routes_drawn_with == main else None)
    use_grades: dict[str, gpd.GeoDataFrame] = {}
    for use, use_rules in by_use.items():
        if use == ALL_USES:
            continue
        if use == main:
            use_grades[use] = grades
            continue
        other = BuildContext(network, ctx.decisions, tol, default_frontage_m,
                             clause_prefix=_prefix(use, by_use))
        use_grades[use] = _grade_layer(_draw_grades(other, use_rules), crs)
        if use == routes_drawn_with and routes is not None:
            route_layer = draw_routes(other, routes, source)
        ctx.rows.extend(other.rows)
        ctx.clauses.extend(other.clauses)
    _decision_rows(ctx)
    meta: dict[str, Any] = {"source": source, "crs": str(crs), "snap_m": tol,
                            "built_with": _version()}
    if use_grades:
        meta.update({"main_grading": main, "graded_uses": ",".join(use_grades)})
    meta.update(metadata or {})
    for choice in reversed(network.choices):
        ctx.rows.insert(0, ReportRow("input", "", text=choice))
    for k, note in enumerate(network.notes):
        row = ReportRow("network", "", text="features left out")
        row.warn(note)
        ctx.rows.insert(k, row)
    if meta.get("schematic"):
        ctx.rows.insert(0, ReportRow("network", "", text=SCHEMATIC_NOTE))
    return GradeMap(
        grades=grades,
        extent=gpd.GeoDataFrame({"name": ["extent"]}, geometry=[ctx.extent], crs=crs),
        routes=route_layer,
        water=network.water[["name", "geometry"]] if network.water is not None else None,
        roads=network.roads[[c for c in ("name", "road_class", "road_id", "geometry")
                             if c in network.roads]],
        report=report_frame(ctx.rows),
        metadata=meta,
        clauses=_clause_layer(ctx, crs),
        use_grades=use_grades,
    )


def main_grading(by_use: Mapping[str, Any], route_use: str | None = None) -> str:
    """The grading a per-use map's ``grades`` layer holds (and the route table is drawn with):
    ``all`` (every use without its own description), else the route table's use
    (``route_use``, from the county's metadata), else the first described use."""
    for use in (ALL_USES, route_use):
        if use in by_use:
            return use
    return next(iter(by_use))


def _prefix(use: str, by_use: Mapping[str, Any]) -> str:
    """The report's clause-id prefix of a use's areas: none for a single grading or ``all``."""
    return "" if use == ALL_USES or len(by_use) == 1 else f"{use}:"


def _grade_layer(built: dict[int, BaseGeometry], crs: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"grade": np.array(list(built), dtype=int),
         "area_m2": np.round([g.area for g in built.values()], 3)},
        geometry=[multipolygon(g) for g in built.values()], crs=crs,
    )


def _draw_grades(ctx: BuildContext, rules: Rules) -> dict[int, BaseGeometry]:
    """Every grade, best first, each without what the better ones took."""
    taken: BaseGeometry = Polygon()
    built: dict[int, BaseGeometry] = {}
    ordered = sorted(rules.grades, key=lambda g: g.grade)
    for k, rule in enumerate(ordered):
        advance(k, len(ordered), "grades")
        geom = _draw_grade(ctx, rule, taken)
        built[rule.grade] = geom
        # An ``edge:`` decision of a later clause names the edge of this grade.
        ctx.resolver.grades[rule.grade] = geom
        taken = shapely.union(taken, geom, grid_size=GRID_M)
    left = shapely.difference(ctx.extent, taken, grid_size=GRID_M)
    if left.area > 1.0:
        row = ReportRow("extent", "extent", text="grading extent")
        row.area_m2 = float(left.area)
        row.warn(f"{left.area:,.0f} m² of the extent is in no grade (no residual clause)")
        ctx.rows.append(row)
    return built


def _draw_grade(ctx: BuildContext, rule: GradeRule, taken: BaseGeometry) -> BaseGeometry:
    """The union of a grade's areas, each drawn by its kind's function, minus ``taken``."""
    pieces: list[BaseGeometry] = []
    for area_no, area in enumerate(rule.areas, start=1):
        clause = Clause(f"{ctx.clause_prefix}{rule.grade}.{area_no}", rule.grade, area_no)
        draw = DRAWERS.get(type(area))
        if draw is None:  # pragma: no cover - Rules only holds the registered kinds
            raise BuildError(f"clause {clause.id}: unknown area kind {area!r}")
        first = len(ctx.rows)
        geom = draw(ctx, clause, area)
        head = ctx.rows[first] if len(ctx.rows) > first else None
        if head is not None:
            head.source = getattr(area, "source", None) or ""
            if getattr(area, "subarea", None):
                head.features = join_notes(head.features, f"sub-area {area.subarea}")
        excl = getattr(area, "exclude_grades", ())
        if excl:  # noted on the last row the kind appended
            ctx.rows[-1].features = join_notes(ctx.rows[-1].features,
                                               f"minus grade(s) {', '.join(map(str, excl))}")
        cut = getattr(area, "exclude_features", ())
        if cut and head is not None:
            geom = cut_features(ctx, clause, geom, cut, head)
        pieces.append(polygonal(shapely.intersection(geom, ctx.extent, grid_size=GRID_M)))
    union = shapely.union_all(pieces, grid_size=GRID_M) if pieces else Polygon()
    geom = shapely.difference(union, taken, grid_size=GRID_M)
    for waiting in ctx.rows_taking_grade_area:  # the residual's: the rest of the extent
        ctx.record(waiting, area=geom)
    ctx.rows_taking_grade_area.clear()
    row = ReportRow("grade", f"{ctx.clause_prefix}{rule.grade}", grade=rule.grade,
                    text=f"{ctx.clause_prefix}grade {rule.grade}".replace(":", " "))
    row.area_m2 = float(geom.area)
    if geom.area <= 1.0:
        row.impossible(f"grade {rule.grade} ends with no area (higher grades took all of it, "
                       "or its clauses draw nothing)")
    ctx.rows.append(row)
    return geom


def _decision_rows(ctx: BuildContext) -> None:
    """A report row for every decision: used, unused, or stale (its clause changed)."""
    for d in ctx.decisions.rows:
        row = ReportRow("decision", d.clause, item=d.item, text=d.text,
                        decision=d.label())
        if d.row in ctx.decisions.stale:
            row.status, row.warnings = "stale", ctx.decisions.stale[d.row]
        elif d.row not in ctx.decisions.used:
            row.status = "unused"
            row.warnings = "no clause or route asked for this decision"
        ctx.rows.append(row)


def _clause_layer(ctx: BuildContext, crs: Any) -> gpd.GeoDataFrame:
    """The geometry each report row was drawn from (see :attr:`GradeMap.clauses`)."""
    position = {id(r): i for i, r in enumerate(ctx.rows)}
    recs = []
    for rec in ctx.clauses:
        row = rec["row"]
        for role in ("area", "path", "line", "point", "candidates"):
            g = rec.get(role)
            if g is None or g.is_empty:
                continue
            recs.append({"report_row": position.get(id(row), -1), "kind": row.kind,
                         "clause": row.clause, "item": row.item, "role": role,
                         "status": row.status, "warnings": row.warnings, "geometry": g})
    cols = ["report_row", "kind", "clause", "item", "role", "status", "warnings", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(recs, columns=cols), geometry="geometry", crs=crs)


def _version() -> str:
    from landgrade._version import __version__

    return f"landgrade {__version__}"


def _load_rules(path: Path, known_names: list[str] | None = None) -> Rules:
    """The rules of a description file (or a rules JSON); ``known_names``, the network's feature
    names, let a real name that holds a connective (至善路) through the parser's check."""
    if not path.exists():
        raise BuildError(f"{path}: no such grade-zone description file")
    if path.suffix.lower() == ".json":
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise BuildError(f"{path}: not a rules JSON file ({e}); write it with "
                             "`landgrade parse`, or give the grade-zone description text "
                             "instead") from None
        return Rules.from_dict(data, source=str(path))
    from landgrade.gazette.parse import parse_file

    return parse_file(path, known_names=known_names)


@dataclass(frozen=True)
class BuildInputs:
    """What ``landgrade build`` reads: a county folder, and files that replace its own.

    Without ``county``, ``rules``, ``roads`` and ``extent`` must be given; with it, each file not
    given is the folder's (``table5.txt``, ``roads.geojson``, …) when the folder has one.
    """

    county: str | Path | None = None
    rules: Path | None = None
    roads: Path | None = None
    water: Path | None = None
    landmarks: Path | None = None
    extent: Path | None = None
    routes: Path | None = None
    aliases: Path | None = None
    decisions: Path | None = None
    name_field: NameFields = None
    id_field: str = "road_id"
    snap_m: float = SNAP_M
    strict: bool = False
    admin: Path | None = None
    admin_field: str | None = None


def _per_use_rules(folder: Any, network: Network) -> dict[str, Rules]:
    """Each use's rules, from the county folder's descriptions (names checked against the
    network's: a name holding a connective is read only where the network has it)."""
    from landgrade.gazette.per_use import parse_descriptions

    return parse_descriptions(folder, network.names())


def _with_admin_field(i: BuildInputs) -> NameFields:
    """The name fields, with ``--admin-field`` as the administrative layer's."""
    if i.admin_field is None:
        return i.name_field
    fields: dict[str, str] = ({"*": i.name_field} if isinstance(i.name_field, str)
                              else dict(i.name_field or {}))
    fields["admin"] = i.admin_field
    return fields


def build_county(county: str | Path | None = None, strict: bool = False) -> GradeMap:
    """Build a county folder's grade map from its own files (the engine's default map)."""
    return build_from(BuildInputs(county=county, strict=strict))


def build_from(inputs: BuildInputs) -> GradeMap:
    """Build the grade map ``inputs`` name; with ``strict``, unresolved or stale rows, and
    results that cannot be right (a report warning starting ``cannot be right:``), fail it."""
    from landgrade.gazette.county import county_folder, folder_reference

    i = inputs
    folder = county_folder(i.county) if (i.county is not None or i.rules is None) else None
    meta: dict[str, Any] = {}

    def pick(given: Path | None, name: str, required: bool = False) -> Path | None:
        if given is not None:
            return Path(given)
        if folder is not None and folder.has(name):
            return folder.path(name)
        if required:
            where = f" in {folder.root}" if folder is not None else ""
            raise BuildError(f"no {name}{where}: give it as an option or in the county folder")
        return None

    # One description per land use (metadata.json ``descriptions``), or the one table5.txt.
    described = (folder.descriptions() if folder is not None and i.rules is None
                 and folder.has("metadata.json") else {})
    per_use = len(described) > 1 or (bool(described) and ALL_USES not in described)
    rules_p = (described.get(ALL_USES) or next(iter(described.values())) if per_use
               else pick(i.rules, "table5.txt", True))
    roads_p = pick(i.roads, "roads.geojson", True)
    extent_p = pick(i.extent, "extent.geojson", True)
    assert rules_p is not None and roads_p is not None and extent_p is not None
    network = load_network(
        roads_p, water=pick(i.water, "water.geojson"),
        landmarks=pick(i.landmarks, "landmarks.geojson"), extent=extent_p,
        aliases=pick(i.aliases, "aliases.csv"), name_field=_with_admin_field(i),
        id_field=i.id_field, snap_m=i.snap_m,
        # The county's own working CRS when its metadata.json names one, else the extent's zone.
        working_crs=folder.metadata.get("crs") if folder is not None else None,
        admin=pick(i.admin, "admin.geojson"),
    )
    routes_p = pick(i.routes, "routes.csv")
    if folder is not None:
        meta = {
            "county": folder.name,
            "county_en": folder.metadata.get("county_en", folder.root.name),
            "county_folder": folder_reference(folder),
            **({"descriptions": ",".join(f"{u}={p.name}" for u, p in described.items())}
               if per_use else {}),
            # The folder's note describes its own layers, not a road layer given instead.
            "schematic": folder.schematic and i.roads is None,
        }
    gm = build_grade_map(
        _per_use_rules(folder, network) if per_use and folder is not None
        else _load_rules(rules_p, network.names()), network,
        routes=read_routes(routes_p) if routes_p is not None else None,
        decisions=read_decisions(pick(i.decisions, "decisions.csv")),
        source=str(rules_p), metadata=meta,
        default_frontage_m=folder.default_frontage_m if folder is not None else None,
        route_use=_route_use(folder.metadata) if folder is not None else None,
    )
    if i.strict and gm.report is not None:
        impossible = gm.report["warnings"].fillna("").str.contains(IMPOSSIBLE, regex=False)
        bad = gm.report[gm.report["status"].isin(["unresolved", "stale"]) | impossible]
        if len(bad):
            raise BuildError("--strict: " + "; ".join(
                f"{r.kind} {r.clause}: {r.warnings}" for r in bad.itertuples()))
    return gm


def _route_use(metadata: Mapping[str, Any]) -> str | None:
    """The use the county's route table prices (``tables.routes.use``), if it says."""
    tables = metadata.get("tables")
    routes = tables.get("routes") if isinstance(tables, Mapping) else None
    use = routes.get("use") if isinstance(routes, Mapping) else None
    return str(use) if use else None
