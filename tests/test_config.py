"""``config.toml`` is the user's file: a save changes what changed and keeps the rest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reader import config, locations


def test_a_settings_change_keeps_a_hand_added_key_and_comment(reader_home: Path) -> None:
    path = locations.config_file()
    path.parent.mkdir(parents=True)
    path.write_text('# my reading setup\ntheme = "nord"  # easy on the eyes\n'
                    'pager = "less"\n\n[keys]\n# vim hands\nscroll_down = "j,down"\n'
                    "\n[plugins]\nenabled = true\n", encoding="utf-8")
    loaded, warning = config.load()
    assert warning is None
    assert loaded.theme == "nord" and loaded.keys == {"scroll_down": "j,down"}

    config.save(replace(loaded, theme="gruvbox", width=100))

    text = path.read_text(encoding="utf-8")
    assert "# my reading setup" in text and "# easy on the eyes" in text
    assert 'pager = "less"' in text and "# vim hands" in text
    assert "[plugins]\nenabled = true" in text
    again, _ = config.load()
    assert (again.theme, again.width, again.keys) == ("gruvbox", 100, {"scroll_down": "j,down"})


def test_the_keys_table_is_written_and_read_back(reader_home: Path) -> None:
    config.save(replace(config.Config(), keys={"scroll_down": "n", "quit": "ctrl+q"}))
    loaded, _ = config.load()
    assert loaded.keys == {"scroll_down": "n", "quit": "ctrl+q"}
    config.save(replace(loaded, keys={"quit": "ctrl+q"}))
    assert config.load()[0].keys == {"quit": "ctrl+q"}


def test_wrong_types_in_the_keys_table_are_ignored(reader_home: Path) -> None:
    path = locations.config_file()
    path.parent.mkdir(parents=True)
    path.write_text('[keys]\nscroll_down = 3\nquit = "q"\n', encoding="utf-8")
    assert config.load()[0].keys == {"quit": "q"}


def test_a_broken_file_is_kept_beside_the_fresh_one(reader_home: Path) -> None:
    path = locations.config_file()
    path.parent.mkdir(parents=True)
    path.write_text("theme = = broken\n# notes I care about\n", encoding="utf-8")
    loaded, warning = config.load()
    assert warning is not None and "could not be read" in warning
    config.save(replace(loaded, theme="nord"))
    assert config.load() == (replace(config.Config(), theme="nord"), None)
    assert "# notes I care about" in path.with_name("config.toml.bak").read_text()
