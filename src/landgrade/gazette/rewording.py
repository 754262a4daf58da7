"""Messages written in English by the stage that found them, worded in Chinese where shown.

The build report's warnings, the answer's ``message`` column and the audit's reasons are written
once, in English, where the fact is found (a builder module, the engine): that English is the
record other code reads (``--strict``, tests, the audit quoting a route's warning). An output in
Chinese rewords them with a :class:`Rewording` per message: the English template as its producer
formats it and the Chinese template with the same fields. :func:`reword` matches a whole text
against the templates — several messages joined by ``; `` included — and fills the Chinese
template with the values found; a field's value is reworded in turn (a message inside a message),
and a value that is data (a road name, a number) comes through as it is. Text no template
matches is kept as given, never guessed at: the zh output tests find any such leftover.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Rewording:
    """One message: ``en`` as its producer formats it (``str.format`` fields, no format specs)
    and ``zh``, the same message in Chinese with the same fields."""

    en: str
    zh: str

    def pattern(self, values: Mapping[str, Mapping[str, str]]) -> re.Pattern[str]:
        """``en`` as a regular expression: a field with a table of ``values`` matches one of
        them exactly, any other field any text (as little as the rest lets it)."""
        parts: list[str] = []
        seen: set[str] = set()
        pos = 0
        for m in _FIELD.finditer(self.en):
            parts.append(re.escape(self.en[pos:m.start()]))
            name = m.group(1)
            if name in seen:
                parts.append(f"(?P={name})")
            elif name in values:
                known = sorted(values[name], key=len, reverse=True)
                parts.append(f"(?P<{name}>{'|'.join(map(re.escape, known))})")
            else:
                parts.append(f"(?P<{name}>.*?)")
            seen.add(name)
            pos = m.end()
        parts.append(re.escape(self.en[pos:]))
        return re.compile("".join(parts), re.DOTALL)

    @property
    def literal(self) -> int:
        """How much of ``en`` is fixed text: the more, the more specific the entry."""
        return len(_FIELD.sub("", self.en))


@dataclass
class Rewordings:
    """A catalogue of :class:`Rewording` and how field values are worded.

    ``values`` maps a field name to a table of its English values (``side``: ``E`` → ``东``);
    ``words`` maps whole English texts that are words, not sentences (``grading extent``);
    ``data`` names the fields that hold data (a road name, an analyst's note): what is left
    English there is the data's own, not a message left unworded."""

    entries: Sequence[Rewording]
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    words: Mapping[str, str] = field(default_factory=dict)
    data: frozenset[str] = frozenset()

    @cached_property
    def by_specificity(self) -> list[tuple[Rewording, re.Pattern[str]]]:
        """The entries with their patterns, the most specific first: ``grade {grade}`` must
        not swallow a longer message that starts with the same words."""
        return [(e, e.pattern(self.values))
                for e in sorted(self.entries, key=lambda e: -e.literal)]

    def extended(self, *more: Rewordings) -> Rewordings:
        """This catalogue and ``more``, searched in that order."""
        entries = [*self.entries]
        values = {k: dict(v) for k, v in self.values.items()}
        words = dict(self.words)
        data = set(self.data)
        for m in more:
            entries.extend(m.entries)
            for k, v in m.values.items():
                values.setdefault(k, {}).update(v)
            words.update(m.words)
            data |= m.data
        return Rewordings(entries, values, words, frozenset(data))


def reword(text: object, catalogue: Rewordings, lang: str,
           plain: Callable[[str], str] | None = None) -> str:
    """``text`` in ``lang``: as given for ``en``; for ``zh`` each message of it worded by the
    catalogue (see the module docstring). ``plain`` words a field value no entry matches (by
    default, kept as it is)."""
    if text is None:
        return ""
    text = str(text)
    if lang != "zh" or not text.strip():
        return text
    return _Reworder(catalogue, plain).whole(text)


_ENGLISH = re.compile(r"[A-Za-z]{3,}")


class _Reworder:
    """Words a text, choosing among the ways to read it the one that leaves the fewest English
    pieces unworded (a piece or field value no entry matches and which holds English words)."""

    def __init__(self, catalogue: Rewordings, plain: Callable[[str], str] | None) -> None:
        self.catalogue = catalogue
        self.entries = catalogue.by_specificity
        self.plain = plain or (lambda s: s)
        self.memo: dict[str, tuple[str, int] | None] = {}

    def whole(self, text: str) -> str:
        return self.pieces(text)[0]

    def pieces(self, text: str) -> tuple[str, int]:
        """A text of one or more ``; ``-joined messages, and how many English pieces were left."""
        pieces = text.split("; ")
        n = len(pieces)
        # best[i]: (worded text, English pieces left) for pieces[i:].
        best: list[tuple[str, int]] = [("", 0)] * (n + 1)
        for i in range(n - 1, -1, -1):
            options = []
            for j in range(i + 1, n + 1):
                found = self.one("; ".join(pieces[i:j]))
                if found is not None:
                    options.append((self._join(found[0], best[j][0]), found[1] + best[j][1]))
            kept = self.kept(pieces[i])
            options.append((self._join(kept[0], best[i + 1][0]), kept[1] + best[i + 1][1]))
            best[i] = min(options, key=lambda t: t[1])
        return best[0]

    def kept(self, text: str) -> tuple[str, int]:
        """A text no entry matches: as ``plain`` words it, counted when English is left."""
        worded = self.plain(text)
        return worded, int(bool(_ENGLISH.search(worded)))

    @staticmethod
    def _join(a: str, b: str) -> str:
        return f"{a}；{b}" if b else a

    def one(self, text: str) -> tuple[str, int] | None:
        """One message worded (and the English left in its fields), or None when no entry
        matches it whole."""
        if text in self.memo:
            return self.memo[text]
        self.memo[text] = None  # a message never contains itself
        found: tuple[str, int] | None = None
        if text in self.catalogue.words:
            found = (self.catalogue.words[text], 0)
        else:
            for entry, pattern in self.entries:
                m = pattern.fullmatch(text)
                if m is None:
                    continue
                fields = {k: self.value(k, v) for k, v in m.groupdict().items()}
                option = (entry.zh.format(**{k: v[0] for k, v in fields.items()}),
                          sum(v[1] for v in fields.values()))
                if found is None or option[1] < found[1]:
                    found = option
                if found[1] == 0:
                    break
        self.memo[text] = found
        return found

    def value(self, name: str, value: str) -> tuple[str, int]:
        table = self.catalogue.values.get(name)
        if table is not None and value in table:
            return table[value], 0
        if name in self.catalogue.data:  # data: as it is, unless it is a whole message
            return (self.one(value) or (self.plain(value), 0))[0], 0
        return self.pieces(value) if "; " in value else self.one(value) or self.kept(value)


def templates(entries: Iterable[tuple[str, str]]) -> list[Rewording]:
    """``(en, zh)`` pairs as :class:`Rewording` entries."""
    return [Rewording(en, zh) for en, zh in entries]
