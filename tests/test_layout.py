"""How blocks are wrapped for the screen: what a reader sees at a given width."""

from __future__ import annotations

from reader.document import CodeBlock, Figure, ListBlock, Paragraph, Quote, Span, Table
from reader.text import width, wrap_ranges
from reader.ui.widgets.article.layout import (
    CODE_CONTINUATION,
    Highlight,
    LayoutContext,
    Palette,
    code_cuts,
    layout_block,
)


def test_long_code_lines_break_between_tokens_and_say_so() -> None:
    line = "target: [x86_64-unknown-linux-musl, aarch64-apple-darwin, x86_64-pc-windows-msvc]"
    cuts = code_cuts(line, 40, 38)
    pieces = [line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
    assert "".join(pieces) == line  # nothing lost or doubled
    assert all(len(p) <= 40 for p in pieces)
    assert pieces[0].rstrip().endswith(",")  # at a separator, not inside a name
    lines, _offsets = layout_block(CodeBlock(line, "yaml"),
                                   LayoutContext(width=44, palette=Palette()))
    texts = [strip.text for strip in lines]
    assert len(texts) >= 2 and CODE_CONTINUATION.strip() in texts[1]
    assert all(strip.cell_length <= 44 for strip in lines)


def test_a_token_longer_than_the_room_is_cut_at_the_edge() -> None:
    word = "x" * 100
    cuts = code_cuts(word, 30, 28)
    assert cuts == [30, 58, 86]


# --------------------------------------------------------------------------- the renderer
# Blocks laid out without Textual running: text, offsets, and the shapes a reader sees.

def lay(block: object, width: int = 40) -> tuple[list[str], list[int]]:
    ctx = LayoutContext(width=width, palette=Palette(), link_number=iter(range(1, 99)).__next__)
    lines, offsets = layout_block(block, ctx)  # type: ignore[arg-type]
    return [line.text for line in lines], offsets


def para(*spans: Span) -> Paragraph:
    return Paragraph(tuple(spans))


WORDS = "one two three four five six seven eight nine ten eleven twelve thirteen"


def test_wrap_ranges_are_offsets_into_the_text_and_lose_nothing() -> None:
    text = "alpha beta gamma\ndelta epsilon " + "x" * 25
    ranges = wrap_ranges(text, 10)
    assert [text[a:b] for a, b in ranges] == [
        "alpha beta", "gamma", "delta", "epsilon", "x" * 10, "x" * 10, "x" * 5]
    assert all(width(text[a:b]) <= 10 for a, b in ranges)


def test_wide_characters_are_counted_in_cells() -> None:
    text = "漢字漢字漢字 かな"
    ranges = wrap_ranges(text, 6)
    assert all(width(text[a:b]) <= 6 for a, b in ranges)
    assert "".join(text[a:b] for a, b in ranges) == text.replace(" ", "")


def test_a_paragraph_wraps_to_the_width_and_every_line_knows_its_offset() -> None:
    lines, offsets = lay(para(Span(WORDS)), width=20)
    assert all(len(line) <= 20 for line in lines)
    assert " ".join(line.strip() for line in lines) == WORDS
    for line, offset in zip(lines, offsets, strict=True):
        assert WORDS[offset:].startswith(line.strip())


def test_links_carry_their_number_after_the_text() -> None:
    lines, _ = lay(para(Span("read "), Span("this", href="https://a.example/"),
                        Span(" and "), Span("that", href="https://b.example/")))
    assert lines == ["read this[1] and that[2]"]


def test_lists_get_markers_and_hanging_indents() -> None:
    block = ListBlock(ordered=True, items=((para(Span(WORDS)),), (para(Span("short")),)),
                      start=9)
    lines, _ = lay(block, width=24)
    assert lines[0].startswith(" 9. one")
    assert all(line.startswith("    ") for line in lines[1:-1])  # under the text
    assert lines[-1] == "10. short"
    bullets, _ = lay(ListBlock(ordered=False, items=((para(Span("a")),),)))
    assert bullets == ["• a"]


def test_quotes_have_a_bar_on_every_line() -> None:
    lines, offsets = lay(Quote((para(Span(WORDS)), para(Span("second")))), width=24)
    assert all(line.startswith("▌ ") for line in lines)
    assert lines[-1] == "▌ second"
    assert offsets[-1] == len(WORDS) + 2  # block_text joins the children with a blank line


def test_tables_keep_their_cells_and_fit_the_width() -> None:
    lines, _ = lay(Table(header=("Bird", "Seen"), rows=(("Goldfinch", "12"), ("Wren", "3"))),
                   width=30)
    text = "\n".join(lines)
    for cell in ("Bird", "Seen", "Goldfinch", "12", "Wren", "3"):
        assert cell in text
    assert all(len(line) <= 30 for line in lines)


def test_a_figure_without_its_picture_is_a_framed_placeholder_with_alt_and_caption() -> None:
    lines, _ = lay(Figure(src="https://img.example/a.png", alt="a wren on a wall",
                          caption="Small but loud."), width=40)
    text = "\n".join(lines)
    assert lines[0].startswith("┌─ picture")
    assert "a wren on a wall" in text and "Small but loud." in text
    assert all(len(line) <= 40 for line in lines)


def test_search_highlights_and_link_styles_land_on_their_own_words_on_every_line() -> None:
    spans = []
    for n in range(300):
        spans += [Span(f"w{n} "), Span(f"l{n}", href=f"/l{n}"), Span(" ")]
    block = Paragraph(tuple(spans))
    text = "".join(s.text for s in spans)
    target = text.index("l250")
    palette = Palette()
    ctx = LayoutContext(width=30, palette=palette, link_number=iter(range(1, 999)).__next__,
                        highlights=[Highlight(target, target + 4, current=True)])
    lines, _ = layout_block(block, ctx, highlights=ctx.highlights)
    hit = [seg.text for line in lines for seg in line
           if seg.style is not None and seg.style.bold and seg.style.reverse]
    assert "".join(hit) in ("l250", "l250[251]")  # the word (and its number), nothing else
    links = [seg.text for line in lines for seg in line
             if seg.style is not None and seg.style.underline]
    assert links[:3] == ["l0", "l1", "l2"] and len(links) == 300
