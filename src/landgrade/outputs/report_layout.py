"""How the 查询单 sets figures and tables: one number format, measured wrapping, boxed tables.

Numbers follow one rule on the whole page (:class:`Numbers`): amounts (prices, areas, totals,
distances) carry a thousands separator; prices have the decimals their table is published
with (whole yuan in Dongkou), areas, totals and distances two (0.01 m², fen, centimetres, as
the answer schema rounds them), shares two decimals of a percent, plot ratios the decimals of
the connotation table (at least one: 1.0, 2.3), terms whole years, published measures (a
standard depth of 20 m) the decimals they are published with. In tables, numbers are
right-aligned, text left-aligned and heads centred.

Text is wrapped by its measured width in the page's font (a CJK character is wider than a
Latin letter), so a long value or head grows its row instead of running out of its cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from landgrade.engine.answer import published_decimals

DASH = "-"
LINE_IN = 0.165  # one wrapped line of 8.5 pt table text, inches
PAD_IN = 0.09  # a cell's top and bottom padding together, inches


@dataclass(frozen=True)
class Numbers:
    """The page's one number format (see the module docstring)."""

    price_decimals: int = 0
    ratio_decimals: int = 1

    @classmethod
    def of(cls, prices: Any, ratios: Any) -> Numbers:
        """Decimals as published: those of every price and every plot ratio of the county."""
        p = np.asarray(prices, dtype=float)
        r = np.asarray(ratios, dtype=float)
        return cls(published_decimals(p) if np.isfinite(p).any() else 0,
                   max(1, published_decimals(r)) if np.isfinite(r).any() else 1)

    def price(self, v: Any) -> str:
        return _fixed(v, self.price_decimals)

    def amount(self, v: Any) -> str:
        """Areas (m²), totals (yuan) and distances (m)."""
        return _fixed(v, 2)

    def published(self, v: Any) -> str:
        """A published measure (a standard depth of 20 m) with the decimals it has (0–2)."""
        return DASH if _missing(v) else _fixed(v, published_decimals([float(v)]))

    def ratio(self, v: Any) -> str:
        return DASH if _missing(v) else f"{float(v):.{self.ratio_decimals}f}"

    def term(self, v: Any) -> str:
        return DASH if _missing(v) else f"{int(v):d}"

    def share(self, v: Any) -> str:
        return DASH if _missing(v) else f"{100 * float(v):.2f}%"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and not np.isfinite(v))


def _fixed(v: Any, decimals: int) -> str:
    return DASH if _missing(v) else f"{float(v):,.{decimals}f}"


# What a line may not break inside: a short bracketed cite (（表8）), a Latin word with what
# sticks to it, a character with the closing punctuation after it (no line starts with ，).
_CLOSERS = "，。；：、）》」”’！？,.;:!?)"
_TOKENS = re.compile(
    rf"（[^（）]{{1,8}}）[{_CLOSERS}]*|[A-Za-z0-9\-.,:;!?()'\"%²/+×=#&_〔〕]+[{_CLOSERS}]*\s*"
    rf"|\s+|.[{_CLOSERS}]*")


def wrap(text: str, width_in: float, fontsize: float, renderer: Any, dpi: float) -> list[str]:
    """``text`` broken into lines no wider than ``width_in`` at ``fontsize`` (measured with the
    figure's ``renderer`` in the current font); a line break in ``text`` is kept."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=fontsize)
    limit = width_in * dpi

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0]

    lines: list[str] = []
    for para in str(text).split("\n"):
        line = ""
        for tok in _TOKENS.findall(para):
            if line and width((line + tok).rstrip()) > limit:
                lines.append(line.rstrip())
                line = tok.lstrip()
                while line and width(line) > limit:  # one token wider than the line
                    cut = max(1, len(line) - 1)
                    while cut > 1 and width(line[:cut]) > limit:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
            else:
                line += tok
        lines.append(line.rstrip())
    return lines


@dataclass
class Table:
    """A boxed table: ``rows`` of cell texts, an optional ``header``, column ``widths`` (shares
    of the table's width) and each column's alignment (``left``, ``right``, ``center``)."""

    rows: list[list[str]]
    header: list[str] | None
    widths: Sequence[float]
    align: Sequence[str]
    shade_first_column: bool = False
    fontsize: float = 8.5
    pad_in: float = PAD_IN

    def layout(self, fig: Any, width_in: float) -> list[tuple[list[list[str]], float]]:
        """Each row (header first) as wrapped cell lines with the row's height, inches."""
        renderer = fig.canvas.get_renderer()
        out = []
        # English heads start with a capital (Chinese ones are unchanged).
        header = [h[:1].upper() + h[1:] for h in self.header] if self.header else None
        for row in ([header] if header else []) + self.rows:
            cells = [wrap(text, w * width_in - 0.1, self.fontsize, renderer, fig.dpi)
                     for text, w in zip(row, self.widths, strict=True)]
            lines = max(len(c) for c in cells)
            out.append((cells, lines * LINE_IN * self.fontsize / 8.5 + self.pad_in))
        return out

    def height(self, fig: Any, width_in: float) -> float:
        return sum(h for _, h in self.layout(fig, width_in))

    def draw(self, fig: Any, top_in: float, x0_in: float, width_in: float) -> float:
        """Draw with its top ``top_in`` inches below the page top; returns its bottom."""
        from matplotlib.table import Table as MplTable

        w_fig, h_fig = fig.get_size_inches()
        rows = self.layout(fig, width_in)
        height = sum(h for _, h in rows)
        ax = fig.add_axes((x0_in / w_fig, 1 - (top_in + height) / h_fig, width_in / w_fig,
                           height / h_fig))
        ax.set_axis_off()
        table = MplTable(ax, bbox=(0, 0, 1, 1))
        for r, (cells, h) in enumerate(rows):
            head = self.header is not None and r == 0
            for c, lines in enumerate(cells):
                loc = "center" if head else self.align[c]
                cell = table.add_cell(r, c, width=self.widths[c], height=h / height,
                                      text="\n".join(lines), loc=loc)
                cell.set_linewidth(0.5)
                cell.PAD = 0.05 / (self.widths[c] * width_in)  # 0.05 in, as a share of the cell
                cell.get_text().set_linespacing(1.25)
                if head:
                    cell.set_facecolor("#eeeeee")
                elif self.shade_first_column and c == 0:
                    cell.set_facecolor("#f5f5f5")
        table.auto_set_font_size(False)
        table.set_fontsize(self.fontsize)
        ax.add_table(table)
        return top_in + height
