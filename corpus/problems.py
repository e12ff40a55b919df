"""How a reader says that part or all of its input could not be read."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A recoverable error a reader yields between documents: the rest still goes in."""

    message: str


@dataclass(frozen=True)
class ItemWarning:
    """A note about an item that was still read (a field dropped or repaired): not an error."""

    message: str


class ReadError(Exception):
    """Nothing (more) could be read from the input; the message names the problem."""
