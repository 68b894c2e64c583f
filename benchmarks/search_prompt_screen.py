"""The `/` search prompt in a real terminal, step by step: a check to look at, not a timing.

Opens a fixture page in tmux (120x40 and 80x24, truecolor, a fresh READER_TUI_HOME, a
dark and a light theme), then presses `/`, types, edits (Left, Backspace, Home, Ctrl+W,
Ctrl+U, End), Enter, `n`, `N`, Esc, `/` Esc, and `q`. After each step it checks the
bottom lines with ``tmux capture-pane -p`` and prints them; ``--show`` prints each whole
screen, ``--ansi`` keeps the colours (to see the cursor and the selection). It ends with
the app's exit status, which must be 0.

    python benchmarks/search_prompt_screen.py [--page tests/fixtures/site/field-guide.html]
                                              [--show] [--ansi]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tmux_screen import TmuxScreen, tmux  # noqa: E402

PAGE = HERE.parent / "tests" / "fixtures" / "site" / "field-guide.html"
WORD = "feeder"


def run(screen: TmuxScreen, reader: str, page: Path, theme: str, show: bool,
        ansi: bool) -> list[str]:
    """Drive one session; the failed checks, as sentences."""
    home = Path(tempfile.mkdtemp(prefix="reader-prompt-"))
    (home / "config").mkdir()
    (home / "config" / "config.toml").write_text(f'theme = "{theme}"\n')
    status_file = home / "exit-status"
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none",
           "READER_TUI_HOME": str(home), "PATH": os.environ.get("PATH", "")}
    failures: list[str] = []
    # `; echo $? > file`: the app's exit status, kept after it ends
    screen.start(f"sh -c '{reader} --no-images {page}; echo $? > {status_file}; sleep 30'",
                 env)
    tmux("set", "-g", "status", "off")
    screen.wait_until(lambda s: "Field Guide" in s or "feeder" in s.lower(), timeout=20)
    time.sleep(0.5)

    def bottom() -> list[str]:
        return screen.capture().rstrip("\n").splitlines()[-2:]

    def step(label: str, keys: list[str], check: Callable[[list[str]], bool],
             literal: bool = False) -> None:
        if keys:
            screen.send(*(["-l"] if literal else []), *keys)
        time.sleep(0.35)
        lines = bottom()
        ok = check(lines)
        if not ok:
            failures.append(f"{theme} {screen.width}x{screen.height} {label}: {lines!r}")
        print(f"  {'ok ' if ok else 'BAD'} {label:<28} | {lines[-2]}\n"
              f"  {'':<32} | {lines[-1]}")
        if show:
            args = ["capture-pane", "-p", "-t", screen.session] + (["-e"] if ansi else [])
            print(tmux(*args))

    def key_line(text: str) -> Callable[[list[str]], bool]:
        return lambda lines: lines[-1].startswith(text)

    step("/ opens the prompt", ["/"], lambda lines: lines[-1].startswith("/ "))
    step("typing", [WORD], key_line(f"/{WORD} "), literal=True)
    step("Left, Left, x", ["Left", "Left", "x"], key_line("/feedxer "))
    step("Backspace", ["BSpace"], key_line(f"/{WORD} "))
    step("Home, Ctrl+W at 0 (nothing)", ["Home", "C-w"], key_line(f"/{WORD} "))
    step("End, ' bird', Ctrl+W", ["End", " bird", "C-w"], key_line(f"/{WORD} "))
    step("Ctrl+U, retype", ["C-u"], lambda lines: lines[-1].startswith("/ "))
    step("typed again", [WORD], key_line(f"/{WORD} "), literal=True)
    step("Enter finds", ["Enter"], lambda lines: "1/" in lines[-2] and f"“{WORD}”" in lines[-2]
         and not lines[-1].startswith("/"))
    step("n: next hit", ["n"], lambda lines: "2/" in lines[-2])
    step("N: back", ["N"], lambda lines: "1/" in lines[-2])
    step("/ offers the last query", ["/"], key_line(f"/{WORD} "))
    step("Esc closes, search kept", ["Escape"], lambda lines: f"“{WORD}”" in lines[-2]
         and not lines[-1].startswith("/"))
    step("Esc clears the search", ["Escape"], lambda lines: f"“{WORD}”" not in lines[-2])
    step("/ Esc", ["/", "Escape"], lambda lines: not lines[-1].startswith("/"))
    step("? q typed at the prompt", ["/", "?q"], key_line("/?q "), literal=True)
    step("Esc", ["Escape"], lambda lines: not lines[-1].startswith("/"))
    screen.send("q")
    deadline = time.monotonic() + 10
    while not status_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    code = status_file.read_text().strip() if status_file.exists() else "(still running)"
    print(f"  exit status after q: {code}")
    if code != "0":
        failures.append(f"{theme} {screen.width}x{screen.height}: exit status {code}")
    tmux("kill-session", "-t", screen.session)
    shutil.rmtree(home, ignore_errors=True)
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--page", type=Path, default=PAGE)
    ap.add_argument("--reader", default=shutil.which("reader") or f"{sys.executable} -m reader")
    ap.add_argument("--show", action="store_true", help="print every whole screen")
    ap.add_argument("--ansi", action="store_true", help="with --show: keep the colours")
    args = ap.parse_args()
    if not shutil.which("tmux"):
        print("tmux is needed for this check", file=sys.stderr)
        return 2
    failures: list[str] = []
    for width, height in ((120, 40), (80, 24)):
        for theme in ("textual-dark", "textual-light"):
            print(f"{width}x{height} {theme}")
            screen = TmuxScreen(f"reader-prompt-{os.getpid()}", width, height)
            failures += run(screen, args.reader, args.page.resolve(), theme, args.show,
                            args.ansi)
    print("\n".join(failures) if failures else "every step as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
