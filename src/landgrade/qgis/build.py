"""Build a grade map (``landgrade:build``): a county folder and road, water and landmark layers →
the styled grade map GeoPackage, through :func:`landgrade.cli.build.build_command`; its grades,
routes and build report are added to the project, the report as a table layer."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from landgrade.gazette.labels import word
from landgrade.qgis.algorithm import LandgradeAlgorithm, county_parameter, say
from landgrade.qgis.layers import gpkg_output, optional_layer_file

# The network layers: parameter, word, geometry types.
NETWORK_LAYERS = (
    ("ROADS", "qgis_p_roads", [QgsProcessing.TypeVectorLine]),
    ("WATER", "qgis_p_water", [QgsProcessing.TypeVectorLine, QgsProcessing.TypeVectorPolygon]),
    ("LANDMARKS", "qgis_p_landmarks", [QgsProcessing.TypeVectorAnyGeometry]),
    ("EXTENT", "qgis_p_extent", [QgsProcessing.TypeVectorPolygon]),
    ("ADMIN", "qgis_p_admin", [QgsProcessing.TypeVectorPolygon]),
)
# The grade map's layers added to the project: output, table, the word naming it.
ADDED_LAYERS = (("GRADES", "grades", "qgis_p_output_map"), ("ROUTES", "routes", "layer_routes"),
                ("REPORT", "report", "layer_report"))


def split_pairs(value: str) -> list[str]:
    """``a=b;c=d`` (or one per line) as ``["a=b", "c=d"]``: how a repeatable option is typed in
    one Processing text box."""
    return [p.strip() for p in value.replace("\n", ";").replace("；", ";").split(";")
            if p.strip()]


class BuildAlgorithm(LandgradeAlgorithm):
    """Build a grade map: ``landgrade build`` on layers open in QGIS."""

    key = "build"
    group_key = "qgis_group_map"

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(county_parameter())
        self.addParameter(QgsProcessingParameterFile(
            "RULES", say("qgis_p_rules"), extension="txt", optional=True))
        for name, key, types in NETWORK_LAYERS:
            self.addParameter(QgsProcessingParameterVectorLayer(
                name, say(key), types=types, optional=True))
        self.addParameter(QgsProcessingParameterString(
            "ADMIN_FIELD", say("qgis_p_admin_field"), optional=True))
        self.addParameter(QgsProcessingParameterFile(
            "ROUTES", say("qgis_p_routes"), extension="csv", optional=True))
        self.addParameter(QgsProcessingParameterFile(
            "DECISIONS", say("qgis_p_decisions"), extension="csv", optional=True))
        self.addParameter(QgsProcessingParameterString(
            "NAME_FIELD", say("qgis_p_name_field"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "SNAP", say("qgis_p_snap"), type=QgsProcessingParameterNumber.Double,
            minValue=0.0, defaultValue=2.0))
        self.addParameter(QgsProcessingParameterBoolean(
            "STRICT", say("qgis_p_strict"), defaultValue=False))
        self.add_lang()
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", say("qgis_p_output_map"), "GeoPackage (*.gpkg)"))
        for name, _, key in ADDED_LAYERS:
            self.addOutput(QgsProcessingOutputVectorLayer(name, say(key)))

    def run_command(self, parameters: dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> dict[str, Any]:
        from pathlib import Path

        from landgrade.build.builder import BuildInputs
        from landgrade.cli.build import build_command
        from landgrade.network.fields import parse_name_fields

        lang = self.lang_of(parameters, context)
        said = self.words_lang(lang)
        output = gpkg_output(self, parameters, context, said)

        def file(name: str) -> Path | None:
            value = self.parameterAsFile(parameters, name, context)
            return Path(value) if value else None

        layers = {name: optional_layer_file(self, parameters, name, context, feedback, said)
                  for name, _, _ in NETWORK_LAYERS}
        inputs = BuildInputs(
            county=self.parameterAsFile(parameters, "COUNTY", context) or None,
            rules=file("RULES"), roads=layers["ROADS"], water=layers["WATER"],
            landmarks=layers["LANDMARKS"], extent=layers["EXTENT"], routes=file("ROUTES"),
            decisions=file("DECISIONS"),
            name_field=parse_name_fields(split_pairs(
                self.parameterAsString(parameters, "NAME_FIELD", context))) or None,
            snap_m=self.parameterAsDouble(parameters, "SNAP", context),
            strict=self.parameterAsBool(parameters, "STRICT", context),
            admin=layers["ADMIN"],
            admin_field=self.parameterAsString(parameters, "ADMIN_FIELD", context) or None)
        build_command(output, inputs, quiet=True, lang=lang)
        results: dict[str, Any] = {"OUTPUT": str(output)}
        for name, table, key in ADDED_LAYERS:
            uri = f"{output}|layername={table}"
            results[name] = uri
            context.addLayerToLoadOnCompletion(uri, context.LayerDetails(
                word(key, said), context.project(), name))
        return results
