"""The first batches read while `jagaweb logs scan` starts give the scan it would have made without them."""

from __future__ import annotations

import gzip
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from jagaweb.logwatch import compiled
from jagaweb.logwatch.early import EARLY_BATCHES, EarlyRead, start_early_read
from jagaweb.logwatch.reader import LogReader
from jagaweb.logwatch.scan import scan_paths
from tests.logwatch.helpers import FIXTURES, FORMATS
from tests.logwatch.native import require_native
from tests.logwatch.test_cli import ATTACKS

BATCH = 700  # bytes: a few lines a batch, so that the early read holds several batches and leaves more


def scanned(paths: list[Path], early: EarlyRead | None, log_format: str = "auto") -> tuple[dict, pl.DataFrame]:
    found: list[pl.DataFrame] = []
    report = scan_paths(paths, log_format=log_format, batch_bytes=BATCH, early=early, on_findings=found.append)
    summary = report.as_dict()
    summary.pop("seconds"), summary.pop("lines_per_second")
    return summary, pl.concat(found) if found else pl.DataFrame()


def assert_same_scan(paths: list[Path], early: EarlyRead | None, log_format: str = "auto") -> None:
    expected = scanned(paths, None, log_format)
    summary, findings = scanned(paths, early, log_format)
    assert summary == expected[0]
    assert findings.equals(expected[1])


@pytest.fixture
def attacked_log(tmp_path: Path) -> Path:
    log = tmp_path / "access.log"
    log.write_bytes((FIXTURES / "stats.log").read_bytes() * 3 + ATTACKS)
    return log


class CountingNative:
    """The compiled part, counting the batches its reader parses."""

    def __init__(self, native: ModuleType) -> None:
        self.native, self.parsed = native, 0

    def parse(self, *args: object) -> object:
        self.parsed += 1
        return self.native.parse(*args)

    def __getattr__(self, name: str) -> object:
        return getattr(self.native, name)


def test_batches_read_early_give_the_same_scan_and_are_not_read_again(attacked_log, monkeypatch):
    require_native()
    chunks = len(list(LogReader(attacked_log, batch_bytes=BATCH)))
    assert chunks > EARLY_BATCHES
    counting = CountingNative(compiled.native)
    monkeypatch.setattr(compiled, "native", counting)
    early = EarlyRead(attacked_log, "auto", BATCH)
    assert_same_scan([attacked_log], early)
    assert len(early.batches) == EARLY_BATCHES and all(batch.read is not None for batch in early.batches)
    # the scan without the early read parsed every chunk; with it, those read early only once
    assert counting.parsed == 2 * chunks


@pytest.mark.parametrize("log_format", ["common", "vhost_combined", "json", "w3c"])
def test_another_format_drops_what_was_read_as_combined(log_format):
    """Read early as combined (a format still to be detected mostly is), then detected as another."""
    path = FORMATS / f"{log_format}.log"
    assert_same_scan([path], EarlyRead(path, "auto", BATCH))
    assert_same_scan([path], EarlyRead(path, log_format, BATCH), log_format)


def test_a_file_shorter_than_the_early_batches(tmp_path):
    log = tmp_path / "short.log"
    log.write_bytes((FORMATS / "combined.log").read_bytes()[:BATCH])
    early = EarlyRead(log, "auto", BATCH)
    assert_same_scan([log], early)


def test_an_early_read_of_something_else_is_not_used(attacked_log, tmp_path):
    other = tmp_path / "other.log"
    other.write_bytes((FORMATS / "combined.log").read_bytes())
    assert EarlyRead(other, "auto", BATCH).take(attacked_log, BATCH) is None
    assert EarlyRead(attacked_log, "auto", BATCH * 2).take(attacked_log, BATCH) is None
    assert_same_scan([attacked_log, other], EarlyRead(other, "auto", BATCH))
    assert_same_scan([attacked_log, other], EarlyRead(attacked_log, "auto", BATCH))


def test_gzip_and_unreadable_files_are_left_to_the_scan(attacked_log, tmp_path):
    packed = tmp_path / "access.log.gz"
    packed.write_bytes(gzip.compress(attacked_log.read_bytes()))
    assert EarlyRead(packed, "auto", BATCH).take(packed, BATCH) is None
    assert_same_scan([packed], EarlyRead(packed, "auto", BATCH))
    assert EarlyRead(tmp_path, "auto", BATCH).take(tmp_path, BATCH) is None  # a folder cannot be read


def test_the_first_path_and_format_are_found_in_the_arguments(attacked_log):
    early = start_early_read(["--format", "common", "--top", "5", str(attacked_log), "second.log"], BATCH)
    assert early is not None and early.path == attacked_log and early.layout == (False, False)
    early.take(attacked_log, BATCH)
    early = start_early_read(["--findings", "out.jsonl", "--format=vhost_combined", str(attacked_log)], BATCH)
    assert early is not None and early.path == attacked_log and early.layout == (True, True)
    early.take(attacked_log, BATCH)
    assert start_early_read(["--json", "missing.log"], BATCH) is None
    assert start_early_read(["--json"], BATCH) is None
