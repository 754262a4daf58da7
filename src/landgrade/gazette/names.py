"""Feature names as the gazette prints them, made comparable.

Two spellings of the same name must compare equal: full-width and half-width characters
(``１６`` / ``16``, ``（`` / ``(``), stray spaces (``16 米``), and junction markers (路口).
Aliases (``雪峰西路`` → ``雪峰路``) are data, in the county folder's ``aliases.csv``; this module
only does what holds for every county.
"""

from __future__ import annotations

import re

from landgrade.text import normalize

# Road-type endings; a name ending in one of these is a complete road name.
ROAD_SUFFIXES: tuple[str, ...] = ("大道", "路", "道", "街", "巷", "线", "高速")

# Compass words of the gazette (东/西/南/北) and the side letters of the rules.
SIDE_OF_CHAR: dict[str, str] = {"东": "E", "西": "W", "南": "S", "北": "N"}
CHAR_OF_SIDE: dict[str, str] = {v: k for k, v in SIDE_OF_CHAR.items()}

_DIGITS = "一二三四五六七八九"
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
          "X": 10}


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


def grade_number(word: str) -> int:
    """The integer of a grade numeral: ``三`` / ``十二`` / ``3`` / ``III`` (``级`` optional).

    Raises ValueError for anything else.
    """
    w = word.removesuffix("级")
    if w.isascii() and w.isdigit():
        return int(w)
    if w in _ROMAN:
        return _ROMAN[w]
    m = re.fullmatch(r"(?:([一二三四五六七八九])?(十))?([一二三四五六七八九])?", w)
    if not w or not m:
        raise ValueError(f"not a grade numeral: {word!r}")
    tens, ten, units = m.groups()
    value = (_DIGITS.index(tens) + 1 if tens else 1) * 10 if ten else 0
    return value + (_DIGITS.index(units) + 1 if units else 0)


def grade_word_of(n: int) -> str:
    """The Chinese numeral of ``n`` (1–99): 3 → ``三``, 12 → ``十二``, 20 → ``二十``."""
    if not 1 <= n <= 99:
        return str(n)
    tens, units = divmod(n, 10)
    text = ("" if tens < 2 else _DIGITS[tens - 1]) + ("十" if tens else "")
    return text + (_DIGITS[units - 1] if units else "")


def grade_word(n: int) -> str:
    """The grade word of ``n`` as a gazette prints it: 3 → ``三级``."""
    return grade_word_of(n) + "级"
