"""How a GeoPackage written by ``landgrade assign`` looks in QGIS.

The graded layer is categorized on ``grade`` with the grade map's own colours (best grade
darkest, :func:`landgrade.outputs.map_style.grade_colors`) and the legend entries of the
export's grades style (grade and its commercial and residential prices, in the language), plus
one grey category for the rows without a grade (outside the grading extent, or not located);
points get a dot, lines a line, areas a fill. The answer columns carry their Chinese headers as
QGIS aliases (:func:`landgrade.engine.answer.answer_headers`), so Identify and the attribute
table read ``级别``, ``商服用地·基准地价（元/平方米）`` while the field names stay the short codes.
The job (:func:`landgrade.jobs.assign.grade_file`) stores it through
:mod:`landgrade.io.qgis_styles`, as ``export`` stores its styles.
"""

from __future__ import annotations

from typing import Any

from landgrade.errors import LandgradeError
from landgrade.gazette.labels import county_name, word
from landgrade.io.qgis_styles import LayerStyle, with_aliases
from landgrade.outputs.export import categorized_qml, grade_legend_label
from landgrade.outputs.map_style import grade_colors, price_legend

# The style template per geometry type (GeoPackage names); a mixed layer gets aliases only.
_TEMPLATES = {
    "POINT": "graded_points.qml", "MULTIPOINT": "graded_points.qml",
    "LINESTRING": "graded_lines.qml", "MULTILINESTRING": "graded_lines.qml",
    "POLYGON": "grades.qml", "MULTIPOLYGON": "grades.qml",
}
UNGRADED_COLOR = "#bdbdbd"
# Only the fields part of a style: QGIS then keeps its own symbology for a mixed layer.
_FIELDS_ONLY = ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                '<qgis version="3.28.0" styleCategories="Fields"></qgis>')


def graded_layer_style(engine: Any, layer: str, geometry_type: str | None, columns: list[str],
                       lang: str, source: str) -> LayerStyle:
    """The style of the graded ``layer`` (see the module docstring); ``columns`` are the
    layer's fields, ``source`` the input file's name (for the layer's description)."""
    from landgrade.engine.answer import answer_headers

    grades = engine.grade_map.grades["grade"]
    colors = grade_colors(grades)
    prices = None
    book = engine.pricebook
    if book is not None:
        try:
            prices = price_legend(book.folder.root, grades, lang=lang)
        except LandgradeError:  # a map on other grades than the tables: grades only
            prices = None
    template = _TEMPLATES.get(str(geometry_type or "").upper())
    if template is None:
        qml = _FIELDS_ONLY
    else:
        labels = {g: grade_legend_label(g, prices, lang) for g in colors}
        qml = categorized_qml(template, colors, labels,
                              other=(UNGRADED_COLOR, word("outside_grades", lang)))
    aliases = answer_headers(engine, columns, "zh") if lang == "zh" else {}
    meta = getattr(book, "metadata", None) or engine.grade_map.metadata
    text = word("layer_desc_graded", lang, source=source)
    county = county_name(meta, lang)
    if county:
        text = word("layer_county", lang, county=county, text=text)
    return LayerStyle(layer, with_aliases(qml, aliases), title=None, description=text)
