"""Country detection: accuracy on real labels and speed in documents per second.

Run: python benchmarks/countries.py [--limit N]
Reuters places come mapped to ISO codes through ../shared/corpus/reuters_places_iso.json;
the Persian and Arabic labels are the project's own (tests/data/country_labels_*.json).
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.enrich.countries import default_matcher, detect_countries  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = ROOT / "tests" / "data"
LABELLED = {"fa": "farsnews", "ar": "saudinewsnet"}


def read_jsonl(name: str, limit: int | None = None) -> list[dict]:
    """Records of a shared corpus file, the first `limit` of them when given."""
    with gzip.open(CORPUS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in islice(handle, limit)]


def reuters_gold(records: list[dict]) -> list[set[str]]:
    """Reuters `places` labels as ISO code sets (1987 names mapped by the shared table)."""
    table = json.loads((CORPUS / "reuters_places_iso.json").read_text())
    return [{table[p] for p in r["labels"]["places"] if table.get(p)} for r in records]


def micro_prf(gold: list[set[str]], predicted: list[set[str]]) -> dict:
    """Micro precision, recall and F1 over the documents where gold or prediction is non-empty."""
    tp = fp = fn = docs = 0
    for g, p in zip(gold, predicted, strict=True):
        if g or p:
            docs += 1
            tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "documents": docs}


def predict(records: list[dict], lang: str) -> list[set[str]]:
    """Detected countries for each record."""
    return [set(detect_countries(r["title"], r["text"], lang)) for r in records]


def evaluate_reuters(limit: int | None = None) -> dict:
    """Micro P/R/F1 of the country facet against Reuters `places`."""
    records = read_jsonl("reuters-21578", limit)
    return micro_prf(reuters_gold(records), predict(records, "en"))


def evaluate_labelled(lang: str) -> dict:
    """Micro P/R/F1 against the project's hand labels for the Persian or Arabic sample."""
    labels = json.loads((LABELS / f"country_labels_{lang}.json").read_text(encoding="utf-8"))
    records = {r["id"]: r for r in read_jsonl(LABELLED[lang]) if r["id"] in labels}
    ids = sorted(labels)
    return micro_prf([set(labels[i]) for i in ids], predict([records[i] for i in ids], lang))


TRAPS = {"jordan": "JO", "turkey": "TR", "chad": "TD", "georgia": "GE", "niger": "NE", "guinea": "GN"}


def trap_table(limit: int | None = None) -> dict[str, dict]:
    """Per trap word: Reuters documents holding it, and TP/FP/FN of its country, naive vs rules.

    Naive counts the country whenever the word occurs, any case, even inside another word
    ('Niger' in 'Nigeria'); rules is detect_countries(..., every_mention=True).
    """
    records = read_jsonl("reuters-21578", limit)
    table = {}
    for word, code in TRAPS.items():
        counts = {"docs": 0, "naive": [0, 0, 0], "rules": [0, 0, 0]}
        for record, gold in zip(records, reuters_gold(records), strict=True):
            text = f"{record['title']}\n{record['text']}"
            if word not in text.lower():
                continue
            counts["docs"] += 1
            rules = code in detect_countries(record["title"], record["text"], "en", every_mention=True)
            for name, said in (("naive", True), ("rules", rules)):
                tally = counts[name]
                tally[0] += said and code in gold
                tally[1] += said and code not in gold
                tally[2] += not said and code in gold
        table[word] = counts
    return table


def docs_per_second(name: str = "reuters-21578", lang: str = "en", limit: int = 5000) -> float:
    """Documents per second of detect_countries over a corpus (matcher built beforehand)."""
    records = read_jsonl(name, limit)
    default_matcher()
    start = time.perf_counter()
    for r in records:
        detect_countries(r["title"], r["text"], lang)
    return len(records) / (time.perf_counter() - start)


def main() -> None:
    """Print the accuracy table and the speed table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Reuters records to score (default all)")
    args = parser.parse_args()
    start = time.perf_counter()
    default_matcher()
    print(f"matcher built in {time.perf_counter() - start:.2f} s")
    print(f"{'corpus':<16}{'docs':>7}{'P':>8}{'R':>8}{'F1':>8}")
    rows = [("reuters (en)", evaluate_reuters(args.limit)), ("farsnews (fa)", evaluate_labelled("fa")),
            ("saudinewsnet (ar)", evaluate_labelled("ar"))]
    for name, m in rows:
        print(f"{name:<16}{m['documents']:>7}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}")
    print(f"{'trap':<10}{'docs':>6}  naive TP/FP/FN   rules TP/FP/FN")
    for word, c in trap_table(args.limit).items():
        naive, rules = "/".join(map(str, c["naive"])), "/".join(map(str, c["rules"]))
        print(f"{word:<10}{c['docs']:>6}  {naive:>14}   {rules:>14}")
    print(f"{'corpus':<16}{'docs/s':>10}")
    for name, lang in (("reuters-21578", "en"), ("farsnews", "fa"), ("saudinewsnet", "ar")):
        print(f"{name:<16}{docs_per_second(name, lang, 3000):>10.0f}")


if __name__ == "__main__":
    main()
