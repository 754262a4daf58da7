"""QGIS layers handed to landgrade as the files its commands read, and where outputs go.

A layer whose source landgrade reads as it is (a shapefile, a GeoPackage layer, GeoJSON) is
read from that file, so a GBK shapefile is decoded by landgrade's own rules (its .cpg, else
UTF-8 or GBK) and values come back exactly as in the file. Any other layer (a memory layer, a
delimited-text or database layer, a selection, a filtered layer) is first written by QGIS to a
GeoPackage in the Processing temporary folder. The coordinate system is always the one QGIS
knows for the layer, which is the file's own unless the analyst set another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMapLayer,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProcessingUtils,
)

from landgrade.gazette.labels import word

# What landgrade reads directly; anything else QGIS writes to a GeoPackage first.
READ_AS_IS = ["gpkg", "shp", "geojson", "json"]
# The build reads a file's one layer: a layer of a GeoPackage is written to one of its own.
ONE_LAYER = ["shp", "geojson", "json"]
# The COORDINATES choices: as QGIS says, or longitude/latitude of a Chinese web map.
WEB_MAP_CRS = (None, "gcj02", "bd09")


def layer_file(alg: QgsProcessingAlgorithm, parameters: dict[str, Any], name: str,
               context: QgsProcessingContext, feedback: QgsProcessingFeedback,
               lang: str, formats: list[str] | None = None) -> tuple[Path, str | None]:
    """The file landgrade reads for the layer parameter ``name``, and its layer within a
    GeoPackage (None for a one-layer format). ``formats``: those read as they are (default
    :data:`READ_AS_IS`)."""
    path, layer = alg.parameterAsCompatibleSourceLayerPathAndLayerName(
        parameters, name, context, formats or READ_AS_IS, "gpkg", feedback)
    if not path:
        return Path(), None
    file = Path(path.split("|", 1)[0])
    source = alg.parameterAsVectorLayer(parameters, name, context)
    shown = source.name() if source is not None else name
    feedback.pushInfo(word("qgis_input_as", lang, layer=shown, path=file))
    return file, (layer or None) if file.suffix.lower() == ".gpkg" else None


def optional_layer_file(alg: QgsProcessingAlgorithm, parameters: dict[str, Any], name: str,
                        context: QgsProcessingContext, feedback: QgsProcessingFeedback,
                        lang: str) -> Path | None:
    """:func:`layer_file` for an optional layer parameter: None when none is given."""
    if parameters.get(name) in (None, ""):
        return None
    osm = _osm_file(alg, parameters, name, context)
    if osm is not None:
        feedback.pushInfo(word("qgis_input_as", lang, layer=_shown(alg, parameters, name, context),
                               path=osm))
        return osm
    file, _ = layer_file(alg, parameters, name, context, feedback, lang, ONE_LAYER)
    return file if str(file) not in ("", ".") else None


def _osm_file(alg: QgsProcessingAlgorithm, parameters: dict[str, Any], name: str,
              context: QgsProcessingContext) -> Path | None:
    """The OpenStreetMap file (.osm, .osm.pbf) a layer of QGIS's OSM reader comes from, if it
    does. landgrade reads the file itself, taking the roads (``highway=*``) or the water of it;
    QGIS's ``lines`` layer would hand on every line, rivers and power lines with the roads."""
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    if layer is None or layer.providerType() != "ogr":
        return None
    path = Path(layer.source().split("|", 1)[0])
    if path.suffix.lower() in (".osm", ".pbf") and path.is_file():
        return path
    return None


def layer_crs(alg: QgsProcessingAlgorithm, parameters: dict[str, Any], name: str,
              context: QgsProcessingContext, coordinates: int, lang: str) -> str:
    """What the layer's coordinates are, as landgrade's ``--crs`` takes it: QGIS's CRS of the
    layer (its EPSG code, else its WKT), or ``gcj02``/``bd09`` for web-map longitude/latitude
    (which must then be a geographic layer)."""
    source = alg.parameterAsSource(parameters, name, context)
    shown = _shown(alg, parameters, name, context)
    crs = source.sourceCrs() if source is not None else QgsCoordinateReferenceSystem()
    if not crs.isValid():
        raise QgsProcessingException(word("qgis_no_crs", lang, layer=shown))
    web = WEB_MAP_CRS[coordinates]
    if web is not None:
        if not crs.isGeographic():
            raise QgsProcessingException(word(
                "qgis_not_geographic", lang, layer=shown, coords=web.upper(),
                crs=crs.authid() or crs.description()))
        return web
    return crs_spec(crs)


def crs_spec(crs: QgsCoordinateReferenceSystem) -> str:
    """A QGIS CRS as landgrade's ``--crs`` takes it: its authority code, else its WKT."""
    if crs.authid():
        return crs.authid()
    return crs.toWkt(QgsCoordinateReferenceSystem.WKT2_2019)


@dataclass(frozen=True)
class InputLayer:
    """The INPUT layer as a command reads it: the file, its layer within a GeoPackage, what
    its coordinates are (``--crs``), how many features it has, and its name in QGIS (a copy
    QGIS wrote first is named INPUT.gpkg; the analyst knows the layer by this name)."""

    path: Path
    layer: str | None
    crs: str
    features: int
    name: str


def input_layer(alg: QgsProcessingAlgorithm, parameters: dict[str, Any],
                context: QgsProcessingContext, feedback: QgsProcessingFeedback,
                lang: str) -> InputLayer:
    """The INPUT parameter, read with the COORDINATES choice (:func:`layer_crs`)."""
    crs = layer_crs(alg, parameters, "INPUT", context,
                    alg.parameterAsEnum(parameters, "COORDINATES", context), lang)
    path, layer = layer_file(alg, parameters, "INPUT", context, feedback, lang)
    source = alg.parameterAsSource(parameters, "INPUT", context)
    return InputLayer(path, layer, crs, source.featureCount() if source is not None else 0,
                      _shown(alg, parameters, "INPUT", context))


def warn_numeric_use_field(alg: QgsProcessingAlgorithm, parameters: dict[str, Any],
                           field: str | None, context: QgsProcessingContext,
                           feedback: QgsProcessingFeedback, lang: str) -> None:
    """Say so when the land-use field is a number in QGIS: a class code that begins with 0
    (05 商服用地, 0701) then reaches landgrade without it. 0701 read as 701 is restored; a
    first-level 05 read as 5 cannot be, and its rows are flagged ``unknown_use`` — refused,
    never priced as something else; the warning says how to keep the codes as text."""
    source = alg.parameterAsSource(parameters, "INPUT", context)
    if not field or source is None:
        return
    index = source.fields().lookupField(field)
    if index >= 0 and source.fields().at(index).isNumeric():
        feedback.pushWarning(word("warning_line", lang, text=word(
            "qgis_numeric_use_field", lang, layer=_shown(alg, parameters, "INPUT", context),
            field=field)))


def gpkg_output(alg: QgsProcessingAlgorithm, parameters: dict[str, Any],
                context: QgsProcessingContext, lang: str) -> Path:
    """The OUTPUT file destination of a grade map: a GeoPackage."""
    output = output_file(alg.parameterAsFileOutput(parameters, "OUTPUT", context), lang)
    if output.suffix.lower() != ".gpkg":
        raise QgsProcessingException(word("qgis_gpkg_only", lang, path=output))
    return output


def output_file(value: str, lang: str) -> Path:
    """An output path from a destination parameter. A memory layer becomes a GeoPackage in
    the Processing temporary folder, as a temporary output is. A table inside an existing
    GeoPackage (``ogr:dbname=… table=…``) is refused: landgrade replaces a file whole,
    atomically, and would take the GeoPackage's other layers with it; so is a database."""
    if value.startswith("memory:"):
        return Path(QgsProcessingUtils.generateTempFilename("OUTPUT.gpkg"))
    if value.startswith("ogr:"):
        raise QgsProcessingException(word("qgis_gpkg_table", lang, target=value))
    if value.startswith(("postgres:", "spatialite:", "oracle:", "mssql:")):
        raise QgsProcessingException(word("qgis_database_output", lang, target=value))
    return Path(value)


def _shown(alg: QgsProcessingAlgorithm, parameters: dict[str, Any], name: str,
           context: QgsProcessingContext) -> str:
    """The layer's name as the analyst sees it, also for a source given with options
    (selected features only, a feature limit), which is no layer itself."""
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    if layer is None:
        value = parameters.get(name)
        if isinstance(value, QgsProcessingFeatureSourceDefinition):
            value = value.source.staticValue()
        if isinstance(value, QgsMapLayer):
            layer = value
        elif isinstance(value, str) and value:
            layer = QgsProcessingUtils.mapLayerFromString(value, context)
    return layer.name() if layer is not None else name
