"""Text made comparable and measurable: what holds for any text, not only the gazette's.

Two spellings of the same words must compare equal: full-width and half-width characters
(``１６`` / ``16``, ``（`` / ``(``) and stray spaces (``16 米``). A terminal column is two wide
for a CJK character.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC-fold (full-width digits and brackets become half-width) and drop all white space."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def display_width(text: str) -> int:
    """Terminal columns of a string: CJK wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
