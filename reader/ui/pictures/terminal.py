"""Which way this terminal can show a full-resolution picture.

textual-image asks the terminal (Sixel via DA1, Kitty graphics via a query) when it is
first imported, and that only works *before* Textual owns stdin — so :func:`prepare`
runs before the app starts and :func:`resolve_mode` only reads the answer.

Asking costs start-up time where a terminal stays silent (the Kitty query waits 0.1 s
for an answer that never comes), so automatic mode only asks terminals whose
environment says they may draw pictures (Kitty, Ghostty, WezTerm, foot, Konsole, iTerm2,
xterm, mlterm, contour, Windows Terminal) and never inside tmux or screen, where the
multiplexer sits between. Elsewhere it is half-blocks at no cost; ``images = "kitty"``
or ``"sixel"`` in the config asks anyway. Nothing here ever fails: the worst case is
half-blocks.
"""

from __future__ import annotations

import os
import sys

MODES = ("auto", "kitty", "sixel", "halfblock", "off")
_prepared: str | None = None  # what textual-image found: "kitty", "sixel" or "halfblock"


def _multiplexed() -> bool:
    return bool(os.environ.get("TMUX") or os.environ.get("STY"))


_TERMS = ("xterm-kitty", "xterm-ghostty", "foot", "foot-extra", "wezterm", "mlterm",
          "contour", "konsole", "konsole-direct")
_PROGRAMS = ("wezterm", "iterm.app", "ghostty", "mintty", "konsole")
_VARIABLES = ("KITTY_WINDOW_ID", "GHOSTTY_RESOURCES_DIR", "WEZTERM_EXECUTABLE",
              "KONSOLE_VERSION", "XTERM_VERSION", "WT_SESSION", "MLTERM")


def may_draw_pictures(env: dict[str, str] | None = None) -> bool:
    """Whether the environment names a terminal that may speak Kitty graphics or Sixel."""
    env = dict(os.environ) if env is None else env
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    return (term in _TERMS or program in _PROGRAMS
            or any(env.get(name) for name in _VARIABLES))


def prepare(mode: str) -> None:
    """Let textual-image query the terminal, if full-resolution pictures may be wanted.

    Call before the Textual app runs; a no-op when images are off or half-block, when
    stdout is not a terminal, or (in automatic mode) inside tmux or screen.
    """
    global _prepared
    if mode not in ("auto", "kitty", "sixel") or _prepared is not None:
        return
    stdout = sys.__stdout__
    if stdout is None or not stdout.isatty():
        return
    if mode == "auto" and (_multiplexed() or not may_draw_pictures()):
        return
    try:
        import textual_image.renderable as renderable
        import textual_image.widget  # noqa: F401 - fills its cell-size cache now
    except Exception:
        _prepared = "halfblock"
        return
    chosen = renderable.Image
    if chosen is renderable.TGPImage:
        _prepared = "kitty"
    elif chosen is renderable.SixelImage:
        _prepared = "sixel"
    else:
        _prepared = "halfblock"


def resolve_mode(mode: str) -> str:
    """"off", "halfblock", "kitty" or "sixel" for the configured ``mode``.

    A forced "kitty"/"sixel" is honoured only if textual-image was prepared (its terminal
    queries cannot run once the app has started); otherwise half-blocks.
    """
    if mode == "off":
        return "off"
    if mode == "halfblock" or _prepared is None:
        return "halfblock"
    if mode in ("kitty", "sixel"):
        return mode
    return _prepared
