"""Handing an address to a web browser, or to the person when there is none to hand it to.

Python's :mod:`webbrowser` picks a graphical browser where there is a display, and
otherwise a terminal one (lynx, w3m, links) that runs *in this terminal*, in the
foreground. Started while the app draws, that wrecks the session, so a terminal browser
runs with the app suspended (Textual gives it the terminal and takes it back after).
Where the app cannot be suspended, or no browser exists at all, the address is shown
in a dialog to copy instead.
"""

from __future__ import annotations

import webbrowser
from typing import Any

from textual.app import App, SuspendNotSupported

from reader.urls import is_web_url


def _runs_in_this_terminal(controller: webbrowser.BaseBrowser) -> bool:
    """Console browsers are plain ``GenericBrowser``s, which wait in the foreground;
    graphical ones are background or remote-control subclasses."""
    return isinstance(controller, webbrowser.GenericBrowser) and not isinstance(
        controller, webbrowser.BackgroundBrowser)


def open_in_browser(app: App[Any], url: str) -> None:
    """Open ``url`` (http or https only) in a browser, never through a shell."""
    from reader.ui.dialogs import ShowText

    if not is_web_url(url):
        app.notify("Only http and https addresses open in the browser.", severity="warning")
        return
    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        app.push_screen(ShowText("No web browser could be started here", url))
        return
    opened = False
    try:
        if _runs_in_this_terminal(controller):
            try:
                with app.suspend():
                    opened = controller.open(url)
            except SuspendNotSupported:
                app.push_screen(ShowText("The browser here runs in this terminal", url))
                return
        else:
            opened = controller.open(url)
    except (webbrowser.Error, OSError):
        opened = False
    if opened:
        app.notify(f"Opened in the browser: {url}", timeout=3)
    else:
        app.push_screen(ShowText("No web browser could be started here", url))
