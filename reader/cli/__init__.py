"""The ``reader`` command line: ``reader [SOURCE]`` opens the app, subcommands script it.

Subcommands live in their own modules and register themselves on the parser
(:data:`COMMAND_MODULES`), so each part of the program owns its commands. Every
:class:`~reader.errors.ReaderError` ends as one line ``reader: error: <sentence>`` and exit
status 1; anything else is a bug, reported in one line too unless ``--debug`` asks for
the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from reader import __version__
from reader.errors import ReaderError

# Modules that add subcommands through ``register(subparsers)``; a missing one is skipped
# so a partial checkout still runs.
COMMAND_MODULES = (
    "reader.cli.dump",
    "reader.cli.library_commands",
    "reader.cli.import_command",
    "reader.cli.feed_command",
)

Handler = Callable[[argparse.Namespace], int]


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if suppress
                        else False, help="show a traceback on errors")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", default=default,
                        help="keep the library here (default: READER_HOME or the platform's "
                        "data folder)")


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser, set[str]]:
    """The subcommand parser, the parser for plain ``reader [SOURCE]``, the command names."""
    parser = argparse.ArgumentParser(
        prog="reader",
        description="A terminal article reader. Run `reader SOURCE` to read, or a command below.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    for action in sub.choices.values():
        _global_options(action, suppress=True)

    open_parser = argparse.ArgumentParser(
        prog="reader",
        description="A terminal article reader. Commands: " + ", ".join(sub.choices)
        + " (`reader COMMAND --help`).",
    )
    open_parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _global_options(open_parser)
    open_parser.add_argument("source", nargs="?", metavar="SOURCE",
                             help="a file, an http(s) URL, or - for standard input; none "
                             "opens the library (the welcome article on first run)")
    open_parser.add_argument("--width", type=int, metavar="COLUMNS",
                             help="text measure in columns (default 80, remembered)")
    open_parser.add_argument("--no-images", action="store_true",
                             help="show figures as captions only, never as pictures")
    return parser, open_parser, set(sub.choices)


def _first_positional(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--data-dir":
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-") or arg == "-":
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, open_parser, commands = build_parser()
    first = _first_positional(argv)
    if first in commands:
        args = parser.parse_args(argv)
    else:
        args = open_parser.parse_args(argv)
        args.command = None
    debug = bool(getattr(args, "debug", False)) or os.environ.get("READER_DEBUG") == "1"
    try:
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


def fail(sentence: str) -> int:
    print(f"reader: error: {one_line(sentence)}", file=sys.stderr)
    return 1


def one_line(text: str) -> str:
    from reader.sanitize import clean_text

    return " ".join(clean_text(text).split())


def _open(args: argparse.Namespace) -> int:
    from reader.ui.app import run_app

    return run_app(source=args.source, data_dir=args.data_dir, width=args.width,
                   images=not args.no_images)
