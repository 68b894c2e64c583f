"""A program in a real terminal (tmux, 120x40 by default), driven and timed from outside.

The benchmarks measure what a person sees: a key goes in with ``send-keys`` and the time
runs until ``capture-pane`` shows the screen changed. Polling every ~2 ms adds a few
milliseconds to every figure, which is why each benchmark also times a bare Textual app
the same way.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


class TmuxScreen:
    """One tmux session running one program."""

    def __init__(self, session: str, width: int = 120, height: int = 40) -> None:
        self.session, self.width, self.height = session, width, height

    def start(self, command: str, env: dict[str, str]) -> float:
        """Run ``command`` in a fresh session; the moment it was launched."""
        tmux("kill-session", "-t", self.session)
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        launched = time.perf_counter()
        tmux("new-session", "-d", "-s", self.session, "-x", str(self.width), "-y",
             str(self.height), f"env {exports} {command}")
        tmux("set-option", "-t", self.session, "status", "off")
        return launched

    def stop(self, quit_key: str | None = "q") -> None:
        if quit_key:
            self.send(quit_key)
            time.sleep(0.3)
        tmux("kill-session", "-t", self.session)

    def send(self, *keys: str) -> None:
        tmux("send-keys", "-t", self.session, *keys)

    def capture(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.session)

    def pane_pid(self) -> int | None:
        pane = tmux("display-message", "-p", "-t", self.session, "#{pane_pid}").strip()
        return int(pane) if pane else None

    def wait_until(self, predicate: Callable[[str], bool], timeout: float = 60.0,
                   poll: float = 0.002) -> float:
        """Seconds until ``predicate(screen)`` holds, capturing every ``poll`` seconds.

        Each capture starts a tmux client: every 2 ms that is about 60% of a core (20 ms:
        under 20%), taken from the program measured — on a 2-core machine, from a big
        page's extracting child. Waits of a second (start-up) poll more slowly."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if predicate(self.capture()):
                return time.perf_counter() - start
            time.sleep(poll)
        raise TimeoutError("the screen never showed what was expected")

    def key_times(self, key: str, count: int, *, give_up: float = 60.0) -> list[float]:
        """Press ``key`` up to ``count`` times, timing each until the screen changes; stops
        early when a press changes nothing within ``give_up`` seconds (the end reached)."""
        times = []
        for _ in range(count):
            before = self.capture()
            t = time.perf_counter()
            self.send(key)
            try:
                self.wait_until(lambda s, b=before: s != b, timeout=give_up)
            except TimeoutError:
                break
            times.append(time.perf_counter() - t)
            time.sleep(0.05)
        return times

    def held_key(self, key: str, count: int, rate: float, *, quiet: float = 0.4,
                 timeout: float = 30.0) -> tuple[float, int]:
        """Press ``key`` ``count`` times at ``rate`` a second (a held key's repeat), then
        wait until the screen has not changed for ``quiet`` seconds. Returns the lag: from
        the last press to the last change of the screen, and how many distinct screens
        were seen (a sample: polling between presses)."""
        seen = set()
        interval = 1.0 / rate
        start = time.perf_counter()
        for n in range(count):
            self.send(key)
            seen.add(self.capture())
            delay = start + (n + 1) * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        released = time.perf_counter()
        last_screen, last_change = self.capture(), time.perf_counter()
        while time.perf_counter() - last_change < quiet:
            if time.perf_counter() - released > timeout:
                break
            screen = self.capture()
            if screen != last_screen:
                last_screen, last_change = screen, time.perf_counter()
                seen.add(screen)
            time.sleep(0.002)
        return max(0.0, last_change - released), len(seen)
