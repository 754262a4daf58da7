"""File I/O: formats by extension, encodings, coordinate columns, chunked reading and writing."""

from __future__ import annotations

import codecs

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point

from landgrade import io
from landgrade.errors import LandgradeError

CRS = "EPSG:4546"
NAMES = ["高沙镇", "黄桥镇", "石柱乡"]


def small_frame(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"pid": np.arange(n), "name": [NAMES[i % 3] for i in range(n)]},
        geometry=shapely.points(np.arange(n) + 500_000.0, np.full(n, 3_000_000.0)), crs=CRS,
    )


def gbk_shapefile_without_cpg(path):
    pyogrio.write_dataframe(small_frame(), path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    return path


def test_gbk_shapefile_without_cpg_is_detected_and_read(tmp_path) -> None:
    shp = gbk_shapefile_without_cpg(tmp_path / "gbk.shp")
    enc, why = io.detect_dbf_encoding(shp)
    assert enc in ("GBK", "GB18030") and "no .cpg" in why
    assert io.read_file(shp)["name"].tolist() == NAMES


def test_cpg_is_used_when_present(tmp_path) -> None:
    shp = tmp_path / "utf.shp"
    io.write_file(small_frame(), shp)
    assert shp.with_suffix(".cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    assert io.detect_dbf_encoding(shp) == ("UTF-8", "from utf.cpg")
    assert io.read_file(shp)["name"].tolist() == NAMES


def test_encoding_override_wins(tmp_path) -> None:
    shp = gbk_shapefile_without_cpg(tmp_path / "gbk.shp")
    wrong = io.read_file(shp, encoding="latin-1")["name"].tolist()
    assert wrong != NAMES and io.looks_garbled(wrong)


def test_garbled_text_is_recognised() -> None:
    assert io.looks_garbled(["锟斤拷"]) and io.looks_garbled(["é«\x98æ²\x99"])
    assert io.looks_garbled(["a\ufffdb"])
    assert not io.looks_garbled([*NAMES, "Main Street"])


def test_shapefile_field_names_fit_ten_characters_and_stay_unique() -> None:
    renamed = io.shapefile_field_names(
        ["pid", "parcel_owner_name", "parcel_owner_type", "土地使用权人", "grade"]
    )
    assert renamed["parcel_owner_name"] == "parcel_own"
    assert renamed["parcel_owner_type"] == "parcel_o_1"
    assert len(renamed["土地使用权人"].encode("utf-8")) <= 10
    assert "pid" not in renamed and "grade" not in renamed


def test_writer_reports_renamed_fields_and_values_survive(tmp_path) -> None:
    gdf = small_frame().assign(parcel_owner_name=["甲", "乙", "丙"])
    renamed = io.write_file(gdf, tmp_path / "out.shp")
    assert renamed == {"parcel_owner_name": "parcel_own"}
    back = io.read_file(tmp_path / "out.shp")
    assert back["parcel_own"].tolist() == ["甲", "乙", "丙"]


def test_csv_coordinate_columns_are_detected(tmp_path) -> None:
    csv = tmp_path / "pts.csv"
    pd.DataFrame({"编号": ["001", "002"], "经度": [110.57, "bad"], "纬度": [27.06, 27.07]}
                 ).to_csv(csv, index=False, encoding="gbk")
    src = io.open_source(csv)
    assert (src.x_field, src.y_field) == ("经度", "纬度")
    gdf = io.read_file(csv)
    assert gdf["编号"].tolist() == ["001", "002"]  # leading zeros kept: an identifier
    assert gdf.geometry.iloc[0].equals(shapely.Point(110.57, 27.06))
    assert gdf.geometry.iloc[1] is None  # a non-numeric coordinate: a null geometry, kept


def test_csv_without_coordinates_names_the_columns(tmp_path) -> None:
    csv = tmp_path / "pts.csv"
    pd.DataFrame({"a": [1], "b": [2]}).to_csv(csv, index=False)
    with pytest.raises(LandgradeError, match=r"columns present: a, b.*--x-field"):
        io.open_source(csv)
    with pytest.raises(LandgradeError, match=r"no column 'east'"):
        io.open_source(csv, x_field="east", y_field="b")
    assert io.open_source(csv, x_field="a", y_field="b").x_field == "a"


def test_unknown_extension_and_missing_file_errors(tmp_path) -> None:
    with pytest.raises(LandgradeError, match=r"unknown file type .\.dwg.*\.shp"):
        io.open_source(tmp_path / "x.dwg")
    with pytest.raises(LandgradeError, match="no such file"):
        io.open_source(tmp_path / "x.gpkg")
    bad = tmp_path / "broken.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(LandgradeError, match=r"broken\.gpkg: cannot read"):
        io.open_source(bad)


@pytest.mark.parametrize("ext", [".parquet", ".gpkg", ".shp", ".geojson", ".csv"])
def test_streaming_read_equals_whole_read(tmp_path, ext) -> None:
    gdf = small_frame(1000)
    path = tmp_path / f"pts{ext}"
    if ext == ".csv":
        xy = shapely.get_coordinates(gdf.geometry.to_numpy())
        pd.DataFrame({"pid": gdf["pid"], "x": xy[:, 0], "y": xy[:, 1]}).to_csv(path, index=False)
    else:
        with io.ChunkWriter(path) as w:  # written in three appended chunks
            for lo in (0, 300, 600):
                w.write(gdf.iloc[lo:lo + 300] if lo < 600 else gdf.iloc[600:])
    src = io.open_source(path)
    chunks = list(io.iter_chunks(src, chunk_size=128, progress=False))
    assert [len(c) for c in chunks][:2] == [128, 128]
    streamed = pd.concat(chunks)
    assert streamed.index.tolist() == list(range(1000))
    # CSV cells are read as the text they are, so they are written back unchanged.
    pids = [str(i) for i in range(1000)] if ext == ".csv" else list(range(1000))
    assert streamed["pid"].tolist() == pids
    assert shapely.equals(streamed.geometry.to_numpy(), gdf.geometry.to_numpy()).all()
    if ext != ".csv":
        assert src.n_rows == 1000 and streamed.crs.to_epsg() == 4546


def test_geojson_round_trip_keeps_text(tmp_path) -> None:
    io.write_file(small_frame(), tmp_path / "a.geojson")
    assert io.read_file(tmp_path / "a.geojson")["name"].tolist() == NAMES


def test_shapefile_refuses_mixed_geometry_with_a_fix(tmp_path) -> None:
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), shapely.box(0, 0, 1, 1)], crs=CRS)
    with pytest.raises(LandgradeError, match=r"one kind of geometry.*\.gpkg"):
        io.write_file(gdf, tmp_path / "mixed.shp")


def test_nullable_answer_columns_write_to_every_format(tmp_path) -> None:
    gdf = small_frame().assign(
        grade=pd.array([1, None, 3], dtype="Int64"),
        status=pd.Categorical(["ok", "outside_extent", "ok"]),
        flag=[True, False, True],
    )
    for ext in (".shp", ".gpkg", ".parquet", ".csv", ".geojson"):
        io.write_file(gdf, tmp_path / f"o{ext}")
        back = io.read_file(tmp_path / f"o{ext}", x_field="pid", y_field="grade") \
            if ext == ".csv" else io.read_file(tmp_path / f"o{ext}")
        assert back["status"].astype(str).tolist() == ["ok", "outside_extent", "ok"], ext
        if ext == ".csv":  # CSV cells read back as the text written: a null is a blank cell
            assert back["grade"].tolist()[:2] == ["1", ""]
        else:
            assert back["grade"].iloc[0] == 1 and pd.isna(back["grade"].iloc[1]), ext
        assert back.geometry.iloc[0].geom_type == "Point", ext  # points stay points


def test_csv_output_opens_in_excel_with_one_byte_order_mark(tmp_path) -> None:
    path = tmp_path / "out.csv"
    chunk = gpd.GeoDataFrame({"权利人": ["张三"]}, geometry=[Point(1, 2)], crs="EPSG:4546")
    with io.ChunkWriter(path) as w:  # two appended chunks, one header, one BOM
        w.write(chunk)
        w.write(chunk)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and raw.count(codecs.BOM_UTF8) == 1
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["权利人"].tolist() == ["张三", "张三"]


def test_a_chunk_size_below_one_is_refused_not_an_empty_read(tmp_path) -> None:
    path = tmp_path / "pts.gpkg"
    io.write_file(small_frame(), path)
    for size in (0, -5):
        with pytest.raises(LandgradeError, match="chunk size"):
            list(io.iter_chunks(io.open_source(path), size, progress=False))


@pytest.mark.parametrize("part", [".dbf", ".shx"])
def test_a_shapefile_missing_a_part_is_an_error_not_lost_attributes(tmp_path, part) -> None:
    shp = tmp_path / "pts.shp"
    io.write_file(small_frame(), shp)
    shp.with_suffix(part).unlink()
    with pytest.raises(LandgradeError, match=rf"pts\.shp: the shapefile's \{part} .*missing"):
        io.open_source(shp)


def test_a_layer_without_geometry_is_named_not_read_as_null_rows(tmp_path) -> None:
    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"a": [1, 2]}), path, layer="owners")
    with pytest.raises(LandgradeError, match=r"table\.gpkg: layer 'owners' has no geometry"):
        io.open_source(path)


def test_a_csv_row_with_too_many_fields_past_the_first_chunk_names_its_line(tmp_path) -> None:
    path = tmp_path / "pts.csv"
    rows = ["name,x,y", *[f"r{i},500000,3000000" for i in range(20)], "bad,500000,3000000,9"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    src = io.open_source(path)  # the first rows are fine
    with pytest.raises(LandgradeError, match=r"pts\.csv: not a readable CSV .*line 22"):
        list(io.iter_chunks(src, chunk_size=8, progress=False))


def test_write_table_is_excel_readable_and_names_a_missing_folder(tmp_path) -> None:
    df = pd.DataFrame({"路线": ["A01"], "price": [5714]})
    out = io.write_table(df, tmp_path / "t.csv")
    assert out.read_bytes().startswith(codecs.BOM_UTF8)
    assert pd.read_csv(out, encoding="utf-8-sig")["路线"].tolist() == ["A01"]
    with pytest.raises(LandgradeError, match="does not exist"):
        io.write_table(df, tmp_path / "nowhere" / "t.csv")


def test_gpkg_chunks_stream_into_one_layer_with_a_complete_spatial_index(tmp_path) -> None:
    """GeoPackage chunks go to GDAL as one stream: every row in order, the R-tree holds them
    all; a later chunk in other types is cast to the first's (exactly); an error
    inside the writer leaves no file."""
    import sqlite3

    def chunk(start: int, n: int, code: object) -> gpd.GeoDataFrame:
        i = np.arange(start, start + n)
        return gpd.GeoDataFrame({"i": i, "code": [code] * n, "v": i / 3},
                                geometry=gpd.points_from_xy(i * 1.5, i * 2.0), crs=4546)

    out = tmp_path / "out.gpkg"
    with io.ChunkWriter(out) as w:
        w.write(chunk(0, 5, 7))
        w.write(chunk(5, 5, 8))
        w.write(chunk(10, 3, 9.0))  # a float that casts to the first chunk's integer
    back = io.read_file(out)
    assert back["i"].tolist() == list(range(13))
    assert back["v"].tolist() == [i / 3 for i in range(13)]
    assert back["code"].tolist() == [7] * 5 + [8] * 5 + [9] * 3
    assert back.geometry.x.tolist() == [i * 1.5 for i in range(13)]
    with sqlite3.connect(out) as db:
        assert db.execute("SELECT count(*) FROM rtree_out_geom").fetchone()[0] == 13

    failed = tmp_path / "failed.gpkg"
    with pytest.raises(RuntimeError), io.ChunkWriter(failed) as w:
        w.write(chunk(0, 5, 7))
        raise RuntimeError("stop")
    assert not failed.exists() and list(tmp_path.iterdir()) == [out]


def test_csv_coordinates_typed_full_width_are_read_as_numbers(tmp_path) -> None:
    """A CSV saved by Excel (BOM) whose coordinates were typed with a Chinese input method:
    full-width digits and point, an ideographic space. Each is the number it shows, not a
    row flagged as having no geometry."""
    path = tmp_path / "fw.csv"
    path.write_text("编号,经度,纬度\n1,１１０.５７５,２７.０６\n2,110.58,\u300027.065\n3,,27\n",
                    encoding="utf-8-sig")
    gdf = io.read_file(path)
    assert gdf["编号"].tolist() == ["1", "2", "3"]  # the BOM is not part of the first name
    assert gdf["经度"].tolist()[0] == "１１０.５７５"  # the cell itself stays as written
    assert gdf.geometry.x.tolist()[:2] == [110.575, 110.58]
    assert gdf.geometry.y.tolist()[:2] == [27.06, 27.065]
    assert gdf.geometry.isna().tolist() == [False, False, True]  # a blank x stays blank


def test_a_csv_whose_first_row_has_a_field_too_many_is_refused_not_shifted(tmp_path) -> None:
    """pandas reads 'x,y / 1,2,3' as a row labelled 1 with x=2, y=3: every coordinate moved
    one column. That is an error naming the line, like a later row with a field too many."""
    path = tmp_path / "shifted.csv"
    path.write_text("x,y\n110.5,27.0,extra\n110.6,27.1\n", encoding="utf-8")
    with pytest.raises(io.IOInputError, match="line 2 has more fields than the header"):
        io.read_file(path)
    path.write_text("x,y\n110.5,27.0\n110.6,27.1,extra\n", encoding="utf-8")
    with pytest.raises(io.IOInputError, match=r"line 3, saw 3.*quote a field"):
        io.read_file(path)
