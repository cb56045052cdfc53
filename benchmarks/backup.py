"""JagaWeb's snapshot store against restic, side by side, on a real web tree plus a database dump.

    python benchmarks/backup.py [--workdir /tmp/jagaweb-bench-backup] [--rounds 3] [--sql-mb 150]
                                [--tools plain,encrypted,restic] [--quiet-wait 120] [--nice 0]

Data (cached in the work dir): the MediaWiki tree of Debian's `mediawiki` package (~23k files) and a
generated MariaDB-style dump of an Indonesian news site (~150 MB), placed as a file in the tree.
For each tool (JagaWeb unencrypted, JagaWeb encrypted, restic, which always encrypts) and each round,
with a fresh repository and an empty local cache (restic's and JagaWeb's, each kept through the round):
first backup, backup with nothing changed, backup after one PHP file and one row of the dump changed,
full restore into an empty folder, repository size. JagaWeb's backup does what a site's backup does in
jagaweb/backup/pipeline.py (the web root with its default excludes, the newest snapshot of the site as
parent, retention afterwards), without Django. Every operation runs in its own process; its wall time
and peak RSS (wait4) are taken. The page cache is dropped before every timed operation when the kernel
allows it. Rounds alternate the order of the tools; medians are shown.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clean_python import clean_python

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "kata sandi benchmark"
TREE_MARKER = ".jagaweb-bench-ready"
DUMP_PATH = "var/backups/mariadb/berita.sql"
PHP_PATH = "usr/share/mediawiki/includes/Setup.php"
OPS = ("first backup", "unchanged backup", "backup after one change", "full restore")
TARGETS = {  # JagaWeb (encrypted) / restic
    "first backup": 1.0, "unchanged backup": 0.5, "backup after one change": 0.5, "full restore": 1.0,
    "repository size": 1.05,
}
MEMORY_LIMIT_MB = 500.0


# ---- data ----
def ensure_restic() -> str:
    found = shutil.which("restic")
    if found:
        return found
    print("restic is missing: installing the Debian package")
    if subprocess.run(["apt-get", "install", "-y", "restic"], check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(["apt-get", "install", "-y", "restic"], check=True)
    return shutil.which("restic") or sys.exit("restic could not be installed")


def prepare_tree(workdir: Path, sql_mb: int) -> Path:
    tree = workdir / "tree"
    if (tree / TREE_MARKER).exists():
        return tree
    debs = sorted(workdir.glob("mediawiki_*.deb"))
    if not debs:
        print("downloading the Debian mediawiki package")
        done = subprocess.run(["apt-get", "download", "mediawiki"], cwd=workdir, check=False)
        debs = sorted(workdir.glob("mediawiki_*.deb"))
        if done.returncode != 0 or not debs:
            sys.exit("`apt-get download mediawiki` failed (is `apt-get update` done and the mirror reachable?): "
                     "the benchmark needs that tree and stops here")
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(tree)], check=True)
    dump = tree / DUMP_PATH
    dump.parent.mkdir(parents=True, exist_ok=True)
    print(f"generating a {sql_mb} MB SQL dump")
    write_dump(dump, sql_mb * 1_000_000)
    (tree / TREE_MARKER).write_text("ready\n")
    return tree


VOCABULARY = (
    "pemerintah kabupaten kota provinsi daerah dinas badan kantor bupati wali gubernur camat lurah desa warga "
    "masyarakat pelayanan publik program kegiatan anggaran pembangunan jalan jembatan sekolah rumah sakit "
    "puskesmas kesehatan pendidikan pertanian perikanan pariwisata budaya ekonomi usaha kecil menengah pasar "
    "harga beras cabai bawang minyak goreng banjir longsor gempa bencana bantuan sosial penyaluran data "
    "penduduk kependudukan pencatatan sipil perizinan investasi lingkungan hidup sampah air bersih listrik "
    "internet digital aplikasi layanan daring informasi berita terkini hari ini kemarin tahun bulan minggu "
    "yang dan di ke dari untuk dengan pada dalam oleh akan telah sudah belum masih juga tidak ada adalah "
    "bahwa karena sehingga agar serta atau namun tetapi setelah sebelum saat selama menurut kepada tentang "
    "meresmikan menyerahkan mengunjungi meninjau menggelar melaksanakan menyampaikan mengatakan menjelaskan "
    "meminta mengajak mendorong meningkatkan memperkuat mempercepat menyiapkan membangun memperbaiki "
    "rapat koordinasi sosialisasi pelatihan lomba festival upacara peringatan hari jadi kemerdekaan "
    "sekretaris daerah kepala dinas anggota dewan perwakilan rakyat aparatur sipil negara kepolisian "
    "tentara nasional indonesia relawan tokoh agama pemuda perempuan anak lansia disabilitas petani nelayan "
    "pedagang guru siswa mahasiswa dokter bidan perawat inspektorat kecamatan kelurahan rukun tetangga"
)
WORDS = VOCABULARY.split()
TOWNS = "Sleman Bantul Gunungkidul Kulon Progo Magelang Klaten Boyolali Sragen Wonogiri Purworejo Kebumen"
PLACES = TOWNS.split()
COLUMNS = "`id`, `judul`, `slug`, `ringkasan`, `isi`, `kategori_id`, `penulis_id`, `tanggal`, `status`, `dilihat`"


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 22))
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), rng.choice(PLACES))
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def post_row(rng: random.Random, number: int) -> str:
    title = " ".join(rng.choices(WORDS, k=rng.randint(5, 11))).title() + f" di {rng.choice(PLACES)}"
    slug = title.lower().replace(" ", "-")[:120]
    paragraphs = ["<p>" + " ".join(sentence(rng) for _ in range(rng.randint(2, 6))) + "</p>"
                  for _ in range(rng.randint(3, 9))]
    body = "\\n".join(paragraphs).replace("'", "\\'")
    day = f"20{rng.randint(15, 26)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"
    when = f"{day} {rng.randint(0, 23):02}:{rng.randint(0, 59):02}:{rng.randint(0, 59):02}"
    return (f"({number},'{title}','{slug}','{sentence(rng)}','{body}',{rng.randint(1, 24)},{rng.randint(1, 60)},"
            f"'{when}','{rng.choice(('terbit', 'terbit', 'terbit', 'draf'))}',{rng.randint(0, 250_000)})")


def dump_header() -> str:
    return (
        "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)\n--\n"
        "-- Host: localhost    Database: portal_berita\n"
        "-- ------------------------------------------------------\n-- Server version\t10.11.6-MariaDB-0+deb12u1\n\n"
        "/*!40101 SET NAMES utf8mb4 */;\n/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n\n"
        "DROP TABLE IF EXISTS `berita`;\nCREATE TABLE `berita` (\n  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,\n"
        "  `judul` varchar(255) NOT NULL,\n  `slug` varchar(191) NOT NULL,\n  `ringkasan` text DEFAULT NULL,\n"
        "  `isi` longtext NOT NULL,\n  `kategori_id` int(10) unsigned NOT NULL,\n"
        "  `penulis_id` int(10) unsigned NOT NULL,\n"
        "  `tanggal` datetime NOT NULL,\n  `status` enum('terbit','draf') NOT NULL DEFAULT 'draf',\n"
        "  `dilihat` int(10) unsigned NOT NULL DEFAULT 0,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `slug` (`slug`)\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n\n"
        "LOCK TABLES `berita` WRITE;\n/*!40000 ALTER TABLE `berita` DISABLE KEYS */;\n"
    )


def write_dump(path: Path, size: int, seed: int = 20261121) -> None:
    """Extended INSERT statements of ~1 MB each, as mysqldump writes them, until `size` bytes."""
    rng = random.Random(seed)
    number = 0
    with open(path, "w", encoding="utf-8") as out:
        written = out.write(dump_header())
        while written < size:
            rows: list[str] = []
            line_size = 0
            while line_size < 1_000_000:
                number += 1
                rows.append(post_row(rng, number))
                line_size += len(rows[-1]) + 1
            written += out.write(f"INSERT INTO `berita` ({COLUMNS}) VALUES " + ",".join(rows) + ";\n")
        out.write("/*!40000 ALTER TABLE `berita` ENABLE KEYS */;\nUNLOCK TABLES;\n-- Dump completed\n")


# ---- the one change of step (c), undone afterwards so every tool sees the same tree ----
def change_tree(tree: Path, workdir: Path) -> None:
    dump, php = tree / DUMP_PATH, tree / PHP_PATH
    offset = dump.stat().st_size // 2
    with open(dump, "r+b") as handle:
        handle.seek(offset)
        old = handle.read(16)
        handle.seek(offset)
        handle.write(old.swapcase())  # a few bytes of one row
    undo = {"offset": offset, "old": old.hex(), "php_size": php.stat().st_size}
    (workdir / "undo.json").write_text(json.dumps(undo))
    with open(php, "ab") as handle:
        handle.write(b"// diubah oleh benchmark\n")


def undo_change(tree: Path, workdir: Path) -> None:
    marker = workdir / "undo.json"
    if not marker.exists():
        return
    undo = json.loads(marker.read_text())
    with open(tree / DUMP_PATH, "r+b") as handle:
        handle.seek(undo["offset"])
        handle.write(bytes.fromhex(undo["old"]))
    os.truncate(tree / PHP_PATH, undo["php_size"])
    marker.unlink()


# ---- measuring ----
@dataclass
class Measurement:
    seconds: float  # the whole process, as a person running it would wait
    rss_mb: float
    busy: float  # share of the CPUs other processes used just before it started
    work_seconds: float | None = None  # JagaWeb only: the operation itself, without starting Python
    others: float = 0.0  # share of the CPUs other processes used while it ran


def drop_caches() -> bool:
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # all, idle + iowait


def cpu_busy(interval: float = 1.0) -> float:
    total, idle = cpu_times()
    time.sleep(interval)
    total2, idle2 = cpu_times()
    return 1 - (idle2 - idle) / max(1, total2 - total)


def wait_for_quiet(limit: float, threshold: float = 0.15) -> float:
    """Wait (up to `limit` seconds) until other processes leave the CPUs alone; the last share seen."""
    deadline = time.monotonic() + limit
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy


def run_measured(command: list[str], env: dict[str, str], cold: bool, quiet_wait: float, nice: int = 0) -> Measurement:
    """Wall time and peak RSS of one process (wait4 gives that child's own rusage); `nice` changes its
    priority (negative: ahead of other sessions' processes, the same for both tools)."""
    if cold:
        drop_caches()
    busy = wait_for_quiet(quiet_wait)
    before = cpu_times()
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               preexec_fn=(lambda: os.nice(nice)) if nice else None)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    after = cpu_times()
    used = ((after[0] - after[1]) - (before[0] - before[1])) / os.sysconf("SC_CLK_TCK")
    others = max(0.0, used - usage.ru_utime - usage.ru_stime) / ((os.cpu_count() or 1) * seconds)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    lines = output.decode().strip().splitlines()
    work = json.loads(lines[-1]).get("work_seconds") if lines and lines[-1].startswith("{") else None
    return Measurement(seconds, usage.ru_maxrss / 1024, busy, work, others)


def du_bytes(path: Path) -> int:
    out = subprocess.run(["du", "-s", "--block-size=1", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


# ---- the tools ----
@dataclass
class Tool:
    name: str
    env: dict[str, str]
    init: Callable[[Path], list[str]]
    backup: Callable[[Path, Path], list[str]]
    restore: Callable[[Path, Path], list[str]]
    restored_root: Callable[[Path, Path], Path]  # (restore folder, source) -> the source's copy in it
    results: dict[str, list[Measurement]] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)


# What the store imports besides the standard library (pyproject.toml has them too).
STORE_PACKAGES = ("blake3", "zstandard", "pyfastcdc", "cryptography")


def jagaweb_tool(name: str, encrypted: bool, cache: Path, python: str) -> Tool:
    # A script of its own, so that a timed process imports what a JagaWeb command would, not this harness.
    worker = [python, str(Path(__file__).resolve().with_name("backup_worker.py"))]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAGAWEB_BENCH_PASSPHRASE": PASSPHRASE if encrypted else "",
           "JAGAWEB_BACKUP_CACHE_DIR": str(cache)}
    return Tool(
        name, env,
        init=lambda repo: [*worker, "init", str(repo)],
        backup=lambda repo, source: [*worker, "backup", str(repo), str(source)],
        restore=lambda repo, dest: [*worker, "restore", str(repo), str(dest)],
        restored_root=lambda dest, source: dest / "webroot",
    )


def folder_reader(python: str) -> str:
    """Which folder reader the timed processes use: the walk is a third of an unchanged backup."""
    probe = subprocess.run([python, "-c", "from jagaweb.backup.store import walk; print(walk.native is not None)"],
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    if probe.returncode != 0:
        return f"JagaWeb's store cannot be imported with {python}: {probe.stderr.strip()[-300:]}"
    if probe.stdout.strip() == "True":
        return "folders are read by the compiled reader (jagaweb.backup.store._native)"
    return ("folders are read by os.listdir and os.stat: jagaweb.backup.store._native is not built "
            "(`pip install -e .` with a C compiler builds it)")


def compile_jagaweb(python: str) -> None:
    """Byte-compile the package as an installation would have it: this machine may set
    PYTHONDONTWRITEBYTECODE, which would make every JagaWeb process compile its modules again."""
    package = ROOT / "jagaweb"
    subprocess.run([python, "-m", "compileall", "-q", str(package / "__init__.py"), str(package / "backup")],
                   check=True)


def restic_tool(restic: str, cache: Path) -> Tool:
    env = {**os.environ, "RESTIC_PASSWORD": PASSPHRASE, "RESTIC_CACHE_DIR": str(cache)}
    return Tool(
        "restic", env,
        init=lambda repo: [restic, "-q", "-r", str(repo), "init"],
        backup=lambda repo, source: [restic, "-q", "-r", str(repo), "backup", "--host", "bench", str(source)],
        restore=lambda repo, dest: [restic, "-q", "-r", str(repo), "restore", "latest", "--target", str(dest)],
        restored_root=lambda dest, source: dest / str(source).lstrip("/"),
    )


def identical(a: Path, b: Path) -> bool:
    return subprocess.run(["diff", "-r", "--no-dereference", "-q", str(a), str(b)], check=False).returncode == 0


def run_tool(tool: Tool, tree: Path, scratch: Path, workdir: Path, cold: bool, quiet_wait: float, nice: int) -> None:
    undo_change(tree, workdir)
    repo, dest = scratch / "repo", scratch / "restored"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    subprocess.run(tool.init(repo), env=tool.env, check=True, stdout=subprocess.DEVNULL)
    steps: list[tuple[str, list[str]]] = [
        ("first backup", tool.backup(repo, tree)), ("unchanged backup", tool.backup(repo, tree)),
        ("backup after one change", tool.backup(repo, tree)), ("full restore", tool.restore(repo, dest)),
    ]
    for op, command in steps:
        if op == "backup after one change":
            change_tree(tree, workdir)
        measured = run_measured(command, tool.env, cold, quiet_wait, nice)
        tool.results.setdefault(op, []).append(measured)
        work = f" (work {measured.work_seconds:.2f} s)" if measured.work_seconds is not None else ""
        print(f"  {tool.name:18} {op:24} {measured.seconds:7.2f} s{work:18} {measured.rss_mb:5.0f} MB"
              f"  other processes: {measured.busy:4.0%} before, {measured.others:4.0%} during", flush=True)
    tool.sizes.append(du_bytes(repo))
    if tool.name.startswith("JagaWeb") and not identical(tree, tool.restored_root(dest, tree)):
        raise SystemExit(f"{tool.name}: the restored tree differs from the source")
    undo_change(tree, workdir)
    shutil.rmtree(scratch, ignore_errors=True)


def rotations(tools: list[Tool], rounds: int) -> Iterator[list[Tool]]:
    for number in range(rounds):
        shift = number % len(tools)
        yield tools[shift:] + tools[:shift]


# ---- the table ----
def median_seconds(tool: Tool, op: str) -> float:
    return statistics.median(m.seconds for m in tool.results[op])


def peak_mb(tool: Tool) -> float:
    return max(m.rss_mb for ms in tool.results.values() for m in ms)


def table(tools: list[Tool]) -> str:
    """Every chosen tool's medians, and JagaWeb encrypted against restic (both encrypt)."""
    sealed = next(t for t in tools if t.name == "JagaWeb encrypted")
    restic = next(t for t in tools if t.name == "restic")
    head = (f"| measure | {' | '.join(t.name for t in tools)} | encrypted / restic | target | result |\n"
            f"|---|{'---:|' * len(tools)}---:|---:|---|\n")
    lines = []
    for op in OPS:
        values = " | ".join(f"{median_seconds(t, op):.2f}" for t in tools)
        ratio = median_seconds(sealed, op) / median_seconds(restic, op)
        verdict = "pass" if ratio <= TARGETS[op] else "FAIL"
        lines.append(f"| {op} (s) | {values} | {ratio:.2f} | <= {TARGETS[op]} | {verdict} |")

    def size(tool: Tool) -> float:
        return statistics.median(tool.sizes) / 2**20

    ratio = size(sealed) / size(restic)
    verdict = "pass" if ratio <= TARGETS["repository size"] else "FAIL"
    values = " | ".join(f"{size(t):.1f}" for t in tools)
    lines.append(f"| repository size (MiB) | {values} | {ratio:.3f} | <= {TARGETS['repository size']} | {verdict} |")
    ours = max(peak_mb(t) for t in tools if t is not restic)
    verdict = "pass" if ours < MEMORY_LIMIT_MB else "FAIL"
    values = " | ".join(f"{peak_mb(t):.0f}" for t in tools)
    lines.append(f"| peak memory, RSS (MB) | {values} | {peak_mb(sealed) / peak_mb(restic):.2f} | "
                 f"JagaWeb < {MEMORY_LIMIT_MB:.0f} MB | {verdict} |")
    return head + "\n".join(lines)


def work_table(tools: list[Tool]) -> str:
    """JagaWeb's operations without starting Python and importing (paid once by a long-lived worker)."""
    lines = ["JagaWeb, median seconds without interpreter start-up and imports:"]
    for tool in tools:
        if tool.name.startswith("JagaWeb"):
            cells = ", ".join(
                f"{op}: {statistics.median(m.work_seconds or 0.0 for m in tool.results[op]):.2f}" for op in OPS)
            lines.append(f"  {tool.name}: {cells}")
    return "\n".join(lines)


def per_op_memory(tools: list[Tool]) -> str:
    lines = ["peak RSS per operation (MB, max over rounds):"]
    for tool in tools:
        cells = ", ".join(f"{op}: {max(m.rss_mb for m in tool.results[op]):.0f}" for op in OPS)
        lines.append(f"  {tool.name}: {cells}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "jagaweb-bench-backup")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sql-mb", type=int, default=150)
    parser.add_argument("--tools", default="plain,encrypted,restic", help="a subset, for quick runs")
    parser.add_argument("--nice", type=int, default=0,
                        help="niceness of every timed process, both tools alike (e.g. -10 on a shared machine)")
    parser.add_argument("--this-python", action="store_true",
                        help="run JagaWeb with this interpreter and its site-packages instead of a clean venv")
    parser.add_argument("--quiet-wait", type=float, default=120.0,
                        help="seconds to wait at most, before each timed operation, for other processes to quieten")
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    restic = ensure_restic()
    tree = prepare_tree(options.workdir, options.sql_mb)
    undo_change(tree, options.workdir)
    python = sys.executable if options.this_python else clean_python(options.workdir / "venv", STORE_PACKAGES)
    print(f"JagaWeb runs with {python}")
    print(folder_reader(python))
    compile_jagaweb(python)
    cold = drop_caches()
    print("page cache dropped before every timed operation" if cold else
          "page cache cannot be dropped here: both tools run warm, after a warm-up read")
    if not cold:
        subprocess.run(["tar", "-cf", "/dev/null", "-C", str(tree), "."], check=True)
    if options.nice:
        print(f"every timed process runs at niceness {options.nice}")
    version = subprocess.run([restic, "version"], capture_output=True, text=True, check=True).stdout.strip()
    files = sum(len(f) for _, _, f in os.walk(tree))
    print(f"{version}; {files} files, {du_bytes(tree) / 2**20:.0f} MiB in {tree}")
    tools = {
        "plain": jagaweb_tool("JagaWeb plain", encrypted=False, cache=options.workdir / "jagaweb-cache", python=python),
        "encrypted": jagaweb_tool("JagaWeb encrypted", encrypted=True, cache=options.workdir / "jagaweb-cache",
                                  python=python),
        "restic": restic_tool(restic, options.workdir / "restic-cache"),
    }
    unknown = [name for name in options.tools.split(",") if name not in tools]
    if unknown:
        raise SystemExit(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(tools)}")
    chosen = [tools[name] for name in options.tools.split(",")]
    for number, order in enumerate(rotations(chosen, options.rounds), start=1):
        print(f"round {number}")
        for tool in order:
            # Each tool starts with an empty local cache and keeps it through its round.
            shutil.rmtree(options.workdir / "restic-cache", ignore_errors=True)
            shutil.rmtree(options.workdir / "jagaweb-cache", ignore_errors=True)
            run_tool(tool, tree, options.workdir / "scratch", options.workdir, cold, options.quiet_wait, options.nice)
    if {"encrypted", "restic"} <= set(options.tools.split(",")):
        print(table(chosen))
    for tool in chosen:
        sizes = ", ".join(f"{s / 2**20:.1f}" for s in tool.sizes)
        print(f"{tool.name}: repository MiB per round: {sizes}")
    print(work_table(chosen))
    print(per_op_memory(chosen))
    loaded = sum(max(m.busy, m.others) > 0.25 for t in chosen for ms in t.results.values() for m in ms)
    if loaded:
        print(f"{loaded} operations ran while other processes used more than a quarter of the CPUs")


if __name__ == "__main__":
    main()
