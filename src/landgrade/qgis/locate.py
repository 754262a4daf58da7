"""Locate a point (``landgrade:locate``): a click on the map canvas → the answer as an HTML
report in the Processing results viewer, through :func:`landgrade.cli.locate.answer_point`.

The grade, status and prices are also outputs of their own, for the graphical modeller."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterPoint,
    QgsProcessingParameterString,
)

from landgrade.engine.answer import answer_lang
from landgrade.engine.pricing import PricingOptions
from landgrade.qgis.algorithm import LandgradeAlgorithm, say
from landgrade.qgis.assign import USE_STANDARDS, coordinates_parameter
from landgrade.qgis.layers import WEB_MAP_CRS, crs_spec


class LocateAlgorithm(LandgradeAlgorithm):
    """Locate a point: ``landgrade locate`` for a point on the canvas."""

    key = "locate"

    def initAlgorithm(self, config: Any = None) -> None:
        from qgis.core import QgsProcessingParameterEnum

        self.addParameter(QgsProcessingParameterPoint("POINT", say("qgis_p_point")))
        self.addParameter(coordinates_parameter("qgis_coords_point"))
        self.addParameter(QgsProcessingParameterString("USE", say("qgis_p_use"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            "USE_STANDARD", say("qgis_p_use_standard"),
            options=[say(f"qgis_standard_{s or 'county'}") for s in USE_STANDARDS],
            defaultValue=0))
        self.add_map_and_county()
        self.add_lang()
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", say("qgis_p_output_html"), "HTML (*.html)"))
        self.addOutput(QgsProcessingOutputNumber("GRADE", say("grade")))
        self.addOutput(QgsProcessingOutputString("STATUS", say("status")))
        self.addOutput(QgsProcessingOutputString("ANSWER", "JSON"))

    def run_command(self, parameters: dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> dict[str, Any]:
        from landgrade.cli.locate import answer_point
        from landgrade.io.atomic import atomic_output
        from landgrade.outputs.answer_html import answer_page

        lang = self.lang_of(parameters, context)
        point_crs = self.parameterAsPointCrs(parameters, "POINT", context)
        point = self.parameterAsPoint(parameters, "POINT", context, point_crs)
        web = WEB_MAP_CRS[self.parameterAsEnum(parameters, "COORDINATES", context)]
        crs = web or (crs_spec(point_crs) if point_crs.isValid() else "EPSG:4326")
        map_path, county = self.map_and_county(parameters, context)
        use = self.parameterAsString(parameters, "USE", context) or None
        standard = USE_STANDARDS[self.parameterAsEnum(parameters, "USE_STANDARD", context)]
        feedback.pushInfo(say("qgis_loading"))
        engine, record = answer_point(
            point.x(), point.y(), crs=crs, map_path=map_path, county=county,
            pricing=PricingOptions(lang=lang, use_standard=standard if use else None), use=use)
        shown = answer_lang(engine, lang)
        output = Path(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(output) as tmp:
            tmp.write_text(answer_page(engine, record, point.x(), point.y(), crs, shown),
                           encoding="utf-8")
        grade = record.get("grade")
        return {"OUTPUT": str(output), "GRADE": grade if grade is not None else None,
                "STATUS": record.get("status"),
                "ANSWER": json.dumps(record, ensure_ascii=False)}
