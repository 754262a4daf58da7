"""Stage 6, outputs: what analysts hand on — maps, the parcel report (查询单), the QGIS export,
the route audit, the build review page and the price tables as text.
"""
