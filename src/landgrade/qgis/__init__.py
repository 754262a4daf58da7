"""landgrade inside QGIS: a Processing provider whose algorithms run the commands' own bodies.

Each algorithm (:mod:`landgrade.qgis.assign`, :mod:`~landgrade.qgis.locate`,
:mod:`~landgrade.qgis.build`, :mod:`~landgrade.qgis.report`, :mod:`~landgrade.qgis.value`,
:mod:`~landgrade.qgis.export`) turns its Processing parameters into the arguments of the
command it wraps, so a toolbox run and ``landgrade assign`` give the same file. What they
share (words, errors, progress and cancel, layers handed over as files) is in
:mod:`landgrade.qgis.algorithm` and :mod:`landgrade.qgis.layers`; the provider that lists them
is :mod:`landgrade.qgis.provider`. This stage imports ``qgis``: it is loaded by QGIS's own
Python (through the plugin in ``qgis_plugin/``), never by the command line or the service.
"""
