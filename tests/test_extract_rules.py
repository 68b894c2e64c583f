"""Each named boilerplate rule on its own: what it removes, and what it must leave alone."""

from __future__ import annotations

import lxml.html
import pytest

from reader.extract import extract, rules

ARTICLE = "".join(
    f"<p>Paragraph {i} of the story: the river rose overnight and the town spent the day "
    f"moving furniture upstairs, filling sandbags and waiting for the water to fall.</p>"
    for i in range(5))


def fired(html: str) -> tuple[list[str], str, str]:
    """Rule names that fired on ``html``, the article's text and the text left beside it."""
    root = lxml.html.fromstring(f"<div><article>{ARTICLE}</article>{html}</div>")
    names = rules.apply_rules(root)
    article = root.find(".//article")
    assert article is not None
    text = article.text_content()
    article.drop_tree()
    return names, text, root.text_content()


BOXES = {
    "comments": [
        "<div id='comments'><h3>3 comments</h3><p>Nice piece!</p></div>",
        "<div class='comment-respond'><h3 id='reply-title'>Leave a Reply</h3>"
        "<form><textarea></textarea></form></div>",
        "<section><h3>Leave a Reply</h3><p>Your email address will not be published.</p></section>",
    ],
    "table_of_contents": [
        "<div id='ez-toc-container'><p>Table of Contents</p>"
        "<ul><li><a href='#a'>A</a></li></ul></div>",
        "<nav class='toc'></nav>",
        "<div><h2>Contents</h2><ol><li><a href='#one'>One</a></li>"
        "<li><a href='#two'>Two</a></li></ol></div>",
    ],
    "share": [
        "<div class='sharedaddy sd-sharing-enabled'><a href='#'>Share on Facebook</a></div>",
        "<ul class='shareBar'><li><a href='#'>Share on X</a></li></ul>",
        "<div><span>Share this:</span></div>",
    ],
    "newsletter": [
        "<div class='newsletter-box'><h3>Subscribe to our newsletter</h3><input></div>",
        "<div class='mc4wp-form'><p>Enter your email for updates</p></div>",
        "<p>Subscribe to our newsletter for the day's top stories.</p>",
    ],
    "ads": [
        "<div class='ad-slot'><span>Advertisement</span></div>",
        "<ins class='adsbygoogle'></ins>",
        "<p>ADVERTISEMENT</p>",
    ],
    "related": [
        "<div class='jp-relatedposts'><h3>Related</h3><a href='/x'>Other story</a></div>",
        "<h3>You May Also Like</h3><ul><li><a href='/a'>Markets rally</a></li>"
        "<li><a href='/b'>Rain again</a></li></ul>",
        "<section class='more-stories'><a href='/c'>Popular News</a></section>",
        # A label and its links on one line, longer than a label alone.
        "<p>READ MORE: <a href='/d'>Why the harbour still floods every spring</a> | "
        "<a href='/e'>Budget talks stall again over the new gate</a></p>",
        # Teaser cards whatever the box is called: a linked headline and a summary each.
        "<div class='grid'>" + "".join(
            f"<div class='c'><h3><a href='/{i}'>Other story number {i}</a></h3>"
            f"<p>A line or two of summary about the other story, to tempt a click.</p></div>"
            for i in range(3)) + "</div>",
    ],
    "author_box": [
        "<div class='author-bio'><img src='me.jpg'><p>Ana writes about rivers.</p></div>",
        "<section class='about-the-author'><p>Ana writes about rivers.</p></section>",
        "<div><h4>About the author</h4></div>",
    ],
    "cookies": [
        "<div id='cookie-banner'><p>We use cookies.</p><button>Accept cookies</button></div>",
        "<div class='gdpr-consent'><p>Your privacy choices</p></div>",
        "<p>This website uses cookies to improve your experience.</p>",
    ],
    "breadcrumbs": [
        "<ol class='breadcrumb'><li><a href='/'>Home</a></li><li>World</li></ol>",
        "<div id='breadcrumbs'><a href='/'>Home</a> › <a href='/news'>News</a></div>",
    ],
    "byline": [
        "<div class='entry-meta'>By Ana Ruiz · 3 March 2025</div>",
        # Component sites name their boxes in data attributes, not classes.
        "<div data-component='byline-block' class='sc-2b5e3b35-0'><span>Ana Ruiz</span>"
        "<time>3 March 2025</time></div>",
    ],
    "page_chrome": [
        "<nav><a href='/'>Home</a><a href='/news'>News</a></nav>",
        "<div class='sidebar'><h3>Stay Connected</h3></div>",
        "<a class='skip-link' href='#main'>Skip to content</a><p>All rights reserved.</p>",
    ],
}


@pytest.mark.parametrize(("rule", "box"), [(r, b) for r, boxes in BOXES.items() for b in boxes])
def test_each_rule_removes_its_kind_of_box_and_keeps_the_article(rule: str, box: str) -> None:
    names, text, beside = fired(box)
    assert rule in names
    assert text.count("Paragraph") == 5
    assert beside.strip() == ""


def test_every_rule_is_named_described_and_tested() -> None:
    assert set(BOXES) == {r.name for r in rules.RULES}
    assert all(r.description for r in rules.RULES)


def test_one_related_link_in_the_text_is_a_cross_reference_and_stays() -> None:
    line = ("<p>Related: <a href='/x'>Rich are paying more in taxes but not as much as "
            "they used to</a></p>")
    root = lxml.html.fromstring(f"<div><article>{ARTICLE}{line}</article></div>")
    rules.apply_rules(root)
    assert "Rich are paying more" in root.text_content()


def test_sections_with_long_text_under_linked_headings_are_not_teaser_cards() -> None:
    sections = "".join(
        f"<section><h3><a href='/{i}'>Tool number {i}</a></h3>{ARTICLE}</section>"
        for i in range(3))
    root = lxml.html.fromstring(f"<div><div class='list'>{sections}</div><p>x</p></div>")
    rules.apply_rules(root, total_text=100 * len(ARTICLE))
    assert root.text_content().count("Paragraph 4 of the story") == 3


def test_a_lone_teaser_card_inside_the_article_goes() -> None:
    card = ("<div class='box'><div class='boxhead'>Podcast</div><div class='teaser'>"
            "<h2><a href='/news/podcast-100.html'>The Flood Update: our desk answers "
            "your questions</a></h2><p>Twice a week our science desk explains the "
            "background. <a href='/news/podcast-100.html'>more</a></p></div></div>")
    root = lxml.html.fromstring(f"<div><article class='box'>{ARTICLE}{card}{ARTICLE}"
                                "</article></div>")
    rules.apply_rules(root, total_text=100 * len(ARTICLE))
    text = root.text_content()
    assert "Twice a week" not in text and "Podcast" not in text
    assert text.count("Paragraph 4 of the story") == 2


@pytest.mark.parametrize("section", [
    # A heading linking to its source, over a paragraph that links elsewhere too.
    "<div><h3><a href='/report.pdf'>The council's report on the flood</a></h3><p>Read with "
    "<a href='/map'>the map of the district</a>: the east bank flooded first.</p></div>",
    # A heading that is an anchor on this page.
    "<div><h3><a href='#timeline'>Timeline of the night</a></h3><p>At two in the morning "
    "the river topped the wall.</p></div>",
    # A linked heading over more text than a teaser's summary.
    "<div><h3><a href='/town'>The town</a></h3>" + ARTICLE + "</div>",
])
def test_a_linked_heading_over_the_articles_own_text_is_not_a_teaser(section: str) -> None:
    root = lxml.html.fromstring(f"<div><article>{ARTICLE}{section}</article></div>")
    before = " ".join(root.text_content().split())
    rules.apply_rules(root, total_text=100 * len(ARTICLE))
    assert " ".join(root.text_content().split()) == before


@pytest.mark.parametrize("box", [
    # Taxonomy classes on the article itself do not mark it as a share bar or an ad.
    "<div class='post category-social tag-share'>{article}</div>",
    # A section id made from a heading is a slug, not a kind of box.
    "<div class='section' id='sharing-with-a-single-developer'>{article}</div>",
    # Several real paragraphs with few links are prose, whatever the class says.
    "<div id='read-more'>{article}</div>",
    # Words inside other words do not count.
    "<div class='shared-content header-advance'>{article}</div>",
])
def test_rules_do_not_take_article_text_with_them(box: str) -> None:
    root = lxml.html.fromstring("<div>" + box.format(article=ARTICLE) + "<p>tail</p></div>")
    rules.apply_rules(root, total_text=10 * len(ARTICLE))
    assert "Paragraph 4 of the story" in root.text_content()


def test_code_is_never_judged() -> None:
    code = "<pre><span class='comment'># share the ad config</span>\nx = 1</pre>"
    root = lxml.html.fromstring(f"<div><article>{ARTICLE}{code}</article></div>")
    rules.apply_rules(root)
    assert "# share the ad config" in root.text_content()


def test_a_box_holding_most_of_the_page_is_never_removed() -> None:
    root = lxml.html.fromstring(f"<div><div class='content ad-free'>{ARTICLE}</div></div>")
    assert rules.apply_rules(root) == []


def test_rules_work_inside_a_whole_page_extraction() -> None:
    boxes = "".join(b for group in BOXES.values() for b in group[:1])
    article = extract(f"<html><body><main><article><h1>Flood</h1>{ARTICLE}{boxes}</article>"
                      f"</main></body></html>")
    text = article.plain_text()
    assert text.count("Paragraph") == 5
    for phrase in ("Share on Facebook", "Advertisement", "Accept cookies", "Leave a Reply",
                   "Table of Contents", "Subscribe", "Ana writes", "Home"):
        assert phrase not in text, phrase


# ------------------------------------------------------- rules that cannot take the article


def test_a_wiki_edit_link_is_not_part_of_its_heading() -> None:
    html = ("<html><body><div id='content'><h2><span class='mw-headline'>History</span>"
            "<span class='mw-editsection'><span>[</span><a href='/edit?s=1'>edit</a>"
            f"<span>]</span></span></h2>{ARTICLE}</div></body></html>")
    headings = [b.text for b in extract(html).blocks if b.__class__.__name__ == "Heading"]
    assert headings == ["History"]


def test_words_inside_a_sentence_survive_whatever_their_class() -> None:
    html = ("<html><body><article><p><span class='dateline'>CAIRO —</span> Gunmen opened fire"
            " on visitors at the museum, and officials plan to reverse their position on "
            "<a class='meta-link' href='/sudan'>Sudan</a> and lift sanctions.</p>"
            f"{ARTICLE}</article></body></html>")
    text = extract(html).plain_text()
    assert "CAIRO — Gunmen opened fire" in text
    assert "position on Sudan and lift sanctions" in text


def test_an_ad_label_takes_only_its_own_slot() -> None:
    html = ("<html><body><p>Advertisement</p><div class='column'>"
            + "".join(f"<p><a href='/l{i}'>Linked headline number {i} of the day</a> and a few "
                      "words of summary after it.</p>" for i in range(6))
            + f"</div><div class='slot'><span>- Advertisement -</span><ins class='adsbygoogle'>"
              f"</ins></div>{ARTICLE}</body></html>")
    text = extract(html).plain_text()
    assert "Advertisement" not in text
    assert "Paragraph 4 of the story" in text


def test_a_marked_body_in_a_box_named_like_boilerplate_is_spared() -> None:
    short = "".join(f"<p>Part {i}: the river rose overnight and the town spent the day "
                    "moving furniture upstairs, filling sandbags and waiting for the water to "
                    "fall, while the council opened the school hall for families.</p>"
                    for i in range(3))  # too short to be spared as "a box of prose"
    root = lxml.html.fromstring(
        f"<div><div class='widget sidebar-like'><div class='entry-content'>{short}</div>"
        "</div><div class='widget'><a href='/x'>Archive</a></div></div>")
    rules.apply_rules(root, total_text=100 * len(ARTICLE))  # as on a page of much else
    assert "Part 1: the river rose" in root.text_content()
    assert "Archive" not in root.text_content()


def test_prose_written_with_line_breaks_counts_as_prose() -> None:
    prose = "<br><br>".join(
        f"Line {i}: the river rose overnight and the town spent the day moving furniture "
        "upstairs and filling sandbags." for i in range(8))
    root = lxml.html.fromstring(f"<div><div class='share-wrapper'>{prose}</div></div>")
    rules.apply_rules(root, total_text=100 * len(prose))  # as on a page of much else
    assert "Line 7" in root.text_content()
