"""Downloaded image bytes on disk, so a figure seen once opens again without the network.

Files live under ``cache_dir()/images``, named by the SHA-256 of the image URL, and the
folder is kept under a size cap by deleting the least recently used files (a hit
touches the file's mtime). The cache is only a cache: any disk error means "not cached",
never a failure the reader shows.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from reader import locations
from reader.files import replace_file

DEFAULT_CAP = 200 * 1024 * 1024


class ImageCache:
    """Bytes by URL on disk, at most ``max_bytes`` in total (oldest used go first)."""

    def __init__(self, root: Path | None = None, *, max_bytes: int = DEFAULT_CAP) -> None:
        self.root = root if root is not None else locations.cache_dir() / "images"
        self.max_bytes = max_bytes
        self._total: int | None = None

    def path_for(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
        return self.root / digest[:2] / digest

    def get(self, url: str) -> bytes | None:
        path = self.path_for(url)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used
        return data

    def put(self, url: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        path = self.path_for(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                old = path.stat().st_size
            except OSError:
                old = 0
            replace_file(path, data)
        except OSError:
            return
        total = self._scan() if self._total is None else self._total + len(data) - old
        self._total = total
        if total > self.max_bytes:
            self.prune()

    def _files(self) -> list[tuple[float, int, Path]]:
        found: list[tuple[float, int, Path]] = []
        try:
            shards = list(os.scandir(self.root))
        except OSError:
            return found
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            try:
                entries = list(os.scandir(shard.path))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue  # a write in progress (replace_file's temporary file)
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found.append((st.st_mtime, st.st_size, Path(entry.path)))
        return found

    def _scan(self) -> int:
        return sum(size for _, size, _ in self._files())

    @property
    def total_bytes(self) -> int:
        """Bytes the cached files take now."""
        self._total = self._scan()
        return self._total

    def prune(self) -> None:
        """Delete least recently used files until the total is within the cap."""
        files = sorted(self._files())
        total = sum(size for _, size, _ in files)
        for _, size, path in files:
            if total <= self.max_bytes:
                break
            try:
                path.unlink()
                total -= size
            except OSError:
                continue
        self._total = total
