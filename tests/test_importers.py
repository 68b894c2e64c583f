"""Import parsers: every sample export is recognised and read with its tags, times and
states; malformed files fail with one sentence naming the line or entry."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.errors import ImportFormatError, SourceError
from reader.importers import FORMATS, ImportEntry, detect, parse
from reader.importers.runner import read_export, unique

SAMPLES = Path(__file__).parent / "fixtures" / "import"
FILES = {
    "pocket": "pocket.csv",
    "instapaper": "instapaper.csv",
    "omnivore": "omnivore.json",
    "wallabag": "wallabag.json",
    "netscape": "bookmarks.html",
    "urls": "urls.txt",
}


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sample(fmt: str) -> list[ImportEntry]:
    name = FILES[fmt]
    return parse((SAMPLES / name).read_text(encoding="utf-8"), fmt, name)


def malformed(text: str, fmt: str, name: str) -> str:
    with pytest.raises(ImportFormatError) as caught:
        parse(text, fmt, name)
    sentence = str(caught.value)
    assert sentence.endswith(".") and "\n" not in sentence
    return sentence


# ---------------------------------------------------------------------- detection


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_sample_is_detected(fmt: str) -> None:
    name = FILES[fmt]
    assert detect((SAMPLES / name).read_text(encoding="utf-8"), name) == fmt


def test_detection_copes_with_bom_crlf_and_leading_blank_lines() -> None:
    pocket = (SAMPLES / "pocket.csv").read_text().replace("\n", "\r\n")
    assert detect("\ufeff\r\n" + pocket) == "pocket"
    assert parse("\ufeff" + pocket, "pocket")[0].title == "How the Harbour Was Rebuilt"
    assert detect("\n\nhttps://example.org/a\n") == "urls"
    assert detect("# my list\nhttps://example.org/a\n") == "urls"
    legacy_pocket = ('<!DOCTYPE html><html><head><title>Pocket Export</title></head><body>'
                     '<h1>Unread</h1><ul><li><a href="https://example.org/a" '
                     'time_added="1600000000" tags="x">A</a></li></ul></body></html>')
    assert detect(legacy_pocket) == "netscape"


@pytest.mark.parametrize(("text", "sentence"), [
    ("", "pocket.txt is empty."),
    ("   \n\n", "pocket.txt is empty."),
    ("name,address\nBob,1 Main St\n",
     "reader cannot tell what kind of export pocket.txt is; name it with --format."),
    ('{"url": "https://example.org"}',
     "pocket.txt is JSON but neither an Omnivore nor a wallabag export."),
    ("[1, 2", "pocket.txt looks like JSON but is not valid JSON; name its format with "
              "--format to see where."),
])
def test_unknown_content_is_one_sentence(text: str, sentence: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        detect(text, "pocket.txt")
    assert str(caught.value) == sentence


# ---------------------------------------------------------------------- samples


def test_pocket_sample() -> None:
    entries = sample("pocket")
    assert [e.url for e in entries] == [
        "https://example.com/pocket/harbour-rebuilt",
        "https://example.com/pocket/lichens",
        "https://example.com/pocket/untitled-slow-software",
    ]
    first, second, third = entries
    assert first.title == "How the Harbour Was Rebuilt"
    assert first.tags == ("history", "cities")
    assert first.added == at(2023, 10, 1, 9)
    assert (first.archived, second.archived, third.archived) == (False, True, False)
    assert third.title == "Notes on Slow Software, Part 2" and third.tags == ()
    assert not any(e.favourite for e in entries)


def test_instapaper_sample_folders_become_states_or_tags() -> None:
    tide, bread, trains, typewriters = sample("instapaper")
    assert tide.tags == ("sea", "howto") and not tide.archived and not tide.favourite
    assert tide.added == at(2023, 7, 22, 4, 26, 40)
    assert bread.archived and bread.tags == ()
    assert trains.favourite and not trains.archived and trains.tags == ("travel",)
    assert typewriters.tags == ("Long reads",)  # a folder the person made
    assert typewriters.title == "Why Writers Still Love Typewriters"


def test_omnivore_sample() -> None:
    maps, bees, walks = sample("omnivore")
    assert maps.tags == ("maps", "craft") and not maps.archived
    assert maps.added == at(2023, 10, 21, 8, 15)
    assert bees.archived  # state "Archived", no isArchived field
    assert walks.title == "On Long Walks" and walks.tags == ()


def test_omnivore_label_objects_deleted_items_and_is_archived() -> None:
    text = json.dumps([
        {"url": "https://example.org/a", "title": "A", "labels": [{"name": "x", "color": "#f00"}],
         "state": "Succeeded", "isArchived": True, "savedAt": "2024-02-01T10:00:00Z"},
        {"url": "https://example.org/b", "title": "B", "state": "Deleted"},
    ])
    [entry] = parse(text, "omnivore")
    assert entry.tags == ("x",) and entry.archived


def test_wallabag_sample_keeps_offsets_states_and_content() -> None:
    glaciers, chain, lighthouse = sample("wallabag")
    assert glaciers.favourite and not glaciers.archived
    assert glaciers.tags == ("science", "longread")
    assert glaciers.added == at(2023, 3, 14, 8, 26, 53)  # +01:00 in the file
    assert chain.archived and not chain.favourite
    assert lighthouse.content is not None and "forty years" in lighthouse.content


def test_wallabag_tag_objects() -> None:
    text = json.dumps([{"url": "https://example.org/a", "is_archived": True,
                        "tags": [{"id": 1, "label": "cooking", "slug": "cooking"}],
                        "created_at": "2020-01-01T00:00:00+0200"}])
    [entry] = parse(text, "wallabag")
    assert entry.tags == ("cooking",) and entry.archived
    assert entry.added == at(2019, 12, 31, 22)


def test_netscape_sample_passes_over_bookmarklets() -> None:
    entries = sample("netscape")
    assert [e.url for e in entries] == [
        "https://example.com/bookmarks/sourdough-history",
        "https://example.com/bookmarks/untitled-river-swimming",
        "https://example.com/bookmarks/orbital-mechanics",
    ]
    assert entries[0].tags == ("food", "history")
    assert entries[0].added == datetime.fromtimestamp(1680000000, UTC)
    assert entries[1].title == "Swimming in Rivers & Lakes"
    assert entries[2].tags == ("space",)


def test_pocket_legacy_html_archive_section() -> None:
    text = ('<!DOCTYPE html><html><body><h1>Unread</h1><ul>'
            '<li><a href="https://example.org/a" time_added="1600000000" tags="x,y">A</a></li>'
            '</ul><h1>Read Archive</h1><ul>'
            '<li><a href="https://example.org/b" time_added="1600000001" tags="">B</a></li>'
            '</ul></body></html>')
    a, b = parse(text, "netscape")
    assert (a.archived, b.archived) == (False, True)
    assert a.tags == ("x", "y") and a.added == datetime.fromtimestamp(1600000000, UTC)


def test_urls_sample_skips_comments_and_blank_lines() -> None:
    assert [e.url for e in sample("urls")] == [
        "https://example.com/urls/paper-cranes",
        "https://example.com/urls/untitled-city-bees",
        "https://example.com/urls/rail-gauges",
    ]


def test_quoted_titles_spanning_lines_keep_line_numbers_right() -> None:
    good = ('title,url,time_added,tags,status\n'
            '"Two\nlines",https://example.org/a,1600000000,,unread\n')
    assert parse(good, "pocket", "p.csv")[0].title == "Two lines"
    bad = good + 'No URL,,1600000000,,unread\n'
    assert malformed(bad, "pocket", "p.csv") == "Line 4 of p.csv has no URL."


# ---------------------------------------------------------------------- malformed files

POCKET_HEAD = "title,url,time_added,tags,status\n"
GOOD_POCKET = "A,https://example.org/a,1600000000,x,unread\n"


@pytest.mark.parametrize(("text", "sentence"), [
    (POCKET_HEAD + GOOD_POCKET * 5 + "B,,1600000000,,unread\n",
     "Line 7 of pocket.csv has no URL."),
    (POCKET_HEAD + "B,example.org/b,1600000000,,unread\n",
     "Line 2 of pocket.csv has a URL that is not an http or https address: 'example.org/b'."),
    (POCKET_HEAD + GOOD_POCKET + "B,https://example.org/b,yesterday,,unread\n",
     "Line 3 of pocket.csv has a time_added that is not a Unix time: 'yesterday'."),
    (POCKET_HEAD + "B,https://example.org/b,1600000000,,deleted\n",
     "Line 2 of pocket.csv has the status 'deleted'; Pocket writes unread or archive."),
    (POCKET_HEAD + "B,https://example.org/b,1600000000\n",
     "Line 2 of pocket.csv has 3 fields where the header has 5."),
    ("title,link\nA,https://example.org/a\n",
     "The header of pocket.csv has no url column (it has title, link)."),
    (POCKET_HEAD, "pocket.csv has no entries to import."),
    (POCKET_HEAD + 'A,"https://example.org/a,1600000000,,unread\n',
     "Line 2 of pocket.csv is not valid CSV (unexpected end of data)."),
])
def test_malformed_pocket(text: str, sentence: str) -> None:
    assert malformed(text, "pocket", "pocket.csv") == sentence


INSTAPAPER_HEAD = "URL,Title,Selection,Folder,Timestamp,Tags\n"


@pytest.mark.parametrize(("text", "sentence"), [
    (INSTAPAPER_HEAD + ",No address,,Unread,1690000000,\n",
     "Line 2 of instapaper.csv has no URL."),
    (INSTAPAPER_HEAD + "https://example.org/a,A,,Unread,1690000000,\"[\"\"a\"\", 3]\"\n",
     "Line 2 of instapaper.csv has Tags that are not a list of names: '[\"a\", 3]'."),
    (INSTAPAPER_HEAD + "https://example.org/a,A,,Unread,last week,\n",
     "Line 2 of instapaper.csv has a Timestamp that is not a Unix time: 'last week'."),
])
def test_malformed_instapaper(text: str, sentence: str) -> None:
    assert malformed(text, "instapaper", "instapaper.csv") == sentence


@pytest.mark.parametrize(("items", "sentence"), [
    ([{"url": "https://example.org/a"}, {"title": "No address"}],
     "Entry 2 of omnivore.json has no url."),
    ([{"url": "https://example.org/a"}, "https://example.org/b"],
     "Entry 2 of omnivore.json is not an object."),
    ([{"url": "https://example.org/a", "savedAt": "soon"}],
     "Entry 1 of omnivore.json has a savedAt that is not a date and time: 'soon'."),
    ([{"url": "https://example.org/a", "labels": "x,y"}],
     "Entry 1 of omnivore.json has labels that are not a list."),
    ([{"url": "ftp://example.org/a"}],
     "Entry 1 of omnivore.json has a url that is not an http or https address: "
     "'ftp://example.org/a'."),
    ({"url": "https://example.org/a"}, "omnivore.json is JSON but not a list of entries."),
    ([], "omnivore.json has no entries to import."),
])
def test_malformed_omnivore(items: object, sentence: str) -> None:
    assert malformed(json.dumps(items), "omnivore", "omnivore.json") == sentence


def test_invalid_json_names_line_and_column() -> None:
    text = '[\n  {"url": "https://example.org/a"}\n  {"url": "https://example.org/b"}\n]'
    assert malformed(text, "wallabag", "wallabag.json") == (
        "wallabag.json is not valid JSON (line 3, column 3: Expecting ',' delimiter).")


@pytest.mark.parametrize(("items", "sentence"), [
    ([{"url": "https://example.org/a", "is_archived": "yes"}],
     "Entry 1 of wallabag.json has a is_archived that is not true or false: 'yes'."),
    ([{"url": "https://example.org/a"}, {"url": "https://example.org/b",
                                         "created_at": "2023-13-45"}],
     "Entry 2 of wallabag.json has a created_at that is not a date and time: '2023-13-45'."),
    ([{"url": "https://example.org/a", "title": 5}],
     "Entry 1 of wallabag.json has a title that is not text."),
])
def test_malformed_wallabag(items: object, sentence: str) -> None:
    assert malformed(json.dumps(items), "wallabag", "wallabag.json") == sentence


BOOKMARKS = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<TITLE>Bookmarks</TITLE>
<DL><p>
    <DT><A HREF="https://example.org/a" ADD_DATE="1600000000">A</A>
    {line5}
</DL><p>
"""


@pytest.mark.parametrize(("line5", "sentence"), [
    ('<DT><A ADD_DATE="1600000000">No address</A>',
     "Line 5 of bookmarks.html has a bookmark without an address."),
    ('<DT><A HREF="https://example.org/b" ADD_DATE="Tuesday">B</A>',
     "Line 5 of bookmarks.html has an ADD_DATE that is not a Unix time: 'Tuesday'."),
    ('<DT><A HREF="/relative/page">B</A>',
     "Line 5 of bookmarks.html has an address that is not an http or https URL: "
     "'/relative/page'."),
])
def test_malformed_netscape(line5: str, sentence: str) -> None:
    assert malformed(BOOKMARKS.format(line5=line5), "netscape", "bookmarks.html") == sentence


def test_netscape_without_bookmarks() -> None:
    assert malformed("<html><body><p>nothing</p></body></html>", "netscape", "b.html") == (
        "b.html has no entries to import.")


def test_malformed_urls() -> None:
    text = "# list\nhttps://example.org/a\n\nnot a url\n"
    assert malformed(text, "urls", "urls.txt") == (
        "Line 4 of urls.txt is not an http or https address: 'not a url'.")
    assert malformed("# only notes\n\n", "urls", "urls.txt") == "urls.txt has no entries to import."


def test_wrong_format_named_by_hand() -> None:
    text = (SAMPLES / "pocket.csv").read_text()
    assert malformed(text, "omnivore", "pocket.csv").startswith("pocket.csv is not valid JSON")
    with pytest.raises(ImportFormatError, match="Unknown import format 'kindle'"):
        parse(text, "kindle")


# ---------------------------------------------------------------------- files


def test_read_export_from_file_stdin_and_omnivore_zip(tmp_path: Path) -> None:
    assert len(read_export(str(SAMPLES / "pocket.csv"))) == 3
    data = (SAMPLES / "urls.txt").read_bytes()
    assert len(read_export("-", stdin=io.BytesIO(data))) == 3
    archive = tmp_path / "Omnivore.zip"
    items = json.loads((SAMPLES / "omnivore.json").read_text())
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("metadata_0_to_1.json", json.dumps(items[:2]))
        z.writestr("metadata_2_to_2.json", json.dumps(items[2:]))
        z.writestr("content/the-quiet-art.html", "<p>x</p>")
    entries = read_export(str(archive))
    assert [e.title for e in entries] == [i["title"] for i in items]


def test_read_export_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^There is no file .*missing\.csv\.$"):
        read_export(str(tmp_path / "missing.csv"))
    bad = tmp_path / "list.txt"
    bad.write_bytes(b"https://example.org/a\n\xff\xfe\n")
    with pytest.raises(ImportFormatError, match=r"^Line 2 of list\.txt is not UTF-8 text\.$"):
        read_export(str(bad))
    broken = tmp_path / "export.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(ImportFormatError, match=r"^export\.zip is a damaged zip file"):
        read_export(str(broken))
    with pytest.raises(ImportFormatError, match=r"^Line 1 of standard input is not"):
        read_export("-", stdin=io.BytesIO(b"nonsense line\n"), format="urls")


def test_titles_and_tags_from_a_file_are_sanitised() -> None:
    text = json.dumps([{"url": "https://example.org/a",
                        "title": "Evil\x1b[2J title\u202e here\n",
                        "labels": ["ok", "\x1b]52;c;aGk=\x07clip", "\x00"]}])
    [entry] = parse(text, "omnivore")
    assert entry.title == "Evil title here"
    assert entry.tags == ("ok", "clip")


def test_unique_keeps_first_and_merges_tags() -> None:
    a = ImportEntry("https://example.org/a", "A", tags=("x",), archived=True)
    b = ImportEntry("https://example.org/b", "B")
    again = ImportEntry("https://example.org/a", "A again", tags=("y", "x"))
    assert unique([a, b, again]) == [
        ImportEntry("https://example.org/a", "A", tags=("x", "y"), archived=True), b]
