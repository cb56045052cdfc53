"""Access-log scanning speed: JagaWeb (parsing, detection, visitor statistics) against GoAccess and `wc -l`.

    python benchmarks/logs_speed.py [--lines 1000000] [--rounds 3] [--workdir /tmp/jagaweb-bench-logs]
                                    [--seed-log PATH] [--batch-mb 32] [--nice 0] [--json out.json]
                                    [--varied-queries 0.5] [--stages]

The script writes a deterministic Apache/Nginx combined log (fixed random seed) of `--lines` lines into the
work dir: a government portal visited by 40,000 clients (Zipf-like: a few heavy ones, a long tail) over a
week with a daily rhythm, pages followed by their images/styles/scripts with the page as referrer, search
engine and social referrers, desktop/mobile browsers and crawlers, 301/304/404/500 answers, about 1% attack
traffic (SQL injection, XSS, path traversal, .env/.git probes, wp-login and xmlrpc bursts, scanner agents,
404 sweeps) and about 0.1% malformed lines (cut lines, binary junk, invalid UTF-8, a few over-long lines).
When ../shared/data/logs/real/elastic_apache_logs is present (or --seed-log names another combined log),
its user agents, paths and referrers join the built-in vocabulary; the script says so when it is missing.
With --varied-queries, that fraction of page requests carries a random campaign parameter (utm_id), as on
sites whose links are shared: distinct targets then grow with the log, and so does detection's work.

Each round, one after another on the same file (page cache warm after the first read): `wc -l FILE`;
`goaccess FILE --log-format=COMBINED --no-progress -o report.json` (GoAccess keeps everything in memory
unless --persist is given; it writes its JSON report); JagaWeb's `jagaweb logs scan FILE --json --findings
out.jsonl` as a command in its own process; and `scan_paths` timed in a child process of this script
(parsing, detection when jagaweb.logwatch.detect exists, visitor statistics). Every child is timed from
start to exit, peak RSS from wait4. Medians over the rounds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any

from clean_python import clean_python, project_requirements

ROOT = Path(__file__).resolve().parent.parent
SEED_LOG = ROOT.parent / "shared" / "data" / "logs" / "real" / "elastic_apache_logs"
WIB = timezone(timedelta(hours=7))
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

BROWSERS = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/130.0.0.0 Safari/537.36", 30),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/130.0.0.0 Mobile Safari/537.36", 35),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.6 Mobile/15E148 Safari/604.1", 10),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0", 6),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.0 Safari/605.1.15", 4),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", 6),
    ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 5),
    ("Mozilla/5.0 (Linux; Android 12; V2111) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.100 "
     "Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/485.0.0.0;]", 4),
    # Apache writes a quote inside a logged header as \" - some in-app browsers send one
    ('Mozilla/5.0 (Linux; Android 11; Redmi Note 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0 '
     'Mobile Safari/537.36 \\"WebView\\"', 1),
]
CRAWLERS = [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 40),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 15),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 10),
    ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", 8),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 5),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", 8),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", 6),
    ("-", 3),
]
SCANNER_AGENTS = [
    "sqlmap/1.8.4#stable (https://sqlmap.org)", "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)",
    "python-requests/2.31.0", "curl/8.4.0", "Go-http-client/1.1", "zgrab/0.x", "WPScan v3.8.25 (https://wpscan.com/)",
]
TOPICS = ("pelantikan-pejabat", "jadwal-vaksinasi", "pengumuman-cpns-2026", "rapat-koordinasi", "bantuan-sosial",
          "festival-budaya", "banjir-kecamatan", "penerimaan-siswa-baru", "pajak-kendaraan", "lomba-desa",
          "musrenbang", "layanan-kependudukan", "pemadaman-listrik", "harga-sembako", "hari-jadi-kabupaten")
SECTIONS = ("berita", "pengumuman", "agenda", "artikel", "galeri")
PAGES_FIXED = ("/", "/profil/visi-misi", "/profil/struktur-organisasi", "/layanan/perizinan", "/kontak",
               "/ppid/informasi-publik", "/download", "/index.php?option=com_content&view=article&id=112",
               "/search?q=jadwal+samsat", "/berita", "/agenda?bulan=11")
ASSETS = ("/assets/css/style.css?v=3.2", "/assets/css/bootstrap.min.css", "/assets/js/jquery.min.js",
          "/assets/js/app.js?v=3.2", "/assets/img/logo-pemkab.png", "/favicon.ico",
          "/assets/fonts/roboto-v30-latin-regular.woff2", "/wp-content/uploads/2026/11/banner-hut.jpg")
REFERRERS = [("-", 40), ("https://www.google.com/", 30), ("https://www.google.co.id/", 8),
             ("https://m.facebook.com/", 6), ("https://l.instagram.com/", 3), ("https://www.bing.com/", 2),
             ("https://t.co/", 1)]
ATTACKS = [
    "/index.php?option=com_content&view=article&id=1%27%20UNION%20SELECT%201,2,concat(username,0x3a,password),4"
    "%20FROM%20jos_users--%20-",
    "/berita?id=5%20AND%201=1", "/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
    "/download?file=../../../../etc/passwd", "/.env", "/.git/config", "/wp-config.php.bak", "/phpmyadmin/index.php",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/cgi-bin/luci/;stok=/locale?form=country",
    "/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=HelloThinkPHP",
    "/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php", "/shell.php?cmd=id",
    "/?page=slot-gacor-maxwin", "/xmlrpc.php",
]
MALFORMED = [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 binary handshake junk \x00\xff\xfe",
    b"192.168.1.7 - - [12/Nov/2026:10:0",
    b"this is not an access log line at all",
    b"10.1.2.3 - - [12/Nov/2026:10:00:00 +0700] \"GET /caf\xe9\xff HTTP/1.1\" 200 12 \"-\" \"Mozilla\xc3\"",
    b"",
]


@dataclass
class Vocabulary:
    browsers: list[str]
    browser_weights: list[float]
    crawlers: list[str]
    crawler_weights: list[float]
    extra_paths: list[str] = field(default_factory=list)
    extra_referrers: list[str] = field(default_factory=list)


def vocabulary(seed_log: Path | None) -> Vocabulary:
    words = Vocabulary([a for a, _ in BROWSERS], [float(w) for _, w in BROWSERS],
                       [a for a, _ in CRAWLERS], [float(w) for _, w in CRAWLERS])
    if seed_log is None or not seed_log.is_file():
        print(f"Seed log {seed_log or SEED_LOG} is missing: built-in vocabulary only")
        return words
    pattern = re.compile(r'"(?:GET|HEAD|POST) (\S+) HTTP/[\d.]+" \d+ \S+ "([^"]*)" "([^"]*)"')
    agents: dict[str, int] = {}
    paths: set[str] = set()
    referrers: set[str] = set()
    with seed_log.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            found = pattern.search(line)
            if not found:
                continue
            paths.add(found[1])
            if found[2] != "-":
                referrers.add(found[2])
            agents[found[3]] = agents.get(found[3], 0) + 1
    # the seed's agents together get a fifth of the traffic of each kind, in proportion to how often they occur
    total = sum(agents.values())
    for agent, count in sorted(agents.items()):
        crawler = re.search(r"(?i)bot|crawl|spider|slurp", agent) is not None
        (words.crawlers if crawler else words.browsers).append(agent)
        share = sum(w for _, w in (CRAWLERS if crawler else BROWSERS)) * 0.25 * count / total
        (words.crawler_weights if crawler else words.browser_weights).append(share)
    words.extra_paths = sorted(paths)
    words.extra_referrers = sorted(referrers)
    print(f"Seed log {seed_log}: {len(agents)} user agents, {len(paths)} paths, {len(referrers)} referrers added")
    return words


def stamp(moment: datetime) -> str:
    return f"{moment.day:02d}/{MONTHS[moment.month - 1]}/{moment.year}:{moment:%H:%M:%S} +0700"


class LogWriter:
    """Writes visits (a page and its assets) and attack bursts until the wanted number of lines exists."""

    def __init__(self, lines: int, words: Vocabulary, rng: random.Random, varied_queries: float = 0.0) -> None:
        self.lines = lines
        self.words = words
        self.rng = rng
        self.varied_queries = varied_queries
        self.moment = datetime(2026, 11, 9, 0, 0, 0, tzinfo=WIB)
        self.step = timedelta(days=7) / lines
        self.clients = [self.address(index) for index in range(40_000)]
        # cumulative weights once: random.choices would otherwise add up 40,000 weights for every visit
        self.client_cumulative = list(accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(self.clients))))
        self.crawler_cumulative = list(accumulate(words.crawler_weights))
        self.referrer_cumulative = list(accumulate(w for _, w in REFERRERS))
        browser_cumulative = list(accumulate(words.browser_weights))
        self.client_agents = {ip: self.rng.choices(words.browsers, cum_weights=browser_cumulative)[0]
                              for ip in self.clients}
        self.articles = [f"/{self.rng.choice(SECTIONS)}/{self.rng.randrange(2019, 2027)}/{topic}-{n}"
                         for topic in TOPICS for n in range(40)]

    def address(self, index: int) -> str:
        first = (36, 114, 180, 182, 103, 125, 110, 139, 202)[index % 9]
        return f"{first}.{(index * 7) % 250 + 1}.{(index * 13) % 250}.{(index * 31) % 253 + 1}"

    def line(self, ip: str, request: str, status: int, size: int | str, referer: str, agent: str) -> bytes:
        return (f'{ip} - - [{stamp(self.moment)}] "{request}" {status} {size} "{referer}" "{agent}"\n').encode()

    def tick(self, lines: int) -> None:
        hour = self.moment.hour
        busy = 0.35 if hour < 6 else (1.0 if 8 <= hour <= 21 else 0.6)
        self.moment += self.step * (lines * self.rng.expovariate(1.0) / busy * 0.7)

    def page(self) -> str:
        pick = self.rng.random()
        if pick < 0.45:
            return self.rng.choice(self.articles)
        if pick < 0.85 or not self.words.extra_paths:
            return self.rng.choice(PAGES_FIXED)
        return self.rng.choice(self.words.extra_paths)

    def visit(self) -> list[bytes]:
        ip = self.rng.choices(self.clients, cum_weights=self.client_cumulative)[0]
        agent = self.client_agents[ip]
        referer = self.rng.choices([r for r, _ in REFERRERS], cum_weights=self.referrer_cumulative)[0]
        if referer == "-" and self.words.extra_referrers and self.rng.random() < 0.1:
            referer = self.rng.choice(self.words.extra_referrers)
        page = self.page()
        # drawn only when asked for, so that the default log stays the same
        if self.varied_queries and self.rng.random() < self.varied_queries:
            page += f"{'&' if '?' in page else '?'}utm_id={self.rng.randrange(10**9)}"
        status = self.rng.choices((200, 301, 404, 500), (92, 3, 4, 1))[0]
        out = [self.line(ip, f"GET {page} HTTP/1.1", status, self.rng.randrange(8_000, 90_000), referer, agent)]
        if status != 200:
            return out
        for asset in self.rng.sample(ASSETS, self.rng.randrange(0, 6)):
            cached = self.rng.random() < 0.3
            size: int | str = "-" if cached else self.rng.randrange(400, 250_000)
            out.append(self.line(ip, f"GET {asset} HTTP/1.1", 304 if cached else 200, size,
                                 f"https://portal.example.go.id{page}", agent))
        return out

    def crawl(self) -> list[bytes]:
        agent = self.rng.choices(self.words.crawlers, cum_weights=self.crawler_cumulative)[0]
        ip = f"66.249.{self.rng.randrange(64, 80)}.{self.rng.randrange(1, 255)}" if "Google" in agent else \
            f"{self.rng.randrange(40, 60)}.{self.rng.randrange(0, 255)}.{self.rng.randrange(0, 255)}.9"
        path = self.rng.choice(("/robots.txt", "/sitemap.xml", self.page(), self.page()))
        return [self.line(ip, f"GET {path} HTTP/1.1", 200, self.rng.randrange(300, 60_000), "-", agent)]

    def attack(self) -> list[bytes]:
        ip = f"45.{self.rng.randrange(1, 255)}.{self.rng.randrange(0, 255)}.{self.rng.randrange(1, 255)}"
        agent = self.rng.choice(SCANNER_AGENTS + self.words.browsers[:2])
        kind = self.rng.random()
        if kind < 0.3:  # a password-guessing burst
            return [self.line(ip, "POST /wp-login.php HTTP/1.1", 200, 4_120, "-", agent)
                    for _ in range(self.rng.randrange(5, 40))]
        if kind < 0.5:  # a sweep of paths that do not exist
            return [self.line(ip, f"GET {self.rng.choice(ATTACKS)} HTTP/1.1", 404, 196, "-", agent)
                    for _ in range(self.rng.randrange(5, 30))]
        status = self.rng.choice((200, 403, 404, 500))
        return [self.line(ip, f"GET {self.rng.choice(ATTACKS)} HTTP/1.1", status, 512, "-", agent)]

    def junk(self) -> list[bytes]:
        if self.rng.random() < 0.02:
            return [b"x" * self.rng.randrange(20_000, 120_000) + b"\n"]
        return [self.rng.choice(MALFORMED) + b"\n"]

    def write(self, target: Path) -> int:
        written = 0
        with target.open("wb") as handle:
            while written < self.lines:
                pick = self.rng.random()
                if pick < 0.0012:
                    chunk = self.junk()
                elif pick < 0.005:
                    chunk = self.attack()
                elif pick < 0.17:
                    chunk = self.crawl()
                else:
                    chunk = self.visit()
                chunk = chunk[: self.lines - written]
                handle.write(b"".join(chunk))
                written += len(chunk)
                self.tick(len(chunk))
        return written


def generate_log(target: Path, lines: int, seed_log: Path | None = SEED_LOG, varied_queries: float = 0.0) -> Path:
    marker = target.with_suffix(".done")
    if target.exists() and marker.exists() and marker.read_text() == str(lines):
        return target
    writer = LogWriter(lines, vocabulary(seed_log), random.Random(20261109), varied_queries)
    writer.write(target)
    marker.write_text(str(lines))
    return target



# ---- measuring ----
@dataclass
class Run:
    seconds: float  # the process from start to exit
    cpu_seconds: float  # its user + system time
    rss_mb: float  # its peak resident memory (wait4)
    others: float  # share of the machine's CPUs that other processes used meanwhile
    output: str = ""


class ChildFailed(Exception):
    pass


def machine_jiffies() -> tuple[int, int]:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # all, idle + iowait


def run_child(command: list[str], workdir: Path, env: dict[str, str] | None = None, nice: int = 0) -> Run:
    """Run to the end with its output in a file (no pipe to fill), its own rusage from wait4; `nice` changes
    its priority (negative: ahead of other sessions' processes; the same for every tool)."""
    output_path = workdir / "child-output.txt"
    before = machine_jiffies()
    started = time.perf_counter()
    with output_path.open("wb") as output:
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT,
                                 preexec_fn=(lambda: os.nice(nice)) if nice else None)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    after = machine_jiffies()
    text = output_path.read_text(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise ChildFailed(f"failed: {' '.join(command)}\n{text[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    busy = ((after[0] - after[1]) - (before[0] - before[1])) / os.sysconf("SC_CLK_TCK")
    others = max(0.0, busy - cpu) / ((os.cpu_count() or 1) * seconds)
    return Run(seconds, cpu, usage.ru_maxrss / 1024, others, text)


def measure_scan_here(path: Path, batch_mb: int) -> None:
    """The child that times scan_paths in its own process, after the imports; prints one JSON line. The scan
    needs no installed apps, only Django's translation machinery for the detection's labels; the allocator
    is set as `jagaweb logs scan` sets it."""
    import django
    from django.conf import settings

    settings.configure(USE_I18N=False)
    django.setup()
    from jagaweb.logwatch.memory import keep_freed_memory
    from jagaweb.logwatch.scan import scan_paths

    keep_freed_memory(share_arena=True)  # as `jagaweb logs scan` does, before any thread
    wall, cpu = time.perf_counter(), time.process_time()
    report = scan_paths([path], time_zone="Asia/Jakarta", batch_bytes=batch_mb << 20)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    totals = report.visitors.totals()
    print(json.dumps({"seconds": wall, "cpu_seconds": cpu, "lines": report.lines, "requests": report.requests,
                      "unparsed": report.unparsed, "detection": report.detection, "findings": report.findings,
                      "visitors": totals["visitors"], "bandwidth": totals["bandwidth"]}))


def measure_stages_here(path: Path, batch_mb: int) -> None:
    """The child that runs the scan's stages one after another in one thread and prints the CPU seconds of
    each (Polars' own threads included) as one JSON line: where the time goes, not how fast the scan is."""
    from jagaweb.logwatch.memory import keep_freed_memory

    keep_freed_memory(share_arena=True)  # as `jagaweb logs scan` does, before any thread
    started = time.process_time()
    from jagaweb.logwatch.detect import Behaviour, detect_requests
    from jagaweb.logwatch.formats import get_format
    from jagaweb.logwatch.parse import parse_chunk
    from jagaweb.logwatch.reader import LogReader
    from jagaweb.logwatch.stats import VisitorStats

    spent = dict.fromkeys(("imports", "read", "parse", "statistics", "detection", "behaviour", "report"), 0.0)
    spent["imports"] = time.process_time() - started
    log_format, stats, behaviour = get_format("combined"), VisitorStats("Asia/Jakarta"), Behaviour()
    mark = time.process_time()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.process_time()
        spent[stage] += now - mark
        mark = now

    for chunk in LogReader(path, batch_bytes=batch_mb << 20):
        lap("read")
        frame = parse_chunk(chunk, log_format).frame
        lap("parse")
        stats.feed(frame)
        lap("statistics")
        detect_requests(frame)
        lap("detection")
        behaviour.feed(frame)
        lap("behaviour")
    stats.report().as_dict()
    lap("report")
    print(json.dumps(spent))


@dataclass
class Tool:
    name: str
    command: list[str]
    env: dict[str, str] | None = None
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)


def python_env(workdir: Path) -> dict[str, str]:
    """Byte-compiled modules in the work dir: this machine may set PYTHONDONTWRITEBYTECODE, and an installed
    JagaWeb has its .pyc files, so compiling every module at each start would not be a fair figure."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(workdir / "pycache"), PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "jagaweb")], env=env, check=True)
    return env


def goaccess_summary(report: Path) -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        # GoAccess copies bytes that are not UTF-8 from the log into its JSON as they are
        general = json.loads(report.read_text(errors="replace"))["general"]
        return {key: general.get(key) for key in ("total_requests", "valid_requests", "failed_requests",
                                                  "unique_visitors", "bandwidth")}
    return {}


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    memory = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/meminfo") as info:
        memory = f", {int(next(line.split()[1] for line in info if line.startswith('MemTotal'))) / 2**20:.0f} GiB"
    import polars

    goaccess = subprocess.run(["goaccess", "--version"], capture_output=True, text=True, check=False).stdout
    return (f"{os.cpu_count()} cores ({cpu}){memory}, {platform.platform()}, Python {platform.python_version()}, "
            f"Polars {polars.__version__}, {goaccess.splitlines()[0].strip() if goaccess else 'GoAccess missing'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jagaweb-bench-logs"))
    parser.add_argument("--seed-log", type=Path, default=SEED_LOG)
    parser.add_argument("--batch-mb", type=int, default=32, help="JagaWeb's batch size in MiB")
    parser.add_argument("--nice", type=int, default=0,
                        help="priority change for every timed process, e.g. -10 on a machine shared with others")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--varied-queries", type=float, default=0.0, metavar="FRACTION",
                        help="add a random utm_id to this fraction of page requests, as campaign links do: the "
                             "distinct targets then grow with the log (0.5 writes access-LINES-q50.log)")
    parser.add_argument("--stages", action="store_true",
                        help="also measure the CPU time of each stage (read, parse, statistics, detection ...)")
    parser.add_argument("--this-python", action="store_true",
                        help="run JagaWeb with this interpreter and its site-packages instead of a clean virtual "
                             "environment of the benchmark's own (see benchmarks/clean_python.py)")
    parser.add_argument("--measure-scan", type=Path, help=argparse.SUPPRESS)  # the children's own modes
    parser.add_argument("--measure-stages", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_scan:
        measure_scan_here(args.measure_scan, args.batch_mb)
        return
    if args.measure_stages:
        measure_stages_here(args.measure_stages, args.batch_mb)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    variant = f"-q{round(args.varied_queries * 100)}" if args.varied_queries else ""
    log = generate_log(args.workdir / f"access-{args.lines}{variant}.log", args.lines, args.seed_log,
                       args.varied_queries)
    size = log.stat().st_size
    print(f"Machine: {machine()}")
    print(f"Log: {log} ({args.lines:,} lines, {size / 2**20:.0f} MiB)")
    print(f"Load average before: {load_average()}")
    env = python_env(args.workdir)
    python = sys.executable if args.this_python else clean_python(args.workdir / "venv", project_requirements())
    print(f"JagaWeb runs with {python}")
    findings = args.workdir / "findings.jsonl"
    tools = [Tool("wc -l", ["wc", "-l", str(log)])]
    if shutil.which("goaccess"):
        tools.append(Tool("GoAccess", ["goaccess", str(log), "--log-format=COMBINED", "--no-global-config",
                                       "--no-progress", "-o", str(args.workdir / "goaccess.json")]))
    else:
        print("GoAccess is not installed (apt-get install goaccess): no comparison with it")
    tools.append(Tool("JagaWeb scan_paths", [python, str(Path(__file__).resolve()), "--measure-scan", str(log),
                                             "--batch-mb", str(args.batch_mb)], env))
    scan_arguments = ["logs", "scan", str(log), "--json", "--findings", str(findings)]
    tools.append(Tool("JagaWeb CLI", [python, "-m", "jagaweb", *scan_arguments], env))
    if args.stages:
        tools.append(Tool("JagaWeb stages", [python, str(Path(__file__).resolve()), "--measure-stages",
                                             str(log), "--batch-mb", str(args.batch_mb)], env))
    for round_number in range(1, args.rounds + 1):
        for tool in list(tools):
            try:
                run = run_child(tool.command, args.workdir, tool.env, args.nice)
            except ChildFailed as exc:
                print(f"  {tool.name} left out: {exc}")
                tools.remove(tool)
                continue
            tool.runs.append(run)
            print(f"  round {round_number} {tool.name:<24} {run.seconds:7.2f} s wall {run.cpu_seconds:7.2f} s CPU "
                  f"{run.rss_mb:7.0f} MB; other processes used {run.others:4.0%} of the CPUs", flush=True)
    print(f"Load average after: {load_average()}")
    report(tools, args, log)


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1, 5, 15 min)"


def inner_figures(tool: Tool) -> list[dict[str, Any]]:
    """What the scan_paths child printed (its last line) in each round."""
    return [json.loads(run.output.strip().splitlines()[-1]) for run in tool.runs]


def report(tools: list[Tool], args: argparse.Namespace, log: Path) -> None:
    lines = args.lines
    by_name = {tool.name: tool for tool in tools}
    if "JagaWeb scan_paths" not in by_name:
        print("JagaWeb's scan did not run: no figures")
        return
    inner = inner_figures(by_name["JagaWeb scan_paths"])
    last = inner[-1]
    print(f"\nDetection {'ON' if last['detection'] else 'OFF (jagaweb.logwatch.detect is missing)'}; "
          f"JagaWeb read {last['lines']:,} lines: {last['requests']:,} requests, {last['unparsed']:,} unparsed, "
          f"{last['findings']:,} findings, {last['visitors']:,} unique visitors, {last['bandwidth']:,} bytes sent")
    goaccess = goaccess_summary(args.workdir / "goaccess.json")
    if goaccess:
        print(f"GoAccess's own figures: {goaccess}")
    timed = [tool for tool in tools if tool.name != "JagaWeb stages"]
    rows = [(tool.name, tool.median("seconds"), tool.median("cpu_seconds"), tool.median("rss_mb")) for tool in timed]
    inside = statistics.median(figures["seconds"] for figures in inner)
    rows.append(("JagaWeb, timed inside", inside, statistics.median(figures["cpu_seconds"] for figures in inner),
                 by_name["JagaWeb scan_paths"].median("rss_mb")))
    results: dict[str, Any] = {"machine": machine(), "lines": lines, "bytes": log.stat().st_size,
                               "detection": last["detection"], "tools": {}}
    print(f"\nMedians of {args.rounds} rounds, {lines:,} lines:")
    print(f"  {'':<24} {'wall s':>8} {'lines/s':>12} {'CPU s':>8} {'lines/CPU-s':>12} {'peak RSS':>9}")
    for name, seconds, cpu, rss in rows:
        print(f"  {name:<24} {seconds:8.2f} {lines / seconds:12,.0f} {cpu:8.2f} {lines / max(cpu, 1e-9):12,.0f} "
              f"{rss:6.0f} MB")
        results["tools"][name] = {"seconds": seconds, "cpu_seconds": cpu, "rss_mb": rss,
                                  "lines_per_second": lines / seconds}
    cli = by_name["JagaWeb CLI"].median("seconds") if "JagaWeb CLI" in by_name else float("nan")
    if "GoAccess" in by_name:
        rival = by_name["GoAccess"].median("seconds")
        rival_cpu = by_name["GoAccess"].median("cpu_seconds")
        inside_cpu = results["tools"]["JagaWeb, timed inside"]["cpu_seconds"]
        print(f"\nJagaWeb / GoAccess in lines per second: {rival / inside:.1f}x timed inside the process, "
              f"{rival / cli:.1f}x for the whole CLI command (Python's start included); "
              f"per CPU second: {rival_cpu / inside_cpu:.1f}x")
        results["ratio_to_goaccess"] = {"inside": rival / inside, "cli": rival / cli, "cpu": rival_cpu / inside_cpu}
    floor = by_name["wc -l"].median("seconds")
    print(f"wc -l, the physical floor: {floor:.2f} s ({lines / floor:,.0f} lines/s); JagaWeb takes "
          f"{inside / floor:.0f}x as long inside the process, {cli / floor:.0f}x as the CLI")
    results["ratio_to_wc"] = {"inside": inside / floor, "cli": cli / floor}
    if "JagaWeb stages" in by_name:
        stages = [json.loads(run.output.strip().splitlines()[-1]) for run in by_name["JagaWeb stages"].runs]
        medians = {stage: statistics.median(figures[stage] for figures in stages) for stage in stages[0]}
        print("CPU seconds per stage, one after another in one thread (medians): "
              + ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in medians.items())
              + f"; sum {sum(medians.values()):.2f}")
        results["stages_cpu_seconds"] = medians
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))

if __name__ == "__main__":
    main()
