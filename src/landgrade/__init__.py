"""landgrade: grade zones and benchmark land prices (城镇基准地价) from a county gazette.

The pipeline, one module per stage::

    county folder (gazette tables, Table 5 text)  pricebook, parse -> rules
    road network layers                           network, junctions
    build                                         build -> grade_map
    engine                                        locate / assign
    cli                                           the `landgrade` command
"""

from landgrade._version import __version__
from landgrade.errors import LandgradeError

__all__ = ["LandgradeError", "__version__"]
