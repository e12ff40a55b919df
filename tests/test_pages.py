"""Scraped page text: one article plus one document per brief line, any outlet."""
import gzip
import io

import pytest

from corpus.pages import read_page
from corpus.problems import ItemWarning, Problem, ReadError
from tests.helpers import SEED_PAGE


def read(text: str, newline: str = "\n") -> list:
    return list(read_page(text.replace("\n", newline).encode("utf-8")))


def assert_page_shape(docs, briefs: int, title: str, source: str | None):
    article, rest = docs[0], docs[1:]
    assert article.kind == "article" and article.title == title and article.source == source
    assert len(rest) == briefs
    for brief in rest:
        assert brief.kind == "brief" and brief.parent_id == article.id and brief.title is None
        assert "More" not in brief.text[-6:] and not brief.text.endswith(("...", "…"))
        assert brief.source == source
    assert len({d.id for d in docs}) == len(docs)


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="../shared is absent: no seed page")
def test_seed_page_gives_article_and_five_briefs():
    docs = list(read_page(SEED_PAGE.read_bytes()))
    assert_page_shape(docs, 5, "Iran and Syria sign a security and military defense pact",
                      "Iran International")
    assert docs[0].text.startswith("One day after Bashar Assad")
    assert "Iran in Brief" not in docs[0].text
    assert docs[2].text.startswith("France's foreign ministry this week summoned Iran's envoy")


VARIANTS = {
    "other outlet, no page part, unicode ellipsis": (
        "Floods hit the delta | Nile Daily\n\nWater rose overnight.\n\nEgypt in Brief\n"
        "The ministry said roads reopened…More\nA second brief about dams…More\n",
        2, "Floods hit the delta", "Nile Daily"),
    "no brief section": (
        "Budget passes | Page 7 | Kyiv Post\n\nParliament passed the budget.\n\nIt was late.\n",
        0, "Budget passes", "Kyiv Post"),
    "several sections": (
        "Talks resume | Page 1 | Gulf Wire\n\nBody.\n\nQatar in Brief\nOne...More\nTwo...More\n\n"
        "Business in brief\nThree ...More\n",
        3, "Talks resume", "Gulf Wire"),
    "brief without marker": (
        "Title | Outlet\n\nBody.\n\nWorld in Brief\nA line with no marker at all\n",
        1, "Title", "Outlet"),
}


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_page_variants(name, newline):
    text, briefs, title, source = VARIANTS[name]
    assert_page_shape(read(text, newline), briefs, title, source)


def test_plain_text_file_is_one_article_titled_by_its_first_line():
    docs = read("A headline without outlet\n\nFirst paragraph.\nstill first.\n\nSecond.\n")
    assert len(docs) == 1
    assert docs[0].title == "A headline without outlet" and docs[0].source is None
    assert docs[0].text == "First paragraph. still first.\n\nSecond."


def test_repeated_title_is_kept_once():
    docs = read("Same headline | Outlet\n\nSame headline\n\nThe body.\n")
    assert docs[0].text == "The body."


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\x00\x01\x02binary\x00" * 50])
def test_unreadable_page_raises_clear_error(data):
    with pytest.raises(ReadError):
        list(read_page(data))


def test_latin1_page_is_decoded():
    data = "Économie française | Le Monde\n\nLa croissance a ralenti en été.\n".encode("latin-1")
    docs = list(read_page(data))
    assert docs[0].title == "Économie française"


def read_items(data: bytes, **options) -> tuple[list, list[str], list[str]]:
    """Read to the end: documents, problem messages, warning messages."""
    items = list(read_page(data, **options))
    return ([i for i in items if not isinstance(i, (Problem, ItemWarning))],
            [i.message for i in items if isinstance(i, Problem)],
            [i.message for i in items if isinstance(i, ItemWarning)])


BRIEFS = "Title | Outlet\n\nBody.\n\nWorld in Brief\nFirst brief...More\n{middle}\nLast brief…More\n"


def test_brief_over_the_item_limit_is_skipped_and_the_others_kept():
    data = BRIEFS.format(middle="y" * 3000).encode()
    docs, problems, _ = read_items(data, limit=1000)
    assert [d.text for d in docs] == ["Body.", "First brief", "Last brief"]
    assert docs[1].parent_id == docs[0].id
    assert problems == ["line 7: a brief of 3,000 bytes, over the item limit of 1,000 bytes; "
                        "skipped"]


def test_article_over_the_item_limit_is_skipped_and_its_briefs_kept_without_it():
    data = ("Title | Outlet\n\n" + "A long line of the body.\n" * 100 + "\nWorld in Brief\n"
            "A brief...More\n").encode()
    docs, problems, _ = read_items(data, limit=1000)
    assert [(d.kind, d.text, d.parent_id, d.source) for d in docs] == [
        ("brief", "A brief", None, "Outlet")]
    assert problems == ["line 1: the article is 2,516 bytes, over the item limit of "
                        "1,000 bytes; skipped (its briefs are kept)"]


def test_page_read_from_a_stream_in_small_chunks_matches_reading_it_whole():
    # 3-byte UTF-8 characters and \r\n pairs fall across the 64 KiB chunk boundaries.
    text = "Заголовок | Outlet\r\n\r\n" + "Текст статьи — ещё строка.\r\n" * 5000
    whole = read_items(text.encode())[0]
    with gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(text.encode()))) as stream:
        streamed = [i for i in read_page(stream)]
    assert [d.id for d in streamed] == [d.id for d in whole]
    assert whole[0].title == "Заголовок" and "\r" not in whole[0].text


def test_bytes_that_do_not_fit_the_encoding_are_replaced_with_a_warning():
    # The first 64 KiB decide: UTF-8. A stray Latin-1 byte far after that is damage.
    data = ("Title | Outlet\n\n" + "plain words\n" * 8000).encode() + b"caf\xe9\n"
    docs, problems, warnings = read_items(data)
    assert docs[0].text.endswith("caf\ufffd") and problems == []
    assert warnings == ["bytes that are not utf-8 text were replaced by \ufffd"]


def test_long_runs_of_dots_and_spaces_in_briefs_stay_fast():
    # The brief header and ...More patterns once backtracked quadratically on such lines.
    dots, spaces = "." * 300_000 + "x", "x in brief" + " " * 300_000 + "y"
    data = f"T | O\n\nBody.\n\nWorld in Brief\n{dots}\n{spaces}\nEnd ...More\n".encode()
    docs, _, _ = read_items(data)
    assert [len(d.text) for d in docs[1:]] == [len(dots), len(spaces), 3]
