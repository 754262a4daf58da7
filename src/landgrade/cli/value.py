"""``landgrade value``: a parcel's price by the benchmark-coefficient method (基准地价系数修正法).

``value X Y --use … --term … --plot-ratio … --date …`` answers the point with the engine, values
it (:mod:`landgrade.valuation.parcels`) and prints the 测算 step by step
(:mod:`landgrade.valuation.steps`): the grade benchmark and road-line price with their tables,
each coefficient with its value and source, the result, and every correction not applied; or
the same as JSON. ``value FILE … -o OUT`` values every row into a file
(:mod:`landgrade.jobs.value`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from landgrade.errors import LandgradeError
from landgrade.gazette.labels import county_name, gazette_facts, word
from landgrade.text import display_width
from landgrade.valuation.parcels import ValuationOptions, read_inputs, value_answers
from landgrade.valuation.steps import Explanation, explain
from landgrade.valuation.system import ValuationSystem, load_system

_STATE = {"unapplied": "v_unapplied", "missing": "v_missing", "assumed": "v_assumed"}


class ValueError_(LandgradeError):
    """A valuation that must not be made (an expired benchmark); the message quotes the rule."""


def value_point(
    x: float,
    y: float,
    options: ValuationOptions,
    *,
    crs: str = "EPSG:4326",
    map_path: Path | None = None,
    county: str | None = None,
    lang: str | None = None,
    as_json: bool = False,
) -> dict[str, Any]:
    """Value one point and print its 测算 (or JSON); returns the printed record."""
    from landgrade.engine.answer import answer_lang, to_record
    from landgrade.engine.engine import load_engine

    options.require_conditions()
    if options.fields():
        raise LandgradeError(f"{', '.join(o for o, _ in options.fields())}: column options "
                             "are for a file; give the value itself (--term 35.5, …)")
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        raise LandgradeError(f"{map_path}: no county tables match this map, so nothing to value; "
                             "pass --county FOLDER")
    lang = answer_lang(engine, lang)
    system = load_system(engine.pricebook)
    for line in system.corrections.warnings:
        print(f"warning: {line}", file=sys.stderr)
    answers = engine.locate(x, y, crs=crs)
    valued = value_answers(system, answers, options)
    check_validity(system, valued.iloc[0], options, lang)
    inputs, levels = read_inputs(options, answers)
    expl = explain(system, answers.iloc[0], valued.iloc[0], inputs.iloc[0], levels.iloc[0], lang)
    if engine.grade_map.schematic:
        expl.remarks.append(word("schematic_short", lang))
    if as_json:
        record = {"answer": to_record(engine, answers.iloc[0]),
                  "valuation": {k: _plain(v) for k, v in valued.iloc[0].items()},
                  "steps": expl.as_dict()}
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return record
    where = f"{x} {y} ({crs})"
    print(render_text(system, expl, where, lang))
    return expl.as_dict()


def check_validity(system: ValuationSystem, valued: pd.Series, options: ValuationOptions,
                   lang: str) -> None:
    """Refuse a benchmark past the county's limit (unless ``--allow-expired``), quoting the
    rule; warn past its update period."""
    rule = system.validity
    if "benchmark_expired" in str(valued["value_status"]).split(";"):
        raise ValueError_(word("v_expired", lang, years=f"{rule.max_age_years:g}",
                               rule=rule.rule(lang)) + " (--allow-expired to value anyway)")
    if "benchmark_past_update_period" in str(valued["value_notes"]).split(";"):
        years = rule.update_period_years
        print("warning: " + word("v_expired_warn", lang, years=f"{years:g}",
                                 rule=rule.rule(lang)), file=sys.stderr)


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    return v.item() if hasattr(v, "item") else v


def render_text(system: ValuationSystem, expl: Explanation, where: str, lang: str) -> str:
    """The 测算 as aligned terminal lines in ``lang``."""
    meta = system.metadata
    county = county_name(meta, lang)
    title = word("v_title_short", lang)
    lines = [f"{county} {title}" if lang == "zh" else f"{county}: {title}"]
    facts = gazette_facts(meta, ("document", "issuer"), lang)
    if facts:
        lines.append(("　" if lang == "zh" else "  ·  ").join(facts))
    rows = [(word("point", lang), where), *expl.facts, *expl.bases,
            (word("v_formula_head", lang), word("v_formula", lang))]
    width = max(display_width(a) for a, _ in rows) + 2
    lines += [_pad(a, width) + b for a, b in rows]
    step_width = max(display_width(s.label) for s in expl.steps) + 2
    value_width = max(display_width(s.value) for s in expl.steps) + 2
    for s in expl.steps:
        state = f"[{word(_STATE[s.state], lang)}] " if s.state in _STATE else ""
        lines.append("  " + _pad(s.label, step_width) + _pad(s.value, value_width) + state
                     + s.source)
    for a, b in expl.results:
        lines.append(_pad(a, width) + b)
    sep = "；" if lang == "zh" else "; "
    if expl.unapplied:
        lines.append(_pad(word("v_cannot", lang), width) + sep.join(expl.unapplied))
    lines.append(_pad(word("v_status", lang), width) + expl.status)
    for remark in expl.remarks:
        lines.append(_pad(word("note", lang), width) + remark)
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - display_width(text))
