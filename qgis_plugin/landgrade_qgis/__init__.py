"""The landgrade QGIS plugin: registers the Processing provider of the installed landgrade.

This folder holds only what QGIS needs to find the plugin; the algorithms live in the landgrade
package itself (``landgrade.qgis``), so the plugin and the engine are always of one version.
"""


def classFactory(iface):
    from .plugin import LandgradePlugin

    return LandgradePlugin(iface)
