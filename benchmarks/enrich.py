"""Enrichment speed per enricher, and language accuracy on titles and texts.

For each shared corpus (first N records, default 2,000), in one run:
- documents per second of each enricher alone (language, countries, entities, dates) and
  of all of them together, as ingest calls them;
- language accuracy against the corpus language, on titles alone and on title + text.
Ingest throughput with enrichment on and off is in benchmarks/ingest.py.

Usage: python benchmarks/enrich.py [--limit N]
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.jsonl import record_to_document  # noqa: E402
from indexer.enrich import Enricher  # noqa: E402
from indexer.enrich.countries import default_matcher, detect_countries  # noqa: E402
from indexer.enrich.dates import date_from_text  # noqa: E402
from indexer.enrich.entities import find_entities  # noqa: E402
from indexer.enrich.entity_table import EntityTable  # noqa: E402
from indexer.enrich.language import detect_language  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
CORPORA = {"reuters-21578": "en", "saudinewsnet": "ar", "farsnews": "fa"}
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def load(name: str, limit: int) -> list:
    """The first `limit` documents of a corpus, as ingest would read them."""
    with gzip.open(SHARED / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [record_to_document(json.loads(line)) for line in itertools.islice(handle, limit)]


def rate(docs: list, work) -> float:
    """Documents per second of work(doc) over docs."""
    start = time.perf_counter()
    for doc in docs:
        work(doc)
    return len(docs) / (time.perf_counter() - start)


def speed_rows(docs: list, lang: str) -> dict[str, float]:
    """Docs/s of each enricher and of the whole Enricher."""
    table = EntityTable()
    return {
        "language": rate(docs, lambda d: detect_language(d.title, d.text, d.declared_lang)),
        "countries": rate(docs, lambda d: detect_countries(d.title, d.text, lang)),
        "entities": rate(docs, lambda d: table.add(find_entities(d.title, d.text, lang, table))),
        "dates": rate(docs, lambda d: date_from_text(d.text, lang)),
        "all (Enricher)": rate(docs, lambda d: Enricher().enrich(d, NOW)),
    }


def accuracy(docs: list, lang: str) -> tuple[float, float]:
    """Share of titles alone, and of title + text, detected as the corpus language."""
    titled = [d for d in docs if d.title]
    on_titles = sum(detect_language(d.title, "") == lang for d in titled) / max(1, len(titled))
    on_texts = sum(detect_language(d.title, d.text) == lang for d in docs) / max(1, len(docs))
    return on_titles, on_texts


def main() -> None:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2000, help="records per corpus")
    limit = parser.parse_args().limit
    default_matcher()      # the gazetteer is built once per process; keep it out of the rates
    print(f"{'corpus':<15}{'docs':>6}" + "".join(f"{k:>16}" for k in
          ("language", "countries", "entities", "dates", "all (Enricher)")) + "   (docs/s)")
    accuracies = {}
    for name, lang in CORPORA.items():
        docs = load(name, limit)
        rows = speed_rows(docs, lang)
        print(f"{name:<15}{len(docs):>6}" + "".join(f"{v:>16,.0f}" for v in rows.values()))
        accuracies[name] = accuracy(docs, lang)
    print(f"\n{'corpus':<15}{'lang':>6}{'titles alone':>14}{'title + text':>14}")
    for name, (titles, texts) in accuracies.items():
        print(f"{name:<15}{CORPORA[name]:>6}{titles:>14.1%}{texts:>14.1%}")


if __name__ == "__main__":
    main()
