"""Writing a file so that nothing can go half-way or somewhere else.

Exports, notes and settings are written to names a stranger can predict in folders other
people may share (``--out /tmp``). The bytes go to a fresh temporary file created
exclusively beside the target, which is then renamed over the name: a rename replaces a
symbolic link planted at that name instead of writing through it, and a reader (or a
crash) never meets half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_file(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` through an exclusive temporary file,
    with the permissions any new file gets (``mkstemp`` makes it 0600: an EPUB written
    for an e-reader's folder or notes for a synced vault were readable by no one else)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}-", suffix=".tmp")
    try:
        umask = os.umask(0o077)  # read it (only by setting it), then put it back
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
