"""Where reader keeps its files: one place that knows the platform paths and the
environment variables.

The distribution is called ``reader-tui`` (``reader`` on the package index is another
project, a feed-reader library), so the folders are ``~/.config/reader-tui/`` and friends
and every environment variable is ``READER_TUI_*``. The old ``READER_*`` names are still
read for one release, so a script written for the previous version keeps working.

``READER_TUI_HOME`` moves everything (data, config, cache) under one folder, which is what
tests and side-by-side runs want; otherwise platformdirs gives the usual places.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

APP_NAME = "reader-tui"
OLD_APP_NAME = "reader"  # the folders of releases before the rename; read, never written
ENV_PREFIX = "READER_TUI_"
OLD_ENV_PREFIX = "READER_"

# Every variable reader reads, with what it does: the CLI's help and `reader paths` list
# them from here, so a new one is documented by adding it here.
ENVIRONMENT: dict[str, str] = {
    "HOME": "one folder for the library, config and cache (tests, side-by-side runs)",
    "DEBUG": "1 shows a traceback on errors (as --debug)",
    "CONNECT_TIMEOUT": "seconds to wait for a server to accept the connection (default 10)",
    "READ_TIMEOUT": "seconds to wait without data from a server (default 20)",
    "TOTAL_TIMEOUT": "seconds a download may take in all (default 60)",
    "MAX_BYTES": "largest page read, in decoded bytes (default 20 MiB)",
    "ALLOW_PRIVATE": "1 lets a page's pictures and redirects reach private addresses "
                     "(as allow_private_addresses = true in config.toml)",
}


def _platformdirs() -> Any:
    """platformdirs, imported when a platform folder is first needed: ``reader dump``
    never needs one, and the import is a tenth of its start-up."""
    import platformdirs

    return platformdirs


def getenv(name: str) -> str | None:
    """``READER_TUI_<name>``, else the old ``READER_<name>`` (read for one release).

    An empty value counts as unset, as a shell's ``READER_TUI_HOME=`` means."""
    for prefix in (ENV_PREFIX, OLD_ENV_PREFIX):
        value = os.environ.get(prefix + name)
        if value:
            return value
    return None


def _home() -> Path | None:
    home = getenv("HOME")
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    """The library lives here."""
    home = _home()
    return home / "data" if home else Path(_platformdirs().user_data_dir(APP_NAME))


def config_dir() -> Path:
    """``config.toml`` lives here."""
    home = _home()
    return home / "config" if home else Path(_platformdirs().user_config_dir(APP_NAME))


def cache_dir() -> Path:
    """Downloaded images and other things that may be thrown away live here."""
    home = _home()
    return home / "cache" if home else Path(_platformdirs().user_cache_dir(APP_NAME))


def config_file() -> Path:
    return config_dir() / "config.toml"


def all_paths() -> dict[str, Path]:
    """Every file and folder reader uses, by what it is (for ``reader paths``)."""
    return {
        "config": config_file(),
        "library": data_dir() / "library.db",
        "data": data_dir(),
        "cache": cache_dir(),
    }


# ---------------------------------------------------------------------- the old folder

_OUR_TABLES = frozenset({"articles", "article_content", "tags", "images", "article_images",
                         "positions", "bookmarks", "history"})
_LIBRARY_FILES = ("library.db", "library.db-wal", "library.db-shm")


def _is_our_library(path: Path) -> bool:
    """True only for a database reader made: a schema version in ``user_version`` and our
    tables. ``reader`` (the feed-reader library) also lives in ``~/.local/share/reader``;
    its files must never be taken. Opened read-only, so nothing is written to a file that
    may be another program's."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
    except (sqlite3.Error, OSError):
        return False
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return version >= 1 and tables >= _OUR_TABLES


def migrate_old_library() -> str | None:
    """Move a library left by a release before the rename (``…/reader/library.db``) into
    the new data folder, once, and only if it is ours; its config file too if reader wrote
    it. Returns the sentence to show the user, or None when there was nothing to move.
    Never raises: a move that cannot happen leaves both folders as they were and says so
    (the files are copied first and the old ones removed only once every copy is made)."""
    if _home() is not None:
        return None  # an explicit home is used as given
    old_dir = Path(_platformdirs().user_data_dir(OLD_APP_NAME))
    new_dir = data_dir()
    old, new = old_dir / "library.db", new_dir / "library.db"
    try:
        if new.exists() or not old.is_file() or old_dir.resolve() == new_dir.resolve():
            return None
    except OSError:
        return None
    if not _is_our_library(old):
        return None
    import shutil

    sources = [old_dir / name for name in _LIBRARY_FILES if (old_dir / name).exists()]
    copies: list[Path] = []
    try:
        new_dir.mkdir(parents=True, exist_ok=True)
        for source in sources:
            copies.append(Path(shutil.copy2(source, new_dir / source.name)))
    except OSError as exc:
        for copy in copies:
            copy.unlink(missing_ok=True)
        return (f"The library in {old_dir} could not be moved to {new_dir} "
                f"({exc.strerror or exc}); move library.db there by hand.")
    for source in sources:
        with contextlib.suppress(OSError):  # the copy is complete; a stale file is harmless
            source.unlink()
    _copy_old_config()
    return f"Moved your library from {old_dir} to {new_dir} (reader is now reader-tui)."


_OUR_CONFIG_HEADER = "# reader settings; written by reader"


def _copy_old_config() -> None:
    """The old ``config.toml`` comes along only if reader wrote it (its first line says
    so): the feed-reader library called ``reader`` may keep its own config there."""
    old = Path(_platformdirs().user_config_dir(OLD_APP_NAME)) / "config.toml"
    new = config_file()
    try:
        if new.exists() or not old.is_file():
            return
        text = old.read_text(encoding="utf-8")
        if not text.startswith(_OUR_CONFIG_HEADER):
            return
        new.parent.mkdir(parents=True, exist_ok=True)
        new.write_text(text, encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
