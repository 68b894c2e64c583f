"""``reader(1)``, written from the argument parsers so the manual never drifts from them.

The page is committed as ``reader/data/reader.1`` (shipped in the wheel, and installed to
``share/man/man1``); a test renders it again and compares, so a new option or command
without a regenerated page fails the tests. Regenerate with::

    python -m reader.cli.manpage > reader/data/reader.1

It is built from the parsers' actions, never from ``format_help()``, whose wrapping depends
on the terminal's width.
"""

from __future__ import annotations

import argparse
import sys

from reader import __version__


def _roff(text: str) -> str:
    """Text safe in roff: backslashes and hyphens escaped, no line starting with a dot."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line
                     for line in text.splitlines())


def _option_name(action: argparse.Action) -> str:
    names = ", ".join(f"\\fB{_roff(s)}\\fR" for s in action.option_strings)
    if action.nargs != 0:
        metavar = action.metavar or action.dest.upper()
        if action.choices and not action.metavar:
            metavar = "{" + ",".join(map(str, action.choices)) + "}"
        names += f" \\fI{_roff(str(metavar))}\\fR"
    return names


_GLOBAL = frozenset({"--debug", "--data-dir", "--help"})


def _actions(parser: argparse.ArgumentParser, *, skip_global: bool = False) -> list[str]:
    lines: list[str] = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        if skip_global and _GLOBAL & set(action.option_strings):
            continue  # said once, under OPTIONS
        if action.option_strings:
            lines += [".TP", _option_name(action)]
        else:
            lines += [".TP", f"\\fI{_roff(str(action.metavar or action.dest))}\\fR"]
        lines.append(_roff(action.help or ""))
    return lines


def _command(title: str, parser: argparse.ArgumentParser, summary: str) -> list[str]:
    """A command's section, and one for each of its own subcommands (``reader feed add``)."""
    lines = [".SS " + _roff(title), _roff(parser.description or summary)]
    lines += _actions(parser, skip_global=True)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, child in action.choices.items():
                lines += _command(f"{title} {name}", child, helps.get(name, ""))
    return lines


def render() -> str:
    from reader.cli import COMMANDS, EXAMPLES, build_open_parser, build_parser
    from reader.locations import ENV_PREFIX, ENVIRONMENT

    open_parser = build_open_parser()
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = [
        f'.TH READER 1 "" "reader-tui {__version__}" "User Commands"',
        ".SH NAME",
        "reader \\- a terminal article reader",
        ".SH SYNOPSIS",
        ".B reader",
        "[\\fIOPTIONS\\fR] [\\fISOURCE\\fR]",
        ".br",
        ".B reader",
        "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        _roff(open_parser.description or ""),
        ".SH OPTIONS",
        *_actions(open_parser),
        ".SH COMMANDS",
    ]
    for name in COMMANDS:
        out += _command(f"reader {name}", sub.choices[name], COMMANDS[name].summary)
    out += [".SH EXAMPLES", ".nf"]
    out += [_roff(line.strip()) for line in EXAMPLES.splitlines()]
    out += [".fi", ".SH ENVIRONMENT"]
    for name, text in ENVIRONMENT.items():
        out += [".TP", f"\\fB{_roff(ENV_PREFIX + name)}\\fR", _roff(text)]
    out += [".PP", _roff("The names without TUI_ (READER_HOME and so on) are still read for "
                         "one release."),
            ".SH FILES",
            ".TP", "\\fI~/.config/reader\\-tui/config.toml\\fR",
            _roff("settings, and the [keys] table that remaps key bindings"),
            ".TP", "\\fI~/.local/share/reader\\-tui/library.db\\fR",
            _roff("the library (articles, pictures, bookmarks, positions, history)"),
            ".TP", "\\fI~/.cache/reader\\-tui/\\fR", _roff("downloaded pictures"),
            ".PP", _roff("`reader paths` prints the folders on this system."),
            ".SH EXIT STATUS",
            _roff("0 on success, 1 when the command failed (one sentence on standard error), "
                  "2 for a wrong command line, 130 when interrupted.")]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
