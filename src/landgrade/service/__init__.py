"""``landgrade serve``: the engine as a local HTTP service, an OGC API and a web page.

- :mod:`landgrade.service.app` — the FastAPI application and the ``/api`` routes;
- :mod:`landgrade.service.batch` — concurrent point requests coalesced into engine calls;
- :mod:`landgrade.service.files` — uploaded files graded as ``landgrade assign`` grades them;
- :mod:`landgrade.service.guards` — body limits and the JSON error answers;
- :mod:`landgrade.service.ogc` — OGC API – Features (Part 1 Core) at ``/ogc``, for QGIS;
- :mod:`landgrade.service.web` — the page at ``/``.

FastAPI (with uvicorn) was chosen because the endpoints are typed functions, as the CLI's are,
and the OpenAPI description at ``/docs`` comes from them. The optional ``serve`` extra installs
it: ``pip install "landgrade[serve]"``.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from landgrade.errors import LandgradeError


def serve(
    *,
    map_path: Path | None = None,
    county: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    cors: list[str] | None = None,
    max_body_mb: float = 50,
    max_features: int = 200_000,
    root_path: str = "",
    log_level: str = "info",
    allowed_hosts: list[str] | None = None,
    body_timeout: float = 30,
) -> None:
    """Load the engine once and serve it until interrupted (see :mod:`landgrade.service.app`)."""
    try:
        import uvicorn

        from landgrade.service.app import ServiceConfig, create_app
    except ImportError as e:
        raise LandgradeError(
            f"landgrade serve needs FastAPI and uvicorn ({e.name} is missing): "
            'pip install "landgrade[serve]"'
        ) from None
    if max_body_mb <= 0 or max_features < 1:
        raise LandgradeError("--max-body-mb and --max-features must be positive")
    if not body_timeout >= 0:
        raise LandgradeError("--body-timeout must be 0 (no limit) or a number of seconds")
    import ipaddress

    names = list(allowed_hosts or ())
    try:
        ipaddress.ip_address(host)
    except ValueError:  # bound by name (a machine name, say): that name is answered too
        names.append(host)
    config = ServiceConfig(
        map_path=map_path, county=county, max_body_bytes=int(max_body_mb * 1024 * 1024),
        max_features=max_features, cors_origins=tuple(cors or ()),
        allowed_hosts=tuple(names), body_timeout_s=float(body_timeout),
    )
    app = create_app(config)
    engine = app.state.engine
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}{root_path}"
    note = " (schematic road network, not a survey)" if engine.grade_map.schematic else ""
    print(f"landgrade serve: {engine.grade_map.metadata.get('county', 'grade map')}{note}\n"
          f"  web page {where}/   API docs {where}/docs   OGC API - Features {where}/ogc\n"
          f"  limits: {max_body_mb:g} MB per request body, {max_features} points or features "
          "per request", file=sys.stderr)
    print("  answers requests addressed to localhost or an IP address"
          + (f", or to {', '.join(names)}" if names else "")
          + " (--allowed-host NAME for a reverse proxy's name)", file=sys.stderr)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"  note: bound to {host}: anyone who can reach this machine can use the service "
              "(it has no login); prefer 127.0.0.1 behind a reverse proxy", file=sys.stderr)
    # Objects that live as long as the process (the map, its index, the app) need no garbage
    # collection passes: freezing them keeps collections short, and so the latency tail.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, root_path=root_path, log_level=log_level,
                proxy_headers=True, server_header=False, access_log=log_level == "debug")
