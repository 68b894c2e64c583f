"""Issue 11, failures 4 and 7: what a server sends becomes a sentence, and a public page
cannot make reader reach a private address.

Every test runs real HTTP servers on loopback. Since 127.0.0.1 is itself private, a
second server on 127.0.0.2 stands for a public host: the tests give the fetcher a
policy that counts 127.0.0.2 as public (``AddressPolicy(public=...)``) and, for names,
a resolver of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from reader.cli import main
from reader.document import Article, Figure
from reader.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotAPage,
    PrivateAddressRefused,
)
from reader.fetch import AddressPolicy, Fetcher, Limits, is_private_address
from reader.library import download_images
from tests.localserver import LocalServer, stall

T = TypeVar("T")
PNG = Path(__file__).parent / "fixtures" / "fetch" / "pixel.png"
PUBLIC = "127.0.0.2"  # a loopback address the tests' policy counts as public
PAGE = b"<html><body><article><p>" + b"Words of an article. " * 40 + b"</p></article></body></html>"


def run(job: Callable[[Fetcher], Awaitable[T]], policy: AddressPolicy | None = None,
        limits: Limits | None = None) -> T:
    async def scenario() -> T:
        fetcher = Fetcher(limits or Limits(connect=5, read=5, total=20),
                          policy=policy or AddressPolicy(public=frozenset({PUBLIC})))
        try:
            return await job(fetcher)
        finally:
            await fetcher.aclose()

    return asyncio.run(scenario())


def png() -> bytes:
    return PNG.read_bytes()


@pytest.fixture
def private() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.add("/page", body=PAGE, headers={"Content-Type": "text/html"})
        server.add("/img.png", body=png(), headers={"Content-Type": "image/png"})
        server.add("/admin", body=PAGE, headers={"Content-Type": "text/html"})
        yield server


@pytest.fixture
def public(private: LocalServer) -> Iterator[LocalServer]:
    with LocalServer(host=PUBLIC) as server:
        server.add("/page", body=PAGE, headers={"Content-Type": "text/html"})
        server.add("/img.png", body=png(), headers={"Content-Type": "image/png"})
        server.add("/to-admin", status=302, headers={"Location": private.url("/admin")})
        server.add("/to-public", status=302, headers={"Location": server.url("/page")})
        yield server


# ---------------------------------------------------------------------- failure 4


@pytest.mark.parametrize("location,sentence", [
    ("javascript:alert(1)", "redirected to a javascript: address, which reader refuses"),
    ("data:text/html,<p>x</p>", "redirected to a data: address, which reader refuses"),
    ("http://xn--a.xn--/x", "redirected to an address that is not valid"),
    ("//xn--a.xn--/x", "redirected to an address that is not valid"),
    ("http://[::1", "redirected to an address that is not valid"),
])
def test_a_redirect_to_an_address_httpx_cannot_take_is_one_sentence(
        location: str, sentence: str, capsys: pytest.CaptureFixture[str]) -> None:
    with LocalServer() as server:
        server.add("/go", status=302, headers={"Location": location})
        assert main(["dump", server.url("/go")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("reader: error: ") and err.count("\n") == 1, err
    assert sentence in err
    assert "Traceback" not in err and "unexpected" not in err


def test_an_address_with_a_broken_idna_name_is_one_sentence(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", "http://xn--a.xn--/x"]) == 1
    err = capsys.readouterr().err
    assert err == "reader: error: http://xn--a.xn--/x is not a valid web address.\n"


def test_failures_say_whether_trying_again_may_help(private: LocalServer) -> None:
    private.add("/gone", status=404, body=b"no")
    private.add("/busy", status=503, body=b"later")
    private.add("/pdf", body=b"%PDF-1.4 x", headers={"Content-Type": "application/pdf"})
    private.add_handler("/stall", stall(private, seconds=5))

    async def failures(fetcher: Fetcher) -> list[FetchError]:
        found: list[FetchError] = []
        for path in ("/gone", "/busy", "/pdf", "/stall"):
            try:
                await fetcher.fetch(private.url(path))
            except FetchError as exc:
                found.append(exc)
        return found

    gone, busy, pdf, slow = run(failures, limits=Limits(connect=2, read=0.5, total=10))
    assert isinstance(gone, HTTPStatusError) and gone.status == 404 and not gone.retryable
    assert isinstance(busy, HTTPStatusError) and busy.status == 503 and busy.retryable
    assert isinstance(pdf, NotAPage) and not pdf.retryable
    assert isinstance(slow, FetchTimeout) and slow.retryable
    assert gone.sentence.startswith("The server answered 404 Not Found for ")


# ---------------------------------------------------------------------- failure 7


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "2002:7f00:1::", "64:ff9b::a00:1", "224.0.0.1", "not an address",
])
def test_private_addresses_are_recognised_in_every_spelling(address: str) -> None:
    assert is_private_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"])
def test_public_addresses_are_public(address: str) -> None:
    assert not is_private_address(address)


def test_a_public_page_may_not_pull_in_a_private_image(
        public: LocalServer, private: LocalServer) -> None:
    async def job(fetcher: Fetcher) -> str:
        page = await fetcher.fetch(public.url("/page"))
        with pytest.raises(PrivateAddressRefused) as caught:
            await fetcher.fetch_image(private.url("/img.png"), origin=page.url)
        return caught.value.sentence

    sentence = run(job)
    assert private.requests_to("/img.png") == []  # refused before anything was sent
    assert sentence == (
        f"{public.url('/page')} is a page from the internet, but {private.url('/img.png')} "
        "is at a private network address (127.0.0.1), which reader keeps out of reach of "
        "pages from the internet (allow_private_addresses = true in config.toml, or "
        "READER_TUI_ALLOW_PRIVATE=1, lifts this).")


def test_a_public_page_may_load_public_images(public: LocalServer) -> None:
    async def job(fetcher: Fetcher) -> bytes:
        page = await fetcher.fetch(public.url("/page"))
        return (await fetcher.fetch_image(public.url("/img.png"), origin=page.url)).body

    assert run(job) == png()


def test_a_page_served_from_a_private_address_may_load_private_images(
        private: LocalServer) -> None:
    async def job(fetcher: Fetcher) -> bytes:
        page = await fetcher.fetch(private.url("/page"))
        return (await fetcher.fetch_image(private.url("/img.png"), origin=page.url)).body

    assert run(job) == png()


def test_what_the_person_asks_for_may_go_anywhere(private: LocalServer) -> None:
    async def job(fetcher: Fetcher) -> bytes:
        return (await fetcher.fetch_image(private.url("/img.png"))).body

    assert run(job) == png()


def test_a_page_cannot_claim_to_be_private_through_its_canonical_url(
        public: LocalServer, private: LocalServer) -> None:
    """Only an address reader itself fetched counts as a private page; a page that
    names 127.0.0.1 as its canonical URL is still the public page it came from."""
    article = Article(url=private.url("/page"), title="t",
                      blocks=(Figure(private.url("/img.png")),))

    async def job(fetcher: Fetcher) -> dict[str, bytes]:
        await fetcher.fetch(public.url("/page"))
        return await download_images(article, fetcher, origin=public.url("/page"))

    assert run(job) == {}
    assert private.requests_to("/img.png") == []


def test_a_public_host_may_not_redirect_to_a_private_address(
        public: LocalServer, private: LocalServer) -> None:
    async def job(fetcher: Fetcher) -> str:
        with pytest.raises(PrivateAddressRefused) as caught:
            await fetcher.fetch(public.url("/to-admin"))
        return caught.value.sentence

    sentence = run(job)
    assert private.requests_to("/admin") == []
    assert sentence.startswith(f"{public.url('/to-admin')} is on the internet and "
                               f"redirected further, but {private.url('/admin')} is at a "
                               "private network address (127.0.0.1)")


def test_a_public_host_may_redirect_to_a_public_address(public: LocalServer) -> None:
    result = run(lambda fetcher: fetcher.fetch(public.url("/to-public")))
    assert result.url == public.url("/page")


def test_the_config_key_and_the_environment_lift_the_policy(
        public: LocalServer, private: LocalServer, reader_home: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def job(fetcher: Fetcher) -> str:
        return (await fetcher.fetch(public.url("/to-admin"))).url

    lifted = AddressPolicy(allow_private=True, public=frozenset({PUBLIC}))
    assert run(job, policy=lifted) == private.url("/admin")

    assert not AddressPolicy.from_env().allow_private
    monkeypatch.setenv("READER_TUI_ALLOW_PRIVATE", "1")
    assert AddressPolicy.from_env().allow_private
    monkeypatch.delenv("READER_TUI_ALLOW_PRIVATE")
    from reader import locations

    config = locations.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("allow_private_addresses = true\n")
    assert AddressPolicy.from_env().allow_private


def test_a_name_that_changes_its_answer_never_reaches_the_private_address() -> None:
    """DNS rebinding: the name says "public" when checked and "private" afterwards.
    The connection goes to the address that was checked, or nowhere."""
    with LocalServer(host=PUBLIC) as outside, LocalServer(port=outside.port) as inside:
        for server in (outside, inside):
            server.add("/img.png", body=png(), headers={"Content-Type": "image/png"})
        answers = ["127.0.0.2"]

        async def resolver(host: str, port: int) -> list[str]:
            assert host == "rebind.test"
            return [answers.pop(0) if answers else "127.0.0.1"]

        policy = AddressPolicy(public=frozenset({PUBLIC}), resolver=resolver)
        url = f"http://rebind.test:{outside.port}/img.png"

        async def job(fetcher: Fetcher) -> bytes | None:
            try:
                result = await fetcher.fetch_image(url, origin="https://public.example/")
            except PrivateAddressRefused:
                return None
            return result.body

        body = run(job, policy=policy)
        assert inside.requests_to("/img.png") == []
        assert body is None or len(outside.requests_to("/img.png")) == 1
