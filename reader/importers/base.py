"""What every import format turns into, and the checks they share.

Each exporter (Pocket, Instapaper, Omnivore, wallabag, browsers, a plain list) writes
its own shape; the runner only ever sees :class:`ImportEntry`. Parsing is pure and strict
on purpose: a whole file is read and checked before anything is imported, so a malformed
export fails with one sentence naming the line or entry, and never leaves half of itself
in the library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from reader.errors import ImportFormatError
from reader.urls import web_url as web_url  # re-exported for the format modules

# Far enough apart to catch milliseconds or garbage given as a Unix time.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(2200, 1, 1, tzinfo=UTC).timestamp()


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """One saved link as the exporting service knew it."""

    url: str
    title: str = ""
    added: datetime | None = None  # when it was saved there (aware, UTC)
    tags: tuple[str, ...] = ()
    archived: bool = False
    favourite: bool = False
    # The article's HTML as the service kept it (wallabag), used when the page is gone.
    content: str | None = field(default=None, repr=False, compare=False)


def clean_tags(tags: Iterable[object]) -> tuple[str, ...]:
    """Tags without blanks, surrounding spaces or repeats, in their first order."""
    seen: dict[str, None] = {}
    for tag in tags:
        if not isinstance(tag, str):
            continue
        text = " ".join(tag.split())
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def unix_time(value: object) -> datetime | None:
    """A Unix time in seconds (int, float or digits) as an aware datetime; None when it
    is not one (0 and blanks count as "no time", as exporters write them)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    if not _EARLIEST <= value <= _LATEST:
        return None
    return datetime.fromtimestamp(value, UTC)


def iso_time(value: object) -> datetime | None:
    """An ISO 8601 date-time (``Z`` or an offset; naive means UTC) as an aware datetime."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def shown(value: object, limit: int = 40) -> str:
    """A short quotable form of a bad value for an error sentence."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def no_entries(name: str) -> ImportFormatError:
    return ImportFormatError(f"{name} has no entries to import.")


def csv_rows(text: str, name: str, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """The data rows of a CSV export as (first line number, {lower-case column: value}).

    The header must name every ``required`` column; each row must have as many fields
    as the header. Blank lines are skipped.
    """
    import csv
    import io

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise no_entries(name)
        columns = [cell.strip().lower() for cell in header]
        missing = [column for column in required if column not in columns]
        if missing:
            raise ImportFormatError(
                f"The header of {name} has no {missing[0]} column (it has "
                f"{', '.join(c for c in columns if c) or 'none'}).")
        rows: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num
        for cells in reader:
            first, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                raise ImportFormatError(
                    f"Line {first} of {name} has {len(cells)} fields where the header "
                    f"has {len(columns)}.")
            rows.append((first, dict(zip(columns, cells, strict=True))))
    except csv.Error as exc:
        raise ImportFormatError(f"Line {reader.line_num} of {name} is not valid CSV "
                                f"({str(exc).rstrip('.')}).") from None
    return rows


def row_url(row: dict[str, str], line: int, name: str) -> str:
    """The http(s) address in a CSV row's ``url`` column, or the sentence saying why not."""
    raw = row["url"].strip()
    if not raw:
        raise ImportFormatError(f"Line {line} of {name} has no URL.")
    url = web_url(raw)
    if url is None:
        raise ImportFormatError(f"Line {line} of {name} has a URL that is not an http or "
                                f"https address: {shown(raw)}.")
    return url


def row_unix_time(row: dict[str, str], column: str, label: str, line: int, name: str
                  ) -> datetime | None:
    """A CSV row's Unix-time column (empty or 0: unknown), or the sentence saying why not."""
    stamp = row.get(column, "").strip()
    added = unix_time(stamp)
    if stamp and stamp != "0" and added is None:
        raise ImportFormatError(f"Line {line} of {name} has a {label} that is not a "
                                f"Unix time: {shown(stamp)}.")
    return added


# A JSON value costs Python tens of bytes however short its text ("0," is two bytes, a
# list slot and an int), so a file within the byte cap can still ask for gigabytes:
# the values are counted before parsing. A reading list of 50,000 links with their
# fields and tags stays below.
MAX_JSON_VALUES = 1_000_000
# A string (skipped whole), or a character that opens a container or another value.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{,]')


def check_json_values(text: str, name: str) -> None:
    """ImportFormatError if ``text`` holds more JSON values than any export would; the
    count stops at the cap, so a bomb is refused in a fraction of a second."""
    count = sum(1 for _ in islice(_JSON_TOKEN.finditer(text), MAX_JSON_VALUES + 1))
    if count > MAX_JSON_VALUES:
        raise ImportFormatError(f"{name} holds more than {MAX_JSON_VALUES:,} JSON values, "
                                "more than any reading list; reader does not import it.")


def json_entries(text: str, name: str) -> list[dict[str, object]]:
    """The objects of a JSON export that is a list of objects, checked one by one."""
    import json

    check_json_values(text, name)
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{name} is not valid JSON (line {exc.lineno}, column "
                                f"{exc.colno}: {exc.msg}).") from None
    except RecursionError:
        raise ImportFormatError(f"{name} is JSON nested too deeply to be an export.") \
            from None
    if not isinstance(data, list):
        raise ImportFormatError(f"{name} is JSON but not a list of entries.")
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ImportFormatError(f"Entry {number} of {name} is not an object.")
    if not data:
        raise no_entries(name)
    return data


def entry_url(item: dict[str, object], keys: tuple[str, ...], number: int, name: str) -> str:
    """The first http(s) URL among ``keys`` of an entry, or the error naming it."""
    raw = next((item[k] for k in keys if isinstance(item.get(k), str) and
                str(item[k]).strip()), None)
    if raw is None:
        raise ImportFormatError(f"Entry {number} of {name} has no {keys[0]}.")
    url = web_url(raw)
    if url is None:
        raise ImportFormatError(f"Entry {number} of {name} has a {keys[0]} that is not an "
                                f"http or https address: {shown(raw)}.")
    return url


def entry_text(item: dict[str, object], key: str, number: int, name: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportFormatError(f"Entry {number} of {name} has a {key} that is not text.")
    return value.strip()


def entry_flag(item: dict[str, object], key: str, number: int, name: str) -> bool:
    """A yes/no field written as true/false, 1/0 or missing."""
    value = item.get(key)
    if value is None:
        return False
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise ImportFormatError(f"Entry {number} of {name} has a {key} that is not true or "
                            f"false: {shown(value)}.")


def entry_time(item: dict[str, object], key: str, number: int, name: str) -> datetime | None:
    value = item.get(key)
    if value in (None, ""):
        return None
    added = iso_time(value) if isinstance(value, str) else unix_time(value)
    if added is None:
        raise ImportFormatError(f"Entry {number} of {name} has a {key} that is not a date "
                                f"and time: {shown(value)}.")
    return added


def entry_tags(item: dict[str, object], key: str, number: int, name: str,
               field_names: tuple[str, ...] = ("name", "label")) -> tuple[str, ...]:
    """A list of tag names, each a string or an object with a name (``field_names``)."""
    value = item.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ImportFormatError(f"Entry {number} of {name} has {key} that are not a list.")
    names: list[object] = []
    for tag in value:
        if isinstance(tag, dict):
            tag = next((tag[f] for f in field_names if isinstance(tag.get(f), str)), None)
        if not isinstance(tag, str):
            raise ImportFormatError(f"Entry {number} of {name} has {key} that are not "
                                    "names.")
        names.append(tag)
    return clean_tags(names)
