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
from reader.sources import (
    Loaded,
    PendingArticle,
    extract_aside,
    is_url,
    load,
    load_aside,
    read_stdin,
    stdin_url,
)


def run_app(source: str | None = None, *, data_dir: Path | None = None,
            width: int | None = None, images: bool = True, loaded: Loaded | None = None,
            saved_id: int | None = None) -> int:
    """Run the app in this terminal; returns the exit status.

    A file or a pipe is read before Textual starts, and its first frame is the article.
    Only URLs load inside the app, where their download shows progress and Esc cancels
    it. A big page is extracted in a child process while this one imports and starts
    Textual (see :func:`reader.sources.extract_aside`): one after the other, the two
    took as long as their sum.
    """
    stdin_data = None
    pending: PendingArticle | None = None
    if source == "-":
        stdin_data = read_stdin()
        _reattach_terminal()
        if loaded is None:
            pending = extract_aside(stdin_data, "Standard input", None,
                                    source_url=stdin_url(stdin_data))
    elif not sys.stdin.isatty() and os.path.exists("/dev/tty"):
        _reattach_terminal()
    if loaded is None and pending is None and source is not None and source != "-":
        if is_url(source) and not source.lower().startswith("file://"):
            if not source.lower().startswith(("http://", "https://")):
                loaded = load(source)  # no fetching: says the scheme is not supported
        else:
            # Any size (up to the files' limit): a page over ASIDE_BYTES is extracted in
            # a child while Textual starts, as a pipe's is. (Pages over 4 MiB were once
            # left to the app, extracted in-process after it started, one after the
            # other; the child's overlap is most of a second at 8 MB.)
            pending = load_aside(source)
    try:
        if pending is not None and not pending.in_child:
            loaded, pending = pending.loaded(), None  # a small page: here and now
        if loaded is not None:
            # A long article is hundreds of thousands of long-lived objects; keep the
            # collector from walking them again and again while Textual starts up.
            gc.freeze()
        from reader.ui.app import ReaderApp
        from reader.ui.pictures.terminal import prepare

        app = ReaderApp(source, loaded=loaded, pending=pending, stdin_data=stdin_data,
                        width=width, images=images, data_dir=data_dir, saved_id=saved_id)
        prepare(app.config.images)  # terminal graphics queries must run before Textual
        app.run()
    finally:
        if pending is not None:
            pending.cancel()  # (nothing to do once its result was had)
    if app.load_error is not None:
        raise app.load_error
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
