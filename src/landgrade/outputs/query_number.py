"""The 查询编号 (query number) printed on each 查询单 page.

``430525-20260207-143012-3F9A2C``: the county's adcode (metadata ``adcode``; left out when the
county gives none), the date and time of the run (local time, to the second), and six
hexadecimal digits of a SHA-256 over the query: the map's identity (the hash of the county
folder or ``--map`` file that the engine's cache uses), the query's target (coordinates with
their CRS, or the row's parcel id and geometry), its use, the row's number, and the run's time
to the microsecond. So the same query run again later gets another number, a number names what
was asked of which map, and two rows of one run never share a number (a clash of the six digits
is hashed again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

DIGITS = 6


def query_numbers(
    metadata: Mapping[str, Any] | None,
    issued: dt.datetime,
    map_identity: str,
    queries: Sequence[str],
) -> list[str]:
    """One distinct 查询编号 per entry of ``queries`` (each a text of what the row asks)."""
    adcode = str((metadata or {}).get("adcode") or "").strip()
    stamp = issued.strftime("%Y%m%d-%H%M%S")
    prefix = f"{adcode}-{stamp}" if adcode else stamp
    taken: set[str] = set()
    out = []
    for i, query in enumerate(queries):
        salt = 0
        while True:
            text = "\x1f".join([map_identity, query, str(i + 1), issued.isoformat(), str(salt)])
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGITS].upper()
            if digest not in taken:
                break
            salt += 1
        taken.add(digest)
        out.append(f"{prefix}-{digest}")
    return out
