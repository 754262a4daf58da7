"""Frame and array helpers of the engine: answer frames built from blocks without copies,
per-row grade from area shares, and the join of answer columns onto the input's columns."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd


def onehot(col: np.ndarray, width: int) -> np.ndarray:
    """(len(col) × width) 0/1 matrix sending zone row i to column ``col[i]``."""
    m = np.zeros((len(col), width))
    m[np.arange(len(col)), col] = 1.0
    return m


def categorical(codes: np.ndarray, categories: Any) -> pd.Categorical:
    """A categorical from codes already known to be in range (no validation pass)."""
    dtype = pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def frame_from_blocks(blocks: list[tuple[Any, list[int]]], columns: list[str], n: int
                       ) -> pd.DataFrame:
    """A DataFrame whose columns are the given 2-D blocks / 1-D arrays at the given places."""
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pandas < 3: build per column (slower, same frame)
        cols: dict[int, Any] = {}
        for arr, place in blocks:
            if getattr(arr, "ndim", 1) == 2:
                cols.update({p: arr[i] for i, p in enumerate(place)})
            else:
                cols[place[0]] = arr
        return pd.DataFrame({columns[p]: cols[p] for p in range(len(columns))},
                            index=pd.RangeIndex(n))
    return create_dataframe_from_blocks(
        [(arr, np.asarray(place)) for arr, place in blocks],
        index=pd.RangeIndex(n), columns=pd.Index(columns))


def numeric_column(df: pd.DataFrame, col: str) -> np.ndarray:
    """A column as floats (text that is no number: NaN); all NaN when the frame has none."""
    if col not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)


def best_grade(shares: np.ndarray, grades: list[int]) -> np.ndarray:
    """Grade with the largest share per row (ties: the better grade); -1 when no share."""
    if shares.shape[1] == 0:
        return np.full(len(shares), -1)
    best = np.asarray(grades)[np.argmax(shares, axis=1)]  # argmax keeps the first maximum
    return np.where(shares.max(axis=1) > 0, best, -1)


def join_answer(gdf: gpd.GeoDataFrame, answer: pd.DataFrame) -> gpd.GeoDataFrame:
    """Input columns then answer columns.

    A graded input (one carrying ``in_extent``, ``status`` and ``message``) has its old answer
    columns replaced by the new ones; any other input column named like an answer column is
    kept as ``src_<name>`` (``src_src_<name>`` if that is taken too), never overwritten.
    """
    gname = gdf.geometry.name
    base = gdf
    if {"in_extent", "status", "message"} <= set(gdf.columns):
        base = gdf.drop(columns=[c for c in answer.columns if c in gdf.columns and c != gname])
    taken = set(map(str, base.columns)) | set(map(str, answer.columns))
    renames: dict[Any, str] = {}
    for c in answer.columns:
        if c in base.columns and c != gname:
            new = f"src_{c}"
            while new in taken:
                new = f"src_{new}"
            taken.add(new)
            renames[c] = new
    base = base.rename(columns=renames) if renames else base
    out = pd.concat([pd.DataFrame(base), answer], axis=1)
    # copy=False: the columns are fresh or copy-on-write views; a copy here costs as much as
    # building the answer.
    return gpd.GeoDataFrame(out, geometry=gname, crs=gdf.crs, copy=False)
