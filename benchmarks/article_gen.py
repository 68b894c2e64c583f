"""Generate article-like HTML of a given size, for the benchmarks.

The page looks like a long feature on a news site: a header and navigation, then an
article of sections with headings, paragraphs holding links and emphasis, lists,
quotes, code and figures, then a footer. Text is varied so wrapping and search behave
as they would on real prose.
"""

from __future__ import annotations

import random

WORDS = [
    "the", "city", "council", "river", "bridge", "morning", "evening", "market", "people",
    "reported", "officials", "said", "according", "to", "data", "analysis", "growth",
    "winter", "summer", "children", "schools", "hospital", "budget", "climate", "energy",
    "transport", "railway", "station", "harbour", "museum", "library", "garden", "festival",
    "research", "university", "study", "scientists", "measured", "found", "increase",
    "decrease", "average", "between", "during", "after", "before", "however", "although",
    "because", "therefore", "meanwhile", "later", "north", "south", "east", "west", "coast",
    "valley", "mountain", "island", "village", "neighbourhood", "street"
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice(".....?!")


def paragraph(rng: random.Random, n: int) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        s = sentence(rng)
        roll = rng.random()
        if roll < 0.15:
            w = s.split()
            i = rng.randrange(len(w))
            w[i] = f'<a href="https://news.example/story/{n}-{i}">{w[i]}</a>'
            s = " ".join(w)
        elif roll < 0.25:
            w = s.split()
            i = rng.randrange(len(w))
            w[i] = f"<em>{w[i]}</em>"
            s = " ".join(w)
        parts.append(s)
    return "<p>" + " ".join(parts) + "</p>"


END_MARKER = "Endmarkerword closes the article."


def generate(target_bytes: int, seed: int = 7, *, figures: bool = True,
             image_url: str = "https://img.example/photo-{n}.jpg") -> str:
    rng = random.Random(seed)
    head = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>A Very Long Report on the City | The Example Times</title>"
        "<meta property=\"og:site_name\" content=\"The Example Times\">"
        "<meta name=\"author\" content=\"Bench Mark\"></head><body>"
        "<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a> <a href=\"/sport\">Sport</a></nav>"
        "<main><article><h1>A Very Long Report on the City</h1>"
    )
    tail = "</article></main><footer><p>© The Example Times</p></footer></body></html>"
    body: list[str] = []
    size = len(head) + len(tail)
    n = 0
    section = 0
    while size < target_bytes:
        if n % 12 == 0:
            section += 1
            piece = f"<h2 id=\"s{section}\">Section {section}: {sentence(rng)[:-1]}</h2>"
        elif n % 12 == 5:
            piece = "<ul>" + "".join(f"<li>{sentence(rng)}</li>" for _ in range(4)) + "</ul>"
        elif n % 12 == 8 and figures:
            piece = (f"<figure><img src=\"{image_url.format(n=n)}\" alt=\"Photo {n}\" "
                     f"width=\"1200\" height=\"800\"><figcaption>{sentence(rng)} "
                     f"(Photo: Agency)</figcaption></figure>")
        elif n % 24 == 10:
            piece = f"<blockquote><p>{sentence(rng)}</p></blockquote>"
        elif n % 48 == 20:
            piece = ('<pre><code class="language-python">def f(x):\n'
                     "    return x * 2\n</code></pre>")
        else:
            piece = paragraph(rng, n)
        body.append(piece)
        size += len(piece)
        n += 1
    # A last paragraph no other line can contain, so a benchmark can tell the end is shown.
    body.append(f"<p>{END_MARKER}</p>")
    return head + "".join(body) + tail


if __name__ == "__main__":
    import sys

    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000))
