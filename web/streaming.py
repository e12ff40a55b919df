"""Stream what a writer function writes to a text handle, as an HTTP body.

Monitor.export writes every match to a handle; a thread runs it into a bounded queue so the
response starts at once and memory stays flat. The first chunk (or the writer's error) is
awaited before the response begins, so a search that fails answers 400, not a cut body.
"""
from __future__ import annotations

import io
import queue
import threading
from typing import Callable, Iterator, TextIO

_DONE = object()
_WAIT = 0.5        # seconds between checks that the reader is still there


class ReaderGone(Exception):
    """The client stopped reading; the writer stops too."""


class _Pipe(io.TextIOBase):
    """A text handle that hands what is written to the queue in chunks."""

    def __init__(self, channel: queue.Queue, chunk: int, gone: threading.Event):
        self.channel, self.chunk, self.gone = channel, chunk, gone
        self.parts: list[str] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.chunk:
            self.send()
        return len(text)

    def send(self) -> None:
        """Hand the buffered text on (waiting while the queue is full)."""
        if self.parts:
            put(self.channel, "".join(self.parts), self.gone)
            self.parts, self.size = [], 0


def put(channel: queue.Queue, item, gone: threading.Event) -> None:
    """Put item on the queue unless the reader has gone."""
    while True:
        if gone.is_set():
            raise ReaderGone
        try:
            channel.put(item, timeout=_WAIT)
            return
        except queue.Full:
            continue


def stream(write: Callable[[TextIO], object], chunk: int, after: Callable[[], None]) -> Iterator[str]:
    """Run write(handle) in a thread; return the chunks it writes (its error raised here first)."""
    channel: queue.Queue = queue.Queue(maxsize=8)
    gone = threading.Event()

    def run() -> None:
        pipe = _Pipe(channel, chunk, gone)
        try:
            write(pipe)
            pipe.send()
            put(channel, _DONE, gone)
        except ReaderGone:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the request thread
            try:
                put(channel, exc, gone)
            except ReaderGone:
                pass
        finally:
            after()

    threading.Thread(target=run, name="export", daemon=True).start()
    first = channel.get()
    if isinstance(first, BaseException):
        raise first
    return _rest(first, channel, gone)


def _rest(first, channel: queue.Queue, gone: threading.Event) -> Iterator[str]:
    try:
        item = first
        while item is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
            item = channel.get()
    finally:
        gone.set()
