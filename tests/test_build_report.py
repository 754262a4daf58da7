"""`landgrade build`'s printed report fits a 100-column terminal; the full one is a CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pyogrio
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.text import display_width


def test_printed_report_fits_100_columns_and_ends_naming_the_warnings(
    tmp_path: Path, dongkou_dir: Path
) -> None:
    out, report = tmp_path / "grades.gpkg", tmp_path / "report.csv"
    res = CliRunner().invoke(
        app, ["build", "--county", str(dongkou_dir), "-o", str(out), "--report", str(report)],
        env={"LANDGRADE_CACHE": str(tmp_path / "cache")},
    )
    assert res.exit_code == 0, res.output
    lines = res.stdout.rstrip("\n").split("\n")
    assert max(display_width(line) for line in lines) <= 100
    with report.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    layer = pyogrio.read_dataframe(out, layer="report", read_geometry=False)
    assert len(rows) == len(layer) > 100  # the CSV is the whole report, uncut
    warned = [r for r in rows if r["status"] == "warning"]
    assert warned, "the bundled build has rows with warnings"
    last = lines[-1]
    assert last.startswith(f"{len(warned)} row(s) with warnings: ")
    for r in warned:
        assert " ".join(v for v in (r["kind"], r["clause"], r["item"]) if v) in last
        # each warning is printed in full, wrapped, under its row
        assert r["warnings"].split(";")[0].split()[0] in res.stdout
