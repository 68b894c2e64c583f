"""The article screen's footer: Textual's, composed again only when what it shows changes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[str, str, str, bool, str], ...]


class ArticleFooter(Footer):
    """Textual's Footer composes all its keys again whenever the bindings may have
    changed — every focus change, every refresh of bindings — and each time that is a
    layout and a whole-screen frame (a quarter of a second at first paint on a slow
    machine, once to open the search bar and once to close it). The keys it shows are
    almost always the same: here it is composed again only when they differ."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: Shown | None = None

    def _what_it_shows(self) -> Shown:
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple((key, binding.description, binding.action, enabled, tooltip)
                     for key, (_, binding, enabled, tooltip)
                     in self.screen.active_bindings.items()
                     if binding.show or key == palette)

    def compose(self) -> ComposeResult:
        # The keys from the start, laid out with everything else: Textual's footer
        # waits for the bindings signal after the first frame, and keys that arrive
        # then are new widgets — one more layout and whole-screen frame, which a key
        # pressed as soon as the text shows waited behind.
        if self.is_attached and isinstance(self.screen, Screen):
            self.set_reactive(Footer._bindings_ready, True)
            self._shown = self._what_it_shows()
        return super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        shown = self._what_it_shows()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
