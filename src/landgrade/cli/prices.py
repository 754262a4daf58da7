"""``landgrade prices``: print a county's price tables, and write them as a table when asked."""

from __future__ import annotations

from pathlib import Path

from landgrade.gazette.county import CountyFolder, county_inputs
from landgrade.gazette.labels import lang_for, word
from landgrade.gazette.price_records import PriceBookError
from landgrade.gazette.pricebook import load_pricebook
from landgrade.io.atomic import check_output
from landgrade.io.formats import TABLE_SUFFIXES
from landgrade.io.tables import write_table
from landgrade.outputs.price_tables import (
    format_routes,
    format_town_prices,
    format_urban_prices,
    localized_prices_table,
    prices_table,
)


def print_prices(
    county: str | Path | CountyFolder | None = None,
    *,
    town: str | None = None,
    grade: int | None = None,
    routes: bool = False,
    output: str | Path | None = None,
    lang: str | None = None,
) -> None:
    """``landgrade prices``: print the urban table, one town's prices, or the route segments;
    with ``output`` (``.csv`` or ``.xlsx``), also write them as a table; in ``lang`` (default:
    the county's)."""
    import typer

    inputs = county_inputs(county if not isinstance(county, CountyFolder) else county.root)
    if output is not None:
        check_output(output, inputs, suffixes=TABLE_SUFFIXES)
    book = load_pricebook(county)
    if routes and town is not None:
        raise PriceBookError(
            "--routes lists the urban road-line prices; leave out --town, or drop --routes"
        )
    lang = lang_for(lang, book.metadata)
    if output is not None:
        table = prices_table(book, town=town, grade=grade, routes=routes)
        write_table(localized_prices_table(book, table, routes=routes, lang=lang), output,
                    inputs)
    if routes:
        text = format_routes(book, grade, lang)
    elif town is not None:
        text = format_town_prices(book, town, grade, lang)
    else:
        text = format_urban_prices(book, grade, lang)
    typer.echo(text)
    if output is not None:
        typer.echo(word("wrote", lang, path=output))
