"""County folders: where a county's gazette data, network layers and decisions live.

A county folder (``geo/<county>/``) holds everything landgrade knows about one county, as open
formats, and nothing about a county lives in code. The file names are fixed so that another
county's gazette is a new folder, not new code:

================== ==========================================================================
file               content
================== ==========================================================================
metadata.json      gazette number and date, valuation date, units, working CRS, provenance;
                   ``use_standard`` and the use of the route table (``tables.routes.use``);
                   ``descriptions`` (one grade-zone file per use) and ``default_frontage_m``
                   (the depth of frontage a description gives none for), both optional
uses.csv           the land uses (用地类型): stable English ``use`` key, Chinese label
use_classes.csv    which gazette use prices each national land-use class, or ``ask`` (named
                   by ``use_classes``; see :mod:`landgrade.gazette.landuse`)
use_names.csv      the county's own land-use words (室内体育用地, 商住用地) (``use_names``)
connotation.csv    Tables 1–4: term years and plot ratio per area class, grade and use
urban_prices.csv   Table 6: urban benchmark price per grade and use (yuan/m²)
routes.csv         Table 7: road-line price segments (路线价)
town_prices.csv    Table 8: town prices per town class, use and grade
towns.csv          Table 8: which town is in which town class
table5.txt         Table 5 verbatim: the grade-zone description (or one file per use, named
                   in metadata.json ``descriptions``: see :meth:`CountyFolder.descriptions`)
outline.geojson    the county outline
roads.geojson      road centrelines (``name``, ``road_class``, ``road_id``)
water.geojson      rivers and ditches (``name``)
landmarks.geojson  landmarks named by the description (``name``)
extent.geojson     the grading extent (基准地价范围界线)
aliases.csv        ``alias,name``: other spellings of feature names
decisions.csv      analyst decisions for clauses the text leaves open
field_aliases.csv  ``layer,field,alias_zh``: the Chinese field names QGIS shows (optional);
                   ``{use}`` in a row stands for each use, by its uses.csv label
gazette.txt        the notice as published, Tables 1–8 (the tests check the tables against it)
samples/           sample inputs to try the commands on (optional; not real parcels)
================== ==========================================================================
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from landgrade.errors import LandgradeError

DEFAULT_COUNTY = "dongkou"


class CountyDataError(LandgradeError):
    """A county folder file is missing or wrong; the message names the file, row and fix."""


@dataclass(frozen=True)
class CountyFolder:
    """Paths to one county's files; see the module docstring for what each holds."""

    root: Path

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise CountyDataError(f"{self.root}: no such county folder")

    def path(self, name: str) -> Path:
        return self.root / name

    def require(self, name: str) -> Path:
        p = self.path(name)
        if not p.exists():
            raise CountyDataError(f"{p}: missing; every county folder needs {name}")
        return p

    def has(self, name: str) -> bool:
        return self.path(name).exists()

    @cached_property
    def metadata(self) -> dict[str, Any]:
        p = self.require("metadata.json")
        try:
            data = json.loads(p.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as e:
            raise CountyDataError(
                f"{p}: not UTF-8 (bad byte at offset {e.start}); save it as UTF-8"
            ) from None
        except json.JSONDecodeError as e:
            raise CountyDataError(f"{p}: not valid JSON ({e.msg} at line {e.lineno})") from None
        if not isinstance(data, dict):
            raise CountyDataError(
                f"{p}: the file must hold one JSON object ({{\"county\": …, \"units\": …}}), "
                "not a list or a bare value"
            )
        return data

    @property
    def name(self) -> str:
        return str(self.metadata.get("county", self.root.name))

    @property
    def schematic(self) -> bool:
        """True when the bundled network is a schematic reconstruction, not a survey."""
        network = self.metadata.get("network") or {}
        if not isinstance(network, dict):
            raise CountyDataError(
                f"{self.path('metadata.json')}: network must be an object such as "
                '{"schematic": true, "note": "…"}'
            )
        return bool(network.get("schematic", False))

    def descriptions(self) -> dict[str, Path]:
        """The grade-zone description of each use, from metadata.json ``descriptions``.

        A county that grades every use alike has one ``table5.txt``: ``{"all": table5.txt}``.
        A county that grades each use separately names one file per use, keyed by the ``use``
        of uses.csv, with ``all`` for the grading of every use that has no file of its own::

            "descriptions": {"commercial": "table5_commercial.txt",
                             "residential": "table5_residential.txt", "all": "table5.txt"}
        """
        meta = self.path("metadata.json")
        raw = self.metadata.get("descriptions") if self.has("metadata.json") else None
        if raw is None:
            return {ALL_USES: self.path("table5.txt")}
        example = '{"commercial": "table5_commercial.txt", "residential": "table5_residential.txt"}'
        if not isinstance(raw, dict) or not raw:
            raise CountyDataError(f"{meta}: descriptions must be an object naming one file per "
                                  f"use, such as {example}")
        known = self._use_keys()
        out: dict[str, Path] = {}
        for use, name in raw.items():
            if not isinstance(name, str) or not name:
                raise CountyDataError(f"{meta}: descriptions.{use} must be a file name, such as "
                                      f'"table5_{use}.txt"')
            if use != ALL_USES and known and use not in known:
                raise CountyDataError(f"{meta}: descriptions names use {use!r}, which uses.csv "
                                      f"does not list (uses: {', '.join(sorted(known))}; or "
                                      f"{ALL_USES!r} for every use without its own file)")
            path = self.path(name)
            if not path.is_file():
                raise CountyDataError(f"{path}: missing; metadata.json descriptions.{use} names "
                                      "it")
            out[str(use)] = path
        return out

    @property
    def default_frontage_m(self) -> float | None:
        """metadata.json ``default_frontage_m``: the depth of road frontage a description gives
        without a width (…等街道两侧地区); None when the county has not set one."""
        if not self.has("metadata.json"):
            return None
        value = self.metadata.get("default_frontage_m")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise CountyDataError(f"{self.path('metadata.json')}: default_frontage_m must be a "
                                  f"number of metres greater than 0, not {value!r}")
        return float(value)

    def _use_keys(self) -> set[str]:
        if not self.has("uses.csv"):
            return set()
        with self.path("uses.csv").open(encoding="utf-8-sig", newline="") as f:
            return {row["use"] for row in csv.DictReader(f) if row.get("use")}


ALL_USES = "all"


def geo_root() -> Path:
    """The ``geo/`` folder: inside the installed package, or at the top of a source checkout."""
    packaged = Path(str(resources.files("landgrade"))) / "geo"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "geo"


def county_folder(county: str | Path | None = None) -> CountyFolder:
    """A county folder by path, or by name under ``geo/`` (default: the bundled Dongkou)."""
    if county is None:
        county = DEFAULT_COUNTY
    p = Path(county)
    if p.is_dir():
        return CountyFolder(p)
    # Folders under geo/ that are not counties (landuse/: the national vocabularies) have no
    # metadata.json: never offered, never taken for one.
    candidate = geo_root() / str(county)
    if (candidate / "metadata.json").is_file():
        return CountyFolder(candidate)
    raise CountyDataError(
        f"{county}: no such county folder (give a path, or one of the bundled: "
        f"{', '.join(bundled_counties())})"
    )


def bundled_counties() -> list[str]:
    """The county folders under ``geo/``: those with a metadata.json."""
    root = geo_root()
    if not root.is_dir():
        return []
    return sorted(d.name for d in root.iterdir() if (d / "metadata.json").is_file())


def folder_reference(folder: CountyFolder) -> str:
    """How a grade map records its county folder: the bundled name, else the absolute path."""
    root = geo_root()
    try:
        if folder.root.resolve().parent == root.resolve():
            return folder.root.name
    except OSError:
        pass
    return str(folder.root.resolve())


def county_of_map(
    metadata: dict[str, Any], county: str | Path | None = None
) -> CountyFolder | None:
    """The county folder whose prices go with a grade map.

    ``county`` when given; else the folder the build recorded (``county_folder``); else a
    bundled folder whose county name matches the map's ``county``; else None (grades only).
    """
    if county is not None:
        return county_folder(county)
    recorded = metadata.get("county_folder")
    if recorded:
        try:
            return county_folder(str(recorded))
        except CountyDataError:
            pass
    name = str(metadata.get("county") or "")
    root = geo_root()
    if name and root.is_dir():
        for d in sorted(root.iterdir()):
            if d.is_dir() and (d / "metadata.json").exists():
                folder = CountyFolder(d)
                if name in (folder.name, d.name):
                    return folder
    return None


def county_inputs(county: str | Path | None) -> list[Path]:
    """The county folder a run reads (the bundled one by default), for :func:`check_output`."""
    try:
        return [county_folder(county).root]
    except LandgradeError:  # reported by the command itself, with its own fix
        return []
