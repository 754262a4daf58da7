"""``landgrade uses``: what a row's land use may say, and which gazette use prices it.

Printed from the data the resolver reads (:mod:`landgrade.gazette.landuse`): the county's
gazette uses and their spellings; per national standard, the classes each use prices, the
classes to ask about (with the question) and those the gazette does not price; everyday names;
the county's own names. Chinese by default (the county's language), ``--lang en`` in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from landgrade.gazette.labels import check_lang, default_lang, word
from landgrade.gazette.landuse import CountyLandUse, LandClass, Standard, county_land_use
from landgrade.gazette.pricebook import load_pricebook
from landgrade.text import display_width

WIDTH = 100  # terminal columns


def uses_command(county: str | None = None, standard: str | None = None,
                 lang: str | None = None) -> str:
    """Print (and return) the table of accepted land uses; ``standard`` shows one only."""
    book = load_pricebook(county)
    land = county_land_use(book)
    lang = check_lang(lang) if lang else default_lang(book.metadata)
    shown = ([land.vocabulary.standards[land.vocabulary.check_standard(standard)]]
             if standard else list(land.vocabulary.standards.values()))
    text = "\n".join(uses_lines(land, book.metadata, shown, lang))
    print(text)
    return text


def uses_lines(land: CountyLandUse, meta: dict, shown: list[Standard], lang: str) -> list[str]:
    """The printed table, line by line."""
    county = str(meta.get("county") if lang == "zh" else meta.get("county_en") or
                 meta.get("county") or "")
    default = land.vocabulary.standards.get(land.standard or "")
    document = str(meta.get("document") or "")
    lines = [word("uses_title", lang, county=county),
             word("uses_source", lang, document=document, standard=default.label(lang))
             if default else word("uses_source_none", lang, document=document), ""]
    lines.append(word("uses_gazette", lang))
    head, sep = _head_width(land, lang), "、" if lang == "zh" else ", "
    for u in land.uses:
        zh, en = land.labels[u]
        forms = dict.fromkeys([zh, zh.removesuffix("用地"), u, en])
        lines += _row(zh if lang == "zh" else en, [f for f in forms if f], 2, head, sep)
    for std in shown:
        lines += ["", std.title(lang)]
        lines += _standard_lines(land, std, lang)
    if land.names:
        lines += ["", word("uses_county_names", lang)]
        for name, rule in land.names.values():
            colon = "：" if lang == "zh" else ": "
            what = (land.label(rule.use, lang) if rule.use
                    else f"{word('use_to_ask', lang)}{colon}{rule.question(lang)}")
            lines += _wrap([f"{name} → {what}"], 4, first="  ")
    return lines


def _standard_lines(land: CountyLandUse, std: Standard, lang: str) -> list[str]:
    sep, colon = ("、", "：") if lang == "zh" else (", ", ": ")
    by_use: dict[str, list[str]] = {u: [] for u in land.uses}
    asks: dict[str, list[str]] = {}
    unpriced: list[LandClass] = []
    for cls in std.classes.values():
        rule = land.rule(std.key, cls.code)
        if rule is None:
            # A class under an unpriced class is said by its parent (…and their sub-classes).
            if not cls.parent or land.rule(std.key, cls.parent) is not None:
                unpriced.append(cls)
        elif rule.ask:
            asks.setdefault(rule.question(lang), []).append(_name(cls))
        else:
            by_use[rule.use].append(_name(cls))  # type: ignore[index]
    lines: list[str] = []
    head = _head_width(land, lang)
    for u, classes in by_use.items():
        lines += _row(land.label(u, lang), classes or [word("uses_none", lang)], 2, head, sep)
    if asks:
        lines.append("  " + word("uses_ask", lang))
        for question, classes in asks.items():
            lines += _wrap([f"{sep.join(classes)}{colon}{question}"], 6, first="    ")
    if unpriced:
        lines.append("  " + word("uses_unpriced", lang))
        items = [_name(c) for c in unpriced]
        more = word("uses_subclasses", lang)
        items[-1] += f"（{more}）" if lang == "zh" else f" ({more})"
        lines += _wrap(items, 4, sep=sep)
    everyday = [e for e in land.vocabulary.everyday if e.standard == std.key]
    if everyday:
        lines.append("  " + word("uses_everyday", lang))
        items = []
        for e in everyday:
            classes = sep.join(_name(std.classes[c]) for c in e.codes)
            items.append(f"{e.name} → {classes}")
        lines += _wrap(items, 4, sep="；" if lang == "zh" else "; ")
    return lines


def _name(cls: LandClass) -> str:
    return f"{cls.code} {cls.name}"


def _head_width(land: CountyLandUse, lang: str) -> int:
    """Columns for a use's label: the longest label and two spaces."""
    return max(display_width(land.label(u, lang)) for u in land.uses) + 2


def _row(head: str, items: list[str], indent: int, width: int, sep: str) -> list[str]:
    """``head`` padded to ``width`` columns, then the items wrapped beside it."""
    first = " " * indent + head + " " * (width - display_width(head))
    return _wrap(items, indent + width, first=first, sep=sep)


_TOKEN = re.compile(r"[\x21-\x7e]+\s*|\s+|.")


def _wrap(items: Iterable[str], indent: int, *, first: str | None = None,
          sep: str = "、") -> list[str]:
    """Items joined by ``sep``, wrapped at :data:`WIDTH` display columns (CJK counts two); an
    item longer than a line is broken between words (Latin) or characters (CJK)."""
    lines: list[str] = []
    line = first if first is not None else " " * indent
    fresh = True
    for item in items:
        piece = item if fresh else sep + item
        if not fresh and display_width(line + piece) > WIDTH:
            lines.append((line + sep).rstrip())
            line, piece = " " * indent, item
        for token in _TOKEN.findall(piece):
            if display_width(line + token.rstrip()) > WIDTH and line.strip():
                lines.append(line.rstrip())
                line = " " * indent
                token = token.lstrip()
            line += token
        fresh = False
    lines.append(line.rstrip())
    return lines
