"""The settings a person changes in the app and expects to find again: ``config.toml``.

A few keys written by the app when they change (theme, text width, images), and a
``[keys]`` table that remaps key bindings, readable and editable by hand. The file is the
user's: a save changes only the values that changed and keeps every other key, table and
comment as it was written (tomlkit edits the document in place), so a hand-added note or
a key a newer reader understands survives the theme being switched. A broken file never
stops the app: its values are ignored with a warning; a later save keeps a copy of it
(``config.toml.bak``) before writing a fresh one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from reader import locations
from reader.files import replace_file

IMAGE_MODES = ("auto", "kitty", "sixel", "halfblock", "off")


@dataclass(frozen=True)
class Config:
    theme: str = "textual-dark"
    width: int = 80
    images: str = "auto"
    show_toc: bool = True
    show_figures: bool = True
    allow_private_addresses: bool = False  # see reader.fetch.AddressPolicy
    # Binding id → keys, as Textual's keymap takes them ("j,down"): the `[keys]` table.
    keys: dict[str, str] = field(default_factory=dict)


_SCALARS = tuple(f for f in fields(Config) if f.name != "keys")


def load(path: Path | None = None) -> tuple[Config, str | None]:
    """The config and, if the file was unreadable, a sentence saying so."""
    path = path or locations.config_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(), None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Config(), f"The config file {path} could not be read ({exc}); using defaults."
    values: dict[str, Any] = {}
    for f in _SCALARS:
        value = data.get(f.name)
        default = getattr(Config, f.name)
        if isinstance(value, type(default)) and not (
            isinstance(default, int) and not isinstance(default, bool)
            and isinstance(value, bool)
        ):
            values[f.name] = value
    table = data.get("keys")
    if isinstance(table, dict):
        values["keys"] = {str(k): " ".join(v.split()) for k, v in table.items()
                          if isinstance(v, str) and v.strip()}
    config = Config(**values)
    if config.images not in IMAGE_MODES:
        config = replace(config, images="auto")
    return config, None


def save(config: Config, path: Path | None = None) -> None:
    """Write the changed values into the file as it stands; atomically, so a crash never
    leaves half a file."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    path = path or locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        text: str | None = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = None
    document: Any = None
    if text is not None:
        try:
            document = tomlkit.parse(text)
        except (TOMLKitError, ValueError):
            replace_file(path.with_name(path.name + ".bak"), text)  # never lose what they wrote
    fresh = document is None
    if fresh:
        document = tomlkit.document()
        document.add(tomlkit.comment("reader settings; written by reader, safe to edit "
                                     "by hand (comments and other keys are kept)"))
    for f in _SCALARS:
        value = getattr(config, f.name)
        current = document.get(f.name)
        if current == value and type(current.unwrap() if hasattr(current, "unwrap")
                                     else current) is type(value):
            continue
        if f.name in document or fresh or value != getattr(Config, f.name):
            document[f.name] = value
    _save_keys(document, config.keys)
    replace_file(path, tomlkit.dumps(document))


def _save_keys(document: Any, keys: dict[str, str]) -> None:
    import tomlkit

    table = document.get("keys")
    if not isinstance(table, dict):
        if not keys:
            return
        table = tomlkit.table()
        document["keys"] = table
    for name, value in keys.items():
        if table.get(name) != value:
            table[name] = value
    for name in [n for n in table if n not in keys]:
        del table[name]  # a binding set back to its default


