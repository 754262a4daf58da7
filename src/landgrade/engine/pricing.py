"""How rows are priced: one value, made once by the command or the request, used everywhere.

Beyond its position, a row's answer depends on how it is to be priced: outside the urban
grading extent Table 8 prices a town's land by the town and its town grade, given for every
row (``town``, ``town_grade``), per row (``town_field``, ``town_grade_field``) or by a township
layer (``towns``); a row's own land use (``use_field``, its class codes read in
``use_standard``) picks its price and total; and the answer is told in a language
(``lang``). :class:`PricingOptions` holds them, checked once when it is made, so
``landgrade locate``/``assign``/``report``, the HTTP service and every dask worker price a row
alike and refuse the same wrong values with the same message.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from landgrade.engine.towns import TownLayer, load_towns
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import check_lang


class PricingOptionsError(LandgradeError):
    """A pricing option that would make every row wrong; the message names it."""


@dataclass(frozen=True)
class PricingOptions:
    """How rows are priced; the defaults price by position only (Table 6, no town, no use).

    ``towns`` is a loaded :class:`landgrade.engine.towns.TownLayer`: it travels with the
    options (to a dask worker too), so the layer file is read once.
    """

    town: str | None = None
    town_grade: int | None = None
    towns: TownLayer | None = None
    town_field: str | None = None
    town_grade_field: str | None = None
    use_field: str | None = None
    lang: str | None = None
    use_standard: str | None = None

    def __post_init__(self) -> None:
        grade = self.town_grade
        if grade is not None:
            # Table 8 numbers town grades 1, 2, …: zero, a negative or a fraction names none.
            whole = isinstance(grade, numbers.Real) and not isinstance(grade, bool) \
                and float(grade).is_integer()
            if not whole or grade < 1:
                raise PricingOptionsError(
                    f"--town-grade {grade!r}: a town grade is a whole number, 1 or more")
            object.__setattr__(self, "town_grade", int(grade))
        if self.lang is not None:
            check_lang(self.lang)
        if self.use_standard is not None:
            from landgrade.gazette.landuse import vocabulary

            vocabulary().check_standard(self.use_standard)

    @classmethod
    def from_options(
        cls,
        *,
        town: str | None = None,
        town_grade: int | None = None,
        towns_file: str | Path | None = None,
        town_field: str | None = None,
        town_grade_field: str | None = None,
        use_field: str | None = None,
        lang: str | None = None,
        use_standard: str | None = None,
    ) -> PricingOptions:
        """The options as the commands take them. With a township layer file ``towns_file``,
        ``town_field`` names that layer's town-name field (default: detected); without one, it
        is the input's column holding each row's town. The values are checked before the layer
        is read."""
        options = cls(town=town, town_grade=town_grade,
                      town_field=None if towns_file is not None else town_field,
                      town_grade_field=town_grade_field, use_field=use_field, lang=lang,
                      use_standard=use_standard)
        if towns_file is None:
            return options
        return replace(options, towns=load_towns(towns_file, town_field))

    @property
    def prices_towns(self) -> bool:
        """Whether any row may get town prices (Table 8): a town grade is given."""
        return self.town_grade is not None or self.town_grade_field is not None

    def check_town_prices(self) -> None:
        """Town prices need both a town and its town grade; a township layer names the town
        (and alone, without a town grade, only names it)."""
        named = self.town is not None or self.town_field is not None
        if (named and not self.prices_towns) or (self.prices_towns and not named
                                                 and self.towns is None):
            raise PricingOptionsError(
                "town prices need both a town and its town grade: give --town with "
                "--town-grade, or --town-field with --town-grade-field"
            )


def check_column(name: str, columns: Any, where: str = "", option: str = "--use-field") -> None:
    """The column ``option`` names (``--use-field 用途``) must be one of ``columns``; else an
    error listing the columns there are (the closest first), so a typo is fixed at once."""
    import difflib

    names = [str(c) for c in columns]
    if name in names:
        return
    close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.4)
    hint = f"closest: {', '.join(close)}; " if close else ""
    raise PricingOptionsError(
        f"{where}{option} {name!r} is not a column; {hint}columns: {', '.join(names) or 'none'}")


def pricing_of(pricing: PricingOptions | None, **keywords: Any) -> PricingOptions:
    """``pricing``; or, for callers of the older API, the options that the separate keywords
    (``town=``, ``town_grade=``, ``towns=``, …) make. Both at once is an error: one of them
    would be silently ignored."""
    given = {k: v for k, v in keywords.items() if v is not None}
    if pricing is None:
        return PricingOptions(**given)
    if given:
        raise TypeError(f"give pricing= or {', '.join(given)}=, not both")
    return pricing
