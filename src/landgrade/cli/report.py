"""``landgrade report``: the parcel report (基准地价查询单) of a point or of every row of a file.

The pages are drawn by :mod:`landgrade.outputs.parcel_report`; here the target is read (``X Y``,
a pasted ``X,Y``, or a file with its CRS, parcel-number and use columns), answered by the engine,
and the pages written: ``OUT.pdf`` is one file with a page per row; any other ``OUT`` is a folder
with one PDF per row, named by ``--id-field`` (else the county's parcel-number column, else the
row number).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

# The font is read through its module: one answer (or one replacement) reaches every caller.
import landgrade.outputs.map_style as map_style
from landgrade.engine.answer import STATUSES, answer_lang
from landgrade.engine.pricing import PricingOptions, check_column
from landgrade.engine.use_prices import use_price
from landgrade.errors import LandgradeError
from landgrade.outputs.map_style import print_rc
from landgrade.outputs.parcel_report import report_pages

if TYPE_CHECKING:
    from landgrade.engine.engine import Engine


class ReportError(LandgradeError):
    """A report cannot be written; the message names the input or option and the fix."""


def report_command(
    target: str,
    y: float | None,
    output: Path | None,
    *,
    crs: str | None = None,
    id_field: str | None = None,
    pricing: PricingOptions | None = None,
    use: str | None = None,
    map_path: Path | None = None,
    county: str | None = None,
    layer: str | None = None,
) -> list[Path]:
    """``landgrade report``: write the 基准地价查询单 of a point (``X Y``, or ``X,Y``) or of
    every row of a file (see the module docstring). ``pricing``: how rows are priced (the use
    column, the language). Returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Fonts are resolved when the pages are saved, so the print settings span drawing and saving.
    with plt.rc_context(print_rc()):
        return _report(target, y, output, crs=crs, id_field=id_field,
                       pricing=pricing or PricingOptions(), use=use, map_path=map_path,
                       county=county, layer=layer)


def _report(
    target: str,
    y: float | None,
    output: Path | None,
    *,
    crs: str | None,
    id_field: str | None,
    pricing: PricingOptions,
    use: str | None,
    map_path: Path | None,
    county: str | None,
    layer: str | None,
) -> list[Path]:
    from landgrade.engine.engine import load_engine

    point = _as_point(target, y)
    if pricing.use_standard is not None and use is None and pricing.use_field is None:
        raise ReportError("--use-standard says how to read --use or --use-field: give one")
    if point is None and output is None:
        raise ReportError(f"{target}: give -o OUT.pdf (one file) or -o FOLDER (one per row)")
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        raise ReportError(
            f"{map_path}: no county tables match this map, so no prices to report; "
            "pass --county FOLDER"
        )
    lang = answer_lang(engine, pricing.lang)
    if lang == "zh" and map_style.cjk_font() is None:
        print("note: no CJK font found (Debian: apt-get install fonts-wqy-microhei); the report "
              "is in English", file=sys.stderr)
        lang = "en"
    pricing = replace(pricing, lang=lang)  # the rows' messages in the pages' language
    if point is not None:
        x, yy = point
        spec = crs or "EPSG:4326"
        answers = engine.locate(x, yy, crs=spec)
        if use:
            answers = use_price(answers, [use], engine.pricebook,
                                standard=pricing.use_standard, lang=lang)
        geoms = _to_working(gpd.GeoSeries([shapely.Point(x, yy)]), spec, engine.working_crs)
        figs = report_pages(engine, answers, geoms, lang=lang, uses=[use] if use else None,
                            where=[f"{x:g}, {yy:g} ({spec})"])
        return _write(figs, output or Path("report.pdf"), names=["report"])
    return _file_report(engine, Path(target), output, crs=crs, id_field=id_field,
                        pricing=pricing, use=use, lang=lang, layer=layer)


def _as_point(target: str, y: float | None) -> tuple[float, float] | None:
    """``X Y`` or a pasted ``X,Y`` (:func:`landgrade.crs.parse_xy`); None for a file name."""
    from landgrade.io.crs import parse_xy

    if y is not None:
        try:
            return parse_xy(f"{target} {y}")
        except LandgradeError:
            raise ReportError(f"{target!r} {y}: give X Y as two numbers, or a file") from None
    if Path(target).exists():
        return None
    try:
        return parse_xy(target)
    except LandgradeError:
        return None


def _to_working(geoms: gpd.GeoSeries, spec: Any, working: Any) -> np.ndarray:
    """Geometries in the map's own working CRS (its county's Gauss-Krüger zone)."""
    from landgrade.io.crs import gdf_to_working

    frame = gpd.GeoDataFrame(geometry=geoms.reset_index(drop=True))
    return gdf_to_working(frame, crs=spec, working=working).geometry.to_numpy()


def _file_report(
    engine: Engine,
    path: Path,
    output: Path,
    *,
    crs: str | None,
    id_field: str | None,
    pricing: PricingOptions,
    use: str | None,
    lang: str,
    layer: str | None,
) -> list[Path]:
    from landgrade.io.readers import open_source, read_file

    use_field = pricing.use_field

    if output.resolve() == path.resolve():
        raise ReportError(f"{output}: is the input file; give another -o")
    src = open_source(path, layer=layer)
    spec = crs or src.crs or ("EPSG:4326" if src.is_table else None)
    if spec is None:
        epsg = engine.grade_map.crs.to_epsg()  # the county's own zone, not a fixed one
        raise ReportError(f"{path}: the file has no CRS; pass --crs, e.g. --crs EPSG:4326 or "
                          f"--crs EPSG:{epsg}")
    gdf = read_file(path, layer=layer)
    columns = gdf.columns.drop(gdf.geometry.name)
    for name, fld in (("--id-field", id_field), ("--use-field", use_field)):
        if fld is not None:
            check_column(fld, columns, f"{path}: ", option=name)
    if not len(gdf):
        raise ReportError(f"{path}: no rows to report")
    answers = pd.DataFrame(engine.assign(gdf, crs=spec, pricing=pricing))
    uses = None
    if use_field is not None or use is not None:
        raw = gdf[use_field] if use_field else pd.Series([use] * len(gdf), index=gdf.index)
        if use_field is None:  # the engine priced each row's own use; --use is one for all
            answers = use_price(answers, raw, engine.pricebook, standard=pricing.use_standard,
                                lang=lang)
        uses = [None if pd.isna(v) or str(v).strip() == "" else str(v) for v in raw]
    named_by = id_field or parcel_id_column(
        gdf.columns.drop(gdf.geometry.name), getattr(engine.pricebook, "metadata", None))
    ids = _row_ids(gdf[named_by]) if named_by else None
    geoms = _to_working(gdf.geometry, spec, engine.working_crs)
    rep = shapely.point_on_surface(gdf.geometry.to_numpy())
    where = [
        f"{px:.6g}, {py:.7g} ({spec})" if np.isfinite(px) else "-"
        for px, py in zip(shapely.get_x(rep), shapely.get_y(rep), strict=True)
    ]
    for flag in ("unknown_use", "ambiguous_use"):
        flagged = answers["status"].astype(str) == flag
        if flagged.any():
            print(f"warning: {path}: {int(flagged.sum())} row(s) {flag}: {STATUSES[flag]} "
                  "(each page says why)", file=sys.stderr)
    if output.suffix.lower() != ".pdf":  # a folder: say what names its files, and how to choose
        if named_by:
            how = "" if id_field else " (choose another with --id-field)"
            print(f"note: files named by column {named_by!r}{how}", file=sys.stderr)
        else:
            known = ", ".join(_id_names(getattr(engine.pricebook, "metadata", None))[:4])
            print(f"note: no parcel-number column ({known}, ...): files are numbered by row; "
                  "name them by a column with --id-field", file=sys.stderr)
    figs = report_pages(engine, answers, geoms, lang=lang, ids=ids, uses=uses, where=where)
    names = ids or [str(i + 1) for i in range(len(figs))]
    return _write(figs, output, names=names)


def parcel_id_column(columns: Any, metadata: Mapping[str, Any] | None) -> str | None:
    """The column of ``columns`` that holds parcel numbers: the first of the county's
    ``parcel_id_fields`` (metadata.json: 宗地号, 地块编号, …) present, compared without case or
    surrounding spaces; None when the county lists none or none is present."""
    present = {str(c).strip().casefold(): str(c) for c in columns}
    for name in _id_names(metadata):
        if name.strip().casefold() in present:
            return present[name.strip().casefold()]
    return None


def _id_names(metadata: Mapping[str, Any] | None) -> list[str]:
    names = (metadata or {}).get("parcel_id_fields") or []
    if not isinstance(names, list):  # "宗地号" alone would be dropped without a word
        raise ReportError(f"metadata.json: parcel_id_fields must be a list of column names, "
                          f'such as ["宗地号", "地块编号"], not {names!r}')
    return [str(n) for n in names]


def _row_ids(values: pd.Series) -> list[str]:
    """Each row's id as text; a blank id keeps the row's number (1-based), not an empty name."""
    out = []
    for i, v in enumerate(values.tolist()):
        # pd.isna: a null in a nullable integer column (Int64, how io reads 宗地号 12) is pd.NA
        text = "" if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)) else str(v).strip()
        if isinstance(v, float) and v.is_integer():
            text = str(int(v))  # a parcel number read as 12.0 is parcel 12
        out.append(text or str(i + 1))
    return out


def file_stems(names: list[str]) -> list[str]:
    """A safe, distinct file stem for each name, in order.

    Each name is made safe by :func:`landgrade.io.safe_file_stem` (no name leaves the folder;
    an empty one becomes ``row``). Two names that would share a file (``a`` twice, or ``A`` and
    ``a`` on a case-insensitive disk) get ``_2``, ``_3`` … without taking a later name's stem.
    """
    from landgrade.io.atomic import safe_file_stem

    stems = [safe_file_stem(str(name)) or "row" for name in names]
    taken = {s.casefold() for s in stems}
    used: set[str] = set()
    out = []
    for stem in stems:
        unique, k = stem, 1
        # A suffixed name another row holds literally (``a_2``) is left to that row.
        while unique.casefold() in used or (k > 1 and unique.casefold() in taken):
            k += 1
            unique = f"{stem}_{k}"
        used.add(unique.casefold())
        out.append(unique)
    return out


def _write(figs: list[Any], output: Path, *, names: list[str]) -> list[Path]:
    """One PDF with every page (``OUT.pdf``), or one PDF per page in the folder ``OUT``."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from landgrade.io.atomic import atomic_output

    written = []
    try:
        if output.suffix.lower() == ".pdf":
            output.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(output) as tmp, PdfPages(tmp) as pdf:
                for fig in figs:
                    pdf.savefig(fig)
            written.append(output)
        else:
            if output.exists() and not output.is_dir():
                raise ReportError(f"{output}: not a folder; give OUT.pdf or a folder name")
            output.mkdir(parents=True, exist_ok=True)
            for fig, stem in zip(figs, file_stems(names), strict=True):
                target = output / f"{stem}.pdf"
                with atomic_output(target) as tmp, PdfPages(tmp) as pdf:
                    pdf.savefig(fig)
                written.append(target)
    finally:
        for fig in figs:
            plt.close(fig)
    for p in written:
        print(f"wrote {p}")
    return written
