"""``landgrade report``: the parcel report (基准地价查询单) of a point or of every row of a file.

The pages are drawn by :mod:`landgrade.outputs.parcel_report`; here the target is read (``X Y``,
a pasted ``X,Y``, or a file with its CRS, parcel-number, use and town columns), answered by the
engine, and the pages written one at a time (each drawn, saved and closed before the next):
``OUT.pdf`` is one file with a page per row; any other ``OUT`` is a folder with one PDF per row,
named by ``--id-field`` (else the county's parcel-number column, else the row number), which
never replaces a file already there unless ``--overwrite`` is given.

A point, or a row, that names no place in the county (outside the county outline, coordinates
that do not fit their CRS, no geometry) gets no page: a point is an error (exit 2); a file's
other rows are written, the refused ones listed on stderr with their row number, id and reason,
and the command exits 2. Each page carries its 查询编号 (:mod:`landgrade.outputs.query_number`)
and its page number within its own file.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

# The font is read through its module: one answer (or one replacement) reaches every caller.
import landgrade.outputs.map_style as map_style
from landgrade.engine.answer import answer_lang, status_message, status_text
from landgrade.engine.pricing import PricingOptions, check_column
from landgrade.engine.use_prices import use_price
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import word
from landgrade.outputs.map_style import print_rc
from landgrade.outputs.parcel_report import PageFacts, numbers_of, page_refused, report_page
from landgrade.outputs.report_wording import report_wording
from landgrade.progress import advance

if TYPE_CHECKING:
    from landgrade.engine.engine import Engine


class ReportError(LandgradeError):
    """A report cannot be written; the message names the input or option and the fix."""


@dataclass
class _Rows:
    """The rows to report, each with what its page and its 查询编号 need."""

    answers: pd.DataFrame
    geoms: np.ndarray  # working CRS
    where: list[str]  # the location line of each page
    queries: list[str]  # what each row asks, hashed into its 查询编号
    names: list[str]  # what names each row's file in a folder
    ids: list[str] | None = None
    uses: list[str | None] | None = None
    towns: list[str | None] | None = None
    town_grades: list[int | None] | None = None
    id_column: str | None = None


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
    overwrite: bool = False,
) -> list[Path]:
    """``landgrade report``: write the 基准地价查询单 of a point (``X Y``, or ``X,Y``) or of
    every row of a file (see the module docstring). ``pricing``: how rows are priced (the use
    column, the town options, the language). Returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Fonts are resolved when the pages are saved, so the print settings span drawing and saving.
    with plt.rc_context(print_rc()):
        return _report(target, y, output, crs=crs, id_field=id_field,
                       pricing=pricing or PricingOptions(), use=use, map_path=map_path,
                       county=county, layer=layer, overwrite=overwrite)


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
    overwrite: bool,
) -> list[Path]:
    from landgrade.engine.engine import load_engine

    point = as_point(target, y)
    if pricing.use_standard is not None and use is None and pricing.use_field is None:
        raise ReportError("--use-standard says how to read --use or --use-field: give one")
    if point is None and output is None:
        raise ReportError(f"{target}: give -o OUT.pdf (one file) or -o FOLDER (one per row)")
    output = output or Path("report.pdf")
    _check_pdf_target(output)
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
    meta = getattr(engine.pricebook, "metadata", None) or {}
    if report_wording(meta, lang).empty:  # checked (and refused if malformed) before any work
        print("note: metadata.json has no report.disclaimer or report.signature_blocks: the "
              "pages carry no disclaimer and no spaces to sign and seal", file=sys.stderr)
    if point is not None:
        rows = _point_rows(engine, point, crs or "EPSG:4326", use, pricing)
    else:
        rows = _file_rows(engine, Path(target), output, crs=crs, id_field=id_field,
                          pricing=pricing, use=use, layer=layer)
    status = rows.answers["status"].astype(str).tolist()
    refused = [i for i, s in enumerate(status) if page_refused(s)]
    if point is not None and refused:
        raise ReportError(word("refused_point", lang, where=rows.where[0],
                               why=_why(rows, 0, lang, meta)))
    for i in refused:
        ident = f"（{rows.id_column} {rows.ids[i]}）" if rows.ids and lang == "zh" else (
            f" ({rows.id_column} {rows.ids[i]})" if rows.ids else "")
        print(word("refused_row", lang, row=i + 1, id=ident, why=_why(rows, i, lang, meta)),
              file=sys.stderr)
    kept = [i for i in range(len(status)) if i not in set(refused)]
    if not kept:
        raise ReportError(f"{target}: none of its {len(status)} row(s) lies in the county "
                          "(listed above); no page written: check the coordinates and --crs")
    written = _write(engine, rows, kept, output, lang=lang, overwrite=overwrite,
                     map_identity=_map_identity(map_path, county))
    if refused:
        raise ReportError(
            f"{target}: {len(refused)} of {len(status)} rows got no page (listed above); "
            f"{len(written)} file(s) written for the others")
    return written


def _why(rows: _Rows, i: int, lang: str, meta: Mapping[str, Any]) -> str:
    row = rows.answers.iloc[i]
    return status_message({"status": str(row["status"]), "message": str(row["message"])},
                          lang, meta)


def _map_identity(map_path: Path | None, county: str | None) -> str:
    """What identifies the grade map answered from: the engine cache's hash of the ``--map``
    file or of the county folder."""
    from landgrade.engine.cache import map_key

    return map_key(map_path=map_path, county=county)


def _point_rows(engine: Engine, point: tuple[float, float], spec: str, use: str | None,
                pricing: PricingOptions) -> _Rows:
    x, yy = point
    if pricing.town_grade is None and pricing.towns is None:
        answers = engine.locate(x, yy, crs=spec)
    else:  # town prices, as `landgrade locate --town … --town-grade …` gives them
        frame = gpd.GeoDataFrame(geometry=[shapely.Point(x, yy)])
        answers = pd.DataFrame(engine.assign(frame, crs=spec, pricing=pricing))
    if use:
        answers = use_price(answers.reset_index(drop=True), [use], engine.pricebook,
                            standard=pricing.use_standard, lang=pricing.lang)
    geoms = _to_working(gpd.GeoSeries([shapely.Point(x, yy)]), spec, engine.working_crs)
    return _Rows(answers.reset_index(drop=True), geoms, where=[f"{x!r}, {yy!r} ({spec})"],
                 queries=[f"point|{x!r}|{yy!r}|{spec}|{use or ''}"], names=["report"],
                 uses=[use] if use else None, towns=[pricing.town],
                 town_grades=[pricing.town_grade])


def _check_pdf_target(output: Path) -> None:
    """``-o d.pdf`` where d.pdf is a folder: say so, naming it (before any work)."""
    if output.suffix.lower() == ".pdf" and output.is_dir():
        raise ReportError(
            f"{output}: is a folder, not a PDF file; give a file name (-o 查询单.pdf) for one "
            f"file, or a folder name without .pdf for one file per row")
    if output.suffix.lower() != ".pdf" and output.exists() and not output.is_dir():
        raise ReportError(f"{output}: not a folder; give OUT.pdf or a folder name")


def as_point(target: str, y: float | None) -> tuple[float, float] | None:
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


def _file_rows(
    engine: Engine,
    path: Path,
    output: Path,
    *,
    crs: str | None,
    id_field: str | None,
    pricing: PricingOptions,
    use: str | None,
    layer: str | None,
) -> _Rows:
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
                                lang=pricing.lang)
        uses = [None if pd.isna(v) or str(v).strip() == "" else str(v) for v in raw]
    answers = answers.reset_index(drop=True)
    named_by = id_field or parcel_id_column(
        gdf.columns.drop(gdf.geometry.name), getattr(engine.pricebook, "metadata", None))
    ids = _row_ids(gdf[named_by]) if named_by else None
    geoms = _to_working(gdf.geometry, spec, engine.working_crs)
    rep = shapely.point_on_surface(gdf.geometry.to_numpy())
    where = [_where(px, py, spec)
             for px, py in zip(shapely.get_x(rep), shapely.get_y(rep), strict=True)]
    lang = pricing.lang or "en"
    meta = getattr(engine.pricebook, "metadata", None)
    for flag in ("unknown_use", "ambiguous_use"):
        flagged = answers["status"].astype(str) == flag
        if flagged.any():
            print(word("warning_line", lang, text=word(
                "report_flagged", lang, path=path, n=int(flagged.sum()), flag=flag,
                why=status_text(flag, meta, lang))), file=sys.stderr)
    if output.suffix.lower() != ".pdf":  # a folder: say what names its files, and how to choose
        if named_by:
            how = "" if id_field else word("report_choose_id", lang)
            print(word("note_line", lang, text=word("report_named_by", lang,
                                                    field=repr(named_by), how=how)),
                  file=sys.stderr)
        else:
            known = ", ".join(_id_names(meta)[:4])
            print(word("note_line", lang, text=word("report_numbered", lang, known=known)),
                  file=sys.stderr)
    wkb = shapely.to_wkb(gdf.geometry.to_numpy(), hex=True)
    queries = [f"row|{path.name}|{ids[i] if ids else ''}|{wkb[i]}|{spec}|"
               f"{uses[i] if uses else ''}" for i in range(len(gdf))]
    return _Rows(answers, geoms, where=where, queries=queries,
                 names=ids or [str(i + 1) for i in range(len(gdf))], ids=ids, uses=uses,
                 towns=_row_towns(gdf, pricing), town_grades=_row_town_grades(gdf, pricing),
                 id_column=named_by)


def _where(x: float, y: float, spec: str) -> str:
    """A row's location line: a point on it, in its own CRS (degrees to 6 decimals, about
    0.1 m; metres to 2)."""
    if not (np.isfinite(x) and np.isfinite(y)):
        return "-"
    decimals = 6 if abs(x) <= 180 and abs(y) <= 90 else 2
    return f"{x:.{decimals}f}, {y:.{decimals}f} ({spec})"


def _row_towns(gdf: gpd.GeoDataFrame, pricing: PricingOptions) -> list[str | None]:
    if pricing.town_field and pricing.town_field in gdf.columns:
        return [None if pd.isna(v) else str(v) for v in gdf[pricing.town_field]]
    return [pricing.town] * len(gdf)


def _row_town_grades(gdf: gpd.GeoDataFrame, pricing: PricingOptions) -> list[int | None]:
    if pricing.town_grade_field and pricing.town_grade_field in gdf.columns:
        values = pd.to_numeric(gdf[pricing.town_grade_field], errors="coerce")
        return [int(v) if np.isfinite(v) and float(v).is_integer() else None for v in values]
    return [pricing.town_grade] * len(gdf)


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


def _write(engine: Engine, rows: _Rows, kept: list[int], output: Path, *, lang: str,
           overwrite: bool, map_identity: str) -> list[Path]:
    """The pages of rows ``kept``: one PDF (``OUT.pdf``), or one PDF each in the folder
    ``OUT``; each page is drawn, saved and closed before the next is drawn."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from landgrade.io.atomic import atomic_output
    from landgrade.outputs.query_number import query_numbers

    meta = getattr(engine.pricebook, "metadata", None) or {}
    single = output.suffix.lower() == ".pdf"
    targets: list[Path] = []
    if not single:
        stems = file_stems(rows.names)
        targets = [output / f"{stems[i]}.pdf" for i in kept]
        _refuse_replacing(output, targets, overwrite)
    issued = dt.datetime.now().astimezone()
    numbers = query_numbers(meta, issued, map_identity, [rows.queries[i] for i in kept])
    style = numbers_of(engine)

    def page(k: int, i: int, of: int) -> Any:
        facts = PageFacts(
            query_no=numbers[k], issued=issued, page=(k + 1 if of > 1 else 1, of),
            parcel_id=rows.ids[i] if rows.ids else None,
            use=rows.uses[i] if rows.uses else None, where=rows.where[i],
            town=rows.towns[i] if rows.towns else None,
            town_grade=rows.town_grades[i] if rows.town_grades else None)
        return report_page(engine, rows.answers.iloc[i], rows.geoms[i], facts, lang=lang,
                           numbers=style)

    def save(fig: Any, pdf: Any) -> None:
        try:
            pdf.savefig(fig)
        finally:
            plt.close(fig)

    written = []
    if single:
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(output) as tmp, PdfPages(tmp) as pdf:
            for k, i in enumerate(kept):
                advance(k, len(kept), "pages")
                save(page(k, i, len(kept)), pdf)
        written.append(output)
    else:
        output.mkdir(parents=True, exist_ok=True)
        for k, (i, target) in enumerate(zip(kept, targets, strict=True)):
            advance(k, len(kept), "pages")
            fig = page(k, i, 1)
            with atomic_output(target) as tmp, PdfPages(tmp) as pdf:
                save(fig, pdf)
            written.append(target)
    for p in written:
        print(word("wrote", lang, path=p))
    return written


def _refuse_replacing(folder: Path, targets: list[Path], overwrite: bool) -> None:
    """Refuse, before any page is drawn, to replace a file already in ``folder`` (names
    compared without letter case, as Windows and macOS disks compare them), unless
    ``overwrite``."""
    if overwrite or not folder.is_dir():
        return
    present = {p.name.casefold(): p.name for p in folder.iterdir()}
    clash = [present[t.name.casefold()] for t in targets if t.name.casefold() in present]
    if clash:
        shown = ", ".join(clash[:5]) + (f" and {len(clash) - 5} more" if len(clash) > 5 else "")
        raise ReportError(
            f"{folder}: {shown} already exist(s) there; nothing was written. Give another "
            "folder, move them away, or replace them with --overwrite")
