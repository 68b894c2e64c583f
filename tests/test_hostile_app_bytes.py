"""The real app in a real terminal (a pty): no byte from a hostile page acts on the terminal.

The page carries ESC/CSI/OSC 0, 2, 8, 52, DCS, C1 and bidi controls in every field (title,
byline, site, date, canonical and og:url, links, picture addresses, headings, paragraphs).
The app is started as a person starts it, its whole output read from the pty while it
draws the article, the links list and the help, and then searched for each sequence the
page tried to send. The app's own escape sequences are expected; the page's must be gone.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PAGE = Path(__file__).parent / "fixtures" / "hostile" / "controls.html"

# What the page holds, as the bytes a terminal would act on if they arrived intact.
FROM_THE_PAGE = {
    "OSC 0 (window title)": b"\x1b]0;osc0",
    "OSC 2 (window title)": b"\x1b]2;osc2",
    "OSC 8 (hyperlink)": b"\x1b]8;;http://evil",
    "OSC 52 (clipboard write)": b"\x1b]52;c;ZXZpbA",
    "DCS (terminal query)": b"\x1bP+q6e",
    "C1 CSI": b"\xc2\x9b31m",
    "C1 OSC": b"\xc2\x9d0;c1",
    "C1 DCS": b"\xc2\x90dcs",
    "right-to-left override U+202E": b"\xe2\x80\xae",
    "left-to-right isolate U+2066": b"\xe2\x81\xa6",
}

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def _read_until(fd: int, out: bytearray, want: bytes, seconds: float) -> bool:
    """Read the pty into ``out`` until ``want`` has been seen or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return want in out
            if not chunk:
                return want in out
            out += chunk
            if want in out:
                return True
    return want in out


def test_the_app_writes_no_control_sequence_from_a_hostile_page(tmp_path: Path) -> None:
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "READER_TUI_HOME": str(tmp_path), "TEXTUAL_ANIMATIONS": "none"}
    env.pop("READER_HOME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "--no-images", str(PAGE)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    out = bytearray()
    try:
        # The body is drawn once its first words are on the screen.
        assert _read_until(master, out, b"Para", 60), out[-2000:].decode("utf-8", "replace")
        for keys, seen in ((b"u", b"Links"), (b"\x1b", b"Para"), (b"?", b"Help"),
                           (b"\x1b", b"Para")):
            os.write(master, keys)
            _read_until(master, out, seen, 10)
        os.write(master, b"q")
        _read_until(master, out, b"\x00never", 5)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
        os.close(master)
    found = {name: seq for name, seq in FROM_THE_PAGE.items() if seq in out}
    assert not found, f"the page's bytes reached the terminal: {sorted(found)}"
