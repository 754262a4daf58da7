"""The options that give a parcel's conditions to ``landgrade value`` and ``report --valuation``.

Defined once, so both commands word them alike; :func:`valuation_options` turns them into the one
:class:`~landgrade.valuation.parcels.ValuationOptions` value the valuation reads.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from landgrade.valuation.parcels import ValuationOptions

UseFieldOpt = Annotated[str | None, typer.Option(
    help="Column with each row's land use (用途: a use key or label).")]
TermOpt = Annotated[float | None, typer.Option(
    help="Remaining land-use term n, years (fractions allowed): 35.5.")]
TermFieldOpt = Annotated[str | None, typer.Option(help="Column with each row's remaining term.")]
PlotRatioOpt = Annotated[float | None, typer.Option(help="The parcel's plot ratio (容积率).")]
PlotRatioFieldOpt = Annotated[str | None, typer.Option(help="Column with each row's plot ratio.")]
DateOpt = Annotated[str | None, typer.Option(
    help="Valuation date (估价时点), 2026-12-01.")]
DateFieldOpt = Annotated[str | None, typer.Option(help="Column with each row's valuation date.")]
FactorOpt = Annotated[list[str] | None, typer.Option(
    help="A factor's level, NAME=LEVEL (交通便捷度=较优; 优/较优/一般/较劣/劣 or 1-5), "
    "repeatable; a factor not given counts as 一般.")]
FactorFieldOpt = Annotated[list[str] | None, typer.Option(
    help="NAME=FIELD: the column holding a factor's level, repeatable.")]
DevelopmentOpt = Annotated[str | None, typer.Option(
    help="The parcel's development items (通路,通电,通讯,通上水,通下水,场地平整) or the "
    "connotation's name (五通一平). Default: as the connotation, said.")]
DevelopmentFieldOpt = Annotated[str | None, typer.Option(
    help="Column with each row's development items.")]
AreaOpt = Annotated[float | None, typer.Option(help="Area, m², for the total price.")]
AreaFieldOpt = Annotated[str | None, typer.Option(
    help="Column with each row's area, m² (default: the parcel's own area).")]
AllowExpiredOpt = Annotated[bool, typer.Option(
    "--allow-expired", help="Value with a benchmark older than the county's limit for the "
    "coefficient method (metadata.json valuation.max_age_years).")]


def valuation_options(**values: Any) -> ValuationOptions:
    """The options as typed (``factor``/``factor_field`` lists of ``NAME=…``) as one value."""
    return ValuationOptions.from_cli(**values)
