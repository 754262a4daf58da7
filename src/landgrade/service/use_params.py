"""The land-use parameters of the service's requests: a point's ``use`` and ``use_standard``.

``GET /api/locate?use=住宅用地``, ``POST /api/locate`` with ``"use"`` (one for all points, or
one per point) and ``POST /api/assign?use_field=用途&use_standard=ydyh2023`` read land uses as
``landgrade locate --use`` and ``assign --use-field`` do; these checks make a wrong parameter a
400 naming it before any work.
"""

from __future__ import annotations

from typing import Any

from landgrade.service.guards import BadRequest


def point_uses(value: Any, n: int) -> list[Any] | None:
    """A POST body's ``use``: one land use for every point, or a list of one per point."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value] * n
    if isinstance(value, list) and len(value) == n and all(
            v is None or (isinstance(v, str | int) and not isinstance(v, bool)) for v in value):
        return value
    raise BadRequest(f"use: give one land use as a string, or a list of {n} (one per point; "
                     "null for none)")


def use_standard_param(standard: Any, with_use: bool) -> str | None:
    """A request's ``use_standard``, checked: a known standard, given with a use."""
    if standard is None:
        return None
    if not isinstance(standard, str):
        raise BadRequest("use_standard: give tdly2017 or ydyh2023")
    if not with_use:
        raise BadRequest("use_standard says how to read a use: give use (or use_field) too")
    from landgrade.gazette.landuse import vocabulary

    return vocabulary().check_standard(standard)
