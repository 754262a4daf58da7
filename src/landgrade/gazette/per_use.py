"""One grade-zone description per land use (a county that grades 商服, 住宅, … separately).

metadata.json ``descriptions`` names the file of each use (see
:meth:`landgrade.gazette.county.CountyFolder.descriptions`); this module parses each into its
own :class:`~landgrade.gazette.rules.Rules`, with ``use`` set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from landgrade.gazette.county import CountyFolder
from landgrade.gazette.parse import parse_file
from landgrade.gazette.rules import Rules


def parse_descriptions(folder: CountyFolder,
                       known_names: Iterable[str] | None = None) -> dict[str, Rules]:
    """Each use's rules, keyed as metadata.json ``descriptions`` keys them (``all`` for a
    county with a single ``table5.txt``). ``known_names`` are the feature names the network
    has: a name that holds a connective (至善路) is accepted only when it is one of them."""
    names = frozenset(known_names or ())
    out: dict[str, Rules] = {}
    for use, path in folder.descriptions().items():
        rules = parse_file(path, known_names=names)
        out[use] = replace(rules, use=use)
    return out
