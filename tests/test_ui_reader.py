"""The reader app driven as a person would: keys in, screen out."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import OptionList

from reader.document import Article, Heading, Paragraph, Span, block_text
from reader.sources import Loaded
from reader.ui.app import ReaderApp
from reader.ui.widgets.article.body import ArticleBody
from tests.ui_helpers import (
    body_lines,
    body_text,
    notifications,
    notified,
    run,
    wait_for,
    wait_loaded,
)

SITE = Path(__file__).parent / "fixtures" / "site"
GUIDE = SITE / "field-guide.html"


def test_opening_a_file_shows_title_byline_and_first_paragraph() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            header = str(app.article_screen.query_one("#header").render())
            assert "A Field Guide to Urban Birds" in header
            assert "Maya Okafor" in header and "min read" in header
            assert "The Slow Naturalist" in header
            assert "Cities are full of birds" in body_text(app)
            assert "All rights reserved" not in body_text(app)

    run(scenario())


def test_toc_lists_headings_and_choosing_one_scrolls_there() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            toc = app.article_screen.query_one("#toc", OptionList)
            prompts = [str(toc.get_option_at_index(i).prompt).strip()
                       for i in range(toc.option_count)]
            assert prompts == ["Pigeons and doves", "Sparrows and finches", "The goldfinch",
                               "The greenfinch", "Crows, magpies and jackdaws", "Keeping notes"]
            toc.focus()
            toc.highlighted = 2
            await pilot.press("enter")
            await pilot.pause()
            lines = [ln.strip() for ln in body_lines(app) if ln.strip()]
            assert lines[0] == "The goldfinch"
            # A section near the end cannot reach the top; it must at least be on screen.
            toc.highlighted = 5
            await pilot.press("enter")
            await pilot.pause()
            assert "Keeping notes" in [ln.strip() for ln in body_lines(app)]
            # scrolling the body moves the highlight with it
            app.article_screen.body.focus()
            await pilot.press("g")
            await pilot.pause()
            assert toc.highlighted == 0

    run(scenario())


def test_a_long_heading_takes_one_line_in_the_contents_pane() -> None:
    """Each contents entry is one line, cut with an ellipsis when the pane is narrow, so a
    long article's contents are never re-wrapped entry by entry on a layout."""
    async def scenario() -> None:
        app = ReaderApp(str(SITE.parent / "ghost-blog-post.html"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            toc = app.article_screen.query_one("#toc", OptionList)
            await wait_for(pilot, lambda: toc.option_count > 1)
            await pilot.pause()
            assert toc.virtual_size.height == toc.option_count
            prompts = [str(toc.get_option_at_index(i).prompt)
                       for i in range(toc.option_count)]
            longest = max(prompts, key=len)
            assert len(longest) > toc.scrollable_content_region.width
            drawn = [toc.render_line(y).text for y in range(toc.size.height)]
            assert any("…" in line for line in drawn)
            assert all(longest not in line for line in drawn)

    run(scenario())


def test_page_down_pressed_in_a_burst_lands_where_every_key_leads(tmp_path: Path) -> None:
    """Keys that come faster than frames are drawn where they lead: none is lost."""
    page = tmp_path / "long.html"
    paragraphs = "".join(f"<p>Paragraph {n} says a few plain words about the sea and the "
                         f"shore, enough to fill a line or two of the page.</p>"
                         for n in range(400))
    page.write_text(f"<html><head><title>Long</title></head><body><article><h1>Long</h1>"
                    f"{paragraphs}</article></body></html>", encoding="utf-8")

    async def scenario() -> None:
        app = ReaderApp(str(page))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            await pilot.press(*["pagedown"] * 7)
            await pilot.pause()
            await pilot.pause()
            assert round(body.scroll_y) == 7 * (body.size.height - 2)
            await pilot.press("pagedown", "pagedown", "g")  # Home overrides keys not drawn
            await pilot.pause()
            await pilot.pause()
            assert round(body.scroll_y) == 0

    run(scenario())


def test_contents_of_many_sections_fill_after_the_text_and_follow_the_reader(
        tmp_path: Path) -> None:
    """600 sections: the contents pane fills in slices after the text is shown, and End
    pressed at once lands at the end with the last section highlighted once all are in."""
    page = tmp_path / "sections.html"
    sections = "".join(f"<h2>Section {n}</h2><p>Words of section {n}, about the tide.</p>"
                       for n in range(600))
    page.write_text(f"<html><head><title>Many</title></head><body><article><h1>Many</h1>"
                    f"{sections}</article></body></html>", encoding="utf-8")

    async def scenario() -> None:
        app = ReaderApp(str(page))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("G")
            toc = app.article_screen.query_one("#toc", OptionList)
            await wait_for(pilot, lambda: toc.option_count == 600)
            await pilot.pause()
            assert "Section 599" in body_text(app)
            assert toc.highlighted == 599
            assert str(toc.get_option_at_index(599).prompt) == "Section 599"

    run(scenario())


def test_section_keys_move_between_headings() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(100, 24)) as pilot:
            await wait_loaded(pilot, app)
            body = app.article_screen.body
            article = app.article_screen.article
            seen = []
            for _ in range(3):
                await pilot.press("right_square_bracket")
                await pilot.pause()
                block = article.blocks[body.top_position().block]
                assert isinstance(block, Heading)
                seen.append(block.text)
            assert seen == ["Pigeons and doves", "Sparrows and finches", "The goldfinch"]
            await pilot.press("left_square_bracket")
            await pilot.pause()
            assert article.blocks[body.top_position().block].text == "Sparrows and finches"
            assert "Sparrows and finches" in str(app.article_screen.status.render())

    run(scenario())


def test_search_counts_hits_and_n_moves_between_them() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("slash", *"feeder", "enter")
            await pilot.pause()
            body = app.article_screen.body
            expected = app.article_screen.article.plain_text().lower().count("feeder")
            assert expected >= 2
            assert len(body.hits) == expected
            status = str(app.article_screen.status.render())
            assert f"1/{expected}" in status
            first = body.hits[body.hit_index].position
            await pilot.press("n")
            await pilot.pause()
            assert f"2/{expected}" in str(app.article_screen.status.render())
            assert body.hits[body.hit_index].position > first
            await pilot.press("N")
            await pilot.pause()
            assert f"1/{expected}" in str(app.article_screen.status.render())
            # the current hit is on screen
            assert any("feeder" in line.lower() for line in body_lines(app))

    run(scenario())


def test_pane_toggles_hide_and_show_the_panes() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            toc, figures = screen.query_one("#toc"), screen.query_one("#figures")
            body = screen.query_one(ArticleBody)
            assert toc.display and figures.display
            wide = body.size.width
            await pilot.press("t")
            await pilot.pause()
            assert not toc.display and body.size.width > wide
            await pilot.press("f")
            await pilot.pause()
            assert not figures.display
            await pilot.press("t", "f")
            await pilot.pause()
            assert toc.display and figures.display
            fig_list = screen.query_one("#figures", OptionList)
            assert "A feral pigeon on its cliff. (Photo: R. Ahmed)" in str(
                fig_list.get_option_at_index(0).prompt)

    run(scenario())


def test_following_a_link_and_coming_back_restores_the_place() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            links = screen.article.links()
            number = next(n for n, link in enumerate(links, 1)
                          if link.href.endswith("checklist.html"))
            await pilot.press("j", "j")
            await pilot.pause()
            before = screen.body.top_position()
            await pilot.press(*str(number), "enter")
            await wait_for(pilot, lambda: screen.article.title == "The Beginner's Checklist")
            await wait_loaded(pilot, app)
            assert "Everything you need to start" in body_text(app)
            await pilot.press("backspace")
            await pilot.pause()
            assert screen.article.title == "A Field Guide to Urban Birds"
            assert screen.body.top_position() == before
            await pilot.press("l")
            await pilot.pause()
            assert screen.article.title == "The Beginner's Checklist"

    run(scenario())


def test_same_page_anchor_link_scrolls_to_the_heading() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            number = next(n for n, link in enumerate(screen.article.links(), 1)
                          if link.href.endswith("#sparrows"))
            await pilot.press(*str(number), "enter")
            await pilot.pause()
            block = screen.article.blocks[screen.body.top_position().block]
            assert isinstance(block, Heading) and block.anchor == "sparrows"

    run(scenario())


def test_a_bad_file_gives_a_notification_and_the_app_lives_on(tmp_path: Path) -> None:
    bad = tmp_path / "photo.html"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)

    async def scenario() -> None:
        app = ReaderApp(str(bad))
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: bool(notifications(app)))
            messages = notifications(app)
            assert any("is a PNG image, not a web page" in m for m in messages), messages
            # still alive and usable: open a good page from the same session
            app.open_source(str(GUIDE))
            await wait_loaded(pilot, app)
            assert app.article_screen.article.title == "A Field Guide to Urban Birds"

    run(scenario())


def test_a_narrow_terminal_shows_the_body_alone_with_panes_as_overlays() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            body = screen.query_one(ArticleBody)
            assert not screen.query_one("#toc").display
            assert not screen.query_one("#figures").display
            assert body.size.width >= 78
            await pilot.press("t")
            await pilot.pause()
            toc = screen.query_one("#toc")
            assert toc.display and body.size.width >= 78  # over the body, not beside it
            await pilot.press("escape")
            await pilot.pause()
            assert not toc.display

    run(scenario())


def test_welcome_article_opens_without_a_source() -> None:
    async def scenario() -> None:
        app = ReaderApp(None)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            article = app.article_screen.article
            kinds = {b.kind for b in article.blocks}
            assert {"heading", "paragraph", "list", "quote", "code", "figure", "table",
                    "rule"} <= kinds
            assert article.title == "Welcome to reader"

    run(scenario())


def test_help_lists_every_binding_of_the_screen() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("question_mark")
            await pilot.pause()
            text = str(app.screen.query_one("#help-text").render())
            for binding in app.article_screen.BINDINGS:
                assert binding.description in text, binding.description
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.article_screen

    run(scenario())


def test_width_keys_change_the_measure_and_are_remembered(reader_home: Path) -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("minus", "minus")
            await pilot.pause()
            widest = max(len(line.strip()) for line in body_lines(app))
            assert widest <= 72
        again = ReaderApp(str(GUIDE))
        async with again.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, again)
            assert again.article_screen.body.measure == 72

    run(scenario())


def test_status_starts_unread_and_the_end_shows_the_last_section() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.pause(0.2)
            status = app.article_screen.status.info
            assert status.percent == 0 and status.minutes_left > 0
            await pilot.press("G")
            await pilot.pause(0.2)
            status = app.article_screen.status.info
            assert status.percent == 100
            # The last section is too short to reach the top; at the end it is the current one.
            assert status.section == "Keeping notes"
            toc = app.article_screen.query_one("#toc", OptionList)
            assert toc.highlighted == toc.option_count - 1

    run(scenario())


def long_article(paragraphs: int = 6000) -> Article:
    """About 2 MB of text in sections: long enough that opening it keeps the app busy."""
    words = ["harbour", "river", "valley", "market", "station", "morning", "council",
             "bridge", "village", "garden", "north", "coast", "library", "museum"]
    blocks: list[Heading | Paragraph] = []
    for n in range(paragraphs):
        if n % 20 == 0:
            blocks.append(Heading(2, (Span(f"Section {n // 20}"),)))
        text = " ".join(words[(n * 7 + i) % len(words)] for i in range(60))
        blocks.append(Paragraph((Span(f"Paragraph {n}: {text}."),)))
    return Article(title="Long", blocks=tuple(blocks))


def test_keys_typed_after_slash_at_once_go_to_the_search_bar() -> None:
    """`/`, a word, Enter and `n` arriving together (typed while a long article keeps the
    app busy) search for the word and move to its second hit: no letter acts as a key of
    the text (`l` is Forward, `v` selects, `e` edits a highlight)."""
    article = long_article()

    async def scenario() -> None:
        app = ReaderApp(loaded=Loaded(article, None, "file:///long.html"), images=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            keys = [("slash", "/"), *((c, c) for c in "valley"), ("enter", "\r"), ("n", "n")]
            for key, character in keys:  # all queued before the app handles the first
                app.post_message(events.Key(key, character))
            await wait_for(pilot, lambda: "“valley”" in str(screen.status.render()))
            await pilot.pause()
            body = screen.body
            expected = sum(block_text(b).count("valley") for b in article.blocks)
            assert len(body.hits) == expected > 2
            assert body.hit_index == 1  # `n` went to the text, after the search
            assert f"2/{expected}" in str(screen.status.render())
            assert screen.query_text == "valley"
            assert not body.selecting
            assert screen.focused is body
            assert not screen.searching  # the prompt closed on Enter

    run(scenario())


def test_slash_typed_in_the_search_bar_is_part_of_the_query() -> None:
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE))
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            await pilot.press("slash", "a", "slash", "b", "o")
            await pilot.pause()
            assert screen.search_prompt is not None
            assert screen.search_prompt.text == "a/bo"  # nor did `o` ask for an address
            assert app.screen is screen
            assert screen.focused is screen.body  # no focus moved: the key line took them
            await pilot.press("escape")
            await pilot.pause()
            assert not screen.searching
            assert screen.focused is screen.body

    run(scenario())


def test_an_address_typed_straight_after_o_goes_to_the_prompt(tmp_path: Path) -> None:
    """`o` and an address arriving together (typed while the app is busy): the letters
    went to the article (`h` went back, `t` hid the contents, `/` opened the search with
    the rest of the address). They fill the prompt, and Enter opens the address."""
    async def scenario() -> None:
        app = ReaderApp(str(GUIDE), data_dir=tmp_path)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_loaded(pilot, app)
            screen = app.article_screen
            address = str(tmp_path / "missing-page.html")
            names = {"/": "slash", ".": "full_stop", "-": "minus", "_": "underscore"}
            keys = [("o", "o"), *((names.get(c, c), c) for c in address), ("enter", "\r")]
            for key, character in keys:  # all queued before the app handles the first
                app.post_message(events.Key(key, character))
            await wait_for(pilot, lambda: notified(app, "missing-page.html"))
            assert app.screen is screen  # the prompt closed; no search prompt, no going back
            assert not screen.searching
            assert screen.query_text == ""

    run(scenario())
