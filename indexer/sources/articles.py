"""Full articles: a feed item's page fetched once, its main text filling what the item lacks."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Iterator

from corpus.document import Document, format_time
from corpus.problems import ReadError
from indexer.sources.fetcher import Fetcher, FetchError
from indexer.sources.safety import UnsafeURL
from indexer.store import Store
from indexer.store import sources as rows
from indexer.store.stored import stored_id

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


def fill_from_page(item: Document, page: Document) -> Document:
    """The item under its own identity, with the longer text and what only the page knows."""
    return replace(item,
                   text=page.text if len(page.text) > len(item.text) else item.text,
                   title=item.title or page.title, source=item.source or page.source,
                   published=item.published or page.published,
                   declared_lang=item.declared_lang or page.declared_lang)


def read_page(data: bytes, url: str) -> Document:
    """The article a fetched page holds, through the same reader as a saved page."""
    # Imported here: trafilatura loads only for sources that want pages.
    from corpus.html import read_html

    for found in read_html(data, url):
        if isinstance(found, Document):
            return found
    raise ReadError("no article found in the page")


class ItemPreparer:
    """Amends a source's feed items on their way to the store: its language for items
    declaring none, and (with fetch_articles) each item's page fetched once."""

    def __init__(self, store: Store, fetcher: Fetcher, source: dict, clock: Callable):
        self.store, self.fetcher, self.source, self.clock = store, fetcher, source, clock
        self.errors: list[str] = []

    def __call__(self, items: Iterable) -> Iterator:
        for item in items:
            if isinstance(item, Document):
                item = self.prepare(item)
            yield item

    def prepare(self, item: Document) -> Document:
        """One item with the source's defaults and, when wanted, its page's text."""
        if self.source.get("lang") and not item.declared_lang:
            item.declared_lang = self.source["lang"]
        if self.source.get("fetch_articles") and item.url and self.wants_page(item):
            item = self.fetch_page(item)
        return item

    def wants_page(self, item: Document) -> bool:
        """Fetch once: not when tried and failed, nor when fetched and the item is stored."""
        record = rows.article_fetched(self.store.db, stored_id(item))
        if record is None:
            return True
        # A crash between fetching and storing leaves a record without its document.
        return record["error"] is None and self.store.get(stored_id(item)) is None

    def fetch_page(self, item: Document) -> Document:
        """The item filled from its page; as it was (the reason kept) when that fails."""
        url = item.url
        assert url is not None, "prepare fetches the pages of items with a URL only"
        error, filled = None, item
        try:
            answer = self.fetcher.get(url, accept=PAGE_ACCEPT)
            if answer.status != 200 or answer.cut_off:
                raise FetchError(answer.cut_off or f"HTTP {answer.status}")
            filled = fill_from_page(item, read_page(answer.body, answer.url))
        except (FetchError, UnsafeURL, ReadError) as exc:
            error = str(exc)
            self.errors.append(f"article page {url}: {error}")
        rows.record_article(self.store.db, stored_id(item), self.source["id"], url,
                            format_time(self.clock()), error)
        return filled
