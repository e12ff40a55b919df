"""Persian and Arabic people: recall and precision on labelled samples, corpus coverage.

Run: python benchmarks/person_names.py [--saudi-limit 1500]
Labels are the project's own (tests/data/person_names_{fa,ar}.json: document id -> the
people the text names). A found name is right when its variant key equals a label's.
"sample" runs each labelled document alone with an empty entity table (a first ingest of
that document); "sample, table" runs it with the table the corpus run learned (what
`reenrich` after an ingest sees). Coverage counts the corpus documents with at least one
person, enriched in order against a growing entity table, as an ingest does.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Iterable, Mapping

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.document import Document  # noqa: E402
from corpus.jsonl import read_jsonl  # noqa: E402
from indexer.enrich.entities import find_entities  # noqa: E402
from indexer.enrich.entity_table import EntityTable, variant_key  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = ROOT / "tests" / "data"
SAMPLES = {"fa": "farsnews", "ar": "saudinewsnet"}


def labels(lang: str) -> dict[str, list[str]]:
    """The labelled sample of a language: document id -> people as written."""
    data = json.loads((LABELS / f"person_names_{lang}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def documents(name: str) -> list[Document]:
    """A shared corpus file's distinct documents in file order."""
    seen: dict[str, Document] = {}
    for doc in read_jsonl(gzip.open(CORPUS / f"{name}.jsonl.gz").read(), name):
        if isinstance(doc, Document) and doc.id not in seen:
            seen[doc.id] = doc
    return list(seen.values())


def people(doc: Document, lang: str, known: Mapping[str, tuple[str, str]] | None = None
           ) -> list[set[str]]:
    """Each person found in a document as the set of its variant keys (its name's and the
    forms merged into it: "سيف الفلاسي" with "سيف يوسف أحمد الفلاسي")."""
    return [{variant_key(e.name), *e.variants}
            for e in find_entities(doc.title, doc.text, lang, known) if e.type == "person"]


def score(docs: Mapping[str, Document], wanted: Mapping[str, list[str]], lang: str,
          known: Mapping[str, tuple[str, str]] | None = None) -> tuple[int, int, int]:
    """(labelled, found, right) over a labelled sample: a person found is right when one of
    its variant keys is a label's."""
    labelled = found = right = 0
    for doc_id, names in wanted.items():
        want = {variant_key(n) for n in names}
        got = people(docs[doc_id], lang, known)
        hits = {key for person in got for key in person & want}
        labelled, found, right = labelled + len(want), found + len(got), right + len(hits)
    return labelled, found, right


def coverage(docs: Iterable[Document], lang: str) -> tuple[int, int, EntityTable]:
    """(documents, documents with a person, the table learned) over a run in order."""
    table, total, with_person = EntityTable(), 0, 0
    for doc in docs:
        entities = find_entities(doc.title, doc.text, lang, table)
        table.add(entities)
        total += 1
        with_person += any(e.type == "person" for e in entities)
    return total, with_person, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saudi-limit", type=int, default=1500,
                        help="saudinewsnet documents for coverage (first N distinct)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"shared corpus not found at {CORPUS}")
    print(f"{'lang':<5}{'run':<15}{'labelled':>9}{'found':>7}{'right':>7}{'recall':>8}"
          f"{'precision':>10}{'docs with person':>22}")
    for lang, name in SAMPLES.items():
        corpus = documents(name)
        wanted = labels(lang)
        sample = {d.id: d for d in corpus if d.id in wanted}
        run = corpus if lang == "fa" else corpus[:args.saudi_limit]
        total, with_person, table = coverage(run, lang)
        for label, known in (("sample", None), ("sample, table", table)):
            labelled, found, right = score(sample, wanted, lang, known)
            print(f"{lang:<5}{label:<15}{labelled:>9}{found:>7}{right:>7}"
                  f"{right / labelled:>8.0%}{(right / found if found else 0):>10.0%}"
                  f"{f'{with_person:,} of {total:,}':>22}")


if __name__ == "__main__":
    main()
