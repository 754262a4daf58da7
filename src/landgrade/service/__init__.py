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

import errno
import gc
import socket
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
    lang: str | None = None,
) -> None:
    """Load the engine once and serve it until interrupted (see :mod:`landgrade.service.app`).

    The port is taken first, before the map is loaded or any address printed: a port another
    program holds is a :class:`LandgradeError` naming it (exit status 2), never an address
    printed for a service that is not there. ``lang`` is the web page's language (default: the
    county's).
    """
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
    if lang is not None:
        from landgrade.gazette.labels import check_lang

        check_lang(lang)
    import ipaddress

    names = list(allowed_hosts or ())
    try:
        ipaddress.ip_address(host)
    except ValueError:  # bound by name (a machine name, say): that name is answered too
        names.append(host)
    sock = bind_port(host, port)
    try:
        config = ServiceConfig(
            map_path=map_path, county=county, max_body_bytes=int(max_body_mb * 1024 * 1024),
            max_features=max_features, cors_origins=tuple(cors or ()),
            allowed_hosts=tuple(names), body_timeout_s=float(body_timeout), lang=lang,
        )
        app = create_app(config)
    except BaseException:
        sock.close()
        raise
    engine = app.state.engine
    from landgrade.engine.answer import answer_lang
    from landgrade.gazette.labels import word

    said = answer_lang(engine, lang)
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}{root_path}"
    note = f" ({word('schematic_short', said)})" if engine.grade_map.schematic else ""
    county = engine.grade_map.metadata.get("county") or "grade map"
    print(word("serve_started", said, county=county, note=note, where=where,
               mb=f"{max_body_mb:g}", n=max_features), file=sys.stderr)
    print(word("serve_hosts", said, names=", ".join(names)) if names
          else word("serve_hosts_local", said), file=sys.stderr)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(word("serve_open", said, host=host), file=sys.stderr)
    # Objects that live as long as the process (the map, its index, the app) need no garbage
    # collection passes: freezing them keeps collections short, and so the latency tail.
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(uvicorn.Config(
        app, host=host, port=port, root_path=root_path, log_level=log_level, proxy_headers=True,
        server_header=False, access_log=log_level == "debug"))
    server.run(sockets=[sock])


def bind_port(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (listened on by the server), or a
    :class:`LandgradeError` saying why not: the port is taken, needs rights, or the address is
    not this machine's."""
    if not 0 < port < 65536:
        raise LandgradeError(f"--port {port}: give a port from 1 to 65535, e.g. --port 8000")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise LandgradeError(f"--host {host}: not an address this machine knows ({e.strerror})"
                             ) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # As uvicorn binds: a port left in TIME_WAIT by a stopped server can be taken again.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        # Listening now, not when the server starts: two sockets that merely bound may share a
        # port under SO_REUSEADDR, so a second `serve` started while this one loads its map
        # would bind too and print its address for a port it can never answer on.
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            other = port + 1 if port < 65535 else 8000
            raise LandgradeError(
                f"port {port} on {host} is already in use (another landgrade serve, or another "
                f"program); stop it or choose a free port, e.g. --port {other}") from None
        if e.errno == errno.EACCES:
            raise LandgradeError(
                f"port {port} on {host}: permission denied (ports below 1024 need administrator "
                "rights); choose e.g. --port 8000") from None
        raise LandgradeError(f"--host {host} --port {port}: cannot listen there "
                             f"({e.strerror or e})") from None
    sock.set_inheritable(True)
    return sock
