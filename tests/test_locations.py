"""Folders and environment variables follow the distribution name, ``reader-tui``; the old
names still work for one release, and an old library moves only if it is ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader import locations
from reader.cli import main
from reader.document import Position
from reader.library import Library


@pytest.fixture
def platform_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No READER_TUI_HOME: the platform folders, under a fake XDG home."""
    monkeypatch.delenv("READER_TUI_HOME", raising=False)
    monkeypatch.delenv("READER_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr("sys.platform", "linux")
    return tmp_path


def test_folders_are_named_after_the_distribution(platform_home: Path) -> None:
    assert locations.config_file() == platform_home / "config" / "reader-tui" / "config.toml"
    assert locations.data_dir() == platform_home / "share" / "reader-tui"
    assert locations.cache_dir() == platform_home / "cache" / "reader-tui"


def test_the_old_variable_names_are_still_read(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READER_TUI_HOME")
    monkeypatch.setenv("READER_HOME", str(tmp_path / "old"))
    assert locations.data_dir() == tmp_path / "old" / "data"
    monkeypatch.setenv("READER_TUI_HOME", str(tmp_path / "new"))
    assert locations.data_dir() == tmp_path / "new" / "data"  # the new name wins


def _old_dir(platform_home: Path) -> Path:
    old = platform_home / "share" / "reader"
    old.mkdir(parents=True)
    return old


def test_our_library_in_the_old_folder_moves_once_with_a_sentence(
        platform_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _old_dir(platform_home)
    with Library.open(old) as library:
        library.set_position("https://example.org/a", Position(3, 0), 0.5)
    old_config = platform_home / "config" / "reader" / "config.toml"
    old_config.parent.mkdir(parents=True)
    old_config.write_text('# reader settings; written by reader, safe to edit by hand\n'
                          'theme = "nord"\n')
    assert main(["list", "--json"]) == 0
    captured = capsys.readouterr()
    assert "Moved your library from" in captured.err and "reader-tui" in captured.err
    assert not (old / "library.db").exists()
    with Library.open() as library:
        assert library.position("https://example.org/a") is not None
    assert main(["list"]) == 0
    assert "Moved" not in capsys.readouterr().err  # once
    assert 'theme = "nord"' in locations.config_file().read_text()


def test_another_programs_database_in_the_old_folder_is_left_alone(
        platform_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _old_dir(platform_home)
    conn = sqlite3.connect(old / "library.db")  # same name, not ours (lemon24's reader)
    conn.execute("CREATE TABLE feeds (url TEXT)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    foreign_config = platform_home / "config" / "reader" / "config.toml"
    foreign_config.parent.mkdir(parents=True)
    foreign_config.write_text("[reader]\nfeed_root = '/srv'\n")
    before = (old / "library.db").read_bytes()
    assert main(["list"]) == 0
    assert "Moved" not in capsys.readouterr().err
    assert (old / "library.db").read_bytes() == before
    with Library.open() as library:  # a new, empty library of ours beside it
        assert library.is_empty()
    assert not locations.config_file().exists()
