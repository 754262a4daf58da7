"""Reading a column of land uses: which gazette use (用途) prices each row, or why none does.

A row's use may be written as

- the gazette's own use: its label, short label or key (``商服用地``, ``商服``, ``commercial``;
  ``公共管理与公共服务用地 I``, also with ``Ⅰ`` or brackets);
- a class code of the declared standard (``0701``; a code that lost its leading zero in Excel,
  ``701``, is the same code): codes collide between the standards, so a bare code is read in
  the declared standard only, and without one it is not read at all;
- a class name or short form of either standard (``城镇住宅用地``, ``工业``): a name found in
  the declared standard means that standard's class; a name found only in the other standard
  means that one's (names are unambiguous by themselves where they are);
- a code and name together (``0803 教育用地``, ``教育用地(0803)``): they must be one class;
- an everyday name (``学校用地``, ``批发零售用地``) or a county's own name (``室内体育用地``).

Each distinct value is read once (:func:`read_uses` maps the unique values, then the rows). The
outcome per row is a status: ``ok`` (priced as ``use``), ``blank`` (no use given),
``unknown_use`` (not a use, class or name, or a class the gazette does not price; the message
lists what is accepted) or ``ambiguous_use`` (a class the county splits, a code without a
declared standard, a name whose readings are priced differently; the message says why and what
to give instead). A flagged row is never priced by a guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landgrade.gazette.labels import default_lang, word
from landgrade.gazette.landuse import (
    CountyLandUse,
    LandClass,
    UseRule,
    county_land_use,
    fold,
)

OK, BLANK, UNKNOWN, AMBIGUOUS = "ok", "blank", "unknown_use", "ambiguous_use"
_CODE = re.compile(r"\d{1,6}")
_CODE_NAME = re.compile(r"(\d{1,6})[-_:：.、/·]*(\D.*)")
_NAME_CODE = re.compile(r"(\D.*?)[(（\[【]?(\d{1,6})[)）\]】]?")


@dataclass(frozen=True)
class UseReading:
    """How each value of a column was read (arrays of one entry per value, dtype object).

    ``use``: the gazette use key that prices the row, or None; ``status``: ``ok``, ``blank``,
    ``unknown_use`` or ``ambiguous_use``; ``message``: why a row is not priced and what to give
    instead (empty for ``ok`` and ``blank``); ``read_as``: what the value was read as
    (``0803 教育用地（GB/T 21010-2017）``, ``商服用地``), empty where nothing was.
    """

    use: np.ndarray
    status: np.ndarray
    message: np.ndarray
    read_as: np.ndarray


def resolve_uses(
    values: Any, book: Any, standard: str | None = None, *, lang: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each value's gazette use key (or None), status and message: :func:`read_uses` without
    ``read_as``. ``book`` is the county's :class:`~landgrade.gazette.pricebook.PriceBook`;
    ``standard`` the standard codes are read in (default: the county's ``use_standard``)."""
    r = read_uses(values, book, standard, lang=lang)
    return r.use, r.status, r.message


def read_uses(
    values: Any, book: Any, standard: str | None = None, *, lang: str | None = None
) -> UseReading:
    """How each of ``values`` (any sequence: text, numbers, None) reads as a gazette use.

    ``standard`` (``tdly2017``, ``ydyh2023``) overrides the county's declared ``use_standard``;
    ``lang`` (``zh``/``en``, default the county's language) is the language of the messages.
    """
    codes, distinct = read_use_codes(values, book, standard, lang=lang)
    return UseReading(*(field.take(codes) for field in (
        distinct.use, distinct.status, distinct.message, distinct.read_as)))


def read_use_codes(
    values: Any, book: Any, standard: str | None = None, *, lang: str | None = None
) -> tuple[np.ndarray, UseReading]:
    """:func:`read_uses` as codes: each value's row in a reading of the distinct values.

    A million rows hold a few dozen distinct uses; callers that go on per row (the answer's
    price and messages) work on the codes and never handle a million strings.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(
        np.asarray(values, dtype=object).reshape(-1), dtype=object)
    # Distinct cells first, then their texts: 803, 803.0 and "803" are one text, read once.
    cells, distinct = pd.factorize(series)
    texts = np.array([_text(v) for v in distinct] + [""], dtype=object)
    text_codes, uniques = pd.factorize(texts)
    codes = text_codes[cells]  # a blank cell (code -1) takes the last text, ""
    found: dict[str, tuple[str | None, str, str, str]] = {}
    given = [v for v in uniques if v != ""]
    if given and book is None:
        lang = lang or "en"
        found = {v: (None, UNKNOWN, word("use_no_book", lang), "") for v in given}
    elif given:
        land = county_land_use(book)
        lang = lang or default_lang(book.metadata)
        std = land.vocabulary.check_standard(standard) if standard else land.standard
        reader = _Reader(land, std, lang)
        found = {v: reader.read(v) for v in given}
    table = [found.get(v, (None, BLANK, "", "")) for v in uniques]
    fields = []
    for i in range(4):
        field = np.empty(len(table), dtype=object)
        field[:] = [t[i] for t in table]
        fields.append(field)
    return codes, UseReading(*fields)


def _text(value: Any) -> str:
    """A cell as the text to read: numbers as their digits (803.0 → ``803``), blanks empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value).strip()


def _pad(code: str) -> str:
    """A class code that lost its leading zero (Excel read 0803 as 803, 070101 as 70101).

    Only a second- or third-level code is restored: a lone digit (``5``) is more likely a grade
    or a count in the wrong column than 05 商服用地, and pricing it so would be a misreading; it
    is left unread (``unknown_use``, naming what is accepted)."""
    return "0" + code if len(code) in (3, 5) else code


class _Reader:
    """Reads one distinct value at a time for one county, standard and language."""

    def __init__(self, land: CountyLandUse, standard: str | None, lang: str) -> None:
        self.land, self.std, self.lang = land, standard, lang
        self.vocab = land.vocabulary

    # -- one value ---------------------------------------------------------------------------
    def read(self, text: str) -> tuple[str | None, str, str, str]:
        """``text`` read as (use key or None, status, message, what it was read as); a flagged
        value's message ends with what is accepted."""
        use, status, message, read_as = self._read(text)
        if status == AMBIGUOUS:
            message = self._with_accepted(message)
        return use, status, message, read_as

    def _read(self, text: str) -> tuple[str | None, str, str, str]:
        value = f"'{text}'"
        key = fold(text)
        if key in self.land.spellings:
            use = self.land.spellings[key]
            return use, OK, "", self.land.label(use, self.lang)
        if key in self.land.names:
            name, rule = self.land.names[key]
            if rule.ask:
                return None, AMBIGUOUS, word("use_ask_name", self.lang, value=value,
                                             ask=rule.question(self.lang)), name
            return rule.use, OK, "", name
        if _CODE.fullmatch(key):
            return self._code(value, _pad(key))
        for pattern, code_at, name_at in ((_CODE_NAME, 1, 2), (_NAME_CODE, 2, 1)):
            m = pattern.fullmatch(key)
            if m and fold(m.group(name_at)) and not m.group(name_at).isdigit():
                return self._code_and_name(value, _pad(m.group(code_at)), fold(m.group(name_at)))
        return self._name(value, key)

    def _code(self, value: str, code: str) -> tuple[str | None, str, str, str]:
        meanings = [(s, s.classes[code]) for s in self.vocab.standards.values()
                    if code in s.classes]
        if self.std is None:
            if not meanings:
                return self._unknown(value)
            return None, AMBIGUOUS, word(
                "use_code_no_standard", self.lang, value=value,
                meanings=self._meanings(meanings), keys=" / ".join(self.vocab.standards)), ""
        std = self.vocab.standards[self.std]
        if code in std.classes:
            return self._classes(value, [std.classes[code]])
        message = word("use_code_absent", self.lang, value=value, standard=std.label(self.lang))
        for other, cls in meanings:
            message += word("use_code_elsewhere", self.lang, value=value,
                            standard=other.label(self.lang), cls=self._cls_name(cls),
                            std_key=other.key)
        return None, UNKNOWN, self._with_accepted(message), ""

    def _code_and_name(self, value: str, code: str, name: str
                       ) -> tuple[str | None, str, str, str]:
        matches = []
        for s in self.vocab.standards.values():
            cls = s.classes.get(code)
            if cls is not None and code in self.vocab.names[s.key].get(name, ()):
                matches.append(cls)
        if self.std is not None and any(c.standard == self.std for c in matches):
            matches = [c for c in matches if c.standard == self.std]
        if matches:
            return self._agreeing(value, matches)
        meanings = [(s, s.classes[code]) for s in self.vocab.standards.values()
                    if code in s.classes]
        message = word("use_code_name_mismatch", self.lang, value=value,
                       meanings=self._meanings(meanings) or word("uses_none", self.lang))
        return None, UNKNOWN, self._with_accepted(message), ""

    def _name(self, value: str, key: str) -> tuple[str | None, str, str, str]:
        found = {s: codes for s, codes in
                 ((s, self.vocab.names[s].get(key)) for s in self.vocab.standards) if codes}
        if not found:
            return self._unknown(value, key)
        if self.std in found:  # the declared standard decides a name both standards have
            found = {self.std: found[self.std]}
        readings = [[self.vocab.standards[s].classes[c] for c in codes]
                    for s, codes in found.items()]
        if len(readings) == 1:
            return self._classes(value, readings[0])
        outcomes = [self._classes(value, r) for r in readings]
        if len({(o[0], o[1]) for o in outcomes}) == 1:  # every standard prices it alike
            return self._agreeing(value, [c for r in readings for c in r])
        meanings = self._sep.join(f"{self._means(r)} → {self._outcome_word(o)}"
                                  for r, o in zip(readings, outcomes, strict=True))
        return None, AMBIGUOUS, word("use_name_standards", self.lang, value=value,
                                     meanings=meanings, keys=" / ".join(found)), ""

    # -- classes -----------------------------------------------------------------------------
    def _classes(self, value: str, classes: list[LandClass]) -> tuple[str | None, str, str, str]:
        """One standard's reading of a value: one class, or several (an everyday name)."""
        if len(classes) == 1:
            cls = classes[0]
            rule = self.land.rule(cls.standard, cls.code)
            if rule is None:
                message = word("use_not_priced", self.lang, value=value, cls=self._cls(cls))
                return None, UNKNOWN, self._with_accepted(message), self._cls(cls)
            return self._rule_outcome(value, self._cls(cls), rule)
        return self._agreeing(value, classes)

    def _agreeing(self, value: str, classes: list[LandClass]) -> tuple[str | None, str, str, str]:
        """Several classes priced by one use are that use; otherwise the user must choose."""
        outcomes = [self._classes(value, [c]) for c in classes]
        read_as = "、".join(dict.fromkeys(self._cls(c) for c in classes))
        if len({(o[0], o[1]) for o in outcomes}) == 1:
            use, status, message, _ = outcomes[0]
            return use, status, message, read_as
        meanings = self._sep.join(f"{self._cls(c)} → {self._outcome_word(o)}"
                                  for c, o in zip(classes, outcomes, strict=True))
        return None, AMBIGUOUS, word("use_mixed", self.lang, value=value, meanings=meanings), ""

    def _rule_outcome(self, value: str, what: str, rule: UseRule
                      ) -> tuple[str | None, str, str, str]:
        if rule.ask:
            return None, AMBIGUOUS, word("use_ask", self.lang, value=value, cls=what,
                                         ask=rule.question(self.lang)), what
        return rule.use, OK, "", what

    def _unknown(self, value: str, key: str = "") -> tuple[str | None, str, str, str]:
        closest = ""
        if key:
            known = self._known_names()
            close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
            if close:
                closest = word("use_closest", self.lang, names="、".join(known[c] for c in close))
        message = word("use_not_known", self.lang, value=value, closest=closest)
        return None, UNKNOWN, self._with_accepted(message), ""

    # -- wording -----------------------------------------------------------------------------
    @property
    def _sep(self) -> str:
        return "；" if self.lang == "zh" else "; "

    def _with_accepted(self, message: str) -> str:
        return message + self._sep + accepted_text(self.land, self.std, self.lang)

    def _outcome_word(self, outcome: tuple[str | None, str, str, str]) -> str:
        use, status = outcome[0], outcome[1]
        if use is not None:
            return self.land.label(use, self.lang)
        return word("use_to_ask" if status == AMBIGUOUS else "use_unpriced", self.lang)

    def _cls(self, cls: LandClass) -> str:
        return word("use_class", self.lang, code=cls.code, name=cls.name,
                    standard=self.vocab.standards[cls.standard].label(self.lang))

    @staticmethod
    def _cls_name(cls: LandClass) -> str:
        return f"{cls.code} {cls.name}"

    def _means(self, classes: list[LandClass]) -> str:
        std = self.vocab.standards[classes[0].standard]
        return word("use_means", self.lang, standard=std.label(self.lang),
                    cls="、".join(self._cls_name(c) for c in classes))

    def _meanings(self, pairs: list[tuple[Any, LandClass]]) -> str:
        return self._sep.join(self._means([cls]) for _, cls in pairs)

    def _known_names(self) -> dict[str, str]:
        known = {k: self.land.label(u, "zh") for k, u in self.land.spellings.items()}
        known |= {k: name for k, (name, _) in self.land.names.items()}
        for s in self.vocab.standards.values():
            for cls in s.classes.values():
                known.setdefault(fold(cls.name), cls.name)
        for e in self.vocab.everyday:
            known.setdefault(fold(e.name), e.name)
        return known


def accepted_text(land: CountyLandUse, standard: str | None, lang: str) -> str:
    """What a land-use value may be, in one line: the gazette uses, their keys, the standards'
    class names and codes (in which standard codes are read)."""
    sep = "、" if lang == "zh" else ", "
    std = land.vocabulary.standards.get(standard) if standard else None
    codes = (word("use_codes_in", lang, standard=std.label(lang)) if std
             else word("use_codes_need", lang))
    return word("use_accepted", lang,
                uses=sep.join(land.label(u, "zh") for u in land.uses),
                keys=sep.join(land.uses),
                standards=(" / " if lang == "en" else "、").join(
                    s.label(lang) for s in land.vocabulary.standards.values()),
                codes=codes)
