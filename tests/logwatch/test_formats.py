"""Each log format read field by field from small hand-written logs, and format auto-detection."""

from datetime import UTC, datetime

import polars as pl
import pytest

from jagaweb.logwatch.formats import DETECTION_ORDER, FORMATS, detect_format, format_choices, get_format
from jagaweb.logwatch.formats.base import REQUEST_SCHEMA
from jagaweb.logwatch.parse import Unparsed, chunk_lines
from jagaweb.logwatch.reader import LogReader
from tests.logwatch.helpers import FIXTURES, parse_file, rows
from tests.logwatch.helpers import FORMATS as FORMAT_LOGS

ANDROID = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
           "Mobile Safari/537.36")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_combined_fields():
    batch = parse_file(FORMAT_LOGS / "combined.log", "combined")
    assert batch.frame.schema == pl.Schema(REQUEST_SCHEMA)
    found = rows(batch)
    assert found[1] == {
        "line": 1, "ip": "36.80.12.7", "time": utc(2026, 11, 12, 3, 15, 32), "method": "GET",
        "target": "/berita/2026/banjir-kecamatan?page=2", "protocol": "HTTP/1.1",
        "request": "GET /berita/2026/banjir-kecamatan?page=2 HTTP/1.1", "status": 200, "bytes": 18342,
        "referer": "https://www.google.co.id/", "agent": ANDROID, "vhost": None,
    }
    assert (found[2]["method"], found[2]["status"], found[2]["bytes"], found[2]["referer"]) == ("POST", 302, None, None)
    # an escaped quote inside the agent is kept as logged, and does not cut the line short
    assert found[3]["ip"] == "2001:db8::7"
    assert found[3]["agent"] == 'Mozilla/5.0 (Linux; Android 11) \\"WebView\\" Chrome/88.0'
    assert found[3]["target"] == "/search?q=%22sekolah%22"
    # a field appended after the agent is ignored
    assert (found[4]["agent"], found[4]["bytes"]) == ("curl/8.4.0", 99)
    # junk instead of a request line: still a request (for detection), without method or target
    assert found[5]["request"] == "\\x16\\x03\\x01\\x02"
    assert (found[5]["method"], found[5]["target"], found[5]["status"]) == (None, None, 400)
    assert (found[6]["method"], found[6]["target"], found[6]["protocol"]) == ("GET", "/", None)
    assert batch.lines == 6 and not batch.unparsed


def test_common_fields_and_its_limits():
    batch = parse_file(FORMAT_LOGS / "common.log", "common")
    found = rows(batch)
    assert found[1]["time"] == utc(2000, 10, 10, 20, 55, 36)
    assert (found[1]["ip"], found[1]["target"], found[1]["status"], found[1]["bytes"]) == (
        "127.0.0.1", "/apache_pb.gif", 200, 2326)
    assert (found[1]["referer"], found[1]["agent"]) == (None, None)
    assert (found[2]["status"], found[2]["bytes"]) == (404, None)
    assert (found[3]["request"], found[3]["method"], found[3]["status"]) == ("-", None, 408)
    # combined lines are not common ones: their referer and agent would be lost
    combined = parse_file(FORMAT_LOGS / "combined.log", "common")
    assert len(combined.frame) == 0 and combined.unparsed == {Unparsed.UNRECOGNISED: 6}


def test_vhost_combined_fields():
    found = rows(parse_file(FORMAT_LOGS / "vhost_combined.log", "vhost_combined"))
    assert (found[1]["vhost"], found[1]["ip"], found[1]["target"], found[1]["bytes"]) == (
        "portal.example.go.id", "36.80.12.7", "/layanan", 4096)
    assert (found[2]["vhost"], found[2]["agent"]) == ("dinkes.example.go.id", "Mozilla/5.0 (compatible; Googlebot/2.1)")


def test_json_nginx_and_caddy():
    batch = parse_file(FORMAT_LOGS / "json.log", "json")
    found = rows(batch)
    assert found[1] == {
        "line": 1, "ip": "36.80.12.7", "time": utc(2026, 11, 12, 3, 15, 32), "method": "GET", "target": "/berita?id=3",
        "protocol": "HTTP/1.1", "request": "GET /berita?id=3 HTTP/1.1", "status": 200, "bytes": 5120,
        "referer": "https://www.google.com/", "agent": ANDROID, "vhost": "portal.example.go.id",
    }
    # separate method/URI/protocol keys, numbers as numbers, an empty referer, the CLF time
    assert (found[2]["request"], found[2]["status"], found[2]["bytes"], found[2]["referer"]) == (
        "POST /xmlrpc.php HTTP/1.1", 403, 0, None)
    assert found[2]["time"] == utc(2026, 11, 12, 3, 15, 33)
    assert found[2]["agent"] == 'Mozilla/5.0 "quoted"'
    caddy = found[3]
    assert (caddy["ip"], caddy["method"], caddy["target"], caddy["protocol"], caddy["vhost"]) == (
        "36.80.12.8", "GET", "/galeri?album=7", "HTTP/2.0", "portal.example.go.id")
    assert caddy["time"] == datetime(2026, 11, 12, 3, 15, 33, 250000, tzinfo=UTC)
    assert (caddy["status"], caddy["bytes"], caddy["referer"]) == (200, 20480, "https://m.facebook.com/")
    assert caddy["agent"].startswith("Mozilla/5.0 (iPhone;")
    # the broken line costs only itself
    assert 4 not in found and batch.unparsed == {Unparsed.UNRECOGNISED: 1}


def test_w3c_fields_follow_each_fields_directive():
    batch = parse_file(FORMAT_LOGS / "w3c.log", "w3c")
    found = rows(batch)
    assert sorted(found) == [5, 6, 9]
    first = found[5]
    assert (first["ip"], first["time"], first["method"], first["target"], first["status"]) == (
        "36.80.12.7", utc(2026, 11, 12, 3, 15, 32), "GET", "/default.aspx?id=3&lang=id", 200)
    assert first["agent"] == "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
    assert (first["referer"], first["request"]) == ("https://www.google.com/", "GET /default.aspx?id=3&lang=id")
    assert (found[6]["target"], found[6]["agent"], found[6]["status"]) == ("/api/login", None, 401)
    # after the second #Fields line: other columns, in another order
    assert (found[9]["ip"], found[9]["bytes"], found[9]["protocol"], found[9]["vhost"], found[9]["status"]) == (
        "36.80.12.9", 0, "HTTP/1.1", "portal.example.go.id", 304)
    assert found[9]["request"] == "GET /images/logo.png HTTP/1.1"
    assert batch.directives == 6 and batch.unparsed == {Unparsed.UNRECOGNISED: 1}


def test_w3c_fields_carry_over_to_the_next_batch():
    small = parse_file(FORMAT_LOGS / "w3c.log", "w3c", batch_bytes=16)
    whole = parse_file(FORMAT_LOGS / "w3c.log", "w3c")
    assert small.frame.equals(whole.frame)


@pytest.mark.parametrize("name,expected", [
    ("combined.log", "combined"), ("common.log", "common"), ("vhost_combined.log", "vhost_combined"),
    ("json.log", "json"), ("w3c.log", "w3c"),
])
def test_auto_detection(name, expected):
    lines = chunk_lines(next(iter(LogReader(FORMAT_LOGS / name))))
    assert detect_format(lines) == expected


def test_detection_finds_nothing_in_junk(tmp_path):
    junk = tmp_path / "junk.log"
    junk.write_bytes(b"hello\n\x00\x01\x02\n{not json\n")
    assert detect_format(chunk_lines(next(iter(LogReader(junk))))) is None


def test_every_format_reads_the_stats_log_only_if_it_is_its_own():
    """Formats must not claim each other's lines, or auto-detection would be a guess."""
    lines = chunk_lines(next(iter(LogReader(FIXTURES / "stats.log"))))
    recognised = {name: kind().recognised(lines) for name, kind in FORMATS.items()}
    assert recognised == {"combined": 8, "common": 0, "vhost_combined": 0, "json": 0, "w3c": 0}


def test_registry():
    assert format_choices() == ["auto", "combined", "common", "vhost_combined", "json", "w3c"]
    assert sorted(DETECTION_ORDER) == sorted(FORMATS)
    assert get_format("w3c") is not get_format("w3c")  # per file: the W3C field list is state
    with pytest.raises(ValueError, match="unknown log format"):
        get_format("apache")
