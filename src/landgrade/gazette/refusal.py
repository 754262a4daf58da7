"""Areas the parser will not read, and why: a refusal names the grade and the fragment.

A reader that cannot read a piece of a description *with certainty* raises :class:`Refuse`
(positions are folded offsets in the piece it was given). The row reader turns it into a
:class:`Refusal`: the grade, the area's number, the verbatim fragment of the original text and
what would make it readable. ``landgrade parse --keep-going`` prints one line per refusal;
without ``--keep-going`` the first refusal is a :class:`~landgrade.gazette.parse_errors.
RulesSyntaxError`.
"""

from __future__ import annotations

from dataclasses import dataclass


class Refuse(Exception):
    """This piece cannot be read with certainty; ``pos``/``end`` locate the words at fault
    (folded offsets in the piece), ``reason`` says what was expected or what is unclear.
    ``family`` names the phrasing the reader recognised (四至, walk, …), None when no reader
    recognised it."""

    def __init__(self, pos: int, reason: str, end: int | None = None,
                 family: str | None = None) -> None:
        super().__init__(reason)
        self.pos = pos
        self.end = end
        self.reason = reason
        self.family = family

    def shifted(self, by: int, family: str | None = None) -> Refuse:
        return Refuse(self.pos + by, self.reason, None if self.end is None else self.end + by,
                      self.family or family)


@dataclass(frozen=True)
class Refusal:
    """One area of the description that was not read.

    ``fragment`` is the verbatim original text of the area (or of the words at fault inside it,
    ``at``); ``offset`` is its character offset in the original text.
    """

    source: str
    grade: int
    grade_word: str
    item: int | None
    offset: int
    line: int
    fragment: str
    at: str
    reason: str
    use: str | None = None

    def message(self) -> str:
        use = f" ({self.use})" if self.use else ""
        item = f", area {self.item}" if self.item is not None else ""
        at = f" at \"{self.at}\"" if self.at and self.at != self.fragment else ""
        return (f"{self.source}{use}: grade {self.grade_word} ({self.grade}){item}, line "
                f"{self.line}: not read: \"{self.fragment}\"{at} — {self.reason}")
