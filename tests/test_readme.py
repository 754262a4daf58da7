"""The README's Python example runs as written, on the sample parcels shipped with the county."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import shapely

from landgrade.io.crs import WORKING_CRS

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(section: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(section)
    end = text.find("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.S)


def test_readme_python_example_runs_and_answers_the_sample_parcels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANDGRADE_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # "as written": from any folder, not the checkout's root
    blocks = python_blocks("### In Python and Jupyter")
    assert len(blocks) == 1
    ns: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), ns)  # the README's own code
    parcels, graded, engine = ns["parcels"], ns["graded"], ns["engine"]
    assert len(graded) == len(parcels) == 4
    assert graded["宗地号"].tolist() == parcels["宗地号"].tolist()
    # each parcel's grade: the zone holding most of its area, computed here with plain shapely
    zones = engine.grade_map.grades
    squares = parcels.to_crs(WORKING_CRS).geometry.to_numpy()
    shares = np.array([[shapely.area(shapely.intersection(sq, z)) / sq.area
                        for z in zones.geometry] for sq in squares])
    expected = [int(zones["grade"].iloc[row.argmax()]) if row.max() > 0 else None
                for row in shares]
    assert expected[0] == 1 and expected[2] == 3 and expected[3] is None  # as drawn
    assert graded["grade"].iloc[:3].tolist() == expected[:3]
    assert graded["status"].iloc[3] == "outside_extent"
    straddler = graded.iloc[1]
    assert 0 < straddler["share_1"] < 1 and straddler["share_1"] + straddler["share_2"] == (
        pytest.approx(1, abs=2e-4))
