"""Folded text that remembers where each character came from.

The parser reads text *folded* (NFKC: full-width ``，；（）：`` become ``, ; ( ) :``, full-width
digits half-width, ``Ⅳ`` becomes ``IV``; all white space dropped), but every error, refusal and
``source`` must point at what the user typed. :class:`Folded` keeps, for every folded character,
the offset of the original character it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from landgrade.text import normalize


@dataclass
class Folded:
    """Folded text and, for each folded character, the offset of its original character."""

    text: str = ""
    origin: list[int] = field(default_factory=list)
    end: int = 0  # original offset just past the last folded character

    def append(self, other: Folded) -> None:
        self.text += other.text
        self.origin += other.origin
        self.end = other.end if other.text else self.end

    def source_offset(self, pos: int) -> int:
        return self.origin[pos] if pos < len(self.origin) else self.end

    def slice(self, start: int) -> Folded:
        return Folded(self.text[start:], self.origin[start:], self.end)

    def gap_before(self, pos: int) -> bool:
        """True when white space (or a line break) was folded away just before ``pos``."""
        if pos <= 0 or pos >= len(self.origin):
            return pos >= len(self.origin)
        return self.origin[pos] > self.origin[pos - 1] + 1

    def original(self, text: str, start: int, end: int) -> str:
        """The verbatim original text the folded range ``[start, end)`` came from."""
        if end <= start:
            return ""
        first = self.source_offset(start)
        last = self.origin[end - 1] + 1 if end - 1 < len(self.origin) else self.end
        return text[first:last]


def fold(text: str, base: int = 0) -> Folded:
    """``normalize`` character by character, remembering where each character came from."""
    out: list[str] = []
    origin: list[int] = []
    end = base
    for i, ch in enumerate(text):
        if "\u2460" <= ch <= "\u2473":  # ① … ⑳ are item numbers
            folded = f"{ord(ch) - 0x245F}、"
        else:
            folded = normalize(ch)
        if folded:
            out.append(folded)
            origin.extend([base + i] * len(folded))
            end = base + i + 1
    return Folded("".join(out), origin, end)
