"""Keys: every binding has an id a person can remap in the config, and every key the
help screen lists works on a real article, in the wide and the narrow layout."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding

import reader.ui
from reader import locations
from reader.ui.app import ReaderApp
from reader.ui.screens.article_screen import ArticleScreen
from reader.ui.screens.help_screen import HelpScreen, binding_rows
from tests.ui_helpers import run, settled, wait_for, wait_loaded

FIXTURES = Path(__file__).parent / "fixtures"


def all_bindings() -> list[Binding]:
    found: list[Binding] = []
    for info in pkgutil.walk_packages(reader.ui.__path__, "reader.ui."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                found += [b for b in value.__dict__.get("BINDINGS", [])
                          if isinstance(b, Binding)]
    return found


def test_every_binding_has_its_own_id() -> None:
    bindings = all_bindings()
    assert len(bindings) > 50
    ids = [b.id for b in bindings]
    assert None not in ids
    assert len(set(ids)) == len(ids)


def test_keys_from_the_config_replace_the_bindings() -> None:
    config = locations.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keys]\n"reader.line_down" = "x"\n"reader.toggle_toc" = "C"\n',
                      encoding="utf-8")

    async def scenario() -> None:
        app = ReaderApp(str(FIXTURES / "site" / "field-guide.html"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            await pilot.press("x")
            await settled(pilot)
            assert body.scroll_y == 1
            await pilot.press("j")  # the old key no longer moves
            await settled(pilot)
            assert body.scroll_y == 1
            shown = app.article_screen.has_class("-show-toc")
            await pilot.press("C")
            assert app.article_screen.has_class("-show-toc") != shown
            rows = binding_rows(app.article_screen, app.keymap)
            assert ("Moving through the text", "x", "Down") in rows

    run(scenario)


def help_keys(screen: ArticleScreen) -> list[str]:
    """Every key the help screen lists for the article screen, one per binding."""
    keys: list[str] = []
    for _, label, _ in binding_rows(screen):
        keys += [k for k in label.split(" ") if k]
    return keys


KEY_FOR_LABEL = {
    "/": "slash", "?": "question_mark", "]": "right_square_bracket",
    "[": "left_square_bracket", "+": "plus", "-": "minus", "=": "equals_sign",
    "'": "apostrophe", "Esc": "escape", "Enter": "enter", "Backspace": "backspace",
    "PgDn": "pagedown", "PgUp": "pageup", "Home": "home", "End": "end", "↑": "up",
    "↓": "down", "Tab": "tab", "Shift+Tab": "shift+tab", "*": "asterisk", "#": "number_sign",
    "Del": "delete", "←": "left", "→": "right", "Ctrl+P": "ctrl+p",
}


def press_name(label: str) -> str:
    if label in KEY_FOR_LABEL:
        return KEY_FOR_LABEL[label]
    if label.startswith("Ctrl+"):
        return "ctrl+" + label[5:].lower()
    return label


@pytest.mark.parametrize(("size", "page"), [((120, 40), "harbour-news-figures.html"),
                                            ((80, 24), "ghost-blog-post.html")])
def test_every_key_of_the_help_screen_works_on_a_real_article(
        size: tuple[int, int], page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("webbrowser.get", _no_browser)

    async def scenario() -> None:
        app = ReaderApp(str(FIXTURES / page), images=False)
        async with app.run_test(size=size) as pilot:
            await wait_loaded(pilot, app)
            await settled(pilot)
            keys = help_keys(app.article_screen)
            assert len(keys) > 30
            for label in keys:
                if label == "q":
                    continue  # quits; pressed last
                await pilot.press("1", press_name(label))  # some keys act on a link number
                await settled(pilot)
                assert app.is_running, label
                # back to the article for the next key, whatever opened
                for _ in range(4):
                    if isinstance(app.screen, ArticleScreen):
                        break
                    if isinstance(app.screen, HelpScreen):
                        await pilot.press("escape")
                    else:
                        app.pop_screen()
                    await settled(pilot)
                assert isinstance(app.screen, ArticleScreen), label
            await pilot.press("q")
            await wait_for(pilot, lambda: not app.is_running)

    run(scenario)


def _no_browser(using: object = None) -> object:
    import webbrowser

    raise webbrowser.Error("no browser in tests")
