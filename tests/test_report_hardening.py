"""Hardening of ``landgrade report``: the report findings of issue 22, reproduced.

Copied from the review's reproductions (tests/test_hardening_cli.py of the review branch, the
functions whose names start with ``test_report_`` and their helpers): pages are drawn and saved
one at a time (at most one or two figures open, none left after); ``-o FOLDER`` refuses to
replace a file already there, naming it; ``-o d.pdf`` where d.pdf is a folder names d.pdf.

The map is test_engine's hand map (grade 1 west of x=100, grade 2 east; routes R1 along y=100,
R2 along x=50) with the bundled county's tables, through test_assign_cli's ``setup`` fixture.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from test_assign_cli import setup  # noqa: F401  (the fixture: hand map + county folder)
from test_engine import CRS, box
from typer.testing import CliRunner

runner = CliRunner()


def _app():
    from landgrade.cli import app

    return app


def cli(*args: object):
    return runner.invoke(_app(), [str(a) for a in args])


def _parcels(path: Path, n: int = 3, ids: list[str] | None = None) -> Path:
    """``n`` 20 m squares inside the hand map, with a 宗地号 column."""
    gpd.GeoDataFrame(
        {"宗地号": ids or [f"P{i + 1}" for i in range(n)]},
        geometry=[box(10 + 60 * i, 20, 30 + 60 * i, 40) for i in range(n)], crs=CRS,
    ).to_file(path)
    return path


# === Finding: report — matplotlib figures never closed (all pages alive at once) =============
# Today: parcel_report._file_report builds every page first (report_pages returns a list of
# open figures, ~6.5 MB each) and _write saves and closes them only at the end, so 160 parcels
# peak at 1.3 GB. Correct: each page is drawn, saved and closed before the next is drawn (at
# most one or two figures open at any time) and none is left open afterwards.

@pytest.mark.parametrize("out", ["report.pdf", "pages"])
def test_report_keeps_at_most_one_page_open_and_closes_all(setup, tmp_path, monkeypatch,  # noqa: F811
                                                            out) -> None:
    # Finding: report figures never closed.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure
    import matplotlib.pyplot as plt

    _, opts = setup
    parcels = _parcels(tmp_path / "parcels.gpkg", n=6)
    open_at_save: list[int] = []
    savefig = matplotlib.figure.Figure.savefig

    def counting_savefig(self, *args, **kwargs):
        open_at_save.append(len(plt.get_fignums()))
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", counting_savefig)
    plt.close("all")
    res = cli("report", parcels, "-o", tmp_path / out, *opts)
    assert res.exit_code == 0, res.output
    assert len(open_at_save) == 6
    assert plt.get_fignums() == [], "figures left open after the report"
    assert max(open_at_save) <= 2, (
        f"{max(open_at_save)} figures were open while a page was saved: every page of the "
        "report is held in memory at once")


# === Finding: report -o FOLDER/ silently replaces files already there =========================
# Today: parcel_report._write writes FOLDER/<id>.pdf through atomic_output whatever is there.
# `landgrade report` has no --force/--overwrite option, so (chosen) the correct behaviour is a
# refusal before any page is written: exit 2 naming the file that exists, and the folder left
# byte for byte as it was.

def test_report_to_a_folder_refuses_to_replace_an_existing_page(setup, tmp_path) -> None:  # noqa: F811
    # Finding: report -o FOLDER/ replaces existing files.
    _, opts = setup
    parcels = _parcels(tmp_path / "parcels.gpkg", n=2)
    folder = tmp_path / "查询单"
    folder.mkdir()
    (folder / "P1.pdf").write_bytes(b"last year's signed report")
    res = cli("report", parcels, "-o", folder, *opts)
    assert res.exit_code == 2, res.output
    assert "P1.pdf" in res.output
    assert (folder / "P1.pdf").read_bytes() == b"last year's signed report"
    assert sorted(p.name for p in folder.iterdir()) == ["P1.pdf"], "pages written before refusing"


# === Finding: report -o d.pdf where d.pdf is a folder names the internal temporary file =======
# Today: `error: .d.lgtmp-<hex>.pdf: Is a directory` (io.atomic_output's temporary name, from
# the OSError in cli.friendly). Correct: exit 2 naming d.pdf and saying it is a folder.

def test_report_to_a_pdf_name_that_is_a_folder_names_it(setup, tmp_path) -> None:  # noqa: F811
    # Finding: report -o d.pdf (a folder) error names the temporary file.
    _, opts = setup
    parcels = _parcels(tmp_path / "parcels.gpkg", n=1)
    (tmp_path / "d.pdf").mkdir()
    res = cli("report", parcels, "-o", tmp_path / "d.pdf", *opts)
    assert res.exit_code == 2, res.output
    assert "lgtmp" not in res.output, res.output
    assert "d.pdf" in res.output and ("folder" in res.output or "directory" in res.output)
