"""Shared fixtures: the bundled county folder and the gazette text.

The gazette text the tests check transcriptions against is ``geo/dongkou/gazette.txt``, the first
notice of the gazette copied verbatim (source in ``geo/dongkou/ATTRIBUTION.md``), so a fresh
clone runs every test. When the whole issue (``../shared/seeds/…``) is beside the checkout,
``test_gazette_excerpt_is_verbatim`` checks the copy against it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DONGKOU = ROOT / "geo" / "dongkou"
GAZETTE = DONGKOU / "gazette.txt"
SEED = ROOT.parent / "shared" / "seeds" / "000_6806d441a7a8aa86.txt"


@pytest.fixture(scope="session")
def dongkou_dir() -> Path:
    return DONGKOU


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The notice 洞政发〔2022〕1号 with Tables 1–8, as published."""
    return GAZETTE.read_text(encoding="utf-8")
