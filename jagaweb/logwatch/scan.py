"""Scan access-log files: parse -> detect -> visitor statistics, batch by batch, with progress.

Reading and parsing run in a thread of their own, a batch ahead; each parsed batch then goes at once to
behaviour detection (another thread), per-request detection (a third) and the statistics: Polars and the
compiled parts release the interpreter lock while they work, so the stages run at once on every core.
Memory stays bounded by the few batches in flight and the grouped statistics.

Detection comes from `jagaweb.logwatch.detect` (`detect_requests(frame)` per request and a `Behaviour` that
keeps its windows across batches and files); when that package is missing the scan runs without it and
says so (`ScanReport.detection`).
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from jagaweb.logwatch.early import EarlyBatch, EarlyRead
from jagaweb.logwatch.formats import AUTO, detect_format, get_format
from jagaweb.logwatch.formats.base import FormatName, LogFormat
from jagaweb.logwatch.parse import ParsedBatch, UnparsedLine, chunk_lines, parse_chunk
from jagaweb.logwatch.reader import DEFAULT_BATCH_BYTES, Chunk, LogReader, LogReadError
from jagaweb.logwatch.stats import VisitorReport, VisitorStats

FINDING_COLUMNS = ["file", "line", "ip", "time", "category", "rule", "severity", "request"]
DETECTION_MIN_LINES = 50
SAMPLES_PER_FILE = 5
BATCHES_AHEAD = 1

Progress = Callable[[int, int], None]
FindingsSink = Callable[[pl.DataFrame], None]


@dataclass
class FileReport:
    path: str
    format: str = ""
    detected: bool = False  # the format was worked out from the file's first lines
    lines: int = 0
    requests: int = 0
    directives: int = 0
    unparsed: Counter[str] = field(default_factory=Counter)
    samples: list[UnparsedLine] = field(default_factory=list)
    offset: int = 0  # just after the last line read: where a later read resumes
    next_line: int = 1
    error: str = ""

    def add(self, batch: ParsedBatch) -> None:
        self.lines += batch.lines
        self.requests += len(batch.frame)
        self.directives += batch.directives
        self.unparsed.update({str(reason): count for reason, count in batch.unparsed.items()})
        self.samples.extend(batch.samples[: SAMPLES_PER_FILE - len(self.samples)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "format": self.format, "detected": self.detected, "lines": self.lines,
            "requests": self.requests, "directives": self.directives, "unparsed": sum(self.unparsed.values()),
            "unparsed_reasons": dict(sorted(self.unparsed.items())),
            "unparsed_samples": [sample.as_dict() for sample in self.samples],
            "offset": self.offset, "next_line": self.next_line, "error": self.error,
        }


@dataclass
class ScanReport:
    files: list[FileReport]
    visitors: VisitorReport
    detection: bool
    findings: int = 0
    findings_by: dict[str, Counter[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def lines(self) -> int:
        return sum(report.lines for report in self.files)

    @property
    def requests(self) -> int:
        return sum(report.requests for report in self.files)

    @property
    def unparsed(self) -> int:
        return sum(sum(report.unparsed.values()) for report in self.files)

    def as_dict(self, top: int = 10) -> dict[str, Any]:
        return {
            "lines": self.lines, "requests": self.requests, "unparsed": self.unparsed,
            "seconds": round(self.seconds, 3),
            "lines_per_second": round(self.lines / self.seconds) if self.seconds else None,
            "files": [report.as_dict() for report in self.files],
            "detection": self.detection,
            "findings": {"total": self.findings,
                         **{f"by_{key}": dict(counts.most_common()) for key, counts in self.findings_by.items()}},
            "visitors": self.visitors.as_dict(top),
        }


class Detection:
    """The detection package's two entry points, or nothing when it is not installed yet."""

    def __init__(self, enabled: bool) -> None:
        self.detect_requests: Callable[[pl.DataFrame], pl.DataFrame] | None = None
        self.behaviour: Any = None
        if not enabled:
            return
        try:
            module = importlib.import_module("jagaweb.logwatch.detect")
        except ImportError:
            return
        # while the package is being built it may offer one entry point without the other
        self.detect_requests = getattr(module, "detect_requests", None)
        behaviour = getattr(module, "Behaviour", None)
        self.behaviour = behaviour() if behaviour is not None else None

    @property
    def enabled(self) -> bool:
        return self.detect_requests is not None

    def findings(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        return self.together(self.request_findings(frame), self.behaviour_findings(frame))

    def request_findings(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        return self.detect_requests(frame) if self.detect_requests is not None and len(frame) else None

    def behaviour_findings(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """The behaviour windows move on with every batch, so batches must come in order."""
        if self.detect_requests is None or self.behaviour is None or not len(frame):
            return None
        found: pl.DataFrame | None = self.behaviour.feed(frame)
        return found

    @staticmethod
    def together(*parts: pl.DataFrame | None) -> pl.DataFrame | None:
        found = [part for part in parts if part is not None and len(part)]
        if not found:
            return None
        # the agreed columns first; whatever else detection adds (an explanation, say) is kept after them
        both = pl.concat(found, how="diagonal_relaxed")
        return both.select(*FINDING_COLUMNS, *(name for name in both.columns if name not in FINDING_COLUMNS))


@dataclass
class Parsed:
    """What the parsing thread hands over: a batch and where the scan stands."""

    batch: ParsedBatch
    done_bytes: int


class Scan:
    def __init__(self, paths: Sequence[Path | str], log_format: str, batch_bytes: int,
                 early: EarlyRead | None = None) -> None:
        self.paths = [Path(path) for path in paths]
        self.log_format = log_format
        self.batch_bytes = batch_bytes
        self.files = [FileReport(str(path)) for path in paths]
        self.total_bytes = sum(path.stat().st_size for path in self.paths if path.is_file())
        self.early = early

    def batches(self) -> Iterator[Parsed]:
        finished_bytes = 0
        taken = self.early.take(self.paths[0], self.batch_bytes) if self.early is not None and self.paths else None
        for index, (path, report) in enumerate(zip(self.paths, self.files, strict=True)):
            read_early: list[EarlyBatch] = []
            chunks: Iterator[Chunk] | None = None
            if index == 0 and taken is not None:
                reader, read_early, chunks = taken
            else:
                try:
                    reader = LogReader(path, batch_bytes=self.batch_bytes)
                except OSError as exc:
                    report.error = exc.strerror or str(exc)
                    continue
            try:
                for batch in self.parse_file(reader, report, chunks, read_early):
                    report.offset, report.next_line = reader.offset, reader.next_line
                    yield Parsed(batch, finished_bytes + reader.read_bytes)
            except LogReadError as exc:
                report.error = str(exc.__cause__ or exc)
            report.offset, report.next_line = reader.offset, reader.next_line
            finished_bytes += reader.size

    def parse_file(self, reader: LogReader, report: FileReport, rest: Iterator[Chunk] | None = None,
                   read_early: Sequence[EarlyBatch] = ()) -> Iterator[ParsedBatch]:
        """The file's batches: those read early (with what the compiled reader made of them), then the rest
        (`rest`, or all the reader's chunks)."""
        ready = {batch.chunk.start: batch.read for batch in read_early}
        chunks = itertools.chain((batch.chunk for batch in read_early), rest if rest is not None else iter(reader))
        waiting: list[Chunk] = []
        if self.log_format == AUTO:
            # enough lines to judge by, even when batches are tiny
            for chunk in chunks:
                waiting.append(chunk)
                if sum(piece.lines for piece in waiting) >= DETECTION_MIN_LINES:
                    break
            found = detect_format(pl.concat([chunk_lines(piece) for piece in waiting])) if waiting else None
            log_format: LogFormat = get_format(found or FormatName.COMBINED)
            report.detected = found is not None
        else:
            log_format = get_format(self.log_format)
        report.format = str(log_format.name)
        for chunk in itertools.chain(waiting, chunks):
            batch = parse_chunk(chunk, log_format, sample_limit=SAMPLES_PER_FILE - len(report.samples),
                                ready=ready.pop(chunk.start, None))
            report.add(batch)
            yield batch


Item = TypeVar("Item")


def in_thread(source: Iterator[Item], name: str) -> Generator[Item, None, None]:
    """Run `source` in a thread of its own, `BATCHES_AHEAD` items ahead of the consumer."""
    handoff: queue.Queue[Item | BaseException | None] = queue.Queue(maxsize=BATCHES_AHEAD)
    stop = threading.Event()

    def offer(item: Item | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not offer(item):
                    return
            offer(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            offer(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()  # an earlier stage in a thread of its own stops too

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def read_ahead(source: Iterator[Parsed]) -> Generator[Parsed, None, None]:
    """Parse in a thread of its own, a batch ahead of the consumer."""
    return in_thread(source, "logwatch-parse")


@dataclass
class InFlight:
    """A parsed batch whose detection runs in the detection threads."""

    parsed: Parsed
    behaviour: Future[pl.DataFrame | None]
    requests: Future[pl.DataFrame | None]

    def findings(self, detection: Detection) -> pl.DataFrame | None:
        return detection.together(self.requests.result(), self.behaviour.result())


def scan_paths(paths: Sequence[Path | str], *, log_format: str = AUTO, detect: bool = True,
               time_zone: str = "UTC", batch_bytes: int = DEFAULT_BATCH_BYTES,
               on_findings: FindingsSink | None = None, progress: Progress | None = None,
               early: EarlyRead | None = None) -> ScanReport:
    """Parse every file (format given or detected per file), run detection, gather visitor statistics.

    `on_findings` gets every non-empty findings frame (FINDING_COLUMNS first, then any others detection
    adds) as soon as it is found; `progress` gets (bytes read, total bytes) of the files on disk; `early`
    holds the first file's first batches when they were read before the scan began."""
    if log_format != AUTO:
        get_format(log_format)  # an unknown name fails before any work
    started = time.perf_counter()
    stats = VisitorStats(time_zone)
    scan = Scan(paths, log_format, batch_bytes, early)
    detection = Detection(detect)
    counts: dict[str, Counter[str]] = {key: Counter() for key in ("severity", "category", "rule")}
    total = 0
    # Parsing runs a batch ahead in a thread of its own. Each parsed batch then goes at once to behaviour
    # detection (one thread, so its windows get the batches in order), to per-request detection (another)
    # and to the statistics (here); its findings are written once both detections are done, in batch order.
    # Side by side rather than one after the other, a batch is through sooner: the first is counted while
    # detection learns the log's values, and the last leaves no stage waiting for the one before.
    in_flight: deque[InFlight] = deque()

    def finish(batch: InFlight) -> None:
        nonlocal total
        found = batch.findings(detection)
        if found is not None:
            total += len(found)
            for key, counter in counts.items():
                counter.update(dict(found.group_by(key).len().iter_rows()))
            if on_findings is not None:
                on_findings(found)
        if progress is not None:
            progress(batch.parsed.done_bytes, scan.total_bytes)

    with (contextlib.closing(read_ahead(scan.batches())) as parsed_batches,
          ThreadPoolExecutor(1, "logwatch-behaviour") as behaviour,
          ThreadPoolExecutor(1, "logwatch-requests") as requests):
        try:
            for parsed in parsed_batches:
                frame = parsed.batch.frame
                in_flight.append(InFlight(parsed, behaviour.submit(detection.behaviour_findings, frame),
                                          requests.submit(detection.request_findings, frame)))
                stats.feed(frame)
                while len(in_flight) > BATCHES_AHEAD:
                    finish(in_flight.popleft())
            # every batch is counted: the report is made while detection finishes the last one
            visitors = stats.report()
            while in_flight:
                finish(in_flight.popleft())
        finally:
            for batch in in_flight:  # after a failure: what has not started yet need not run
                batch.behaviour.cancel()
                batch.requests.cancel()
    if progress is not None:
        progress(scan.total_bytes, scan.total_bytes)
    return ScanReport(files=scan.files, visitors=visitors, detection=detection.enabled, findings=total,
                      findings_by=counts if detection.enabled else {}, seconds=time.perf_counter() - started)
