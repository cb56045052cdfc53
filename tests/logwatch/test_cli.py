"""`jagaweb logs scan`: the summary (text and --json) and --findings as JSON lines, through call_command."""

import gzip
import json
import os
import subprocess
import sys
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jagaweb.cli import is_log_scan
from jagaweb.logwatch.scan import Detection
from tests.logwatch.helpers import FIXTURES, FORMATS

ATTACKS = (
    b'45.9.9.9 - - [13/Nov/2026:02:00:00 +0700] "GET /index.php?id=1%27%20UNION%20SELECT%20username,password'
    b'%20FROM%20users--%20- HTTP/1.1" 200 512 "-" "sqlmap/1.8.4#stable (https://sqlmap.org)"\n'
    b'45.9.9.9 - - [13/Nov/2026:02:00:01 +0700] "GET /download?file=../../../../etc/passwd HTTP/1.1" 404 196 '
    b'"-" "sqlmap/1.8.4#stable (https://sqlmap.org)"\n'
)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("logs", "scan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_summary(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    out, _ = run(str(FIXTURES / "stats.log"), "--json", "--top", "2")
    summary = json.loads(out)
    assert (summary["lines"], summary["requests"], summary["unparsed"]) == (9, 8, 1)
    file = summary["files"][0]
    assert (file["format"], file["detected"], file["unparsed_reasons"]) == ("combined", True, {"unrecognised": 1})
    visitors = summary["visitors"]
    assert visitors["totals"]["visitors"] == 6  # the days are Jakarta's (TIME_ZONE)
    assert [day["date"] for day in visitors["daily"]] == ["2026-11-12", "2026-11-13"]
    assert len(visitors["top"]["paths"]) == 2
    assert summary["detection"] == Detection(True).enabled


def test_findings_as_json_lines(tmp_path):
    log = tmp_path / "access.log.1.gz"
    log.write_bytes(gzip.compress((FIXTURES / "stats.log").read_bytes() + ATTACKS))
    out_file = tmp_path / "findings.jsonl"
    out, _ = run(str(log), "--findings", str(out_file), "--json")
    summary = json.loads(out)
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    # what detection finds is its own business; here: every finding is complete and points at a real line
    assert len(records) == summary["findings"]["total"]
    lines = (FIXTURES / "stats.log").read_bytes().splitlines() + ATTACKS.splitlines()
    for record in records:
        assert {"file", "line", "ip", "time", "category", "rule", "severity", "request"} <= set(record)
        assert record["file"] == str(log)
        assert 1 <= record["line"] <= len(lines)
        assert record["ip"].encode() == lines[record["line"] - 1].split(b" ")[0]
        assert datetime.fromisoformat(record["time"]).utcoffset() is not None
    if not summary["detection"]:
        assert records == []


def test_text_summary():
    out, _ = run(str(FIXTURES / "stats.log"), str(FORMATS / "w3c.log"))
    assert "stats.log: combined (detected), 9 lines, 8 requests, 1 unparsed" in out
    assert "w3c.log: w3c (detected), 10 lines, 3 requests, 1 unparsed" in out
    assert "line 8 (unrecognised): 'this line is not from a web server'" in out
    assert "Visitors: 11 requests" in out
    assert "Status codes: 200 " in out


def test_format_option():
    out, _ = run(str(FORMATS / "common.log"), "--format", "combined", "--json")
    file = json.loads(out)["files"][0]
    assert (file["format"], file["detected"], file["requests"], file["unparsed"]) == ("combined", False, 0, 3)
    with pytest.raises(SystemExit):  # argparse refuses a format it does not know
        run(str(FORMATS / "common.log"), "--format", "nginx")


def test_missing_files(tmp_path):
    with pytest.raises(CommandError, match="No log file could be read"):
        run(str(tmp_path / "nope.log"))
    out, err = run(str(tmp_path / "nope.log"), str(FORMATS / "common.log"), "--json")
    assert "nope.log" in err and json.loads(out)["requests"] == 3


def test_unwritable_findings_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        run(str(FORMATS / "common.log"), "--findings", str(tmp_path / "no-such-dir" / "out.jsonl"))


def without_seconds(summary: dict) -> dict:
    return {key: value for key, value in summary.items() if key not in ("seconds", "lines_per_second")}


def test_the_console_command_scans_without_loading_the_apps(tmp_path):
    """`jagaweb logs scan` goes straight to scan_command.main; other commands load the apps as usual."""
    log = tmp_path / "access.log"
    log.write_bytes((FIXTURES / "stats.log").read_bytes())
    code = ("import sys, django.apps; from jagaweb.cli import main; main(['jagaweb', *sys.argv[1:]]); "
            "print(len(django.apps.apps.get_app_configs()), file=sys.stderr)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    done = subprocess.run([sys.executable, "-c", code, "logs", "scan", str(log), "--json"], capture_output=True,
                          text=True, check=True, env=env)
    assert json.loads(done.stdout)["lines"] > 0
    assert done.stderr.strip().splitlines()[-1] == "0"
    other = subprocess.run([sys.executable, "-c", code, "check"], capture_output=True, text=True, check=True, env=env)
    assert int(other.stderr.strip().splitlines()[-1]) > 10


def test_the_command_without_apps_gives_the_same_summary(tmp_path):
    """scan_command.main (for jagaweb.cli, before Django is set up) loads no app and says the same."""
    log = tmp_path / "access.log"
    log.write_bytes((FIXTURES / "stats.log").read_bytes() + ATTACKS)
    out, _ = run(str(log), "--json")
    code = ("import sys, django.apps; from jagaweb.logwatch.scan_command import main; "
            "main([sys.argv[1], '--json']); "
            "print(len(django.apps.apps.get_app_configs()), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(log)], capture_output=True, text=True, check=True,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"})
    assert without_seconds(json.loads(done.stdout)) == without_seconds(json.loads(out))
    assert done.stderr.strip().splitlines()[-1] == "0"


def test_the_console_command_says_why_nothing_was_read_and_fails(tmp_path):
    """Without Django's command machinery, a failed scan still ends with the reason, in the configured
    language (Indonesian by default), and exit status 1."""
    code = "import sys; from jagaweb.cli import main; main(['jagaweb', *sys.argv[1:]])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    done = subprocess.run([sys.executable, "-c", code, "logs", "scan", str(tmp_path / "nope.log")],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "nope.log: No such file" in done.stderr
    assert "CommandError: Tidak ada berkas log yang dapat dibaca." in done.stderr
    bad = subprocess.run([sys.executable, "-c", code, "logs", "scan", "--format", "nonsense", "x.log"],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_the_console_command_leaves_at_once_with_everything_written(tmp_path):
    """After a scan the command skips the interpreter's clean-up: the summary and every finding are out."""
    log = tmp_path / "access.log"
    log.write_bytes((FIXTURES / "stats.log").read_bytes() + ATTACKS)
    findings = tmp_path / "findings.jsonl"
    # buffered output, as a console command normally has it, is what an early exit could lose
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-m", "jagaweb", "manage", "logs", "scan", str(log), "--json",
                           "--findings", str(findings)], capture_output=True, text=True, check=True,
                          env={**env, "DJANGO_SETTINGS_MODULE": "tests.settings"})
    summary = json.loads(done.stdout)
    assert summary["findings"]["total"] > 0
    assert len(findings.read_text().splitlines()) == summary["findings"]["total"]


def test_only_a_log_scan_leaves_at_once():
    assert is_log_scan(["jagaweb", "logs", "scan", "a.log"])
    assert is_log_scan(["jagaweb", "manage", "logs", "scan", "a.log"])
    assert not is_log_scan(["jagaweb", "logs", "ingest"])
    assert not is_log_scan(["jagaweb", "serve"])
