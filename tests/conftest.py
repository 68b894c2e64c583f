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
    """Point READER_TUI_HOME at a fresh folder so no test sees another's library or config
    (and unset the old READER_HOME, which would be read if the new name were missing)."""
    home = tmp_path_factory.mktemp("reader-home")
    monkeypatch.setenv("READER_TUI_HOME", str(home))
    monkeypatch.delenv("READER_HOME", raising=False)
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.delenv("NO_COLOR")
    return home
