"""``reader [SOURCE]``: the terminal work around running the app.

Before Textual owns the terminal: standard input is drained (``reader -`` or a pipe)
and the terminal re-attached, a file or a pipe is read and extracted (so its first frame
is the article, and a file that is not a page fails like any command-line error), and
the terminal's graphics are probed. Then the app runs.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from reader.errors import ReaderError
from reader.sources import Loaded, article_from_page, load, read_stdin, stdin_url

# Files up to this size are extracted before the app starts (about a second at most); a
# bigger one loads inside the app, which says so and lets Esc cancel it.
PRELOAD_BYTES = 4 * 2**20


def run_app(source: str | None = None, *, data_dir: Path | None = None,
            width: int | None = None, images: bool = True, loaded: Loaded | None = None,
            saved_id: int | None = None) -> int:
    """Run the app in this terminal; returns the exit status.

    A file or a pipe is read and extracted before Textual starts. Only URLs load inside
    the app, where their download shows progress and Esc cancels it.
    """
    from reader.ui.app import ReaderApp, _file_size
    from reader.ui.pictures.terminal import prepare

    stdin_data = None
    if source == "-":
        stdin_data = read_stdin()
        _reattach_terminal()
        if loaded is None:
            loaded = Loaded(article_from_page(stdin_data, "Standard input", None), stdin_data,
                            stdin_url(stdin_data))
    elif not sys.stdin.isatty() and os.path.exists("/dev/tty"):
        _reattach_terminal()
    if loaded is None and source is not None and source != "-" and not source.lower().startswith(
            ("http://", "https://")) and _file_size(source) <= PRELOAD_BYTES:
        loaded = load(source)
    if loaded is not None:
        # A long article is hundreds of thousands of long-lived objects; keep the
        # collector from walking them again and again while Textual starts up.
        gc.freeze()
    app = ReaderApp(source, loaded=loaded, stdin_data=stdin_data, width=width, images=images,
                    data_dir=data_dir, saved_id=saved_id)
    prepare(app.config.images)  # terminal graphics queries must run before Textual starts
    app.run()
    if app.failure is not None:
        raise ReaderError(app.failure)
    return app.return_code or 0


def _reattach_terminal() -> None:
    """After reading a pipe, give Textual the terminal by making /dev/tty our stdin."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        raise ReaderError("reader needs a terminal to show an article; "
                          "`reader dump SOURCE` prints one instead.") from None
    os.dup2(tty, sys.stdin.fileno())
    os.close(tty)
