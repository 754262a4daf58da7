"""The Processing provider "landgrade": the algorithms the toolbox lists under it."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from landgrade._version import __version__
from landgrade.qgis.algorithm import say
from landgrade.qgis.assign import AssignAlgorithm
from landgrade.qgis.build import BuildAlgorithm
from landgrade.qgis.export import ExportAlgorithm
from landgrade.qgis.locate import LocateAlgorithm
from landgrade.qgis.report import ParcelReportAlgorithm
from landgrade.qgis.value import ValueAlgorithm

ALGORITHMS = (AssignAlgorithm, LocateAlgorithm, ParcelReportAlgorithm, ValueAlgorithm,
              BuildAlgorithm, ExportAlgorithm)
ICON = Path(__file__).with_name("icon.svg")


class LandgradeProvider(QgsProcessingProvider):
    """landgrade's algorithms; ids ``landgrade:assign``, ``landgrade:locate``, …"""

    def id(self) -> str:
        return "landgrade"

    def name(self) -> str:
        return say("qgis_provider")

    def longName(self) -> str:
        return f"{self.name()} {__version__}"

    def versionInfo(self) -> str:
        return __version__

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())

    def supportedOutputVectorLayerExtensions(self) -> list[str]:
        # What landgrade's writers write (io.formats); GeoPackage first: it keeps the style.
        return ["gpkg", "shp", "geojson", "csv", "xlsx"]
