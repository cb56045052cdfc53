"""The first batches of `jagaweb logs scan`, read while the command is still starting.

Importing Polars and the settings takes a quarter of a second on one core; meanwhile a thread reads the
first file's first batches and, for the Common Log Format family, has the compiled reader parse them (it
needs no Polars). The scan then takes them over with the reader, which goes on from there. Nothing here
imports Polars; when the file turns out to be in another format, the parsed columns are dropped and only
the bytes read are used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jagaweb.logwatch import compiled
from jagaweb.logwatch.reader import MAX_LINE_BYTES, Chunk, LogReader, LogReadError

EARLY_BATCHES = 3  # each holds a batch of bytes and its columns until the scan takes it
# (vhost, referer and agent) of the layouts the compiled reader knows; a format still to be detected is
# most often combined
LAYOUTS = {"combined": (False, True), "common": (False, False), "vhost_combined": (True, True),
           "auto": (False, True)}
OPTIONS_WITH_VALUES = ("--format", "--findings", "--top")


@dataclass(frozen=True)
class ReadAhead:
    """What the compiled reader made of a chunk, with the layout it was read as."""

    layout: tuple[bool, bool]
    result: tuple[dict[str, Any], list[int], bytes]


@dataclass
class EarlyBatch:
    chunk: Chunk
    read: ReadAhead | None


class EarlyRead:
    """Reads `path` in a thread of its own, at most `limit` batches, until `take` is called."""

    def __init__(self, path: Path, log_format: str, batch_bytes: int, limit: int = EARLY_BATCHES) -> None:
        self.path = path
        self.batch_bytes = batch_bytes
        self.layout = LAYOUTS.get(log_format)
        self.limit = limit
        self.batches: list[EarlyBatch] = []
        self.reader: LogReader | None = None
        self.chunks: Iterator[Chunk] | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.read, name="logwatch-early", daemon=True)
        self.thread.start()

    def read(self) -> None:
        try:
            reader = LogReader(self.path, batch_bytes=self.batch_bytes)
            if reader.compressed:
                return
            chunks = iter(reader)
            self.reader, self.chunks = reader, chunks
            while len(self.batches) < self.limit and not self.stop.is_set():
                chunk = next(chunks, None)
                if chunk is None:
                    return
                self.batches.append(EarlyBatch(chunk, self.parse(chunk)))
        except (LogReadError, OSError, MemoryError):  # the scan reads the file again and says what is wrong
            self.reader = self.chunks = None
            self.batches.clear()

    def parse(self, chunk: Chunk) -> ReadAhead | None:
        native = compiled.native
        if native is None or self.layout is None:
            return None
        vhost, referer_agent = self.layout
        return ReadAhead(self.layout, native.parse(chunk.data, chunk.first_line, vhost, referer_agent,
                                                   MAX_LINE_BYTES))

    def take(self, path: Path, batch_bytes: int) -> tuple[LogReader, list[EarlyBatch], Iterator[Chunk]] | None:
        """The reader of `path` with the batches read so far and the rest of its chunks; None when the early
        read was of another file, batch size or failed (the scan then reads as usual)."""
        self.stop.set()
        self.thread.join()
        if self.reader is None or self.chunks is None or path != self.path or batch_bytes != self.batch_bytes:
            return None
        return self.reader, self.batches, self.chunks


def start_early_read(argv: Sequence[str], batch_bytes: int) -> EarlyRead | None:
    """An early read of the first file the arguments of `jagaweb logs scan` name, when they name one."""
    log_format, first = "auto", None
    words = iter(argv)
    for word in words:
        if word in OPTIONS_WITH_VALUES:
            value = next(words, "")
            log_format = value if word == "--format" else log_format
        elif word.startswith("--format="):
            log_format = word.partition("=")[2]
        elif not word.startswith("-") and first is None:
            first = word
    if first is None or not Path(first).is_file():
        return None
    return EarlyRead(Path(first), log_format, batch_bytes)
