"""Enrichment speed per enricher, and language accuracy on titles and texts.

For each shared corpus (first N records, default 2,000), in one run:
- documents per second of each enricher alone (language, countries, entities, dates) and
  of all of them together, as ingest calls them;
- language accuracy against the corpus language, on titles alone and on title + text;
- the entity finder split per rule on the Arabic-script corpora (CPU seconds, each rule's
  share of the whole finder); with --against DIR (another checkout, e.g. made with
  `git archive <commit> | tar -x -C DIR`), the same split for that tree and the ratio:
  both trees run in child processes taking turns, so both see the same machine load.
Ingest throughput with enrichment on and off is in benchmarks/ingest.py.

Usage: python benchmarks/enrich.py [--limit N] [--rules-only] [--against DIR]
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# --root DIR (the child of --against) times another checkout's code with this script
_ROOT_AT = sys.argv.index("--root") + 1 if "--root" in sys.argv else 0
CODE = Path(sys.argv[_ROOT_AT]).resolve() if _ROOT_AT else ROOT
sys.path.insert(0, str(CODE))

from corpus.jsonl import record_to_document  # noqa: E402
from indexer.enrich import Enricher  # noqa: E402
from indexer.enrich.countries import default_matcher, detect_countries  # noqa: E402
from indexer.enrich.dates import date_from_text  # noqa: E402
from indexer.enrich.entities import find_entities  # noqa: E402
from indexer.enrich.entity_table import EntityTable  # noqa: E402
from indexer.enrich.language import detect_language  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
CORPORA = {"reuters-21578": "en", "saudinewsnet": "ar", "farsnews": "fa"}
RULES = ("fold", "aliases", "latin", "ar: titles", "ar: given names", "ar: shapes")
REPEATS = 3   # each figure is the least CPU time of this many runs
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


def rule_seconds(docs: list, lang: str, repeats: int) -> dict[str, float]:
    """CPU seconds of each step of find_mentions over docs, and of the whole of it (the
    least of `repeats` runs).

    The steps are called as find_mentions calls them; caches (the country test) are
    cleared before each run, as a fresh ingest starts.
    """
    from indexer.enrich import entities, entity_arabic, entity_lexicon, person_shapes
    lex, is_country = entity_lexicon.lexicon(), entity_lexicon.default_is_country
    is_country("")   # builds the country names, once per process
    bodies = [entities._CAPS_LINE.sub(lambda m: " " * len(m.group()), entities._with_title(d.title, d.text))
              for d in docs]
    folded = [entities.fold_letters(body) for body in bodies]
    taken = [entities._alias_mentions(f, lex)[1] for f in folded]
    arabic = [bool(entity_arabic._ARABIC_LETTER.search(body)) for body in bodies]
    steps = {
        "fold": lambda k: entities.fold_letters(bodies[k]),
        "aliases": lambda k: entities._alias_mentions(folded[k], lex),
        "latin": lambda k: entities._latin_mentions(bodies[k], lex, taken[k]),
        "ar: titles": lambda k: arabic[k] and entity_arabic._cue_mentions(
            bodies[k], folded[k], lang, lex, is_country),
        "ar: given names": lambda k: arabic[k] and entity_arabic._given_name_mentions(
            bodies[k], folded[k], lang, lex),
        "ar: shapes": lambda k: arabic[k] and person_shapes.shape_mentions(
            bodies[k], folded[k], lang, lex.arabic[lang], is_country),
        "find_mentions": lambda k: entities.find_mentions(docs[k].title, docs[k].text, lang),
    }
    for step in steps.values():   # whatever else a step builds once, outside the timing
        step(0)
    seconds = {}
    for name, step in steps.items():
        runs = []
        for _ in range(repeats):
            getattr(is_country, "cache_clear", lambda: None)()
            start = time.process_time()
            for k in range(len(docs)):
                step(k)
            runs.append(time.process_time() - start)
        seconds[name] = min(runs)
    return seconds


def taking_turns(roots: tuple[str, str], corpus: str, limit: int) -> list[dict[str, float]]:
    """Each tree's least seconds per rule over REPEATS single runs in child processes,
    the trees taking turns."""
    best: list[dict[str, float]] = [{}, {}]
    for _ in range(REPEATS):
        for tree, root in enumerate(roots):
            run = json.loads(subprocess.run(
                [sys.executable, __file__, "--root", root, "--rules-json", corpus, "--limit", str(limit)],
                check=True, capture_output=True, text=True).stdout)
            best[tree] = {rule: min(seconds, best[tree].get(rule, seconds)) for rule, seconds in run.items()}
    return best


def rules_table(limit: int, against: str | None) -> None:
    """Print the entity finder's split per rule (and against another tree's, if asked)."""
    print(f"\nentity finder per rule, CPU seconds (least of {REPEATS} runs); share of find_mentions")
    for name, lang in CORPORA.items():
        if lang == "en":
            continue
        docs = load(name, limit)
        here, there = rule_seconds(docs, lang, REPEATS), None
        if against:
            here, there = taking_turns((str(ROOT), against), name, limit)
        head = f"{'rule':<18}{'seconds':>9}{'share':>8}"
        print(f"\n{name} ({lang}), {len(docs)} documents")
        print(head + (f"{'against':>10}{'share':>8}{'ratio':>8}" if there else ""))
        for rule in (*RULES, "find_mentions"):
            row = f"{rule:<18}{here[rule]:>9.2f}{here[rule] / here['find_mentions']:>8.0%}"
            if there:
                row += (f"{there[rule]:>10.2f}{there[rule] / there['find_mentions']:>8.0%}"
                        f"{there[rule] / max(here[rule], 1e-9):>7.1f}x")
            print(row)
        rate = len(docs) / here["find_mentions"]
        print(f"find_mentions: {rate:,.0f} docs/s" + (
            f" (against: {len(docs) / there['find_mentions']:,.0f} docs/s)" if there else ""))


def main() -> None:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2000, help="records per corpus")
    parser.add_argument("--rules-only", action="store_true", help="only the per-rule table")
    parser.add_argument("--against", metavar="DIR", help="another checkout to time the rules of")
    parser.add_argument("--root", help=argparse.SUPPRESS)   # the checkout whose code runs
    parser.add_argument("--rules-json", metavar="CORPUS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against and not (Path(args.against) / "indexer" / "enrich").is_dir():
        sys.exit(f"--against {args.against}: not a checkout of this project (no indexer/enrich)")
    default_matcher()      # the gazetteer is built once per process; keep it out of the rates
    if args.rules_json:
        print(json.dumps(rule_seconds(load(args.rules_json, args.limit), CORPORA[args.rules_json], 1)))
        return
    if not args.rules_only:
        speed_table(args.limit)
    rules_table(args.limit, args.against)


def speed_table(limit: int) -> None:
    """Docs/s per enricher and language accuracy, per corpus."""
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
