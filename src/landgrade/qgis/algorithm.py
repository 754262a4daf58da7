"""What every landgrade Processing algorithm shares: its words, how a run is watched, and how
a failure reaches the analyst.

A run's body (:meth:`LandgradeAlgorithm.run_command`) calls the command it wraps. Around it,
:meth:`LandgradeAlgorithm.processAlgorithm`:

- forwards what the command prints (notes, warnings, the summary) to the Processing log, a
  warning as a warning;
- watches its loops (:mod:`landgrade.progress`): each step moves the progress bar, and once the
  cancel button is pressed the next step raises :class:`~landgrade.progress.RunCancelled`, so
  the command unwinds as on any error and its atomic outputs leave no partial file;
- turns a :class:`~landgrade.errors.LandgradeError` (bad input: the message names the layer,
  field or clause and the fix) or a refused path into a ``QgsProcessingException`` carrying that
  message alone: Processing shows it as the run's error, never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import sys
import traceback
import warnings
from typing import Any

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsSettings,
)

from landgrade.errors import LandgradeError
from landgrade.gazette.county import county_folder
from landgrade.gazette.labels import LANGS, county_name, default_lang, word
from landgrade.progress import RunCancelled, watching

# QgsSettings key of the toolbox's language (zh or en); unset: the default county's language,
# as the command line's. Outputs have their own parameter (LANG).
LANG_SETTING = "landgrade/lang"
# LANG parameter choices, in order: the county's language, then LANGS.
LANG_CHOICES: tuple[str | None, ...] = (None, *LANGS)


def ui_lang() -> str:
    """The toolbox's language: the ``landgrade/lang`` setting, else the default county's."""
    chosen = QgsSettings().value(LANG_SETTING, "", type=str)
    if chosen in LANGS:
        return chosen
    try:
        return default_lang(county_folder(None).metadata)
    except LandgradeError:
        return "en"


def say(key: str, **fields: Any) -> str:
    """The interface word ``key`` in the toolbox's language."""
    return word(key, ui_lang(), **fields)


def county_parameter() -> QgsProcessingParameterFile:
    """COUNTY: a county folder; left empty, the bundled default county (named from its data)."""
    lang = ui_lang()
    try:
        default = county_name(county_folder(None).metadata, lang)
    except LandgradeError:
        default = ""
    return QgsProcessingParameterFile(
        "COUNTY", word("qgis_p_county", lang, county=default or "-"),
        behavior=QgsProcessingParameterFile.Folder, optional=True)


class LandgradeAlgorithm(QgsProcessingAlgorithm):
    """A landgrade command as a Processing algorithm. Subclasses set :attr:`key` (the
    algorithm's id and, unless :attr:`words` says otherwise, its words ``qgis_<key>`` and
    ``qgis_<key>_help``), :attr:`group_key`, and define :meth:`initAlgorithm` and
    :meth:`run_command`."""

    key = ""
    words = ""  # the algorithm's words are qgis_<words>, qgis_<words>_help (default: key)
    group_key = "qgis_group_query"

    def name(self) -> str:
        return self.key

    def displayName(self) -> str:
        return say(f"qgis_{self.words or self.key}")

    def group(self) -> str:
        return say(self.group_key)

    def groupId(self) -> str:
        return self.group_key.removeprefix("qgis_group_")

    def shortHelpString(self) -> str:
        return say(f"qgis_{self.words or self.key}_help")

    def createInstance(self) -> LandgradeAlgorithm:
        return type(self)()

    # -- parameters several algorithms take ------------------------------------------------
    def add_map_and_county(self) -> None:
        self.addParameter(QgsProcessingParameterFile(
            "MAP", say("qgis_p_map"), extension="gpkg", optional=True))
        self.addParameter(county_parameter())

    def add_lang(self) -> None:
        names = [say("qgis_lang_county"), *(say(f"qgis_lang_{c}") for c in LANGS)]
        self.addParameter(QgsProcessingParameterEnum(
            "LANG", say("qgis_p_lang"), options=names, defaultValue=0))

    def lang_of(self, parameters: dict[str, Any], context: QgsProcessingContext) -> str | None:
        """The LANG parameter: None for the county's language, else ``zh``/``en``."""
        return LANG_CHOICES[self.parameterAsEnum(parameters, "LANG", context)]

    def words_lang(self, lang: str | None) -> str:
        """The language of the words a run says itself: ``lang``, else the toolbox's."""
        return lang or ui_lang()

    def map_and_county(self, parameters: dict[str, Any], context: QgsProcessingContext
                       ) -> tuple[Any, str | None]:
        """The MAP (a Path or None) and COUNTY (a folder or None: the bundled county)."""
        from pathlib import Path

        map_file = self.parameterAsFile(parameters, "MAP", context)
        county = self.parameterAsFile(parameters, "COUNTY", context)
        return (Path(map_file) if map_file else None), (county or None)

    # -- a run ---------------------------------------------------------------------------
    def run_command(self, parameters: dict[str, Any], context: QgsProcessingContext,
                    feedback: QgsProcessingFeedback) -> dict[str, Any]:
        """Run the command; returns the outputs. Subclasses define it."""
        raise NotImplementedError

    def processAlgorithm(
        self, parameters: dict[str, Any], context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        log = _LogStream(feedback)
        try:
            with watching(_watcher(feedback)), contextlib.redirect_stdout(log), \
                    contextlib.redirect_stderr(log), warnings.catch_warnings():
                # A library's warnings (deprecations, matplotlib's Axes3D beside Debian's own
                # matplotlib) are for developers, not the analyst's log; landgrade says what
                # the analyst needs in its own lines.
                warnings.simplefilter("ignore")
                try:
                    if feedback.isCanceled():
                        raise RunCancelled(say("qgis_cancelled"))
                    return self.run_command(parameters, context, feedback)
                finally:
                    log.flush()
        except RunCancelled:
            raise QgsProcessingException(say("qgis_cancelled")) from None
        except QgsProcessingException:
            raise
        except LandgradeError as e:
            raise QgsProcessingException(str(e)) from None
        except OSError as e:  # a path the system refuses: missing, a folder, no permission
            where = f"{e.filename}: " if e.filename else ""
            raise QgsProcessingException(f"{where}{e.strerror or e}") from None
        except Exception as e:  # a landgrade bug, not bad input: said so, the trace for debug
            feedback.pushDebugInfo(traceback.format_exc())
            raise QgsProcessingException(say(
                "qgis_unexpected", alg=self.displayName(), kind=type(e).__name__,
                text=e)) from None


def _watcher(feedback: QgsProcessingFeedback) -> Any:
    """A :mod:`landgrade.progress` watcher on ``feedback``: the bar, and the cancel button."""

    def watch(done: int, total: int | None, what: str) -> None:
        if feedback.isCanceled():
            raise RunCancelled(say("qgis_cancelled"))
        if total:
            feedback.setProgress(100.0 * min(done, total) / total)
            if what:
                feedback.setProgressText(say("qgis_rows", done=done, total=total, what=what))

    return watch


class _LogStream(io.TextIOBase):
    """A text stream whose lines go to the Processing log: warnings as warnings."""

    def __init__(self, feedback: QgsProcessingFeedback) -> None:
        super().__init__()
        self.feedback = feedback
        self.pending = ""
        self.emitting = False
        self.warnings = tuple({word("warning_line", lang, text="") for lang in LANGS}
                              | {"warning:"})

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:  # no progress bars drawn with escapes into the log
        return False

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self._emit(self.pending)
            self.pending = ""

    def _emit(self, line: str) -> None:
        if not line.strip():
            return
        if self.emitting:  # a feedback that prints (a console's) would come back here
            print(line, file=sys.__stderr__)
            return
        self.emitting = True
        try:
            if line.startswith(self.warnings):
                self.feedback.pushWarning(line)
            else:
                self.feedback.pushInfo(line)
        finally:
            self.emitting = False
