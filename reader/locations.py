"""Where reader keeps its files: one place that knows the platform paths.

``READER_HOME`` moves everything (data, config, cache) under one folder, which is what
tests and side-by-side runs want; otherwise platformdirs gives the usual places.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "reader"


def _home() -> Path | None:
    home = os.environ.get("READER_HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    """The library lives here."""
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME))


def config_dir() -> Path:
    """``config.toml`` lives here."""
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    """Downloaded images and other things that may be thrown away live here."""
    home = _home()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME))


def config_file() -> Path:
    return config_dir() / "config.toml"
