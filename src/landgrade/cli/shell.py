"""What every ``landgrade`` command shares: the typer app, the error shell that turns a
:class:`LandgradeError` into a message and exit status 2, and the options several commands take.

The commands themselves are defined in :mod:`landgrade.cli.app` (and, where a command has many
options of its own, a module of its own such as :mod:`landgrade.cli.value_command`).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from landgrade.errors import LandgradeError

app = typer.Typer(
    name="landgrade",
    help="Grade zones and benchmark land prices (城镇基准地价) from a county gazette.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: it wraps at the terminal (at most 80 columns) without boxes that cut
    # long option names short in a narrow terminal.
    rich_markup_mode=None,
    context_settings={"max_content_width": 80},
)

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn a LandgradeError into its message on stderr and exit status 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _terminate_as_interrupt()
        try:
            return fn(*args, **kwargs)
        except LandgradeError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        except OSError as e:  # a path the system refuses: missing, a directory, too long, …
            where = f"{e.filename}: " if e.filename else ""
            typer.echo(f"error: {where}{e.strerror or e}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:  # Ctrl-C: outputs are written atomically, so nothing is half
            typer.echo("error: interrupted; no output was left half-written", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _quiet_printed_interrupt(exc_type: Any, exc: BaseException, tb: Any) -> None:
    """``sys.excepthook``: C code that prints an exception it cannot raise (PyErr_Print) goes
    through here; a remembered Ctrl-C is reported once by the CLI, not as a traceback."""
    from landgrade.io.atomic import interrupted

    if issubclass(exc_type, KeyboardInterrupt) and interrupted():
        return
    sys.__excepthook__(exc_type, exc, tb)


def _terminate_as_interrupt() -> None:
    """SIGTERM (a scheduler or `kill` stopping a run) cleans up like Ctrl-C: the atomic
    writers then remove their temporary files instead of leaving them behind."""
    import signal
    import threading

    from landgrade.io.atomic import note_interrupt, quiet_swallowed_interrupt

    if threading.current_thread() is not threading.main_thread():
        return
    sys.unraisablehook = quiet_swallowed_interrupt
    sys.excepthook = _quiet_printed_interrupt
    # Both signals are also remembered: a KeyboardInterrupt raised inside a C callback (pyproj's
    # logger, say) is swallowed there, and the writers must still refuse to commit.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, note_interrupt)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, note_interrupt)


LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="zh or en (default: the county's language, from metadata)."),
]
CountyOpt = Annotated[
    str | None,
    typer.Option("--county", help="County folder (path, or name under geo/); default: dongkou."),
]
MapOpt = Annotated[Path | None, typer.Option("--map", help="A built grade map.")]
LayerOpt = Annotated[
    str | None, typer.Option(help="Input layer (needed when a GeoPackage has several).")
]
UseFieldOpt = Annotated[
    str | None,
    typer.Option(help="Column with each row's land use (用途: 商服用地, a class code or name of "
                 "GB/T 21010-2017 or the 2023 用地用海分类): adds price and total."),
]
UseStandardOpt = Annotated[
    str | None,
    typer.Option("--use-standard", help="Standard the land-use codes are read in: tdly2017 "
                 "(GB/T 21010-2017) or ydyh2023 (2023 用地用海分类); default: the county's."),
]

def point_of(x: str, y: float | None) -> tuple[float, float]:
    """``X Y`` as two arguments, or one ``X,Y`` as copied from AMap (half- or full-width comma)."""
    from landgrade.io.crs import parse_xy

    return parse_xy(x if y is None else f"{x} {y}")


def default_lang(lang: str | None) -> str:
    """``--lang``, else the default county's language (commands that read no county)."""
    from landgrade.gazette.county import county_folder
    from landgrade.gazette.labels import lang_for

    return lang_for(lang, county_folder(None).metadata if lang is None else None)
