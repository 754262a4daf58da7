"""`landgrade build`'s printed report fits a 100-column terminal; the full one is a CSV.

Both in English (``--lang en``) and in the county's language (Chinese for Dongkou): the CSV is
then worded for people, columns and codes included."""

from __future__ import annotations

import csv
from pathlib import Path

import pyogrio
import pytest
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.gazette.labels_build import REPORT_COLUMNS, REPORT_KINDS, REPORT_STATUSES
from landgrade.text import display_width


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_report_fits_100_columns_and_ends_naming_the_warnings(
    tmp_path: Path, dongkou_dir: Path, lang: str
) -> None:
    out, report = tmp_path / "grades.gpkg", tmp_path / "report.csv"
    args = ["build", "--county", str(dongkou_dir), "-o", str(out), "--report", str(report)]
    if lang == "en":
        args += ["--lang", "en"]  # the default is the county's language: Chinese
    res = CliRunner().invoke(app, args, env={"LANDGRADE_CACHE": str(tmp_path / "cache")})
    assert res.exit_code == 0, res.output
    lines = res.stdout.rstrip("\n").split("\n")
    assert max(display_width(line) for line in lines) <= 100
    with report.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    layer = pyogrio.read_dataframe(out, layer="report", read_geometry=False)
    assert len(rows) == len(layer) > 100  # the CSV is the whole report, uncut
    col = REPORT_COLUMNS if lang == "zh" else {c: c for c in REPORT_COLUMNS}
    warning = REPORT_STATUSES["warning"] if lang == "zh" else "warning"
    warned = [r for r in rows if r[col["status"]] == warning]
    assert warned, "the bundled build has rows with warnings"
    # the layer keeps the codes (the audit and --strict read them), worded only for people
    assert (layer["status"] == "warning").sum() == len(warned)
    last = lines[-1]
    head = f"{len(warned)} 行有警告：" if lang == "zh" else f"{len(warned)} row(s) with warnings: "
    assert last.startswith(head)
    for r in warned:
        assert " ".join(v for v in (r[col["kind"]], r[col["clause"]], r[col["item"]]) if v) in last
        # each warning is printed in full, wrapped, under its row
        assert r[col["warnings"]].split(";")[0].split()[0][:6] in res.stdout
    if lang == "zh":
        assert set(r[col["kind"]] for r in rows) <= set(REPORT_KINDS.values())
