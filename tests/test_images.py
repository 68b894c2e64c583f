"""Pictures for figures, without a screen: decoding, scaling to cells, refusing bombs
and junk, the disk cache's cap, and the loader's order (library, cache, network)."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image
from rich.segment import Segment
from textual.strip import Strip

from reader.document import Figure
from reader.fetch import Fetcher
from reader.ui.pictures.cache import ImageCache
from reader.ui.pictures.decode import (
    MAX_BYTES,
    ImageRejected,
    decode,
    fit_cells,
    fitted_strips,
    try_decode,
)
from reader.ui.pictures.loader import ImageLoader
from reader.ui.pictures.terminal import resolve_mode
from reader.ui.widgets.article.layout import LayoutContext, Palette, layout_block
from tests.localserver import LocalServer

RED, BLUE = (220, 30, 30), (30, 40, 220)


def two_tone(size: tuple[int, int] = (300, 200)) -> Image.Image:
    """Top half red, bottom half blue: easy to recognise in cells."""
    im = Image.new("RGB", size, BLUE)
    im.paste(RED, (0, 0, size[0], size[1] // 2))
    return im


def encode(im: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid tiny PNG whose header declares ``width`` × ``height`` pixels."""
    data = bytearray(encode(Image.new("RGB", (1, 1)), "PNG"))
    struct.pack_into(">II", data, 16, width, height)  # IHDR data starts at byte 16
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def cells(strip: Strip) -> list[tuple[str, Segment]]:
    return [(ch, seg) for seg in strip for ch in seg.text]


def close(rgb: tuple[int, int, int], want: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, want, strict=True))


def triplet(color: object) -> tuple[int, int, int]:
    t = color.triplet  # type: ignore[attr-defined]
    assert t is not None, "expected a truecolor colour"
    return (t.red, t.green, t.blue)


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_each_format_decodes_and_scales_to_half_block_cells(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"two-tone.{fmt.lower()}"
    two_tone().save(path, fmt)
    picture = decode(path.read_bytes())
    assert (picture.width, picture.height) == (300, 200)
    assert picture.format == fmt

    strips = fitted_strips(picture, 40, 24)
    # 40 columns (the measure), 200 px * 40/300 / 2 px per row = 13 rows: shape kept
    assert len(strips) == 13
    assert all(s.cell_length == 40 for s in strips)
    top = cells(strips[0])[20][1]
    bottom = cells(strips[-1])[20][1]
    assert top.text[0] == "▀"
    assert close(triplet(top.style.color), RED) and close(triplet(top.style.bgcolor), RED)
    assert close(triplet(bottom.style.color), BLUE)


def test_an_animated_gif_shows_its_first_frame() -> None:
    frames = [Image.new("RGB", (40, 20), RED), Image.new("RGB", (40, 20), BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100,
                  loop=0)
    picture = decode(data)
    seg = cells(fitted_strips(picture, 40, 24)[0])[0][1]
    assert close(triplet(seg.style.color), RED)


def test_size_fits_the_measure_and_the_height_cap() -> None:
    assert fit_cells(1200, 800, 80, 24) == (72, 24)  # too tall at 80 cols: narrowed
    assert fit_cells(1200, 400, 80, 24) == (80, 13)
    assert fit_cells(20, 10, 80, 24) == (20, 5)  # never wider than the image
    assert fit_cells(100, 1000, 80, 24) == (5, 24)
    assert fit_cells(5000, 10, 80, 24) == (80, 1)


def test_transparent_pixels_leave_the_terminal_background() -> None:
    im = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    im.paste((*RED, 255), (0, 2, 4, 4))  # bottom half opaque
    strips = fitted_strips(decode(encode(im, "PNG")), 4, 24)
    assert [ch for ch, _ in cells(strips[0])] == [" "] * 4
    ch, seg = cells(strips[1])[0]
    assert ch == "▀" and close(triplet(seg.style.color), RED)
    assert seg.style.bgcolor is not None


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    for data in (bomb_png(), bomb_png(9000, 9000)):
        started = time.perf_counter()
        with pytest.raises(ImageRejected):
            decode(data)
        assert time.perf_counter() - started < 1.0
        assert try_decode(data) is None


@pytest.mark.parametrize("data", [
    b"",
    b"not an image at all",
    encode(two_tone(), "PNG")[:300],  # truncated
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    b"%PDF-1.4 hello",
])
def test_corrupt_or_unsupported_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ImageRejected) as info:
        decode(data)
    assert str(info.value).endswith(".")
    assert try_decode(data) is None


def test_more_than_five_mib_is_refused() -> None:
    data = encode(two_tone((10, 10)), "PNG") + b"\x00" * MAX_BYTES
    with pytest.raises(ImageRejected, match="5 MiB"):
        decode(data)


def test_decoded_pictures_are_kept_small() -> None:
    picture = decode(encode(two_tone((3000, 2000)), "JPEG"))
    assert max(picture.image.size) <= 400
    assert (picture.width, picture.height) == (3000, 2000)


# --------------------------------------------------------------------------- layout


def test_the_body_layout_draws_the_picture_then_alt_text_and_caption() -> None:
    data = encode(two_tone((120, 80)), "PNG")
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    figure = Figure(url, alt="A red and blue flag", caption="The harbour flag.")

    async def scenario() -> list[Strip]:
        loader = ImageLoader()
        assert loader.body_lines(figure, 60) is None  # not here yet: placeholder, request
        await loader.wait_idle()
        assert loader.status(url) == "ready"
        ctx = LayoutContext(width=60, palette=Palette(), figure_lines=loader.body_lines)
        lines, _ = layout_block(figure, ctx)
        return lines

    lines = asyncio.run(scenario())
    texts = [line.text for line in lines]
    assert sum("▀" in t for t in texts) == 20  # 80 px * 60/120 / 2
    assert texts[0].startswith("▀" * 60)
    assert "A red and blue flag" in texts[20]
    assert "The harbour flag." in texts[21]


def test_without_a_picture_the_layout_keeps_the_framed_placeholder() -> None:
    figure = Figure("http://127.0.0.1:9/none.png", alt="A lost picture", caption="Gone.")
    ctx = LayoutContext(width=40, palette=Palette(), figure_lines=lambda f, w: None)
    texts = [line.text for line in layout_block(figure, ctx)[0]]
    assert texts[0].startswith("┌─ picture")
    assert "A lost picture" in "".join(texts) and "Gone." in texts[-1]


# --------------------------------------------------------------------------- cache


def test_the_cache_round_trips_and_stays_under_its_cap(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "images", max_bytes=2500)
    assert cache.get("http://x/a.png") is None
    for n in range(3):
        cache.put(f"http://x/{n}.png", bytes([n]) * 1000)
        path = cache.path_for(f"http://x/{n}.png")
        os.utime(path, (1_000_000 + n, 1_000_000 + n))  # distinct, ordered mtimes
    assert cache.total_bytes <= 2500
    # the oldest went first
    assert cache.get("http://x/0.png") is None
    assert cache.get("http://x/1.png") == b"\x01" * 1000
    # reading 1 made it recent, so adding another pushes out 2, not 1
    cache.put("http://x/3.png", b"\x03" * 1000)
    assert cache.get("http://x/1.png") is not None
    assert cache.get("http://x/2.png") is None
    assert cache.total_bytes <= 2500


def test_the_default_cache_lives_under_reader_home(reader_home: Path) -> None:
    cache = ImageCache()
    cache.put("https://example.org/p.png", b"png")
    assert cache.path_for("https://example.org/p.png").is_relative_to(reader_home / "cache")


# --------------------------------------------------------------------------- loader


def test_the_loader_takes_library_then_cache_then_network(tmp_path: Path) -> None:
    png = encode(two_tone((60, 40)), "PNG")

    async def scenario(server: LocalServer) -> None:
        fetcher = Fetcher()
        cache = ImageCache(tmp_path / "cache")
        library = {server.url("/saved.png"): png}
        loader = ImageLoader(fetcher=fetcher, library_lookup=library.get, cache=cache)
        ready: list[str] = []
        loader.subscribe(ready.append)
        try:
            assert await loader.load(server.url("/saved.png")) is not None
            assert await loader.load(server.url("/web.png")) is not None
            assert await loader.load(server.url("/missing.png")) is None
            assert await loader.load(server.url("/broken.png")) is None
            assert await loader.load(server.url("/bomb.png")) is None
        finally:
            await fetcher.aclose()
        paths = [r.path for r in server.requests]
        assert "/saved.png" not in paths  # the library's copy, offline
        assert paths.count("/web.png") == 1
        assert cache.get(server.url("/web.png")) == png  # kept on disk
        assert ready == [server.url("/saved.png"), server.url("/web.png")]
        assert loader.status(server.url("/missing.png")) == "failed"
        assert loader.failure(server.url("/missing.png"))
        assert loader.status(server.url("/bomb.png")) == "failed"

        # a second loader (the next run) finds it in the disk cache: no request
        again = ImageLoader(fetcher=None, cache=cache)
        assert await again.load(server.url("/web.png")) is not None
        assert [r.path for r in server.requests].count("/web.png") == 1

    with LocalServer() as server:
        server.add("/web.png", body=png, content_type="image/png")
        server.add("/missing.png", status=404, body=b"no", content_type="text/plain")
        server.add("/broken.png", body=png[:100], content_type="image/png")
        server.add("/bomb.png", body=bomb_png(), content_type="image/png")
        asyncio.run(scenario(server))


def test_a_failed_picture_is_asked_for_once(tmp_path: Path) -> None:
    async def scenario(server: LocalServer) -> None:
        fetcher = Fetcher()
        loader = ImageLoader(fetcher=fetcher, cache=ImageCache(tmp_path))
        figure = Figure(server.url("/gone.png"), alt="gone")
        try:
            for _ in range(3):
                assert loader.body_lines(figure, 40) is None
                await loader.wait_idle()
        finally:
            await fetcher.aclose()
        assert [r.path for r in server.requests] == ["/gone.png"]

    with LocalServer() as server:
        server.add("/gone.png", status=404)
        asyncio.run(scenario(server))


def test_only_web_and_data_urls_are_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(encode(two_tone((10, 10)), "PNG"))

    async def scenario() -> None:
        loader = ImageLoader(cache=ImageCache(tmp_path / "c"))
        assert await loader.load(secret.as_uri()) is None
        assert await loader.load("ftp://example.org/a.png") is None

    asyncio.run(scenario())


def test_image_modes() -> None:
    assert resolve_mode("off") == "off"
    assert resolve_mode("halfblock") == "halfblock"
    # not prepared before the app started (as here: no terminal): half-blocks
    assert resolve_mode("auto") == "halfblock"
    assert resolve_mode("kitty") == "halfblock"


def test_laying_out_outside_an_event_loop_just_draws_the_placeholder() -> None:
    loader = ImageLoader()
    figure = Figure("https://example.org/a.png", alt="A")
    assert loader.body_lines(figure, 40) is None
    assert loader.status("https://example.org/a.png") == "new"


def test_automatic_mode_only_asks_terminals_that_may_draw_pictures() -> None:
    from reader.ui.pictures.terminal import may_draw_pictures

    assert may_draw_pictures({"TERM": "xterm-kitty"})
    assert may_draw_pictures({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"})
    assert may_draw_pictures({"TERM": "xterm-256color", "KONSOLE_VERSION": "230401"})
    assert may_draw_pictures({"TERM": "foot"})
    assert not may_draw_pictures({"TERM": "xterm-256color", "COLORTERM": "truecolor"})
    assert not may_draw_pictures({"TERM": "linux"})
    assert not may_draw_pictures({})
