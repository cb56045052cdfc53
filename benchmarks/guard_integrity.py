"""The guard's file integrity rescan against `aide --check`, side by side on one 20,000-file tree.

    python benchmarks/guard_integrity.py [--workdir /tmp/jagaweb-bench-integrity] [--files 20000]
                                         [--rounds 5] [--aide /usr/bin/aide] [--aide-workers N] [--reuse]

The script builds a deterministic web root shaped like a PHP CMS (core, plugins, themes, uploads by
month; 1-50 KiB per file; the bytes come from a pool of PHP-like text, each file with a header of its
own), backs it up with JagaWeb's store into a repository in the work dir (plain, local metadata cache on,
as a site's daily backup leaves it), and initialises an aide database of the same tree with a
configuration written in the work dir: permissions, inode, owner, group, size, mtime, ctime and one
content hash (sha256), the same facts JagaWeb compares; aide's own `num_workers` is the number of cores.

Timed, side by side in each round (alternating which goes first; the page cache is warmed for both by
one untimed run of each before the rounds, and the tree fits in memory many times over):
- `aide --check` as a process, start to exit;
- JagaWeb's rescan with its state file, in this process: opening the repository and loading the snapshot
  (from the local cache) included (the headline figure), and without them (the manifest held, as a
  long-running guard would);
- JagaWeb's first comparison against the snapshot, without a state file;
- JagaWeb's rescan as a process of its own (start, imports, repository, snapshot, comparison, exit);
- for reference, `aide --check` of metadata only (no content hash: the work of a rescan that trusts
  unchanged metadata; aide has no mode that hashes only files whose metadata changed).
Medians over the rounds of wall time and of CPU time (this process and its children: steadier on a
shared machine) and the ratios to aide are printed. Nothing here reads ../shared/data.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jagaweb.backup.sources.webroot import WebRootSource  # noqa: E402
from jagaweb.backup.store.archiver import Archiver  # noqa: E402
from jagaweb.backup.store.repository import Repository  # noqa: E402
from jagaweb.backup.targets.local import LocalTarget  # noqa: E402
from jagaweb.guard.integrity import IntegrityState, compare_with_snapshot  # noqa: E402

SEED = 20261121
PHP_WORDS = (
    "<?php", "function", "return", "$this->", "array(", ");", "if (", "} else {", "foreach (", "as $key =>",
    "$value", "echo", "esc_html(", "__(", "'portal'", "apply_filters(", "add_action(", "isset(", "null",
    "true", "false", "class", "public", "static", "private", "new", "WP_Query(", "get_option(", "$post",
    "$wpdb->prepare(", "SELECT * FROM", "WHERE id = %d", "/**", " * @param", " */", "\n", "\n\t", "\n\t\t",
)


# ---- the tree ----
def text_pool(rng: random.Random, size: int) -> bytes:
    words = [rng.choice(PHP_WORDS) for _ in range(size // 6)]
    return (" ".join(words).encode() * 2)[:size]


def tree_layout(files: int, rng: random.Random) -> list[str]:
    """Relative paths of `files` files, spread like WordPress: core, plugins, themes, uploads."""
    folders = ["", "wp-admin", "wp-admin/includes", "wp-admin/css", "wp-admin/js", "wp-includes",
               "wp-includes/js", "wp-includes/blocks", "wp-includes/css"]
    for plugin in range(40):
        folders += [f"wp-content/plugins/plugin-{plugin:02d}/{sub}" for sub in ("", "includes", "assets", "lang")]
    for theme in range(6):
        folders += [f"wp-content/themes/tema-{theme}/{sub}" for sub in ("", "template-parts", "assets/css")]
    for year in range(2018, 2027):
        folders += [f"wp-content/uploads/{year}/{month:02d}" for month in range(1, 13)]
    suffixes = (".php", ".php", ".php", ".js", ".css", ".json", ".txt", ".jpg", ".png", ".mo")
    paths = []
    for number in range(files):
        folder = folders[rng.randrange(len(folders))]
        name = f"berkas-{number:05d}{rng.choice(suffixes)}"
        paths.append(f"{folder}/{name}".lstrip("/"))
    return paths


def build_tree(tree: Path, files: int) -> int:
    rng = random.Random(SEED)
    pool = text_pool(rng, 1024 * 1024)
    total = 0
    if tree.exists():
        shutil.rmtree(tree)
    for rel in tree_layout(files, rng):
        path = tree / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        size = rng.randint(1024, 50 * 1024)
        start = rng.randrange(len(pool) - size)
        header = f"<?php /* {rel} */ ?>\n".encode()
        path.write_bytes((header + pool[start:start + size])[:size])
        total += size
    return total


def backup(tree: Path, repo_path: Path) -> str:
    if repo_path.exists():
        shutil.rmtree(repo_path)
    repo = Repository.init(LocalTarget(repo_path), cache=repo_path.parent / "cache")
    with repo.locked():
        archiver = Archiver(repo)
        WebRootSource(tree).add_to(archiver)
        return archiver.finish("bench").id


# ---- aide ----
def aide_config(workdir: Path, tree: Path, workers: int, name: str, attributes: str) -> Path:
    config = workdir / f"{name}.conf"
    config.write_text(
        f"database_in=file:{workdir / name}.db\n"
        f"database_out=file:{workdir / name}.db.new\n"
        "gzip_dbout=no\n"
        f"num_workers={workers}\n"
        "report_url=stdout\n"
        f"JagaWebFacts = {attributes}\n"
        f"{re.escape(str(tree))} JagaWebFacts\n"
    )
    return config


def aide_init(binary: str, config: Path) -> float:
    elapsed = aide(binary, config, "--init")
    os.replace(config.with_suffix(".db.new"), config.with_suffix(".db"))
    return elapsed


def aide(binary: str, config: Path, action: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([binary, f"--config={config}", action], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if (action == "--init" and done.returncode != 0) or (action == "--check" and done.returncode not in (0,)):
        sys.exit(f"aide {action} failed ({done.returncode}): {done.stdout[-800:]}{done.stderr[-800:]}")
    return elapsed


# ---- JagaWeb ----
def open_snapshot(repo_path: Path, snapshot: str) -> Repository:
    return Repository.open(LocalTarget(repo_path), cache=repo_path.parent / "cache")


def jagaweb_rescan(repo_path: Path, snapshot: str, tree: Path, state: Path | None, load: bool,
                   held: list[object]) -> int:
    if load or not held:
        _, manifest = open_snapshot(repo_path, snapshot).load_snapshot(snapshot)
        held[:] = [manifest]
    report = compare_with_snapshot(tree, held[0], state=IntegrityState(state) if state is not None else None,
                                   snapshot_id=snapshot)  # type: ignore[arg-type]
    if not report.clean:
        sys.exit(f"the tree should be unchanged, but: {report.changes[:5]}")
    return report.files_hashed


def jagaweb_process(repo_path: Path, snapshot: str, tree: Path, state: Path) -> None:
    subprocess.run([sys.executable, __file__, "--one", str(repo_path), snapshot, str(tree), str(state)], check=True)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and of the children it waited for). The machine is
    shared: CPU time is the steadier figure, wall time the one users feel."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    return time.perf_counter() - wall, time.process_time() - cpu + child_cpu


def one_rescan(repo_path: str, snapshot: str, tree: str, state: str) -> None:
    _, manifest = open_snapshot(Path(repo_path), snapshot).load_snapshot(snapshot)
    report = compare_with_snapshot(Path(tree), manifest, state=IntegrityState(state), snapshot_id=snapshot)
    if not report.clean:
        sys.exit("the tree should be unchanged")


# ---- report ----
def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    return f"{cpu}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"


def tool_versions(binary: str) -> str:
    import blake3

    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    first = (version.stdout or version.stderr).splitlines()[:1]
    return f"{first[0] if first else 'aide ?'}; blake3 {blake3.__version__}"


def filesystem(path: Path) -> str:
    done = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    return lines[1].split()[1] if len(lines) > 1 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jagaweb-bench-integrity"))
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--aide", default="/usr/bin/aide")
    parser.add_argument("--aide-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reuse", action="store_true", help="keep the tree, repository and aide database of "
                        "an earlier run with the same --files")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_rescan(*args.one)
        return
    if not Path(args.aide).exists():
        sys.exit(f"{args.aide} is missing: apt-get install aide")

    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    tree, repo_path, state = workdir / "tree", workdir / "repo", workdir / "integrity.state"
    ready = workdir / f"ready-{args.files}"
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"machine: {machine()}; {filesystem(workdir)} at {workdir}")
    print(f"tools: {tool_versions(args.aide)}")
    config = aide_config(workdir, tree, args.aide_workers, "aide", "p+i+u+g+s+m+c+sha256")
    # Side information: aide comparing metadata only, the work a rescan that trusts unchanged metadata does.
    metadata_config = aide_config(workdir, tree, args.aide_workers, "aide-metadata", "p+i+u+g+s+m+c")
    if args.reuse and ready.exists():
        snapshot = ready.read_text().strip()
        print(f"reusing the tree, repository ({snapshot}) and aide databases in {workdir}")
        for wanted in (config, metadata_config):
            if not wanted.with_suffix(".db").exists():
                aide_init(args.aide, wanted)
    else:
        ready.unlink(missing_ok=True)
        started = time.perf_counter()
        size = build_tree(tree, args.files)
        print(f"tree: {args.files} files, {size / 2**20:.0f} MiB, built in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        snapshot = backup(tree, repo_path)
        print(f"JagaWeb backup {snapshot}: {time.perf_counter() - started:.1f} s")
        print(f"aide --init: {aide_init(args.aide, config):.1f} s")
        aide_init(args.aide, metadata_config)
        ready.write_text(snapshot)
    state.unlink(missing_ok=True)

    held: list[object] = []
    aide_name, aide_metadata, loaded = "aide --check", "aide --check, metadata only", "JagaWeb rescan, state"
    measures: dict[str, Callable[[], object]] = {
        aide_name: lambda: aide(args.aide, config, "--check"),
        loaded: lambda: jagaweb_rescan(repo_path, snapshot, tree, state, True, held),
        "JagaWeb rescan, state, manifest held": lambda: jagaweb_rescan(repo_path, snapshot, tree, state, False, held),
        "JagaWeb first comparison, no state": lambda: jagaweb_rescan(repo_path, snapshot, tree, None, True, held),
        "JagaWeb rescan, state, own process": lambda: jagaweb_process(repo_path, snapshot, tree, state),
        aide_metadata: lambda: aide(args.aide, metadata_config, "--check"),
    }
    print("warming the page cache: one untimed run of each")
    for measure in measures.values():
        measure()
    hashed = jagaweb_rescan(repo_path, snapshot, tree, state, False, held)
    print(f"files hashed by a rescan of the unchanged tree: {hashed}")
    walls: dict[str, list[float]] = {name: [] for name in measures}
    cpus: dict[str, list[float]] = {name: [] for name in measures}
    for number in range(args.rounds):
        order = list(measures) if number % 2 == 0 else list(reversed(measures))
        for name in order:
            wall, cpu = timed(measures[name])
            walls[name].append(wall)
            cpus[name].append(cpu)
        print(f"round {number + 1}: " + ", ".join(f"{name} {walls[name][-1]:.3f} s" for name in measures))
    wall_aide, cpu_aide = statistics.median(walls[aide_name]), statistics.median(cpus[aide_name])
    print(f"\nmedians of {args.rounds} rounds (warm page cache; aide num_workers={args.aide_workers}; aide hashes "
          "with sha256 unless metadata only); ratio = aide --check / this")
    print(f"  {'':40s} {'wall s':>8s} {'min':>7s} {'max':>7s} {'CPU s':>7s} {'wall ratio':>10s} {'CPU ratio':>9s}")
    for name in measures:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"  {name:40s} {wall:8.3f} {min(walls[name]):7.3f} {max(walls[name]):7.3f} {cpu:7.3f} "
              f"{wall_aide / wall:9.1f}x {cpu_aide / cpu:8.1f}x")
    like = statistics.median(walls[aide_metadata]) / statistics.median(walls[loaded])
    print(f"  like for like (aide metadata only / JagaWeb rescan with state): {like:.1f}x wall")
    headline = wall_aide / statistics.median(walls[loaded])
    print(f"\ntarget: an unchanged rescan (with state, snapshot loaded) >= 5x faster than aide --check: "
          f"{headline:.1f}x -> {'pass' if headline >= 5 else 'NOT MET'}")

if __name__ == "__main__":
    main()
