"""Export the grade map (``landgrade:export``): the county's own or a built grade map as a
GeoPackage styled for QGIS, through :func:`landgrade.outputs.export.export_command`."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterFileDestination,
)

from landgrade.gazette.labels import word
from landgrade.qgis.algorithm import LandgradeAlgorithm, say
from landgrade.qgis.build import ADDED_LAYERS
from landgrade.qgis.layers import gpkg_output


class ExportAlgorithm(LandgradeAlgorithm):
    """Export the grade map: ``landgrade export -o FILE.gpkg``."""

    key = "export"
    group_key = "qgis_group_map"

    def initAlgorithm(self, config: Any = None) -> None:
        self.add_map_and_county()
        self.add_lang()
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", say("qgis_p_output_export"), "GeoPackage (*.gpkg)"))

    def run_command(self, parameters: dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> dict[str, Any]:
        from landgrade.outputs.export import export_command

        lang = self.lang_of(parameters, context)
        said = self.words_lang(lang)
        output = gpkg_output(self, parameters, context, said)
        map_path, county = self.map_and_county(parameters, context)
        feedback.pushInfo(say("qgis_loading"))
        export_command(output, map_path=map_path, county=county, lang=lang)
        for name, table, key in ADDED_LAYERS[:2]:  # a map handed on has no build report
            context.addLayerToLoadOnCompletion(f"{output}|layername={table}", context.LayerDetails(
                word(key, said), context.project(), name))
        return {"OUTPUT": str(output)}
