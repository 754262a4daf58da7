"""Shared fixtures: the bundled county folder and the gazette text.

The gazette text the tests check transcriptions against is ``geo/dongkou/gazette.txt``, the first
notice of the gazette copied verbatim (source in ``geo/dongkou/ATTRIBUTION.md``), so a fresh
clone runs every test. When the whole issue (``../shared/seeds/…``) is beside the checkout,
``test_gazette_excerpt_is_verbatim`` checks the copy against it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DONGKOU = ROOT / "geo" / "dongkou"
GAZETTE = DONGKOU / "gazette.txt"
SEED = ROOT.parent / "shared" / "seeds" / "000_6806d441a7a8aa86.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def dongkou_dir() -> Path:
    return DONGKOU


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The notice 洞政发〔2022〕1号 with Tables 1–8, as published."""
    return GAZETTE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    """The system's headless Chromium driven by Playwright (which downloads no browser here);
    skips, saying what to install, without either."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if CHROMIUM is None:
        pytest.skip("headless Chromium not installed (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"])
        yield b
        b.close()
