"""Guards between the network and the service: request limits and error answers.

- :class:`HostCheck` answers only requests addressed to this service by a name it knows (421
  otherwise), so a web page elsewhere cannot reach it by DNS rebinding;
- :class:`BodyTimeout` drops a request whose body stops arriving (408, and the connection
  closed), so stalled uploads do not hold connections open;
- :class:`BodyLimit` refuses a request body over the limit (413) before the application reads it.
- :func:`install_error_handlers` makes every failure a JSON answer ``{"detail": "..."}``: a
  :class:`BadRequest` or a :class:`landgrade.errors.LandgradeError` a 4xx naming the problem,
  a validation error a 400 naming the parameter, anything unexpected a 500 whose traceback goes
  to the server log only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landgrade.errors import LandgradeError

log = logging.getLogger("landgrade.service")


class BadRequest(LandgradeError):
    """A request the service cannot answer; ``status`` is the HTTP code (4xx)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


async def _refuse(send: Send, status: int, message: str) -> None:
    """A JSON answer ``{"detail": message}`` sent from a middleware; the connection is closed
    after it (the request may not have been read whole)."""
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# Names that always mean this machine; an IP address is answered too (a DNS-rebinding attack
# needs a name: a page cannot make a browser send another site's address as Host).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def host_name(header: str) -> str:
    """The host of a Host header, lower case, without port, brackets or a trailing dot."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else value
    if value.count(":") == 1:
        value = value.rsplit(":", 1)[0]
    return value.rstrip(".")


class HostCheck:
    """ASGI middleware: a request whose Host is not this machine's, an IP address, or one of
    ``allowed`` (names; ``*.example.gov.cn`` for a domain's hosts, ``*`` for any) gets 421.

    A service on 127.0.0.1 is still reachable from the browser of the person at the machine:
    a page elsewhere whose name is re-pointed at 127.0.0.1 (DNS rebinding) would otherwise be
    answered as if it were the service's own page. Its requests carry that page's name as Host.
    """

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...] = ()) -> None:
        self.app = app
        names = [host_name(h) for h in allowed]
        self.any = "*" in names
        self.names = set(LOCAL_HOSTS) | {n for n in names if not n.startswith("*.")}
        self.domains = tuple(n[1:] for n in names if n.startswith("*."))
        self._answered: set[bytes] = set()  # Host headers already judged allowed (bounded)

    def allows(self, name: str) -> bool:
        if self.any or name in self.names or (self.domains and name.endswith(self.domains)):
            return True
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            raw = None
            for key, value in scope["headers"]:
                if key == b"host":
                    raw = value
                    break
            if raw is not None and raw not in self._answered:
                name = host_name(raw.decode("latin-1"))
                if not self.allows(name):
                    await _refuse(
                        send, 421, f"Host {name[:100]!r} is not a name this service answers "
                        f"to; start it with --allowed-host {name[:100]} if it is (a reverse "
                        "proxy's public name, say)")
                    return
                if len(self._answered) < 256:
                    self._answered.add(raw)
        await self.app(scope, receive, send)


class BodyTimeout:
    """ASGI middleware: a request body that stops arriving for ``seconds`` (nothing received)
    gets 408 and its connection is closed; the application sees the client as gone.

    uvicorn bounds the time between requests on a connection, not the time a body takes, so a
    client that sends its headers and then stalls would hold the connection, and the handler
    waiting for its body, for ever. Once the body is complete nothing is timed.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.seconds or \
                scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)  # no body the application waits for
            return
        complete = timed_out = started = False

        async def timed_receive() -> Message:
            nonlocal complete, timed_out
            if timed_out:
                return {"type": "http.disconnect"}
            if complete:
                return await receive()
            # A timer that cancels the waiting task (cheaper than asyncio.timeout per message,
            # which the load test's thousands of requests a second would pay).
            task = asyncio.current_task()
            fired = False

            def expire() -> None:
                nonlocal fired
                fired = True
                task.cancel()  # type: ignore[union-attr]

            timer = asyncio.get_running_loop().call_later(self.seconds, expire)
            try:
                message = await receive()
            except asyncio.CancelledError:
                if not fired:
                    raise
                task.uncancel()  # type: ignore[union-attr]
                timed_out = True
                if not started:
                    await _refuse(
                        send, 408, f"the request body stopped arriving for {self.seconds:g} s "
                        "(landgrade serve --body-timeout)")
                return {"type": "http.disconnect"}
            finally:
                timer.cancel()
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the 408 has gone out; a late answer of the application is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, timed_receive, guarded_send)


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before the app reads it.

    The declared Content-Length is checked first; a chunked body is counted as it arrives and
    buffered, so the application never sees more than the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                await _refuse(send, 400, "Content-Length is not a number")
                return
            if too_big:
                await self._too_large(send)
                return
            await self.app(scope, receive, send)
            return
        body, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            body.append(chunk)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        mb = self.max_bytes / (1024 * 1024)
        await _refuse(
            send, 413, f"request body over the limit of {mb:g} MB (landgrade serve --max-body-mb)"
        )



def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query")]
        where = ".".join(loc) or "body"
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {str(got)[:40]!r})"
        parts.append(f"{where}: {err.get('msg', 'invalid')}{shown}")
    return "; ".join(parts[:5]) + (f"; and {len(parts) - 5} more" if len(parts) > 5 else "")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BadRequest)
    async def _bad(_: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(LandgradeError)
    async def _landgrade(_: Request, exc: LandgradeError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(ClientDisconnect)
    async def _gone(_: Request, __: ClientDisconnect) -> Response:
        # The client hung up before its body arrived: nobody is left to read an answer.
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback on the server; the client gets one line, never the trace.
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return JSONResponse(
            {"detail": f"internal error ({type(exc).__name__}); the server log has the details"},
            status_code=500,
        )
