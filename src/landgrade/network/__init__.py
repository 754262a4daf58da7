"""Stage 2, the network: road, water and landmark layers (GIS files or OpenStreetMap), aliases,
and the one junction resolver every clause and route uses.
"""
