"""Value parcels (``landgrade:value``): every feature valued by the coefficient method
(基准地价系数修正法) into a layer, through :func:`landgrade.jobs.value.value_file_command`, and
optionally each one's 宗地地价测算表 as a PDF, through
:func:`landgrade.cli.valuation_report.valuation_report_command`."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from landgrade.gazette.labels import word
from landgrade.io.atomic import output_parts
from landgrade.jobs.read_options import ReadOptions
from landgrade.qgis.algorithm import LandgradeAlgorithm, say
from landgrade.qgis.assign import chunk_rows, coordinates_parameter
from landgrade.qgis.build import split_pairs
from landgrade.qgis.layers import input_layer, output_file, warn_numeric_use_field

# The parcel's conditions: each a value for every feature and a field for each feature's own.
# (option, value parameter kind, value word, field word)
CONDITIONS = (
    ("use", "text", "qgis_p_use", "qgis_p_use_field"),
    ("term", "number", "qgis_p_term", "qgis_p_term_field"),
    ("plot_ratio", "number", "qgis_p_plot_ratio", "qgis_p_plot_ratio_field"),
    ("date", "text", "qgis_p_date", "qgis_p_date_field"),
    ("development", "text", "qgis_p_development", "qgis_p_development_field"),
    ("area", "number", "qgis_p_area", "qgis_p_area_field"),
)


class ValueAlgorithm(LandgradeAlgorithm):
    """Value parcels: ``landgrade value FILE -o OUT`` (and ``report --valuation``) on a layer."""

    key = "value"
    group_key = "qgis_group_value"

    def initAlgorithm(self, config: Any = None) -> None:
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", say("qgis_p_input"),
            types=[QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon]))
        self.addParameter(coordinates_parameter())
        for option, kind, value_word, field_word in CONDITIONS:
            name = option.upper()
            if kind == "number":
                self.addParameter(QgsProcessingParameterNumber(
                    name, say(value_word), type=QgsProcessingParameterNumber.Double,
                    minValue=0.0, optional=True))
            else:
                self.addParameter(QgsProcessingParameterString(
                    name, say(value_word), optional=True))
            self.addParameter(QgsProcessingParameterField(
                f"{name}_FIELD", say(field_word), parentLayerParameterName="INPUT",
                optional=True))
        self.addParameter(QgsProcessingParameterString(
            "FACTORS", say("qgis_p_factors"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            "FACTOR_FIELDS", say("qgis_p_factor_fields"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            "ALLOW_EXPIRED", say("qgis_p_allow_expired"), defaultValue=False))
        self.add_map_and_county()
        self.add_lang()
        self.addParameter(QgsProcessingParameterVectorDestination(
            "OUTPUT", say("qgis_p_output_valued")))
        self.addParameter(QgsProcessingParameterFileDestination(
            "SHEETS", say("qgis_p_sheets"), "PDF (*.pdf);;Excel (*.xlsx)", optional=True,
            createByDefault=False))

    def run_command(self, parameters: dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> dict[str, Any]:
        from landgrade.jobs.value import value_file_command
        from landgrade.valuation.parcels import ValuationOptions

        lang = self.lang_of(parameters, context)
        said = self.words_lang(lang)
        output = output_file(self.parameterAsOutputLayer(parameters, "OUTPUT", context), said)
        sheets_value = self.parameterAsFileOutput(parameters, "SHEETS", context)
        sheets = output_file(sheets_value, said) if sheets_value else None
        if sheets is not None and sheets.suffix.lower() not in (".pdf", ".xlsx"):
            raise QgsProcessingException(word("qgis_sheets_suffix", said, path=sheets))
        source = input_layer(self, parameters, context, feedback, said)
        warn_numeric_use_field(self, parameters, self.parameterAsString(
            parameters, "USE_FIELD", context), context, feedback, said)
        map_path, county = self.map_and_county(parameters, context)
        values = self._conditions(parameters, context)
        options = ValuationOptions.from_cli(
            factor=self._pairs(parameters, context, "FACTORS", said),
            factor_field=self._pairs(parameters, context, "FACTOR_FIELDS", said),
            allow_expired=self.parameterAsBool(parameters, "ALLOW_EXPIRED", context),
            **values)
        feedback.pushInfo(say("qgis_loading"))
        new_layer = not any(p.exists() for p in output_parts(output))
        value_file_command(source.path, output, options, crs=source.crs, map_path=map_path,
                           county=county, read=ReadOptions(layer=source.layer),
                           chunk_size=chunk_rows(source.features), progress=False, lang=lang)
        results: dict[str, Any] = {"OUTPUT": str(output)}
        if sheets is not None:
            from landgrade.cli.valuation_report import valuation_report_command

            try:
                valuation_report_command(str(source.path), None, sheets, options,
                                         crs=source.crs, map_path=map_path, county=county,
                                         lang=lang, layer=source.layer)
            except BaseException:
                # Cancelled or refused while writing the sheets: the layer this run wrote goes
                # too, so a failed run leaves no output (a layer it replaced cannot come back,
                # and stays, as written).
                if new_layer:
                    for part in output_parts(output):
                        part.unlink(missing_ok=True)
                raise
            feedback.pushInfo(word("qgis_sheets_written", said, path=sheets))
            results["SHEETS"] = str(sheets)
        return results

    def _conditions(self, parameters: dict[str, Any], context: QgsProcessingContext
                    ) -> dict[str, Any]:
        """Each condition's value for every feature and its field, None where not given."""
        out: dict[str, Any] = {}
        for option, kind, _, _ in CONDITIONS:
            name = option.upper()
            given = parameters.get(name)
            if given in (None, ""):
                out[option] = None
            elif kind == "number":
                out[option] = self.parameterAsDouble(parameters, name, context)
            else:
                out[option] = self.parameterAsString(parameters, name, context) or None
            out[f"{option}_field"] = self.parameterAsString(
                parameters, f"{name}_FIELD", context) or None
        return out

    def _pairs(self, parameters: dict[str, Any], context: QgsProcessingContext, name: str,
               lang: str) -> list[str]:
        pairs = split_pairs(self.parameterAsString(parameters, name, context))
        for item in pairs:
            if "=" not in item:
                raise QgsProcessingException(word(
                    "qgis_bad_pairs", lang, what=self.parameterDefinition(name).description(),
                    item=item))
        return pairs
