"""Export a grade map for QGIS: a styled GeoPackage, or one shapefile per layer.

GeoPackage
    Every layer of the grade map (grades, routes, extent, water, roads, report, metadata) plus a
    ``layer_styles`` table, the convention by which QGIS stores a layer's default style inside
    the GeoPackage: QGIS opens the grades coloured by ``grade`` (best grade darkest, the colours
    of :func:`landgrade.outputs.map_style.grade_colors`) and the routes labelled by ``id``. Each
    layer's description (``gpkg_contents.description``) says what it holds and, when the network
    is a schematic reconstruction, that it is not surveyed.

Shapefiles
    ``FILE.shp`` becomes ``FILE_grades.shp``, ``FILE_routes.shp``, … in UTF-8 with a ``.cpg``
    (written by :mod:`landgrade.io`), each with a ``.qml`` of the same name, which QGIS loads as
    the layer's default style. A layer mixing lines and areas (water) is split into
    ``FILE_water_lines.shp`` and ``FILE_water_areas.shp``. The report and metadata have no
    geometry and go to ``FILE_report.csv`` and ``FILE_metadata.csv`` (UTF-8 with BOM, so Excel
    reads the Chinese).

What is handed on (:func:`for_qgis`, used by ``export`` and by ``build``): the grades layer
carries each use's benchmark price ``p_<u>``, term ``t_<u>`` and plot ratio ``r_<u>`` and the
valuation date ``val_date`` (the answer columns' names, see :mod:`landgrade.engine.answer`),
so QGIS's Identify shows them; integer fields (``grade``, terms, whole-yuan prices) stay integers;
lengths and areas are rounded to 0.01 m and 0.01 m²; the metadata holds the gazette's 文号, title,
issuer and dates, the landgrade version, and file names relative to the county folder, never a
path of the machine that built it. GeoPackages are GeoPackage 1.2 (:mod:`landgrade.io`), which
QGIS 3.22 LTR and GDAL 3.6 open without a version warning.

The QML files live in ``landgrade/styles/``: presentation, not county data. The grades style is
a template whose one category is repeated for every grade of the map being exported. Field
aliases (the Chinese names QGIS shows for ``grade``, ``p_comm``, …) are county data: the
county folder's ``field_aliases.csv``, written into each layer's style.
"""

from __future__ import annotations

import copy
import dataclasses
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landgrade.build.grade_map import SPATIAL_LAYERS, USE_LAYER_PREFIX, GradeMap
from landgrade.engine.answer import AREA_DECIMALS, DISTANCE_DECIMALS, published_decimals, use_short
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import SCHEMATIC_NOTE, lang_for, unit, word
from landgrade.io.qgis_styles import LayerStyle, store_styles, with_aliases
from landgrade.io.tables import read_data_table, write_table
from landgrade.outputs.map_style import PriceLegend, grade_colors, legend_label

# Layers whose name and description are worded (labels ``layer_<name>``, ``layer_desc_<name>``).
LAYER_WORDS = ("grades", "routes", "extent", "water", "roads", "report", "metadata")
# Shapefile fields are at most 10 characters; these read better than a blind cut.
SHAPEFILE_FIELDS = {"standard_depth_m": "std_depth"}


class ExportError(LandgradeError):
    """An export cannot be written; the message names the file and the fix."""


@dataclass
class ExportResult:
    """What an export wrote: the files, and any shapefile field renames per layer."""

    files: list[Path]
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)


# --- what is handed on ------------------------------------------------------------------------

# Metadata facts of the county (metadata.json) that a handed-on map carries.
GAZETTE_FACTS = ("document", "title", "issuer", "date", "valuation_date", "gazette", "units")


def for_qgis(grade_map: GradeMap, county: Any = None, dest: Path | None = None) -> GradeMap:
    """The grade map as it is handed on (see the module docstring); ``county`` is its
    :class:`landgrade.county.CountyFolder` (prices, aliases, gazette facts), or None; ``dest``
    the file it is written to (its county folder is recorded relative to it)."""
    pricebook = _pricebook(county)
    grades = _priced_grades(grade_map.grades, pricebook)
    grades["area_m2"] = grades.geometry.area.round(AREA_DECIMALS)
    routes = grade_map.routes
    if routes is not None:
        routes = routes.copy()
        for col in ("grade", "standard_depth_m"):
            if col in routes:
                routes[col] = _as_integers(routes[col])
        if "length_m" in routes:
            routes["length_m"] = pd.to_numeric(routes["length_m"]).round(DISTANCE_DECIMALS)
    return GradeMap(
        grades=grades, extent=grade_map.extent, routes=routes, water=grade_map.water,
        roads=grade_map.roads, report=grade_map.report,
        metadata=_portable_metadata(grade_map.metadata, county, dest),
        use_grades={u: _use_layer(layer, u, pricebook)
                    for u, layer in grade_map.use_grades.items()},
    )


def _use_layer(layer: gpd.GeoDataFrame, use: str, pricebook: Any) -> gpd.GeoDataFrame:
    """A land use's own grades (per-use counties), with that use's price, term and plot
    ratio per grade (the other uses' columns would read as if this grading priced them)."""
    priced = _priced_grades(layer, pricebook)
    priced["area_m2"] = priced.geometry.area.round(AREA_DECIMALS)
    k = use_short(use)
    other = [c for c in priced.columns
             if c[:2] in ("p_", "t_", "r_") and c[2:] != k]
    return priced.drop(columns=other)


def _pricebook(county: Any) -> Any:
    if county is None:
        return None
    from landgrade.gazette.pricebook import load_pricebook

    return load_pricebook(county)


def _as_integers(values: pd.Series) -> pd.Series:
    """Whole numbers as a nullable integer column; anything else is left as it is."""
    num = pd.to_numeric(values, errors="coerce")
    whole = bool((num.notna() == values.notna()).all() and (num.dropna() % 1 == 0).all())
    return num.round().astype("Int64") if whole else values


def _priced_grades(grades: gpd.GeoDataFrame, pricebook: Any) -> gpd.GeoDataFrame:
    """Grades with ``p_<u>``, ``t_<u>``, ``r_<u>`` per use and ``val_date`` (replaced if there)."""
    grades = grades.copy()
    grades["grade"] = grades["grade"].astype(int)
    if pricebook is None:
        return grades
    table = pricebook.urban_price_table()
    decimals = published_decimals(table.to_numpy())
    prices = table.reindex(grades["grade"].to_numpy())
    date = ""
    for u in pricebook.uses:
        k = use_short(u)
        p = prices[u].round(decimals).to_numpy()
        conn = [_connotation(pricebook, g, u) for g in grades["grade"]]
        grades[f"p_{k}"] = pd.array(p).astype("Int64") if decimals == 0 else p
        grades[f"t_{k}"] = pd.array([c and c.term_years for c in conn], dtype="Int64")
        grades[f"r_{k}"] = pd.array([c and c.plot_ratio for c in conn], dtype="Float64")
        date = date or next((str(c.valuation_date) for c in conn if c and c.valuation_date), "")
    grades["val_date"] = date
    geometry = grades.geometry.name
    return grades[[c for c in grades.columns if c != geometry] + [geometry]]


def _connotation(pricebook: Any, grade: int, use: str) -> Any:
    try:
        return pricebook.connotation(int(grade), use)
    except (KeyError, LookupError, LandgradeError):
        return None


def _portable_metadata(metadata: dict[str, Any], county: Any,
                       dest: Path | None = None) -> dict[str, Any]:
    """Metadata with the gazette facts and the exporting version; paths made relative to the
    county folder (or reduced to a file name), so no machine's folders travel with the map."""
    from landgrade._version import __version__

    meta = dict(metadata)
    root = Path(county.root) if county is not None else None
    if county is not None:
        facts = county.metadata
        meta.update({k: facts[k] for k in GAZETTE_FACTS if isinstance(facts.get(k), str)})
    if isinstance(meta.get("source"), str) and meta["source"]:
        meta["source"] = _relative_name(meta["source"], root)
    # A county folder outside the bundled ones is recorded by the build as an absolute path;
    # handed on, it is the path from the map's own folder to it (../counties/x), which
    # GradeMap.read resolves, so `--map` finds the county where the two were written; the
    # folder's name where the two share no folder but the root (a path climbing to / is the
    # machine's layout again) or no relative path exists (another drive).
    if isinstance(meta.get("county_folder"), str) and Path(meta["county_folder"]).is_absolute():
        meta["county_folder"] = _path_from(dest, Path(meta["county_folder"]))
    meta["exported_with"] = f"landgrade {__version__}"
    return meta


def _path_from(dest: Path | None, folder: Path) -> str:
    """``folder`` as a path relative to the folder of the file ``dest`` (posix separators)."""
    import os

    if dest is not None:
        try:
            target, here = folder.resolve(), Path(dest).resolve().parent
            if Path(os.path.commonpath([target, here])) != Path(target.anchor):
                return Path(os.path.relpath(target, here)).as_posix()
        except (ValueError, OSError):  # another drive: no relative path
            pass
    return folder.name


def _relative_name(value: str, root: Path | None) -> str:
    path = Path(value)
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return path.name if path.is_absolute() or len(path.parts) > 1 else value


def field_aliases(county: Any) -> dict[str, dict[str, str]]:
    """``{layer: {field: alias}}`` from the county's ``field_aliases.csv`` (empty without one).

    A field written ``p_{use}`` stands for each use: ``p_comm`` with ``{use}`` in the alias
    replaced by the use's uses.csv label (商服用地).
    """
    if county is None or not county.has("field_aliases.csv"):
        return {}
    table = read_data_table(county.path("field_aliases.csv"), ("layer", "field", "alias_zh"))
    pricebook = _pricebook(county)
    labels = {use_short(u): pricebook.use_label(u) for u in pricebook.uses} if pricebook else {}
    out: dict[str, dict[str, str]] = {}
    for row in table.itertuples():
        layer = out.setdefault(row.layer, {})
        if "{use}" in row.field:
            for k, label in labels.items():
                layer[row.field.replace("{use}", k)] = row.alias_zh.replace("{use}", label)
        else:
            layer[row.field] = row.alias_zh
    return out


# --- styles ----------------------------------------------------------------------------------


def style_qml(
    grade_map: GradeMap,
    layer: str,
    prices: PriceLegend | None = None,
    *,
    features: gpd.GeoDataFrame | None = None,
    aliases: dict[str, str] | None = None,
    lang: str = "en",
) -> str | None:
    """The QGIS style (QML text) of one layer of ``grade_map``, or None for a table layer.

    Water is filled when every feature is an area, else drawn as lines; ``features`` (default:
    the grade map's water) are the features the style is for. ``aliases`` (field → alias) are
    the names QGIS shows for the fields; ``lang`` the language of the legend.
    """
    if layer == "grades":
        qml = _grades_qml(grade_map, prices, lang)
    elif layer == "water":
        water = grade_map.water if features is None else features
        polygonal = water is not None and water.geom_type.isin(["Polygon", "MultiPolygon"]).all()
        qml = _read_style("water_area.qml" if polygonal else "water_line.qml")
    elif layer in ("routes", "extent", "roads"):
        qml = _read_style(f"{layer}.qml")
    elif layer.removeprefix(USE_LAYER_PREFIX) in grade_map.use_grades:
        own = grade_map.use_grades[layer.removeprefix(USE_LAYER_PREFIX)]
        qml = _grades_qml(dataclasses.replace(grade_map, grades=own), None)
    else:
        return None
    return with_aliases(qml, aliases or {})


def _read_style(name: str) -> str:
    return resources.files("landgrade.outputs").joinpath("styles", name).read_text(encoding="utf-8")


def _grades_qml(grade_map: GradeMap, prices: PriceLegend | None, lang: str = "en") -> str:
    labels = {g: grade_legend_label(g, prices, lang)
              for g in grade_colors(grade_map.grades["grade"])}
    return categorized_qml("grades.qml", grade_colors(grade_map.grades["grade"]), labels)


def grade_legend_label(grade: int, prices: PriceLegend | None, lang: str) -> str:
    """A grade's legend entry in QGIS: ``一级 — 商服用地 3194，住宅用地 1932（元/平方米）``, or
    ``Grade 1 — … yuan/m²``; the grade alone without prices."""
    label = legend_label(grade, prices, lang)
    if prices is None:
        return label
    return word("legend_with_unit", lang, label=label, unit=unit(prices.metadata, lang))


def categorized_qml(template: str, colors: dict[int, str], labels: dict[int, str],
                    other: tuple[str, str] | None = None) -> str:
    """A style template (``landgrade/outputs/styles``) whose one category and symbol are repeated
    for each grade of ``colors`` with its colour and label; ``other`` (colour, label) adds a
    category for features without a grade (QGIS's catch-all, value empty)."""
    root = ET.fromstring(_read_style(template))
    renderer = root.find("renderer-v2")
    categories, symbols = renderer.find("categories"), renderer.find("symbols")
    category_proto, symbol_proto = categories[0], symbols[0]
    categories.remove(category_proto)
    symbols.remove(symbol_proto)
    entries: list[tuple[str, str, str]] = [(str(g), c, labels[g]) for g, c in
                                           sorted(colors.items())]
    if other is not None:
        entries.append(("", *other))
    for i, (value, color, label) in enumerate(entries):
        category = copy.deepcopy(category_proto)
        category.set("symbol", str(i))
        category.set("value", value)
        category.set("label", label)
        if not value:
            category.set("type", "string")
        categories.append(category)
        symbol = copy.deepcopy(symbol_proto)
        symbol.set("name", str(i))
        for option in symbol.iter("Option"):
            if option.get("name") in ("color", "line_color"):
                option.set("value", _qgis_color(color))
        symbols.append(symbol)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def _qgis_color(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + ",255"


def layer_description(grade_map: GradeMap, layer: str, lang: str = "en") -> str:
    """What a layer holds, in ``lang``, and that the network is not surveyed when it is
    schematic."""
    use = layer.removeprefix(USE_LAYER_PREFIX)
    if layer.startswith(USE_LAYER_PREFIX) and use in grade_map.use_grades:
        text = word("layer_desc_use_grades", lang, use=use)
    elif layer not in LAYER_WORDS:
        return layer
    else:
        text = word(f"layer_desc_{layer}", lang, unit=price_unit(grade_map.metadata, lang))
    county = grade_map.metadata.get("county")
    if county:
        text = word("layer_county", lang, county=county, text=text)
    if grade_map.schematic and layer != "report":
        note = SCHEMATIC_NOTE if lang == "en" else word("schematic_short", lang)
        text = word("layer_schematic", lang, text=text, note=note)
    return text


def price_unit(metadata: Any, lang: str) -> str:
    """The price unit in ``lang``: the county's (元/平方米), else the interface's words."""
    if lang == "zh" and not (metadata or {}).get("units_zh"):
        return f"{word('unit_money', lang)}/{word('unit_area', lang)}"
    return unit(metadata, lang)


def layer_title(layer: str, lang: str) -> str:
    """The name QGIS shows for a layer of a grade map (土地级别 for ``grades``)."""
    return word(f"layer_{layer}", lang) if layer in LAYER_WORDS else layer


# --- GeoPackage ------------------------------------------------------------------------------


def export_gpkg(
    grade_map: GradeMap,
    path: str | Path,
    *,
    prices: PriceLegend | None = None,
    county: Any = None,
    lang: str | None = None,
) -> ExportResult:
    """Write every layer (as :func:`for_qgis` hands it on) and a QGIS ``layer_styles`` table to
    one GeoPackage (replaced once complete). ``county`` is the map's county folder, or None
    (no prices); ``lang`` the language of the legend, layer names and descriptions and of the
    build report's words (default: the county's, else English)."""
    from landgrade.io.atomic import atomic_output

    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    lang = _lang(lang, county)
    grade_map = _worded(for_qgis(grade_map, county, dest), lang)
    aliases = field_aliases(county)
    with atomic_output(dest) as path:  # moved into place once the styles are in too
        grade_map.to_gpkg(path)
        styles = [
            LayerStyle(name, style_qml(grade_map, name, prices, aliases=aliases.get(name),
                                       lang=lang),
                       title=layer_title(name, lang),
                       description=layer_description(grade_map, name, lang))
            for name in LAYER_WORDS
        ]
        store_styles(path, styles, word("layer_styles", lang))
    return ExportResult(files=[dest])


def _lang(lang: str | None, county: Any) -> str:
    """``lang``, else the county's language, else English."""
    return lang_for(lang, county.metadata if county is not None else None)


def _worded(grade_map: GradeMap, lang: str) -> GradeMap:
    """The map with its build report worded in ``lang`` (codes kept: the audit reads them)."""
    from landgrade.build.report import localized_report

    if lang == "en" or grade_map.report is None:
        return grade_map
    # dataclasses.replace: every other part (per-use grades, clause layer, …) kept as it is
    return dataclasses.replace(grade_map, report=localized_report(grade_map.report, lang))


# --- shapefiles ------------------------------------------------------------------------------


def export_shapefiles(
    grade_map: GradeMap,
    path: str | Path,
    *,
    prices: PriceLegend | None = None,
    county: Any = None,
    lang: str | None = None,
) -> ExportResult:
    """Write ``FILE_<layer>.shp`` (+ ``.cpg``, ``.qml``) per spatial layer and CSV tables;
    ``lang`` as for :func:`export_gpkg`."""
    from landgrade.build.report import localized_report
    from landgrade.io.writers import write_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lang = _lang(lang, county)
    grade_map = for_qgis(grade_map, county, path)
    aliases = field_aliases(county)
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
            renamed = result.renamed[name]
            layer_aliases = {renamed.get(k, k): v for k, v in aliases.get(name, {}).items()}
            qml = style_qml(grade_map, name, prices, features=part, aliases=layer_aliases,
                            lang=lang)
            if qml is not None:
                target.with_suffix(".qml").write_text(qml, encoding="utf-8")
                result.files.append(target.with_suffix(".qml"))
    # The report as a table for people (its columns and codes worded too).
    report = (localized_report(grade_map.report, lang, codes=False)
              if grade_map.report is not None else None)
    tables = {"report": report, "metadata": _metadata_table(grade_map)}
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
    grade_map: GradeMap,
    output: str | Path,
    *,
    prices: PriceLegend | None = None,
    county: Any = None,
    lang: str | None = None,
) -> ExportResult:
    """Export to ``.gpkg`` or ``.shp`` by the output's extension; ``lang``: the language of the
    legend, layer names and descriptions (default: the county's, else English)."""
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix == ".gpkg":
        output.parent.mkdir(parents=True, exist_ok=True)
        return export_gpkg(grade_map, output, prices=prices, county=county, lang=lang)
    if suffix == ".shp":
        return export_shapefiles(grade_map, output, prices=prices, county=county, lang=lang)
    raise ExportError(f"{output}: give a .gpkg (one styled file) or .shp (one file per layer)")


def export_command(
    output: str | Path,
    map_path: str | Path | None = None,
    county: str | Path | None = None,
    lang: str | None = None,
) -> ExportResult:
    """``landgrade export``: the bundled (or ``map_path``) grade map as a styled GeoPackage or
    shapefiles. Grade labels in the style carry Table 6 prices when the county is known;
    ``lang``: the language of the legend, layer names, descriptions and what is printed
    (default: the county's)."""
    from landgrade.engine.engine import load_grade_map
    from landgrade.outputs.map_style import grade_levels, prices_for_map

    output = Path(output)
    if output.suffix.lower() not in (".gpkg", ".shp"):
        raise ExportError(f"{output}: give a .gpkg (one styled file) or .shp (one file per layer)")
    from landgrade.gazette.county import county_inputs
    from landgrade.io.atomic import check_output

    check_output(output, [map_path, *county_inputs(county)])
    grade_map = load_grade_map(map_path=map_path, county=county)
    grade_levels(grade_map, map_path or "the bundled grade map")
    prices = prices_for_map(grade_map, county, map_path, chinese=True)
    folder = _county_folder(grade_map, county, map_path)
    lang = lang_for(lang, folder.metadata if folder is not None else grade_map.metadata)
    result = export_grade_map(grade_map, output, prices=prices, county=folder, lang=lang)
    for layer, renames in result.renamed.items():
        if renames:
            pairs = ", ".join(f"{k} -> {v}" for k, v in renames.items())
            print(word("note_line", lang, text=word("shapefile_renamed", lang, layer=layer,
                                                    pairs=pairs)))
    for f in result.files:
        print(word("wrote", lang, path=f))
    return result


def _county_folder(grade_map: GradeMap, county: Any, map_path: Any) -> Any:
    """The county folder of a map: ``--county``, the bundled one for the bundled map, else the
    folder the map records (None when none matches: the export has no prices)."""
    from landgrade.gazette.county import county_folder, county_of_map

    if county is None and map_path is None:
        return county_folder(None)
    return county_of_map(grade_map.metadata, county)


def write_grade_map(grade_map: GradeMap, output: str | Path, county: Any = None,
                    lang: str | None = None) -> Path:
    """``landgrade build``'s output: the grade map as a styled GeoPackage, like ``export``, in
    ``lang`` (default: the county's)."""
    from landgrade.gazette.county import county_of_map
    from landgrade.outputs.map_style import price_legend

    folder = county_of_map(grade_map.metadata, county)
    prices = None
    if folder is not None:
        try:
            prices = price_legend(folder.root, grade_map.grades["grade"], chinese=True)
        except LandgradeError:  # a build on other grades than the tables: styled without prices
            folder = None
    export_gpkg(grade_map, output, prices=prices, county=folder, lang=lang)
    return Path(output)
