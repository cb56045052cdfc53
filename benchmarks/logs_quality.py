"""Detection quality of jagaweb.logwatch.detect on public data: recall on attacks, false alarms on real traffic.

    python benchmarks/logs_quality.py [--data ../shared/data/logs] [--misses] [--alarms] [--json out.json]
    python benchmarks/logs_quality.py --speed 1000000 [--batch 100000]

Recall: the OWASP CRS regression tests for XSS (REQUEST-941) and SQL injection (REQUEST-942) are turned into
Apache combined log lines, the way Apache would write each test's request: `%h %l %u %t "%r" %>s %b
"%{Referer}i" "%{User-Agent}i"`, with the request line as sent (method, URI exactly as in the test, protocol)
and Apache's escaping of logged values (`"` as `\\"`, `\\` as `\\\\`, control and non-ASCII bytes as `\\xhh`).
Only what an access log shows is kept: the URI and query, the User-Agent and the Referer. A test whose
payload travels in a request body (`data`), or in a header the log does not show (Cookie, Authorization,
X-..., custom headers), is counted as not visible and left out; the script prints how many. Only the tests
that expect their own rule to fire are attacks (tests listing the rule under `no_expect_ids` are the CRS's
own negatives and are not scored).

Paranoia level: the test files do not say it (three descriptions do). The CRS rule files put each rule
under a "Paranoia Level N" section; from the CRS 4 rule files, the REQUEST-941 (XSS) rules are all at
levels 1 and 2, and in REQUEST-942 (SQL injection) these are at 3 or 4: 942251, 942420, 942431, 942460,
942490, 942511, 942530 (level 3) and 942421, 942432 (level 4). Every other tested rule counts as level 1-2.

A test counts as detected when its line gets a finding of its own category (sqli for 942, xss for 941);
"any category" is reported too. The lines go through JagaWeb's own parser (jagaweb.logwatch.parse, the
combined format) when it is importable.

False alarms: every line of the real Apache log (real/, 10,000 lines of a personal site, benign) that gets
a per-request finding, and the lines named by behaviour findings, as a share of all lines (the behaviour
lines are listed: a client claiming to be Googlebot from a network that is not Google's is a fake crawler
even in benign traffic). The fail2ban samples are attack samples, in several layouts that this script
reads leniently; it reports per file which rules fire on which lines.

Speed (--speed ROWS): a synthetic batch of ROWS parsed requests (paths, agents and referers of the real log
when it is there, else a built-in vocabulary of a government portal; 40,000 clients, a week of times, 1% of
the rows attacks taken from tests/fixtures/logwatch/detect/attacks.tsv; each client keeps one agent, and
clients claiming a search-engine crawler come from its owner's network) goes through detect_requests as one
frame and in batches of --batch rows, each run starting with an empty memory of judged values, and through
Behaviour batch after batch; rows per second and the peak resident memory of the process are printed.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jagaweb.logwatch.detect import Behaviour, detect_requests  # noqa: E402
from jagaweb.logwatch.detect.engine import MEMO  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "logs"
HIGH_PARANOIA = {942251, 942420, 942431, 942460, 942490, 942511, 942530, 942421, 942432}
CATEGORY_OF_FILE = {"941": "xss", "942": "sqli"}
# Headers a combined log shows, or that never carry a test's payload (connection plumbing).
LOGGED_OR_PLUMBING = {
    "host", "user-agent", "referer", "accept", "accept-encoding", "accept-language", "accept-charset",
    "content-type", "content-length", "connection", "cache-control", "pragma",
}  # fmt: skip
CLF_TIME = "%d/%b/%Y:%H:%M:%S %z"
START = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@dataclass
class CrsCase:
    rule_id: int
    test_id: Any
    category: str
    line: str


def apache_escaped(value: str) -> str:
    """What Apache's ap_escape_logitem writes for a logged value."""
    out = []
    for byte in value.encode("utf-8", "surrogateescape"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\b\n\r\t\v":
            out.append({"\b": "\\b", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}[char])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\x{byte:02x}")
        else:
            out.append(char)
    return "".join(out)


def combined_line(ip: str, when: datetime, request: str, status: int, size: int, referer: str | None,
                  agent: str | None) -> str:
    quoted = [apache_escaped(part) if part is not None else "-" for part in (request, referer, agent)]
    return (f'{ip} - - [{when.strftime(CLF_TIME)}] "{quoted[0]}" {status} {size} "{quoted[1]}" "{quoted[2]}"')


def crs_cases(root: Path) -> tuple[list[CrsCase], Counter[str]]:
    """Log lines of the visible level 1-2 attack tests, and counts of what was left out and why."""
    cases, left_out = [], Counter()
    for path in sorted(root.glob("REQUEST-94[12]-*/*.yaml")):
        document = yaml.safe_load(path.read_text())
        rule_id = int(document["rule_id"])
        category = CATEGORY_OF_FILE[str(rule_id)[:3]]
        for test in document["tests"]:
            for stage in test["stages"]:
                request = stage["input"]
                expected = stage["output"].get("log", {}).get("expect_ids") or []
                if rule_id not in expected:
                    continue
                headers = {name.lower(): value for name, value in (request.get("headers") or {}).items()}
                if rule_id in HIGH_PARANOIA:
                    left_out[f"{category}: paranoia level 3-4"] += 1
                elif request.get("data"):
                    left_out[f"{category}: payload in the request body"] += 1
                elif set(headers) - LOGGED_OR_PLUMBING:
                    left_out[f"{category}: payload in a header the log does not show"] += 1
                else:
                    method = request.get("method") or "GET"
                    line = f"{method} {request.get('uri', '/')} {request.get('version') or 'HTTP/1.1'}"
                    when = START.replace(second=len(cases) % 60)
                    cases.append(CrsCase(rule_id, test.get("test_id"), category,
                                         combined_line("127.0.0.1", when, line, 200, 1234, headers.get("referer"),
                                                       headers.get("user-agent"))))
    return cases, left_out


_LENIENT = re.compile(
    r'(?P<ip>\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]{3,})\s.*?\[(?P<time>[^\]]*)\][^"]*'
    r'"(?P<request>(?:[^"\\]|\\.)*)"\s+(?P<status>\d{3}|-)\s+(?P<bytes>\d+|-)'
    r'(?:\s+"(?P<referer>(?:[^"\\]|\\.)*)"\s+"(?P<agent>(?:[^"\\]|\\.)*)")?'
)
_NGINX_ERROR = re.compile(r'client: (?P<ip>[^,]+),.*?request: "(?P<request>(?:[^"\\]|\\.)*)"')
_REQUEST_PARTS = re.compile(r"^([A-Za-z][A-Za-z_-]*) (.+?)(?: (HTTP/[0-9.]+))?$")


def lenient_frame(lines: list[tuple[int, str]], name: str) -> pl.DataFrame:
    """fail2ban's samples mix formats (vhost first, odd time fields, Nginx error lines): read what they hold."""
    rows = []
    for number, text in lines:
        match = _LENIENT.search(text) or _NGINX_ERROR.search(text)
        if not match:
            continue
        fields = match.groupdict()
        request = fields["request"]
        parts = _REQUEST_PARTS.match(request)
        status = fields.get("status")
        rows.append({
            "file": name, "line": number, "ip": fields["ip"], "time": START, "request": request,
            "method": parts.group(1) if parts else None, "target": parts.group(2) if parts else None,
            "protocol": parts.group(3) if parts else None,
            "status": int(status) if status and status != "-" else None,
            "bytes": int(fields["bytes"]) if fields.get("bytes") and fields["bytes"] != "-" else None,
            "referer": None if fields.get("referer") in (None, "-") else fields["referer"],
            "agent": None if fields.get("agent") in (None, "-") else fields["agent"], "vhost": None,
        })
    return pl.DataFrame(rows, schema=SCHEMA)


SCHEMA = {
    "file": pl.String, "line": pl.Int64, "ip": pl.String, "time": pl.Datetime("us", "UTC"), "method": pl.String,
    "target": pl.String, "protocol": pl.String, "request": pl.String, "status": pl.Int32, "bytes": pl.Int64,
    "referer": pl.String, "agent": pl.String, "vhost": pl.String,
}  # fmt: skip


def parsed_frame(lines: list[str], name: str) -> pl.DataFrame:
    """Combined-format lines as detection receives them: through JagaWeb's parser (jagaweb.logwatch.parse),
    or through this script's lenient reader while that parser is not importable."""
    try:
        from jagaweb.logwatch.formats import get_format
        from jagaweb.logwatch.parse import parse_chunk
        from jagaweb.logwatch.reader import Chunk
    except ImportError:
        return lenient_frame(list(enumerate(lines, start=1)), name)
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
    batch = parse_chunk(Chunk(name, data, 1, len(lines), 0, len(data)), get_format("combined"))
    return batch.frame.select([pl.col(column).cast(dtype) for column, dtype in SCHEMA.items()])


def behaviour_findings(frame: pl.DataFrame) -> pl.DataFrame:
    return Behaviour().feed(frame.sort("time"))


def measure_recall(data: Path, show_misses: bool) -> dict[str, Any]:
    root = data / "crs-regression"
    cases, left_out = crs_cases(root)
    lines = [case.line for case in cases]
    frame = parsed_frame(lines, "crs")
    started = time.perf_counter()
    findings = detect_requests(frame)
    elapsed = time.perf_counter() - started
    by_line: dict[int, set[str]] = defaultdict(set)
    for line, category in findings.select("line", "category").iter_rows():
        by_line[line].add(category)
    result: dict[str, Any] = {"left_out": dict(left_out), "parsed_lines": frame.height, "cases": len(cases),
                              "seconds": round(elapsed, 3)}
    print(f"CRS regression tests: {len(cases)} visible level 1-2 attacks as log lines "
          f"({frame.height} parsed), detection {elapsed:.2f} s")
    for reason, count in sorted(left_out.items()):
        print(f"  left out, {reason}: {count}")
    for category in ("sqli", "xss"):
        own = [(number, case) for number, case in enumerate(cases, start=1) if case.category == category]
        hit = sum(category in by_line[number] for number, _case in own)
        any_hit = sum(bool(by_line[number]) for number, _case in own)
        recall = hit / len(own) if own else 0.0
        result[category] = {"attacks": len(own), "detected": hit, "recall": round(recall, 4),
                             "detected_any_category": any_hit}
        print(f"  {category}: {hit}/{len(own)} detected = {recall:.1%} recall "
              f"({any_hit} with a finding of any category)")
        if show_misses:
            for number, case in own:
                if category not in by_line[number]:
                    print(f"    missed {case.rule_id} test {case.test_id}: {case.line}")
    return result


def measure_benign(data: Path, show_alarms: bool) -> dict[str, Any]:
    path = data / "real" / "elastic_apache_logs"
    lines = path.read_text(errors="replace").splitlines()
    frame = parsed_frame(lines, path.name)
    started = time.perf_counter()
    findings = detect_requests(frame)
    elapsed = time.perf_counter() - started
    behaviour = behaviour_findings(frame)
    flagged = set(findings.get_column("line").to_list())
    behaviour_lines = set(behaviour.get_column("line").to_list()) if behaviour is not None else set()
    share = len(flagged) / len(lines)
    both = len(flagged | behaviour_lines) / len(lines)
    print(f"\nBenign traffic ({path.name}): {len(lines)} lines, {frame.height} parsed, detection {elapsed:.2f} s")
    print(f"  per-request false alarms: {len(flagged)} lines = {share:.3%}")
    if behaviour is not None:
        print(f"  behaviour findings: {behaviour.height} (naming {len(behaviour_lines)} lines); "
              f"all false alarms together: {len(flagged | behaviour_lines)} lines = {both:.3%}")
    rules = Counter(f"{category}/{rule}" for category, rule in findings.select("category", "rule").iter_rows())
    for rule, count in rules.most_common():
        print(f"    {rule}: {count}")
    if behaviour is not None:
        for row in behaviour.iter_rows(named=True):
            print(f"    behaviour {row['category']}/{row['rule']} {row['ip']} line {row['line']}: {row['detail']}")
    if show_alarms:
        for row in findings.iter_rows(named=True):
            print(f"    line {row['line']} {row['category']}/{row['rule']}: {row['request']} | {row['detail']}")
    return {"lines": len(lines), "parsed": frame.height, "flagged_lines": len(flagged),
            "false_alarm_share": round(share, 6), "behaviour_findings": None if behaviour is None else behaviour.height,
            "all_flagged_lines": len(flagged | behaviour_lines), "rules": dict(rules)}


def report_fail2ban(data: Path) -> dict[str, Any]:
    print("\nfail2ban samples (attacks and bots; what fires per file):")
    result = {}
    for path in sorted((data / "fail2ban").iterdir()):
        if path.name in ("COPYING",) or path.is_dir():
            continue
        numbered = [(number, text) for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1)
                    if text.strip() and not text.startswith("#")]
        frame = lenient_frame(numbered, path.name)
        findings = detect_requests(frame)
        behaviour = behaviour_findings(frame)
        fired = Counter(f"{c}/{r}" for c, r in findings.select("category", "rule").iter_rows())
        if behaviour is not None:
            fired.update(f"{c}/{r} (behaviour)" for c, r in behaviour.select("category", "rule").iter_rows())
        lines_with = findings.get_column("line").n_unique()
        print(f"  {path.name}: {len(numbered)} sample lines, {frame.height} read, {lines_with} with a finding")
        for row in findings.sort("line").iter_rows(named=True):
            print(f"    line {row['line']}: {row['category']}/{row['rule']} ({row['severity']}) {row['detail']}")
        if behaviour is not None:
            for row in behaviour.iter_rows(named=True):
                print(f"    behaviour line {row['line']}: {row['category']}/{row['rule']} {row['detail']}")
        result[path.name] = {"samples": len(numbered), "read": frame.height, "lines_with_finding": lines_with,
                             "rules": dict(fired)}
    return result


BUILTIN_PATHS = [
    "/", "/berita", "/berita/2024/pengumuman-cpns?kategori=umum&page=2", "/profil/visi-misi", "/layanan/perizinan",
    "/ppid/informasi-publik?kategori=berkala&tahun=2024", "/search?q=jadwal+samsat", "/search?q=Ma%27ruf+Amin",
    "/index.php?option=com_content&view=article&id=112:profil&catid=8&Itemid=101", "/agenda?bulan=11",
    "/assets/css/style.css?v=3.2", "/assets/js/jquery.min.js", "/assets/img/logo-pemkab.png", "/favicon.ico",
    "/wp-content/uploads/2026/11/banner-hut.jpg", "/download/perda-no-5-tahun-2023.pdf", "/kontak",
]
BUILTIN_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
BUILTIN_REFERERS = ["https://www.google.com/", "https://portal.example.go.id/berita", "https://m.facebook.com/"]


def synthetic_frame(rows: int, data: Path, seed: int = 7) -> pl.DataFrame:
    """`rows` parsed requests shaped like a government portal's traffic, 1% of them attacks."""
    generator = np.random.default_rng(seed)
    paths, agents, referers = list(BUILTIN_PATHS), list(BUILTIN_AGENTS), list(BUILTIN_REFERERS)
    real = data / "real" / "elastic_apache_logs"
    if real.exists():
        sample = parsed_frame(real.read_text(errors="replace").splitlines(), "seed")
        paths += sample.get_column("target").drop_nulls().to_list()
        agents += sample.get_column("agent").drop_nulls().to_list()
        referers += sample.get_column("referer").drop_nulls().to_list()
    else:
        print(f"({real} is missing: the synthetic traffic uses the built-in vocabulary only)")
    attacks_file = ROOT / "tests" / "fixtures" / "logwatch" / "detect" / "attacks.tsv"
    attacks = [line.split("\t")[2] for line in attacks_file.read_text().splitlines()
               if line.count("\t") == 2 and line.split("\t")[1] == "target"]
    attack_rows = generator.random(rows) < 0.01
    target_index = generator.integers(0, len(paths), rows)
    targets = pl.Series(paths).gather(target_index)
    targets = pl.select(pl.when(pl.Series(attack_rows)).then(pl.Series(attacks).gather(
        generator.integers(0, len(attacks), rows))).otherwise(targets)).to_series()
    clients = (generator.zipf(1.3, rows) % 40_000).astype(np.int64)
    # Each client keeps one agent; clients whose agent claims a search engine crawl from its network.
    agent_of_client = pl.Series(agents).gather(generator.integers(0, len(agents), 40_000))
    lowered = agent_of_client.str.to_lowercase()
    google, bing = lowered.str.contains("googlebot").to_numpy(), lowered.str.contains("bingbot|msnbot").to_numpy()
    addresses = [f"66.249.{64 + (c >> 8) % 32}.{c & 255}" if google[c] else f"157.55.{(c >> 8) & 255}.{c & 255}"
                 if bing[c] else f"10.{(c >> 16) & 255}.{(c >> 8) & 255}.{c & 255}" for c in range(40_000)]
    seconds = np.sort(generator.integers(0, 7 * 86_400, rows))
    start = datetime(2026, 11, 14, tzinfo=UTC)
    statuses = generator.choice([200, 304, 301, 404, 403, 500], rows, p=[0.80, 0.10, 0.04, 0.05, 0.005, 0.005])
    frame = pl.DataFrame({
        "file": pl.Series(["synthetic.log"] * rows),
        "line": pl.Series(np.arange(1, rows + 1), dtype=pl.Int64),
        "ip": pl.Series(addresses).gather(clients),
        "time": pl.Series(seconds * 1_000_000, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
        + (start - datetime(1970, 1, 1, tzinfo=UTC)),
        "method": pl.Series(np.where(generator.random(rows) < 0.03, "POST", "GET")),
        "target": targets,
        "protocol": pl.Series(["HTTP/1.1"] * rows),
        "status": pl.Series(statuses, dtype=pl.Int32),
        "bytes": pl.Series(generator.integers(100, 50_000, rows), dtype=pl.Int64),
        "referer": pl.Series(referers).gather(generator.integers(0, len(referers), rows)),
        "agent": agent_of_client.gather(clients),
        "vhost": pl.Series([None] * rows, dtype=pl.String),
    })
    request = pl.concat_str([pl.col("method"), pl.col("target"), pl.col("protocol")], separator=" ")
    return frame.with_columns(request.alias("request")).select(list(SCHEMA))


def measure_speed(rows: int, batch: int, data: Path) -> dict[str, Any]:
    frame = synthetic_frame(rows, data)
    print(f"Synthetic frame: {frame.height} rows, {frame.get_column('target').n_unique()} distinct targets, "
          f"{frame.get_column('agent').n_unique()} distinct agents")
    detect_requests(frame.head(1000))  # compile the expressions once, as a long scan would have
    MEMO.clear()  # both runs start without remembered values
    started = time.perf_counter()
    whole = detect_requests(frame)
    whole_seconds = time.perf_counter() - started
    MEMO.clear()
    started = time.perf_counter()
    batched = sum(detect_requests(frame.slice(offset, batch)).height for offset in range(0, rows, batch))
    batched_seconds = time.perf_counter() - started
    watcher = Behaviour()
    started = time.perf_counter()
    behaviour = sum(watcher.feed(frame.slice(offset, batch)).height for offset in range(0, rows, batch))
    behaviour_seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "rows": rows, "batch": batch,
        "detect_whole_seconds": round(whole_seconds, 3), "detect_whole_rows_per_s": round(rows / whole_seconds),
        "detect_batched_seconds": round(batched_seconds, 3), "detect_batched_rows_per_s": round(rows / batched_seconds),
        "behaviour_seconds": round(behaviour_seconds, 3), "behaviour_rows_per_s": round(rows / behaviour_seconds),
        "findings": whole.height, "findings_batched": batched, "behaviour_findings": behaviour,
        "peak_rss_mb": round(peak_mb),
    }
    print(f"  detect_requests, one frame:        {whole_seconds:.2f} s = {rows / whole_seconds:,.0f} rows/s "
          f"({whole.height} findings)")
    print(f"  detect_requests, {batch}-row batches: {batched_seconds:.2f} s = {rows / batched_seconds:,.0f} rows/s")
    print(f"  Behaviour.feed, {batch}-row batches:  {behaviour_seconds:.2f} s = {rows / behaviour_seconds:,.0f} rows/s "
          f"({behaviour} findings)")
    print(f"  peak resident memory of this process: {peak_mb:,.0f} MB")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--misses", action="store_true", help="list every attack line not detected")
    parser.add_argument("--alarms", action="store_true", help="list every benign line with a finding")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--speed", type=int, metavar="ROWS", help="measure throughput on a synthetic frame instead")
    parser.add_argument("--batch", type=int, default=100_000, help="batch size for --speed")
    options = parser.parse_args()
    if options.speed:
        figures = measure_speed(options.speed, options.batch, options.data)
        if options.json:
            options.json.write_text(json.dumps(figures, indent=2))
        return 0
    needed = [options.data / "crs-regression", options.data / "real" / "elastic_apache_logs",
              options.data / "fail2ban"]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        print("The evaluation data is missing: " + ", ".join(missing))
        print("It lives in the shared data folder (../shared/data/logs next to the repository); pass --data DIR.")
        return 2
    results = {"recall": measure_recall(options.data, options.misses),
               "benign": measure_benign(options.data, options.alarms),
               "fail2ban": report_fail2ban(options.data)}
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
