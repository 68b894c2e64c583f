"""Small modal dialogs: a yes/no question, a one-line text prompt and a choice among a
few; and what the list screens share: the list (:class:`KeyedList`) and the search box
(:class:`SearchBox`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option


class KeyedList(OptionList):
    """An option list that also moves with the keys the library list and the article
    move with (j k, g G): Textual's moves only with the arrows, Home and End, so on the
    bookmarks, history, links, highlights and feeds screens j and k did nothing."""

    HELP_TITLE = "Moving in the list"
    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
    ]


class SearchBox(Input):
    """A list screen's search-as-you-type box (the library's, the highlights').

    Keys typed in one burst (a fast typist, a paste, tmux) are all handed to the focused
    box before it has handled the first of them: `storm`, Enter, End, Enter put End in
    the box and searched twice instead of opening the last article found. So the keys
    that leave the box (Enter, Down, Page Down, Tab) are handled here, in their turn
    after the letters before them, and ``leave`` runs at once (the screen searches for
    what was typed and moves the focus to its list now, not after the queued keys); a
    key that reached the box after it was left goes on to what has the focus now."""

    LEAVE_KEYS = frozenset({"enter", "down", "pagedown", "tab"})

    def __init__(self, leave: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._leave = leave

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if screen.focused is not self:  # left while this key waited its turn
            event.stop()
            event.prevent_default()
            (screen.focused or screen).post_message(events.Key(event.key, event.character))
        elif event.key in self.LEAVE_KEYS:
            event.stop()
            event.prevent_default()
            self._leave(self.value)


class ConfirmDialog(ModalScreen[bool]):
    """Asks a question; `y`/Enter on Yes answers True, `n`/Esc False."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog.answer_all"),
        Binding("n,escape", "answer(False)", "No", id="dialog.answer"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="small-dialog")
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(Content(self.question), classes="question")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button(self.no, id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TextPrompt(ModalScreen[str | None]):
    """Asks for one line of text; Enter returns it (maybe empty), Esc returns None.

    A value given to edit (an article's tags, a note) is kept with the cursor after it:
    typing adds to it. Textual's Input selected it all on focus, so the first letter
    typed wiped the tags or the note being edited. ``select=True`` keeps that for a value
    one usually replaces (the tag filter)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.prompt_cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "",
                 hint: str = "Enter to confirm, Esc to cancel",
                 suggester: Suggester | None = None, select: bool = False) -> None:
        super().__init__(classes="small-dialog")
        self.title_text = title
        self.select = select
        self.suggester = suggester
        self.value = value
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(Content.styled(self.title_text, "bold"), classes="question")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input",
                        suggester=self.suggester, select_on_focus=self.select)
            yield Static(Content.styled(self.hint, "dim"), classes="hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))  # at once, not after the keys waiting

    def on_key(self, event: events.Key) -> None:
        """Letters typed before the prompt was up were handed to the screen, not to its
        field (the app reads keys ahead of the screen's mounting): they belong in it."""
        field = self.query_one(Input)
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            field.insert_text_at_cursor(event.character)
        elif event.key == "enter":
            event.stop()
            self.dismiss(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ShowText(ModalScreen[None]):
    """Shows a piece of text (an address) to select with the mouse, `c` copying it
    through the terminal (OSC 52) where the terminal allows it."""

    BINDINGS = [
        Binding("c,y", "copy", "Copy", id="dialog.copy"),
        Binding("escape,q,enter", "close", "Close", id="dialog.close"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="small-dialog")
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(Content.styled(self.title_text, "bold"), classes="question")
            yield Static(Content(self.text), id="shown-text")
            yield Static(Content.styled("Select it with the mouse, or press c to copy it · "
                                        "Esc closes", "dim"), classes="hint")

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied (where the terminal allows it).", timeout=2)
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()


class ChoiceDialog(ModalScreen[int | None]):
    """Asks which one of a few things (the feeds a site links): Enter returns the index
    of the highlighted one, Esc None. The texts are shown as text, never as markup."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.choice_cancel")]
    DEFAULT_CSS = """
    ChoiceDialog OptionList { height: auto; max-height: 12; text-wrap: nowrap;
                              text-overflow: ellipsis; }
    """

    def __init__(self, title: str, choices: list[str], *,
                 hint: str = "Enter chooses, Esc cancels") -> None:
        super().__init__(classes="small-dialog")
        self.title_text = title
        self.choices = choices
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(Content.styled(self.title_text, "bold"), classes="question")
            yield OptionList(*(Option(Content(text)) for text in self.choices))
            yield Static(Content.styled(self.hint, "dim"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
