"""Text measured and wrapped in terminal cells.

One place for "how wide is this text" and "where do its lines break", shared by the body
renderer and the pictures' alt-text placeholders. Wrapping answers with character
offsets, never with copies, so a reading position (block, offset) maps to a line and back.
Plain Python and Rich's cell widths: no Textual here.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

WORD = re.compile(r"\S+")


def width(text: str) -> int:
    """Cells ``text`` takes on a terminal (wide CJK and emoji count two)."""
    return len(text) if text.isascii() else cell_len(text)


def wrap_ranges(text: str, line_width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text`` to ``line_width`` cells: ``(start, end)`` index pairs.

    Explicit newlines break lines; words longer than a line are split.
    """
    line_width = max(1, line_width)
    out: list[tuple[int, int]] = []
    base = 0
    for part in text.split("\n"):
        line_start = -1
        line_end = 0
        used = 0
        for m in WORD.finditer(part):
            ws, we = m.start(), m.end()
            w = width(m.group())
            need = w if line_start < 0 else used + width(part[line_end:ws]) + w
            if line_start >= 0 and need <= line_width:
                used = need
                line_end = we
                continue
            if line_start >= 0:
                out.append((base + line_start, base + line_end))
            # A word wider than the line is cut into line-sized pieces.
            while w > line_width:
                cut_at = cut(part, ws, we, line_width)
                out.append((base + ws, base + cut_at))
                ws = cut_at
                w = width(part[ws:we])
            line_start, line_end, used = ws, we, w
        if line_start >= 0:
            out.append((base + line_start, base + line_end))
        else:
            out.append((base, base))  # an empty line from consecutive newlines
        base += len(part) + 1
    return out


def cut(text: str, start: int, end: int, cells: int) -> int:
    """The index in ``text[start:end]`` after which ``cells`` cells are used up (at least
    one character, so a line always moves on)."""
    if text.isascii():
        return start + cells
    used = 0
    for i in range(start, end):
        used += cell_len(text[i])
        if used > cells:
            return max(start + 1, i)
    return end
