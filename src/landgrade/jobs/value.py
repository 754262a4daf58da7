"""``landgrade value FILE``: every row of a file valued by the coefficient method, into a file.

The file goes through ``landgrade assign``'s own loop (:func:`landgrade.jobs.assign.assign_command`:
the same readers, chunks, writers and atomic output, so every format ``assign`` writes), and each
answered chunk gets the valuation columns of :func:`landgrade.valuation.parcels.value_answers`
before it is written: one row out per row in, the answer columns and the valuation columns
beside the input's own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from landgrade.engine.answer import answer_lang
from landgrade.engine.pricing import PricingOptions
from landgrade.gazette.labels import value_codes_text, word
from landgrade.jobs.read_options import ReadOptions
from landgrade.valuation.parcels import VALUE_COLUMNS, ValuationOptions, value_answers
from landgrade.valuation.system import ValuationSystem, load_system


def value_file_command(
    input_path: Path,
    output: Path,
    options: ValuationOptions,
    *,
    crs: str | None = None,
    map_path: Path | None = None,
    county: str | None = None,
    read: ReadOptions | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    lang: str | None = None,
) -> pd.Series:
    """Value every row of ``input_path`` into ``output`` (any format ``assign`` writes).

    Prints, on stderr, the county's correction-table warnings, the validity rule where rows are
    past it, and a count of rows per ``value_status``; returns those counts.
    """
    from landgrade.jobs.assign import assign_command

    options.require_conditions()
    counts: dict[str, int] = {}
    systems: list[ValuationSystem] = []
    langs: list[str] = []

    def then(engine: Any, src: Any) -> Callable[[Any], Any]:
        if engine.pricebook is None:
            from landgrade.errors import LandgradeError

            raise LandgradeError(f"{map_path}: no county tables match this map, so nothing to "
                                 "value; pass --county FOLDER")
        options.check_columns(list(src.columns), src.path)
        langs.append(answer_lang(engine, lang))
        system = load_system(engine.pricebook)
        systems.append(system)
        for line in system.corrections.warnings:
            print(f"warning: {line}", file=sys.stderr)
        return lambda chunk: _add_values(system, chunk, options, counts)

    assign_command(input_path, output, crs=crs, map_path=map_path, county=county, read=read,
                   pricing=PricingOptions(lang=lang), chunk_size=chunk_size, progress=progress,
                   then=then)
    lang = langs[0] if langs else "en"
    past = counts.pop(_PAST, 0)
    result = pd.Series(counts, dtype="int64").sort_values(ascending=False)
    print(word("value_status_head", lang, output=output), file=sys.stderr)
    for status, n in result.items():
        words = "; ".join(value_codes_text(str(status), lang))
        print(f"  {status:<40} {int(n):>10}  {words}", file=sys.stderr)
    expired = int(sum(n for s, n in result.items() if "benchmark_expired" in str(s)))
    if systems and (past or expired):
        rule = systems[0].validity.rule(lang)
        if past:
            print(f"warning: {past} row(s) valued with a benchmark past its update period: "
                  f"{rule}", file=sys.stderr)
        if expired:
            print(f"warning: {expired} row(s) not valued, the benchmark being too old for the "
                  f"coefficient method (--allow-expired to value them): {rule}", file=sys.stderr)
    return result


_PAST = "\0past"


def _add_values(system: ValuationSystem, chunk: Any, options: ValuationOptions,
                counts: dict[str, int]) -> Any:
    values = value_answers(system, chunk, options)
    for status, n in values["value_status"].value_counts().items():
        counts[str(status)] = counts.get(str(status), 0) + int(n)
    past = values["value_notes"].str.contains("benchmark_past_update_period", regex=False)
    counts[_PAST] = counts.get(_PAST, 0) + int(past.sum())
    return join_values(chunk, values)


def join_values(frame: Any, values: pd.DataFrame) -> Any:
    """``frame`` with the valuation columns after its own. A file valued before has its old
    valuation columns replaced; any other input column named like one is kept as
    ``src_<name>``, never overwritten (as the engine does for answer columns)."""
    import geopandas as gpd

    revalued = "value_status" in frame.columns
    clash = [c for c in VALUE_COLUMNS if c in frame.columns]
    if revalued:
        frame = frame.drop(columns=clash)
    elif clash:
        taken = set(map(str, frame.columns)) | set(VALUE_COLUMNS)
        renames = {}
        for c in clash:
            new = f"src_{c}"
            while new in taken:
                new = f"src_{new}"
            taken.add(new)
            renames[c] = new
        frame = frame.rename(columns=renames)
    out = pd.concat([pd.DataFrame(frame), values], axis=1)
    if isinstance(frame, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs, copy=False)
    return out
