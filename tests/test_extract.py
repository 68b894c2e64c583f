"""Extraction on whole pages: what a reader would see kept, dropped, named and linked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.document import (
    Article,
    CodeBlock,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    block_text,
    iter_spans,
)
from reader.export.markdown import article_to_markdown
from reader.extract import article_from_text, decode_html, extract
from reader.extract.metadata import strip_site_suffix
from reader.sanitize import is_clean

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_PAGES = sorted(p.with_suffix("").with_suffix("").name
                       for p in FIXTURES.glob("*.expected.json"))


def filler(n: int = 3) -> str:
    """Paragraphs of ordinary prose, so a test page has an article to find."""
    sentence = ("The committee met on Tuesday to discuss the harbour budget, and members "
                "argued for most of the afternoon about the cost of the new flood gate. ")
    return "".join(f"<p>{sentence * 2}Paragraph {i}.</p>" for i in range(n))


def page(body: str, head: str = "", *, html_attrs: str = "") -> str:
    return (f"<!DOCTYPE html><html {html_attrs}><head><meta charset='utf-8'>{head}</head>"
            f"<body>{body}</body></html>")


def paragraphs(article: Article) -> list[str]:
    return [b.text for b in article.blocks if isinstance(b, Paragraph)]


# --------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("name", FIXTURE_PAGES)
def test_fixture_pages_keep_the_article_and_drop_the_rest(name: str) -> None:
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    article = extract((FIXTURES / f"{name}.html").read_bytes())
    assert article.title == expected["title"]
    assert article.byline == expected["byline"]
    assert article.site_name == expected["site_name"]
    assert (article.published or "").startswith(expected["published"])
    if "lang" in expected:
        assert article.lang == expected["lang"]
    if "url" in expected:
        assert article.url == expected["url"]
    if "paragraphs" in expected:
        assert paragraphs(article) == expected["paragraphs"]
    for text in expected.get("paragraphs_include", []):
        assert text in paragraphs(article)
    if "headings" in expected:
        assert [b.text for b in article.blocks if isinstance(b, Heading)] == expected["headings"]
    figures = [f for _, f in article.figures()]
    for want, got in zip(expected.get("figures", []), figures, strict=False):
        for key, value in want.items():
            assert getattr(got, key) == value, (key, got)
    if "figures" in expected:
        assert len(figures) == len(expected["figures"])
    whole = article.to_json() + article_to_markdown(article) + article.plain_text()
    for phrase in expected["must_not_contain"]:
        assert phrase not in whole, phrase


def test_blog_post_keeps_structure_in_order() -> None:
    expected = json.loads((FIXTURES / "ghost-blog-post.expected.json").read_text())
    article = extract((FIXTURES / "ghost-blog-post.html").read_bytes())
    kinds = [b.kind for b in article.blocks if not isinstance(b, Paragraph | Figure)]
    assert kinds == expected["block_kinds_in_order"]
    lists = [b for b in article.blocks if isinstance(b, ListBlock)]
    assert [[block_text(item[0]) for item in lst.items] for lst in lists] == expected["lists"]
    assert [lst.ordered for lst in lists] == expected["ordered"]
    assert any(s.code and s.text == "musl" for s in iter_spans(lists[0]))
    code = next(b for b in article.blocks if isinstance(b, CodeBlock))
    assert code.language == expected["code"]["language"]
    assert code.text.startswith(expected["code"]["starts_with"])
    quote = next(b for b in article.blocks if isinstance(b, Quote))
    assert block_text(quote) == expected["quote"]


def test_news_page_in_windows_1252_keeps_every_figure_with_caption_and_credit() -> None:
    article = extract((FIXTURES / "harbour-news-figures.html").read_bytes())
    assert "Kaiserstraße" in article.plain_text()
    # The tracking pixel is not a figure.
    assert all("pixel" not in (f.src or "") for _, f in article.figures())


# --------------------------------------------------------------------------- decoding


def test_decoding_follows_bom_then_declared_then_meta_then_detection() -> None:
    text = "Grüße aus Köln"
    assert decode_html(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode_html(text.encode("utf-16-le").join([b"\xff\xfe", b""])) == text
    assert decode_html(text.encode("cp1252"), "iso-8859-1") == text
    meta = f"<meta charset='windows-1252'><p>{text}</p>".encode("cp1252")
    assert text in decode_html(meta)
    equiv = ("<meta http-equiv='Content-Type' content='text/html; charset=koi8-r'>"
             "<p>Привет, мир</p>").encode("koi8-r")
    assert "Привет, мир" in decode_html(equiv)
    assert decode_html(text.encode()) == text


def test_undeclared_cyrillic_is_detected() -> None:
    body = ("<html><body><p>" + "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 8
            + "</p></body></html>")
    assert "французских булок" in decode_html(body.encode("cp1251"))


def test_undecodable_bytes_are_replaced_not_raised() -> None:
    text = decode_html(b"<p>caf\xe9 \xff\xfe\x80 ok</p>", "utf-8")
    assert "ok" in text and "\ufffd" in text


# --------------------------------------------------------------------------- metadata


def test_metadata_from_json_ld_graph_open_graph_and_page() -> None:
    ld = json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "Section front"},
        {"@type": ["NewsArticle"], "headline": "Bridge reopens after repairs",
         "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"name": "Li Wei"}],
         "datePublished": "2023-05-02T10:00:00Z",
         "publisher": {"@type": "Organization", "name": "City Times"}}]})
    head = (f"<title>Bridge reopens after repairs | City Times</title>"
            f"<script type='application/ld+json'>{ld}</script>"
            "<link rel='canonical' href='/2023/bridge'>")
    article = extract(page(filler(), head, html_attrs="lang='es-MX'"),
                      "https://citytimes.example/amp/bridge")
    assert article.title == "Bridge reopens after repairs"
    assert article.byline == "Ana Ruiz, Li Wei"
    assert article.site_name == "City Times"
    assert article.published == "2023-05-02"
    assert article.lang == "es-MX"
    assert article.url == "https://citytimes.example/2023/bridge"


def test_metadata_falls_back_to_meta_tags_and_time_element() -> None:
    head = ("<title>Night trains return – Rail Weekly</title>"
            "<meta name='author' content='By Sam Patel'>"
            "<meta property='og:site_name' content='Rail Weekly'>")
    body = "<article><time datetime='2022-11-30T07:00'>30 Nov</time>" + filler() + "</article>"
    article = extract(page(body, head))
    assert article.title == "Night trains return"
    assert article.byline == "Sam Patel"
    assert article.site_name == "Rail Weekly"
    assert article.published == "2022-11-30"


@pytest.mark.parametrize(("title", "site", "want"), [
    ("Title of the story here – Site", "Site", "Title of the story here"),
    ("Title of the story here | Site", None, "Title of the story here"),
    ("Site | Title of the story here", "Site", "Title of the story here"),
    ("Brexit - the long goodbye - Politics - The Paper", None,
     "Brexit - the long goodbye - Politics"),
    ("Short | Site", None, "Short | Site"),  # too short once cut: keep the whole
])
def test_site_name_suffixes_are_stripped(title: str, site: str | None, want: str) -> None:
    assert strip_site_suffix(title, site, []) == want


# --------------------------------------------------------------------------- content


def test_json_ld_article_body_is_the_fallback_for_a_page_without_text() -> None:
    ld = json.dumps({"@type": "Article", "headline": "Paywalled",
                     "articleBody": "First paragraph of the real story.\n\nSecond one."})
    body = "<div class='teaser'><a href='/login'>Log in</a> to read.</div>"
    article = extract(page(body, f"<script type='application/ld+json'>{ld}</script>"))
    assert paragraphs(article) == ["First paragraph of the real story.", "Second one."]


def test_a_page_of_bare_text_in_divs_is_not_empty() -> None:
    text = ("Nobody marks up this page. It is a plain div of sentences, long enough to be an "
            "article, with no paragraphs, no headings, nothing semantic at all. ") * 4
    article = extract(page(f"<div><div>{text}</div></div>"))
    assert "Nobody marks up this page." in article.plain_text()


def test_links_and_images_are_resolved_and_javascript_dropped() -> None:
    body = ("<article>" + filler(2) +
            "<p>See <a href='../other/page.html'>the other page</a>, "
            "<a href='javascript:alert(1)'>this button</a>, <a href='#notes'>the notes</a> and "
            "<a href='mailto:desk@paper.example'>the desk</a> for more about it all.</p>"
            "<figure><img data-src='img/lazy.jpg' src='data:image/gif;base64,R0lGOD=' "
            "alt='Lazy'><figcaption>Lazy loaded</figcaption></figure>"
            "<figure><img src='small.jpg' srcset='big.jpg 1600w, small.jpg 400w' alt='S'>"
            "<figcaption>Responsive</figcaption></figure>" + filler(1) + "</article>")
    article = extract(page(body), "https://paper.example/news/today/story.html")
    hrefs = {link.text: link.href for link in article.links()}
    assert hrefs["the other page"] == "https://paper.example/news/other/page.html"
    assert "this button" not in hrefs
    assert "this button" in article.plain_text()
    assert hrefs["the notes"] == "#notes"
    assert hrefs["the desk"] == "mailto:desk@paper.example"
    srcs = [f.src for _, f in article.figures()]
    assert srcs == ["https://paper.example/news/today/img/lazy.jpg",
                    "https://paper.example/news/today/big.jpg"]


def test_base_href_wins_over_the_page_url() -> None:
    body = "<article>" + filler(2) + "<p>A <a href='x.html'>link</a> in the last one.</p></article>"
    article = extract(page(body, "<base href='https://cdn.example/base/'>"),
                      "https://site.example/a/b.html")
    assert article.links()[0].href == "https://cdn.example/base/x.html"


def test_tables_wrapped_text_inline_styles_and_line_breaks() -> None:
    body = ("<article>" + filler(2) +
            "<table><caption>Results</caption><tr><th>Team</th><th>Points</th></tr>"
            "<tr><td>North</td><td>12</td></tr><tr><td>South</td><td>9</td></tr></table>"
            "<p>H<sub>2</sub>O and E=mc<sup>2</sup> with <strong>bold</strong>, <em>italic</em>"
            " and <del>gone</del> text.<br>Second line of the same paragraph.</p></article>")
    article = extract(page(body))
    table = next(b for b in article.blocks if isinstance(b, Table))
    assert table.header == ("Team", "Points") and table.rows[0] == ("North", "12")
    assert table.caption == "Results"
    last = paragraphs(article)[-1]
    assert "Second line" in last and "\n" in last
    spans = [s for b in article.blocks for s in iter_spans(b)]
    assert any(s.sub and s.text == "2" for s in spans)
    assert any(s.sup and s.text == "2" for s in spans)
    assert any(s.bold and s.text == "bold" for s in spans)
    assert any(s.strike and s.text == "gone" for s in spans)


def test_double_line_breaks_inside_an_inline_wrapper_end_paragraphs() -> None:
    # Old table layouts and Blogger posts wrap a whole article in <font> or <span>.
    sentence = "The society met on Saturday in the upstairs room of the tavern. " * 3
    body = (f"<div><font face='Georgia'>{sentence}One.<br><br>\n{sentence}Two.<br>\n<br>"
            f"{sentence}Three.<br>still three</font></div>")
    got = paragraphs(extract(page(body)))
    assert [p.startswith("The society") for p in got] == [True, True, True]
    assert got[0].endswith("One.") and got[1].endswith("Two.")
    assert got[2].endswith("Three.\nstill three")


def test_a_highlighters_line_number_gutter_is_not_code() -> None:
    code = 'x = 1\ny = 2\nprint(x + y)'
    gutter = "".join(f"<span class='lnt'>{i}\n</span>" for i in range(1, 4))
    body = ("<article>" + filler() + "<div class='highlight'><table class='lntable'><tr>"
            f"<td class='lntd'><pre class='chroma'><code>{gutter}</code></pre></td>"
            f"<td class='lntd'><pre class='chroma'><code class='language-py'>{code}</code>"
            "</pre></td></tr></table></div>" + filler(1) + "</article>")
    blocks = [b for b in extract(page(body)).blocks if isinstance(b, CodeBlock)]
    assert [(b.text, b.language) for b in blocks] == [(code, "py")]


def test_footnotes_and_their_markers_are_kept() -> None:
    body = ("<article>" + filler(2) +
            "<p>The gate was finished in March.<sup><a class='footnote-anchor' "
            "href='#fn1'>1</a></sup> It has not flooded since.</p>" + filler(1) +
            "<div class='footnotes'><ol><li id='fn1'><p>Three months late, and over budget "
            "by a fifth, according to the council's own figures.</p></li></ol></div>"
            "</article>")
    text = extract(page(body)).plain_text()
    assert "March.1 It has not" in text
    assert "Three months late" in text


def test_navigation_links_where_the_article_ends_are_dropped() -> None:
    body = ("<div class='post'>" + filler() + "<p>Tickets at the <a href='/shop'>village "
            "shop</a>.</p><p><a href='/news'>« Back to News</a> | <a href='/'>Home</a></p>"
            "</div>")
    got = paragraphs(extract(page(body)))
    assert got[-1] == "Tickets at the village shop."


def test_a_list_of_other_headlines_where_the_article_ends_goes_with_its_headings() -> None:
    """"Top 15" and its headlines, in the article's table cell after the last paragraph:
    a list whose every item is one link is the site's navigation, and the headings left
    with nothing under them go too. A list the article makes (words of its own) stays."""
    topics = ["Bishops meet in Fulda to discuss the synod's next steps",
              "New organ for the cathedral paid for by a bequest",
              "Pilgrim route reopens after the winter storm damage",
              "Choir school wins national award for its youth programme",
              "Parish council votes on the future of the old rectory"]
    headlines = [f"{t} ({n})" for n in range(3) for t in topics]
    items = "".join(f"<li class='top10'><a href='/n/{i}'>{h}</a></li>"
                    for i, h in enumerate(headlines))
    body = ("<table><tr><td>" + filler() + "<p>The new gate opens in May.</p>"
            "<ul><li>Cost: 2 million</li><li>Opening: May</li><li>Architect: "
            "<a href='/a'>Jan Moll</a> of Delft</li></ul>"
            f"<h2>Top 15</h2><h3>This week</h3><ol>{items}</ol></td></tr></table>")
    text = extract(page(body)).plain_text()
    assert "Opening: May" in text
    assert "Top 15" not in text and "This week" not in text
    assert not any(t in text for t in topics)


@pytest.mark.parametrize(("label", "related", "ad"), [
    ("Das könnte Sie auch interessieren", "Weitere Beiträge", "Anzeige"),
    ("À lire aussi", "Dans la même rubrique", "Publicité"),
    ("Te puede interesar", "Noticias relacionadas", "Publicidad"),
    ("Czytaj także", "Zobacz także", "Reklama"),
])
def test_boilerplate_labels_are_recognised_in_other_languages(
        label: str, related: str, ad: str) -> None:
    """A template prints the same "You might also like" box and "Advertisement" label
    in the site's language; they go like their English twins, the article stays."""
    teasers = "".join(f"<p><a href='/n/{i}'>Ein anderer Artikel über den Hafen {i}</a> "
                      "und ein kurzer Anriss.</p>" for i in range(3))
    body = ("<div class='inhalt'>" + filler(2) + f"<div class='zwischen'><span>{ad}</span>"
            "</div>" + filler(2) + f"<div class='box'><h3>{label}</h3>{teasers}</div>"
            f"<div class='box2'><h4>{related}</h4><ul><li><a href='/a'>Erster</a></li>"
            "<li><a href='/b'>Zweiter</a></li></ul></div></div>")
    text = extract(page(body)).plain_text()
    assert "Paragraph 1." in text
    assert ad not in text and label not in text and related not in text
    assert "Ein anderer Artikel" not in text


def test_the_title_heading_is_not_repeated_in_the_body() -> None:
    body = "<article><h1>Owls at night</h1>" + filler() + "</article>"
    article = extract(page(body, "<title>Owls at night</title>"))
    assert article.title == "Owls at night"
    assert not any(isinstance(b, Heading) and b.text == "Owls at night" for b in article.blocks)


def test_plain_text_documents_become_articles() -> None:
    article = article_from_text("A title line\n\nFirst para\ncontinues.\n\n\x1b[31mSecond\n")
    assert article.title == "A title line"
    assert paragraphs(article) == ["First para continues.", "Second"]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_an_article_never_an_exception(data: bytes) -> None:
    article = extract(data)
    assert is_clean(article.title)
    assert all(is_clean(s.text) for b in article.blocks for s in iter_spans(b))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_any_text_in_markup_comes_out_clean(text: str) -> None:
    html = page(f"<article><h2>{text}</h2><p>{text}</p>" + filler(2) + "</article>",
                f"<title>{text}</title>")
    article = extract(html)
    assert is_clean(article.title)
    assert is_clean(article.plain_text())


# --------------------------------------------------------------------------- sections


def test_an_article_in_sections_keeps_every_section_by_structure_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """readability-lxml scores each card of a listicle apart and keeps one; the box whose
    same-shaped cards carry the prose is the article. Shown with the second extractor
    unavailable (an import of it fails), so the structure rule alone must do it."""
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    article = extract((FIXTURES / "walking-guide-sections.html").read_bytes())
    walks = [p for p in paragraphs(article) if len(p) > 280]
    assert [w.split()[0] for w in walks] == ["Eleven", "This", "Gentle", "The", "Flat,"]
    assert "Popular this week" not in article.plain_text()


def test_the_second_extractor_is_not_imported_for_an_ordinary_page() -> None:
    """It costs half a second to import: a page whose article is found with confidence
    must not pay for it (start-up of ``reader FILE`` and ``reader dump``)."""
    code = ("import sys; from reader.extract import extract; "
            f"a = extract(open({str(FIXTURES / 'ghost-blog-post.html')!r}, 'rb').read()); "
            "assert a.blocks; print('trafilatura' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_text_is_composed_so_a_word_matches_the_same_word_typed() -> None:
    body = ("<article><p>Le cafe\u0301 de la gare ouvre a\u0300 six heures.</p>"
            + filler() + "</article>")
    article = extract(page(body))
    assert "Le café de la gare ouvre à six heures." in paragraphs(article)


def test_soft_hyphens_go_so_a_hyphenated_word_reads_and_matches_whole() -> None:
    """A page hyphenated for the browser (``&shy;`` inside long words) reads as plain
    words: no stray hyphen or hole in the terminal, and search finds the word."""
    body = ("<article><p>Die Donau\u00addampf\u00adschiff\u00adfahrt legt um sechs "
            "Uhr am Hafen&shy;becken an.</p>" + filler() + "</article>")
    article = extract(page(body))
    assert "Die Donaudampfschifffahrt legt um sechs Uhr am Hafenbecken an." \
        in paragraphs(article)
    assert "\u00ad" not in article.plain_text()
