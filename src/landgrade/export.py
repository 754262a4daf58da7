"""Export a grade map for QGIS: a styled GeoPackage, or one shapefile per layer.

GeoPackage
    Every layer of the grade map (grades, routes, extent, water, roads, report, metadata) plus a
    ``layer_styles`` table, the convention by which QGIS stores a layer's default style inside
    the GeoPackage: QGIS opens the grades coloured by ``grade`` (best grade darkest, the colours
    of :func:`landgrade.maps.grade_colors`) and the routes labelled by ``id``. Each layer's
    description (``gpkg_contents.description``) says what it holds and, when the network is a
    schematic reconstruction, that it is not surveyed.

Shapefiles
    ``FILE.shp`` becomes ``FILE_grades.shp``, ``FILE_routes.shp``, … in UTF-8 with a ``.cpg``
    (written by :mod:`landgrade.io`), each with a ``.qml`` of the same name, which QGIS loads as
    the layer's default style. A layer mixing lines and areas (water) is split into
    ``FILE_water_lines.shp`` and ``FILE_water_areas.shp``. The report and metadata have no
    geometry and go to ``FILE_report.csv`` and ``FILE_metadata.csv`` (UTF-8 with BOM, so Excel
    reads the Chinese).

The QML files live in ``landgrade/styles/``: presentation, not county data. The grades style is
a template whose one category is repeated for every grade of the map being exported.
"""

from __future__ import annotations

import copy
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landgrade.errors import LandgradeError
from landgrade.grade_map import SCHEMATIC_NOTE, SPATIAL_LAYERS, GradeMap
from landgrade.io import write_table
from landgrade.maps import PriceLegend, grade_colors, legend_label

LAYER_DESCRIPTIONS = {
    "grades": "Benchmark land price grade zones (one multipolygon per grade; grade 1 is best)",
    "routes": "Table 7 commercial road-line price routes: id, name, endpoints, grade, road "
    "class, standard depth (m), road-line price (yuan/m²)",
    "extent": "Grading extent of the urban benchmark land prices",
    "water": "Rivers and ditches named by the grade descriptions",
    "roads": "Road centrelines of the network the grades were built on",
    "report": "Build report: how each Table 5 clause and Table 7 route was drawn",
    "metadata": "Key/value facts of the build: county, source gazette, network provenance",
}
# Shapefile fields are at most 10 characters; these read better than a blind cut.
SHAPEFILE_FIELDS = {"standard_depth_m": "std_depth"}

_LAYER_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""


class ExportError(LandgradeError):
    """An export cannot be written; the message names the file and the fix."""


@dataclass
class ExportResult:
    """What an export wrote: the files, and any shapefile field renames per layer."""

    files: list[Path]
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)


# --- styles ----------------------------------------------------------------------------------


def style_qml(
    grade_map: GradeMap,
    layer: str,
    prices: PriceLegend | None = None,
    *,
    features: gpd.GeoDataFrame | None = None,
) -> str | None:
    """The QGIS style (QML text) of one layer of ``grade_map``, or None for a table layer.

    Water is filled when every feature is an area, else drawn as lines; ``features`` (default:
    the grade map's water) are the features the style is for.
    """
    if layer == "grades":
        return _grades_qml(grade_map, prices)
    if layer == "water":
        water = grade_map.water if features is None else features
        polygonal = water is not None and water.geom_type.isin(["Polygon", "MultiPolygon"]).all()
        return _read_style("water_area.qml" if polygonal else "water_line.qml")
    if layer in ("routes", "extent", "roads"):
        return _read_style(f"{layer}.qml")
    return None


def _read_style(name: str) -> str:
    return resources.files("landgrade").joinpath("styles", name).read_text(encoding="utf-8")


def _grades_qml(grade_map: GradeMap, prices: PriceLegend | None) -> str:
    root = ET.fromstring(_read_style("grades.qml"))
    renderer = root.find("renderer-v2")
    categories, symbols = renderer.find("categories"), renderer.find("symbols")
    category_proto, symbol_proto = categories[0], symbols[0]
    categories.remove(category_proto)
    symbols.remove(symbol_proto)
    for i, (grade, color) in enumerate(sorted(grade_colors(grade_map.grades["grade"]).items())):
        category = copy.deepcopy(category_proto)
        category.set("symbol", str(i))
        category.set("value", str(grade))
        category.set(
            "label", legend_label(grade, prices) + (" yuan/m²" if prices is not None else "")
        )
        categories.append(category)
        symbol = copy.deepcopy(symbol_proto)
        symbol.set("name", str(i))
        for option in symbol.iter("Option"):
            if option.get("name") == "color":
                option.set("value", _qgis_color(color))
        symbols.append(symbol)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def _qgis_color(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + ",255"


def layer_description(grade_map: GradeMap, layer: str) -> str:
    """What a layer holds, and that the network is not surveyed when it is schematic."""
    text = LAYER_DESCRIPTIONS.get(layer, layer)
    county = grade_map.metadata.get("county")
    if county:
        text = f"{county}: {text}"
    if grade_map.schematic and layer != "report":
        text += f" — {SCHEMATIC_NOTE}"
    return text


# --- GeoPackage ------------------------------------------------------------------------------


def export_gpkg(
    grade_map: GradeMap, path: str | Path, *, prices: PriceLegend | None = None
) -> ExportResult:
    """Write every layer and a QGIS ``layer_styles`` table to one GeoPackage (replaced)."""
    from landgrade.io import atomic_output

    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(dest) as path:  # moved into place once the styles are in too
        _write_styled_gpkg(grade_map, path, prices)
    return ExportResult(files=[dest])


def _write_styled_gpkg(grade_map: GradeMap, path: Path, prices: PriceLegend | None) -> None:
    grade_map.to_gpkg(path)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    with sqlite3.connect(path) as db:
        written = [row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")]
        geometry_columns = dict(
            db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
        db.executemany(
            "UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
            [(layer_description(grade_map, name), name) for name in written],
        )
        db.execute(_LAYER_STYLES_DDL)
        db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS layer styles', ?)",
            (now,),
        )
        rows = []
        for name in written:
            qml = style_qml(grade_map, name, prices)
            if qml is None or name not in geometry_columns:
                continue
            rows.append(
                ("", "", name, geometry_columns[name], name, qml, "", 1,
                 layer_description(grade_map, name), "", None, now)
            )
        db.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()


# --- shapefiles ------------------------------------------------------------------------------


def export_shapefiles(
    grade_map: GradeMap, path: str | Path, *, prices: PriceLegend | None = None
) -> ExportResult:
    """Write ``FILE_<layer>.shp`` (+ ``.cpg``, ``.qml``) per spatial layer and CSV tables."""
    from landgrade.io import write_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.with_suffix("")
    result = ExportResult(files=[])
    for name in SPATIAL_LAYERS:
        layer: gpd.GeoDataFrame | None = getattr(grade_map, name)
        if layer is None or len(layer) == 0:
            continue
        for suffix, part in _by_geometry_kind(layer):
            target = Path(f"{stem}_{name}{suffix}.shp")
            renames = write_file(part.rename(columns=SHAPEFILE_FIELDS), target)
            result.renamed[name] = {
                **{k: v for k, v in SHAPEFILE_FIELDS.items() if k in layer.columns},
                **renames,
            }
            result.files.append(target)
            qml = style_qml(grade_map, name, prices, features=part)
            if qml is not None:
                target.with_suffix(".qml").write_text(qml, encoding="utf-8")
                result.files.append(target.with_suffix(".qml"))
    tables = {"report": grade_map.report, "metadata": _metadata_table(grade_map)}
    for name, table in tables.items():
        if table is None:
            continue
        target = Path(f"{stem}_{name}.csv")
        write_table(table, target)
        result.files.append(target)
    return result


_GEOMETRY_KINDS = {
    "Point": "points", "MultiPoint": "points", "LineString": "lines",
    "MultiLineString": "lines", "Polygon": "areas", "MultiPolygon": "areas",
}


def _by_geometry_kind(layer: gpd.GeoDataFrame) -> list[tuple[str, gpd.GeoDataFrame]]:
    """A layer as ``("", layer)``, or split ``("_lines", …), ("_areas", …)`` when it mixes
    kinds, since one shapefile holds one kind (e.g. rivers as areas and ditches as lines).
    Features without geometry go with the first kind, so that no row is lost."""
    kinds = layer.geom_type.map(_GEOMETRY_KINDS)
    present = sorted(kinds.dropna().unique())
    if len(present) <= 1:
        return [("", layer)]
    kinds = kinds.fillna(present[0])
    return [(f"_{kind}", layer[kinds == kind]) for kind in present]


def _metadata_table(grade_map: GradeMap) -> pd.DataFrame:
    return pd.DataFrame(
        {"key": list(grade_map.metadata), "value": [str(v) for v in grade_map.metadata.values()]}
    )


# --- command ---------------------------------------------------------------------------------


def export_grade_map(
    grade_map: GradeMap, output: str | Path, *, prices: PriceLegend | None = None
) -> ExportResult:
    """Export to ``.gpkg`` or ``.shp`` by the output's extension."""
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix == ".gpkg":
        return export_gpkg(grade_map, output, prices=prices)
    if suffix == ".shp":
        return export_shapefiles(grade_map, output, prices=prices)
    raise ExportError(f"{output}: give a .gpkg (one styled file) or .shp (one file per layer)")


def export_command(
    output: str | Path,
    map_path: str | Path | None = None,
    county: str | Path | None = None,
) -> ExportResult:
    """``landgrade export``: the bundled (or ``map_path``) grade map as a styled GeoPackage or
    shapefiles. Grade labels in the style carry Table 6 prices when the county is known."""
    from landgrade.engine import load_grade_map
    from landgrade.maps import grade_levels, prices_for_map

    output = Path(output)
    if output.suffix.lower() not in (".gpkg", ".shp"):
        raise ExportError(f"{output}: give a .gpkg (one styled file) or .shp (one file per layer)")
    from landgrade import io

    io.check_output(output, [map_path, *io.county_inputs(county)])
    grade_map = load_grade_map(map_path=map_path, county=county)
    grade_levels(grade_map, map_path or "the bundled grade map")
    prices = prices_for_map(grade_map, county, map_path, chinese=True)
    result = export_grade_map(grade_map, output, prices=prices)
    for layer, renames in result.renamed.items():
        if renames:
            pairs = ", ".join(f"{k} -> {v}" for k, v in renames.items())
            print(f"note: {layer}: shapefile field names shortened: {pairs}")
    for f in result.files:
        print(f"wrote {f}")
    return result
