"""Test-wide settings: every test runs with its own empty reader home."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test helpers import either as `tests.localserver` or as `localserver`.
sys.path.insert(0, str(Path(__file__).parent))

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def reader_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point READER_HOME at a fresh folder so no test sees another's library or config."""
    home = tmp_path_factory.mktemp("reader-home")
    monkeypatch.setenv("READER_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.delenv("NO_COLOR")
    return home
