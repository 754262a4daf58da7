"""What a county says on its 查询单 beyond the interface's words: read from ``metadata.json``.

An office issues the page, so its fixed wording is the county's, not the program's:

- ``report.disclaimer_zh`` / ``disclaimer_en``: the disclaimer (免责声明) printed above the
  footer; ``{document}``, ``{valuation_date}``, ``{issuer}`` and ``{county}`` are filled from
  the same metadata.
- ``report.signature_blocks``: the spaces to sign and seal, in order, each
  ``{"zh": "经办人（签字）", "en": "Prepared by (signature)"}``; ``report.date_line_zh`` /
  ``date_line_en`` is printed at the foot of each.
- ``land_right`` (土地权利, ``land_right_en``) and ``development_level`` (开发程度: ``name_zh``,
  ``definition_zh``, ``note_zh`` and their ``_en`` twins; ``note_uses``, the use keys the note
  is about, printed only where one of them is shown): the conditions every benchmark price
  assumes, one value for all areas or a mapping per area (``urban``, ``town_class_1`` …), as
  :mod:`landgrade.gazette.pricebook` reads them.

English falls back to the Chinese as published when a county gives no English wording (data
stays as published, like the 文号). A county without a ``report`` block gets pages without a
disclaimer or signature spaces, and the command says so.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from landgrade.errors import LandgradeError

FILLS = ("document", "valuation_date", "issuer", "county")


class ReportWordingError(LandgradeError):
    """The county's report wording in metadata.json is malformed; the message names the key."""


@dataclass(frozen=True)
class ReportWording:
    """The county's fixed wording of the page in one language."""

    disclaimer: str
    signature_blocks: tuple[str, ...]
    date_line: str

    @property
    def empty(self) -> bool:
        return not self.disclaimer and not self.signature_blocks


def report_wording(metadata: Mapping[str, Any] | None, lang: str) -> ReportWording:
    """The ``report`` block of ``metadata`` in ``lang`` (see the module docstring), checked:
    a malformed block is a :class:`ReportWordingError` naming the key and the expected form."""
    meta = metadata or {}
    block = meta.get("report")
    if block is None:
        return ReportWording("", (), "")
    if not isinstance(block, Mapping):
        raise ReportWordingError(
            "metadata.json: report must be an object such as {\"disclaimer_zh\": \"…\", "
            "\"signature_blocks\": [{\"zh\": \"经办人（签字）\", \"en\": \"Prepared by\"}]}")
    disclaimer = _in_lang(block, "disclaimer", lang, "report.disclaimer")
    if disclaimer:
        disclaimer = _fill(disclaimer, meta, "report.disclaimer")
    blocks = block.get("signature_blocks") or []
    if not isinstance(blocks, list):
        raise ReportWordingError(
            f"metadata.json: report.signature_blocks must be a list, not {blocks!r}")
    labels = []
    for i, b in enumerate(blocks):
        where = f"report.signature_blocks[{i}]"
        if isinstance(b, str):
            labels.append(b)
            continue
        if not isinstance(b, Mapping):
            raise ReportWordingError(
                f"metadata.json: {where} must be text or {{\"zh\": …, \"en\": …}}, not {b!r}")
        labels.append(_pick(b, lang, where))
    return ReportWording(disclaimer, tuple(labels),
                         _in_lang(block, "date_line", lang, "report.date_line"))


def land_right(metadata: Mapping[str, Any] | None, area: str, lang: str) -> str:
    """土地权利 of the prices of ``area`` (``urban``, ``town_class_2``) in ``lang``; empty when the
    county states none."""
    meta = metadata or {}
    zh = _by_area(meta.get("land_right"), area)
    if lang == "en":
        en = _by_area(meta.get("land_right_en"), area)
        if isinstance(en, str) and en.strip():
            return en.strip()
    if isinstance(zh, Mapping):
        return str(_pick(zh, lang, "land_right", prefix="name_"))
    return str(zh or "").strip()


@dataclass(frozen=True)
class DevelopmentLevel:
    """开发程度: its name (五通一平), what it means, and a note on exceptions."""

    name: str
    definition: str
    note: str
    note_uses: tuple[str, ...] = ()  # the uses the note is about; empty: every use


def development_level(metadata: Mapping[str, Any] | None, area: str, lang: str
                      ) -> DevelopmentLevel | None:
    """开发程度 of the prices of ``area`` in ``lang``; None when the county states none."""
    value = _by_area((metadata or {}).get("development_level"), area)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return DevelopmentLevel(value.strip(), "", "")
    if not isinstance(value, Mapping):
        raise ReportWordingError(
            f"metadata.json: development_level must be text or an object with name_zh, not "
            f"{value!r}")
    uses = value.get("note_uses") or []
    if not isinstance(uses, list):
        raise ReportWordingError(
            f"metadata.json: development_level.note_uses must be a list of use keys, such as "
            f'["public_2"], not {uses!r}')
    return DevelopmentLevel(*(
        _pick(value, lang, "development_level", prefix=f"{k}_", required=k == "name")
        for k in ("name", "definition", "note")), note_uses=tuple(map(str, uses)))


def _by_area(value: Any, area: str) -> Any:
    """One value for all areas, or the ``area`` entry of a per-area mapping (no ``name_zh``)."""
    if isinstance(value, Mapping) and "name_zh" not in value and "name_en" not in value:
        return value.get(area)
    return value


def _in_lang(block: Mapping[str, Any], key: str, lang: str, where: str) -> str:
    other = "en" if lang == "zh" else "zh"
    for k in (f"{key}_{lang}", f"{key}_{other}"):
        v = block.get(k)
        if v is None or v == "":
            continue
        if not isinstance(v, str):
            raise ReportWordingError(f"metadata.json: {where}_{k[-2:]} must be text, not {v!r}")
        return v.strip()
    return ""


def _pick(d: Mapping[str, Any], lang: str, where: str, *, prefix: str = "",
          required: bool = True) -> str:
    other = "en" if lang == "zh" else "zh"
    for k in (f"{prefix}{lang}", f"{prefix}{other}"):
        v = d.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    if required:
        raise ReportWordingError(
            f"metadata.json: {where} needs {prefix}zh (or {prefix}en) text; it has "
            f"{', '.join(map(str, d)) or 'nothing'}")
    return ""


def _fill(text: str, meta: Mapping[str, Any], where: str) -> str:
    """``text`` with ``{document}`` … filled; an unknown field names itself and the choices."""
    fields = {k: str(meta.get(k) or "") for k in FILLS}
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text)]
    except ValueError as e:
        raise ReportWordingError(f"metadata.json: {where}: {e} (write {{{{ }}}} for a brace)"
                                 ) from None
    for name in names:
        if name is not None and name not in fields:
            raise ReportWordingError(
                f"metadata.json: {where} has {{{name}}}; the fields are "
                f"{', '.join('{' + k + '}' for k in FILLS)} (write {{{{ }}}} for a brace)")
    return text.format(**fields)
