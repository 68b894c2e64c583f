"""Named boilerplate rules: the things around an article that are not the article.

Each rule is a small declarative :class:`Rule` — the words that mark such a box in
``class``/``id``/``role`` attributes, and the phrases its text starts with — and is
tested on its own (``tests/test_extract_rules.py``). Rules look at structure and
semantics, never at one site's markup:

* attribute words are matched as whole words of class and id tokens (``share-bar``,
  ``shareBar``, ``share_bar`` all say *share*; ``shared-content`` and ``category-share``
  do not);
* a phrase rule only fires on a short box whose text begins with the phrase;
* no rule removes ``<body>``, ``<article>``, ``<main>``, or any box holding most of the
  page's text, so a mislabelled wrapper can never take the article with it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from reader.extract import settings

# Boxes a rule may remove. Inline elements are left to the block builder, and text inside
# <pre>/<code> is never judged (a syntax highlighter's class="comment" is not a comment box).
CONTAINERS = frozenset({
    "div", "section", "aside", "ul", "ol", "dl", "form", "footer", "header", "nav", "p",
    "table", "figure", "ins", "iframe", "span", "li", "center", "details", "a",
})
NEVER_REMOVE = frozenset({"html", "body", "article", "main"})
# WordPress and others put taxonomy on <article>/<body>: "category-social", "tag-share".
_TAXONOMY = re.compile(r"^(?:category|tag|type|status|format|postid|term|topic|section)[-_]")
_COMPONENT_ATTRIBUTES = ("data-component", "data-testid", "data-module")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_PART = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Rule:
    """One kind of boilerplate box.

    ``words``: whole words of class/id tokens that mark it; ``tokens``: whole class/id
    tokens; ``pairs``: two words that mark it only together (``author`` + ``bio``);
    ``phrases``: beginnings of the text of a short box (lower case; a trailing ``$`` means
    the whole text); ``roles``: ARIA roles; ``tags``: elements that are always this kind.
    """

    name: str
    words: frozenset[str] = frozenset()
    tokens: frozenset[str] = frozenset()
    pairs: tuple[tuple[str, frozenset[str]], ...] = ()
    phrases: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    # For phrase matches on a heading: remove everything after it in its parent too
    # (comments come last), rather than only the box it heads.
    to_end: bool = False
    max_phrase_box: int = 400
    # Attribute matches only remove boxes with at most this much text (None: any).
    max_text: int | None = None
    # A box of several plain paragraphs survives an attribute match (an id "read-more"
    # on the rest of the article); comment threads are prose too, so they opt out.
    spare_prose: bool = True
    description: str = field(default="", compare=False)


def _fs(*items: str) -> frozenset[str]:
    return frozenset(items)


COMMENTS = Rule(
    "comments",
    words=_fs("comment", "comments", "respond", "disqus", "commentlist", "comentarios",
              "kommentare"),
    tokens=_fs("reply-title", "comment-respond", "comments-area", "disqus_thread"),
    phrases=("leave a reply", "leave a comment", "post a comment", "add a comment",
             "comments are closed", "join the discussion", "join the conversation",
             "your email address will not be published", "cancel reply", "show comments",
             "view comments", "load comments", "write a comment", "kommentar schreiben",
             "schreibe einen kommentar", "laisser un commentaire", "deja un comentario",
             "lascia un commento", "dodaj komentarz", "deixe um comentário"),
    to_end=True,
    spare_prose=False,
    description="comment threads, comment forms and 'Leave a Reply' blocks",
)
TABLE_OF_CONTENTS = Rule(
    "table_of_contents",
    words=_fs("toc", "lwptoc", "tableofcontents"),
    tokens=_fs("table-of-contents", "ez-toc-container", "toc_container", "article-toc"),
    phrases=("table of contents", "contents$", "in this article$", "jump to",
             "on this page$", "inhaltsverzeichnis", "sommaire$"),
    max_phrase_box=2000,
    description="plugin or empty tables of contents (reader builds its own)",
)
SHARE = Rule(
    "share",
    words=_fs("share", "sharing", "shares", "sharedaddy", "addtoany", "a2a", "sharethis",
              "social", "socials", "shareaholic", "sociallinks", "sharebar"),
    phrases=("share this", "share on", "share:", "share$", "share article",
             "share the article", "share via", "spread the word", "tweet$", "follow us"),
    description="share bars and social buttons",
)
NEWSLETTER = Rule(
    "newsletter",
    words=_fs("newsletter", "newsletters", "subscribe", "subscription", "signup", "mailchimp",
              "mc4wp", "optin", "mailing", "mailinglist", "paywall", "inline-signup"),
    pairs=(("sign", _fs("up")), ("opt", _fs("in"))),
    phrases=("subscribe to our newsletter", "sign up for our newsletter", "subscribe to",
             "sign up for", "get our newsletter", "join our newsletter", "stay connected",
             "never miss a story", "get the latest", "enter your email"),
    description="newsletter and subscribe boxes",
)
ADS = Rule(
    "ads",
    words=_fs("ad", "ads", "advert", "adverts", "advertisement", "advertising", "adsbygoogle",
              "adslot", "adunit", "adsense", "dfp", "gpt", "sponsor", "sponsored", "promo",
              "promoted", "outbrain", "taboola", "adblock", "advertorial", "banner-ad"),
    phrases=("advertisement", "advertising", "sponsored content", "story continues below",
             "article continues below", "continue reading below", "ad$", "sponsored$",
             "anzeige$", "werbung$", "publicité$", "publicidad$", "pubblicità$", "reklama$"),
    max_phrase_box=60,
    description="advertisements and their 'Advertisement' labels",
)
RELATED = Rule(
    "related",
    words=_fs("related", "relatedposts", "recommended", "recommendations", "recirc",
              "popular", "trending", "more-stories", "morestories", "readmore",
              "read-next", "upnext", "latest", "mostread", "most-read", "yarpp", "crp",
              "nextprev", "next-post", "prev-post"),
    pairs=(("more", _fs("stories", "articles", "news", "posts", "from")),
           ("read", _fs("next", "more", "also")), ("post", _fs("navigation", "nav")),
           ("most", _fs("read", "popular", "viewed", "shared")), ("also", _fs("like", "read")),
           ("you", _fs("may", "might"))),
    phrases=("related posts", "related articles", "related stories", "related news",
             "related content", "related:", "you may also like", "you might also like",
             "you may like", "recommended for you", "recommended$", "read more", "read next",
             "more from", "more stories", "more on this", "popular news", "popular posts",
             "most popular", "most read", "latest articles", "latest news", "latest posts",
             "trending$", "trending now", "also read", "see also:", "read also", "further reading:",
             "previous post", "next post", "previous article", "next article",
             # The same labels on sites in German, French, Spanish, Italian, Polish and
             # Portuguese (the phrases a template prints, not words of a sentence).
             "das könnte sie auch interessieren", "das könnte dich auch interessieren",
             "weitere artikel", "weitere beiträge", "ähnliche artikel", "ähnliche beiträge",
             "mehr zum thema", "auch interessant", "meistgelesen", "lesen sie auch",
             "lesen sie mehr", "à lire aussi", "lire aussi", "sur le même sujet",
             "dans la même rubrique", "articles similaires", "vous aimerez aussi",
             "te puede interesar", "noticias relacionadas", "artículos relacionados",
             "lee también", "leggi anche", "articoli correlati", "potrebbe interessarti",
             "czytaj także", "czytaj też", "zobacz także", "leia também", "veja também",
             "notícias relacionadas"),
    max_phrase_box=2500,
    description="related-post lists, 'You May Also Like', popular and latest lists",
)
AUTHOR_BOX = Rule(
    "author_box",
    tokens=_fs("about-author", "about-the-author", "author-bio", "authorbio", "author-box",
               "authorbox", "author-info", "author-card", "author-profile", "author-details",
               "author-description", "post-author-box", "bio-box", "abh_box"),
    pairs=(("author", _fs("bio", "box", "card", "profile", "details", "description", "about",
                          "biography", "block")),),
    phrases=("about the author", "about author", "written by", "more articles by",
             "more posts by", "view all posts by", "über den autor", "über die autorin",
             "à propos de l'auteur", "sobre el autor", "o autorze"),
    max_phrase_box=1200,
    description="author boxes with biography and links (the byline is kept as metadata)",
)
COOKIES = Rule(
    "cookies",
    words=_fs("cookie", "cookies", "consent", "gdpr", "cmp", "cookiebanner", "cc-banner",
              "onetrust", "privacy-banner"),
    phrases=("we use cookies", "this website uses cookies", "this site uses cookies",
             "accept cookies", "accept all cookies", "cookie settings", "by continuing to use"),
    max_phrase_box=1500,
    description="cookie and consent banners",
)
BYLINE = Rule(
    "byline",
    words=_fs("byline", "dateline", "writtenby", "entry-meta", "post-meta", "article-meta",
              "postmeta", "posted-on", "pubdate", "timestamp", "meta", "author", "authors",
              "dateline"),
    max_text=200,
    description="bylines and date lines inside the content (kept as metadata instead)",
)
BREADCRUMBS = Rule(
    "breadcrumbs",
    words=_fs("breadcrumb", "breadcrumbs", "crumbs", "crumb", "breadcrumbs-container"),
    description="breadcrumb trails ('Home › World › Europe')",
)
PAGE_CHROME = Rule(
    "page_chrome",
    words=_fs("sidebar", "widget", "widgets", "widget-area", "menu", "navbar", "nav",
              "navigation", "masthead", "skiplink", "screen-reader-text", "sr-only",
              "visually-hidden", "visuallyhidden", "ticker", "breaking", "topbar", "toolbar",
              "modal", "popup", "print-only", "offscreen", "site-footer", "footer", "pagination",
              "pager", "tags", "tagcloud", "rating", "login", "signin", "search",
              "searchform", "lightbox"),
    pairs=(("skip", _fs("link", "to", "content", "main")), ("site", _fs("header", "footer")),
           ("entry", _fs("footer", "tags")), ("post", _fs("tags", "meta-footer", "footer"))),
    roles=_fs("navigation", "menu", "menubar", "complementary", "alert", "alertdialog",
              "dialog", "search", "banner", "contentinfo"),
    tags=_fs("nav", "aside", "form", "footer", "iframe", "button", "select", "textarea",
             "input", "object", "embed", "menu"),
    phrases=("skip to content", "skip to main content", "all rights reserved", "©",
             "copyright ©", "breaking news", "breaking:", "tags:", "filed under",
             "posted in", "categories:"),
    max_phrase_box=300,
    description="navigation, menus, sidebars, widgets, tickers, footers and forms",
)

#: The rules in the order they are applied.
RULES: tuple[Rule, ...] = (COMMENTS, TABLE_OF_CONTENTS, SHARE, NEWSLETTER, ADS, RELATED,
                           AUTHOR_BOX, COOKIES, BYLINE, BREADCRUMBS, PAGE_CHROME)
_MAX_PHRASE_BOX = max(rule.max_phrase_box for rule in RULES)
# Everything any rule looks for in attributes: most named boxes match none of it, and
# one set intersection tells so before each rule is asked in turn.
_ANY_WORDS = frozenset().union(*(r.words for r in RULES), *(
    {first} for r in RULES for first, _ in r.pairs))
_ANY_TOKENS = frozenset().union(*(r.tokens for r in RULES))
_ANY_ROLES = frozenset().union(*(r.roles for r in RULES))
_ANY_TAGS = frozenset().union(*(r.tags for r in RULES))
RULES_BY_NAME = {rule.name: rule for rule in RULES}


def attribute_words(el: HtmlElement) -> tuple[set[str], set[str]]:
    """The class/id tokens of ``el`` (and its component name, see below; lower case) and
    the words they are made of.

    An id of four words or more is a slug made from a heading ("sharing-with-a-team"),
    not a name for a kind of box, so its words do not count.
    """
    ident = el.get("id") or ""
    if ident and _slug(ident):
        ident = ""
    raw = f"{el.get('class') or ''} {ident}"
    # Sites built of components name their boxes in data attributes and give them
    # generated classes ("sc-2b5e3b35-0"): data-component="byline-block".
    for attr in _COMPONENT_ATTRIBUTES:
        value = el.get(attr)
        if value and len(value) <= 40:
            raw += f" {value}"
    tokens: set[str] = set()
    words: set[str] = set()
    for token in raw.split():
        found = _token_words(token)
        if found is not None:
            tokens.add(found[0])
            words.update(found[1])
    return tokens, words


# A page repeats a few class names on thousands of boxes: each token is taken apart once
# (the regular expressions were a fifth of the rules' time on a typical page).
@functools.lru_cache(maxsize=16384)
def _token_words(token: str) -> tuple[str, tuple[str, ...]] | None:
    """A class/id token lower-cased and the words it is made of (joined by "-" too, when
    more than one), or None for a taxonomy token ("category-news")."""
    lower = token.lower()
    if _TAXONOMY.match(lower):
        return None
    parts = [p for p in _PART.split(_CAMEL.sub(r"\1 \2", token).lower()) if p]
    if len(parts) > 1:
        parts.append("-".join(parts))
    return lower, tuple(parts)


@functools.lru_cache(maxsize=4096)
def _slug(ident: str) -> bool:
    """Whether an id is a slug of four words or more (see attribute_words)."""
    return len(_PART.split(_CAMEL.sub(r"\1 \2", ident))) >= 4


def matches_attributes(rule: Rule, el: HtmlElement, tokens: set[str], words: set[str]) -> bool:
    """Whether ``el``'s tag, role, class or id marks it as ``rule``'s kind of box."""
    if el.tag in rule.tags:
        return True
    role = el.get("role")
    if role and role.lower() in rule.roles:
        return True
    if tokens & rule.tokens or words & rule.words:
        return True
    return any(first in words and words & second for first, second in rule.pairs)


def box_text(el: HtmlElement) -> str:
    # str.split() and \s agree on what whitespace is; split-and-join is the faster. A
    # box with no children (most links, spans, list items) is its own text: no XPath.
    return " ".join((el.text_content() if len(el) else el.text or "").split())


_DECORATION = " -–—·•|:*[]()<>«»"


def label_key(text: str) -> str:
    """``text`` as phrases are matched: lower case, without the dashes and brackets that
    decorate a label ("- Advertisement -", "[ Sponsored ]"). Computed once per box."""
    return text.lower().strip(_DECORATION)


def matches_phrase(rule: Rule, text: str, lower: str | None = None) -> bool:
    """Whether a box with ``text`` (already squashed) begins with one of the phrases;
    ``lower`` is its :func:`label_key`, when the caller already has it."""
    if not rule.phrases or not text or len(text) > rule.max_phrase_box:
        return False
    if lower is None:
        lower = label_key(text)
    return _matches_any(_phrase_index(rule), lower)


# A rule's phrases by their first two characters. Plain string tests instead of one
# alternation per rule: compiling those expressions cost ~8 ms of every process's first
# extraction (a third of what ``reader dump`` spends beyond readability-lxml itself).
_INDEXES: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}


def _phrase_index(rule: Rule) -> dict[str, tuple[str, ...]]:
    index = _INDEXES.get(rule.phrases)
    if index is None:
        grouped: dict[str, list[str]] = {}
        for phrase in rule.phrases:
            grouped.setdefault(phrase.removesuffix("$")[:2], []).append(phrase)
        index = _INDEXES[rule.phrases] = {k: tuple(v) for k, v in grouped.items()}
    return index


def _matches_any(index: dict[str, tuple[str, ...]], lower: str) -> bool:
    """Whether ``lower`` begins with a phrase followed by no letter or digit, or (a
    phrase ending in ``$``) is the whole phrase give or take colons, dots and spaces."""
    for key in (lower[:2], lower[:1]):
        for phrase in index.get(key, ()):
            if phrase.endswith("$"):
                base = phrase[:-1]
                if lower.startswith(base) and not lower[len(base):].strip(" :."):
                    return True
            elif lower.startswith(phrase):
                end = len(phrase)
                if end == len(lower) or not lower[end].isalnum():
                    return True
    return False


def link_density(el: HtmlElement, text_len: int | None = None) -> float:
    total = text_len if text_len is not None else len(box_text(el))
    if not total:
        return 0.0
    linked = sum(len(box_text(a)) for a in el.iter("a"))
    return min(1.0, linked / total)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINK_LINE_MAX = settings.LINK_LINE_CHARS
_LABELS = _HEADINGS | {"strong", "b", "p", "span", "div", "header", "summary", "legend",
                       "label", "h"}


@dataclass
class Removal:
    """One box a rule takes out of the page, with what it must spare."""

    element: HtmlElement
    rule: str
    by_phrase: bool = False  # found by its text: a label, whose list may follow it
    to_end: bool = False
    # The boxes no removal may take (see marked_body): a label's neighbour included.
    spared: set[HtmlElement] = field(default_factory=set, repr=False)


def find_boilerplate(root: HtmlElement, rules: Iterable[Rule] = RULES, *,
                     total_text: int | None = None) -> list[Removal]:
    """The boxes under ``root`` that the rules mark, outermost first, without removing.

    ``total_text`` is the length of the text the page's article could be; no box holding
    more than half of it is ever marked.
    """
    rules = tuple(rules)
    sizes = text_sizes(root)
    # Solid characters (no whitespace), like sizes: a box's share of the page is the same.
    total = _solid_share(total_text) if total_text is not None else sizes.get(root, 0)
    found: list[Removal] = []
    skip_under: set[HtmlElement] = set()
    card_boxes = _card_boxes(root) if RELATED in rules else set()
    lone_cards = _lone_cards(root) if RELATED in rules else set()
    spared = marked_body(root, sizes)
    section_prose: dict[tuple[HtmlElement, str, str], bool] = {}
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag in NEVER_REMOVE:
            continue
        parent = el.getparent()
        if parent is not None and parent in skip_under:
            skip_under.add(el)
            continue
        if tag in _NEVER_JUDGED:
            skip_under.add(el)
            continue
        if tag in _INLINE and el.getparent() is not None and _edit_control(el):
            # "[edit]" beside a wiki's section heading: a control, not the heading's words.
            found.append(Removal(el, PAGE_CHROME.name, spared=spared))
            skip_under.add(el)
            continue
        if tag in _INLINE and _in_running_text(el):
            # A word in a sentence ("CAIRO —", a linked country name) is never a box,
            # whatever its class says; the paragraph it is in is judged as a whole.
            skip_under.add(el)
            continue
        hit = _match(el, rules, sizes)
        lone_card = hit is None and el in lone_cards
        if lone_card or (hit is None and el in card_boxes and _card_list(el)):
            hit = (RELATED, False)
        if hit is None:
            continue
        rule, by_phrase = hit
        if tag == "figure" and not by_phrase and rule is not ADS and (
                el.find(".//img") is not None or el.find(".//figcaption") is not None):
            # A picture with its caption is the article's, whatever its class says
            # ("fig--has-shares"); the share buttons inside are judged on their own.
            continue
        # A lone card is one short box, never prose however its siblings are named.
        if el in spared or _protected(el, total, sizes) or (
                not by_phrase and rule.spare_prose and not lone_card and (
                    _prose_box(el) or _prose_section(el, section_prose))):
            continue
        found.append(Removal(el, rule.name, by_phrase, to_end=by_phrase and rule.to_end,
                             spared=spared))
        skip_under.add(el)
    return found


# Never judged, nor anything inside: code (a highlighter's class="comment"), captions.
_NEVER_JUDGED = frozenset({"pre", "code", "figcaption"})
# Elements that live inside running text.
_INLINE = frozenset({"a", "span", "em", "strong", "b", "i", "small", "abbr", "time", "font",
                     "cite", "mark", "u", "sup", "sub", "q", "label"})
_TEXT_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "blockquote",
                          "figcaption", "caption", "td", "th", "li", "pre", "address"})
# Classes that mark the article's own body, wherever it sits.
_BODY_TOKENS = frozenset({"hentry", "h-entry", "e-content", "entry-content", "post-body",
                          "postbody", "post-content", "post-entry", "entry-body",
                          "article-body", "articlebody", "article-content", "article-text",
                          "story-body", "story-content", "post-text", "entry-text",
                          "blog-post", "single-post", "article__body", "story__body"})
_BODY_PAIRS = (("entry", frozenset({"content", "body", "text"})),
               ("post", frozenset({"body", "content", "text", "entry"})),
               ("article", frozenset({"body", "content", "text"})),
               ("story", frozenset({"body", "content", "text"})))
# [@class or @itemprop] first: the same boxes, but libxml2 then weighs the five tests
# only on named elements (on every element of a long page they cost ~30 ms).
_BODY_XPATH = ("//*[@class or @itemprop][@itemprop='articleBody' or contains(@class, 'entry') "
               "or contains(@class, 'ost') or contains(@class, 'rticle') "
               "or contains(@class, 'tory') or contains(@class, 'ody')]")


_EDIT_LABELS = frozenset({"edit", "edit source", "bearbeiten", "quelltext bearbeiten",
                          "modifier", "modifier le code", "editar", "modifica", "edytuj"})


def _edit_control(el: HtmlElement) -> bool:
    """A wiki's section edit link ("[edit]") inside a heading."""
    parent = el.getparent()
    if parent is None or (parent.tag not in _HEADINGS and (
            parent.getparent() is None or parent.getparent().tag not in _HEADINGS)):
        return False
    text = short_text(el, 40)
    if not text or not (el.tag == "a" or el.find(".//a") is not None):
        return False
    return all(label_key(part) in _EDIT_LABELS for part in text.split("|"))


def _in_running_text(el: HtmlElement) -> bool:
    """Whether ``el`` sits inside a sentence: in a paragraph-like block, or with words
    right before or after it in its parent. Only when it holds text: an empty ad
    ``<ins>`` in a paragraph takes no words with it."""
    if not (el.text or len(el)):
        return False
    parent = el.getparent()
    if parent is None:
        return False
    if parent.tag in _TEXT_BLOCKS or (el.tail or "").strip() or (parent.text or "").strip():
        return bool(box_text(el))
    previous = el.getprevious()
    return previous is not None and bool((previous.tail or "").strip()) and bool(box_text(el))


def marked_body(root: HtmlElement, sizes: dict[HtmlElement, int] | None = None
                ) -> set[HtmlElement]:
    """The boxes no rule may remove: the page's marked article body (``itemprop=
    articleBody``, ``hentry``, ``entry-content``, ``post-body`` and kin) with every box
    around it, and the boxes around the headline ``<h1>`` that also hold the story.

    A mark counts when it holds prose (a teaser card called "post-content" does not).
    """
    if sizes is None:
        sizes = text_sizes(root)
    spared: set[HtmlElement] = set()
    for el in root.xpath(_BODY_XPATH):
        if not isinstance(el.tag, str) or el in spared:
            continue
        if "articlebody" not in (el.get("itemprop") or "").lower():
            tokens, words = attribute_words(el)
            if not (tokens & _BODY_TOKENS or any(first in words and words & second
                                                 for first, second in _BODY_PAIRS)):
                continue
        if sizes.get(el, 0) < settings.MARKED_BODY_CHARS * 0.8:
            continue  # (words of 5 letters and a space: 400 characters are 330 solid)
        text = len(box_text(el))
        if text >= settings.MARKED_BODY_CHARS and link_density(el, text) < \
                settings.PROSE_LINK_DENSITY:
            spared.add(el)
            spared.update(el.iterancestors())
    headlines = [h for h in root.iter("h1") if sizes.get(h, 0)]
    if 1 <= len(headlines) <= 2:
        for headline in headlines:
            floor = sizes.get(headline, 0) + settings.PROSE_BOX_CHARS * 0.8
            for box in headline.iterancestors():
                if box in spared:
                    break
                if sizes.get(box, 0) >= floor:
                    spared.add(box)
                    spared.update(box.iterancestors())
                    break
    return spared


_NAMING = ("class", "id", "role", *_COMPONENT_ATTRIBUTES)


def _match(el: HtmlElement, rules: tuple[Rule, ...],
           sizes: dict[HtmlElement, int] | None = None) -> tuple[Rule, bool] | None:
    tag = el.tag
    attrib = el.attrib
    named = bool(attrib) and any(attr in attrib for attr in _NAMING)
    if (named and (tag in CONTAINERS or tag in _HEADINGS)) or tag in _ANY_TAGS:
        tokens, words = attribute_words(el)
        role = (el.get("role") or "").lower()
        if not (tag in _ANY_TAGS or role in _ANY_ROLES or tokens & _ANY_TOKENS
                or words & _ANY_WORDS):
            rules_to_ask: tuple[Rule, ...] = ()
        else:
            rules_to_ask = rules
        for rule in rules_to_ask:
            if matches_attributes(rule, el, tokens, words):
                limit = rule.max_text
                if limit is None and tag in ("span", "p", "li", "a") and tag not in rule.tags:
                    # Small inline-ish boxes only go when they are short: a <p
                    # class="share-note"> with a real sentence in it may be article.
                    limit = settings.SMALL_BOX_CHARS
                if limit is not None and len(box_text(el)) > limit:
                    continue
                return rule, False
    if tag in _LABELS:
        # Only the box's own first words count: a heading, or a box whose first child
        # starts with the phrase ("Related Posts" followed by its list).
        text = _label_text(el, sizes)
        if text:
            lower = label_key(text)
            for rule in rules:
                if matches_phrase(rule, text, lower):
                    return rule, True
    return None


def _label_text(el: HtmlElement, sizes: dict[HtmlElement, int] | None = None) -> str:
    """The text to test phrases on: a heading's text, a short box's whole text, or a
    label followed by a list of links ("Read more: <a>…</a> | <a>…</a>" in the body;
    one link after "Related:" may be a cross-reference the article makes)."""
    if el.tag in _HEADINGS:
        return short_text(el, _MAX_PHRASE_BOX, sizes) or ""
    text = short_text(el, _LINK_LINE_MAX, sizes)
    if text is None:
        return ""
    if len(text) <= settings.LABEL_CHARS:
        return text
    if len(el.findall(".//a")) >= 2 and link_density(el, len(text)) >= \
            settings.LINK_LINE_DENSITY:
        return text
    return ""


def short_text(el: HtmlElement, limit: int, sizes: dict[HtmlElement, int] | None = None
               ) -> str | None:
    """``box_text(el)`` when it is at most ``limit`` characters, else ``None`` — found
    without building the text of a big box when ``sizes`` (:func:`text_sizes`) knows it
    is big (asked of every box on the page, building each one's text would cost time in
    proportion to size times depth)."""
    if sizes is not None and sizes.get(el, 0) > limit:
        return None
    text = box_text(el)
    return text if len(text) <= limit else None


def _solid(text: str | None) -> int:
    """Characters of ``text`` that are not spaces or line breaks."""
    if not text:
        return 0
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - \
        text.count("\r")


def text_sizes(root: HtmlElement) -> dict[HtmlElement, int]:
    """Characters other than whitespace under every element of ``root``, in one pass
    from the leaves up: a lower bound of each box's text length, known without building
    any box's text."""
    elements = list(root.iter())
    pending: dict[HtmlElement, int] = {}
    sizes: dict[HtmlElement, int] = {}
    # _solid() written out twice: called for every element's text and tail, the calls
    # were a third of the time.
    for el in reversed(elements):
        size = pending.pop(el, 0)
        if isinstance(el.tag, str) and (text := el.text):
            size += len(text) - text.count(" ") - text.count("\n") - text.count("\t") - \
                text.count("\r")
        sizes[el] = size
        parent = el.getparent()
        if parent is not None:
            if tail := el.tail:
                size += len(tail) - tail.count(" ") - tail.count("\n") - tail.count("\t") - \
                    tail.count("\r")
            pending[parent] = pending.get(parent, 0) + size
    return sizes


_CARD_LISTS = frozenset({"div", "section", "ul", "ol"})
_CARD_HEADINGS = ("h2", "h3", "h4", "h5")


def _card_boxes(root: HtmlElement) -> set[HtmlElement]:
    """Boxes with headings in three or more of their children: the only ones worth
    asking :func:`_card_list` about (asking every box on the page costs time)."""
    children: dict[HtmlElement, set[HtmlElement]] = {}
    for heading in root.iter(*_CARD_HEADINGS):
        child = heading
        for _ in range(4):
            parent = child.getparent()
            if parent is None:
                break
            children.setdefault(parent, set()).add(child)
            child = parent
    return {box for box, kids in children.items()
            if len(kids) >= 3 and box.tag in _CARD_LISTS}


def _card_list(el: HtmlElement) -> bool:
    """Three or more teaser cards side by side — each a linked headline and a line or
    two of summary — whatever the box is called: other stories, not this one."""
    children = [c for c in el if isinstance(c.tag, str)]
    if len(children) < 3:
        return False
    cards = 0
    for child in children:
        heading = next(child.iter(*_CARD_HEADINGS), None)
        if heading is None:
            continue
        title = len(box_text(heading))
        if title < settings.CARD_TITLE_CHARS or link_density(
                heading, title) < settings.CARD_TITLE_LINK_DENSITY:
            continue
        if len(box_text(child)) <= settings.CARD_CHARS:
            cards += 1
    return cards >= 3 and cards * 3 >= len(children) * 2


def _lone_cards(root: HtmlElement) -> set[HtmlElement]:
    """Teaser cards standing alone, inside the article or beside it: a box whose headline
    is a link to another page, with a line or two of summary, every link in it going to
    that same page (the headline, the picture, "more"). It points at another story; the
    page's own text does not link its heading away, nor all its words to one place."""
    found: set[HtmlElement] = set()
    for heading in root.iter(*_CARD_HEADINGS):
        links = list(heading.iter("a"))
        if len(links) != 1:
            continue
        href = (links[0].get("href") or "").strip()
        title = len(box_text(heading))
        if not href or href.startswith("#") or title < settings.CARD_TITLE_CHARS or \
                len(box_text(links[0])) < settings.CARD_TITLE_LINK_DENSITY * title:
            continue
        card: HtmlElement | None = None
        box = heading.getparent()
        for _ in range(3):
            if box is None or box.tag not in _CARD_LISTS:
                break
            text = len(box_text(box))
            if text > settings.CARD_CHARS or any(
                    (a.get("href") or "").strip() != href for a in box.iter("a")):
                break
            if text > title:
                card = box  # the headline and its summary, nothing else
            box = box.getparent()
        if card is not None:
            found.add(card)
    return found


_RUN_HOLDERS = frozenset({"div", "section", "article", "main", "td", "blockquote", "li",
                          "dd", "center", "font", "body"})


def _prose_box(el: HtmlElement) -> bool:
    """Several real paragraphs and few links: article text, whatever its class says.
    A paragraph is a ``<p>``, or a run of text in a ``<div>`` between ``<br>``s: posts
    written without ``<p>`` are prose too."""
    text = len(box_text(el))
    if text <= settings.PROSE_BOX_CHARS:
        return False
    runs = 0
    for node in el.iter():
        tag = node.tag
        if tag == "p":
            runs += len(box_text(node)) > settings.PROSE_CHARS
        elif tag in _RUN_HOLDERS:
            runs += len((node.text or "").strip()) > settings.PROSE_CHARS
            runs += sum(len((child.tail or "").strip()) > settings.PROSE_CHARS
                        for child in node)
        if runs >= settings.PROSE_BOX_PARAGRAPHS:
            return link_density(el, text) < settings.PROSE_BOX_LINK_DENSITY
    return False


def _prose_section(el: HtmlElement, cache: dict[tuple[HtmlElement, str, str], bool]
                   ) -> bool:
    """One of several same-named sibling boxes that together are prose: the article's
    sections (``<section class="Report__Section Report__Section--Ads">``, a modifier
    saying a section *holds* an ad slot), each too short alone to pass as a prose box.
    The box itself must hold a real paragraph: the ad slots and teaser cards beside
    such sections share their name but not their prose."""
    parent = el.getparent()
    classes = (el.get("class") or "").split()
    if parent is None or not classes or _names_boilerplate(classes[0]) \
            or not prose_paragraphs(el):
        return False
    key = (parent, el.tag, classes[0])
    if key not in cache:
        paragraphs = chars = linked = 0
        for sibling in parent:
            if sibling.tag != el.tag or (sibling.get("class") or "").split()[:1] != classes[:1]:
                continue
            paragraphs += prose_paragraphs(sibling)
            text = len(box_text(sibling))
            chars += text
            linked += int(link_density(sibling, text) * text)
        cache[key] = (paragraphs >= settings.PROSE_BOX_PARAGRAPHS
                      and chars > settings.PROSE_BOX_CHARS
                      and linked < settings.PROSE_BOX_LINK_DENSITY * chars)
    return cache[key]


def _names_boilerplate(token: str) -> bool:
    """Whether a class token holds a word any rule looks for. The first class names
    what a box *is* ("jp-relatedposts-post"); the ones after it are variants of it
    ("Report__Section--Ads": this section carries an ad slot)."""
    parts = [p for p in _PART.split(_CAMEL.sub(r"\1 \2", token).lower()) if p]
    return bool(_ANY_WORDS.intersection(parts) or _ANY_TOKENS.intersection([token.lower()]))


def prose_paragraphs(el: HtmlElement) -> int:
    """How many ``<p>`` under ``el`` are prose (long, few links)."""
    count = 0
    for p in el.iter("p"):
        text = len(box_text(p))
        if text > settings.PROSE_CHARS and link_density(p, text) < settings.PROSE_LINK_DENSITY:
            count += 1
    return count


def _solid_share(total_text: int) -> int:
    """A text length given in squashed characters, as solid characters (see
    :func:`text_sizes`): one space in six is a word's end."""
    return int(total_text * 5 / 6)


def _protected(el: HtmlElement, total: int, sizes: dict[HtmlElement, int]) -> bool:
    if total <= 0:
        return False
    if el.find(".//article") is not None or el.find(".//main") is not None:
        return True
    return sizes.get(el, 0) > total * settings.PROTECTED_SHARE


def removed_prose(removals: Iterable[Removal]) -> int:
    """Characters of text outside links in the boxes about to be removed: how much a
    mistaken rule could have taken from the article (the safety net's trigger)."""
    total = 0
    for removal in removals:
        el = removal.element
        text = len(box_text(el))
        if text:
            total += max(0, text - sum(len(box_text(a)) for a in el.iter("a")))
    return total


def remove(removals: Iterable[Removal]) -> list[str]:
    """Remove the marked boxes (with everything after a 'to_end' heading); rule names."""
    names = []
    for removal in removals:
        el = removal.element
        parent = el.getparent()
        if parent is None:
            continue
        if removal.to_end and el.tag in _HEADINGS:
            for sibling in list(el.itersiblings()):
                _drop(sibling)
        elif removal.by_phrase and removal.rule != ADS.name and (
                el.tag in _HEADINGS or _is_label(el)):
            # A "Related Posts" label: its list of links is the next sibling. (An ad
            # label labels only its own slot: what follows it is the page.)
            following = el.getnext()
            if following is not None and following.tag in ("ul", "ol", "div", "section") \
                    and following not in removal.spared \
                    and len(box_text(following)) < settings.LABELLED_LIST_CHARS \
                    and link_density(following) > settings.LABELLED_LIST_LINK_DENSITY \
                    and not _prose_box(following):
                _drop(following)
        _drop(el)
        names.append(removal.rule)
    return names


def _is_label(el: HtmlElement) -> bool:
    return el.tag in _LABELS and len(box_text(el)) <= settings.LABEL_CHARS and len(el) <= 2


def _drop(el: HtmlElement) -> None:
    if el.getparent() is not None:
        el.drop_tree()


def apply_rules(root: HtmlElement, rules: Iterable[Rule] = RULES, *,
                total_text: int | None = None) -> list[str]:
    """Find and remove boilerplate under ``root``; the names of the rules that fired."""
    return remove(find_boilerplate(root, rules, total_text=total_text))
