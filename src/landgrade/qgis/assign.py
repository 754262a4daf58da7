"""Assign grades and prices (``landgrade:assign``): a point or parcel layer → the same features
with the answer's fields, through :func:`landgrade.jobs.assign.assign_command`."""

from __future__ import annotations

from functools import partial
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
    QgsProcessingParameterVectorLayer,
)

from landgrade.engine.pricing import PricingOptions
from landgrade.jobs.read_options import ReadOptions
from landgrade.qgis.algorithm import LandgradeAlgorithm, say
from landgrade.qgis.layers import (
    input_layer,
    optional_layer_file,
    output_file,
    warn_numeric_use_field,
)

# USE_STANDARD choices: the county's, then the two national classifications.
USE_STANDARDS = (None, "tdly2017", "ydyh2023")
# Rows per chunk: small enough that the bar moves and cancel is heard every few seconds.
MIN_CHUNK, MAX_CHUNK, STEPS = 1000, 200_000, 10


def add_use_parameters(alg: LandgradeAlgorithm, parent: str = "INPUT") -> None:
    """The land-use field and the standard its codes are in."""
    alg.addParameter(QgsProcessingParameterField(
        "USE_FIELD", say("qgis_p_use_field"), parentLayerParameterName=parent, optional=True))
    alg.addParameter(QgsProcessingParameterEnum(
        "USE_STANDARD", say("qgis_p_use_standard"),
        options=[say(f"qgis_standard_{s or 'county'}") for s in USE_STANDARDS], defaultValue=0))


def add_town_parameters(alg: LandgradeAlgorithm, parent: str = "INPUT") -> None:
    """Table 8's options: a town (and grade) for every feature, or fields, or a township layer."""
    alg.addParameter(QgsProcessingParameterString("TOWN", say("qgis_p_town"), optional=True))
    alg.addParameter(QgsProcessingParameterNumber(
        "TOWN_GRADE", say("qgis_p_town_grade"), minValue=1, optional=True))
    alg.addParameter(QgsProcessingParameterField(
        "TOWN_FIELD", say("qgis_p_town_field"), parentLayerParameterName=parent, optional=True))
    alg.addParameter(QgsProcessingParameterField(
        "TOWN_GRADE_FIELD", say("qgis_p_town_grade_field"), parentLayerParameterName=parent,
        optional=True))
    alg.addParameter(QgsProcessingParameterVectorLayer(
        "TOWNS", say("qgis_p_towns"), types=[QgsProcessing.TypeVectorPolygon], optional=True))


def pricing_of(alg: LandgradeAlgorithm, parameters: dict[str, Any],
               context: QgsProcessingContext, feedback: QgsProcessingFeedback,
               lang: str | None) -> PricingOptions:
    """How the rows are priced: the use, town and language parameters as one value."""
    def text(name: str) -> str | None:
        return alg.parameterAsString(parameters, name, context) or None

    grade = parameters.get("TOWN_GRADE")
    towns = optional_layer_file(alg, parameters, "TOWNS", context, feedback,
                                alg.words_lang(lang))
    return PricingOptions.from_options(
        town=text("TOWN"),
        town_grade=alg.parameterAsInt(parameters, "TOWN_GRADE", context)
        if grade not in (None, "") else None,
        towns_file=towns, town_field=text("TOWN_FIELD"),
        town_grade_field=text("TOWN_GRADE_FIELD"), use_field=text("USE_FIELD"),
        use_standard=USE_STANDARDS[alg.parameterAsEnum(parameters, "USE_STANDARD", context)],
        lang=lang)


def coordinates_parameter(key: str = "qgis_coords_layer") -> QgsProcessingParameterEnum:
    """How to read the coordinates: as QGIS says, or a Chinese web map's lon/lat."""
    return QgsProcessingParameterEnum(
        "COORDINATES", say("qgis_p_coordinates"),
        options=[say(key), say("qgis_coords_gcj02"), say("qgis_coords_bd09")], defaultValue=0)


def named_style(name: str, engine: Any, layer: str, geometry_type: str | None,
                columns: list[str], lang: str, source: str) -> Any:
    """The graded layer's style, its description naming the QGIS layer graded (``source``
    may be a copy QGIS wrote first)."""
    from landgrade.outputs.graded_style import graded_layer_style

    return graded_layer_style(engine, layer, geometry_type, columns, lang, name or source)


def chunk_rows(features: int) -> int:
    """Rows per chunk for a layer of ``features``: about :data:`STEPS` steps."""
    return max(MIN_CHUNK, min(MAX_CHUNK, -(-max(features, 1) // STEPS)))


class AssignAlgorithm(LandgradeAlgorithm):
    """Assign grades and prices: what ``landgrade assign`` writes, as a layer."""

    key = "assign"

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", say("qgis_p_input"),
            types=[QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon]))
        self.addParameter(coordinates_parameter())
        add_use_parameters(self)
        add_town_parameters(self)
        self.add_map_and_county()
        self.add_lang()
        self.addParameter(QgsProcessingParameterVectorDestination(
            "OUTPUT", say("qgis_p_output_graded")))

    def run_command(self, parameters: dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> dict[str, Any]:
        from landgrade.jobs.assign import assign_command

        lang = self.lang_of(parameters, context)
        said = self.words_lang(lang)
        output = output_file(self.parameterAsOutputLayer(parameters, "OUTPUT", context), said)
        source = input_layer(self, parameters, context, feedback, said)
        warn_numeric_use_field(self, parameters, self.parameterAsString(
            parameters, "USE_FIELD", context), context, feedback, said)
        map_path, county = self.map_and_county(parameters, context)
        feedback.pushInfo(say("qgis_loading"))
        assign_command(
            source.path, output, crs=source.crs, map_path=map_path, county=county,
            read=ReadOptions(layer=source.layer),
            pricing=pricing_of(self, parameters, context, feedback, lang),
            chunk_size=chunk_rows(source.features), progress=False,
            style=partial(named_style, source.name))
        if context.willLoadLayerOnCompletion(str(output)):
            context.layerToLoadOnCompletionDetails(str(output)).name = say(
                "qgis_p_output_graded")
        return {"OUTPUT": str(output)}
