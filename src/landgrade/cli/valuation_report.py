"""``landgrade report … --valuation``: the 宗地地价测算表 of a point or of every row of a file.

Each point or parcel is answered by the engine, valued (:mod:`landgrade.valuation.parcels`) and
explained (:mod:`landgrade.valuation.steps`); :mod:`landgrade.outputs.valuation_sheet` lays the
pages out. ``-o OUT.pdf`` writes one PDF with a page per row, ``-o OUT.xlsx`` the same as a
workbook (a sheet per row and a summary). The output appears only complete.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landgrade.cli.report import as_point
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import word
from landgrade.outputs.valuation_sheet import SheetRow, sheet_page, write_workbook
from landgrade.progress import advance
from landgrade.valuation.parcels import ValuationOptions, read_inputs, value_answers
from landgrade.valuation.steps import explain
from landgrade.valuation.system import load_system


def valuation_report_command(
    target: str,
    y: float | None,
    output: Path | None,
    options: ValuationOptions,
    *,
    crs: str | None = None,
    id_field: str | None = None,
    map_path: Path | None = None,
    county: str | None = None,
    lang: str | None = None,
    layer: str | None = None,
) -> Path:
    """Write the 测算表 of ``target`` (``X Y``, ``X,Y`` or a file) to ``output`` (``.pdf`` or
    ``.xlsx``; default ``valuation.pdf`` for a point); returns the file written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import landgrade.outputs.map_style as map_style
    from landgrade.cli.value import check_validity
    from landgrade.engine.answer import answer_lang
    from landgrade.engine.engine import load_engine

    options.require_conditions()
    point = as_point(target, y)
    if point is None and output is None:
        raise LandgradeError(f"{target}: give -o OUT.pdf or -o OUT.xlsx")
    output = output or Path("valuation.pdf")
    if output.suffix.lower() not in (".pdf", ".xlsx"):
        raise LandgradeError(f"{output}: the 测算表 is written as .pdf or .xlsx")
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        raise LandgradeError(f"{map_path}: no county tables match this map; pass --county FOLDER")
    lang = answer_lang(engine, lang)
    if lang == "zh" and output.suffix.lower() == ".pdf" and map_style.cjk_font() is None:
        print("note: no CJK font found (Debian: apt-get install fonts-wqy-microhei); the sheet "
              "is in English", file=sys.stderr)
        lang = "en"
    system = load_system(engine.pricebook)
    for line in system.corrections.warnings:
        print(f"warning: {line}", file=sys.stderr)
    if point is not None:
        if options.fields():
            raise LandgradeError("the --*-field options are for a file; give the values")
        spec = crs or "EPSG:4326"
        answers = engine.locate(point[0], point[1], crs=spec)
        ids: list[str | None] = [None]
        where = [f"{point[0]} {point[1]} ({spec})"]
    else:
        answers, ids, where = _file_answers(engine, Path(target), output, options, crs=crs,
                                            id_field=id_field, layer=layer)
    valued = value_answers(system, answers, options)
    if point is not None:
        check_validity(system, valued.iloc[0], options, lang)
    inputs, levels = read_inputs(options, answers)
    remarks = [word("schematic_short", lang)] if engine.grade_map.schematic else []
    rows = [SheetRow(explain(system, answers.iloc[i], valued.iloc[i], inputs.iloc[i],
                             levels.iloc[i] if levels.shape[1] else {}, lang),
                     ids[i], where[i], remarks) for i in range(len(answers))]
    meta = system.metadata
    if output.suffix.lower() == ".xlsx":
        write_workbook(output, meta, rows, lang)
    else:
        from matplotlib.backends.backend_pdf import PdfPages

        from landgrade.io.atomic import atomic_output
        from landgrade.outputs.map_style import print_rc

        output.parent.mkdir(parents=True, exist_ok=True)
        # One page drawn, saved and closed at a time: a file of many parcels never holds every
        # page in memory (as the 查询单 does it).
        with plt.rc_context(print_rc()), atomic_output(output) as tmp, PdfPages(tmp) as pdf:
            for i, row in enumerate(rows):
                advance(i, len(rows), "pages")
                fig = sheet_page(meta, row, lang, (i + 1, len(rows)))
                try:
                    pdf.savefig(fig)
                finally:
                    plt.close(fig)
    print(word("wrote", lang, path=output))
    return output




def _file_answers(engine: Any, path: Path, output: Path, options: ValuationOptions, *,
                  crs: str | None, id_field: str | None, layer: str | None
                  ) -> tuple[pd.DataFrame, list[str | None], list[str]]:
    import shapely

    from landgrade.cli.report import parcel_id_column
    from landgrade.io.readers import open_source, read_file

    if output.resolve() == path.resolve():
        raise LandgradeError(f"{output}: is the input file; give another -o")
    src = open_source(path, layer=layer)
    spec = crs or src.crs or ("EPSG:4326" if src.is_table else None)
    if spec is None:
        raise LandgradeError(f"{path}: the file has no CRS; pass --crs, e.g. --crs EPSG:4326")
    gdf = read_file(path, layer=layer)
    if not len(gdf):
        raise LandgradeError(f"{path}: no rows to value")
    columns = list(gdf.columns.drop(gdf.geometry.name))
    options.check_columns(columns, path)
    if id_field is not None and id_field not in columns:
        raise LandgradeError(f"{path}: --id-field {id_field!r} is not a column; columns: "
                             f"{', '.join(map(str, columns))}")
    answers = pd.DataFrame(engine.assign(gdf, crs=spec))
    named_by = id_field or parcel_id_column(columns, getattr(engine.pricebook, "metadata", None))
    ids: list[str | None] = ([None if pd.isna(v) else str(v) for v in gdf[named_by]]
                             if named_by else [None] * len(gdf))
    rep = shapely.point_on_surface(gdf.geometry.to_numpy())
    where = [f"{px:.6f}, {py:.6f} ({spec})" if np.isfinite(px) else "-"
             for px, py in zip(shapely.get_x(rep), shapely.get_y(rep), strict=True)]
    return answers, ids, where
