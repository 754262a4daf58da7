"""Make the README's QGIS screenshots, docs/qgis/toolbox.png and docs/qgis/result.png, from a
real QGIS desktop (3.22 LTR) run headless under Xvfb with the landgrade plugin installed.

    apt-get install qgis python3-qgis xvfb xauth fonts-wqy-microhei
    PYTHONPATH=/path/to/landgrade/src:/path/to/venv/lib/python3.11/site-packages \\
        /usr/bin/python3 scripts/qgis_screenshots.py [--out docs/qgis] [--points 300]
        [--pyqgis] [--keep]

``PYTHONPATH`` is what QGIS's Python needs to import landgrade and its dependencies (for the
Debian QGIS: a venv made from /usr/bin/python3 with ``numpy<2`` and landgrade's requirements,
see the README's "In QGIS" section); it is handed on to QGIS unchanged. Run this launcher with
the Python QGIS was built for (/usr/bin/python3); Pillow, if found, shrinks the PNGs to 256
colours. ``LANDGRADE_CACHE`` (default ``~/.cache/landgrade``) is used as landgrade uses it.

What it does, in a throw-away work folder (``--keep`` keeps it):

1. makes a QGIS profile folder: Chinese interface, attribute table docked, only the Processing
   and landgrade plugins enabled; the plugin is a copy of qgis_plugin/landgrade_qgis with
   src/landgrade/qgis/icon.svg. Nothing in the user's own QGIS settings is read or changed
   (``HOME`` points into the work folder for the QGIS processes);
2. in the desktop app (or with ``--pyqgis`` a PyQGIS process, the same Processing framework
   and plugin): draws ``--points`` random points (fixed seed) inside geo/dongkou/extent.geojson as
   EPSG:4326 longitude/latitude in a memory layer, each with a 宗地号 and a 用途, and runs
   ``landgrade:export`` (the bundled, schematic grade map as a styled GeoPackage) and
   ``landgrade:assign`` (USE_FIELD 用途) on it; the layers Processing would load are noted;
3. runs ``xvfb-run qgis --code`` on this file, which loads those layers as Processing does
   (each GeoPackage's default style comes with it) and grabs the main window: with the
   Processing toolbox open on the provider "landgrade 城镇基准地价" (toolbox.png), then with
   the graded points over the grade map and the graded layer's attribute table, whose headers
   are the Chinese aliases (result.png; columns reordered as "Organize columns" would,
   :data:`FIRST_COLUMNS` first, fid hidden: a display setting, the file is as written).

Step 2 runs inside the desktop app itself (the plugin loads the wheels' compiled modules with
RTLD_DEEPBIND, so their GEOS, PROJ and GDAL are not the desktop's); ``--pyqgis`` runs it in a
separate PyQGIS process instead.

A failure is written to ``error.txt`` in the work folder and printed; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

STAGE = "LANDGRADE_SHOTS_STAGE"
WIDTH, HEIGHT = 1280, 800
USES = ("商服用地", "住宅用地", "工矿仓储用地")
SEED = 20220207
# The graded layer's columns shown first in the attribute table (result.png).
FIRST_COLUMNS = ("宗地号", "用途", "grade", "price", "route_name", "route_m", "status")
PROFILE_INI = """[locale]
overrideFlag=true
userLocale=zh-Hans

[qgis]
dockAttributeTable=true
checkVersion=false
allowVersionCheck=false

[PythonPlugins]
processing=true
landgrade_qgis=true
grassprovider=false
otbprovider=false
sagaprovider=false
MetaSearch=false
db_manager=false
"""


# -- outside QGIS: the profile, then the two QGIS processes -----------------------------------
def launch(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=root / "docs" / "qgis")
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--pyqgis", action="store_true",
                        help="run the algorithms in a PyQGIS process, not the desktop app")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    for tool in ("qgis", "xvfb-run"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install qgis xvfb xauth fonts-wqy-microhei")
    work = Path(tempfile.mkdtemp(prefix="landgrade-qgis-shots-"))
    profiles = work / "profiles"
    profile = profiles / "profiles" / "default"
    (profile / "QGIS").mkdir(parents=True)
    (profile / "QGIS" / "QGIS3.ini").write_text(PROFILE_INI, encoding="utf-8")
    plugin = profile / "python" / "plugins" / "landgrade_qgis"
    shutil.copytree(root / "qgis_plugin" / "landgrade_qgis", plugin,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "src" / "landgrade" / "qgis" / "icon.svg", plugin / "icon.svg")
    for folder in ("runtime", "home"):
        (work / folder).mkdir(mode=0o700)
    args.out.mkdir(parents=True, exist_ok=True)
    cache = os.environ.get("LANDGRADE_CACHE") or str(Path.home() / ".cache" / "landgrade")
    env = dict(os.environ, **{
        "LANDGRADE_SHOTS_ROOT": str(root), "LANDGRADE_SHOTS_WORK": str(work),
        "LANDGRADE_SHOTS_OUT": str(args.out.resolve()), "LANDGRADE_SHOTS_PROFILES": str(profiles),
        "LANDGRADE_SHOTS_POINTS": str(args.points),
        "LANDGRADE_SHOTS_IN_DESKTOP": "" if args.pyqgis else "1",
        "LANDGRADE_CACHE": cache, "HOME": str(work / "home"),
        "XDG_RUNTIME_DIR": str(work / "runtime"),
    })
    this = str(Path(__file__).resolve())
    try:
        if args.pyqgis:
            subprocess.run([sys.executable, this], env={**env, STAGE: "pyqgis",
                                                         "QT_QPA_PLATFORM": "offscreen"},
                           timeout=900, check=False)
        if not (work / "error.txt").exists():
            subprocess.run(["xvfb-run", "-a", "-s", f"-screen 0 {WIDTH}x{HEIGHT}x24", "qgis",
                            "--nologo", "--noversioncheck", "--profiles-path", str(profiles),
                            "--code", this], env={**env, STAGE: "desktop"},
                           timeout=900, check=False)
        return _report(work, args.out)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _report(work: Path, out: Path) -> int:
    error = work / "error.txt"
    if error.exists():
        print(error.read_text(encoding="utf-8"), file=sys.stderr)
        return 1
    names = ("toolbox.png", "result.png")
    missing = [name for name in names if not (work / "done" / name).exists()]
    if missing:
        print(f"QGIS ended without writing {', '.join(missing)}", file=sys.stderr)
        return 1
    for name in names:
        print(f"{out / name} ({(out / name).stat().st_size // 1024} KB)")
    return 0


def _failed(work: Path) -> None:
    import traceback

    text = traceback.format_exc()
    (work / "error.txt").write_text(text, encoding="utf-8")
    print(text, file=sys.stderr)


# -- step 2: the algorithms, in a PyQGIS process ------------------------------------------
class _Printed:
    """A Processing feedback that prints what the algorithm says (its log)."""

    @staticmethod
    def make():
        from qgis.core import QgsProcessingFeedback

        class Printed(QgsProcessingFeedback):
            def pushInfo(self, info):
                print(info, flush=True)

            def pushWarning(self, warning):
                print(warning, flush=True)

            def pushDebugInfo(self, info):
                print(info, flush=True)

        return Printed()


def run_algorithms(project) -> list[tuple[str, str]]:
    """Run export and assign into the work folder; the layers to load, as (uri, name)."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingOutputLayerDefinition

    work = Path(os.environ["LANDGRADE_SHOTS_WORK"])
    points = sample_points(int(os.environ["LANDGRADE_SHOTS_POINTS"]))
    project.addMapLayer(points, False)
    context = QgsProcessingContext()
    context.setProject(project)
    feedback = _Printed.make()
    processing.run("landgrade:export", {"OUTPUT": str(work / "grade_map.gpkg")},
                   context=context, feedback=feedback)
    graded = QgsProcessingOutputLayerDefinition(str(work / "graded_points.gpkg"), project)
    processing.run("landgrade:assign", {"INPUT": points.id(), "USE_FIELD": "用途",
                                        "OUTPUT": graded}, context=context, feedback=feedback)
    loads = context.layersToLoadOnCompletion()
    return [(uri, details.name) for uri, details in loads.items()]


def pyqgis_stage() -> None:
    from qgis.core import QgsApplication, QgsProject

    work = Path(os.environ["LANDGRADE_SHOTS_WORK"])
    app = QgsApplication([], False, os.environ["LANDGRADE_SHOTS_PROFILES"])
    app.initQgis()
    try:
        sys.path.insert(0, str(Path(QgsApplication.pkgDataPath()) / "python" / "plugins"))
        sys.path.insert(0, str(Path(os.environ["LANDGRADE_SHOTS_ROOT"]) / "qgis_plugin"))
        from processing.core.Processing import Processing

        Processing.initialize()
        import landgrade_qgis

        plugin = landgrade_qgis.classFactory(None)
        plugin.initProcessing()
        if plugin.provider is None:
            raise RuntimeError("the landgrade plugin registered no provider (see its message)")
        loads = run_algorithms(QgsProject.instance())
        (work / "layers.json").write_text(json.dumps(loads, ensure_ascii=False), encoding="utf-8")
    except Exception:
        _failed(work)
    finally:
        app.exitQgis()


def sample_points(count: int, seed: int = SEED):
    """``count`` random points inside the grading extent, in longitude/latitude, each with a
    parcel number and a land use: what an analyst might bring back from a field survey."""
    import random

    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsFeature,
        QgsField,
        QgsGeometry,
        QgsPointXY,
        QgsProject,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QVariant

    root = Path(os.environ["LANDGRADE_SHOTS_ROOT"])
    extent = QgsVectorLayer(str(root / "geo" / "dongkou" / "extent.geojson"), "extent", "ogr")
    if not extent.isValid():
        raise RuntimeError("cannot read geo/dongkou/extent.geojson")
    area = QgsGeometry.unaryUnion([f.geometry() for f in extent.getFeatures()])
    box = area.boundingBox()
    to_lonlat = QgsCoordinateTransform(extent.crs(), QgsCoordinateReferenceSystem("EPSG:4326"),
                                       QgsProject.instance())
    layer = QgsVectorLayer("Point?crs=EPSG:4326", "样点（随机）", "memory")
    layer.dataProvider().addAttributes([QgsField("宗地号", QVariant.String),
                                        QgsField("用途", QVariant.String)])
    layer.updateFields()
    pick = random.Random(seed)
    features = []
    while len(features) < count:
        point = QgsPointXY(pick.uniform(box.xMinimum(), box.xMaximum()),
                           pick.uniform(box.yMinimum(), box.yMaximum()))
        if not area.contains(QgsGeometry.fromPointXY(point)):
            continue
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPointXY(to_lonlat.transform(point)))
        feature.setAttributes([f"YD-{len(features) + 1:04d}", pick.choice(USES)])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


# -- step 3: the desktop app, under Xvfb ------------------------------------------------------
def desktop_stage() -> None:
    """Schedule the steps on QGIS's event loop, so the window draws between them."""
    from qgis.PyQt.QtCore import QTimer

    work = Path(os.environ["LANDGRADE_SHOTS_WORK"])
    state: dict = {}
    steps = [(1000, prepare), (500, load_layers), (3000, show_toolbox), (3000, shot_toolbox),
             (500, show_result), (4000, shot_result)]

    def run(i: int) -> None:
        try:
            steps[i][1](state)
        except Exception:
            _failed(work)
            _leave(1)
        if i + 1 < len(steps):
            QTimer.singleShot(steps[i + 1][0], lambda: run(i + 1))
        else:
            _leave(0)

    QTimer.singleShot(steps[0][0], lambda: run(0))


def _leave(status: int) -> None:
    """End QGIS at once: its normal shutdown, with pip wheels loaded beside the system GDAL and
    GEOS, can crash while freeing layers (and then runs gdb), long after the shots are saved."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def prepare(state: dict) -> None:
    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject
    from qgis.utils import iface

    window = iface.mainWindow()
    window.move(0, 0)
    window.resize(WIDTH, HEIGHT)
    providers = [p.id() for p in QgsApplication.processingRegistry().providers()]
    if "landgrade" not in providers:
        raise RuntimeError(f"the landgrade provider is not registered (providers: {providers});"
                           " see the landgrade entries of QGIS's log")
    QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:4546"))


def load_layers(state: dict) -> None:
    from qgis.core import QgsProject, QgsVectorLayer

    work = Path(os.environ["LANDGRADE_SHOTS_WORK"])
    project = QgsProject.instance()
    if os.environ.get("LANDGRADE_SHOTS_IN_DESKTOP"):
        loads = run_algorithms(project)
    else:
        loads = json.loads((work / "layers.json").read_text(encoding="utf-8"))
    # Below the points: the grade map's routes, below them its grades.
    order = sorted(loads, key=lambda load: ("graded_points" in load[0], "routes" in load[0]))
    for uri, name in order:
        layer = QgsVectorLayer(uri, name, "ogr")
        if not layer.isValid():
            raise RuntimeError(f"QGIS cannot open {uri}")
        project.addMapLayer(layer)
        if "graded_points" in uri:
            state["graded"] = layer
        elif "layername=grades" in uri:
            state["grades"] = layer
    if "graded" not in state or "grades" not in state:
        raise RuntimeError(f"not the layers expected: {loads}")


def show_toolbox(state: dict) -> None:
    from qgis.core import QgsProject
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtWidgets import QAbstractItemView, QDockWidget
    from qgis.utils import iface, plugins

    window = iface.mainWindow()
    # After the layer tree's deferred set-up, which takes the top layer's CRS (the points'
    # longitude/latitude): draw in the grade map's own projected CRS.
    QgsProject.instance().setCrs(state["grades"].crs())
    _zoom_to(state["grades"])
    toolbox = plugins["processing"].toolbox
    toolbox.setVisible(True)
    toolbox.raise_()
    window.resizeDocks([toolbox], [400], Qt.Horizontal)
    browser = window.findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.setVisible(False)
    tree = toolbox.algorithmTree
    model = tree.model()
    tree.collapseAll()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if str(model.data(index)).startswith("landgrade"):
            tree.expandRecursively(index)
            tree.scrollTo(index, QAbstractItemView.PositionAtTop)
            for group in range(model.rowCount(index)):
                parent = model.index(group, 0, index)
                for child in range(model.rowCount(parent)):
                    algorithm = tree.algorithmForIndex(model.index(child, 0, parent))
                    if algorithm is not None and algorithm.id() == "landgrade:assign":
                        tree.setCurrentIndex(model.index(child, 0, parent))
            break
    else:
        raise RuntimeError("the toolbox lists no landgrade provider")
    state["toolbox"] = toolbox


def shot_toolbox(state: dict) -> None:
    _save(_grab(), "toolbox.png")


def show_result(state: dict) -> None:
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtWidgets import QDockWidget, QTableView
    from qgis.utils import iface

    window = iface.mainWindow()
    state["toolbox"].setVisible(False)
    layers = window.findChild(QDockWidget, "Layers")
    if layers is not None:
        window.resizeDocks([layers], [390], Qt.Horizontal)
    graded = state["graded"]
    iface.setActiveLayer(graded)
    _zoom_to(state["grades"])
    # The columns an analyst reads first (as "Organize columns" would put them); fid hidden.
    config = graded.attributeTableConfig()
    columns = config.columns()
    rank = {name: i for i, name in enumerate(FIRST_COLUMNS)}
    columns.sort(key=lambda c: rank.get(c.name, len(rank)))
    for column in columns:
        column.hidden = column.name == "fid"
    config.setColumns(columns)
    graded.setAttributeTableConfig(config)
    table = iface.showAttributeTable(graded)
    for view in table.findChildren(QTableView):
        view.resizeColumnsToContents()
    dock = table.parent()
    while dock is not None and not dock.inherits("QDockWidget"):
        dock = dock.parent()
    if dock is not None:
        window.resizeDocks([dock], [300], Qt.Vertical)


def shot_result(state: dict) -> None:
    _save(_grab(), "result.png")


def _zoom_to(layer) -> None:
    from qgis.core import QgsCoordinateTransform, QgsProject
    from qgis.utils import iface

    canvas = iface.mapCanvas()
    transform = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(),
                                       QgsProject.instance())
    extent = transform.transformBoundingBox(layer.extent())
    extent.scale(1.05)
    canvas.setExtent(extent)
    canvas.refreshAllLayers()


def _grab():
    from qgis.PyQt.QtWidgets import QApplication
    from qgis.utils import iface

    iface.mapCanvas().waitWhileRendering()
    QApplication.processEvents()
    return iface.mainWindow().grab()


def _save(pixmap, name: str) -> None:
    """Save the grab in the output folder: 256 colours if Pillow is there (a small PNG)."""
    out = Path(os.environ["LANDGRADE_SHOTS_OUT"]) / name
    work = Path(os.environ["LANDGRADE_SHOTS_WORK"])
    raw = work / name
    if not pixmap.save(str(raw), "PNG"):
        raise RuntimeError(f"could not save {raw}")
    try:
        from PIL import Image
    except ImportError:
        shutil.copy(raw, out)
    else:
        with Image.open(raw) as image:
            image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(
                out, optimize=True)
    (work / "done").mkdir(exist_ok=True)
    (work / "done" / name).touch()


if os.environ.get(STAGE) == "desktop":
    desktop_stage()
elif os.environ.get(STAGE) == "pyqgis":
    pyqgis_stage()
elif __name__ == "__main__":
    sys.exit(launch())
