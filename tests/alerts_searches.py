"""Generated saved searches made of real words of real documents, for the test that holds
the presearcher way to the plain way and for benchmarks/alerts.py: single words, ANDs,
phrases, ORs, NOTs, trailing wildcards, fields, facet filters kept and left out, and date
bounds (fixed and relative), in a mix like the one monitors save."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Iterator, Sequence

from corpus.document import Document
from indexer.text.tokens import tokenize

KINDS = (("word", 30), ("and", 14), ("phrase", 10), ("or", 10), ("not", 8), ("prefix", 5),
         ("title", 5), ("filtered", 10), ("facets", 4), ("dated", 4))


def read_corpus(path: Path, count: int, skip: int = 0) -> list[Document]:
    """Documents of a shared JSON Lines corpus as its reader gives them (not enriched)."""
    from corpus.formats import reader_for
    from corpus.sources import open_input

    found: list[Document] = []
    with open_input(path, path.suffix == ".gz") as stream:
        for item in reader_for("jsonl")(stream, str(path)):
            if isinstance(item, Document) and (item.title or item.text):
                if skip:
                    skip -= 1
                    continue
                found.append(item)
                if len(found) >= count:
                    break
    return found


def words_of(doc: Document) -> list[str]:
    """The document's words of four letters or more, as written (lower case), in order."""
    return [t.raw for t in tokenize(f"{doc.title or ''} {doc.text}")
            if len(t.raw) >= 4 and t.raw.isalpha()]


def generate(docs: Sequence[Document], count: int, seed: int = 12) -> list[dict]:
    """count saved-search argument dicts (as SearchParams.from_args reads them)."""
    rng = random.Random(seed)
    pool = [(doc, words) for doc in docs if len(words := words_of(doc)) >= 6]
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    return [one(rng, rng.choice(kinds), pool) for _ in range(count)]


def one(rng: random.Random, kind: str, pool: list) -> dict:
    """One saved search of a kind, from the words of a random document."""
    doc, words = rng.choice(pool)
    word = lambda: rng.choice(words)  # noqa: E731
    if kind == "word":
        return {"q": word()}
    if kind == "and":
        return {"q": f"{word()} {word()}"}
    if kind == "phrase":
        at = rng.randrange(len(words) - 1)
        return {"q": f'"{words[at]} {words[at + 1]}"'}
    if kind == "or":
        return {"q": " OR ".join(word() for _ in range(rng.randint(2, 3)))}
    if kind == "not":
        other_doc, other = rng.choice(pool)
        return {"q": f"{word()} -{rng.choice(other)}"}
    if kind == "prefix":
        return {"q": f"{word()[:rng.randint(4, 6)]}*"}
    if kind == "title":
        return {"q": f"title:{word()}"}
    if kind == "filtered":
        facet, value = facet_of(rng, doc)
        side = facet if rng.random() < 0.6 else f"exclude_{facet}"
        return {"q": word(), side: [value]}
    if kind == "facets":
        facet, value = facet_of(rng, doc)
        return {facet: [value], "exclude_kind": ["brief"]}
    day = doc.published.date() if doc.published else None
    if day is None or rng.random() < 0.3:
        return {"q": word(), "from": rng.choice(["-7d", "-30d", "-2y"])}
    return {"q": word(), "from": day.isoformat()[:7], "to": day.isoformat()}


def facet_of(rng: random.Random, doc: Document) -> tuple[str, str]:
    """A facet value the document has (its source, language or kind, a country, an entity)."""
    choices = [("kind", doc.kind)]
    choices += [("source", doc.source)] if doc.source else []
    choices += [("lang", doc.lang)] if doc.lang else []
    choices += [("country", code) for code in doc.countries]
    choices += [("entity", e["name"]) for e in doc.entities]
    return rng.choice(choices)


def batches(docs: Sequence[Document], size: int) -> Iterator[list[Document]]:
    """Documents in lists of size."""
    for start in range(0, len(docs), size):
        yield list(docs[start:start + size])
