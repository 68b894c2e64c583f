"""The status line: position, time left, current section, search and link input."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.content import Content
from textual.widgets import Static


@dataclass(frozen=True)
class StatusInfo:
    percent: int = 0
    minutes_left: int | None = 0  # None: not known yet (a long article is being counted)
    section: str = ""
    search: str = ""  # e.g. "3/17 “word”"
    link_input: str = ""
    busy: str = ""  # e.g. "Loading https://… 120 KB — Esc cancels"
    hint: str = ""  # e.g. "W: whole page (…)"


class StatusLine(Static):
    """One line at the bottom; rebuilt from :class:`StatusInfo`, never from markup."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info = StatusInfo()

    def set(self, **changes: object) -> None:
        info = replace(self.info, **changes)  # type: ignore[arg-type]
        if info != self.info:
            self.info = info
            # One fixed line: its size never changes, so no layout pass (which would
            # cost a whole-screen reflow on every scroll step).
            self.update(self.render_info(info), layout=False)

    @staticmethod
    def render_info(info: StatusInfo) -> Content:
        parts: list[str | tuple[str, str]] = []
        if info.busy:
            parts += [(info.busy, "bold $warning")]
        else:
            parts += [(f"{info.percent:3d}%", "bold")]
            if info.minutes_left is not None:
                left = (f"{info.minutes_left} min left" if info.minutes_left
                        else "end" if info.percent >= 100 else "<1 min left")
                parts += ["  ", (left, "dim")]
            if info.section:
                parts += ["  ", ("§ ", "dim"), info.section]
        if info.search:
            parts += ["  ", ("/ ", "dim"), (info.search, "$accent")]
        if info.hint and not info.busy:
            parts += ["  ", (info.hint, "$text-warning")]
        if info.link_input:
            parts += ["  ", ("link ", "dim"), (info.link_input, "bold $accent"),
                      (" (Enter opens, O in browser)", "dim")]
        return Content.assemble(*parts)
