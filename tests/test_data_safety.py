"""What landgrade promises about a user's files (README: "What landgrade promises about your
files"), each promise reproduced the way a careless or unlucky user breaks it.

- inputs are never overwritten: an output naming an input (in another letter case, through a
  sidecar, the --map, the county folder, a symlink, ``..``) is refused and the input stays
  byte-identical;
- outputs appear only complete: Ctrl-C (a real SIGINT to a real ``landgrade`` process) or a
  failing row leaves no destination file, or the old one untouched; two runs writing one file
  leave one run's complete output, never a mix;
- values round-trip: every input property comes back unchanged in every format (CSV cells as
  the text they were), answer-named columns are kept as ``src_<name>``, a graded file regrades
  cleanly, values a shapefile cannot hold are a warning naming the column;
- reads are explicit, bad county data and whole-run options that make every row wrong are
  one-line errors (exit 2), never tracebacks.

The map is the hand map of test_engine (grade 1 at x 0–100, Table 6 prices from the bundled
county), so every expected answer is known by construction.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine import X0, Y0, box, hand_map
from typer.testing import CliRunner

from landgrade import io
from landgrade.cli.app import app
from landgrade.io import atomic

runner = CliRunner()
COMMERCIAL_GRADE_1 = 3194.0  # Table 6: grade 1 commercial, yuan/m²
AWKWARD = {
    "id22": "4305250000000000000001",  # 22 digits: a float would print 4.305e+21
    "zip": "007",  # leading zeros
    "plus": "+5",  # a sign a number would drop
    "dec": "1.10",  # a trailing zero a number would drop
    "名称": "高沙镇文昌路北",  # GBK-encodable text
    "note": "长" * 100,  # 300 bytes in UTF-8: more than a shapefile field holds
    "grade": "甲",  # named like an answer column
}


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def place(tmp_path_factory, dongkou_dir) -> Path:
    """A folder with a county (the bundled tables, an outline round the hand map) and the map."""
    root = tmp_path_factory.mktemp("safety")
    county = root / "county"
    county.mkdir()
    for f in dongkou_dir.glob("*.csv"):
        shutil.copy(f, county / f.name)
    shutil.copy(dongkou_dir / "metadata.json", county / "metadata.json")
    outline = gpd.GeoDataFrame(geometry=[box(-1000, -1000, 1300, 1200)], crs="EPSG:4546")
    outline.to_crs(4326).to_file(county / "outline.geojson")
    hand_map().to_gpkg(root / "hand.gpkg")
    return root


@pytest.fixture
def opts(place, monkeypatch) -> list[str]:
    monkeypatch.setenv("LANDGRADE_CACHE", str(place / "cache"))
    # The field codes and English messages these tests read back (the default, the county's
    # language, heads a CSV or Excel file in Chinese: tests/test_chinese_outputs.py).
    return ["--map", str(place / "hand.gpkg"), "--county", str(place / "county"), "--lang", "en"]


def cli(*args: str) -> object:
    return runner.invoke(app, [*map(str, args)])


def digest(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "cache" not in p.parts}


def points_table(n: int, tag: str = "a", seed: int = 0) -> pd.DataFrame:
    """n points over the hand map (some outside it) with the awkward columns."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        **{k: [v] * n for k, v in AWKWARD.items()},
        "tag": [tag] * n,
        "pid": np.arange(n, dtype=np.int64) * 1_000_003 + 10**15,  # integer ids beyond int32
        "x": X0 + rng.uniform(-50, 350, n).round(3),
        "y": Y0 + rng.uniform(-50, 250, n).round(3),
    })


def as_frame(df: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(df.drop(columns=["x", "y"]),
                            geometry=shapely.points(df["x"], df["y"]), crs="EPSG:4546")


def write_input(df: pd.DataFrame, path: Path) -> Path:
    """An input file in the format of ``path``'s extension, written by other tools than ours."""
    fmt = io.file_format(path)
    if fmt == "csv":
        df.astype(str).to_csv(path, index=False, encoding="gbk")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(list(df.columns))
        for row in df.itertuples(index=False):
            sheet.append([v.item() if isinstance(v, np.generic) else v for v in row])
        book.save(path)
    elif fmt == "parquet":
        as_frame(df).to_parquet(path)
    else:
        kw = {"encoding": "GBK"} if fmt == "shapefile" else {}
        pyogrio.write_dataframe(as_frame(df), path, **kw)
    return path


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".lgtmp-" in p.name]


# --- inputs are never overwritten -----------------------------------------------------------------
def test_an_output_naming_an_input_is_refused_and_the_input_is_untouched(place, opts, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    shp = write_input(points_table(5), work / "parcels.shp")
    csv = write_input(points_table(5), work / "pts.csv")
    (work / "link.csv").symlink_to(csv)
    (work / "sub").mkdir()
    before, county_before = digest(work), digest(place)
    refused = [
        (["assign", shp, "-o", work / "parcels.SHP"], "parcels"),  # only the case differs
        (["assign", shp, "-o", work / "PARCELS.shp"], "parcels"),
        (["assign", csv, "-o", work / "link.csv"], "pts.csv"),  # a symlink to the input
        (["assign", csv, "-o", work / "sub" / ".." / "pts.csv"], "pts.csv"),
        (["assign", csv, "-o", place / "hand.gpkg"], "hand.gpkg"),  # the --map
        (["assign", csv, "-o", place / "county" / "outline.geojson"], "outline.geojson"),
        (["audit", "-o", place / "county" / "urban_prices.csv"], "urban_prices.csv"),
        (["audit", "-o", place / "county" / "ROUTES.csv"], "routes.csv"),
        (["export", "-o", place / "hand.gpkg"], "hand.gpkg"),
        (["prices", "-o", place / "county" / "towns.csv"], "towns.csv"),
    ]
    for args, name in refused:
        res = cli(*args, *opts[2 if args[0] == "prices" else 0:])
        assert res.exit_code == 2, (args, res.output)
        assert "error:" in res.output and name.lower() in res.output.lower(), res.output
        assert "Traceback" not in res.output
    assert digest(work) == before and digest(place) == county_before
    assert not temp_files(work)


def test_build_refuses_to_overwrite_one_of_its_inputs(dongkou_dir, tmp_path):
    roads = tmp_path / "Roads.gpkg"
    pyogrio.write_dataframe(gpd.read_file(dongkou_dir / "roads.geojson"), roads)
    before = digest(tmp_path)
    res = cli("build", "--county", dongkou_dir, "--roads", roads, "-o", tmp_path / "roads.gpkg")
    assert res.exit_code == 2 and "Roads.gpkg" in res.output, res.output
    assert digest(tmp_path) == before


# --- outputs appear only complete -------------------------------------------------------------
def _landgrade(args: list[str], place: Path) -> subprocess.Popen:
    env = {**os.environ, "LANDGRADE_CACHE": str(place / "cache")}
    return subprocess.Popen(
        [sys.executable, "-m", "landgrade.cli", *map(str, args)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A test runner in the background may ignore SIGINT; the user's shell does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.fixture(scope="module")
def big_csv(place) -> Path:
    """Enough rows that writing them takes a few hundred small chunks."""
    path = place / "big.csv"
    points_table(200_000).drop(columns=["note"]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("ext", "old", "sig"), [(".csv", False, signal.SIGINT),
                                                 (".parquet", True, signal.SIGINT),
                                                 (".shp", True, signal.SIGTERM)])
def test_ctrl_c_mid_write_leaves_no_partial_file(place, big_csv, tmp_path, ext, old, sig):
    out = tmp_path / f"out{ext}"
    if old:  # a previous run's complete output must survive an interrupted new one
        io.write_file(as_frame(points_table(3)), out)
    before, input_before = digest(tmp_path), big_csv.read_bytes()
    proc = _landgrade(["assign", big_csv, "-o", out, "--chunk-size", "1000", "--no-progress",
                       "--map", place / "hand.gpkg", "--county", place / "county"], place)
    deadline = time.monotonic() + 60
    while not temp_files(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "the run ended before it was interrupted: give it more rows"
    time.sleep(0.3)  # well into the writing
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert ("left as it was" if old else "no partial file left") in err
    assert digest(tmp_path) == before  # no destination, or the old one byte for byte
    assert not temp_files(tmp_path)
    assert big_csv.read_bytes() == input_before


def test_a_failing_row_part_way_leaves_no_partial_file(opts, tmp_path):
    src = tmp_path / "pts.csv"
    rows = points_table(50).drop(columns=["note"]).astype(str)
    text = rows.to_csv(index=False).splitlines()
    text.insert(40, text[40] + ",an extra field")  # line 41: one field too many
    src.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out.gpkg"
    res = cli("assign", src, "-o", out, "--chunk-size", "10", "--crs", "EPSG:4546",
              "--no-progress", *opts)
    assert res.exit_code == 2 and "line 41" in res.output, res.output
    assert "not written" in res.output
    assert not out.exists() and not temp_files(tmp_path)


def test_two_runs_writing_one_file_leave_one_complete_output(place, tmp_path):
    inputs = []
    for tag, n in (("a", 6_000), ("b", 4_000)):
        path = tmp_path / f"{tag}.csv"
        points_table(n, tag=tag, seed=len(tag)).drop(columns=["note"]).to_csv(path, index=False)
        inputs.append((path, n))
    for ext in (".csv", ".shp"):
        out = tmp_path / f"both{ext}"
        procs = [_landgrade(["assign", path, "-o", out, "--chunk-size", "250", "--no-progress",
                             "--crs", "EPSG:4546", "--map", place / "hand.gpkg",
                             "--county", place / "county"], place) for path, _ in inputs]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
        kw = {"x_field": "x", "y_field": "y"} if ext == ".csv" else {}
        back = io.read_file(out, **kw)
        tags = set(back["tag"])
        assert len(tags) == 1, "rows of two runs mixed in one file"
        n = dict((p.stem, k) for p, k in inputs)[tags.pop()]
        assert len(back) == n
        assert back["pid"].astype("int64").tolist() == list(
            np.arange(n, dtype=np.int64) * 1_000_003 + 10**15)  # every row, in order
        assert not temp_files(tmp_path)


# --- values round-trip ----------------------------------------------------------------------------
FORMATS = [".csv", ".xlsx", ".shp", ".gpkg", ".geojson", ".parquet"]


@pytest.mark.parametrize("ext", FORMATS)
def test_every_property_survives_assign_in_every_format(opts, tmp_path, ext):
    table = points_table(40)
    src = write_input(table, tmp_path / f"in{ext}")
    out = tmp_path / f"out{ext}"
    res = cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    kw = {"x_field": "x", "y_field": "y"} if ext in (".csv", ".xlsx") else {}
    back = io.read_file(out, **kw)
    assert len(back) == len(table)
    for col, value in AWKWARD.items():
        name = "src_grade" if col == "grade" else col
        expect = value
        if ext == ".shp" and col == "note":  # 300 bytes do not fit: cut, and said so
            assert "'note': 40 value(s) longer than 254 bytes" in res.output
            expect = "长" * 84
        assert back[name].tolist() == [expect] * len(table), (ext, col)
    pids = back["pid"].tolist()
    if ext == ".csv":  # text in, the same text out
        assert pids == table["pid"].astype(str).tolist()
    else:
        assert [int(p) for p in pids] == table["pid"].tolist()
    # The answers are there too: grade 1 is x 0–100 of the hand map (no corridor rows here
    # are checked), and the answer's grade column is the engine's, not the input's 甲.
    inside = ((table["x"] - X0).between(1, 99) & (table["y"] - Y0).between(1, 199)).to_numpy()
    assert all(str(g) == "1" for g in back["grade"][inside])
    assert all(float(p) == COMMERCIAL_GRADE_1 for p in back["p_comm"][inside])
    assert "src_grade" in res.output


def test_csv_cells_come_back_as_the_exact_text(opts, tmp_path):
    src = tmp_path / "pts.csv"
    src.write_text(
        "编号,value,x,y\n"
        f"0001,+5,{X0 + 10},{Y0 + 10}\n"
        f"4305250000000000000001,1.10,{X0 + 20},{Y0 + 20}\n"
        f"\" 带空格 \",1e5,{X0 + 30},{Y0 + 30}\n"
        f"NA,,{X0 + 40},{Y0 + 40}\n", encoding="gbk")
    out = tmp_path / "out.csv"
    res = cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["编号"].tolist() == ["0001", "4305250000000000000001", " 带空格 ", "NA"]
    assert back["value"].tolist() == ["+5", "1.10", "1e5", ""]
    assert back["x"].tolist() == [str(X0 + d) for d in (10, 20, 30, 40)]


def test_a_layer_written_as_csv_reads_back_from_its_wkt_column(opts, tmp_path):
    parcels = gpd.GeoDataFrame({"pid": ["P-1", "P-2"]}, geometry=[box(10, 10, 40, 40),
                                                                  box(150, 20, 190, 60)], crs=4546)
    src = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(parcels, src)
    once, twice = tmp_path / "once.csv", tmp_path / "twice.csv"
    assert cli("assign", src, "-o", once, "--no-progress", *opts).exit_code == 0
    res = cli("assign", once, "-o", twice, "--crs", "EPSG:4546", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    first, second = (pd.read_csv(p, dtype=str, keep_default_na=False) for p in (once, twice))
    assert sorted(second.columns) == sorted(first.columns)  # regraded, nothing added
    pd.testing.assert_frame_equal(second[first.columns.tolist()], first)
    assert first["grade"].tolist() == ["1", "2"]  # x 10–40 is grade 1, x 150–190 grade 2


def test_column_types_do_not_change_between_chunks(opts, tmp_path):
    """A code column that looks numeric in the first chunk and is text later stays text."""
    src = tmp_path / "pts.csv"
    codes = [str(i) for i in range(30)] + ["A-7", "0012"]
    pd.DataFrame({"code": codes, "x": X0 + 10.0, "y": Y0 + 10.0}).to_csv(src, index=False)
    for ext in (".parquet", ".gpkg", ".csv"):
        out = tmp_path / f"out{ext}"
        res = cli("assign", src, "-o", out, "--chunk-size", "8", "--crs", "EPSG:4546",
                  "--no-progress", *opts)
        assert res.exit_code == 0, res.output
        kw = {"x_field": "x", "y_field": "y"} if ext == ".csv" else {}
        assert io.read_file(out, **kw)["code"].tolist() == codes, ext


def test_parcels_whose_first_chunk_has_no_area_keep_every_row(opts, tmp_path):
    geoms = [None, shapely.Polygon(), None, box(10, 10, 40, 40), box(150, 20, 190, 60)]
    parcels = gpd.GeoDataFrame({"pid": range(5)}, geometry=geoms, crs=4546)
    src = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(parcels, src, geometry_type="Polygon")
    out = tmp_path / "out.csv"
    res = cli("assign", src, "-o", out, "--chunk-size", "2", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    back = pd.read_csv(out)
    assert back["pid"].tolist() == list(range(5))
    assert back["share_1"].tolist()[3:] == [1.0, 0.0] and back["share_1"][:3].isna().all()
    assert back["area_m2"].tolist()[3:] == [900.0, 1600.0]


def test_a_geojson_integer_id_property_survives(opts, tmp_path):
    src = tmp_path / "pts.geojson"
    src.write_text(
        '{"type": "FeatureCollection", "features": ['
        f'{{"type": "Feature", "properties": {{"id": 7, "n": "a"}}, "geometry": '
        f'{{"type": "Point", "coordinates": [{X0 + 10}, {Y0 + 10}]}}}},'
        f'{{"type": "Feature", "properties": {{"id": 9, "n": "b"}}, "geometry": '
        f'{{"type": "Point", "coordinates": [{X0 + 20}, {Y0 + 20}]}}}}]}}', encoding="utf-8")
    for ext in (".geojson", ".gpkg", ".parquet", ".csv"):
        out = tmp_path / f"out{ext}"
        res = cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--no-progress", *opts)
        assert res.exit_code == 0, res.output
        back = pd.read_csv(out) if ext == ".csv" else io.read_file(out)
        assert back["id"].tolist() == [7, 9], ext


def test_a_geojson_feature_id_survives(opts, tmp_path):
    src = tmp_path / "pts.geojson"
    src.write_text(
        '{"type": "FeatureCollection", "features": ['
        f'{{"type": "Feature", "id": 101, "properties": {{"n": "a"}}, "geometry": '
        f'{{"type": "Point", "coordinates": [{X0 + 10}, {Y0 + 10}]}}}},'
        f'{{"type": "Feature", "id": 205, "properties": {{"n": "b"}}, "geometry": '
        f'{{"type": "Point", "coordinates": [{X0 + 20}, {Y0 + 20}]}}}}]}}', encoding="utf-8")
    out = tmp_path / "out.gpkg"
    res = cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    assert io.read_file(out)["id"].tolist() == [101, 205]


def test_geojson_text_that_looks_like_a_date_stays_text_over_many_chunks(opts, tmp_path):
    src = tmp_path / "d.geojson"
    feats = ",".join(
        f'{{"type": "Feature", "properties": {{"d": "2021-10-0{i}", "t": "12:3{i}"}}, '
        f'"geometry": {{"type": "Point", "coordinates": [{X0 + 10 * i}, {Y0 + 10}]}}}}'
        for i in range(1, 6))
    src.write_text(f'{{"type": "FeatureCollection", "features": [{feats}]}}', encoding="utf-8")
    for ext in (".geojson", ".csv", ".gpkg"):
        out = tmp_path / f"out{ext}"
        res = cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--chunk-size", "2",
                  "--no-progress", *opts)
        assert res.exit_code == 0, res.output
        back = pd.read_csv(out, dtype=str) if ext == ".csv" else io.read_file(out)
        assert back["d"].tolist() == [f"2021-10-0{i}" for i in range(1, 6)], ext
        assert back["t"].tolist() == [f"12:3{i}" for i in range(1, 6)], ext
        assert back["val_date"].tolist() == ["2021-10-01"] * 5, ext


def test_grading_a_graded_file_replaces_the_old_answers(opts, tmp_path):
    src = write_input(points_table(30), tmp_path / "in.gpkg")
    once, twice = tmp_path / "once.gpkg", tmp_path / "twice.gpkg"
    for a, b in ((src, once), (once, twice)):
        res = cli("assign", a, "-o", b, "--no-progress", *opts)
        assert res.exit_code == 0, res.output
    first, second = io.read_file(once), io.read_file(twice)
    assert second.columns.tolist() == first.columns.tolist()  # no duplicates, no src_src_
    pd.testing.assert_frame_equal(pd.DataFrame(second), pd.DataFrame(first))
    assert first["src_grade"].tolist() == ["甲"] * 30  # the user's own grade column, kept


def test_parquet_geometry_passes_through_byte_for_byte(opts, tmp_path):
    import pyarrow.parquet as pq

    src = write_input(points_table(50), tmp_path / "in.parquet")
    out = tmp_path / "out.parquet"
    res = cli("assign", src, "-o", out, "--chunk-size", "16", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    assert pq.read_table(out).column("geometry").to_pylist() == \
        pq.read_table(src).column("geometry").to_pylist()


def test_geopackages_are_written_as_gpkg_1_2(opts, tmp_path):
    src = write_input(points_table(5), tmp_path / "in.csv")
    out = tmp_path / "out.gpkg"
    assert cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--no-progress",
               *opts).exit_code == 0
    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200  # GPKG 1.2.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
            st.one_of(st.integers(-10**25, 10**25).map(str),
                      st.floats(allow_nan=False).map(repr),
                      st.sampled_from(["", "+5", "1.10", "007", "NA", "null", "高沙镇", "a,b",
                                       'say "hi"', " pad "])),
            st.floats(-60, 360), st.floats(-60, 260),
        ),
        min_size=1, max_size=30,
    ),
    chunk=st.integers(1, 40),
)
def test_assign_returns_every_row_in_order_with_its_values(opts, tmp_path_factory, cells, chunk):
    work = tmp_path_factory.mktemp("prop")
    table = pd.DataFrame(cells, columns=["text", "value", "dx", "dy"])
    table["x"] = [repr(X0 + d) for d in table["dx"]]
    table["y"] = [repr(Y0 + d) for d in table["dy"]]
    table = table.drop(columns=["dx", "dy"])
    src = work / "in.csv"
    table.to_csv(src, index=False, encoding="utf-8")
    out = work / "out.csv"
    res = cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--chunk-size", chunk,
              "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back[table.columns.tolist()], table.astype(str))
    assert set(back["status"]) <= {"ok", "outside_extent"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                                         max_size=10)),
            # GDAL reads a GeoJSON integer below about -1e18 as a float: beyond our writers.
            st.one_of(st.none(), st.integers(-10**17, 2**62)),
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.floats(-60, 360), st.floats(-60, 260),
        ),
        min_size=1, max_size=20,
    ),
    ext=st.sampled_from([".gpkg", ".parquet", ".geojson"]),
    chunk=st.integers(1, 25),
)
def test_assign_keeps_typed_rows_in_every_layer_format(opts, tmp_path_factory, rows, ext, chunk):
    work = tmp_path_factory.mktemp("typed")
    text, ints, floats, dx, dy = map(list, zip(*rows, strict=True))
    layer = gpd.GeoDataFrame(
        {"text": pd.Series(text, dtype=object), "n": pd.array(ints, dtype="Int64"),
         "f": floats},
        geometry=shapely.points(np.array(dx) + X0, np.array(dy) + Y0), crs=4546)
    src, out = work / f"in{ext}", work / f"out{ext}"
    io.write_file(layer, src)
    res = cli("assign", src, "-o", out, "--chunk-size", chunk, "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    back = io.read_file(out)
    assert [None if pd.isna(v) else v for v in back["text"]] == text  # null stays null
    assert [None if pd.isna(v) else int(v) for v in back["n"]] == ints
    assert back["f"].tolist() == floats
    assert shapely.equals(back.geometry.to_numpy(), layer.geometry.to_numpy()).all()


# --- Excel ---------------------------------------------------------------------------------------
def test_an_excel_sheet_in_gives_an_excel_sheet_out_with_every_row(opts, tmp_path):
    from openpyxl import load_workbook

    table = points_table(25).rename(columns={"x": "经度X", "y": "纬度Y"})
    table = table.rename(columns={"经度X": "x坐标", "纬度Y": "y坐标"})  # Chinese headers
    src = write_input(table, tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    res = cli("assign", src, "-o", out, "--crs", "EPSG:4546", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    sheet = load_workbook(out, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = list(rows[0]), rows[1:]
    assert len(data) == 25 and "wkt" not in header
    col = {name: [r[header.index(name)] for r in data] for name in header}
    for name in ("id22", "zip", "plus", "dec", "名称"):
        assert col[name] == [AWKWARD[name]] * 25
    assert col["pid"] == table["pid"].tolist()  # numbers stay numbers
    assert col["x坐标"] == table["x坐标"].tolist()


def test_excel_sheet_option_and_unknown_sheet(opts, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "说明"
    book.active.append(["这是说明"])
    pts = book.create_sheet("点位")
    pts.append(["名称", "lng", "lat"])
    pts.append(["甲", X0 + 10, Y0 + 10])
    src = tmp_path / "book.xlsx"
    book.save(src)
    res = cli("assign", src, "-o", tmp_path / "o.csv", "--sheet", "点位", "--crs", "EPSG:4546",
              "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "o.csv")["grade"].tolist() == [1]
    res = cli("assign", src, "-o", tmp_path / "o2.csv", "--sheet", "nope", *opts)
    assert res.exit_code == 2 and "sheets: 说明, 点位" in res.output


def test_excel_columns_are_never_lost_to_a_missing_or_repeated_name(opts, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["备注", "备注", "x", "y"])
    sheet.append(["甲", "乙", X0 + 10, Y0 + 10])
    src = tmp_path / "dup.xlsx"
    book.save(src)
    back = io.read_file(src)
    assert back["备注"].tolist() == ["甲"] and back["备注.1"].tolist() == ["乙"]
    sheet.append(["丙", "丁", X0 + 20, Y0 + 20, "no header above me"])
    book.save(src)
    res = cli("assign", src, "-o", tmp_path / "o.csv", "--crs", "EPSG:4546", *opts)
    assert res.exit_code == 2 and "cell E3" in res.output and "name the column" in res.output


def test_what_excel_or_csv_cannot_hold_as_given_is_kept_and_said(opts, tmp_path):
    """An 18-digit integer id does not fit Excel's doubles; a ``wkt`` property is not the
    geometry column a CSV output adds."""
    from openpyxl import load_workbook

    ids = [10**17 + 1, 10**17 + 2]
    pts = gpd.GeoDataFrame({"uid": np.array(ids, dtype=np.int64), "wkt": ["mine", "mine"]},
                           geometry=[shapely.Point(X0 + 10, Y0 + 10),
                                     shapely.Point(X0 + 20, Y0 + 20)], crs=4546)
    src = tmp_path / "ids.gpkg"
    pyogrio.write_dataframe(pts, src)
    res = cli("assign", src, "-o", tmp_path / "o.xlsx", "--no-progress", *opts)
    assert res.exit_code == 0 and "'uid': 2 integer(s) longer than Excel" in res.output
    rows = list(load_workbook(tmp_path / "o.xlsx", read_only=True).active.iter_rows(
        values_only=True))
    uid = rows[0].index("uid")
    assert [r[uid] for r in rows[1:]] == [str(i) for i in ids]  # every digit kept
    res = cli("assign", src, "-o", tmp_path / "o.csv", "--no-progress", *opts)
    back = pd.read_csv(tmp_path / "o.csv", dtype=str)
    assert back["wkt"].tolist() == ["mine", "mine"]
    assert back["uid"].tolist() == [str(i) for i in ids]
    assert back["geometry_wkt"].str.startswith("POINT").all()


def test_numbers_a_shapefile_cannot_hold_are_counted(opts, tmp_path):
    values = [0.1 + 0.2, 8.77e262, 1.09e-152, 104.26435848633992]  # 0.1 + 0.2: ordinary rounding
    pts = gpd.GeoDataFrame({"measure": values}, geometry=shapely.points(
        X0 + np.arange(4) * 10.0, np.full(4, Y0 + 10)), crs=4546)
    src = tmp_path / "m.parquet"
    pts.to_parquet(src)
    res = cli("assign", src, "-o", tmp_path / "o.shp", "--chunk-size", "3", "--no-progress",
              *opts)
    assert res.exit_code == 0, res.output
    assert "column 'measure': 2 number(s) too large or too small" in res.output
    assert "route_m" not in res.output  # the answers fit


def test_prices_and_audit_write_excel(opts, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "prices.xlsx"
    res = cli("prices", "-o", out, "--county", opts[3], "--lang", "en")
    assert res.exit_code == 0, res.output
    rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("grade", "商服用地") and rows[1][:2] == (1, COMMERCIAL_GRADE_1)
    res = cli("audit", "-o", tmp_path / "audit.xlsx", *opts)
    assert res.exit_code == 0, res.output
    rows = list(load_workbook(tmp_path / "audit.xlsx", read_only=True).active.iter_rows(
        values_only=True))
    assert len(rows) == 1 + 2  # header + the hand map's two routes


# --- explicit reads -------------------------------------------------------------------------------
def test_a_geopackage_with_several_layers_needs_layer(opts, tmp_path):
    path = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(as_frame(points_table(3)), path, layer="parcels")
    pyogrio.write_dataframe(as_frame(points_table(4)), path, layer="wells", append=False)
    res = cli("assign", path, "-o", tmp_path / "o.csv", "--no-progress", *opts)
    assert res.exit_code == 2 and "parcels, wells" in res.output and "--layer" in res.output
    res = cli("assign", path, "-o", tmp_path / "o.csv", "--layer", "wells", "--no-progress",
              *opts)
    assert res.exit_code == 0 and len(pd.read_csv(tmp_path / "o.csv")) == 4


def test_shapefile_parts_that_disagree_are_named(opts, tmp_path):
    shp = write_input(points_table(5), tmp_path / "five.shp")
    write_input(points_table(4), tmp_path / "four.shp")
    shutil.copy(tmp_path / "four.dbf", tmp_path / "five.dbf")  # the .dbf lost a row
    res = cli("assign", shp, "-o", tmp_path / "o.csv", *opts)
    assert res.exit_code == 2 and "five.dbf has 4 records" in res.output
    assert "five.shx indexes 5" in res.output
    gbk = write_input(points_table(3), tmp_path / "gbk.shp")  # GBK …
    (tmp_path / "gbk.cpg").write_text("UTF-8")  # … with a .cpg that says otherwise
    res = cli("assign", gbk, "-o", tmp_path / "o.csv", *opts)
    assert res.exit_code == 2 and "gbk.cpg" in res.output and "GBK" in res.output


# --- bad input: named errors and flagged rows ----------------------------------------------------
def test_parcels_in_metres_labelled_wgs84_are_flagged_like_points(opts, tmp_path):
    parcels = gpd.GeoDataFrame({"pid": [1, 2]}, geometry=[box(10, 10, 40, 40), box(150, 20, 190,
                                                                                   60)], crs=4546)
    src = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(parcels.set_crs(4326, allow_override=True), src)
    res = cli("assign", src, "-o", tmp_path / "o.csv", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "o.csv")["status"].tolist() == ["crs_suspect_projected"] * 2


@pytest.mark.parametrize(("extra", "message"), [
    (["--town", "无此镇", "--town-grade", "1"], "unknown town"),
    (["--town", "高沙镇", "--town-grade", "9"], "高沙镇 has town grades 1, 2, 3, 4"),
    (["--x-field", "x", "--y-field", "x"], "both x and y"),
    (["--crs", ""], "--crs ''"),
])
def test_options_that_make_every_row_wrong_exit_2(opts, tmp_path, extra, message):
    src = write_input(points_table(3), tmp_path / "in.csv")
    out = tmp_path / "o.csv"
    res = cli("assign", src, "-o", out, "--no-progress", *extra, *opts)
    assert res.exit_code == 2 and message in res.output, res.output
    assert "Traceback" not in res.output and not out.exists()


def test_a_degenerate_extent_in_build_is_a_one_line_error(dongkou_dir, tmp_path):
    for name, geom in (("tiny", box(10, 10, 11, 11)),
                       ("flat", shapely.Polygon([(X0, Y0), (X0 + 500, Y0), (X0 + 900, Y0)]))):
        path = tmp_path / f"{name}.geojson"
        gpd.GeoDataFrame(geometry=[geom], crs=4546).to_file(path)
        res = cli("build", "--county", dongkou_dir, "--extent", path, "-o", tmp_path / "m.gpkg")
        assert res.exit_code == 2 and "degenerate" in res.output and name in res.output
        assert len(res.output.strip().splitlines()) == 1
        assert not (tmp_path / "m.gpkg").exists()


@pytest.mark.parametrize(("column", "value"), [("price", "abc"), ("price", "-5714"),
                                                ("standard_depth_m", "0")])
def test_bad_table7_numbers_are_refused(dongkou_dir, tmp_path, column, value):
    routes = pd.read_csv(dongkou_dir / "routes.csv", dtype=str)
    routes.loc[3, column] = value
    county = tmp_path / "county"
    shutil.copytree(dongkou_dir, county)
    routes.to_csv(county / "routes.csv", index=False)
    res = cli("prices", "--routes", "--county", county)
    assert res.exit_code == 2 and "routes.csv, line 5" in res.output and value in res.output
    res = cli("build", "--county", dongkou_dir, "--routes", county / "routes.csv",
              "-o", tmp_path / "m.gpkg")
    assert res.exit_code == 2 and "line 5" in res.output and "positive" in res.output


# --- the one atomic-write facility ----------------------------------------------------------------
def test_atomic_output_replaces_whole_or_not_at_all(tmp_path):
    dest = tmp_path / "table.csv"
    dest.write_text("old\n")
    with pytest.raises(RuntimeError), io.atomic_output(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("a failure part-way")
    assert dest.read_text() == "old\n" and not temp_files(tmp_path)
    with io.atomic_output(dest) as tmp:
        tmp.write_text("new\n")
    assert dest.read_text() == "new\n" and not temp_files(tmp_path)


def test_a_new_shapefile_replaces_every_part_of_the_old_one(tmp_path):
    shp = tmp_path / "out.shp"
    pyogrio.write_dataframe(as_frame(points_table(4)), shp, encoding="GBK")
    (tmp_path / "out.qix").write_bytes(b"stale spatial index of the old file")
    no_crs = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[shapely.Point(0, 0)] * 2)
    io.write_file(no_crs, shp)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["out.cpg", "out.dbf", "out.shp", "out.shx"]  # no stale .prj or .qix
    assert io.read_file(shp)["n"].tolist() == [1, 2]


def test_an_aborted_excel_write_is_dropped_not_saved(tmp_path, monkeypatch) -> None:
    """Ctrl-C during a large .xlsx write: the unfinished workbook is thrown away, not first
    saved in full (which kept an interrupted `assign` running for tens of seconds) only to be
    deleted; openpyxl's own temporary file of the rows goes too."""
    import openpyxl
    from openpyxl.worksheet import _writer

    saves: list[object] = []
    monkeypatch.setattr(openpyxl.Workbook, "save", lambda book, path: saves.append(path))
    before = set(_writer.ALL_TEMP_FILES)
    dest = tmp_path / "out.xlsx"
    w = io.ChunkWriter(dest)
    w.write(gpd.GeoDataFrame({"pid": range(50)}, geometry=shapely.points(range(50), range(50))))
    made = set(_writer.ALL_TEMP_FILES) - before
    w.abort()
    assert saves == []
    assert not dest.exists() and list(tmp_path.iterdir()) == []
    assert made and not any(Path(p).exists() for p in made)


def test_an_interrupt_swallowed_by_c_code_prints_no_traceback(capsys, monkeypatch):
    """Ctrl-C landing inside a C callback (pyproj's logger) is remembered, not printed as a
    crash; any other unraisable error still is. A ``__del__`` that raises is how CPython hands
    an exception nobody can catch to ``sys.unraisablehook``, as C code does."""
    import gc
    import sys

    class Raises:
        def __init__(self, exc: BaseException) -> None:
            self.exc = exc

        def __del__(self) -> None:
            raise self.exc

    def unraisable(exc: BaseException) -> str:
        Raises(exc)  # dropped at once: __del__ runs, its exception goes to the hook
        gc.collect()
        return capsys.readouterr().err

    monkeypatch.setattr(sys, "unraisablehook", io.quiet_swallowed_interrupt)
    monkeypatch.setattr(atomic, "_INTERRUPTED", [signal.SIGINT])
    assert unraisable(KeyboardInterrupt()) == ""
    assert "a real fault" in unraisable(ValueError("a real fault"))
    # C code that prints what it cannot raise (PyErr_Print) goes through sys.excepthook.
    from landgrade.cli.shell import _quiet_printed_interrupt

    _quiet_printed_interrupt(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(atomic, "_INTERRUPTED", [])  # not interrupted: a stray one is shown too
    assert "KeyboardInterrupt" in unraisable(KeyboardInterrupt())
    _quiet_printed_interrupt(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert "KeyboardInterrupt" in capsys.readouterr().err
