"""`scan_paths`: several files and formats, batches of any size, gzip, progress, errors, detection hand-off."""

import gzip
import platform
import shutil
import subprocess
import sys
import threading

import polars as pl
import pytest

from jagaweb.logwatch.formats import AUTO
from jagaweb.logwatch.scan import FINDING_COLUMNS, Detection, Scan, in_thread, scan_paths
from tests.logwatch.helpers import FIXTURES, FORMATS
from tests.logwatch.native import require_native


def test_files_of_different_formats_in_one_scan():
    paths = [FORMATS / "combined.log", FORMATS / "w3c.log", FORMATS / "json.log"]
    report = scan_paths(paths, detect=False)
    summary = {(file.format, file.detected, file.lines, file.requests, file.directives) for file in report.files}
    assert summary == {("combined", True, 6, 6, 0), ("w3c", True, 10, 3, 6), ("json", True, 4, 3, 0)}
    assert (report.lines, report.requests, report.unparsed) == (20, 12, 2)
    assert report.visitors.totals()["requests"] == 12
    assert not report.detection and report.findings == 0


def test_given_format_is_used_for_every_file():
    report = scan_paths([FORMATS / "combined.log"], log_format="common", detect=False)
    assert (report.files[0].format, report.files[0].detected, report.requests) == ("common", False, 0)
    with pytest.raises(ValueError, match="unknown log format"):
        scan_paths([FORMATS / "combined.log"], log_format="nginx")


def test_tiny_batches_give_the_same_result(tmp_path):
    big = scan_paths([FIXTURES / "stats.log"], detect=False, time_zone="Asia/Jakarta")
    tiny = scan_paths([FIXTURES / "stats.log"], detect=False, time_zone="Asia/Jakarta", batch_bytes=3)
    assert tiny.visitors.as_dict() == big.visitors.as_dict()
    assert tiny.files[0].as_dict() == big.files[0].as_dict()
    assert big.files[0].as_dict()["unparsed_samples"] == [
        {"line": 8, "reason": "unrecognised", "text": "this line is not from a web server"}]


def test_line_numbers_across_batches_and_gzip(tmp_path):
    """Request frames handed to detection carry each file's own line numbers, whatever the batch size."""
    rotated = tmp_path / "access.log.2.gz"
    rotated.write_bytes(gzip.compress((FIXTURES / "stats.log").read_bytes()))
    plain = tmp_path / "access.log"
    shutil.copyfile(FORMATS / "combined.log", plain)
    scan = Scan([rotated, plain], AUTO, batch_bytes=7)
    parsed = list(scan.batches())
    assert len(parsed) > 10
    lines = pl.concat([item.batch.frame.select("file", "line") for item in parsed])
    assert lines.filter(pl.col("file") == str(rotated))["line"].to_list() == [1, 2, 3, 4, 5, 6, 7, 9]
    assert lines.filter(pl.col("file") == str(plain))["line"].to_list() == [1, 2, 3, 4, 5, 6]
    assert scan.files[0].offset == len((FIXTURES / "stats.log").read_bytes())


def test_progress_reaches_the_total(tmp_path):
    calls = []
    scan_paths([FIXTURES / "stats.log", FORMATS / "json.log"], detect=False, batch_bytes=100,
               progress=lambda done, total: calls.append((done, total)))
    total = (FIXTURES / "stats.log").stat().st_size + (FORMATS / "json.log").stat().st_size
    assert len(calls) > 3
    assert all(seen_total == total for _, seen_total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (total, total)


def test_unreadable_files_are_reported_and_the_others_scanned(tmp_path):
    broken = tmp_path / "broken.log.gz"
    broken.write_bytes(gzip.compress(b"x" * 10_000)[:40])
    report = scan_paths([tmp_path / "missing.log", broken, FORMATS / "common.log"], detect=False)
    missing, cut, good = report.files
    assert "No such file" in missing.error
    assert cut.error and good.error == "" and good.requests == 3


def test_detection_hand_off():
    """Without relying on what detection finds: it runs when the package is there, and its findings reach
    the sink with the agreed columns, counted once."""
    sink = []
    report = scan_paths([FORMATS / "combined.log", FIXTURES / "stats.log"], on_findings=sink.append)
    assert report.detection == Detection(True).enabled
    assert sum(len(frame) for frame in sink) == report.findings
    for frame in sink:
        assert frame.columns[: len(FINDING_COLUMNS)] == FINDING_COLUMNS
    if report.detection:
        assert set(report.findings_by) == {"severity", "category", "rule"}
        assert sum(report.findings_by["severity"].values()) == report.findings
    off = scan_paths([FORMATS / "combined.log"], detect=False, on_findings=sink.append)
    assert not off.detection and off.findings == 0 and off.findings_by == {}


def test_as_dict_is_json_ready():
    import json

    report = scan_paths([FIXTURES / "stats.log"], detect=False)
    data = json.loads(json.dumps(report.as_dict()))
    assert set(data) == {"lines", "requests", "unparsed", "seconds", "lines_per_second", "files", "detection",
                         "findings", "visitors"}
    assert data["files"][0]["unparsed_reasons"] == {"unrecognised": 1}


@pytest.mark.parametrize("stage", ["behaviour_findings", "request_findings"])
def test_a_failing_stage_stops_the_scan_and_its_threads(monkeypatch, stage):
    """An error in a detection thread reaches the caller, and the scan's other threads end too."""
    def broken(self, frame):
        raise RuntimeError("detection broke")

    monkeypatch.setattr(Detection, stage, broken)
    before = set(threading.enumerate())
    with pytest.raises(RuntimeError, match="detection broke"):
        scan_paths([FIXTURES / "stats.log"], batch_bytes=50)
    assert not [thread.name for thread in set(threading.enumerate()) - before if thread.name.startswith("logwatch-")]


def test_a_consumer_that_stops_early_stops_the_stage_before():
    closed = threading.Event()

    def numbers():
        try:
            yield from range(1000)
        finally:
            closed.set()

    taken = []
    for number in in_thread(numbers(), "logwatch-test"):
        taken.append(number)
        if number == 3:
            break
    assert taken == [0, 1, 2, 3]
    assert closed.wait(5)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the allocator setting is glibc's")
def test_freed_memory_is_kept_for_the_next_batch():
    """A batch-sized buffer allocated again after being freed costs no new page faults once the allocator
    keeps freed memory (without it glibc maps such a buffer afresh every time)."""
    code = """if True:
        import resource, sys
        from jagaweb.logwatch.memory import keep_freed_memory
        if sys.argv[1] == "keep":
            keep_freed_memory()
        def faults():
            return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        size = 48 << 20
        buffer = b"x" * size
        del buffer
        before = faults()
        buffer = b"y" * size
        print(faults() - before)
    """
    counts = {mode: int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                                       check=True).stdout) for mode in ("keep", "default")}
    assert counts["keep"] < 500 < counts["default"]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the allocator setting is glibc's")
def test_the_parsing_thread_reuses_a_batchs_memory_once_threads_share_the_main_arena():
    """The compiled reader's columns, made in the parsing thread's own arena, went back to the system when
    freed whatever the thresholds, and the next batch paid a page fault per 4 KiB again (8,700 for 32 MiB).
    Sharing the main arena keeps them."""
    require_native()
    code = """if True:
        import resource, sys, threading
        from jagaweb.logwatch.memory import keep_freed_memory
        keep_freed_memory(share_arena=sys.argv[1] == "share")
        from jagaweb.logwatch.compiled import native
        line = b'36.80.12.7 - - [12/Nov/2026:10:15:32 +0700] "GET /berita/banjir-bandang?id=%d HTTP/1.1" 200 512 '
        data = b"".join(line % n + b'"https://www.google.com/" "Mozilla/5.0 (X11; Linux x86_64)"\\n'
                        for n in range(240_000))  # a 32 MiB batch, as a scan reads
        def faults():
            return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        counted = []
        def batches():
            for _ in range(2):
                before = faults()
                columns = native.parse(data, 1, False, True, 65536)
                del columns
                counted.append(faults() - before)
        thread = threading.Thread(target=batches)
        thread.start()
        thread.join()
        print(counted[-1])
    """
    counts = {mode: int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True,
                                       check=True).stdout) for mode in ("share", "own")}
    assert counts["share"] < 100 < counts["own"]
