"""Stage 3, the build: rules drawn on a network into a grade map (grades, routes, report),
with the analyst's decisions for clauses the text alone cannot draw.
"""
