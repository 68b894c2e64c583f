"""The `/` search prompt on the key line, driven as a person types: editing keys, the
previous query offered, recall, paste, keys that must stay text, and a search typed all
at once as soon as the article shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette

from reader.ui.app import ReaderApp
from reader.ui.screens.article_screen import ArticleScreen
from tests.test_ui_startup import LAST_WORDS, open_app, text_shown
from tests.ui_helpers import body_text, run, settled, wait_for, wait_loaded

GUIDE = Path(__file__).parent / "fixtures" / "site" / "field-guide.html"


def key_line(app: ReaderApp) -> str:
    """The bottom row of the screen as a person sees it."""
    return app.screen._compositor.render_strips()[-1].text


def typed(screen: ArticleScreen) -> str:
    prompt = screen.search_prompt
    assert prompt is not None, "the prompt is closed"
    return prompt.text


def status(screen: ArticleScreen) -> str:
    return str(screen.status.render())


def test_the_prompt_edits_as_a_shell_line_does() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            await pilot.press("slash", *"fedr")
            assert typed(screen) == "fedr"
            await pilot.press("left", "e")  # in the middle
            assert typed(screen) == "feder"
            await pilot.press("home", "x", "ctrl+e", "s")
            assert typed(screen) == "xfeders"
            await pilot.press("ctrl+a", "delete", "right", "right", "right", "backspace")
            assert typed(screen) == "feers"
            await pilot.press("end", "space", *"bird", "space", *"feeder")
            assert typed(screen) == "feers bird feeder"
            await pilot.press("ctrl+w")  # the word before the cursor
            assert typed(screen) == "feers bird "
            await pilot.press("ctrl+w")
            assert typed(screen) == "feers "
            await pilot.press("left", "left", "ctrl+u")  # everything before the cursor
            assert typed(screen) == "s "
            await pilot.press("ctrl+u", "ctrl+k", *"feeder")
            await pilot.pause()
            assert typed(screen) == "feeder"
            assert key_line(app).startswith("/feeder ")  # drawn where the keys were
            assert screen.focused is screen.body
            await pilot.press("enter")
            await pilot.pause()
            expected = screen.article.plain_text().lower().count("feeder")
            assert f"1/{expected} “feeder”" in status(screen)
            assert not screen.searching
            assert "/feeder" not in key_line(app)
            assert "Search" in key_line(app)  # the keys are back

    run(scenario())


def test_backspace_on_an_empty_query_closes_the_prompt_as_less_does() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            await pilot.press("slash", "a", "backspace")
            assert typed(screen) == ""  # one Backspace empties it, the prompt stays
            await pilot.press("backspace")
            assert not screen.searching
            await pilot.press("j")  # keys reach the text again
            await pilot.pause()
            assert screen.body.scroll_y == 1

    run(scenario())


def test_the_previous_query_is_offered_and_earlier_ones_recalled() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            await pilot.press("slash", *"feeder", "enter", "slash", *"birds", "enter")
            await pilot.pause()
            assert "“birds”" in status(screen)
            await pilot.press("slash")
            assert typed(screen) == "birds"  # offered
            await pilot.press("up")
            assert typed(screen) == "feeder"
            await pilot.press("up")  # nothing earlier: stays
            assert typed(screen) == "feeder"
            await pilot.press("down")
            assert typed(screen) == "birds"
            await pilot.press("escape")
            await pilot.press("slash", "c")  # a key typed over the offered query replaces it
            assert typed(screen) == "c"
            await pilot.press("escape", "slash", "end", "x")  # a move keeps it to edit
            assert typed(screen) == "birdsx"
            await pilot.press("escape", "slash", "enter")  # Enter takes it as it is
            await pilot.pause()
            assert "“birds”" in status(screen)
            assert screen.body.hit_index >= 0

    run(scenario())


def test_esc_closes_the_prompt_and_a_second_esc_clears_the_search() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            await pilot.press("slash", *"feeder", "enter")
            await pilot.pause()
            count = len(screen.body.hits)
            assert count >= 2
            await pilot.press("slash", "x", "escape")  # gives up the new query
            await pilot.pause()
            assert not screen.searching
            assert len(screen.body.hits) == count and "“feeder”" in status(screen)
            await pilot.press("n")  # n still steps through the last search
            await pilot.pause()
            assert f"2/{count}" in status(screen)
            await pilot.press("escape")
            await pilot.pause()
            assert not screen.body.hits and "feeder" not in status(screen)

    run(scenario())


def test_keys_bound_elsewhere_are_text_at_the_prompt_but_quit_still_quits() -> None:
    """`?` (help), `q` (quit), `o` (address), `t` (contents), Ctrl+P (palette) and
    digits (link numbers) typed at the prompt are part of the query."""
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            toc_shown = screen.has_class("-show-toc")
            await pilot.press("slash", "question_mark", "q", "o", "t", "1", "ctrl+p",
                              "slash", "G")
            await pilot.pause()
            assert typed(screen) == "?qot1/G"
            assert app.screen is screen  # no help, no palette, no address prompt
            assert not isinstance(app.screen, CommandPalette)
            assert screen.has_class("-show-toc") == toc_shown
            assert screen.link_digits == ""
            assert screen.body.scroll_y == 0  # G did not go to the end
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: not app.is_running)

    run(scenario())


def test_a_query_is_drawn_as_text_and_pasted_text_is_cleaned() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            await pilot.press("slash", *"[b]x")
            await pilot.pause()
            assert key_line(app).startswith("/[b]x ")  # not read as markup
            await pilot.press("ctrl+u")
            screen.post_message(events.Paste("bird\x1b[31m\tfeeder\nnotes"))
            await pilot.pause()
            assert typed(screen) == "bird feeder notes"  # one line, no escape sequence
            await pilot.press("home")
            screen.post_message(events.Paste("x"))
            await pilot.pause()
            assert typed(screen) == "xbird feeder notes"  # at the cursor

    run(scenario())


def test_a_long_query_keeps_the_cursor_in_view_in_a_narrow_window() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(40, 20)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("slash", *("abcdefghij" * 6), *"END")
            await pilot.pause()
            line = key_line(app)
            assert len(line) == 40
            assert line.rstrip().endswith("END")
            await pilot.press("home")
            await pilot.pause()
            assert key_line(app).startswith("/abcdefghij")

    run(scenario())


def test_a_search_opened_from_the_contents_goes_on_in_the_text() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            await pilot.press("t")
            if not screen.has_class("-show-toc"):
                await pilot.press("t")
            screen.query_one("#toc").focus()
            await pilot.pause()
            await pilot.press("slash", *"feeder", "enter", "n")
            await pilot.pause()
            assert screen.body.hit_index == 1
            assert screen.focused is screen.body

    run(scenario())


@pytest.mark.parametrize("in_child", [False, True])
def test_slash_word_enter_typed_at_once_as_the_article_shows_finds_the_first_hit(
        tmp_path: Path, in_child: bool) -> None:
    """The keys all arrive together (typed while the first frame is drawn): the prompt
    takes the word, Enter finds it, and the status counts the hits."""
    async def scenario() -> None:
        app = open_app(tmp_path, in_child=in_child)
        async with app.run_test(size=(120, 40)) as pilot:
            await text_shown(pilot, app)
            keys = [("slash", "/"), *((c, c) for c in "quokka"), ("enter", "\r"),
                    ("slash", "/"), *((c, c) for c in "willow"), ("enter", "\r"), ("n", "n")]
            for key, character in keys:  # all queued before the app handles the first
                app.post_message(events.Key(key, character))
            await wait_for(pilot, lambda: "“willow”" in status(app.article_screen))
            await settled(pilot)
            screen = app.article_screen
            assert not screen.searching
            text = screen.article.plain_text().lower()
            count = text.count("willow")
            # "quokka" is in the last line: the view went to the end, and "willow" was
            # looked for from the top of that view on; `n` went one further.
            body = screen.body
            assert LAST_WORDS in body_text(app)
            first = body.hits.after(body.position_at(round(body.max_scroll_y)))
            assert body.hit_index == (first + 1) % count
            assert re.search(rf"{body.hit_index + 1}/{count} “willow”", status(screen)), (
                status(screen))

    run(scenario())


def test_the_help_lists_the_prompts_keys() -> None:
    from reader.ui.screens.help_screen import HelpScreen

    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            shown = str(app.screen.query_one("#help-text").render())
            assert "Search prompt (/)" in shown
            assert "Ctrl+W Ctrl+U" in shown and "Earlier searches" in shown

    run(scenario())


def test_smart_case_a_capital_matches_as_typed() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            text = screen.article.plain_text()
            await pilot.press("slash", *"pigeon", "enter")
            await pilot.pause()
            anycase = text.lower().count("pigeon")
            assert f"1/{anycase} “pigeon”" in status(screen)
            await pilot.press("slash", *"Pigeon", "enter")
            await pilot.pause()
            exact = text.count("Pigeon")
            assert 0 < exact < anycase
            assert f"1/{exact} “Pigeon”" in status(screen)
            await pilot.press("slash", *"pigeonz", "enter")
            await pilot.pause()
            assert "0/0 “pigeonz”" in status(screen)

    run(scenario())


def test_a_hit_or_a_section_near_the_end_never_scrolls_past_the_last_line() -> None:
    """A search from the top for a word in the last screenful put the hit three lines
    below the top even where that left blank rows under the article's last line ("100%
    end" over empty rows); so did `]` to the last section. The view stops at the end."""
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            await pilot.press("slash", *"feeder", "enter")
            await settled(pilot)
            assert body.hit_index == 0
            assert body.scroll_y <= body.max_scroll_y
            assert "the whole point." in body_text(app).rstrip().splitlines()[-1]
            await pilot.press("g", "escape", "escape")
            await settled(pilot)
            for _ in range(8):
                await pilot.press("right_square_bracket")
            await settled(pilot)
            assert body.scroll_y <= body.max_scroll_y
            assert "the whole point." in body_text(app).rstrip().splitlines()[-1]

    run(scenario)


def test_the_scrollbar_thumb_follows_the_keys() -> None:
    """End, a search hit near the end, `g` and `]`: the thumb is where the text is (it
    stayed at the top: the keys' jumps skipped Textual's scroll watchers)."""
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            bar = body.vertical_scrollbar
            for keys in (["end"], ["g"], ["slash", *"feeder", "enter"], ["g"],
                         ["right_square_bracket"] * 3, ["j", "j"]):
                await pilot.press(*keys)
                await settled(pilot)
                assert bar.position == body.scroll_y, keys
            assert body.scroll_y > 0

    run(scenario)
