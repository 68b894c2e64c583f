"""Highlights: stored with positions and a text quote, found again when the article changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.document import Article, Paragraph, Position, Span
from reader.extract import extract
from reader.highlights import ArticleText, Passage
from reader.library import Library
from reader.library.highlights import place

FIXTURES = Path(__file__).parent / "fixtures"

PARAGRAPHS = [
    "The harbour opened at dawn, and the first boats went out before the fog lifted.",
    "By noon the catch was in: cod, haddock and a single enormous halibut.",
    "The harbour master said the season had been the best in a decade.",
    "In the evening the boats came back, and the harbour was quiet again.",
]


def article(paragraphs: list[str]) -> Article:
    return Article(url="https://example.org/harbour", title="Harbour",
                   blocks=tuple(Paragraph((Span(text),)) for text in paragraphs))


def passage_of(art: Article, words: str) -> Passage:
    text = ArticleText(art)
    start = text.text.index(words)
    return text.passage(start, start + len(words))


def quoted(art: Article, found: Passage | None) -> str:
    assert found is not None
    text = ArticleText(art)
    return text.text[text.offset(found.start):text.offset(found.end)]


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "lib")


def test_a_highlight_across_a_paragraph_break_keeps_its_text_and_note(library: Library) -> None:
    art = article(PARAGRAPHS)
    words = "single enormous halibut.\n\nThe harbour master"
    made = library.add_highlight(art.url or "", art, passage_of(art, words), note="big fish")
    again = library.highlights(art.url)
    assert [h.id for h in again] == [made.id]
    assert again[0].text == words and again[0].note == "big fish"
    assert again[0].passage.start.block == 1 and again[0].passage.end.block == 2


def test_inserting_a_paragraph_before_moves_the_highlight_with_its_words(library: Library) -> None:
    old = article(PARAGRAPHS)
    library.add_highlight(old.url or "", old, passage_of(old, "the best in a decade"))
    new = article(["An update: this story was corrected on Tuesday.", *PARAGRAPHS])
    [placed] = place(library.highlights(old.url), new)
    assert placed.found
    assert placed.passage is not None and placed.passage.start.block == 3
    assert quoted(new, placed.passage) == "the best in a decade"


def test_the_words_around_it_choose_between_repeated_words(library: Library) -> None:
    old = article(PARAGRAPHS)
    text = ArticleText(old)
    at = text.text.index("harbour master")  # "harbour" occurs three times; this is the second
    library.add_highlight(old.url or "", old, text.passage(at, at + len("harbour")))
    # The first two paragraphs are cut and a typo is fixed in the last: the nearest
    # "harbour" to the old place is now the last paragraph's, but the words around the
    # highlight ("The … master said") pick the right one.
    new = article([PARAGRAPHS[2], PARAGRAPHS[3].replace("quiet again", "quiet again!")])
    [placed] = place(library.highlights(old.url), new)
    assert placed.passage is not None
    assert placed.passage.start == Position(0, PARAGRAPHS[2].index("harbour"))


def test_a_deleted_passage_is_kept_as_not_found(library: Library) -> None:
    old = article(PARAGRAPHS)
    library.add_highlight(old.url or "", old, passage_of(old, "cod, haddock"), note="keep me")
    library.add_highlight(old.url or "", old, passage_of(old, "harbour master"))
    new = article([PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3]])
    placed = place(library.highlights(old.url), new)
    assert [p.found for p in placed] == [True, False]
    assert placed[1].highlight.note == "keep me"
    assert len(library.highlights(old.url)) == 2  # nothing dropped from the library


def test_delete_and_restore_and_edit_note(library: Library) -> None:
    art = article(PARAGRAPHS)
    made = library.add_highlight(art.url or "", art, passage_of(art, "before the fog lifted"))
    library.set_highlight_note(made.id, "[bold]not markup[/]")
    gone = library.delete_highlight(made.id)
    assert library.highlights(art.url) == []
    library.restore_highlight(gone)
    [back] = library.highlights(art.url)
    assert back.id == made.id and back.note == "[bold]not markup[/]"


def test_search_across_the_library_matches_text_note_and_title(library: Library) -> None:
    art = article(PARAGRAPHS)
    library.add_highlight(art.url or "", art, passage_of(art, "enormous halibut"), note="supper")
    library.add_highlight(art.url or "", art, passage_of(art, "boats came back"))
    assert [h.text for h in library.highlights(search="halibut")] == ["enormous halibut"]
    assert [h.text for h in library.highlights(search="supper")] == ["enormous halibut"]
    assert len(library.highlights(search="100%_")) == 0


def test_highlights_survive_reopening_and_attach_to_a_real_page(tmp_path: Path) -> None:
    html = (FIXTURES / "dispatch-amnesty-letter.html").read_bytes()
    art = extract(html, url="https://example.org/amnesty")
    words = art.plain_text().split("\n\n")[1][:60]
    with Library.open(tmp_path / "lib") as lib:
        lib.add_highlight("https://example.org/amnesty", art, passage_of(art, words))
    with Library.open(tmp_path / "lib") as lib:
        [placed] = place(lib.highlights("https://example.org/amnesty"), art)
    assert placed.found and quoted(art, placed.passage) == words


# ----------------------------------------------------------------------------- CLI


def test_cli_lists_highlights_and_writes_notes_for_note_apps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from reader.cli import main

    page = FIXTURES / "dispatch-amnesty-letter.html"
    assert main(["save", str(page), "--tag", "russia"]) == 0
    capsys.readouterr()
    with Library.open() as lib:
        saved = lib.get(1)
        art = saved.article
        words = art.plain_text().split("\n\n")[1][:50]
        lib.add_highlight(saved.url, art, passage_of(art, words),
                          note="\x1b]52;c;ZXZpbA==\x07[bold]see[/] *this*")
        lib.add_highlight(saved.url, art, passage_of(art, art.plain_text().split("\n\n")[3][:30]))
        # A highlight whose passage is no longer in the saved copy.
        gone = article(["A passage that the saved copy does not have."])
        lib.add_highlight(saved.url, gone, passage_of(gone, "does not have"))

    assert main(["highlights", "1", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [h["found"] for h in listed] == [True, True, False]
    assert listed[0]["text"] == words
    assert "\x1b" not in listed[0]["note"] and "[bold]see[/]" in listed[0]["note"]

    assert main(["highlights"]) == 0
    out = capsys.readouterr().out
    assert "not found in this version" in out and "\x1b" not in out

    notes = tmp_path / "vault"
    assert main(["highlights", "--notes", str(notes)]) == 0
    [written] = notes.iterdir()
    text = written.read_text()
    assert text.startswith("---\ntitle: ") and '\ntags: ["russia"]\n' in text
    assert "\nurl: " in text and "> " + words.split()[0] in text
    assert "\\[bold\\]see\\[/\\] \\*this\\*" in text  # the note is text, not Markdown
    assert "(not found in this version)" in text


def test_cli_highlights_of_a_missing_article_is_one_sentence(
        capsys: pytest.CaptureFixture[str]) -> None:
    from reader.cli import main

    assert main(["highlights", "42"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("reader: error: ") and err.count("\n") == 1


def test_cli_export_shows_highlights_in_markdown_html_and_epub(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    from reader.cli import main

    page = FIXTURES / "dispatch-amnesty-letter.html"
    assert main(["save", str(page)]) == 0
    with Library.open() as lib:
        saved = lib.get(1)
        art = saved.article
        words = art.plain_text().split("\n\n")[1][:50]
        lib.add_highlight(saved.url, art, passage_of(art, words),
                          note="<script>x</script> [b]note[/b] *star*")
        gone = article(["A passage that the saved copy does not have."])
        lib.add_highlight(saved.url, gone, passage_of(gone, "does not have"))
    capsys.readouterr()
    out = tmp_path / "out"
    for fmt in ("markdown", "html", "epub"):
        assert main(["export", "1", "--format", fmt, "--out", str(out)]) == 0
    md = next(out.glob("*.md")).read_text()
    assert "## Highlights" in md and "> ==" + words.split()[0] in md
    assert "\\*star\\*" in md and "\\[b\\]note\\[/b\\]" in md  # the note stays text
    assert "(not found in this version)" in md and "does not have" in md
    page_html = next(out.glob("*.html")).read_text()
    assert "<mark>" + words.split()[0] in page_html
    assert "&lt;script&gt;x&lt;/script&gt;" in page_html and "<script>x" not in page_html
    with zipfile.ZipFile(next(out.glob("*.epub"))) as book:
        chapter = "".join(book.read(n).decode() for n in book.namelist()
                          if n.endswith(".xhtml"))
    assert "<mark>" + words.split()[0] in chapter and "&lt;script&gt;" in chapter

    notes = tmp_path / "notes"
    assert main(["export", "--highlights", "--format", "markdown", "--out", str(notes)]) == 0
    [written] = notes.iterdir()
    assert written.read_text().startswith("---\ntitle: ")
    assert main(["export", "--highlights", "--format", "html", "--out", str(notes)]) == 1
