"""Stage 4, the engine: answers for points and parcels from a built grade map.

The public API is :func:`load_engine` and :class:`Engine` (and :func:`load_grade_map`).
"""

from landgrade.engine.engine import Engine, load_engine, load_grade_map

__all__ = ["Engine", "load_engine", "load_grade_map"]
