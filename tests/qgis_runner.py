"""Run landgrade's Processing algorithms in a headless QGIS, as an analyst's toolbox would.

Run by ``tests/test_qgis_plugin.py`` with QGIS's own Python (Debian's ``/usr/bin/python3`` with
``python3-qgis``), never by pytest itself: ``python3 qgis_runner.py JOB.json RESULT.json``.
The job names the plugin ZIP (made by ``landgrade qgis-plugin``), which is unpacked with
QGIS's own installer code into a fresh plugin folder and started as QGIS starts a Processing
plugin; then each scenario runs ``processing.run("landgrade:…")`` and what QGIS saw (results,
log lines, errors, the loaded layers' style and aliases) is written to RESULT as JSON.
"""

from __future__ import annotations

import ctypes
import glob
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# As the QGIS desktop does: its executable links qgis_core, so GEOS, PROJ and GDAL of the
# system are in the process's global symbol scope before any plugin loads (a plain
# `import qgis.core` keeps them local, and would hide what the plugin must cope with).
for core in glob.glob("/usr/lib/libqgis_core.so.*") + glob.glob(
        "/usr/lib/*-linux-gnu/libqgis_core.so.*"):
    ctypes.CDLL(core, mode=os.RTLD_GLOBAL)
    break
# Settings of its own: a headless QGIS keeps them in ~/.config, which is the analyst's.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="qgis-config-")

from qgis.core import (  # noqa: E402 - after the symbol scope and settings are set
    Qgis,
    QgsApplication,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsVectorLayer,
)

PROCESSING_PLUGINS = "/usr/share/qgis/python/plugins"
INSTALLER_UNZIP = "/usr/share/qgis/python/pyplugin_installer/unzip.py"


class Recorder(QgsProcessingFeedback):
    """A feedback that keeps every line and, when asked, cancels at the first progress."""

    def __init__(self, cancel_at: float | None = None) -> None:
        super().__init__()
        self.lines: list[list[str]] = []
        self.cancel_at = cancel_at
        self.progress_seen: list[float] = []

    def pushInfo(self, info: str) -> None:
        self.lines.append(["info", info])

    def pushWarning(self, warning: str) -> None:
        self.lines.append(["warning", warning])

    def pushDebugInfo(self, info: str) -> None:
        self.lines.append(["debug", info])

    def reportError(self, error: str, fatalError: bool = False) -> None:
        self.lines.append(["error", error])

    def setProgress(self, progress: float) -> None:
        self.progress_seen.append(progress)
        super().setProgress(progress)
        if self.cancel_at is not None and progress >= self.cancel_at:
            self.cancel()


def start_qgis(plugin_zip: str | None) -> tuple[Any, list[list[str]]]:
    """QGIS, Processing, and the plugin installed from ``plugin_zip`` as QGIS installs a ZIP."""
    # A profile of its own: the analyst's QGIS settings are neither read nor changed.
    app = QgsApplication([], False, tempfile.mkdtemp(prefix="qgis-profile-"))
    app.initQgis()
    log: list[list[str]] = []
    app.messageLog().messageReceived.connect(
        lambda message, tag, level: log.append([tag, str(message), int(level)]))
    sys.path.append(PROCESSING_PLUGINS)
    from processing.core.Processing import Processing

    Processing.initialize()
    if plugin_zip:
        import importlib.util

        import qgis.utils

        # QGIS's own "Install from ZIP" unpacking (its package's __init__ wants the GUI).
        spec = importlib.util.spec_from_file_location("qgis_unzip", INSTALLER_UNZIP)
        unzipping = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(unzipping)
        unzip = unzipping.unzip
        plugins = tempfile.mkdtemp(prefix="qgis-plugins-")
        unzip(plugin_zip, plugins)
        sys.path.insert(0, plugins)
        qgis.utils.plugin_paths.insert(0, plugins)
        qgis.utils.updateAvailablePlugins()
        assert qgis.utils.loadPlugin("landgrade_qgis"), "QGIS could not load the plugin"
        qgis.utils.startProcessingPlugin("landgrade_qgis")
    return app, log


def run(alg: str, parameters: dict[str, Any], cancel_at: float | None = None) -> dict[str, Any]:
    """``processing.run`` as a script in QGIS calls it; what it returned or raised, and logged."""
    import processing

    feedback = Recorder(cancel_at)
    out: dict[str, Any] = {"alg": alg}
    source = parameters.get("INPUT")
    if isinstance(source, dict) and "provider" in source:  # a layer as QGIS opens it
        from qgis.core import QgsProject

        layer = QgsVectorLayer(source["uri"], source.get("name", "layer"), source["provider"])
        assert layer.isValid(), source
        QgsProject.instance().addMapLayer(layer)
        parameters = {**parameters, "INPUT": layer.id()}
    elif isinstance(source, dict):  # the first features of a file only: QGIS hands on a copy
        from qgis.core import QgsProcessingFeatureSourceDefinition

        parameters = {**parameters, "INPUT": QgsProcessingFeatureSourceDefinition(
            source["path"], False, source["limit"])}
    try:
        results = processing.run(alg, parameters, feedback=feedback)
        out["results"] = {k: _plain(v) for k, v in results.items()}
    except QgsProcessingException as e:
        out["exception"] = str(e)
    except Exception:
        out["escaped"] = traceback.format_exc()
    out["lines"] = feedback.lines
    out["progress"] = feedback.progress_seen
    return out


def keep_temporary(results: dict[str, Any], keep: Path) -> None:
    """Outputs in Processing's temporary folder, which QGIS removes when it exits, copied to
    ``keep`` (each in a folder named as its own, the file's name kept); the results then name
    the copies."""
    import shutil

    from qgis.core import QgsProcessingUtils

    temporary = QgsProcessingUtils.tempFolder()
    for key, value in results.items():
        if not isinstance(value, str) or not value.startswith(temporary + "/"):
            continue  # not a file of the temporary folder (a path elsewhere, a JSON answer)
        if Path(value).is_file():
            folder = keep / Path(value).parent.name
            folder.mkdir(exist_ok=True)
            results[key] = str(shutil.copy(value, folder / Path(value).name))


def _plain(value: Any) -> Any:
    if isinstance(value, QgsVectorLayer):
        return value.source()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def layer_facts(uri: str) -> dict[str, Any]:
    """What QGIS shows of a layer: features, renderer and its categories, field aliases."""
    layer = QgsVectorLayer(uri, "result", "ogr")
    renderer = layer.renderer()
    categories = ([c.value() for c in renderer.categories()]
                  if renderer is not None and renderer.type() == "categorizedSymbol" else [])
    fields = layer.fields()
    return {
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "renderer": renderer.type() if renderer is not None else None,
        "categories": [str(c) for c in categories],
        "aliases": {fields.at(i).name(): layer.attributeAlias(i) for i in range(fields.count())},
    }


def provider_facts() -> dict[str, Any]:
    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("landgrade")
    if provider is None:
        return {"loaded": False}
    return {"loaded": True, "name": provider.name(),
            "algorithms": {a.id(): a.displayName() for a in provider.algorithms()},
            "help": {a.id(): a.shortHelpString() for a in provider.algorithms()},
            "parameters": {a.id(): [p.name() for p in a.parameterDefinitions()]
                           for a in provider.algorithms()},
            "outputs": {a.id(): {o.name(): o.type() for o in a.outputDefinitions()}
                        for a in provider.algorithms()},
            "flags": {a.id(): int(a.flags()) for a in provider.algorithms()}}


def main(job_path: str, result_path: str) -> None:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    _app, log = start_qgis(job.get("plugin_zip"))
    if job.get("toolbox_lang"):
        from qgis.core import QgsSettings

        QgsSettings().setValue("landgrade/lang", job["toolbox_lang"])
    result: dict[str, Any] = {"qgis": Qgis.QGIS_VERSION, "provider": provider_facts(),
                              "runs": {}}
    for name, step in job.get("runs", {}).items():
        done = run(step["alg"], step["parameters"], step.get("cancel_at"))
        if "results" in done and job.get("keep"):
            done["temporary"] = dict(done["results"])
            keep_temporary(done["results"], Path(job["keep"]))
        for key in step.get("layers", []):
            uri = done.get("results", {}).get(key)
            if uri:
                done.setdefault("layers", {})[key] = layer_facts(uri)
        if step.get("files"):
            folder = Path(step["files"])
            done["files"] = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
        result["runs"][name] = done
    result["log"] = log
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                 encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
