"""The 测算 of one valued row, step by step, with the source of every figure.

:func:`explain` turns one row of :func:`~landgrade.valuation.parcels.value_answers` (with its
answer and inputs) into an :class:`Explanation`: the parcel's conditions, the grade benchmark and
the road-line price with their tables, each coefficient with its value and where it came from
(the correction file and row, or the formula with r, n and N), the result as the chain of
multiplications, and every correction that was not applied or is missing, in words. The values
are the vectorised ones; here they are only cited, never computed a second way — except the
index values and table rows, which are looked up to be quoted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from landgrade.errors import LandgradeError
from landgrade.gazette.labels import grade_label, table_cite, unit, value_codes_text, word
from landgrade.valuation.interpolate import table_of
from landgrade.valuation.method import as_dates, development_items
from landgrade.valuation.system import ValuationSystem
from landgrade.valuation.table_rows import grade_key, level_key

STEP_KEYS = ("k_factors", "k_date", "k_plot_ratio", "k_term", "d_development")


@dataclass
class Step:
    """One correction: its label, value as shown, source, and ``state``: ``applied``, ``same``
    (the parcel's condition is the connotation's: 1 or 0 without a table), ``assumed``,
    ``unapplied`` (left out and said) or ``missing`` (blocks the price)."""

    key: str
    label: str
    value: str
    source: str
    state: str


@dataclass
class Explanation:
    """What the 测算 shows of one row (see the module docstring); ``status`` and ``notes`` are
    the row's codes, ``problems`` and ``unapplied`` their words."""

    facts: list[tuple[str, str]]
    bases: list[tuple[str, str]]
    steps: list[Step]
    results: list[tuple[str, str]]
    status: str
    notes: str
    problems: list[str] = field(default_factory=list)
    unapplied: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _num(v: Any, decimals: int = 4) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "-"
    return f"{float(v):.{decimals}f}"


def _g(v: Any) -> str:
    """A parcel's input as typed: 35.5, 2.8, 1200 (no trailing zeros)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "-" if np.isnan(f) else f"{f:g}"


def _money(v: float, lang: str) -> str:
    return f"{v:,.2f}"


def _rows(file: str, rows: list[int], lang: str) -> str:
    rows = sorted(set(int(r) for r in rows))
    if len(rows) == 1:
        return word("v_file_row", lang, file=file, row=rows[0])
    sep = "、" if lang == "zh" else ", "
    return word("v_file_rows", lang, file=file, rows=sep.join(map(str, rows)))


def _bracket(xs: np.ndarray, rows: np.ndarray, x: float) -> list[int]:
    """The table rows a value at ``x`` was read from: the listed row, or the two around it (an
    open end: the end row); none for no value."""
    if np.isnan(x):
        return []
    if x <= xs[0]:
        return [int(rows[0])]
    if x >= xs[-1]:
        return [int(rows[-1])]
    i = int(np.searchsorted(xs, x))
    if abs(xs[i] - x) < 1e-9:
        return [int(rows[i])]
    return [int(rows[i - 1]), int(rows[i])]


def explain(
    system: ValuationSystem,
    answer: Mapping[str, Any],
    valued: Mapping[str, Any],
    inputs: Mapping[str, Any],
    levels: Mapping[str, Any],
    lang: str,
) -> Explanation:
    """The :class:`Explanation` of one row, in ``lang`` (``zh``/``en``)."""
    book = system.pricebook
    meta = system.metadata
    money = unit(meta, lang)
    use = str(valued.get("value_use") or "")
    use_label = book.use_label(use, lang) if use else str(inputs.get("use") or "-")
    grade = answer.get("grade")
    has_grade = grade is not None and not pd.isna(grade)
    grade_text = grade_label(int(grade), lang) if has_grade else word("outside_extent", lang)
    shares = _shares(answer)
    grade_fact = grade_text
    if len(shares) > 1:
        sep = "，" if lang == "zh" else ", "
        grade_fact += ("（" if lang == "zh" else " (") + sep.join(
            f"{grade_label(g, lang)} {100 * sh:.2f}%" for g, sh in shares.items()) + (
            "）" if lang == "zh" else ")")
    area = valued.get("value_area")
    if area is None or pd.isna(area):
        area = pd.to_numeric(pd.Series([inputs.get("area")]), errors="coerce").iloc[0]
    if pd.isna(area) and answer.get("area_m2") is not None:
        area = pd.to_numeric(pd.Series([answer.get("area_m2")]), errors="coerce").iloc[0]
    dev_given = development_items(inputs.get("development"))
    sep = "、" if lang == "zh" else ", "
    facts = [
        (word("v_use", lang), use_label),
        (word("v_grade", lang), grade_fact),
        (word("v_term", lang), word("v_years", lang, n=_g(inputs.get("term")))
         if _g(inputs.get("term")) != "-" else word("v_not_given", lang)),
        (word("v_plot_ratio", lang), _g(inputs.get("plot_ratio"))),
        (word("v_date", lang), str(inputs.get("date") or word("v_not_given", lang))),
        (word("v_development", lang), sep.join(dev_given) if dev_given
         else word("v_not_given", lang)),
        (word("v_area", lang), f"{float(area):,.2f} {word('unit_area', lang)}"
         if not pd.isna(area) else word("v_not_given", lang)),
    ]
    ctx = _Context(system, answer, valued, inputs, levels, lang, use, use_label,
                   grade_key(grade) if has_grade else "", grade_text)
    bases = _bases(ctx, money)
    base = valued.get("base_price")
    if base is None or pd.isna(base):  # no benchmark: nothing to correct
        why = value_codes_text(str(valued.get("value_status") or "no_base_price"), lang)
        steps = [Step(k, word(f"v_{k}", lang), "-", "；".join(why) if lang == "zh"
                      else "; ".join(why), "missing") for k in STEP_KEYS]
    else:
        steps = [_factors(ctx), _date(ctx), _plot_ratio(ctx), _term(ctx),
                 _development(ctx, money)]
    status = str(valued.get("value_status") or "")
    notes = str(valued.get("value_notes") or "")
    results = _results(ctx, money)
    return Explanation(
        facts=facts, bases=bases, steps=steps, results=results, status=status, notes=notes,
        problems=[] if status == "valued" else value_codes_text(status, lang),
        unapplied=value_codes_text(notes, lang),
    )


@dataclass
class _Context:
    system: ValuationSystem
    answer: Mapping[str, Any]
    valued: Mapping[str, Any]
    inputs: Mapping[str, Any]
    levels: Mapping[str, Any]
    lang: str
    use: str
    use_label: str
    grade: str
    grade_text: str

    def codes(self) -> set[str]:
        return set(str(self.valued.get("value_status") or "").split(";")) | set(
            str(self.valued.get("value_notes") or "").split(";"))

    def file(self, name: str) -> str:
        return f"corrections/{name}"


def _bases(ctx: _Context, money: str) -> list[tuple[str, str]]:
    lang, meta, v = ctx.lang, ctx.system.metadata, ctx.valued
    out = []
    base = v.get("base_price")
    if base is not None and not pd.isna(base):
        table = table_cite(meta, "urban_prices", lang).strip("（）() ")
        src = word("v_grade_price_src", lang, table=table, grade=ctx.grade_text,
                   use=ctx.use_label)
        shares = _shares(ctx.answer)
        if len(shares) > 1:  # an area-weighted price no gazette row prints: show the weights
            book = ctx.system.pricebook
            terms = " + ".join(f"{book.urban_price(g, ctx.use):g} × {100 * sh:.2f}%"
                             for g, sh in shares.items())
            src = word("v_weighted_src", lang, table=table, use=ctx.use_label, terms=terms)
        out.append((word("v_grade_price", lang), f"{float(base):g} {money}（{src}）"
                    if lang == "zh" else f"{float(base):g} {money} ({src})"))
        short = _short(ctx.use)
        term = ctx.answer.get(f"t_{short}")
        ratio = ctx.answer.get(f"r_{short}")
        out.append((word("v_connotation", lang), word(
            "v_connotation_text", lang, term=_g(term), ratio=_g(ratio),
            development=ctx.system.development_name or "-",
            date=str(ctx.answer.get("val_date") or "-"))))
    route = v.get("route_price")
    if route is not None and not pd.isna(route):
        cite = table_cite(meta, "routes", lang)
        depth = ctx.answer.get("route_depth") or _route_depth(ctx)
        text = word("v_route_src", lang, id=ctx.answer.get("route_id"),
                    name=ctx.answer.get("route_name"), from_=_route_end(ctx, "from_"),
                    to=_route_end(ctx, "to"), dist=f"{float(ctx.answer.get('route_m')):.1f}",
                    depth=_g(depth), table=cite)
        out.append((word("v_route_price", lang), f"{float(route):g} {money}；{text}"
                    if lang == "zh" else f"{float(route):g} {money}; {text}"))
        basis = str(v.get("price_basis") or "")
        rule = ctx.system.route_rule_zh if lang == "zh" else ctx.system.route_rule_en
        rule = (f"：{rule}" if lang == "zh" else f": {rule}") if rule else ""
        out.append((word("v_basis", lang), word(f"v_basis_{basis}", lang, rule=rule)))
    elif (ctx.system.route_use and ctx.use and ctx.use != ctx.system.route_use
          and bool(ctx.answer.get("route_in"))):
        label = ctx.system.pricebook.use_label(ctx.system.route_use, lang)
        out.append((word("v_route_price", lang), f"{word('none', lang)}（"
                    f"{word('v_route_not_use', lang, use=label)}）" if lang == "zh" else
                    f"{word('none', lang)} ({word('v_route_not_use', lang, use=label)})"))
    return out


def _shares(answer: Mapping[str, Any]) -> dict[int, float]:
    """A parcel's share of area per grade (only grades it lies in)."""
    out = {}
    for key, value in answer.items():
        k = str(key)
        if k.startswith("share_") and k[6:].isdigit() and value is not None \
                and not pd.isna(value) and float(value) > 0:
            out[int(k[6:])] = float(value)
    return out


def _short(use: str) -> str:
    from landgrade.engine.answer import use_short

    return use_short(use) if use else ""


def _route_depth(ctx: _Context) -> Any:
    try:
        return ctx.system.pricebook.route(str(ctx.answer.get("route_id"))).standard_depth_m
    except LandgradeError:  # a map's own route, not in the county's table
        return None


def _route_end(ctx: _Context, end: str) -> str:
    try:
        return str(getattr(ctx.system.pricebook.route(str(ctx.answer.get("route_id"))), end))
    except LandgradeError:
        return "-"


def _factors(ctx: _Context) -> Step:
    lang, c = ctx.lang, ctx.system.corrections
    label = word("v_k_factors", lang)
    k = ctx.valued.get("k_factors")
    given = {str(f): level_key(v) for f, v in ctx.levels.items()
             if v is not None and not pd.isna(v) and str(v).strip()}
    sep = "；" if lang == "zh" else "; "
    table = c.factors
    sub = table[(table["use"] == ctx.use) & (table["grade"] == ctx.grade)]
    if sub.empty:
        sub = table[(table["use"] == ctx.use) & (table["grade"] == "")]
    if sub.empty:
        parts = [word("v_factors_none", lang, use=ctx.use_label,
                      grade=ctx.grade_text)]
        if not c.has("factors.csv"):
            parts[0] += _paren(word("v_no_file", lang, file=ctx.file("factors.csv")), lang)
        if given:
            parts.append(word("v_factors_given_unused", lang, factors=", ".join(
                f"{f}={lv}" for f, lv in given.items())))
        state = "missing" if "no_factors_table" in ctx.codes() else "unapplied"
        return Step("k_factors", label, _pct(0.0) if state == "unapplied" else "-",
                    sep.join(parts), state)
    parts, rows = [], []
    for factor in pd.unique(sub["factor"]):
        fsub = sub[sub["factor"] == factor]
        level = given.get(str(factor), "")
        hit = fsub[fsub["level"] == (level or "一般")]
        if hit.empty:
            parts.append(f"{factor} {level or '一般'} ?")
            continue
        pct = float(hit["percent"].iloc[0])
        rows.append(int(hit["row"].iloc[0]))
        key = "v_factor_item" if level else "v_factor_assumed"
        parts.append(word(key, lang, factor=factor, level=level, pct=f"{pct:+g}"))
    ignored = [f for f in given if f not in set(sub["factor"])]
    if ignored:
        parts.append(word("v_factor_ignored", lang, factors=", ".join(ignored)))
    source = f"{_rows(ctx.file('factors.csv'), rows, lang)}：" if lang == "zh" and rows else (
        f"{_rows(ctx.file('factors.csv'), rows, lang)}: " if rows else "")
    state = "missing" if ctx.codes() & {"no_factor_level", "unknown_factor_level"} else "applied"
    return Step("k_factors", label, _pct(k), source + sep.join(parts), state)


def _paren(text: str, lang: str) -> str:
    """``（…）`` after Chinese, `` (…)`` after English."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _pct(k: Any) -> str:
    if k is None or pd.isna(k):
        return "-"
    return f"{float(k):+.4f}（{100 * float(k):+.2f}%）".replace("（", " (").replace("）", ")")


def _date(ctx: _Context) -> Step:
    lang, c = ctx.lang, ctx.system.corrections
    label = word("v_k_date", lang)
    k = ctx.valued.get("k_date")
    date = as_dates([ctx.inputs.get("date")], 1)[0]
    base = as_dates([ctx.answer.get("val_date")], 1)[0]
    if np.isnat(date):
        return Step("k_date", label, "-", value_codes_text("no_valuation_date", lang)[0],
                    "missing")
    d_text, b_text = str(date)[:10], str(base)[:10] if not np.isnat(base) else "-"
    if not np.isnat(base) and date == base:
        return Step("k_date", label, _num(1.0), word("v_date_same", lang, date=b_text), "same")
    if not c.has("date_index.csv"):
        text = word("v_date_none", lang, date=d_text, base=b_text)
        text += _paren(word("v_no_file", lang, file=ctx.file("date_index.csv")), lang)
        state = "missing" if "no_date_index" in ctx.codes() else "unapplied"
        return Step("k_date", label, _num(1.0) if state == "unapplied" else "-", text, state)
    idx = c.date_index
    xs = idx["date"].to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
    ys = idx["index"].to_numpy(dtype=float)
    rows = idx["row"].to_numpy()
    if "date_outside_index" in ctx.codes():
        return Step("k_date", label, "-", value_codes_text("date_outside_index", lang)[0],
                    "missing")
    q, b = float(date.astype(np.int64)), float(base.astype(np.int64))
    text = word("v_date_index", lang, date=d_text, base=b_text, i1=f"{np.interp(q, xs, ys):g}",
                i0=f"{np.interp(b, xs, ys):g}")
    cite = _rows(ctx.file("date_index.csv"), _bracket(xs, rows, q) + _bracket(xs, rows, b), lang)
    return Step("k_date", label, _num(k), f"{text}（{cite}）" if lang == "zh"
                else f"{text} ({cite})", "applied")


def _plot_ratio(ctx: _Context) -> Step:
    lang, c, codes = ctx.lang, ctx.system.corrections, ctx.codes()
    label = word("v_k_plot_ratio", lang)
    k = ctx.valued.get("k_plot_ratio")
    ratio = pd.to_numeric(pd.Series([ctx.inputs.get("plot_ratio")]), errors="coerce").iloc[0]
    bench = pd.to_numeric(pd.Series([ctx.answer.get(f"r_{_short(ctx.use)}")]),
                          errors="coerce").iloc[0] if ctx.use else np.nan
    if "plot_ratio_not_corrected" in codes:
        return Step("k_plot_ratio", label, _num(1.0),
                    word("v_plot_exempt", lang, use=ctx.use_label), "same")
    blocking = {"no_plot_ratio", "no_benchmark_plot_ratio", "plot_ratio_out_of_table",
                "benchmark_plot_ratio_out_of_table", "no_plot_ratio_table"}
    if codes & blocking - {"no_plot_ratio_table"}:
        return Step("k_plot_ratio", label, "-",
                    "；".join(value_codes_text(";".join(sorted(codes & blocking)), lang)),
                    "missing")
    if not np.isnan(ratio) and not np.isnan(bench) and abs(ratio - bench) <= 1e-9:
        return Step("k_plot_ratio", label, _num(1.0),
                    word("v_plot_same", lang, ratio=_g(ratio)), "same")
    sub = table_of(c.plot_ratio, ctx.use, ctx.grade)
    if sub.empty:
        text = word("v_plot_none", lang, ratio=_g(ratio), bench=_g(bench))
        if not c.has("plot_ratio.csv"):
            text += _paren(word("v_no_file", lang, file=ctx.file("plot_ratio.csv")), lang)
        return Step("k_plot_ratio", label, "-", text, "missing")
    xs, ys, rows = (sub[col].to_numpy() for col in ("plot_ratio", "coefficient", "row"))
    r1, r0 = _bracket(xs, rows, ratio), _bracket(xs, rows, bench)
    table = ctx.use_label
    if (sub["grade"] != "").any():  # the grade's own table, not the use's every-grade one
        table = f"{ctx.grade_text}{table}" if lang == "zh" else f"{table}, {ctx.grade_text}"
    text = word("v_plot_src", lang, file=ctx.file("plot_ratio.csv"), table=table,
                ratio=_g(ratio), bench=_g(bench),
                c1=f"{np.interp(ratio, xs, ys):.4f}", c0=f"{np.interp(bench, xs, ys):.4f}",
                rows1=_row_words(r1, lang), rows0=_row_words(r0, lang))
    return Step("k_plot_ratio", label, _num(k), text, "applied")


def _row_words(rows: list[int], lang: str) -> str:
    if lang == "zh":
        return f"第{'、'.join(map(str, rows))}行" + ("，" + word("v_interp", lang)
                                                    if len(rows) > 1 else "")
    return ("rows " if len(rows) > 1 else "row ") + ", ".join(map(str, rows)) + (
        ", " + word("v_interp", lang) if len(rows) > 1 else "")


def _term(ctx: _Context) -> Step:
    lang, c, codes = ctx.lang, ctx.system.corrections, ctx.codes()
    label = word("v_k_term", lang)
    k = ctx.valued.get("k_term")
    n = pd.to_numeric(pd.Series([ctx.inputs.get("term")]), errors="coerce").iloc[0]
    big_n = pd.to_numeric(pd.Series([ctx.answer.get(f"t_{_short(ctx.use)}")]),
                          errors="coerce").iloc[0] if ctx.use else np.nan
    blocking = {"no_term", "term_negative", "no_benchmark_term", "term_exceeds_benchmark"}
    if codes & blocking:
        return Step("k_term", label, "-",
                    "；".join(value_codes_text(";".join(sorted(codes & blocking)), lang)),
                    "missing")
    if abs(n - big_n) <= 1e-9:
        return Step("k_term", label, _num(1.0), word("v_term_same", lang, n=_g(n)), "same")
    if "term_from_table" in codes:
        t = c.term[(c.term["use"] == ctx.use) & (np.abs(c.term["years"] - n) < 1e-9)]
        return Step("k_term", label, _num(k), word(
            "v_term_table", lang, file=ctx.file("term.csv"), use=ctx.use_label, n=_g(n),
            k=f"{float(t['coefficient'].iloc[0]):.4f}", row=int(t["row"].iloc[0])), "applied")
    rates = c.rates[c.rates["use"] == ctx.use]
    if rates.empty:
        text = word("v_term_none", lang, n=_g(n), big_n=_g(big_n))
        if not c.has("rates.csv"):
            text += _paren(word("v_no_file", lang, file=ctx.file("rates.csv")), lang)
        return Step("k_term", label, "-", text, "missing")
    r = float(rates["rate"].iloc[0])
    src = _rows(ctx.file("rates.csv"), [int(rates["row"].iloc[0])], lang)
    return Step("k_term", label, _num(k), word(
        "v_term_formula", lang, r=f"{100 * r:g}%", src=src, n=_g(n), big_n=_g(big_n)), "applied")


def _development(ctx: _Context, money: str) -> Step:
    lang, c, codes = ctx.lang, ctx.system.corrections, ctx.codes()
    label = word("v_d_development", lang)
    d = ctx.valued.get("d_development")
    name = ctx.system.development_name or "-"
    given = development_items(ctx.inputs.get("development"))
    value = f"{float(d):+g} {money}" if d is not None and not pd.isna(d) else "-"
    if given is None:
        return Step("d_development", label, value, word("v_dev_assumed", lang, name=name),
                    "assumed")
    bench = set(ctx.system.development_items)
    parcel = bench if ctx.system.development_name and list(given) == [name] else set(given)
    changed = sorted(parcel ^ bench)
    sep = "、" if lang == "zh" else ", "
    if not changed:
        return Step("d_development", label, value, word("v_dev_same", lang, name=name), "same")
    if "development_unapplied" in codes:
        text = word("v_dev_none", lang, items=sep.join(given), name=name)
        if not c.has("development.csv"):
            text += _paren(word("v_no_file", lang, file=ctx.file("development.csv")), lang)
        return Step("d_development", label, value, text, "unapplied")
    if "no_development_item" in codes:
        return Step("d_development", label, "-",
                    value_codes_text("no_development_item", lang)[0], "missing")
    t = c.development
    parts = []
    for item in changed:
        hit = t[(t["item"] == item) & (t["use"] == ctx.use)]
        if hit.empty:
            hit = t[(t["item"] == item) & (t["use"] == "")]
        sign = "+" if item in parcel else "−"
        row = int(hit["row"].iloc[0])
        parts.append(f"{sign}{item} {float(hit['yuan_per_m2'].iloc[0]):g}（第{row}行）"
                     if lang == "zh" else
                     f"{sign}{item} {float(hit['yuan_per_m2'].iloc[0]):g} (row {row})")
    return Step("d_development", label, value, word(
        "v_dev_items", lang, file=ctx.file("development.csv"), items=sep.join(parts)), "applied")


def _chain(price: float, v: Mapping[str, Any], unit_price: float) -> str:
    kf = float(v["k_factors"])
    d = float(v["d_development"])
    sign = "+" if kf >= 0 else "−"
    dsign = "+" if d >= 0 else "−"
    return (f"{price:g} × (1 {sign} {abs(kf):.4f}) × {float(v['k_date']):.4f} × "
            f"{float(v['k_plot_ratio']):.4f} × {float(v['k_term']):.4f} {dsign} {abs(d):g} = "
            f"{unit_price:,.2f}")


def _results(ctx: _Context, money: str) -> list[tuple[str, str]]:
    lang, v = ctx.lang, ctx.valued
    if str(v.get("value_status")) != "valued":
        words = value_codes_text(str(v.get("value_status")), lang)
        sep = "；" if lang == "zh" else "; "
        return [(word("v_unit_price", lang), f"{word('v_no_price', lang)}："
                 f"{sep.join(words)}" if lang == "zh" else
                 f"{word('v_no_price', lang)}: {sep.join(words)}")]
    out = []
    area = v.get("value_area")
    area = None if area is None or pd.isna(area) else float(area)
    kinds = [("base_price", "unit_price", "total_price", "v_unit_price", "v_total_price")]
    route = ("route_price", "route_unit_price", "route_total_price", "v_route_unit_price",
             "v_route_total_price")
    basis = str(v.get("price_basis") or "")
    if basis == "route":  # the county's rule values from the road-line price: it comes first
        kinds.insert(0, route)
    elif basis in ("both", "grade", "higher"):
        kinds.append(route)
    for price_col, unit_col, total_col, unit_key, total_key in kinds:
        unit_price = float(v[unit_col])
        out.append((word(unit_key, lang),
                    f"{_chain(float(v[price_col]), v, unit_price)} {money}"))
        if area is not None:
            out.append((word(total_key, lang), f"{unit_price:,.2f} × {area:,.2f} "
                        f"{word('unit_area', lang)} = {float(v[total_col]):,.2f} "
                        f"{word('unit_money', lang)}"))
    return out


__all__ = ["STEP_KEYS", "Explanation", "Step", "explain"]
