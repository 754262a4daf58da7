"""Graded files for ``POST /api/assign``: an upload in, the same rows with the answer out.

The job is ``landgrade assign``'s: the input is read by :mod:`landgrade.io` (open_source,
iter_chunks), graded by :meth:`Engine.assign`, and written by :class:`landgrade.io.ChunkWriter`,
through the same loop (:func:`landgrade.jobs.assign.grade_file`), so a file graded by the service
is the file the command writes, row for row.

Uploads are written to a private temporary folder under names the service chooses
(``input.<ext>``); the output is named after the upload, ``<stem>_graded.<ext>`` with the stem
reduced to letters, digits, ``_`` and ``-`` (:func:`graded_name`), so no request names a path on
the server, and the download, its GeoPackage layer and its zipped shapefile's parts carry the
user's name rather than ``output``. The folder is removed when the response is built. A
zipped shapefile is unpacked member by member, by its extension only, with the total unpacked
size bounded (a zip bomb is refused).
"""

from __future__ import annotations

import io as _bytesio
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from landgrade.engine.engine import Engine
from landgrade.engine.pricing import PricingOptions
from landgrade.errors import LandgradeError
from landgrade.io.readers import DEFAULT_CHUNK_SIZE
from landgrade.jobs.assign import TooManyRows, check_pricing, grade_file
from landgrade.jobs.read_options import ReadOptions
from landgrade.service.guards import BadRequest
from landgrade.service.upload_crs import check_upload_crs

# Output format key → (file extension written, media type of the response).
OUTPUT_FORMATS: dict[str, tuple[str, str]] = {
    "geojson": (".geojson", "application/geo+json"),
    "csv": (".csv", "text/csv; charset=utf-8"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "shp": (".shp", "application/zip"),  # the parts, zipped
    "parquet": (".parquet", "application/vnd.apache.parquet"),
}
# Upload extension → (input extension used for io, default output format).
UPLOAD_TYPES: dict[str, tuple[str, str]] = {
    ".zip": (".shp", "shp"),
    ".gpkg": (".gpkg", "gpkg"),
    ".geojson": (".geojson", "geojson"),
    ".json": (".geojson", "geojson"),
    ".csv": (".csv", "csv"),
    ".parquet": (".parquet", "parquet"),
}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# An unpacked zip may be this many times the upload limit (shapefiles compress ~3-10x).
ZIP_EXPANSION = 10
# Uploads are written to <temp>/landgrade-serve-*; one untouched this long belongs to no
# running request (as `landgrade cache clear` judges its temporary files).
UPLOAD_PREFIX = "landgrade-serve-"
STALE_UPLOAD_S = 3600


class UploadError(BadRequest):
    """An upload that cannot be graded; the message names the problem (HTTP 400)."""


class TooLargeError(UploadError):
    """An upload over the service's feature or size limits (HTTP 413)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 413)


@dataclass(frozen=True)
class AssignOptions:
    """The ``landgrade assign`` options a request may give: the coordinates' CRS, how the
    upload is read and how its rows are priced."""

    crs: str | None = None
    read: ReadOptions = field(default_factory=ReadOptions)
    pricing: PricingOptions = field(default_factory=PricingOptions)


@dataclass
class GradedFile:
    content: bytes
    media_type: str
    extension: str
    rows: int
    name: str  # what to save it as: ``<upload stem>_graded<extension>``


def graded_name(upload: str, extension: str) -> str:
    """``parcels.zip`` → ``parcels_graded.zip``, ``地块.gpkg`` → ``地块_graded.gpkg``.

    Only the last part of a client's path counts (some browsers send ``C:\\…\\name``); the
    stem is made safe as a file name by :func:`landgrade.io.safe_file_stem`, then anything but
    letters (any script), digits, ``_`` and ``-`` becomes ``_``, since it also names the
    GeoPackage layer; a name with nothing left is ``upload``.
    """
    from landgrade.io.atomic import safe_file_stem

    base = re.split(r"[\\/]", upload or "")[-1]
    # GDAL refuses a layer that starts with ``-`` or with ``gpkg`` (reserved): ``-.csv`` and
    # ``gpkg导出.csv`` must not end in a 400.
    stem = re.sub(r"[^\w\-]+", "_", safe_file_stem(Path(base).stem)).strip("_-") or "upload"
    if stem[:4].casefold() == "gpkg":
        stem = f"_{stem}"
    return f"{stem}_graded{extension}"


def _check_magic(data: bytes, ext: str, name: str) -> None:
    """Refuse a file whose bytes are not what its extension says, before GDAL guesses."""
    head = data[:16]
    ok = {
        ".zip": head.startswith(b"PK\x03\x04"),
        ".gpkg": head.startswith(b"SQLite format 3\x00"),
        ".parquet": head.startswith(b"PAR1") and data[-4:] == b"PAR1",
        ".geojson": data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"),
        ".json": data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"),
        ".csv": b"\x00" not in data[:4096],
    }[ext]
    if not ok:
        what = {".zip": "a zip archive", ".gpkg": "a GeoPackage", ".parquet": "a Parquet file",
                ".geojson": "GeoJSON (a JSON object)", ".json": "GeoJSON (a JSON object)",
                ".csv": "a text CSV"}[ext]
        raise UploadError(f"{name}: the file is named {ext} but is not {what}")


def _unzip_shapefile(data: bytes, folder: Path, name: str, max_bytes: int) -> Path:
    """The one shapefile in a zip, unpacked as ``input.shp`` and its parts."""
    try:
        archive = zipfile.ZipFile(_bytesio.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UploadError(f"{name}: not a readable zip archive ({e})") from None
    shps = [m for m in members if Path(m.filename).suffix.lower() == ".shp"
            and not Path(m.filename).name.startswith("._")]
    if len(shps) != 1:
        found = ", ".join(Path(m.filename).name for m in shps) or "none"
        raise UploadError(
            f"{name}: a zipped upload must hold exactly one shapefile (.shp with its .shx, .dbf, "
            f"and .prj); found {len(shps)} ({found})"
        )
    stem = shps[0].filename[: -len(".shp")]
    parts = [m for m in members if m.filename[: -len(Path(m.filename).suffix) or None] == stem
             and Path(m.filename).suffix.lower() in SHAPEFILE_PARTS]
    if sum(m.file_size for m in parts) > max_bytes:
        raise TooLargeError(f"{name}: the shapefile unpacks to more than {max_bytes} bytes")
    locked = [Path(m.filename).name for m in parts if m.flag_bits & 0x1]
    if locked:  # zipfile would need the password (and Python cannot read most such zips)
        raise UploadError(f"{name}: the zip is encrypted (password-protected: "
                          f"{', '.join(locked)}); zip the shapefile again without a password")
    for m in parts:
        target = folder / f"input{Path(m.filename).suffix.lower()}"
        written = 0
        try:
            with archive.open(m) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > max_bytes:  # the header's size may lie
                        raise TooLargeError(
                            f"{name}: the shapefile unpacks to more than {max_bytes} bytes")
                    dst.write(chunk)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError) as e:
            raise UploadError(f"{name}: cannot unpack {m.filename} ({e})") from None
    return folder / "input.shp"


def grade_upload(
    engine: Engine,
    data: bytes,
    filename: str,
    output_format: str | None,
    options: AssignOptions,
    *,
    max_features: int,
    max_bytes: int,
) -> GradedFile:
    """Grade an uploaded file (bytes and the client's file name) into ``output_format``."""
    ext = Path(filename or "").suffix.lower()
    if ext not in UPLOAD_TYPES:
        raise UploadError(
            f"{filename or 'upload'}: unknown file type {ext or '(none)'!r}; upload one of "
            f"{', '.join(sorted(UPLOAD_TYPES))} (a shapefile as a .zip of its parts)"
        )
    _check_magic(data, ext, filename)
    in_ext, default_out = UPLOAD_TYPES[ext]
    fmt = output_format or default_out
    if fmt not in OUTPUT_FORMATS:
        raise UploadError(f"format {fmt!r}: use one of {', '.join(OUTPUT_FORMATS)}")
    with tempfile.TemporaryDirectory(prefix=UPLOAD_PREFIX) as tmp:
        folder = Path(tmp)
        if ext == ".zip":
            path = _unzip_shapefile(data, folder, filename, max_bytes * ZIP_EXPANSION)
        else:
            path = folder / f"input{in_ext}"
            path.write_bytes(data)
        # The file's own CRS is read as text and checked before GDAL opens the file: GDAL
        # would hand it to PROJ, which opens any grid file it names (service.upload_crs).
        check_upload_crs(path, filename)
        out_dir = folder / "out"
        out_dir.mkdir()
        out = out_dir / graded_name(filename, OUTPUT_FORMATS[fmt][0])
        rows = _assign_file(engine, path, out, options, max_features, filename)
        content = _zip_shapefile(out) if fmt == "shp" else out.read_bytes()
    ext_out = ".zip" if fmt == "shp" else OUTPUT_FORMATS[fmt][0]
    return GradedFile(content, OUTPUT_FORMATS[fmt][1], ext_out, rows,
                      graded_name(filename, ext_out))


def remove_stale_uploads() -> list[Path]:
    """Remove this user's upload folders in the temporary directory that nothing has touched
    for :data:`STALE_UPLOAD_S` (a server killed mid-request leaves its folder, with the user's
    parcels, for good); a younger one may be another running server's, and is left."""
    import os
    import shutil
    import stat
    import time

    removed = []
    now = time.time()
    try:
        entries = list(Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"))
    except OSError:
        return removed
    for folder in entries:
        try:
            st = folder.lstat()
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                continue  # a symlink, a file, or another user's: not ours to remove
            newest = max([st.st_mtime, *(p.lstat().st_mtime for p in folder.rglob("*"))])
        except OSError:
            continue
        if now - newest > STALE_UPLOAD_S:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _assign_file(engine: Engine, path: Path, out: Path, opt: AssignOptions,
                 max_features: int, name: str) -> int:
    """``landgrade assign`` on a file with the service's engine; the number of rows written."""
    try:
        src = opt.read.open(path)
    except LandgradeError as e:
        raise UploadError(_rename(str(e), path, name)) from None
    if src.n_rows is not None and src.n_rows > max_features:
        raise TooLargeError(
            f"{name}: {src.n_rows} features; this service grades at most {max_features} per "
            "request (landgrade serve --max-features), or use `landgrade assign` on the file"
        )
    try:  # as the command checks them: a town grade the town lacks is a 400 before any work
        check_pricing(engine, src, opt.pricing)
    except LandgradeError as e:
        raise UploadError(_rename(str(e), path, name)) from None
    spec = opt.crs or src.crs
    if spec is None and src.is_table:
        spec = "EPSG:4326"
    if spec is None:
        raise UploadError(
            f"{name}: the file has no CRS (no .prj or CRS metadata); pass crs=, e.g. "
            "crs=EPSG:4546 or crs=EPSG:4326"
        )
    try:
        graded = grade_file(engine, src, out, spec, chunk_size=DEFAULT_CHUNK_SIZE,
                            pricing=opt.pricing, max_rows=max_features)
    except TooManyRows:
        raise TooLargeError(
            f"{name}: more than {max_features} features; this service grades at "
            "most that many per request (landgrade serve --max-features)"
        ) from None
    except LandgradeError as e:
        raise UploadError(_rename(str(e), path, name)) from None
    except Exception as e:  # GDAL/Arrow/pandas refusing the user's bytes: their file, not ours
        raise UploadError(_rename(f"{name}: cannot read the file ({type(e).__name__}: {e})",
                                  path, name)) from None
    if graded.rows == 0:
        raise UploadError(f"{name}: the file has no rows or features to grade")
    return graded.rows


def _rename(message: str, path: Path, name: str) -> str:
    """Messages name the client's file, not the private temporary path."""
    return message.replace(str(path.parent) + "/", "").replace(path.name, name or path.name)


def _zip_shapefile(shp: Path) -> bytes:
    buf = _bytesio.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for ext in SHAPEFILE_PARTS:
            part = shp.with_suffix(ext)
            if part.exists():
                z.write(part, f"{shp.stem}{ext}")  # parcels_graded.shp, .dbf, …
    return buf.getvalue()
