"""Parcel report (``landgrade:parcelreport``): a 基准地价查询单 (PDF) per feature into a
folder, through :func:`landgrade.cli.report.report_command`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
)

from landgrade.qgis.algorithm import LandgradeAlgorithm, say
from landgrade.qgis.assign import (
    add_town_parameters,
    add_use_parameters,
    coordinates_parameter,
    pricing_of,
)
from landgrade.qgis.layers import input_layer, output_file, warn_numeric_use_field


class ParcelReportAlgorithm(LandgradeAlgorithm):
    """Parcel report: ``landgrade report FILE -o FOLDER`` on a layer."""

    key = "parcelreport"
    words = "report"

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", say("qgis_p_input"),
            types=[QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon]))
        self.addParameter(coordinates_parameter())
        self.addParameter(QgsProcessingParameterField(
            "ID_FIELD", say("qgis_p_id_field"), parentLayerParameterName="INPUT",
            optional=True))
        add_use_parameters(self)
        add_town_parameters(self)
        self.add_map_and_county()
        self.add_lang()
        self.addParameter(QgsProcessingParameterBoolean(
            "OVERWRITE", say("qgis_p_overwrite"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFolderDestination(
            "OUTPUT", say("qgis_p_output_folder")))
        self.addOutput(QgsProcessingOutputMultipleLayers("FILES", "PDF"))

    def run_command(self, parameters: dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> dict[str, Any]:
        from landgrade.cli.report import report_command

        lang = self.lang_of(parameters, context)
        said = self.words_lang(lang)
        folder = output_file(self.parameterAsFileOutput(parameters, "OUTPUT", context), said)
        source = input_layer(self, parameters, context, feedback, said)
        warn_numeric_use_field(self, parameters, self.parameterAsString(
            parameters, "USE_FIELD", context), context, feedback, said)
        map_path, county = self.map_and_county(parameters, context)
        feedback.pushInfo(say("qgis_loading"))
        written = report_command(
            str(source.path), None, Path(folder), crs=source.crs,
            id_field=self.parameterAsString(parameters, "ID_FIELD", context) or None,
            pricing=pricing_of(self, parameters, context, feedback, lang),
            map_path=map_path, county=county, layer=source.layer,
            overwrite=self.parameterAsBool(parameters, "OVERWRITE", context))
        return {"OUTPUT": str(folder), "FILES": [str(p) for p in written]}
