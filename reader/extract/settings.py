"""Every tuning number of the extraction in one place, named after what it decides.

The numbers are judgements about pages in general (how long a paragraph of prose is, how
linky a navigation box is), not fits to any one page; keeping them together makes each
one visible, and lets a test or an experiment change one without hunting for it.
"""

from __future__ import annotations

# ----------------------------------------------------------------------- prose and links
#: A paragraph longer than this (characters) is prose, not a label or a caption.
PROSE_CHARS = 80
#: A shorter text block still counts as prose for the safety net's word count.
PROSE_BLOCK_CHARS = 40
#: A paragraph with more of its text in links than this is navigation, not prose.
PROSE_LINK_DENSITY = 0.3
#: A box needs this many prose paragraphs, this much text and few links to be spared
#: by an attribute rule whatever its class says.
PROSE_BOX_PARAGRAPHS = 3
PROSE_BOX_CHARS = 600
PROSE_BOX_LINK_DENSITY = 0.25
#: A box marked as the article's body (entry-content, itemprop=articleBody) is spared
#: when it holds at least this much text.
MARKED_BODY_CHARS = 400
#: No rule removes a box holding more than this share of the page's text.
PROTECTED_SHARE = 0.5

# ----------------------------------------------------------------------- rules
#: Small inline-ish boxes (<span>, <p>, <li>, <a>) go on an attribute match only when
#: their text is at most this long.
SMALL_BOX_CHARS = 200
#: A box whose whole text is at most this long is a label ("Related Posts").
LABEL_CHARS = 60
#: A "Related: …" line longer than a label is still one when it is mostly links.
LINK_LINE_CHARS = 300
LINK_LINE_DENSITY = 0.5
#: The list a label heads goes with it only when it is this short and this linky.
LABELLED_LIST_CHARS = 3000
LABELLED_LIST_LINK_DENSITY = 0.4
#: Teaser cards: a card is at most this long, its headline at least this long.
CARD_CHARS = 350
CARD_TITLE_CHARS = 10
CARD_TITLE_LINK_DENSITY = 0.9

# ----------------------------------------------------------------------- safety net
#: The pruned result loses to readability-lxml's pick on the unpruned page when it has
#: fewer prose words than this share of that pick's.
THIN_SHARE = 0.6
#: ... and the difference is at least this many words (a caption or two is not "thinner").
THIN_MIN_WORDS = 40
#: Ask for the second opinion (a second readability-lxml run, so not on every page) when
#: the rules removed more text outside links than this share of the prose kept, or when
#: what was kept has fewer prose words than this.
REMOVED_PROSE_SHARE = 1.0
FEW_PROSE_WORDS = 40
#: An article with fewer words than this is thin: the marked body or the densest box
#: is tried too.
THIN_ARTICLE_WORDS = 40
#: ... as is one with less than this share of the page's JSON-LD articleBody.
ARTICLE_BODY_SHARE = 0.5

#: The second extractor (trafilatura) is asked when the article has fewer words than
#: this, or fewer characters than this share of the pruned page's prose ...
SECOND_OPINION_WORDS = 40
SECOND_OPINION_SHARE = 0.2
#: ... and its text replaces ours when it has this many times the words.
SECOND_OPINION_GAIN = 1.5
#: It is asked too when the article's prose is under this share of the pruned page's
#: (the pick may be one section, a list, a form: the story elsewhere) ...
SECTION_OPINION_SHARE = 0.9
#: ... and then wins with this many times the words, when the text it adds carries the
#: headline's words (see ``_finds_the_start``).
SECTION_OPINION_GAIN = 1.3
#: ... and only when our text holds at most this share of the headline's words.
TITLE_WORDS_SHARE = 0.5
#: ... or when its text holds this share of our words: it agrees with our pick and
#: finds more of the story around it.
OPINION_AGREEMENT = 0.95

# ----------------------------------------------------------------------- content choice
#: Widening readability's pick: what the wider box may add, as a multiple of the prose
#: readability dropped, and as a share of what it picked.
WIDEN_NOISE = 1.5
WIDEN_MAX = 0.5
#: A dropped paragraph counts as missing prose only when this little of it is links.
WIDEN_LINK_DENSITY = 0.2
#: An article in sections: a box at most this many levels above readability's pick
#: replaces it when it holds this multiple of the pick's prose, is at least this share
#: prose, and has at most this share of its text in links.
SECTION_LEVELS = 4
SECTION_GAIN = 1.5
SECTION_PROSE_SHARE = 0.5
SECTION_LINK_DENSITY = 0.2
#: A box with pictures, at most this long and with more of its text in links than
#: this, is a teaser or a toolbar (readability-lxml spares it for its pictures).
PICTURE_BOX_CHARS = 300
PICTURE_BOX_LINK_DENSITY = 0.5
#: In a layout table's row beside the article's cell, a cell with more of its text in
#: links than this (and no prose) is a column of navigation.
LINK_CELL_DENSITY = 0.5
#: readability-lxml's pick is a sliver of the marked article (a caption in an article of
#: lists) when it holds less than this share of the marked article's text.
SLIVER_SHARE = 0.1
#: The marked body (<article>, itemprop=articleBody) is used only when this long.
SEMANTIC_MIN_CHARS = 200
#: A standfirst between the headline and the body: paragraphs at least this long, at
#: most this many of them.
LEAD_MIN_CHARS = 100
LEAD_MAX_PARAGRAPHS = 2
#: Paragraph-like elements shorter than this do not vote in the density fallback.
DENSITY_MIN_CHARS = 25

# ----------------------------------------------------------------------- output
#: A paragraph shorter than this next to the title is probably a byline or a date line.
BYLINE_MAX_CHARS = 120
#: A trailing paragraph of nothing but links, at most this long, is navigation.
TRAILING_LINK_LINE_CHARS = 80
#: ... or, longer, a paragraph of at least this many links, one a line.
LINK_LIST_LINES = 3
#: Elements nested deeper than this are collapsed to their text.
MAX_DEPTH = 150
