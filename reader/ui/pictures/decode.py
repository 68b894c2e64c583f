"""Bytes → a small picture → rows of half-block cells.

Images come from strangers' web pages, so decoding is defensive: a size cap on the
bytes, a cap on the pixels a file *declares* (checked before any pixel is decoded, so a
tiny PNG claiming to be 100 000 × 100 000 is refused at once, like Pillow's
``MAX_IMAGE_PIXELS``), a short list of formats, and every Pillow failure turned into
:class:`ImageRejected`. Callers show the figure's placeholder instead.

The terminal picture uses "▀" cells: the foreground colour paints the top pixel and the
background the bottom one, so one cell shows two pixels in any truecolor terminal,
tmux included.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageFile, UnidentifiedImageError
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

MAX_BYTES = 5 * 1024 * 1024  # the fetcher's per-image limit, checked again here
MAX_PIXELS = 40_000_000  # declared width × height; about a 7700 × 5200 photo
KEEP_SIDE = 400  # the decoded picture is kept at most this big (cells need far fewer)
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "ICO", "TIFF", "AVIF")
HALF = "▀"
LOWER = "▄"
OPAQUE = 128  # alpha at or above this counts as a painted pixel


class ImageRejected(Exception):
    """The bytes are not a picture reader will show; the message says why in one sentence."""


@dataclass(frozen=True, slots=True)
class Picture:
    """A decoded image, scaled down to at most ``KEEP_SIDE`` pixels a side, in RGBA.

    ``width``/``height`` are the original's, which is what the shape on screen follows.
    """

    image: Image.Image
    width: int
    height: int
    format: str


def _formats() -> list[str]:
    Image.init()
    return [f for f in FORMATS if f in Image.OPEN]


def looks_like_svg(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096])


def decode(data: bytes, *, keep_side: int = KEEP_SIDE) -> Picture:
    """Decode ``data`` (first frame of an animation) into a :class:`Picture`.

    Raises :class:`ImageRejected` for anything too big, corrupt or not a raster image.
    """
    if len(data) > MAX_BYTES:
        raise ImageRejected(f"The image is larger than {MAX_BYTES // (1024 * 1024)} MiB.")
    if not data:
        raise ImageRejected("The image is empty.")
    if looks_like_svg(data):
        raise ImageRejected("SVG images are not drawn in the terminal.")
    try:
        im = Image.open(io.BytesIO(data), formats=_formats())
        width, height = im.size
        if width <= 0 or height <= 0:
            raise ImageRejected("The image has no pixels.")
        if width * height > MAX_PIXELS:
            raise ImageRejected(
                f"The image declares {width} × {height} pixels, more than reader decodes.")
        fmt = im.format or "?"
        if getattr(im, "is_animated", False):
            im.seek(0)
        if fmt == "JPEG":
            im.draft("RGB", (keep_side, keep_side))  # decode at a reduced scale: fast
        im.load()
        picture = _to_rgba(im)
        picture.thumbnail((keep_side, keep_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected("The image is too large to decode safely.") from None
    except UnidentifiedImageError:
        raise ImageRejected("The data is not an image reader can show.") from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError, TypeError,
            IndexError, KeyError, ZeroDivisionError) as exc:
        raise ImageRejected(f"The image is damaged ({type(exc).__name__}).") from None
    return Picture(picture, width, height, fmt)


def _to_rgba(im: Image.Image) -> Image.Image:
    if im.mode == "RGBA":
        return im.copy()
    if im.mode in ("P", "PA", "LA", "La", "I;16", "I", "F", "1", "L", "RGB", "CMYK", "YCbCr"):
        if im.mode == "P" and "transparency" not in im.info:
            return im.convert("RGB").convert("RGBA")
        if im.mode in ("I;16", "I", "F"):
            return im.convert("L").convert("RGBA")
        return im.convert("RGBA")
    return im.convert("RGB").convert("RGBA")


def try_decode(data: bytes | None) -> Picture | None:
    """:func:`decode`, or None for anything it rejects."""
    if data is None:
        return None
    try:
        return decode(data)
    except ImageRejected:
        return None


# Truncated files raise instead of half-drawing: a damaged picture is a placeholder.
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Pillow warns (on stderr, under the app's screen) about images between its limit and
# twice that, and raises above. reader refuses anything over MAX_PIXELS itself, which is
# below Pillow's limit, so the warning says nothing new. A process-wide filter, because
# catch_warnings() is not safe in the decoding threads.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


# --------------------------------------------------------------------------- cells


def fit_cells(width: int, height: int, max_cols: int, max_rows: int) -> tuple[int, int]:
    """Columns and rows of half-block cells for a ``width`` × ``height`` image.

    One pixel per column and two per row, never wider than ``max_cols`` or the image
    itself, never taller than ``max_rows``; the shape is kept.
    """
    width, height = max(1, width), max(1, height)
    cols = max(1, min(max_cols, width))
    rows = max(1, round(height * cols / width / 2))
    if rows > max_rows:
        rows = max(1, max_rows)
        cols = max(1, min(max_cols, round(width * rows * 2 / height)))
    return cols, rows


@lru_cache(maxsize=4096)
def _color(r: int, g: int, b: int) -> Color:
    return Color.from_rgb(r, g, b)


@lru_cache(maxsize=16384)
def _style(top: tuple[int, int, int] | None, bottom: tuple[int, int, int] | None) -> Style:
    return Style(color=_color(*top) if top else None,
                 bgcolor=_color(*bottom) if bottom else None)


def half_block_strips(image: Image.Image, cols: int, rows: int) -> list[Strip]:
    """``image`` scaled to ``cols`` × ``2*rows`` pixels, as ``rows`` strips of cells.

    Runs of identical cells share one segment, so flat areas cost little to paint.
    Transparent pixels stay the terminal's own background.
    """
    cols, rows = max(1, cols), max(1, rows)
    small = image.resize((cols, rows * 2), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if small.mode != "RGBA":
        small = small.convert("RGBA")
    data = small.tobytes()
    stride = cols * 4
    strips: list[Strip] = []
    for row in range(rows):
        top_base = row * 2 * stride
        bottom_base = top_base + stride
        segments: list[Segment] = []
        run_key: tuple[object, object, str] | None = None
        run_len = 0
        for x in range(cols):
            t = top_base + x * 4
            b = bottom_base + x * 4
            top = (data[t], data[t + 1], data[t + 2]) if data[t + 3] >= OPAQUE else None
            bottom = (data[b], data[b + 1], data[b + 2]) if data[b + 3] >= OPAQUE else None
            if top is None and bottom is None:
                key: tuple[object, object, str] = (None, None, " ")
            elif top is None:
                key = (bottom, None, LOWER)
            else:
                key = (top, bottom, HALF)
            if key == run_key:
                run_len += 1
                continue
            if run_key is not None:
                segments.append(_segment(run_key, run_len))
            run_key, run_len = key, 1
        if run_key is not None:
            segments.append(_segment(run_key, run_len))
        strips.append(Strip(segments, cols))
    return strips


def _segment(key: tuple[object, object, str], count: int) -> Segment:
    fg, bg, char = key
    if char == " ":
        return Segment(" " * count)
    return Segment(char * count, _style(fg, bg))


def fitted_strips(picture: Picture, max_cols: int, max_rows: int) -> list[Strip]:
    """The picture at the largest half-block size fitting ``max_cols`` × ``max_rows``."""
    cols, rows = fit_cells(picture.width, picture.height, max_cols, max_rows)
    return half_block_strips(picture.image, cols, rows)
