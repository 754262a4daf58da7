"""The audit on a tiny grade map whose answers are known by hand.

Three 100 m squares side by side: grade 1 is x 0–100, grade 2 is x 100–200, grade 3 is x 200–300
(all y 0–100). Each route's length in each square is read off its x coordinates.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, box
from typer.testing import CliRunner

from landgrade.build.grade_map import GradeMap
from landgrade.cli.app import app
from landgrade.outputs.audit import audit_grade_map, format_audit

X0, Y0 = 457_000.0, 2_994_000.0
CRS = "EPSG:4546"


def _line(*xy: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


# id, stated grade, geometry (None: unresolved)
ROUTES = [
    ("R1", 1, _line((10, 50), (90, 50))),      # 80 m in grade 1
    ("R2", 2, _line((70, 50), (190, 50))),     # 30 m in 1, 90 m in 2 → 75 % grade 2
    ("R3", 2, _line((150, 50), (260, 50))),    # 50 m in 2, 60 m in 3 → 55 % grade 3
    ("R4", 1, _line((100, 10), (100, 90))),    # along the 1|2 line
    ("R5", 3, _line((100, 10), (100, 90))),    # along the 1|2 line, grade 3 on neither side
    ("R6", 1, _line((210, 20), (290, 20))),    # wholly in grade 3
    ("R7", 2, None),                           # the build could not draw it
]


@pytest.fixture(scope="module")
def grade_map() -> GradeMap:
    grades = gpd.GeoDataFrame(
        {"grade": [1, 2, 3]},
        geometry=[box(X0 + 100 * k, Y0, X0 + 100 * (k + 1), Y0 + 100) for k in range(3)],
        crs=CRS,
    )
    extent = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 300, Y0 + 100)], crs=CRS)
    routes = gpd.GeoDataFrame(
        {
            "id": [r[0] for r in ROUTES],
            "name": [f"测试路 {k}" for k in range(1, len(ROUTES) + 1)],
            "grade": [r[1] for r in ROUTES],
            "status": ["ok" if r[2] is not None else "unresolved" for r in ROUTES],
        },
        geometry=[r[2] for r in ROUTES],
        crs=CRS,
    )
    report = pd.DataFrame({"kind": ["route"], "clause": ["R7"],
                           "warnings": ["no stretch of 测试路 from 甲路 to 乙路"]})
    return GradeMap(grades=grades, extent=extent, routes=routes, report=report,
                    metadata={"schematic": "false"})


@pytest.fixture(scope="module")
def audit(grade_map: GradeMap) -> pd.DataFrame:
    return audit_grade_map(grade_map).set_index("id")


def test_route_inside_its_grade_agrees(audit: pd.DataFrame) -> None:
    r = audit.loc["R1"]
    assert r.agrees and r.majority_grade == 1 and r.share == pytest.approx(1.0)
    assert r.reason == ""


def test_majority_not_whole_length(audit: pd.DataFrame) -> None:
    r = audit.loc["R2"]
    assert r.agrees and r.majority_grade == 2
    assert r.share == pytest.approx(90 / 120, abs=0.01)


def test_route_crossing_into_a_worse_grade_disagrees(audit: pd.DataFrame) -> None:
    r = audit.loc["R3"]
    assert not r.agrees and r.majority_grade == 3
    assert r.share == pytest.approx(60 / 110, abs=0.01)
    assert r.reason == "crosses grades 3 (55%) and 2 (45%)"


def test_route_along_a_boundary_is_in_neither_grade(audit: pd.DataFrame) -> None:
    r = audit.loc["R4"]
    assert not r.agrees and pd.isna(r.majority_grade)
    assert r.boundary_share == pytest.approx(1.0)
    assert "boundary of grades 1/2" in r.reason
    assert "strip is on the other side" in r.reason
    assert "grade 3 is not on either side" in audit.loc["R5"].reason


def test_route_wholly_in_another_grade(audit: pd.DataFrame) -> None:
    r = audit.loc["R6"]
    assert not r.agrees and r.majority_grade == 3
    assert r.reason == "lies in grade 3 (100%)"


def test_unresolved_route_says_why(audit: pd.DataFrame) -> None:
    r = audit.loc["R7"]
    assert not r.agrees and pd.isna(r.majority_grade)
    assert r.reason == "unresolved: no stretch of 测试路 from 甲路 to 乙路"


def test_format_lists_disagreements_first_and_counts(audit: pd.DataFrame) -> None:
    text = format_audit(audit.reset_index())
    lines = text.splitlines()
    assert lines[-1] == "2/7 routes agree with their stated grade"
    first_ids = [ln.split()[0] for ln in lines[1:6]]
    assert set(first_ids) == {"R3", "R4", "R5", "R6", "R7"}


def test_cli_audits_a_map_file(grade_map: GradeMap, tmp_path) -> None:
    path = grade_map.to_gpkg(tmp_path / "tiny.gpkg")
    result = CliRunner().invoke(app, ["audit", "--map", str(path)])
    assert result.exit_code == 0, result.output
    assert "2/7 routes agree with their stated grade" in result.output
    assert "schematic" not in result.output


def test_cli_missing_map_is_a_clear_error(tmp_path) -> None:
    result = CliRunner().invoke(app, ["audit", "--map", str(tmp_path / "none.gpkg")])
    assert result.exit_code == 2
    assert "none.gpkg" in result.output and "Traceback" not in result.output


def test_cli_writes_the_table_as_csv(grade_map: GradeMap, tmp_path) -> None:
    path = grade_map.to_gpkg(tmp_path / "tiny.gpkg")
    out = tmp_path / "audit.csv"
    result = CliRunner().invoke(app, ["audit", "--map", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("id")
    assert list(table.index) == [r[0] for r in ROUTES]
    assert table.loc["R3", "majority_grade"] == 3 and not table.loc["R3", "agrees"]
    assert table.loc["R1", "name"] == "测试路 1"


def test_stated_grades_may_be_printed_as_the_gazette_prints_them(grade_map: GradeMap) -> None:
    routes = grade_map.routes.iloc[[0, 5]].copy()  # R1 in grade 1, R6 in grade 3
    gm = GradeMap(grades=grade_map.grades, extent=grade_map.extent, routes=routes)
    routes["grade"] = ["一级", "二级"]
    table = audit_grade_map(gm).set_index("id")
    assert table.loc["R1", "stated_grade"] == 1 and table.loc["R1", "agrees"]
    assert table.loc["R6", "stated_grade"] == 2 and not table.loc["R6", "agrees"]
    routes["grade"] = ["一级", "待定"]
    table = audit_grade_map(gm)
    assert pd.isna(table.loc[1, "stated_grade"]) and not table.loc[1, "agrees"]
    assert "待定" in table.loc[1, "reason"]
    assert format_audit(table).splitlines()[-1] == "1/2 routes agree with their stated grade"


def test_cli_csv_into_a_missing_folder_is_a_clear_error(grade_map: GradeMap, tmp_path) -> None:
    path = grade_map.to_gpkg(tmp_path / "tiny.gpkg")
    result = CliRunner().invoke(app, ["audit", "--map", str(path), "-o",
                                      str(tmp_path / "no" / "audit.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output
