"""Back and forward, as in a browser: plain bookkeeping the app owns, testable alone.

A :class:`Visit` is an article as loaded and where the view was. Showing another
article pushes the one being left (at the place it was left) onto the back stack and
forgets the forward stack; Back and Forward move the current visit between the two.
A jump to an anchor on the same page is a visit too, so Back returns to where the
link was followed.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.document import Position
from reader.sources import Loaded

HISTORY_LIMIT = 50  # visits kept on each stack


@dataclass
class Visit:
    loaded: Loaded
    position: Position


class Navigation:
    """The current visit and the two stacks around it."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self.current: Visit | None = None
        self.back_stack: list[Visit] = []
        self.forward_stack: list[Visit] = []

    def go_to(self, visit: Visit, left_at: Position | None, *, record: bool = True) -> None:
        """Make ``visit`` current; the one left (at ``left_at``) can be gone back to."""
        if record and self.current is not None and left_at is not None:
            self._push(self.back_stack, Visit(self.current.loaded, left_at))
            self.forward_stack.clear()
        self.current = visit

    def jump(self, left_at: Position, to: Position) -> None:
        """An anchor on the same page: Back returns to ``left_at``."""
        if self.current is None:
            return
        self._push(self.back_stack, Visit(self.current.loaded, left_at))
        self.forward_stack.clear()
        self.current = Visit(self.current.loaded, to)

    def back(self, left_at: Position) -> Visit | None:
        """The visit to show for Back (now current), or None if there is none."""
        return self._step(self.back_stack, self.forward_stack, left_at)

    def forward(self, left_at: Position) -> Visit | None:
        return self._step(self.forward_stack, self.back_stack, left_at)

    def _step(self, source: list[Visit], other: list[Visit], left_at: Position
              ) -> Visit | None:
        if not source:
            return None
        visit = source.pop()
        if self.current is not None:
            self._push(other, Visit(self.current.loaded, left_at))
        self.current = visit
        return visit

    def _push(self, stack: list[Visit], visit: Visit) -> None:
        stack.append(visit)
        del stack[:-self.limit]
