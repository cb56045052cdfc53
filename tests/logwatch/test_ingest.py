"""Live ingest: a log read in pieces between runs - appended lines, a half-written last line, rotation by
rename, copytruncate, a gzipped rotated file, a run that dies half-way - counts every line exactly once:
the same figures and findings as one scan of all the lines at once."""

from __future__ import annotations

import gzip
import os
import shutil
from datetime import timedelta

import pytest

from jagaweb.logwatch.ingest import ConcurrentIngest, SiteIngest, ingest_site
from jagaweb.logwatch.models import LogCursor, WatchState
from tests.logwatch.test_ingest_support import (
    BASE,
    append,
    combined,
    logged_site,
    reference,
    stored,
    text,
    traffic,
)

pytestmark = pytest.mark.django_db


def test_appended_lines_and_a_partial_line_count_once(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 400)
    log.write_text(text(lines[:150]))
    site = logged_site(org_a, [log])
    first = ingest_site(site)
    assert (first.lines, first.files) == (150, 1)
    # a writer in the middle of a line: the part without its newline waits for the next run
    half = len(lines[150]) // 2
    append(log, lines[150][:half])
    assert ingest_site(site).lines == 0
    cursor = LogCursor.objects.get(site=site)
    assert (cursor.offset, cursor.next_line) == (len(text(lines[:150]).encode()), 151)
    append(log, lines[150][half:] + "\n" + text(lines[151:]))
    assert ingest_site(site).lines == 250
    assert ingest_site(site).lines == 0  # nothing new: nothing counted again
    assert stored(site) == reference(text(lines), tmp_path)
    cursor.refresh_from_db()
    assert (cursor.next_line, cursor.lines, cursor.log_format) == (401, 400, "combined")


def test_rotation_by_rename_reads_the_old_file_to_its_end_first(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 300)
    log.write_text(text(lines[:100]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    append(log, text(lines[100:180]))  # written after the last run, before the rotation
    os.rename(log, tmp_path / "access.log.1")
    log.write_text(text(lines[180:300]))
    report = ingest_site(site)
    assert report.lines == 200
    assert any("rotated to access.log.1" in note for note in report.notes)
    assert stored(site) == reference(text(lines), tmp_path)
    cursor = LogCursor.objects.get(site=site)
    assert (cursor.inode, cursor.next_line) == (log.stat().st_ino, 121)


def test_rotation_before_the_new_file_exists(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 200)
    log.write_text(text(lines[:100]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    append(log, text(lines[100:150]))
    os.rename(log, tmp_path / "access.log.1")
    assert ingest_site(site).lines == 50  # the rest of the old file, and no new file yet
    log.write_text(text(lines[150:]))
    assert ingest_site(site).lines == 50
    assert stored(site) == reference(text(lines), tmp_path)


def test_copytruncate(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 300)
    log.write_text(text(lines[:120]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    append(log, text(lines[120:200]))
    shutil.copyfile(log, tmp_path / "access.log.1")
    with log.open("r+") as handle:
        handle.truncate(0)
    # the new file grows past the old offset before the next run: size alone would not tell
    append(log, text(lines[200:300]))
    assert log.stat().st_size < len(text(lines[:120]).encode()) * 2
    report = ingest_site(site)
    assert report.lines == 180
    assert stored(site) == reference(text(lines), tmp_path)


def test_truncated_file_grown_past_the_offset_is_noticed(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 400)
    log.write_text(text(lines[:50]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    with log.open("r+") as handle:  # truncated, no copy kept: lines 50.. of the old file are gone for good
        handle.truncate(0)
    append(log, text(lines[50:400]))
    report = ingest_site(site)
    assert report.lines == 350
    assert any("lost" in note for note in report.notes)
    assert stored(site) == reference(text(lines), tmp_path)


def test_gzipped_rotated_file(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 300)
    log.write_text(text(lines[:90]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    append(log, text(lines[90:210]))
    (tmp_path / "access.log.1.gz").write_bytes(gzip.compress(log.read_bytes()))
    log.unlink()
    (tmp_path / "access.log.2.gz").write_bytes(gzip.compress(b"an older rotation, never read\n"))
    log.write_text(text(lines[210:300]))
    report = ingest_site(site)
    assert report.lines == 210
    assert stored(site) == reference(text(lines), tmp_path)


def test_a_run_dying_half_way_commits_nothing_and_the_rerun_counts_once(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 600)
    log.write_text(text(lines))
    site = logged_site(org_a, [log])
    calls = []

    def failing_sink(findings):
        calls.append(len(findings))
        if len(calls) == 2:
            raise RuntimeError("the disk holding the database is full")

    with pytest.raises(RuntimeError, match="disk"):
        ingest_site(site, on_findings=failing_sink, commit_bytes=20_000, batch_bytes=4_000)
    cursor = LogCursor.objects.get(site=site)
    first_commit = cursor.offset
    assert 0 < first_commit < log.stat().st_size  # the first commit stands, the second left no trace
    assert WatchState.objects.get(site=site).generation == 1
    assert stored(site)["requests"] + stored(site)["unparsed"] == cursor.next_line - 1
    report = ingest_site(site, commit_bytes=20_000, batch_bytes=4_000)
    assert report.commits > 1
    assert stored(site) == reference(text(lines), tmp_path)


def test_behaviour_windows_carry_over_between_runs(tmp_path, org_a):
    """Ten login attempts in five minutes, read by two runs, are one brute-force finding."""
    log = tmp_path / "access.log"
    attempts = [combined("103.10.10.10", BASE + timedelta(seconds=second), "/wp-login.php", 200, 1200, method="POST")
                for second in range(0, 200, 20)]
    log.write_text(text(attempts[:5]))
    site = logged_site(org_a, [log])
    ingest_site(site)
    assert WatchState.objects.get(site=site).behaviour_events
    append(log, text(attempts[5:]))
    ingest_site(site)
    brute = stored(site)["findings"]
    assert sum(count for (category, *_rest), count in brute.items() if category == "brute-force") == 1
    assert stored(site) == reference(text(attempts), tmp_path)


def test_two_runs_of_one_site_cannot_both_commit(tmp_path, org_a):
    log = tmp_path / "access.log"
    lines = traffic(0, 100)
    log.write_text(text(lines))
    site = logged_site(org_a, [log])
    early, late = SiteIngest(site), SiteIngest(site)
    assert early.run().lines == 100
    with pytest.raises(ConcurrentIngest):
        late.run()
    assert stored(site) == reference(text(lines), tmp_path)


def test_globs_follow_live_files_only_and_missing_paths_are_noted(tmp_path, org_a):
    (tmp_path / "a.log").write_text(text(traffic(0, 20)))
    (tmp_path / "b.log").write_text(text(traffic(20, 30)))
    (tmp_path / "a.log.1").write_text(text(traffic(100, 10)))
    (tmp_path / "b.log-20261112.gz").write_bytes(gzip.compress(b"x\n"))
    site = logged_site(org_a, [tmp_path / "*.log", tmp_path / "missing.log"])
    report = ingest_site(site)
    assert (report.files, report.lines) == (2, 50)
    assert any("missing.log: not found" in note for note in report.notes)
    assert set(LogCursor.objects.filter(site=site).values_list("path", flat=True)) == {
        str(tmp_path / "a.log"), str(tmp_path / "b.log")}


def w3c_line(second, ip, path, status):
    clock = f"03:{second // 60:02d}:{second % 60:02d}"
    return f"2026-11-12 {clock} {ip} GET {path} {status} 1500 HTTP/1.1 Mozilla/5.0+(X11)"


def test_w3c_field_list_is_carried_to_the_next_run(tmp_path, org_a):
    """IIS names its columns once, in #Fields: a run that starts in the middle of the file still knows them."""
    log = tmp_path / "u_ex261112.log"
    header = ["#Software: Microsoft Internet Information Services 10.0",
              "#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes cs-version cs(User-Agent)"]
    first = [w3c_line(second, "36.80.1.1", "/", 200) for second in range(60)]
    log.write_text(text([*header, *first]))
    site = logged_site(org_a, [log])
    assert ingest_site(site).requests == 60
    cursor = LogCursor.objects.get(site=site)
    assert cursor.log_format == "w3c" and cursor.format_state["fields"][2] == "c-ip"
    append(log, text([w3c_line(100, "45.13.7.7", "/.env", 404), w3c_line(101, "36.80.1.2", "/profil", 200)]))
    report = ingest_site(site)
    assert (report.requests, report.unparsed) == (2, 0)
    assert stored(site)["findings"].total() >= 1 and stored(site)["requests"] == 62


def test_a_directory_is_not_a_log(tmp_path, org_a):
    site = logged_site(org_a, [tmp_path])
    report = ingest_site(site)
    assert report.files == 0 and report.notes == [f"{tmp_path}: not a regular file"]


def test_the_periodic_job_reads_sites_with_log_paths_only(tmp_path, org_a, site_b):
    from jagaweb.jobs.registry import JOBS

    log = tmp_path / "access.log"
    log.write_text(text(traffic(0, 30)))
    site = logged_site(org_a, [log])
    job = JOBS["logwatch.ingest"]
    assert job.per_site and job.every == timedelta(minutes=1)
    assert list(job.eligible_sites()) == [site]  # site_b has no access-log paths
    assert job.call(site).startswith("1 files, 30 lines")
    assert job.call(site).startswith("1 files, 0 lines")
