"""Visual check: how long a screenshot takes (desktop and mobile), and how long comparing and rendering take.

    python benchmarks/guard_visual.py [--shots 10] [--timeout 30]

Serves the visual tests' government page (tests/fixtures/guard/visual/portal.html) and a defaced variant
from a local HTTP server on 127.0.0.1, then:

1. `capture()` of one page (Chromium start included), and of `--shots` pages per identity in one call:
   the time per screenshot is (time for N - time for 1) / (N - 1), Chromium's start apart.
2. `compare_images()` of the baseline against the same page, a new date and the defaced page.
3. `side_by_side()` and `thumbnail()`.

Prints wall time and this process's CPU time (Chromium's own CPU is not in it); the machine may be shared.
Needs Chromium at /usr/bin/chromium (or JAGAWEB_CHROMIUM); reads no data set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jagaweb.settings")
os.environ.setdefault("JAGAWEB_DATA_DIR", "/tmp/jagaweb-bench-guard-visual")

import django  # noqa: E402

django.setup()

from jagaweb.guard.choices import Identity  # noqa: E402
from jagaweb.guard.visual import (  # noqa: E402
    BrowserUnavailable,
    ShotRequest,
    capture,
    compare_images,
    side_by_side,
    thumbnail,
)

FIXTURES = ROOT / "tests" / "fixtures" / "guard" / "visual"


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0], b"not found")
            self.send_response(200 if self.path.split("?")[0] in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed(work: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=10, help="screenshots per identity in the timed call")
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    shots = max(args.shots, 2)
    portal = (FIXTURES / "portal.html").read_text()
    pages = {
        "/": portal.encode(),
        "/tanggal": portal.replace("Senin, 3 Maret 2025", "Selasa, 4 Maret 2025").encode(),
        "/defaced": (FIXTURES / "defaced.html").read_bytes(),
    }
    server = serve(pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    folder = Path(tempfile.mkdtemp(prefix="jagaweb-bench-visual-"))
    print(f"capture: {base}/ (portal.html, {len(pages['/']) // 1024} KiB), {shots} shots per identity, "
          f"{os.cpu_count()} CPUs")
    try:
        for identity in (Identity.NORMAL, Identity.MOBILE):
            one, _cpu, first = timed(lambda identity=identity: capture(
                [ShotRequest(f"{base}/", identity)], folder / f"one-{identity}", allow_private=True,
                timeout=args.timeout))
            many, cpu, taken = timed(lambda identity=identity: capture(
                [ShotRequest(f"{base}/", identity)] * shots, folder / f"many-{identity}", allow_private=True,
                timeout=args.timeout))
            failed = [shot.error for shot in [*first, *taken] if not shot.ok]
            if failed:
                print(f"  {identity}: {len(failed)} shots failed: {failed[0]}")
                return 1
            size = f"{taken[0].width}x{taken[0].height}"
            print(f"  {identity:<7} {size:>10}: 1 shot {one:5.2f} s (Chromium start included); {shots} shots "
                  f"{many:5.2f} s -> {(many - one) / (shots - 1):.2f} s per screenshot "
                  f"(this process's CPU {cpu / shots * 1000:.0f} ms per shot)")
    except BrowserUnavailable as exc:
        print(f"Chromium is not available: {exc}")
        return 1
    desktop = capture([ShotRequest(f"{base}{path}") for path in pages], folder / "pairs", allow_private=True)
    mobile = capture([ShotRequest(f"{base}{path}", Identity.MOBILE) for path in pages], folder / "pairs-mobile",
                     allow_private=True)
    print("compare_images (median of 5):")
    for label, taken in (("desktop", desktop), ("mobile", mobile)):
        baseline = taken[0].path
        assert baseline is not None
        for name, shot in zip(("same", "new date", "defaced"), (taken[0], taken[1], taken[2]), strict=True):
            assert shot.path is not None
            runs = [timed(lambda shot=shot, baseline=baseline: compare_images(baseline, shot.path)) for _ in range(5)]
            diff = runs[0][2]
            print(f"  {label:<7} {name:<9} {statistics.median(r[0] for r in runs) * 1000:6.0f} ms   "
                  f"ratio {diff.ratio:.4f}  hash distance {diff.hash_distance:2d}  changed {diff.changed}  "
                  f"boxes {len(diff.boxes)}")
    assert desktop[0].path is not None and desktop[2].path is not None
    diff = compare_images(desktop[0].path, desktop[2].path)
    wall, _cpu, _out = timed(lambda: side_by_side(desktop[0].path, desktop[2].path, diff, folder / "sbs.png"))
    print(f"side_by_side (desktop, defaced): {wall * 1000:.0f} ms")
    wall, _cpu, _out = timed(lambda: thumbnail(desktop[0].path, folder / "thumb.png", 320))
    print(f"thumbnail (320 px): {wall * 1000:.0f} ms")
    print(f"files in {folder}")
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
