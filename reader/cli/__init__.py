"""The ``reader`` command line: ``reader [SOURCE]`` opens the app, subcommands script it.

Subcommands are listed in one static table, :data:`COMMANDS`: name, the module that
registers it (``register(subparsers)``) and its one-line description. Only the module of
the command being run is imported, so ``reader dump`` costs little more than the
extraction itself, and the top-level help is drawn from the table without importing any
of them. Adding a command is one line in the table.

Every :class:`~reader.errors.ReaderError` ends as one line ``reader: error: <sentence>``
and exit status 1; anything else is a bug, reported in one line too unless ``--debug``
asks for the traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader import __version__
from reader.errors import ReaderError

if TYPE_CHECKING:
    import argparse


class Command:
    """A line of the table: the module that registers the command, its summary, and
    whether it opens the library (so an old library is moved first). A plain class: a
    NamedTuple is made by compiling code at import, on every start of every command."""

    __slots__ = ("library", "module", "summary")

    def __init__(self, module: str, summary: str, library: bool = True) -> None:
        self.module = module
        self.summary = summary
        self.library = library


# One line per command. A module may register several commands; each must be listed.
COMMANDS: dict[str, Command] = {
    "dump": Command("reader.cli.dump", "print the cleaned article of a file, URL or - "
                    "(text, markdown, html or json)", library=False),
    "save": Command("reader.cli.library_commands", "save articles to the library for "
                    "offline reading"),
    "list": Command("reader.cli.library_commands", "list the saved articles (search, sort, "
                    "filter, tag)"),
    "open": Command("reader.cli.library_commands", "open a saved article (by id) or a URL "
                    "in the reader"),
    "rm": Command("reader.cli.library_commands", "delete saved articles"),
    "export": Command("reader.cli.library_commands", "write saved articles as Markdown, "
                      "HTML, JSON or EPUB, or many as one EPUB book"),
    "history": Command("reader.cli.library_commands", "list the articles opened, newest "
                       "first"),
    "import": Command("reader.cli.import_command", "import a reading list (Pocket, "
                      "Instapaper, Omnivore, wallabag, bookmarks, URLs)"),
    "backup": Command("reader.cli.backup_command", "write the whole library to one archive "
                      "(a zip)"),
    "restore": Command("reader.cli.backup_command", "bring a backup archive back, merged "
                       "into the library"),
    "paths": Command("reader.cli.info_commands", "say where reader keeps every file",
                     library=False),
    "feed": Command("reader.cli.feed_command", "subscribe to feeds (RSS, Atom, JSON Feed) "
                    "and read them"),
    "highlights": Command("reader.cli.highlights_command", "list highlights and notes, or "
                          "write them as Markdown notes"),
    "completion": Command("reader.cli.info_commands", "print shell completion for bash, "
                          "zsh or fish", library=False),
}

# Words people type for a command reader names otherwise (other programs' verbs): the
# did-you-mean names ours.
SYNONYMS = {"config": "paths", "settings": "paths", "where": "paths", "dirs": "paths",
            "ls": "list", "search": "list", "find": "list", "add": "save",
            "delete": "rm", "remove": "rm", "del": "rm", "read": "open", "show": "open",
            "feeds": "feed", "subscribe": "feed", "notes": "highlights"}

EXAMPLES = """\
  reader https://example.org/article     read a web page
  reader page.html                       read a saved page (or - for standard input)
  reader                                 open the library
  reader dump page.html -f markdown      the cleaned article as Markdown, for scripts
  reader save URL --tag later            keep an offline copy
  reader list --filter unread --json     the unread articles, for programs
  reader export --unread --format epub --book "Unread"   one EPUB for an e-reader
  reader backup library.zip              everything, to take with you
  reader completion bash > ~/.local/share/bash-completion/completions/reader"""

Handler = Callable[["argparse.Namespace"], int]


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    import argparse

    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if suppress
                        else False, help="show a traceback on errors")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", default=default,
                        help="keep the library here (default: READER_TUI_HOME/data or the "
                        "platform's data folder)")


def _environment_help() -> str:
    from reader.locations import ENV_PREFIX, ENVIRONMENT

    width = max(len(ENV_PREFIX + name) for name in ENVIRONMENT) + 2
    lines = [f"  {ENV_PREFIX + name:<{width}} {text}" for name, text in ENVIRONMENT.items()]
    lines.append("  (the names without TUI_, e.g. READER_HOME, are still read for one release)")
    return "\n".join(lines)


def _commands_help() -> str:
    width = max(map(len, COMMANDS)) + 2
    return "\n".join(f"  {name:<{width}} {command.summary}" for name, command in
                     COMMANDS.items())


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")


def _register(sub: argparse._SubParsersAction, names: Sequence[str]) -> None:
    done: set[str] = set()
    for name in names:
        module_name = COMMANDS[name].module
        if module_name in done:
            continue
        done.add(module_name)
        importlib.import_module(module_name).register(sub)
    for action in sub.choices.values():
        _global_options(action, suppress=True)


def build_parser(names: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``reader COMMAND …``; with ``names``, only those commands'
    modules are imported (the others are absent from it)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="reader", description="A terminal article reader.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"examples:\n{EXAMPLES}\n\nenvironment:\n{_environment_help()}")
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _global_options(parser)
    _register(_subparsers(parser), list(COMMANDS) if names is None else names)
    return parser


def build_open_parser() -> argparse.ArgumentParser:
    """The parser for plain ``reader [SOURCE]``, whose help is the program's help."""
    import argparse

    open_parser = argparse.ArgumentParser(
        prog="reader", usage="reader [-h] [--version] [SOURCE] [--width COLUMNS] "
        "[--no-images]\n       reader COMMAND [options]   (reader COMMAND --help)",
        description="A terminal article reader: give it a web address, a saved page or a\n"
        "pipe, and it shows the article without the page around it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"commands:\n{_commands_help()}\n\nexamples:\n{EXAMPLES}\n\n"
        f"environment:\n{_environment_help()}")
    open_parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _global_options(open_parser)
    open_parser.add_argument("source", nargs="?", metavar="SOURCE",
                             help="a file, an http(s) URL, or - for standard input; none "
                             "opens the library (the welcome article on first run)")
    open_parser.add_argument("--width", type=int, metavar="COLUMNS",
                             help="text measure in columns (default 80, remembered)")
    open_parser.add_argument("--no-images", action="store_true",
                             help="show figures as captions only, never as pictures")
    return open_parser


_OPTIONS_WITH_VALUES = ("--data-dir", "--width")
"""Options whose value is the next word: ``reader --width 60 page.html`` names no command 60."""


def _first_positional(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _OPTIONS_WITH_VALUES:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-") or arg == "-":
            return arg
    return None


def _mistyped_command(word: str) -> str | None:
    """The sentence for ``reader lsit``: a bare word that is no command and no file. A
    word that looks like a path or an address is left for the reader to report."""
    if word == "-" or any(c in word for c in "/\\.:") or Path(word).exists():
        return None
    import difflib

    close = ([SYNONYMS[word.lower()]] if word.lower() in SYNONYMS else
             difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6))
    hint = f"; did you mean `reader {close[0]}`?" if close else (
        f" (commands: {', '.join(COMMANDS)}; `reader --help` says what each does).")
    return f"there is no command or file named {word!r}{hint}"


def main(argv: Sequence[str] | None = None) -> int:
    return _main(list(sys.argv[1:] if argv is None else argv), program=argv is None)


def _skip_final_collection() -> None:
    """Spare the process its last garbage collection: the interpreter's shutdown walks every
    object left (lxml's, readability's, our compiled rules) once more, a seventh of a small
    ``reader dump``'s CPU. Frozen objects are still freed by reference counting and
    ``atexit`` still runs; only cycles among them are left for the OS to reclaim, which no
    command that opens no library minds. Only when ``main`` runs as the program: a test
    calling it keeps its collector."""
    import atexit
    import gc

    atexit.register(gc.freeze)  # after every other handler (they run last-in, first-out)


def _main(argv: list[str], *, program: bool = False) -> int:
    first = _first_positional(argv)
    args: Any = None
    if first == "dump":
        from reader.cli.dump import quick_args

        args = quick_args(argv)  # the plain forms skip argparse (a tenth of dump's start)
    if args is not None:
        pass
    elif first in COMMANDS:
        args = build_parser([first]).parse_args(argv)
    else:
        if first is not None and (sentence := _mistyped_command(first)) is not None:
            print(f"reader: error: {sentence}", file=sys.stderr)
            return 2
        args = build_open_parser().parse_args(argv)
        args.command = None
    if program and args.command is not None and not COMMANDS[args.command].library:
        _skip_final_collection()
    from reader.locations import getenv

    debug = bool(getattr(args, "debug", False)) or getenv("DEBUG") == "1"
    try:
        if args.command is None or COMMANDS[args.command].library:
            _move_old_library(args)
        if args.command is None:
            return _open(args)
        handler: Handler = args.handler
        return handler(args)
    except ReaderError as exc:
        if debug:
            raise
        return fail(exc.sentence)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`reader dump … | head`): not an error.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        return 0
    except Exception as exc:
        if debug:
            raise
        return fail(f"unexpected {type(exc).__name__}: {exc} (run with --debug for details).")


def _move_old_library(args: argparse.Namespace) -> None:
    if getattr(args, "data_dir", None) is not None:
        return
    from reader.locations import migrate_old_library

    sentence = migrate_old_library()
    if sentence:
        print(f"reader: {sentence}", file=sys.stderr)


def fail(sentence: str) -> int:
    print(f"reader: error: {one_line(sentence)}", file=sys.stderr)
    return 1


def job_count(text: str) -> int:
    """``--jobs N`` as argparse reads it: how many fetches at once, 1 to 64."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        import argparse

        raise argparse.ArgumentTypeError(f"--jobs takes a number from 1 to 64, not {text!r}")
    return value


def one_line(text: str) -> str:
    from reader.sanitize import clean_text

    return " ".join(clean_text(text).split())


def print_json(value: object) -> None:
    """JSON for programs on standard output: one document, UTF-8, stable field names."""
    import json

    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _open(args: argparse.Namespace) -> int:
    from reader.cli.open_command import run_app

    return run_app(source=args.source, data_dir=args.data_dir, width=args.width,
                   images=not args.no_images)
