"""Shared pieces of the service tests: a live server on the loopback, points inside a grade."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import shapely
from shapely.ops import polylabel

from landgrade.io.crs import transform


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The app under uvicorn in a thread on 127.0.0.1 (for QGIS and the browser)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def interior_point(engine: Any, grade: int) -> tuple[float, float]:
    """WGS84 lon/lat of the point of ``grade``'s largest part farthest from its boundary."""
    grades = engine.grade_map.grades
    geom = grades.loc[grades["grade"] == grade].geometry.iloc[0]
    parts = shapely.get_parts(geom)
    largest = parts[shapely.area(parts).argmax()]
    p = polylabel(largest, tolerance=1.0)
    lon, lat = transform(p.x, p.y, "EPSG:4546", "EPSG:4326")
    return float(lon), float(lat)
