"""One grade-zone description per land use (a county that grades 商服, 住宅, … separately).

metadata.json ``descriptions`` names the file of each use (see
:meth:`landgrade.gazette.county.CountyFolder.descriptions`); this module parses each into its
own :class:`~landgrade.gazette.rules.Rules`, with ``use`` set.

The JSON of a county with one description is the usual ``{"grades": […]}``; with one per use it
is ``{"uses": {"commercial": {"grades": […]}, "residential": {…}}}``
(:func:`uses_to_dict` / :func:`uses_from_dict`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from landgrade.gazette.county import ALL_USES, CountyFolder
from landgrade.gazette.parse import Reading, parse_file, read_file
from landgrade.gazette.rules import Rules, RulesDataError


def parse_descriptions(folder: CountyFolder,
                       known_names: Collection[str] | None = None) -> dict[str, Rules]:
    """Each use's rules, keyed as metadata.json ``descriptions`` keys them (``all`` for a
    county with a single ``table5.txt``). ``known_names`` are the feature names the network
    has: a name that holds a connective (至善路) is accepted only when it is one of them.
    Strict: the first area that does not read is a ``RulesSyntaxError``."""
    out: dict[str, Rules] = {}
    for use, path in folder.descriptions().items():
        rules = parse_file(path, known_names=known_names)
        out[use] = replace(rules, use=None if use == ALL_USES else use)
    return out


def read_descriptions(folder: CountyFolder,
                      known_names: Collection[str] | None = None) -> dict[str, Reading]:
    """:func:`parse_descriptions` reading every area it can (``parse --keep-going``)."""
    out: dict[str, Reading] = {}
    for use, path in folder.descriptions().items():
        reading = read_file(path, known_names=known_names)
        rules = reading.rules
        if rules is not None:
            rules = replace(rules, use=None if use == ALL_USES else use)
        out[use] = Reading(rules, [replace(r, use=use) for r in reading.refusals])
    return out


def uses_to_dict(rules: dict[str, Rules]) -> dict[str, Any]:
    """The JSON of a county's descriptions: the usual schema for one, ``{"uses": …}`` for many."""
    if list(rules) == [ALL_USES]:
        return rules[ALL_USES].to_dict()
    return {"uses": {use: r.to_dict() for use, r in rules.items()}}


def uses_from_dict(d: dict[str, Any], *, source: str = "rules JSON") -> dict[str, Rules]:
    """Inverse of :func:`uses_to_dict`; a plain ``{"grades": …}`` is the rules of every use."""
    if isinstance(d, dict) and "uses" in d:
        uses = d["uses"]
        if not isinstance(uses, dict) or not uses:
            raise RulesDataError(f"{source}: 'uses' must be an object with one rules object per "
                                 "use; write the rules as `landgrade parse` prints them")
        return {str(use): replace(Rules.from_dict(r, source=f"{source}: uses.{use}"),
                                  use=None if use == ALL_USES else str(use))
                for use, r in uses.items()}
    return {ALL_USES: Rules.from_dict(d, source=source)}
