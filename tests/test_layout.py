"""How blocks are wrapped for the screen: what a reader sees at a given width."""

from __future__ import annotations

from reader.document import CodeBlock
from reader.ui.layout import (
    CODE_CONTINUATION,
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
