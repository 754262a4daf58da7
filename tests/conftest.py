"""Shared fixtures: the bundled county folder and the gazette seed."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DONGKOU = ROOT / "geo" / "dongkou"
SEED = ROOT.parent / "shared" / "seeds" / "000_6806d441a7a8aa86.txt"


@pytest.fixture(scope="session")
def dongkou_dir() -> Path:
    return DONGKOU


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip("gazette seed not beside the checkout")
    return SEED.read_text(encoding="utf-8")
