"""The golden search answers: a fixed set of queries over a slice of the shared corpora.

`python -m tests.golden record` writes tests/data/golden_search.json from the code as it
stands; tests/test_golden_search.py compares today's answers to it. The file keeps ids,
counts, facets and histograms, and only a hash of each snippet, never shared text.
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import random
import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
GOLDEN = ROOT / "tests" / "data" / "golden_search.json"
REUTERS_LINES = 2000
SEED = 20261201


def corpus_slice(folder: Path) -> list[Path]:
    """Write the golden corpus (all of farsnews, the first Reuters lines) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    reuters = folder / "reuters-head.jsonl"
    with gzip.open(SHARED / "reuters-21578.jsonl.gz", "rt", encoding="utf-8") as handle:
        reuters.write_text("".join(itertools.islice(handle, REUTERS_LINES)), encoding="utf-8")
    return [SHARED / "farsnews.jsonl.gz", reuters]


def words_of(paths: list[Path]) -> tuple[list[str], list[str]]:
    """Frequent-ish words of the slice, Latin and Arabic-script apart, in a stable order."""
    counts: dict[str, int] = {}
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                for word in set(f"{record.get('title') or ''} {record.get('text') or ''}".split()):
                    word = word.strip(".,;:()\"'«»!?،؛")
                    if len(word) > 3 and word.isalpha():
                        counts[word] = counts.get(word, 0) + 1
    useful = sorted(w for w, n in counts.items() if 5 <= n <= 400)
    latin = [w.lower() for w in useful if w.isascii()]
    arabic = [w for w in useful if not w.isascii()]
    return sorted(set(latin)), arabic


def swap_forms(word: str) -> str:
    """The same word typed on the other keyboard (ی/ي, ک/ك)."""
    table = str.maketrans({"ی": "ي", "ي": "ی", "ک": "ك", "ك": "ک"})
    return word.translate(table)


def cases(paths: list[Path]) -> list[list[str]]:
    """Command-line argument lists of `search`: the query language and the filters."""
    latin, arabic = words_of(paths)
    rng = random.Random(SEED)
    pick = lambda pool: rng.choice(pool)  # noqa: E731
    out: list[list[str]] = []
    for _ in range(40):
        out.append([pick(latin)])
    for _ in range(40):
        word = pick(arabic)
        out.append([word])
        out.append([swap_forms(word)])
    for _ in range(20):
        out.append([f"{pick(latin)} {pick(latin)}"])
        out.append([f"{pick(latin)} OR {pick(latin)}"])
        out.append([f"{pick(latin)} -{pick(latin)}"])
        out.append([f'"{pick(latin)} {pick(latin)}"'])
        out.append([f"{pick(latin)[:4]}*"])
        out.append([f"{pick(arabic)} OR {pick(arabic)}"])
    for _ in range(10):
        word = pick(latin)
        out.append([f"title:{word}"])
        out.append([f"({word} OR {pick(latin)}) NOT {pick(latin)}"])
        out.append([f'"{word} {pick(latin)}"~5'])
        out.append([word, "--sort", "newest"])
        out.append([word, "--sort", "oldest", "--page", "2"])
        out.append([word, "--country", "US"])
        out.append([word, "--exclude-country", "US"])
        out.append([word, "--from", "1987-03", "--to", "1987-04-15"])
        out.append([f"{word} date:1987-03"])
        out.append([f"{word} lang:en"])
    out += [[""], ["", "--lang", "fa"], ["", "--kind", "brief"], ["", "--sort", "oldest"],
            ["", "--from", "2010", "--to", "2015"], ["date:>=2015"], ["country:Iran"],
            ["", "--country", "Iran", "--exclude-lang", "en"], ["source:reuters"],
            ["NOT NOT oil"], ['"unclosed'], ["(a OR b"], ["*ran"], ["foo:bar"],
            ["date:[2020 TO"], ["", "--country", "Atlantis"], ["", "--page", "0"]]
    return out


def answer(home: Path, args: list[str]) -> dict:
    """One search's answer, reduced to what may be compared: no text, snippet hashes."""
    from manage import cli

    query, *options = args
    result = CliRunner().invoke(cli, ["--home", str(home), "search", "--json", *options,
                                      "--", query])
    try:
        data = json.loads(result.stdout)
    except ValueError:
        return {"exit": result.exit_code, "output": result.output[-300:]}
    if "error" in data:
        return {"exit": result.exit_code, "error": data["error"]}
    data["results"] = [{"id": r["id"], "duplicates": r["duplicates"],
                        "snippet": hashlib.sha1(r["snippet"].encode()).hexdigest()[:12]}
                       for r in data["results"]]
    return data


def ingest(home: Path, paths: list[Path]) -> None:
    """Ingest the slice into home."""
    from manage import cli

    result = CliRunner().invoke(cli, ["--home", str(home), "ingest", *map(str, paths)])
    assert result.exit_code == 0, result.output


def record(work: Path) -> None:
    """Build the slice, ingest it and write every case's answer to the golden file."""
    paths = corpus_slice(work / "corpus")
    ingest(work / "home", paths)
    golden = [{"args": args, "answer": answer(work / "home", args)} for args in cases(paths)]
    GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                      encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["record"]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        record(Path(folder))
