"""Feature names as the gazette prints them, made comparable.

Two spellings of the same name must compare equal: full-width and half-width characters
(``１６`` / ``16``, ``（`` / ``(``), stray spaces (``16 米``), and junction markers (路口).
Aliases (``雪峰西路`` → ``雪峰路``) are data, in the county folder's ``aliases.csv``; this module
only does what holds for every county.
"""

from __future__ import annotations

import re
import unicodedata

# Road-type endings; a name ending in one of these is a complete road name.
ROAD_SUFFIXES: tuple[str, ...] = ("大道", "路", "道", "街", "巷", "线", "高速")

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC-fold (full-width digits and brackets become half-width) and drop all white space."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def strip_junction_marker(name: str) -> str:
    """Drop the trailing 路口/口 where it marks a junction with a road.

    ``凤凰路口`` → ``凤凰路``, ``城西大道路口`` → ``城西大道``, ``洞口大道口`` → ``洞口大道``,
    ``峡口路口`` → ``峡口路``; ``平溪江`` and ``洞口大道`` stay as they are.
    """
    name = normalize(name)
    if name.endswith("路口"):
        stem = name[:-2]
        if stem.endswith(ROAD_SUFFIXES):
            return stem
    if name.endswith("口"):
        stem = name[:-1]
        if stem.endswith(ROAD_SUFFIXES):
            return stem
    return name
