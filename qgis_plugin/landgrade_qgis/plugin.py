"""Register landgrade's Processing provider, or say how to install landgrade for this QGIS.

The words of the missing-package message are here, in both languages, and not in landgrade's
tables: that message is shown exactly when landgrade cannot be imported.
"""

import configparser
import importlib
import importlib.util
import os
import sys
from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsSettings

TAG = "landgrade"
# Where the steps are written out in full.
README = ("landgrade 的 README.md「In QGIS」一节", "landgrade's README.md, section 'In QGIS'")
# Where QGIS's Python must find landgrade, by platform: the commands of the README.
INSTALL = {
    "win32": (
        "在 OSGeo4W Shell 中（QGIS 开始菜单里）运行：\n"
        "  python -c \"import numpy; print('numpy==' + numpy.__version__)\" > %TEMP%\\np.txt\n"
        "  python -m pip install -c %TEMP%\\np.txt \"pyarrow<26\" C:\\path\\to\\landgrade\n"
        "（保留 QGIS 自带的 numpy），然后重启 QGIS。",
        "In the OSGeo4W Shell (in QGIS's start-menu folder) run:\n"
        "  python -c \"import numpy; print('numpy==' + numpy.__version__)\" > %TEMP%\\np.txt\n"
        "  python -m pip install -c %TEMP%\\np.txt \"pyarrow<26\" C:\\path\\to\\landgrade\n"
        "(keeping QGIS's own numpy), then restart QGIS.",
    ),
    "linux": (
        "在终端中运行：\n"
        "  python3 -m venv ~/.local/share/landgrade-qgis\n"
        "  ~/.local/share/landgrade-qgis/bin/pip install \"numpy<2\" \"pyarrow<26\" "
        "/path/to/landgrade\n"
        "然后在 QGIS 设置→选项→系统→环境中添加变量 PYTHONPATH（覆盖），值为\n"
        "  ~/.local/share/landgrade-qgis/lib/python{py}/site-packages 的完整路径，重启 QGIS。",
        "In a terminal run:\n"
        "  python3 -m venv ~/.local/share/landgrade-qgis\n"
        "  ~/.local/share/landgrade-qgis/bin/pip install \"numpy<2\" \"pyarrow<26\" "
        "/path/to/landgrade\n"
        "then in QGIS Settings > Options > System > Environment add PYTHONPATH (Overwrite) with\n"
        "  the full path of ~/.local/share/landgrade-qgis/lib/python{py}/site-packages, and\n"
        "  restart QGIS.",
    ),
    "conda": (
        "在 QGIS 所在的 conda 环境中运行：\n"
        "  conda install -c conda-forge geopandas pyogrio pyproj shapely pyarrow openpyxl "
        "matplotlib\n"
        "  pip install /path/to/landgrade\n"
        "然后在该环境中重新启动 qgis。",
        "In the conda environment QGIS runs from:\n"
        "  conda install -c conda-forge geopandas pyogrio pyproj shapely pyarrow openpyxl "
        "matplotlib\n"
        "  pip install /path/to/landgrade\n"
        "then start qgis again from that environment.",
    ),
}
MISSING = (
    "landgrade 插件需要 QGIS 的 Python 能导入 landgrade 软件包，但导入失败：{error}\n{how}\n"
    "详见 {readme}",
    "The landgrade plugin needs the landgrade package importable by QGIS's Python, and the "
    "import failed: {error}\n{how}\nSee {readme}",
)
OTHER_VERSION = (
    "landgrade 插件 {plugin} 与已安装的 landgrade {installed} 版本不同；请用 landgrade "
    "qgis-plugin 重新生成插件 ZIP 并安装",
    "the landgrade plugin {plugin} and the installed landgrade {installed} differ; rebuild the "
    "plugin ZIP with `landgrade qgis-plugin` and install it again",
)


# Packages whose pip wheels bundle a library QGIS itself links (GEOS, PROJ, GDAL, libpng,
# FreeType). On Linux the QGIS executable puts its own copies in the process's global symbol
# scope, where they would be taken instead of the wheels': shapely then fails on plain
# geometry calls and pyogrio runs QGIS's older GDAL. Loaded with RTLD_DEEPBIND, each
# extension module binds to the library it was built with.
OWN_LIBRARIES = ("shapely", "pyproj", "pyogrio", "PIL", "matplotlib", "fiona", "rtree")
BROKEN = (
    "shapely 在 QGIS 中不能正常工作（{error}）：另一个插件可能已用 QGIS 自己的 GEOS 载入了它；"
    "请停用该插件后重启 QGIS",
    "shapely does not work inside QGIS ({error}): another plugin may have loaded it with "
    "QGIS's own GEOS first; disable that plugin and restart QGIS",
)


def _load_own_libraries():
    """Import the compiled modules of :data:`OWN_LIBRARIES` bound to their own libraries."""
    if not sys.platform.startswith("linux") or not hasattr(os, "RTLD_DEEPBIND"):
        return  # Windows and macOS keep each library's symbols to itself
    flags = sys.getdlopenflags()
    sys.setdlopenflags(flags | os.RTLD_DEEPBIND)
    try:
        for package in OWN_LIBRARIES:
            spec = importlib.util.find_spec(package)
            if spec is None or not spec.submodule_search_locations:
                continue
            root = Path(spec.origin).parent
            for library in sorted(root.rglob("*.so")):
                name = ".".join(library.relative_to(root.parent).with_suffix("").parts)
                name = name.split(".cpython-")[0].removesuffix(".abi3")
                try:
                    importlib.import_module(name)
                except Exception:  # a module this platform cannot load (one of matplotlib's
                    pass  # GUI backends): landgrade never uses it
    finally:
        sys.setdlopenflags(flags)


def _geometry_works():
    """None, or why shapely cannot cut and write a line in this process (the calls that fail
    when it runs on QGIS's GEOS)."""
    try:
        import shapely
        from shapely.ops import substring

        part = substring(shapely.LineString([(0, 0), (10, 0), (10, 10)]), 2, 15)
        wkb = shapely.to_wkb(part, output_dimension=2)
        if shapely.from_wkb(wkb).coords[:] != [(2.0, 0.0), (10.0, 0.0), (10.0, 5.0)]:
            return f"substring gave {part.wkt}"
        return None
    except Exception as e:  # the failure is what is reported
        return f"{type(e).__name__}: {e}"


def _lang():
    """Chinese unless QGIS runs in another language (landgrade's default county speaks it)."""
    locale = QgsSettings().value("locale/userLocale", "", type=str) or ""
    chosen = QgsSettings().value("landgrade/lang", "", type=str)
    if chosen in ("zh", "en"):
        return 0 if chosen == "zh" else 1
    return 0 if not locale or locale.startswith("zh") else 1


def _platform():
    if "conda" in sys.version or (Path(sys.prefix) / "conda-meta").is_dir():
        return "conda"
    return "win32" if sys.platform.startswith("win") else "linux"


def _plugin_version():
    meta = configparser.ConfigParser()
    meta.read(Path(__file__).with_name("metadata.txt"), encoding="utf-8")
    return meta.get("general", "version", fallback="")


class LandgradePlugin:
    """The plugin QGIS loads: a Processing provider, no buttons of its own."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):
        if self.provider is not None:  # QGIS calls it at start-up and again with the GUI
            return
        lang = _lang()
        try:
            _load_own_libraries()
            from landgrade._version import __version__
            from landgrade.qgis.provider import LandgradeProvider
        except ImportError as e:
            py = f"{sys.version_info.major}.{sys.version_info.minor}"
            how = INSTALL[_platform()][lang].replace("{py}", py)
            text = MISSING[lang].format(error=e, how=how, readme=README[lang])
            QgsMessageLog.logMessage(text, TAG, Qgis.Critical)
            if self.iface is not None:
                self.iface.messageBar().pushMessage(TAG, text.split("\n", 1)[0],
                                                    Qgis.Critical, 0)
            return
        broken = _geometry_works()
        if broken is not None:
            QgsMessageLog.logMessage(BROKEN[lang].format(error=broken), TAG, Qgis.Critical)
            return
        if __version__ != _plugin_version():
            QgsMessageLog.logMessage(
                OTHER_VERSION[lang].format(plugin=_plugin_version(), installed=__version__),
                TAG, Qgis.Warning)
        self.provider = LandgradeProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
