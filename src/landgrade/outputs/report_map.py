"""The map on a 查询单: the parcel or point over the grades and nearby priced routes, or, for a
point outside the urban grading extent, the county with the extent and the point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from landgrade.gazette.labels import grade_label, word

if TYPE_CHECKING:
    from landgrade.engine.engine import Engine

MIN_WINDOW_M = 250.0  # half-height of the snippet around a point or small parcel
TARGET_COLOR = "#1f4e9e"


def draw_snippet(ax: Any, engine: Engine, geom: Any, lang: str, money: str, *,
                 overview: bool, price_text: Callable[[Any], str] = str,
                 prices: bool = True) -> None:
    """The parcel or point over grades and routes near it, with scale bar, north arrow and
    legend; ``overview``: the whole county (its outline, the extent, the point), for a target
    outside the urban grading extent, where a close-up would show an empty square. Route
    labels give id, name and road-line price, the price set by ``price_text`` (the page's
    number format); ``prices`` False: names only, for a page whose use the route table does
    not price (a residential parcel is shown no road-line price)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from landgrade.outputs.map_print import (
        data_box,
        draw_layers,
        label_routes,
        north_arrow,
        scale_bar,
        text_halo,
    )
    from landgrade.outputs.map_style import EXTENT_COLOR, grade_colors, working_layer

    gm = engine.grade_map
    colors = grade_colors(gm.grades["grade"])
    if overview:  # at county scale roads and routes are a smudge: grades and extent only
        grades = gm.grades.to_crs(engine.working_crs)
        grades.plot(ax=ax, color=[colors[g] for g in grades["grade"]], linewidth=0, zorder=1)
        gm.extent.to_crs(engine.working_crs).boundary.plot(ax=ax, color=EXTENT_COLOR,
                                                           linewidth=0.8, zorder=5)
    else:
        draw_layers(ax, gm, colors, lang=lang, route_width=1.4)
    empty = geom is None or shapely.is_empty(geom)
    handles: list[Any] = []
    if overview:
        frame = [geom] if not empty else []
        if engine.outline is not None:
            gpd.GeoSeries([engine.outline]).boundary.plot(ax=ax, color="#555555",
                                                          linewidth=0.9, zorder=3)
            handles.append(Line2D([], [], color="#555555", lw=0.9,
                                  label=word("county_outline", lang)))
            frame.append(engine.outline)
        frame.append(shapely.union_all(gm.extent.geometry.array))
        minx, miny, maxx, maxy = shapely.bounds(shapely.union_all(frame))
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half = 0.55 * max(maxy - miny, (maxx - minx) / _aspect(ax))
        handles.append(Line2D([], [], color=EXTENT_COLOR, lw=1.2, label=word("extent", lang)))
    elif empty:
        cx, cy = shapely.centroid(shapely.union_all(gm.extent.geometry.array)).coords[0]
        half = MIN_WINDOW_M * 4
    else:
        minx, miny, maxx, maxy = shapely.bounds(geom)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half = max(MIN_WINDOW_M, 0.8 * max(maxx - minx, maxy - miny))
    if not empty:
        if shapely.get_type_id(geom) in (3, 6) and not overview:
            gpd.GeoSeries([geom]).plot(ax=ax, facecolor="none", edgecolor=TARGET_COLOR,
                                       linewidth=2.0, zorder=9)
        else:
            px, py = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
            ax.plot([px], [py], marker="*", markersize=14, color=TARGET_COLOR,
                    markeredgecolor="white", zorder=9)
        if overview:
            handles.append(Line2D([], [], marker="*", color=TARGET_COLOR, lw=0, markersize=9,
                                  label=word("query_point", lang)))
    aspect = _aspect(ax)
    ax.set_xlim(cx - half * aspect, cx + half * aspect)
    ax.set_ylim(cy - half, cy + half)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    if not overview:
        handles = [Patch(facecolor=colors[g], edgecolor="none", label=grade_label(g, lang))
                   for g in sorted(colors)]
    legend = ax.legend(handles=handles, loc="lower right", fontsize=5.5 if overview else 6.5,
                       framealpha=0.9, handlelength=1.5)
    ax.apply_aspect()
    if overview:  # a small map: one bar with its length, ticks at ¼ and ½ would collide
        _plain_scale_bar(ax, lang)
        north_arrow(ax, lang)
        return
    halo = text_halo()
    obstacles = [scale_bar(ax, halo, lang), north_arrow(ax, lang),
                 legend.get_window_extent(ax.figure.canvas.get_renderer())]
    if not empty:  # labels stay off the parcel itself
        obstacles.append(data_box(ax, *shapely.bounds(geom)))
    routes = working_layer(gm, "routes")
    if routes is not None:
        window = shapely.box(cx - half * aspect, cy - half, cx + half * aspect, cy + half)
        near = routes[routes.intersects(window)]
        if len(near):
            near = near.set_geometry(near.geometry.intersection(window))
            if prices and "price" in near:  # the label's price in the page's number format
                priced = pd.notna(near["price"])
                near["name"] = near["name"].astype(str).where(
                    ~priced, near["name"].astype(str) + " "
                    + near["price"].map(price_text) + " " + money)
            before = set(ax.lines)
            texts = label_routes(near, ax, style="name", avoid=obstacles, unit=money,
                                 fontsize=6.5)
            _keep_whole_labels(ax, texts, [ln for ln in ax.lines if ln not in before],
                               obstacles)


def _keep_whole_labels(ax: Any, texts: list[Any], leaders: list[Any], obstacles: list[Any]
                       ) -> None:
    """Drop (with its leader line) every route label that would be cut by the map's edge or
    overprint another label or the scale bar, north arrow or legend: on a crowded snippet a
    label that cannot be read whole is left out (the nearest route is in the table below)."""
    import numpy as np

    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    labels = set(texts)
    # The scale bar's and north arrow's own pieces, whole (their summary boxes are tight).
    kept = [b for b in obstacles if b is not None]
    kept += [p.get_window_extent(renderer) for p in ax.patches]
    kept += [t.get_window_extent(renderer) for t in ax.texts if t not in labels]
    for t in texts:
        box = t.get_window_extent(renderer).padded(3)
        inside = (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
                  and box.y1 <= frame.y1)
        if inside and not any(box.overlaps(b) for b in kept):
            kept.append(box)
            continue
        at = np.asarray(t.get_position(), dtype=float)
        for line in leaders:
            end = np.c_[line.get_xdata(), line.get_ydata()][-1]
            if np.allclose(end, at):
                line.remove()
        t.remove()


def _plain_scale_bar(ax: Any, lang: str) -> None:
    """A plain black bar of a round length (1, 2 or 5 × 10^n m, about a quarter of the map's
    width), labelled with its length alone, in the lower left."""
    import math

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 4
    base = 10 ** math.floor(math.log10(target))
    length = max(m * base for m in (1, 2, 5) if m * base <= target)
    left, bottom = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    km = length >= 1000
    text = f"{length / 1000:g} {word('km', lang)}" if km else f"{length:g} {word('m', lang)}"
    ax.plot([left, left + length], [bottom, bottom], color="k", linewidth=2.5,
            solid_capstyle="butt", zorder=7)
    ax.text(left + length / 2, bottom + 0.02 * (y1 - y0), text, ha="center", va="bottom",
            fontsize=6, zorder=7)


def _aspect(ax: Any) -> float:
    """Width over height of the axes on the page."""
    bbox = ax.get_position(original=True)
    fig_w, fig_h = ax.figure.get_size_inches()
    return (bbox.width * fig_w) / (bbox.height * fig_h)
