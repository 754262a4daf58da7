"""``landgrade qgis-plugin``: the ZIP that QGIS's "Install from ZIP" takes.

The plugin folder (``qgis_plugin/landgrade_qgis`` in a checkout, ``landgrade/qgis_plugin`` in
an installed package) holds only what QGIS needs to find the plugin; the algorithms are the
installed package's own (:mod:`landgrade.qgis`). The ZIP's ``metadata.txt`` carries this
landgrade's version, so the plugin can tell when it meets another one.
"""

from __future__ import annotations

import re
import zipfile
from importlib import resources
from pathlib import Path

from landgrade._version import __version__
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import word

PLUGIN = "landgrade_qgis"
# Every entry gets this time: the same landgrade makes the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _packaged() -> Path:
    return Path(str(resources.files("landgrade")))


def plugin_folder() -> Path:
    """The plugin folder: inside the installed package, or at the top of a source checkout."""
    packaged = _packaged() / "qgis_plugin" / PLUGIN
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "qgis_plugin" / PLUGIN


def plugin_files() -> dict[str, bytes]:
    """``{name in the ZIP: bytes}``: the plugin folder's files (no caches), its metadata at this
    version, and the provider's icon."""
    folder = plugin_folder()
    if not (folder / "metadata.txt").is_file():
        raise LandgradeError(f"{folder}: the QGIS plugin folder is missing from this landgrade "
                             "installation; reinstall landgrade (pip install --force-reinstall)")
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[f"{PLUGIN}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    meta = files[f"{PLUGIN}/metadata.txt"].decode("utf-8")
    meta = re.sub(r"(?m)^version=.*$", f"version={__version__}", meta)
    files[f"{PLUGIN}/metadata.txt"] = meta.encode("utf-8")
    files[f"{PLUGIN}/icon.svg"] = (_packaged() / "qgis" / "icon.svg").read_bytes()
    return files


def qgis_plugin_command(output: Path, lang: str) -> Path:
    """Write the plugin ZIP to ``output`` (atomically) and say how to install it."""
    from landgrade.io.atomic import atomic_output

    if output.suffix.lower() != ".zip":
        raise LandgradeError(f"{output}: the plugin is written as a .zip (QGIS installs it "
                             "with Plugins > Manage and Install Plugins > Install from ZIP)")
    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(output) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in plugin_files().items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, data)
    print(word("wrote", lang, path=output))
    print(word("qgis_zip_next", lang, path=output.name))
    return output
