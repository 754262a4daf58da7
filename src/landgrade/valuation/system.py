"""A county's valuation system: its correction tables plus what its gazette and metadata say.

:func:`load_system` gathers, for a county folder (its price book,
:class:`~landgrade.gazette.pricebook.PriceBook`):

- the correction tables of ``corrections/`` (:mod:`landgrade.valuation.corrections`), their uses
  resolved to the county's use keys by :func:`resolve_use`; none when the folder has none;
- the benchmark's development level (开发程度) from ``metadata.json`` ``development_level``:
  its name (``name_zh``, 五通一平) and items (``items_zh``: 通路, 通电, …, 场地平整);
- which use the road-line prices (路线价) belong to, ``tables.routes.use`` (Dongkou: commercial);
- the ``valuation`` block of ``metadata.json``, every key optional::

      "valuation": {
        "route_price_rule": "route" | "grade" | "higher",   which price a parcel within a
        "route_price_rule_zh": "…", "route_price_rule_en": "…",  route's depth is valued from
        "update_period_years": 3, "max_age_years": 6,           the benchmark's validity, from
        "validity_rule_zh": "…", "validity_rule_en": "…",       its 估价期日, and the rule's
        "validity_source": "…",                                 text and source
        "plot_ratio_not_corrected": ["industrial"],             uses without a plot-ratio table
        "require_date_index": false, "require_factors": false   block instead of noting
      }

A value in the wrong form is a :class:`~landgrade.gazette.county.CountyDataError` naming the key.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from landgrade.errors import LandgradeError
from landgrade.gazette.county import CountyDataError
from landgrade.valuation.corrections import Corrections, load_corrections

ROUTE_RULES = ("grade", "route", "higher")


def resolve_use(pricebook: Any, text: str) -> str:
    """The county's use key of a parcel's (or a correction table's) land use: ``商服用地``,
    ``商服`` or ``commercial`` → ``commercial``; a :class:`LandgradeError` naming the county's
    uses for any other text.

    The one place a valuation reads a land use: the county's one land-use resolver
    (:func:`landgrade.gazette.use_resolver.resolve_uses`), so a class code or name of the
    declared standard (0501, 城镇住宅用地) reads as in ``assign``; a class the county splits
    (体育用地) or does not price is refused with the resolver's own message.
    """
    from landgrade.gazette.use_resolver import resolve_uses

    use, status, message = resolve_uses([text], pricebook)
    if status[0] != "ok" or use[0] is None:
        raise LandgradeError(str(message[0] or f"{text}: not a land use of this county"))
    return str(use[0])


@dataclass(frozen=True)
class Validity:
    """How long the benchmark may be used for the coefficient method, and the rule that says so.

    Ages are counted from the benchmark's 估价期日 to the valuation date, in calendar years.
    """

    update_period_years: float | None = None
    max_age_years: float | None = None
    rule_zh: str = ""
    rule_en: str = ""
    source: str = ""

    def rule(self, lang: str) -> str:
        """The rule's text in ``lang`` (else the other language), with its source."""
        text = (self.rule_zh or self.rule_en) if lang == "zh" else (self.rule_en or self.rule_zh)
        return f"{text}（{self.source}）" if self.source and lang == "zh" else (
            f"{text} ({self.source})" if self.source else text)


@dataclass(frozen=True)
class ValuationSystem:
    """Everything a valuation reads of one county besides the grade map (see the module
    docstring)."""

    pricebook: Any
    corrections: Corrections
    development_name: str | None
    development_items: tuple[str, ...]
    route_use: str | None
    route_rule: str | None
    route_rule_zh: str
    route_rule_en: str
    validity: Validity
    plot_ratio_exempt: frozenset[str]
    require_date_index: bool = False
    require_factors: bool = False

    @property
    def metadata(self) -> Mapping[str, Any]:
        return getattr(self.pricebook, "metadata", None) or {}

    def use(self, text: str) -> str:
        """:func:`resolve_use` with this county's price book."""
        return resolve_use(self.pricebook, text)


def load_system(pricebook: Any) -> ValuationSystem:
    """The valuation system of the county whose price book is ``pricebook``."""
    meta: Mapping[str, Any] = getattr(pricebook, "metadata", None) or {}
    where = f"{pricebook.folder.path('metadata.json')}"
    block = meta.get("valuation") or {}
    if not isinstance(block, Mapping):
        raise CountyDataError(f"{where}: valuation must be an object, e.g. "
                              '{"route_price_rule": "route", "max_age_years": 6}')
    folder = pricebook.folder.path("corrections")
    if folder.is_dir():
        corrections = load_corrections(folder, _benchmark_years(pricebook),
                                       use_key=lambda t: resolve_use(pricebook, t))
    else:
        corrections = Corrections.empty()
    name, items = _development(meta, where)
    rule = block.get("route_price_rule")
    if rule is not None and rule not in ROUTE_RULES:
        raise CountyDataError(f"{where}: valuation.route_price_rule {rule!r}: write one of "
                              f"{', '.join(ROUTE_RULES)}, or leave it out (both prices shown)")
    exempt = block.get("plot_ratio_not_corrected") or []
    if not isinstance(exempt, list):
        raise CountyDataError(f"{where}: valuation.plot_ratio_not_corrected must be a list of "
                              'uses, e.g. ["industrial"]')
    return ValuationSystem(
        pricebook=pricebook,
        corrections=corrections,
        development_name=name,
        development_items=items,
        route_use=_route_use(pricebook, meta, where),
        route_rule=rule,
        route_rule_zh=str(block.get("route_price_rule_zh") or ""),
        route_rule_en=str(block.get("route_price_rule_en") or ""),
        validity=_validity(block, where),
        plot_ratio_exempt=frozenset(resolve_use(pricebook, str(u)) for u in exempt),
        require_date_index=bool(block.get("require_date_index", False)),
        require_factors=bool(block.get("require_factors", False)),
    )


def _benchmark_years(pricebook: Any) -> dict[str, float]:
    """The urban connotation's term N per use, where every grade has the same (as published)."""
    out = {}
    for use in pricebook.uses:
        terms = {pricebook.connotation(g, use).term_years for g in pricebook.grades}
        if len(terms) == 1:
            out[use] = float(terms.pop())
    return out


def _development(meta: Mapping[str, Any], where: str) -> tuple[str | None, tuple[str, ...]]:
    level = meta.get("development_level")
    if isinstance(level, Mapping) and "name_zh" not in level and "urban" in level:
        level = level["urban"]  # one level per area: the urban one is the grade benchmark's
    if isinstance(level, str):
        return level, ()
    if not isinstance(level, Mapping):
        return None, ()
    items = level.get("items_zh") or []
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise CountyDataError(f"{where}: development_level.items_zh must list the items, e.g. "
                              '["通路", "通电", "通讯", "通上水", "通下水", "场地平整"]')
    return (str(level.get("name_zh") or "") or None), tuple(items)


def _route_use(pricebook: Any, meta: Mapping[str, Any], where: str) -> str | None:
    tables = meta.get("tables") or {}
    routes = tables.get("routes") if isinstance(tables, Mapping) else None
    use = routes.get("use") if isinstance(routes, Mapping) else None
    if use is None:
        return None
    try:
        return resolve_use(pricebook, str(use))
    except LandgradeError as exc:  # reworded with the key it came from
        raise CountyDataError(f"{where}: tables.routes.use: {exc}") from None


def _validity(block: Mapping[str, Any], where: str) -> Validity:
    years = {}
    for key in ("update_period_years", "max_age_years"):
        value = block.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)
                                  or value <= 0):
            raise CountyDataError(f"{where}: valuation.{key} {value!r}: give years > 0")
        years[key] = None if value is None else float(value)
    period, limit = years["update_period_years"], years["max_age_years"]
    if period is not None and limit is not None and limit < period:
        raise CountyDataError(f"{where}: valuation.max_age_years {limit:g} is shorter than "
                              f"update_period_years {period:g}")
    rule_zh = str(block.get("validity_rule_zh") or "")
    rule_en = str(block.get("validity_rule_en") or "")
    if (period is not None or limit is not None) and not (rule_zh or rule_en):
        raise CountyDataError(f"{where}: valuation gives the benchmark's validity in years but "
                              "not the rule's text; quote it in validity_rule_zh (and its "
                              "source in validity_source)")
    return Validity(period, limit, rule_zh, rule_en, str(block.get("validity_source") or ""))
