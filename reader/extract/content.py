"""Finding the article in a page: prune, score with readability-lxml, check, fall back.

The page is pruned first (scripts, hidden boxes and the named boilerplate rules of
:mod:`reader.extract.rules`), which both removes what readability-lxml would mistake for
content and makes its scoring cheaper: it scores a smaller tree. Its choice is then
checked against the page: when the smallest box holding all the paragraphs it picked
also holds real paragraphs it dropped (captions, quotes, a pinned post) and little else,
that box is taken instead. When the pick is one section of an article in sections (a
listicle's cards, a guide's chapters), the box holding it and its same-shaped sibling
sections is taken, if that box is mostly prose with few links (:func:`_sections`).
When readability-lxml finds nothing, the page's own marked article body
(``itemprop=articleBody``, a single ``<article>`` or ``<main>``) is used, then the densest
text container, so a page that has an article never comes back empty. (Preferring the
marked body over readability's pick when it is larger was tried and measured: marked
bodies often carry galleries, players and teasers, and precision fell.)
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml.html import HtmlElement
from readability import Document

from reader.extract import rules, settings

# Stripped before anything else: never text, never content.
_JUNK = ("script", "style", "noscript", "template", "link", "meta", "svg", "canvas",
         "iframe", "object", "embed", "input", "button", "select", "textarea")
SIZE_ATTRIBUTE = "data-reader-size"
MAX_DEPTH = settings.MAX_DEPTH  # deeper elements are collapsed to their text (flatten_deep)
# Whether anything sits deeper than MAX_DEPTH below the root (html, body, then the limit).
_TOO_DEEP = lxml.etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 2) + ")")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PROSE = settings.PROSE_CHARS
_MAYBE_HIDDEN = "//*[@hidden or @aria-hidden='true' or @style]"
_SEMANTIC = ("//*[@itemprop='articleBody']", "//article", "//main", "//*[@role='main']")

_SENTENCE_ENDS = (".", "!", "?", "…", ".”", "?”", "!”", ".\"", ".»", "»", "”", ".)")
_FOOTNOTE = re.compile(r"foot(?=[-_]?notes?)", re.IGNORECASE)
_FOOTNOTE_XPATH = ("//*[@class or @id][contains(translate(@class, 'FOTN', 'fotn'), 'footnote') or "
                   "contains(translate(@id, 'FOTN', 'fotn'), 'footnote')]")

# readability-lxml logs every retry at INFO; it is not ours to report.
logging.getLogger("readability.readability").setLevel(logging.WARNING)


class _PrunedDocument(Document):
    """readability-lxml scoring a tree we already parsed and cleaned.

    Its own ``_parse`` re-parses the HTML and runs lxml's Cleaner over it, which our
    pruning already did; a deep copy of the pruned tree is all it needs (it mutates it).
    """

    def get_link_density(self, elem: HtmlElement) -> float:
        """readability-lxml's link density, with its text length measured by splitting
        instead of three regular expressions over the whole text (on a long article
        its largest cost, paid on every candidate box)."""
        linked = sum(_length(a) for a in elem.iterdescendants("a"))
        return float(linked) / max(_length(elem), 1)

    picked: HtmlElement | None = None

    def get_clean_html(self) -> str:
        """The picked box itself, kept for :func:`_readability` (readability-lxml's
        documented hook): serialising it to HTML and parsing that again cost time on a
        long article and gave the same tree. The string returned only has to be as long
        as that HTML for readability's "too short, try again" check: the text is, unless
        it is short, when the real HTML is made."""
        self.picked = self.html
        text = self.html.text_content()
        if len(text) >= self.retry_length:
            return text
        return super().get_clean_html()

    def score_paragraphs(self) -> dict[HtmlElement, dict[str, Any]]:
        """readability-lxml's paragraph scoring, the same sums, with each paragraph's
        length and commas counted by splitting rather than by its three regular
        expressions per paragraph (a third of its time on a long article)."""
        min_length = self.min_text_length
        candidates: dict[HtmlElement, dict[str, Any]] = {}
        ordered: list[HtmlElement] = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent = elem.getparent()
            if parent is None:
                continue
            grand = parent.getparent()
            text = elem.text_content() or ""
            words = text.split()
            length = sum(map(len, words)) + len(words) - 1 if words else 0
            if length < min_length:
                continue
            if parent not in candidates:
                candidates[parent] = self.score_node(parent)
                ordered.append(parent)
            if grand is not None and grand not in candidates:
                candidates[grand] = self.score_node(grand)
                ordered.append(grand)
            score = 1 + text.count(",") + 1 + min(length / 100, 3)
            candidates[parent]["content_score"] += score
            if grand is not None:
                candidates[grand]["content_score"] += score / 2.0
        for elem in ordered:
            candidates[elem]["content_score"] *= 1 - self.get_link_density(elem)
        return candidates

    def _parse(self, input: HtmlElement) -> HtmlElement:
        tree = copy.deepcopy(input)
        # Every element's proxy made once and kept while readability-lxml walks the
        # copy (five times): lxml otherwise makes and frees one at each visit.
        self._alive = list(tree.iter())
        # Its "unlikely candidate" pattern matches "foot" anywhere in a class or id, so
        # footnotes and the numbers that point at them would go with the footers; a
        # footnote is part of the article. Renamed in this copy only.
        for el in tree.xpath(_FOOTNOTE_XPATH):
            for attr in ("class", "id"):
                value = el.get(attr)
                if value:
                    el.set(attr, _FOOTNOTE.sub("note", value))
        _drop_picture_link_boxes(tree)
        return tree


_PICTURE_BOXES = ("//div[.//img]", "//section[.//img]", "//ul[.//img]")
_IMAGE_URL = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.IGNORECASE)


def _drop_picture_link_boxes(tree: HtmlElement) -> None:
    """What readability-lxml's cleaning would drop but for ``keep_all_images``: boxes
    holding pictures that are mostly links to elsewhere — previous/next teasers with
    thumbnails, photo toolbars, strips of gallery links. ``keep_all_images`` makes it
    spare every ``<div>`` with a picture; the pictures of the article stay, these go."""
    for box in tree.xpath(" | ".join(_PICTURE_BOXES)):
        if box.getparent() is None:
            continue
        text = len(text_of(box))
        if text > settings.PICTURE_BOX_CHARS or (
                box.find(".//p") is not None and rules.prose_paragraphs(box)):
            continue
        if text:
            if rules.link_density(box, text) <= settings.PICTURE_BOX_LINK_DENSITY:
                continue
        else:
            # No words at all: a strip of thumbnails, each linking to another page.
            images = box.findall(".//img")
            if len(images) < 2 or not all(_links_away(img) for img in images):
                continue
        box.drop_tree()


def _links_away(img: HtmlElement) -> bool:
    link = next(img.iterancestors("a"), None)
    if link is None:
        return False
    href = link.get("href") or ""
    return bool(href) and not _IMAGE_URL.search(href)


@dataclass
class Content:
    """The element chosen as the article and how it was found. (Every dataclass here has a
    docstring: without one ``@dataclass`` computes ``inspect.signature`` for it at import.)"""

    element: HtmlElement
    method: str  # "readability", "semantic" or "density", for tests and --debug


def _length(el: HtmlElement) -> int:
    """The length of ``el``'s text with each run of whitespace one character, as
    readability-lxml's ``text_length`` measures it (give or take non-breaking spaces)."""
    text = el.text_content() if len(el) else el.text  # (a link's one text: no XPath)
    if not text:
        return 0
    words = text.split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def text_of(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())  # as rules.box_text


def flatten_deep(root: HtmlElement, limit: int = MAX_DEPTH) -> int:
    """Collapse every element nested deeper than ``limit`` into its plain text.

    Readability's scoring and the block builder walk the tree; a hostile page nested
    thousands deep must not exhaust the stack. Real articles sit far shallower, and the
    text of what is flattened is kept. Returns how many subtrees were collapsed.
    """
    deep = _TOO_DEEP if limit == MAX_DEPTH else lxml.etree.XPath(
        "boolean(" + "/*" * (limit + 2) + ")")
    if not deep(root):
        return 0  # nothing that deep: one search in C instead of a walk in Python
    collapsed = 0
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        children = [c for c in el if isinstance(c.tag, str)]
        if depth >= limit and children:
            text = el.text_content()
            for child in list(el):
                el.remove(child)  # the tails go too: text_content() already holds them
            el.text = text
            collapsed += 1
            continue
        stack.extend((child, depth + 1) for child in children)
    return collapsed


def prune(doc: HtmlElement) -> list[str]:
    """Strip scripts, hidden boxes and boilerplate from the whole page; rule names fired."""
    clean(doc)
    return prune_rules(doc)[0]


def clean(doc: HtmlElement) -> None:
    """Strip what is never text (scripts, styles, comments, hidden boxes) and note the
    pictures' declared sizes: the page as a browser would show it, before any rule."""
    for el in list(doc.iter(*_JUNK)):
        el.drop_tree()
    flatten_deep(doc)
    for el in list(doc.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        tail = el.tail
        parent = el.getparent()
        if parent is not None:
            if tail:
                previous = el.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            parent.remove(el)
    for el in doc.xpath(_MAYBE_HIDDEN):
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if el.get("hidden") is not None or (el.get("aria-hidden") == "true" and not _pictures(el)):
            el.drop_tree()
            continue
        style = el.get("style")
        if style and _HIDDEN_STYLE.search(style):
            el.drop_tree()
    for img in doc.iter("img"):
        # readability-lxml strips width and height; the block builder needs them to tell
        # a picture from a tracking pixel or an icon.
        width, height = img.get("width"), img.get("height")
        if width or height:
            img.set(SIZE_ATTRIBUTE, f"{width or ''}x{height or ''}")


def prune_rules(doc: HtmlElement) -> tuple[list[str], int]:
    """Remove the boilerplate the named rules mark from a cleaned page: the rule names
    fired, and the characters of non-link text the removed boxes held."""
    body = doc.find("body")
    root = body if body is not None else doc
    found = rules.find_boilerplate(root)
    removed = rules.removed_prose(found)
    return rules.remove(found), removed


def _pictures(el: HtmlElement) -> bool:
    return el.tag == "img" or el.find(".//img") is not None


def select(doc: HtmlElement, url: str | None) -> Content | None:
    """The element holding the article in the pruned ``doc``, or ``None``."""
    picked = _readability(doc, url)
    if picked is not None and (_outside_marked_body(doc, picked) or _a_sliver(doc, picked)):
        picked = _semantic(doc) or picked
    if picked is not None and picked.method == "semantic":
        return picked
    if picked is not None:
        chosen = _widened(doc, picked) or picked
        sections = _sections(doc, picked, chosen)
        if sections is not None:
            return sections
        if chosen is picked:
            _drop_link_cells(picked.element)
            _add_lead(doc, picked)
        return chosen
    return _semantic(doc) or densest(doc)


def _drop_link_cells(picked: HtmlElement) -> None:
    """A page laid out as a table: readability-lxml scores the row holding the story's
    cell, and keeps the row whole, the columns of headline links beside the story too
    (it cleans link-heavy boxes, but never a table cell). In a row where one cell holds
    the article's paragraphs, a cell that is mostly links and holds none is a column of
    navigation."""
    for row in picked.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        if len(cells) < 2:
            continue
        prose = [prose_chars(c, settings.PROSE_BOX_CHARS) for c in cells]
        if max(prose) < settings.PROSE_BOX_CHARS:
            continue  # no cell holds an article: a table of data, left as it is
        for cell, chars in zip(cells, prose, strict=True):
            if chars:
                continue
            length = len(text_of(cell))
            if length and rules.link_density(cell, length) > settings.LINK_CELL_DENSITY:
                cell.drop_tree()


def _a_sliver(doc: HtmlElement, picked: Content) -> bool:
    """Whether readability-lxml's pick is a sliver of the page's one marked article
    (a caption, a quote) because the article is written in lists and headings, which
    it does not score: the marked article, mostly text rather than links, is the story."""
    marked = _marked(doc)
    if marked is None:
        return False
    picked_text = picked.element.text_content()
    marked_text = marked.text_content()
    # A pick that is most of the article (the usual case) is told at once: its text
    # squashed is at least its non-space characters, the marked one's at most its raw
    # length. Squashing a long article's text costs tens of milliseconds per call.
    if _solid_chars(picked_text) >= settings.SLIVER_SHARE * len(marked_text):
        return False
    picked_length = len(" ".join(picked_text.split()))
    length = len(" ".join(marked_text.split()))
    return picked_length < settings.SLIVER_SHARE * length and \
        rules.link_density(marked, length) < settings.PROSE_LINK_DENSITY


#: Every character ``str.split()`` splits at (``str.isspace``), for :func:`_solid_chars`.
_SPACES = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x85",
           "\xa0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f",
           "\u205f", "\u3000")


def _solid_chars(text: str) -> int:
    """How many characters of ``text`` are not whitespace (counted in C, no split)."""
    return len(text) - sum(map(text.count, _SPACES))


#: How many of the pick's paragraphs are looked for in the marked article.
_PICK_PARAGRAPHS_LOOKED = 5


def _outside_marked_body(doc: HtmlElement, picked: Content) -> bool:
    """Whether readability's pick shares no text with the page's one marked article
    (``itemprop=articleBody``, the only ``<article>``): it scored a box beside the story
    (a sidebar's newsletter form, a list of links) above a short story. The page's own
    markup says where the article is; a pick that has none of it is a neighbour."""
    marked = _marked(doc)
    if marked is None:
        return False
    inside = marked.text_content()
    if len(inside) < settings.SEMANTIC_MIN_CHARS:
        return False
    # Fast path: readability copies a paragraph's text as it is, so a pick inside the
    # marked article shows at its first paragraphs (a long article answers at once).
    looked = 0
    for p in picked.element.iter("p"):
        text = p.text_content()
        if len(text) > _PROSE and len(" ".join(text.split())) > _PROSE:
            if text in inside:
                return False
            looked += 1
            if looked >= _PICK_PARAGRAPHS_LOOKED:
                break
    squashed = " ".join(inside.split())
    for p in _elements(_PARAGRAPHS(picked.element)):
        text = text_of(p)
        if len(text) > _PROSE and text in squashed:
            return False
    return True


def _add_lead(doc: HtmlElement, picked: Content) -> None:
    """The standfirst: prose between the headline ``<h1>`` and the first paragraph
    readability picked (news sites put it in the article's header, apart from the body,
    and readability scores the body alone). Put back before the pick, in page order."""
    headlines = [h for h in doc.iter("h1") if text_of(h)]
    if len(headlines) != 1:
        return
    first = next((p for p in picked.element.iter("p") if len(p.text_content()) > _PROSE), None)
    if first is None:
        return
    first_text = first.text_content()
    headline = text_of(headlines[0])
    leads: list[HtmlElement] = []
    started = False
    for el in doc.iter("h1", "p", "li", "table", "blockquote", "h2", "h3"):
        if el is headlines[0]:
            started = True
            continue
        if not started:
            continue
        if el.tag == "p" and el.text_content() == first_text:
            break
        if el.tag != "p":
            if text_of(el) == headline or el.tag in ("h2", "h3"):
                # The headline again (an audio player's track name), or a subheading
                # over the standfirst or the body: the standfirst is still in reach.
                continue
            return  # something else between the headline and the body: not a standfirst
        if next(el.iterancestors("figure", "figcaption"), None) is not None:
            continue  # a caption, not a standfirst
        text = text_of(el)
        # Sentences, not a kicker, a dateline or a headline restated: long, and ended.
        if len(text) >= settings.LEAD_MIN_CHARS and text.endswith(_SENTENCE_ENDS) and \
                rules.link_density(el, len(text)) < settings.PROSE_LINK_DENSITY:
            leads.append(el)
        if len(leads) > settings.LEAD_MAX_PARAGRAPHS:
            return
    else:
        return  # the pick's first paragraph is not after the headline
    for lead in reversed(leads):
        picked.element.insert(0, copy.deepcopy(lead))
        picked.element[0].tail = None


def _readability(doc: HtmlElement, url: str | None) -> Content | None:
    try:
        # keep_all_images: readability otherwise drops pictures its scoring finds
        # "too many" of — on the development set 305 figures kept instead of 192, the
        # text score unchanged (boilerplate images are already pruned by the rules).
        scorer = _PrunedDocument(doc, url=url)
        summary = scorer.summary(html_partial=True, keep_all_images=True)
    except Exception:
        return None
    element = scorer.picked
    if element is None:
        if not summary or not summary.strip():
            return None
        try:
            element = lxml.html.fragment_fromstring(summary, create_parent="div")
        except Exception:  # lxml raises more than ParserError on odd fragments
            return None
    if not text_of(element):
        return None
    return Content(element, "readability")


def _widened(doc: HtmlElement, picked: Content) -> Content | None:
    """The smallest box holding all of readability's paragraphs, when it also holds
    prose readability left out (a caption, a quote, a list, a pinned post)."""
    # Raw text as the key: the same paragraph reads the same in both trees, and
    # squashing the whitespace of every paragraph on the page costs time.
    chosen = {t for p in picked.element.iter("p") if len(t := p.text_content()) > _PROSE}
    if len(chosen) < 2:
        return None
    texts = {p: p.text_content() for p in doc.iter("p")}
    sources = [p for p, t in texts.items() if t in chosen]
    if len(sources) < 2:
        return None
    common = set(sources[0].iterancestors())
    for p in sources[1:]:
        common.intersection_update(p.iterancestors())
    lca = next((a for a in sources[0].iterancestors() if a in common), None)
    if lca is None or lca.tag in ("html", "body"):
        return None
    missing = 0
    for p in lca.iter("p"):
        t = texts.get(p, "")
        if len(t) > _PROSE and t not in chosen:
            length = len(text_of(p))
            if length > _PROSE and rules.link_density(p, length) < settings.WIDEN_LINK_DENSITY:
                missing += length
    if missing < _PROSE:
        return None
    # Only when the box is that prose and little else: what it adds beyond readability's
    # pick is mostly the missing paragraphs, and not much next to the whole pick.
    picked_length = len(text_of(picked.element))
    added = len(text_of(lca)) - picked_length
    if added > settings.WIDEN_NOISE * missing or added > settings.WIDEN_MAX * picked_length:
        return None
    return Content(lca, "widened")


def _sections(doc: HtmlElement, picked: Content, chosen: Content) -> Content | None:
    """The whole article when readability-lxml scored one section of it.

    An article in sections (a listicle's items, a guide's chapters, a report's parts)
    gives each its own box; readability-lxml scores the boxes apart and keeps the best
    one. A box a few levels above the pick that holds at least twice the pick's prose,
    and is itself mostly prose with few links (not a page of teasers, menus and
    footers), is the article: structure and density, not the name of any class."""
    if chosen is not picked:
        base: HtmlElement | None = chosen.element
    else:
        wanted = {t for p in picked.element.iter("p") if len(t := p.text_content()) > _PROSE}
        if not wanted:
            return None
        # The first and the last of them on the page: the box holding both holds all
        # between (found from each end, the middle of a long article is not read).
        paragraphs = list(doc.iter("p"))
        first = next((p for p in paragraphs if p.text_content() in wanted), None)
        if first is None:
            paragraphs = _elements(_LEAF_DIVS(doc))
            first = next((p for p in paragraphs if p.text_content() in wanted), None)
            if first is None:
                return None
        last = next(p for p in reversed(paragraphs) if p.text_content() in wanted)
        around = set(last.iterancestors())
        base = next((a for a in first.iterancestors() if a in around), None) \
            if last is not first else first.getparent()
    if base is None or base.tag in ("html", "body"):
        return None
    best: HtmlElement | None = None
    base_prose: int | None = None
    gain = settings.SECTION_GAIN - 1
    branch, box = base, base.getparent()
    for _ in range(settings.SECTION_LEVELS):
        if box is None or box.tag in ("html", "body"):
            break
        # The sections: the pick's own branch and its siblings of the same shape (tag
        # and class), as a template repeats one box per section. A comment thread or
        # a box of teasers beside the article has another shape and does not count.
        # Each sum is read only as far as the test needs (a long article is costly).
        shape = _shape(branch)
        sections = sum(prose_chars(k) for k in box
                       if k is not branch and _shape(k) == shape)
        if sections:
            if base_prose is None:
                base_prose = prose_chars(base, sections / gain + 1)
                if not base_prose:
                    return None
            total = len(text_of(box))
            if sections >= gain * base_prose and \
                    prose_chars(box, settings.SECTION_PROSE_SHARE * total) >= \
                    settings.SECTION_PROSE_SHARE * total and \
                    rules.link_density(box, total) <= settings.SECTION_LINK_DENSITY:
                best = box
        branch, box = box, box.getparent()
    return Content(best, "sections") if best is not None else None


# The boxes readability-lxml turns into paragraphs: a <div> holding no block.
_LEAF_DIVS = lxml.etree.XPath(
    "//div[not(.//div|.//p|.//blockquote|.//dl|.//img|.//ol|.//pre|.//table|.//ul)]")


def _elements(found: Any) -> list[HtmlElement]:
    """An XPath answer known to be elements, typed as such."""
    return list(found)


_NUMBERED = re.compile(r"\S*\d\S*")


def _shape(el: HtmlElement) -> tuple[Any, frozenset[str]]:
    """A box's tag and class words, numbered words aside (``post-6331431``, ``item-2``):
    what a template gives every section alike."""
    return el.tag, frozenset(_NUMBERED.sub(" ", el.get("class") or "").split())


_PARAGRAPHS = lxml.etree.XPath(
    ".//p | .//div[not(.//div|.//p|.//blockquote|.//dl|.//img|.//ol|.//pre|.//table|.//ul)]")


def prose_chars(box: HtmlElement, enough: float = float("inf")) -> int:
    """Characters of real paragraphs in ``box``: long, and few of their words links;
    counted until there are ``enough``."""
    total = 0
    for p in _elements(_PARAGRAPHS(box)):
        length = len(text_of(p))
        if length > _PROSE and rules.link_density(p, length) < settings.WIDEN_LINK_DENSITY:
            total += length
            if total >= enough:
                break
    return total


def _marked(doc: HtmlElement) -> HtmlElement | None:
    """The page's one marked article body (as :func:`_semantic` looks for it), or None."""
    for xpath in _SEMANTIC:
        found = doc.xpath(xpath)
        if found:
            return found[0] if len(found) == 1 else None
    return None


def _semantic(doc: HtmlElement) -> Content | None:
    """The page's own marked article body, when there is exactly one such element."""
    for xpath in _SEMANTIC:
        found = doc.xpath(xpath)
        if len(found) == 1:
            element = found[0]
            if len(text_of(element)) >= settings.SEMANTIC_MIN_CHARS:
                return Content(element, "semantic")
            return None
        if len(found) > 1:
            return None
    return None


def prose_length(el: HtmlElement) -> int:
    """Characters in real paragraphs (longer than a caption, not mostly links)."""
    total = 0
    for p in el.iter("p"):
        text = text_of(p)
        if len(text) > settings.PROSE_BLOCK_CHARS and rules.link_density(
                p, len(text)) < settings.PROSE_LINK_DENSITY:
            total += len(text)
    return total


def _in_form(el: HtmlElement) -> bool:
    """Whether ``el`` is part of a ``<form>``: a sign-up box's field labels and consent
    lines ("Receive our letter, at most two mails a month") are written as sentences,
    but a form asks the reader for something; it is never the article."""
    return next(el.iterancestors("form"), None) is not None


def densest(doc: HtmlElement) -> Content | None:
    """The container with the most paragraph text (the last-resort fallback); what
    sits in a form does not count."""
    scores: dict[HtmlElement, float] = {}
    for p in doc.iter("p", "pre", "blockquote", "li", "td", "dd"):
        length = len(text_of(p))
        if length < settings.DENSITY_MIN_CHARS or _in_form(p):
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + length
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + length / 2
    if not scores:
        body = doc.find("body")
        if body is not None and text_of(body):
            return Content(body, "density")
        return None
    best = max(scores, key=lambda el: scores[el] * (1 - rules.link_density(el)))
    return Content(best, "density")
