"""The settings a person changes in the app and expects to find again: ``config.toml``.

Only a few keys, written by the app when they change (theme, text width, images) and
readable and editable by hand. A broken file never stops the app: its values are
ignored with a warning, and it is not overwritten until a setting changes.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from reader import locations

IMAGE_MODES = ("auto", "kitty", "sixel", "halfblock", "off")


@dataclass(frozen=True)
class Config:
    theme: str = "textual-dark"
    width: int = 80
    images: str = "auto"
    show_toc: bool = True
    show_figures: bool = True
    allow_private_addresses: bool = False  # see reader.fetch.AddressPolicy


def load(path: Path | None = None) -> tuple[Config, str | None]:
    """The config and, if the file was unreadable, a sentence saying so."""
    path = path or locations.config_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(), None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Config(), f"The config file {path} could not be read ({exc}); using defaults."
    values = {}
    for f in fields(Config):
        value = data.get(f.name)
        if isinstance(value, type(getattr(Config, f.name))) and not (
            f.type == "int" and isinstance(value, bool)
        ):
            values[f.name] = value
    config = Config(**values)
    if config.images not in IMAGE_MODES:
        config = Config(**{**asdict(config), "images": "auto"})
    return config, None


def save(config: Config, path: Path | None = None) -> None:
    """Write atomically, so a crash never leaves half a file."""
    path = path or locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# reader settings; written by reader, safe to edit by hand"]
    for key, value in asdict(config).items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {json.dumps(str(value))}")  # a valid TOML basic string
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
