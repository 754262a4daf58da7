"""QGIS styles stored in a GeoPackage, and field aliases in a QGIS style.

A GeoPackage carries a layer's default QGIS style in a ``layer_styles`` table, the convention by
which QGIS itself saves a style "in the database": QGIS applies the row marked ``useAsDefault``
when the layer is opened. A style (QML) names the fields' aliases — the names QGIS shows for
``grade``, ``p_comm``, … — in an ``<aliases>`` element. This module holds that format-level part
only; what a style looks like (colours, labels, words) is the caller's. Every GeoPackage that
landgrade styles (``export``, ``build``, ``assign -o FILE.gpkg``) goes through here, on the
temporary file, before it is moved into place.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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


@dataclass(frozen=True)
class LayerStyle:
    """One layer's entry: its QML (None: no style, only the names), the name QGIS shows for it
    (``gpkg_contents.identifier``) and what it holds (``description``)."""

    layer: str
    qml: str | None
    title: str | None = None
    description: str | None = None


def with_aliases(qml: str, aliases: Mapping[str, str] | None) -> str:
    """The QML with an ``<aliases>`` element (QGIS reads aliases by field name)."""
    if not aliases:
        return qml
    head, _, body = qml.partition("<qgis ")
    root = ET.fromstring("<qgis " + body)
    root.set("styleCategories", root.get("styleCategories", "Symbology") + "|Fields")
    element = ET.SubElement(root, "aliases")
    for name, alias in aliases.items():
        ET.SubElement(element, "alias", {"field": name, "name": alias})
    return head + ET.tostring(root, encoding="unicode")


def store_styles(path: str | Path, styles: Sequence[LayerStyle],
                 styles_title: str = "QGIS layer styles") -> None:
    """Write ``styles`` into the GeoPackage at ``path``: each layer's name and description in
    ``gpkg_contents`` and its QML as the default style in ``layer_styles`` (created, and
    registered as an attributes table titled ``styles_title``, when missing). A layer the file
    does not hold is skipped; so is a style for a table without geometry, which QGIS does not
    apply."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    with sqlite3.connect(path) as db:
        written = {row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")}
        geometry_columns = dict(
            db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
        for s in styles:
            if s.layer not in written:
                continue
            if s.description is not None:
                db.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                           (s.description, s.layer))
            if s.title is not None:
                db.execute("UPDATE gpkg_contents SET identifier = ? WHERE table_name = ?",
                           (s.title, s.layer))
        db.execute(_LAYER_STYLES_DDL)
        if "layer_styles" not in written:
            db.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', ?, ?)",
                (styles_title, now),
            )
        rows = [
            ("", "", s.layer, geometry_columns[s.layer], s.title or s.layer, s.qml, "", 1,
             s.description or "", "", None, now)
            for s in styles
            if s.qml is not None and s.layer in geometry_columns
        ]
        db.executemany(
            "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?",
            [(r[2],) for r in rows],
        )
        db.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()


def geometry_type(path: str | Path, layer: str) -> str | None:
    """The geometry type a GeoPackage declares for ``layer`` (``POINT``, ``MULTIPOLYGON``,
    ``GEOMETRY`` for mixed …), or None when the layer has no geometry."""
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT geometry_type_name FROM gpkg_geometry_columns "
                         "WHERE table_name = ?", (layer,)).fetchone()
    db.close()
    return str(row[0]).upper() if row else None
