"""Reads a log file (plain or gzip) in batches of whole lines, from any line-start offset.

A batch is the raw bytes of complete lines, so parsing can split and decode them in Rust; the reader only
looks for newlines. Offsets count bytes of the (decompressed) log text: `LogReader.offset` is always just
after the last line handed out, which is where a later read resumes. Line numbers are 1-based per file;
a reader that starts at an offset is told the number of the line found there.
"""

from __future__ import annotations

import gzip
import io
import mmap
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jagaweb.logwatch import compiled

DEFAULT_BATCH_BYTES = 32 * 1024 * 1024
# A line longer than this is unparsed anyway; beyond it the reader keeps only this much of the line, so a
# file without newlines (a core dump written over a log) cannot fill the memory.
MAX_LINE_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def newlines(data: bytes) -> int:
    """How many lines end in `data`: counted by the compiled part when it is installed (bytes.count is a
    tenth of a second per 250 MB)."""
    native = compiled.native
    return native.newlines(data) if native is not None else data.count(b"\n")


def release_pages(mapped: mmap.mmap, start: int, end: int) -> int:
    """Let go of the mapped pages already read: they stay in the page cache, but no longer count in this
    process's resident memory, which would otherwise grow with the file. Returns the new start."""
    end -= end % mmap.PAGESIZE
    if end > start and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED, start, end - start)
        return end
    return start


class LogReadError(Exception):
    """The file cannot be read to its end (unreadable, or a gzip stream that is corrupt or cut short)."""


@dataclass(frozen=True)
class Chunk:
    """Whole lines of one file. `data` ends with a newline unless it is the file's unterminated last line."""

    path: str
    data: bytes
    first_line: int
    lines: int
    start: int
    end: int


def is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


class LogReader:
    """Iterate over `Chunk`s of about `batch_bytes`; progress and the resume point are readable meanwhile.

    With `take_unterminated` false a last line without its newline is left alone (a writer may still be
    adding to it): `offset` then stays at its start, so the next read gets the whole line.
    """

    def __init__(self, path: Path | str, *, offset: int = 0, first_line: int = 1,
                 batch_bytes: int = DEFAULT_BATCH_BYTES, max_line_bytes: int = MAX_LINE_BYTES,
                 take_unterminated: bool = True) -> None:
        if offset < 0 or first_line < 1 or batch_bytes < 1 or max_line_bytes < 1:
            raise ValueError("offset must be >= 0, first_line, batch_bytes and max_line_bytes >= 1")
        self.path = Path(path)
        self.name = str(path)
        self.offset = offset
        self.next_line = first_line
        self.batch_bytes = batch_bytes
        self.max_line_bytes = max_line_bytes
        self.take_unterminated = take_unterminated
        self.size = self.path.stat().st_size
        self.compressed = is_gzip(self.path)
        self.read_bytes = 0  # of the file on disk (compressed bytes for gzip): for progress bars

    def __iter__(self) -> Iterator[Chunk]:
        try:
            with self.path.open("rb") as raw:
                if not self.compressed and self.path.is_file():
                    yield from self.mapped_chunks(raw)
                    return
                stream: io.BufferedIOBase = gzip.GzipFile(fileobj=raw, mode="rb") if self.compressed else raw
                with stream:
                    yield from self.chunks(stream, raw)
        except (OSError, EOFError, zlib.error) as exc:
            # gzip.BadGzipFile is an OSError; a gzip file cut short raises EOFError
            raise LogReadError(f"{self.name}: {exc}") from exc

    def mapped_chunks(self, raw: io.BufferedIOBase) -> Iterator[Chunk]:
        """A plain file through a memory map: each batch is copied once, straight from the page cache."""
        size = os.fstat(raw.fileno()).st_size  # fixed now: a line a writer adds meanwhile waits for next time
        if self.offset >= size:
            return
        with mmap.mmap(raw.fileno(), size, access=mmap.ACCESS_READ) as mapped:
            position = self.offset
            released = 0
            while position < size:
                end = min(position + self.batch_bytes, size)
                last_newline = mapped.rfind(b"\n", position, end)
                if last_newline >= 0:
                    data = mapped[position: last_newline + 1]
                    yield self.emit(data, newlines(data), len(data))
                else:  # one line longer than a batch: keep its start (the parser needs no more to refuse it)
                    last_newline = mapped.find(b"\n", end)
                    line_end = last_newline if last_newline >= 0 else size
                    head = mapped[position: min(line_end, position + self.max_line_bytes + 1)]
                    if last_newline >= 0:
                        yield self.emit(head + b"\n", 1, last_newline + 1 - position)
                    elif self.take_unterminated:
                        yield self.emit(head, 1, size - position)
                    else:
                        break
                position = self.offset
                self.read_bytes = position
                released = release_pages(mapped, released, position)

    def chunks(self, stream: io.BufferedIOBase, raw: io.BufferedIOBase) -> Iterator[Chunk]:
        """A gzip stream (or a pipe), read block by block."""
        self.skip_to_offset(stream, raw)
        pending = b""  # the start of a line whose newline has not been read yet
        pending_size = 0  # its real size: more than len(pending) when an over-long line was cut
        while True:
            block = stream.read(self.batch_bytes)
            self.read_bytes = raw.tell()
            if not block:
                break
            last_newline = block.rfind(b"\n")
            if last_newline < 0:
                pending_size += len(block)
                pending = (pending + block)[: self.max_line_bytes + 1]
                continue
            # one copy of the batch: the unfinished line before it joined to its complete lines
            complete = b"".join((pending, memoryview(block)[: last_newline + 1]))
            consumed = pending_size + last_newline + 1
            yield self.emit(complete, newlines(complete), consumed)
            pending = block[last_newline + 1: last_newline + 2 + self.max_line_bytes]
            pending_size = len(block) - last_newline - 1
        if pending_size and self.take_unterminated:
            yield self.emit(pending, 1, pending_size)

    def skip_to_offset(self, stream: io.BufferedIOBase, raw: io.BufferedIOBase) -> None:
        if not self.offset:
            return
        # a gzip stream cannot seek: decompress and drop what comes before the offset
        left = self.offset
        while left:
            dropped = stream.read(min(left, self.batch_bytes))
            if not dropped:
                break
            left -= len(dropped)

    def emit(self, data: bytes, lines: int, consumed: int) -> Chunk:
        chunk = Chunk(self.name, data, self.next_line, lines, self.offset, self.offset + consumed)
        self.offset += consumed
        self.next_line += lines
        return chunk
