"""Which text encoding a shapefile's attributes or a CSV file are in.

Chinese shapefiles come in UTF-8 or GBK, often without a ``.cpg`` to say which, and sometimes
with a ``.cpg`` that is wrong. :func:`detect_dbf_encoding` reads the ``.cpg`` and checks it
against the data, else decides from the bytes; :func:`csv_encoding` does the same for CSV files
(UTF-8 with or without BOM, else GB18030). A wrong guess shows as garbled text, which
:func:`looks_garbled` recognises.
"""

from __future__ import annotations

import codecs
import struct
from pathlib import Path

from landgrade.io.formats import IOInputError

# Text that survived a wrong decoding: the replacement character, 锟斤拷 (UTF-8 of U+FFFD read as
# GBK) and Latin-1 renderings of UTF-8 lead bytes.
_GARBLE_MARKERS = ("\ufffd", "锟斤拷", "Ã", "Â", "â€", "ï¼", "å", "æ", "ç", "è", "é")
_LDID_ENCODINGS = {0x4D: "GBK", 0x7A: "GBK", 0x57: "CP1252", 0x03: "CP1252", 0x01: "CP437"}


def looks_garbled(texts: list[str]) -> bool:
    """True when decoded text shows the usual signs of a wrong encoding."""
    return any(m in t for t in texts for m in _GARBLE_MARKERS)


def _dbf_text_sample(dbf: Path, max_bytes: int = 1 << 20) -> tuple[bytes, int | None]:
    """Raw bytes of the field names and the first records of a .dbf, and its language-driver id."""
    with dbf.open("rb") as f:
        head = f.read(32)
        if len(head) < 32:
            raise IOInputError(f"{dbf}: not a dBase file (too short); is the shapefile complete?")
        header_len, record_len = struct.unpack("<HH", head[8:12])
        ldid = head[29] or None
        fields = f.read(max(header_len - 32, 0))
        body = f.read(min(max_bytes, record_len * 20_000))
    return fields + body, ldid


def detect_dbf_encoding(shp: str | Path) -> tuple[str, str]:
    """The attribute encoding of a shapefile and how it was decided.

    Order: the ``.cpg`` file; else the bytes decode as strict UTF-8 → ``UTF-8``; else as GBK
    (GB18030, its superset, so rare characters survive) → ``GBK``; else the dBase language-driver
    byte; else ``UTF-8`` with replacement, flagged by the reason text.
    """
    shp = Path(shp)
    cpg = shp.with_suffix(".cpg")
    if not cpg.exists():
        cpg = shp.with_suffix(".CPG")
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        dbf = shp.with_suffix(".DBF")
    raw, ldid = _dbf_text_sample(dbf) if dbf.exists() else (b"", None)
    if cpg.exists():
        name = cpg.read_text(encoding="ascii", errors="ignore").strip()
        if name:
            norm = {"936": "GBK", "65001": "UTF-8", "UTF8": "UTF-8"}.get(name.upper(), name)
            try:
                codecs.lookup(norm)
            except LookupError:
                norm = ""
            if norm:
                _check_cpg(cpg, norm, raw)
                return norm, f"from {cpg.name}"
    if not dbf.exists():
        return "UTF-8", "no .dbf"
    if raw.isascii():
        return "UTF-8", "attributes are plain ASCII"
    for enc in ("utf-8", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if not looks_garbled([text]):
            name = "UTF-8" if enc == "utf-8" else "GB18030"
            return name, f"no .cpg; attributes decode as {enc}"
    if ldid in _LDID_ENCODINGS:
        return _LDID_ENCODINGS[ldid], f"no .cpg; dBase language driver 0x{ldid:02X}"
    return "UTF-8", "no .cpg and no encoding decodes cleanly: text may be garbled, pass --encoding"


def _reads_as(raw: bytes, encoding: str) -> bool:
    """True when ``raw`` reads cleanly in ``encoding``: at most a few broken characters (a
    writer that cut text at 254 bytes splits the last character) and no signs of garbling."""
    text = raw.decode(encoding, errors="replace")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    broken = text.count("\ufffd")
    return broken <= 0.02 * max(non_ascii, 1) and not looks_garbled([text.replace("\ufffd", "")])


def _check_cpg(cpg: Path, encoding: str, raw: bytes) -> None:
    """A ``.cpg`` that names the wrong encoding is an error naming it, not garbled text."""
    if raw.isascii():
        return
    is_utf8 = codecs.lookup(encoding).name == "utf-8"
    if _reads_as(raw, encoding) and (is_utf8 or not _reads_as(raw, "utf-8")):
        return
    actual = next((name for enc, name in (("utf-8", "UTF-8"), ("gb18030", "GBK"))
                   if codecs.lookup(enc).name != codecs.lookup(encoding).name
                   and _reads_as(raw, enc)), None)
    fix = f"pass --encoding {actual}, or write {actual} into" if actual else "fix or delete"
    raise IOInputError(
        f"{cpg}: says the attributes are {encoding} but they are not"
        f"{f' (they read as {actual})' if actual else ''}; {fix} {cpg.name}"
    )


def encoding_name(encoding: str, path: Path) -> str:
    """A user's encoding name in the spelling both Python and GDAL (iconv) accept."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise IOInputError(
            f"{path}: unknown encoding {encoding!r}; try UTF-8, GBK, GB18030 or CP1252"
        ) from None
    return {"iso8859-1": "ISO-8859-1", "utf-8": "UTF-8", "gbk": "GBK"}.get(name, name.upper())


def csv_encoding(path: Path) -> str:
    with path.open("rb") as f:
        raw = f.read(1 << 20)
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start > len(raw) - 4:  # the sample cut a character in two
            return "utf-8"
    return "gb18030"
