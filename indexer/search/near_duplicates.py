"""Near-duplicates: a MinHash signature per document, LSH band keys, and clusters.

A document's title and text are normalised (folded as search folds them, with
indexer.text.folding; words only) and cut into shingles of SHINGLE consecutive words. Each
shingle is hashed with blake2b under PERMUTATIONS // 16 fixed salts (16 32-bit values a
call), and the signature keeps the minimum of each of the PERMUTATIONS values over all
shingles (MinHash): the share of equal positions of two signatures estimates the Jaccard
similarity of their shingle sets.

Candidates share one of BANDS band keys (ROWS signature values each); a candidate pair is
confirmed when the estimated Jaccard is at least THRESHOLD. Measured on Reuters-21578
(18,000 documents; pairs of long documents at or above 0.5: 734, 0.6: 644, 0.7: 541,
0.8: 444, 0.9: 366, 1.0: 275): from 0.8 up nearly all pairs are the same story re-sent
or corrected (a changed headline, a ticker added, a line cut); from 0.5 to 0.8 many are
templated reports of different days ("FED ADDS RESERVES VIA CUSTOMER REPURCHASES",
midday against closing rates), which must stay apart. Documents of fewer than SHORT_WORDS words
("Markets close" briefs) get a signature that only an identical normalised title+text
shares, so briefs with the same headline and different bodies stay apart.

Everything here is pure: no index, no Whoosh.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Callable, Iterable, Sequence

import numpy as np

from indexer.text.folding import fold_text

SHINGLE = 4
PERMUTATIONS = 48
ROWS = 4
BANDS = PERMUTATIONS // ROWS
THRESHOLD = 0.8
SHORT_WORDS = 20
_SIZE = 4 * PERMUTATIONS
_SALTS = tuple(f"mm-near-{n}".encode() for n in range(PERMUTATIONS // 16))
_WORD = re.compile(r"\w+")


def normalised_words(title: str | None, text: str | None) -> list[str]:
    """The words of title and text, folded as search folds them (case, accents, letters)."""
    return _WORD.findall(fold_text(f"{title or ''}\n{text or ''}"))


# A salted hash started once and copied per shingle: the same digests, a third faster.
_SALTED = tuple(hashlib.blake2b(digest_size=64, salt=salt) for salt in _SALTS)


def signature(title: str | None, text: str | None) -> bytes:
    """The MinHash signature (PERMUTATIONS little-endian uint32) of a document; b"" if empty."""
    words = normalised_words(title, text)
    if not words:
        return b""
    if len(words) < SHORT_WORDS:
        # One value everywhere: equal only to the signature of the same words.
        whole = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=4,
                                person=b"mm-short").digest()
        return whole * PERMUTATIONS
    shingles = {" ".join(words[i:i + SHINGLE]).encode("utf-8")
                for i in range(len(words) - SHINGLE + 1)}
    # Every shingle's values in one row, read as little-endian uint32; the signature is
    # each column's minimum, written little-endian.
    copies = [salted.copy for salted in _SALTED]
    digests = []
    for shingle in shingles:        # its PERMUTATIONS // 16 salted digests, 16 values each
        for copy in copies:
            hasher = copy()
            hasher.update(shingle)
            digests.append(hasher.digest())
    values = np.frombuffer(b"".join(digests), dtype="<u4")
    return values.reshape(-1, PERMUTATIONS).min(axis=0).astype("<u4").tobytes()


def band_keys(sig: bytes) -> list[bytes]:
    """The LSH band keys of a signature (none for a missing or malformed one)."""
    if len(sig) != _SIZE:
        return []
    width = 4 * ROWS
    return [bytes((band,)) + sig[band * width:(band + 1) * width] for band in range(BANDS)]


def sharing_a_band(signatures: Sequence[bytes]) -> set[int]:
    """The positions of signatures that share a band key with another one.

    Only these documents can ever be joined by clusters(), so a search can leave every other
    match out of it. Counted band by band: one band's keys in memory at a time.
    """
    shared: set[int] = set()
    width = 4 * ROWS
    for band in range(BANDS):
        low, high = band * width, (band + 1) * width
        # A missing signature gets its own position as key: an int never equals bytes.
        keys = [sig[low:high] if len(sig) == _SIZE else position
                for position, sig in enumerate(signatures)]
        repeated = {key for key, count in Counter(keys).items() if count > 1}
        if repeated:
            shared.update(position for position, key in enumerate(keys) if key in repeated)
    return shared


def similarity(a: bytes, b: bytes) -> float:
    """The Jaccard similarity two signatures estimate (0 when either is missing)."""
    if len(a) != _SIZE or len(b) != _SIZE:
        return 0.0
    # The signatures' 32-bit minima compared by numpy: a search compares thousands of pairs.
    same = int(np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4")))
    return same / PERMUTATIONS


def clusters(docnums: Iterable[int], signatures: Sequence[bytes],
             threshold: float = THRESHOLD,
             keys_of: Callable[[int], Sequence[bytes]] | None = None) -> dict[int, list[int]]:
    """Group documents whose signatures are near: {root: members} for groups of 2 or more.

    Only the given document numbers take part. Each band key remembers the first document
    that had it; a later document with the same key is joined to that one when their
    estimated Jaccard similarity is at least the threshold (joins are transitive).
    `keys_of(docnum)` may give band keys kept from an earlier call (a per-searcher cache).
    """
    if keys_of is None:
        keys_of = lambda d: band_keys(signatures[d])  # noqa: E731
    first: dict[bytes, int] = {}
    parent: dict[int, int] = {}

    def root(d: int) -> int:
        while d in parent:
            d = parent[d]
        return d

    for d in docnums:
        sig = None
        for key in keys_of(d):
            other = first.setdefault(key, d)
            if other == d:
                continue
            a, b = root(d), root(other)
            if a == b:
                continue
            sig = signatures[d] if sig is None else sig
            if similarity(sig, signatures[other]) >= threshold:
                parent[a] = b
    groups: dict[int, list[int]] = {}
    for d in parent:
        groups.setdefault(root(d), []).append(d)
    for r, members in groups.items():
        if r not in members:
            members.append(r)
    return groups


def collapse(ranked: Sequence[int], signatures: Sequence[bytes],
             earliest_key: Callable[[int], tuple], threshold: float = THRESHOLD,
             keys_of: Callable[[int], Sequence[bytes]] | None = None,
             ) -> tuple[list[int], dict[int, list[int]]]:
    """Collapse near-duplicates of a ranked list under their earliest member.

    Return the leaders in ranked order (each group appears where its leader ranks) and
    {leader: copies} for the leaders that have copies (copies in ranked order).
    """
    copies = copies_by_leader(ranked, signatures, earliest_key, threshold, keys_of)
    position = {d: i for i, d in enumerate(ranked)} if copies else {}
    for leader in copies:
        copies[leader].sort(key=position.__getitem__)
    hidden = {d for members in copies.values() for d in members}
    return [d for d in ranked if d not in hidden], copies


def copies_by_leader(docnums: Iterable[int], signatures: Sequence[bytes],
                     earliest_key: Callable[[int], tuple], threshold: float = THRESHOLD,
                     keys_of: Callable[[int], Sequence[bytes]] | None = None,
                     ) -> dict[int, list[int]]:
    """{earliest member: the other members} for each group of near-duplicates."""
    copies = {}
    for members in clusters(docnums, signatures, threshold, keys_of).values():
        leader = min(members, key=earliest_key)
        copies[leader] = [m for m in members if m != leader]
    return copies


def group_of(target: int, docnums: Iterable[int], signatures: Sequence[bytes],
             threshold: float = THRESHOLD,
             keys_of: Callable[[int], Sequence[bytes]] | None = None) -> list[int]:
    """The other members of target's group among docnums and target (empty if alone)."""
    docnums = list(docnums)
    if target not in docnums:
        docnums.append(target)
    for members in clusters(docnums, signatures, threshold, keys_of).values():
        if target in members:
            return [m for m in members if m != target]
    return []
