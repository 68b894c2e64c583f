"""Article → a small, clean, self-describing HTML document.

Every piece of article text goes through :func:`html.escape`; URLs are limited to
http(s), mailto, data images and fragment or relative references, so an exported page
cannot run script that was never in the article.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from reader.document import (
    Article,
    Block,
    CodeBlock,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Span,
    Spans,
    Table,
)

_STYLE = """
body { max-width: 42em; margin: 2em auto; padding: 0 1em; font: 18px/1.6 Georgia, serif;
       color: #222; background: #fdfdfb; }
h1, h2, h3, h4, h5, h6 { font-family: system-ui, sans-serif; line-height: 1.25; }
.meta { color: #666; font-family: system-ui, sans-serif; font-size: 0.9em; }
figure { margin: 1.5em 0; } img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
blockquote { border-left: 4px solid #ccc; margin-left: 0; padding-left: 1em; color: #444; }
pre { background: #f3f3f0; padding: 0.8em; overflow-x: auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; }
""".strip()

if TYPE_CHECKING:
    from reader.library.highlights import Placed


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def safe_url(url: str) -> str | None:
    """The URL if following it cannot run script; None otherwise."""
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://", "mailto:", "#", "/", "./", "../")):
        return url
    if lowered.startswith("data:image/") and not lowered.startswith("data:image/svg"):
        return url
    if ":" not in lowered.split("/", 1)[0]:  # relative reference
        return url
    return None


def _span(span: Span) -> str:
    out = esc(span.text).replace("\n", "<br>")
    for flag, tag in (("code", "code"), ("strike", "s"), ("italic", "em"), ("bold", "strong"),
                      ("sub", "sub"), ("sup", "sup")):
        if getattr(span, flag):
            out = f"<{tag}>{out}</{tag}>"
    if span.href and safe_url(span.href):
        out = f'<a href="{esc(span.href)}">{out}</a>'
    return out


def spans_to_html(spans: Spans) -> str:
    return "".join(_span(s) for s in spans)


def block_to_html(block: Block) -> str:
    if isinstance(block, Heading):
        level = max(1, min(6, block.level))
        anchor = f' id="{esc(block.anchor)}"' if block.anchor else ""
        return f"<h{level}{anchor}>{spans_to_html(block.spans)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{spans_to_html(block.spans)}</p>"
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        items = "".join(
            "<li>" + "".join(block_to_html(b) for b in item) + "</li>" for item in block.items
        )
        return f"<{tag}{start}>{items}</{tag}>"
    if isinstance(block, Quote):
        return "<blockquote>" + "".join(block_to_html(b) for b in block.blocks) + "</blockquote>"
    if isinstance(block, CodeBlock):
        cls = f' class="language-{esc(block.language)}"' if block.language else ""
        return f"<pre><code{cls}>{esc(block.text)}</code></pre>"
    if isinstance(block, Figure):
        parts = ["<figure>"]
        if block.src and safe_url(block.src):
            size = "".join(
                f' {name}="{value}"'
                for name, value in (("width", block.width), ("height", block.height))
                if value
            )
            parts.append(f'<img src="{esc(block.src)}" alt="{esc(block.alt)}"{size}>')
        if block.caption or block.credit:
            credit = f" <small>{esc(block.credit)}</small>" if block.credit else ""
            parts.append(f"<figcaption>{esc(block.caption)}{credit}</figcaption>")
        parts.append("</figure>")
        return "".join(parts)
    if isinstance(block, Table):
        caption = f"<caption>{esc(block.caption)}</caption>" if block.caption else ""
        head = (
            "<thead><tr>" + "".join(f"<th>{esc(c)}</th>" for c in block.header) + "</tr></thead>"
            if block.header
            else ""
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in block.rows
        )
        return f"<table>{caption}{head}<tbody>{body}</tbody></table>"
    if isinstance(block, Rule):
        return "<hr>"
    return ""


def highlights_to_html(highlights: Sequence[Placed]) -> str:
    """A "Highlights" section: each passage in ``<mark>`` inside a block quote, its note
    under it (all escaped); those no longer in this version last, marked."""
    if not highlights:
        return ""
    parts = ['<section class="highlights">', "<h2>Highlights</h2>"]
    for placed in highlights:
        h = placed.highlight
        lost = "" if placed.found else " <em>(not found in this version)</em>"
        parts.append(f"<blockquote><p><mark>{esc(h.text)}</mark>{lost}</p></blockquote>")
        if h.note:
            parts.append(f'<p class="note">{esc(h.note)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def article_to_html(article: Article, *, image_src: dict[str, str] | None = None,
                    highlights: Sequence[Placed] | None = None) -> str:
    """A complete HTML document; ``image_src`` swaps figure URLs (e.g. for data: URLs)."""
    lang = f' lang="{esc(article.lang)}"' if article.lang else ""
    meta = " · ".join(esc(m) for m in (article.byline, article.site_name, article.published) if m)
    body = []
    if article.title:
        body.append(f"<h1>{esc(article.title)}</h1>")
    if meta:
        body.append(f'<p class="meta">{meta}</p>')
    if article.url and safe_url(article.url):
        body.append(f'<p class="meta"><a href="{esc(article.url)}">{esc(article.url)}</a></p>')
    for block in article.blocks:
        if image_src and isinstance(block, Figure) and block.src in image_src:
            block = replace(block, src=image_src[block.src])
        body.append(block_to_html(block))
    if highlights:
        body.append(highlights_to_html(highlights))
    canonical = (
        f'<link rel="canonical" href="{esc(article.url)}">\n'
        if article.url and safe_url(article.url)
        else ""
    )
    return (
        f"<!DOCTYPE html>\n<html{lang}>\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(article.title)}</title>\n{canonical}<style>\n{_STYLE}\n</style>\n"
        f"</head>\n<body>\n<article>\n" + "\n".join(body) + "\n</article>\n</body>\n</html>\n"
    )
