"""Every link in the article, numbered as in the body; open inside reader or in a browser."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.document import Article
from reader.ui.dialogs import KeyedList
from reader.ui.messages import OpenInBrowser, OpenLink
from reader.ui.widgets.keyline import KeyLine


class LinksScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open in reader", id="links.open"),
        Binding("O,o", "browser", "Open in browser", id="links.browser"),
        Binding("escape,q,u", "dismiss", "Close", id="links.dismiss"),
        Binding("question_mark", "app.help", "Help", show=False, id="links.help"),
    ]
    # A long link text or address is cut with "…" rather than wrapped mid-word into ragged
    # extra lines: each link keeps its two lines (text; address) at any width.
    DEFAULT_CSS = """
    LinksScreen #links { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, article: Article) -> None:
        super().__init__()
        self.links = article.links()
        self._typed = ""  # digits typed so far

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content.styled(f"Links ({len(self.links)})", "bold"), id="dialog-title")
            options = [
                Option(Content.assemble((f"[{n}] ", "dim"), link.text.strip() or link.href, "\n",
                                        (link.href, "dim")))
                for n, link in enumerate(self.links, 1)
            ]
            yield KeyedList(*options, id="links")
        yield KeyLine()

    def on_mount(self) -> None:
        if not self.links:
            self.query_one(OptionList).add_option(
                Option(Content.styled("This article has no links.", "dim"), disabled=True))

    def on_key(self, event: events.Key) -> None:
        """Typing a link's number moves to it, as in the article (12 then Enter)."""
        if event.character and event.character.isdigit() and self.links:
            self._typed = (self._typed + event.character)[-4:]
            number = int(self._typed)
            if not 1 <= number <= len(self.links):
                self._typed, number = event.character, int(event.character)
            if 1 <= number <= len(self.links):
                self.query_one(OptionList).highlighted = number - 1
            event.stop()
        elif event.key not in ("enter", "O", "o"):
            self._typed = ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With no links, "Open in reader" and "Open in browser" have nothing to act on:
        # the key line does not offer them.
        return bool(self.links) or action not in ("open", "browser")

    def action_open(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.links):
            self.dismiss()
            self.app.post_message(OpenLink(self.links[index].href))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        href = self.links[event.option_index].href
        self.dismiss()
        self.app.post_message(OpenLink(href))

    def action_browser(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.links):
            self.app.post_message(OpenInBrowser(self.links[index].href))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
