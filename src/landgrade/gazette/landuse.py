"""Land-use vocabularies: the classes a parcel file's land use is written in, and which of the
county's gazette uses prices each.

Terms:

- 地类 (land-use class): a class of a national *standard*, with a code kept as text with its
  leading zero (``0803``) and a name (``教育用地``). The standards are data under
  ``geo/landuse/`` (listed in ``standards.csv``): ``tdly2017``, GB/T 21010-2017 土地利用现状分类,
  and ``ydyh2023``, the 2023 国土空间调查、规划、用途管制用地用海分类. Their codes collide (0803 is
  教育用地 in one and 文化用地 in the other), so a code is only ever read in one declared standard.
- 用途 (gazette use): one of the county's priced uses (``uses.csv``: 商服用地 ``commercial`` …).
- A county's mapping (``use_classes.csv``, named by ``use_classes`` in ``metadata.json``): the
  gazette use of each class its notes price, or ``ask`` where the gazette splits a class in a
  way its code cannot decide (体育用地: indoor in one use, the rest in another), with the
  question to ask (``ask_zh``/``ask_en``). A class with no row is one the gazette does not price.
- A county's own names (``use_names.csv``, ``use_names``): words of the gazette's notes that no
  standard has (室内体育用地), or mixed uses it does not price as one (商住用地).
- The declared standard: ``use_standard`` in ``metadata.json``, overridden per run
  (``--use-standard``).
- The route table's use: ``tables.routes.use`` in ``metadata.json`` (Dongkou: Table 7 is the
  *commercial* road-line price table); a road-line price applies to that use only.

This module loads and checks the data (every problem an error naming the file and line);
:mod:`landgrade.gazette.use_resolver` reads a column of values with it.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from landgrade.gazette.county import CountyDataError, geo_root
from landgrade.io.formats import IOInputError
from landgrade.io.tables import read_data_table
from landgrade.text import normalize

ASK = "ask"  # a county mapping's word for "the class alone does not decide the use"
STANDARDS_FILE = "standards.csv"
EVERYDAY_FILE = "everyday_names.csv"


class LandUseDataError(CountyDataError):
    """A land-use vocabulary file is wrong; the message names the file, line and fix."""


def fold(text: Any) -> str:
    """A land-use value made comparable: full/half width, spaces, letter case and brackets do
    not matter (``公共管理与公共服务用地（Ⅰ）`` = ``公共管理与公共服务用地 I``)."""
    t = normalize(str(text)).casefold()
    return t.translate(_BRACKETS)


_BRACKETS = str.maketrans("", "", "()[]【】〔〕<>《》\"'“”‘’")


@dataclass(frozen=True)
class LandClass:
    """One class of a standard: code (text), name, level (1–3) and parent code."""

    standard: str
    code: str
    name: str
    level: int
    parent: str
    short: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standard:
    """A national classification: its key (``tdly2017``), names and classes by code."""

    key: str
    name_zh: str
    name_en: str
    short_zh: str
    short_en: str
    classes: dict[str, LandClass] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """The short name a message cites: ``GB/T 21010-2017``, ``2023 用地用海分类``."""
        return self.short_zh if lang == "zh" else self.short_en

    def title(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class EverydayName:
    """A name analysts write that is not a class name of ``standard``, for one or more of its
    classes (``科教用地`` → 0803 and 0804)."""

    name: str
    standard: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The national standards, and every name of their classes by standard.

    ``names[standard][fold(name)]`` → the codes a class name, short form or everyday name means
    in that standard.
    """

    standards: dict[str, Standard]
    names: dict[str, dict[str, tuple[str, ...]]]
    everyday: tuple[EverydayName, ...]
    root: Path

    def check_standard(self, standard: str) -> str:
        """``standard`` if it is a known key, else an error listing the keys."""
        if standard in self.standards:
            return standard
        known = ", ".join(f"{k} ({s.short_en})" for k, s in self.standards.items())
        raise LandUseDataError(f"--use-standard {standard!r}: use one of {known}")


def vocabulary(root: str | Path | None = None) -> Vocabulary:
    """The national land-use vocabularies under ``root`` (default ``geo/landuse``), loaded once
    per state of their files."""
    folder = Path(root) if root is not None else geo_root() / "landuse"
    return _vocabulary(folder.resolve(), _digest([folder / STANDARDS_FILE, folder / EVERYDAY_FILE,
                                                  *sorted(folder.glob("*.csv"))]))


def _digest(paths: list[Path]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in paths:
        h.update(str(p).encode())
        h.update(p.read_bytes() if p.is_file() else b"\0missing")
    return h.hexdigest()


def _table(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        df = read_data_table(path, columns)
    except IOInputError as e:
        raise LandUseDataError(str(e)) from None
    cols = [c for c in df.columns if c != "line"]
    return [(int(r["line"]), {c: str(r[c]) for c in cols}) for _, r in df.iterrows()]


@lru_cache(maxsize=4)
def _vocabulary(folder: Path, _state: str) -> Vocabulary:
    standards: dict[str, Standard] = {}
    names: dict[str, dict[str, tuple[str, ...]]] = {}
    for line, r in _table(folder / STANDARDS_FILE,
                          ("standard", "file", "name_zh", "name_en", "short_zh", "short_en")):
        key = r["standard"]
        if not key or key in standards:
            raise LandUseDataError(f"{folder / STANDARDS_FILE}, line {line}: standard {key!r} "
                                   "is empty or listed twice")
        classes = _classes(folder / r["file"], key)
        standards[key] = Standard(key, r["name_zh"], r["name_en"], r["short_zh"] or key,
                                  r["short_en"] or key, classes)
        names[key] = _class_names(folder / r["file"], classes)
    everyday = []
    path = folder / EVERYDAY_FILE
    for line, r in _table(path, ("name", "standard", "code")) if path.exists() else []:
        where = f"{path}, line {line}"
        std = standards.get(r["standard"])
        if std is None:
            raise LandUseDataError(f"{where}: standard {r['standard']!r} is not in "
                                   f"{STANDARDS_FILE} ({', '.join(standards)})")
        codes = tuple(c.strip() for c in r["code"].split("|") if c.strip())
        bad = [c for c in codes if c not in std.classes]
        if not codes or bad:
            raise LandUseDataError(f"{where}: {r['name']} names code(s) {', '.join(bad) or '-'} "
                                   f"that {r['standard']} does not have")
        key = fold(r["name"])
        have = names[std.key].get(key)
        if have is not None and set(have) != set(codes):
            raise LandUseDataError(
                f"{where}: {r['name']} is already a name or short form of {', '.join(have)} in "
                f"{std.key}; an everyday name may not mean another class")
        names[std.key][key] = codes
        everyday.append(EverydayName(r["name"], std.key, codes))
    return Vocabulary(standards, names, tuple(everyday), folder)


def _classes(path: Path, standard: str) -> dict[str, LandClass]:
    classes: dict[str, LandClass] = {}
    for line, r in _table(path, ("code", "name", "level", "parent")):
        code, where = r["code"], f"{path}, line {line}"
        if not (code.isdigit() and len(code) in (2, 4, 6)) or code in classes:
            raise LandUseDataError(f"{where}: code {code!r} is not 2, 4 or 6 digits, or is "
                                   "listed twice; write codes as text with the leading zero")
        parent = r["parent"]
        if (parent or None) != (code[:-2] or None) or (parent and parent not in classes):
            raise LandUseDataError(f"{where}: parent {parent!r} of {code} must be the code "
                                   "without its last two digits, listed above it")
        short = tuple(s for s in (r.get("short") or "").split("|") if s)
        classes[code] = LandClass(standard, code, r["name"], len(code) // 2, parent, short)
    if not classes:
        raise LandUseDataError(f"{path}: no classes")
    return classes


def _class_names(path: Path, classes: dict[str, LandClass]) -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = {}
    for cls in classes.values():
        for name in (cls.name, *cls.short):
            key = fold(name)
            if key in names and names[key] != (cls.code,):
                raise LandUseDataError(
                    f"{path}: {name} names both {names[key][0]} and {cls.code}; a name or short "
                    "form must mean one class of its standard")
            names[key] = (cls.code,)
    return names


@dataclass(frozen=True)
class UseRule:
    """What a county says of a class or a name: the gazette use that prices it, or ``ask``
    (``use`` None) with the question to put to the user."""

    use: str | None
    note: str = ""
    ask_zh: str = ""
    ask_en: str = ""

    @property
    def ask(self) -> bool:
        return self.use is None

    def question(self, lang: str) -> str:
        return (self.ask_zh or self.ask_en) if lang == "zh" else (self.ask_en or self.ask_zh)


@dataclass(frozen=True)
class CountyLandUse:
    """A county's land-use vocabulary: its gazette uses and their spellings, its mapping of
    national classes, its own names, its declared standard and the use of its route table."""

    vocabulary: Vocabulary
    uses: tuple[str, ...]
    labels: dict[str, tuple[str, str]]  # use key → (label_zh, label_en)
    spellings: dict[str, str]  # fold(key, label, label without 用地) → use key
    classes: dict[tuple[str, str], UseRule]
    names: dict[str, tuple[str, UseRule]]  # fold(name) → (name as written, rule)
    standard: str | None
    route_use: str | None

    def label(self, use: str, lang: str) -> str:
        zh, en = self.labels[use]
        return zh if lang == "zh" else en

    def rule(self, standard: str, code: str) -> UseRule | None:
        return self.classes.get((standard, code))


_county_cache: weakref.WeakKeyDictionary[Any, tuple[str, CountyLandUse]] = (
    weakref.WeakKeyDictionary())


def county_land_use(book: Any) -> CountyLandUse:
    """The land-use vocabulary of a price book's county (cached per book and file state).

    ``book`` is a :class:`landgrade.gazette.pricebook.PriceBook` (its folder, metadata, uses).
    """
    meta = book.metadata
    folder = book.folder
    files = [folder.path(str(meta[k])) for k in ("use_classes", "use_names") if meta.get(k)]
    state = _digest(files)
    hit = _county_cache.get(book)
    if hit is not None and hit[0] == state:
        return hit[1]
    land = _county(book, vocabulary())
    _county_cache[book] = (state, land)
    return land


def _county(book: Any, vocab: Vocabulary) -> CountyLandUse:
    meta, folder = book.metadata, book.folder
    where = folder.path("metadata.json")
    uses = tuple(book.uses)
    labels = {u: (book.use_label(u, "zh"), book.use_label(u, "en")) for u in uses}
    spellings: dict[str, str] = {}
    for u, (zh, en) in labels.items():
        for form in (u, zh, en, zh.removesuffix("用地"), zh.replace("用地", "")):
            spellings.setdefault(fold(form), u)
    standard = meta.get("use_standard")
    if standard is not None:
        if standard not in vocab.standards:
            raise LandUseDataError(f"{where}: use_standard {standard!r} is not one of "
                                   f"{', '.join(vocab.standards)} (geo/landuse/{STANDARDS_FILE})")
    classes: dict[tuple[str, str], UseRule] = {}
    if meta.get("use_classes"):
        path = folder.path(str(meta["use_classes"]))
        for line, r in _table(path, ("standard", "code", "use")):
            at = f"{path}, line {line}"
            std = vocab.standards.get(r["standard"])
            if std is None or r["code"] not in std.classes:
                raise LandUseDataError(f"{at}: {r['standard']} {r['code']} is not a class of "
                                       f"geo/landuse ({', '.join(vocab.standards)})")
            if (std.key, r["code"]) in classes:
                raise LandUseDataError(f"{at}: {r['standard']} {r['code']} is listed twice")
            classes[std.key, r["code"]] = _rule(r, uses, at)
    names: dict[str, tuple[str, UseRule]] = {}
    if meta.get("use_names"):
        path = folder.path(str(meta["use_names"]))
        for line, r in _table(path, ("name", "use")):
            at = f"{path}, line {line}"
            if fold(r["name"]) in names or fold(r["name"]) in spellings:
                raise LandUseDataError(f"{at}: {r['name']} is listed twice or is a gazette use")
            names[fold(r["name"])] = (r["name"], _rule(r, uses, at))
    return CountyLandUse(vocab, uses, labels, spellings, classes, names, standard,
                         route_table_use(book))


def _rule(r: dict[str, str], uses: tuple[str, ...], at: str) -> UseRule:
    use = r["use"]
    if use == ASK:
        if not (r.get("ask_zh") or r.get("ask_en")):
            raise LandUseDataError(f"{at}: use is ask but ask_zh/ask_en is empty; write the "
                                   "question to put to the user (what to give instead)")
        return UseRule(None, r.get("note", ""), r.get("ask_zh", ""), r.get("ask_en", ""))
    if use not in uses:
        raise LandUseDataError(f"{at}: use {use!r} is not a use of uses.csv "
                               f"({', '.join(uses)}) nor {ASK}")
    return UseRule(use, r.get("note", ""))


def route_table_use(book: Any) -> str | None:
    """The use whose road-line prices the county's route table gives (``tables.routes.use`` in
    metadata.json, a uses.csv key); None when the county does not say, and then a road-line
    price applies to no row of a known use."""
    if book is None:
        return None
    tables = book.metadata.get("tables") or {}
    routes = tables.get("routes") if isinstance(tables, dict) else None
    use = routes.get("use") if isinstance(routes, dict) else None
    if use is None:
        return None
    if use not in book.uses:
        raise LandUseDataError(
            f"{book.folder.path('metadata.json')}: tables.routes.use {use!r} is not a use of "
            f"uses.csv ({', '.join(book.uses)}); name the use whose prices the route table gives")
    return str(use)
