"""Per-use grading: each land use its own grade and price.

Many counties publish one grade-zone description per land use (one Table 5 for 商服, one for
住宅, …), so a point can be commercial grade 1 and residential grade 2. Such a grade map holds
one grades layer per described use (:attr:`landgrade.build.grade_map.GradeMap.use_grades`)
besides its main ``grades`` (the ``all`` description, for every use without one of its own; or,
without it, the first use's).

Every answer then carries, per described use ``u``, ``grade_<u>`` (``grade_comm``,
``grade_resi``: 10 characters, as every answer column) — that use's grade at the row (a parcel:
the grade holding the largest share of it under that use's grading) — and that use's
``p_<u>``/``t_<u>``/``r_<u>`` are the prices of *its* grade. A use without a description of its
own takes the main grading's prices when the county has an ``all`` description, and has no
price at all when it has none (never another use's grade). Town prices (outside the urban
extent) are as for any map. A map with a single grading has none of these columns: its answers
are exactly what they always were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from landgrade.engine.answer import use_short
from landgrade.gazette.county import ALL_USES


def use_engines(engine: Any) -> dict[str, Any]:
    """One engine per described use, over that use's grades (same extent, routes, prices)."""
    from dataclasses import replace

    gm = engine.grade_map
    return {use: type(engine)(replace(gm, grades=layer, use_grades={}), engine.pricebook,
                              outline=engine.outline)
            for use, layer in gm.use_grades.items()}


def with_use_grades(engine: Any, answer: pd.DataFrame,
                    ask: Callable[[Any], pd.DataFrame]) -> pd.DataFrame:
    """``answer`` with ``grade_<u>`` after ``grade`` and each described use's prices from its
    own grade; ``ask`` gives a use engine's answer to the same rows, in the same order."""
    pc = engine._prices
    town = (answer["price_src"].astype(str) == "town").to_numpy()
    grades: dict[str, Any] = {}
    for use, sub in engine.use_engines.items():
        own = ask(sub)
        k = use_short(use)
        grades[f"grade_{k}"] = pd.array(own["grade"].to_numpy(), dtype="Int64")
        if use in pc.uses:
            for col in (f"p_{k}", f"t_{k}", f"r_{k}"):
                answer[col] = _where(town, answer[col], own[col])
    if str(engine.grade_map.metadata.get("main_grading", ALL_USES)) != ALL_USES:
        # No `all` description: a use without its own has no grading, so no urban price.
        for use in pc.uses:
            if use in engine.use_engines:
                continue
            k = use_short(use)
            for col in (f"p_{k}", f"t_{k}", f"r_{k}"):
                answer[col] = answer[col].where(pd.Series(town, index=answer.index))
    at = answer.columns.get_loc("grade") + 1
    for offset, (col, values) in enumerate(grades.items()):
        answer.insert(at + offset, col, values)
    return answer


def _where(keep: np.ndarray, old: pd.Series, new: pd.Series) -> Any:
    """``old`` where ``keep``, else ``new`` (by position), in ``old``'s dtype."""
    values = pd.Series(new.array, index=old.index).astype(old.dtype)
    return old.where(pd.Series(keep, index=old.index), values)
