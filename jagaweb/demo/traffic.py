"""Light, made-up visitor traffic to the demo sites, so their access logs grow as a real site's do.

    python -m jagaweb.demo.traffic --state DATA_DIR/demo/demo.json [--interval 3] [--max-requests 2000]

Requests go to 127.0.0.1 only, one every few seconds, and stop after --max-requests (the process
then idles until it is stopped, so the supervisor does not take its end for a crash). These are
simulated visitors of local demo servers, not JagaWeb's own outbound I/O, hence plain http.client
rather than jagaweb.net (which refuses loopback addresses by design).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

LOOPBACK = "127.0.0.1"
MIN_INTERVAL = 0.5
PAGE_SUFFIXES = (".html", ".xml", ".css", ".txt")

AGENTS = (
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "FeedFetcher/1.0 (RSS reader)",
)
SEARCH_REFERERS = ("https://www.google.com/", "https://www.google.co.id/", "https://www.bing.com/")
# Paths browsers and crawlers ask for that the sample sites do not have: ordinary 404s, not attacks.
MISSING = ("/favicon.ico", "/apple-touch-icon.png", "/berita/arsip-2019.html")


@dataclass(frozen=True)
class Target:
    port: int
    paths: tuple[str, ...]


def site_paths(web_root: Path) -> tuple[str, ...]:
    paths = []
    for path in sorted(web_root.rglob("*")):
        if path.is_file() and path.suffix in PAGE_SUFFIXES:
            relative = path.relative_to(web_root).as_posix()
            paths.append("/" + relative.removesuffix("index.html"))
    return tuple(paths)


def load_targets(state_path: Path) -> list[Target]:
    state = json.loads(state_path.read_text(encoding="utf-8"))
    return [Target(int(site["port"]), site_paths(Path(site["web_root"]))) for site in state["sites"]]


def pick_request(targets: list[Target], rng: random.Random) -> tuple[Target, str, str | None]:
    target = rng.choice(targets)
    roll = rng.random()
    if roll < 0.05 or not target.paths:
        path = rng.choice(MISSING)
    elif roll < 0.35:
        path = "/"
    else:
        path = rng.choice(target.paths)
    referer: str | None = None
    if rng.random() < 0.3:
        referer = rng.choice(SEARCH_REFERERS)
    elif path != "/" and rng.random() < 0.5:
        referer = f"http://{LOOPBACK}:{target.port}/"
    return target, path, referer


def visit(port: int, path: str, agent: str, referer: str | None) -> int | None:
    headers = {"User-Agent": agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    if referer:
        headers["Referer"] = referer
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None  # a stopped site is part of the demo
    finally:
        connection.close()


def run(targets: list[Target], interval: float, max_requests: int, rng: random.Random) -> None:
    for _ in range(max_requests):
        target, path, referer = pick_request(targets, rng)
        visit(target.port, path, rng.choice(AGENTS), referer)
        time.sleep(rng.uniform(interval / 2, interval * 1.5))


def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jagaweb.demo.traffic", description="Demo visitors.")
    parser.add_argument("--state", type=Path, required=True, help="The demo's demo.json.")
    parser.add_argument("--interval", type=float, default=3.0, help="Mean seconds between requests.")
    parser.add_argument("--max-requests", type=int, default=2000)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        run(load_targets(args.state), max(args.interval, MIN_INTERVAL), args.max_requests, random.Random())
        while True:  # done: idle until stopped
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
