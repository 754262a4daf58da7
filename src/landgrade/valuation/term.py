"""Land-use term coefficient K_term (使用年期修正系数) of GB/T 18508-2014.

K_term = [1 − 1/(1+r)^n] / [1 − 1/(1+r)^N]

r is the land return rate (土地还原率) of the use, N the term in the benchmark price's connotation
(for every published system we found, the use's legal maximum grant term: 商服 40, 住宅 70, 工业 50
years) and n the parcel's remaining term in years (fractions allowed, e.g. 63.97).

n > N: a remaining term longer than the connotation's is refused. The benchmark price is defined at
the legal maximum term (GB/T 18508: 法定最高出让年期), and no grant can run longer, so n > N means
the input is wrong (a wrong use, or a term counted from the wrong date), not a parcel worth more
than the benchmark. The market-comparison method does use ratios above 1 (a comparable with 50 years
against a subject with 70), which is why :func:`term_coefficient` takes ``allow_longer=True`` for
that case.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from landgrade.errors import LandgradeError

__all__ = ["term_coefficient", "term_coefficient_unchecked"]


def term_coefficient_unchecked(
    rate: ArrayLike, remaining_years: ArrayLike, benchmark_years: ArrayLike
) -> NDArray[np.float64]:
    """The formula alone, broadcast over arrays; NaN in → NaN out, no validation.

    Parameters
    ----------
    rate : array_like
        Land return rate as a fraction (0.0675 for 6.75 %).
    remaining_years : array_like
        Remaining term n in years.
    benchmark_years : array_like
        Connotation term N in years.

    Returns
    -------
    numpy.ndarray
        K_term, float64, broadcast shape of the inputs.
    """
    r = np.asarray(rate, dtype=np.float64)
    n = np.asarray(remaining_years, dtype=np.float64)
    big_n = np.asarray(benchmark_years, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        base = 1.0 + r
        return (1.0 - base**-n) / (1.0 - base**-big_n)


def term_coefficient(
    rate: ArrayLike,
    remaining_years: ArrayLike,
    benchmark_years: ArrayLike,
    *,
    allow_longer: bool = False,
) -> NDArray[np.float64]:
    """K_term for each parcel, validated.

    Parameters
    ----------
    rate : array_like
        Land return rate(s) as fractions, > 0 (a rate ≥ 1 is taken to be a percent and refused).
    remaining_years : array_like
        Remaining term(s) n in years, ≥ 0; fractions allowed.
    benchmark_years : array_like
        Connotation term(s) N in years, > 0.
    allow_longer : bool, default False
        Accept n > N (only for the market-comparison use of the formula; see the module docstring).

    Returns
    -------
    numpy.ndarray
        K_term, float64, in the broadcast shape of the inputs. NaN inputs give NaN.

    Raises
    ------
    LandgradeError
        On rate ≤ 0 or ≥ 1, negative years, N ≤ 0, or n > N without ``allow_longer``; the
        message names the first offending position and value.
    """
    r, n, big_n = np.broadcast_arrays(
        np.asarray(rate, dtype=np.float64),
        np.asarray(remaining_years, dtype=np.float64),
        np.asarray(benchmark_years, dtype=np.float64),
    )
    _refuse(r <= 0, r, "land return rate must be > 0 (a fraction, e.g. 0.0675 for 6.75 %)")
    _refuse(r >= 1, r, "land return rate must be a fraction below 1; write 6.75 % as 0.0675")
    _refuse(n < 0, n, "remaining years must not be negative")
    _refuse(big_n <= 0, big_n, "the connotation's term N must be > 0 years")
    if not allow_longer:
        _refuse(
            n > big_n,
            n,
            "remaining years exceed the connotation's term N (the legal maximum grant term); "
            "check the use and the date the term is counted from",
        )
    return term_coefficient_unchecked(r, n, big_n)


def _refuse(bad: NDArray[np.bool_], values: NDArray[np.float64], why: str) -> None:
    if np.any(bad):
        flat = np.flatnonzero(bad.ravel())
        value = float(values.ravel()[flat[0]])
        raise LandgradeError(
            f"{why}: value {value:g} at position {int(flat[0])} ({flat.size} such value(s))"
        )
