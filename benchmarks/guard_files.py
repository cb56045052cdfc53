"""The file guard's first scan (no baseline): recall on PHP malware, false alarms on clean CMS code, speed.

    python benchmarks/guard_files.py [--workdir /tmp/jagaweb-bench-guard-files] [--cms wordpress,mediawiki]
                                     [--pmf-rules DIR/php.yar] [--rounds 3] [--json out.json]

- Recall: every file of the php-malware-finder sample set in ../shared/data/guard/webshell-samples-pmf/
  (copied under its real name, without the .txt suffix) must be flagged (severity low or worse). When
  `--pmf-rules` names php-malware-finder's YARA rules (its php.yar; yara-python needed), the same files are
  matched with them, side by side. The rules are not shipped with JagaWeb nor in Debian or PyPI: without
  them only JagaWeb's recall is printed.
- False alarms: the Debian package of each CMS (`apt-get download`, `dpkg-deb -x`) is scanned as a web root;
  every flagged file counts, and the rate is over its PHP files (target for WordPress: at most 0.1%).
- Synthetic injections: ../shared/data/guard/synthetic/ placed in a web root under the names they imitate;
  each must get its expected verdict (the clean .htaccess none).
- Speed: the WordPress tree scanned `--rounds` times in this process (page cache warm after the first):
  files/s and MB/s of bytes read, wall and CPU time (the machine is shared: CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "guard"
PHP_EXTENSIONS = {"php", "php3", "php4", "php5", "php7", "php8", "pht", "phtml", "phar", "inc", "module"}

# synthetic fixture -> (path in the web root, expected verdict)
SYNTHETIC = {
    "wp_htaccess_clean": ("clean-site/.htaccess", "clean"),
    "wp_htaccess_injected": (".htaccess", "judol"),
    "index_cloak.php.txt": ("index.php", "judol"),
    "landing_slot.html": ("wp-content/uploads/slot-gacor/index.html", "judol"),
    "footer_hidden_links.html": ("wp-content/themes/portal/footer.html", "judol"),
    "google0123456789abcdef.html": ("google0123456789abcdef.html", "suspicious"),
    "sitemap_injected.xml": ("sitemap.xml", "judol"),
    "defaced_index.html": ("index.html", "defaced"),
    "db_injection.sql": ("backup/db.sql", "judol"),
}


def setup_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)
    django.setup()


# ---- data ----
def copy_samples(source: Path, target: Path) -> list[str]:
    if target.exists():
        shutil.rmtree(target)
    names = []
    for path in sorted(source.rglob("*.php.txt")):
        rel = path.relative_to(source).as_posix().removesuffix(".txt")
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        names.append(rel)
    return names


def build_synthetic(source: Path, target: Path) -> dict[str, str]:
    if target.exists():
        shutil.rmtree(target)
    expected = {}
    for name, (rel, verdict) in SYNTHETIC.items():
        if not (source / name).exists():
            print(f"  synthetic fixture missing: {name}")
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target / rel)
        expected[rel] = verdict
    return expected


def cms_tree(workdir: Path, package: str) -> Path | None:
    tree = workdir / f"cms-{package}"
    marker = workdir / f"cms-{package}.ready"
    if marker.exists():
        return tree
    debs = sorted(workdir.glob(f"{package}_*.deb"))
    if not debs:
        done = subprocess.run(
            ["apt-get", "download", package], cwd=workdir, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            print(f"  could not download the Debian package {package}: {done.stderr.strip()[:200]}")
            return None
        debs = sorted(workdir.glob(f"{package}_*.deb"))
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir()
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(tree)], check=True)
    marker.write_text(debs[-1].name)
    return tree


def php_files(tree: Path) -> list[str]:
    found = []
    for dirpath, _dirs, files in os.walk(tree):
        for name in files:
            path = Path(dirpath) / name
            if name.rsplit(".", 1)[-1].lower() in PHP_EXTENSIONS and not path.is_symlink():
                found.append(path.relative_to(tree).as_posix())
    return found


# ---- php-malware-finder's rules, when given ----
def pmf_matcher(rules: Path | None) -> Any:
    if rules is None:
        return None
    try:
        import yara  # type: ignore[import-not-found]
    except ImportError:
        print("  yara-python is not installed (pip install yara-python): no php-malware-finder comparison")
        return None
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "jagaweb-pmf-rules"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(rules, folder / "php.yar")
    whitelist = rules.parent / "whitelist.yar"
    if whitelist.exists():
        shutil.copyfile(whitelist, folder / "whitelist.yar")
    else:  # pmf's hash whitelists of CMS releases are not used: the comparison is rules against rules
        (folder / "whitelist.yar").write_text("private rule IsWhitelisted\n{\n    condition:\n        false\n}\n")
    return yara.compile(filepath=str(folder / "php.yar"))


def pmf_flags(matcher: Any, path: Path) -> list[str]:
    try:
        return [match.rule for match in matcher.match(str(path), timeout=60)]
    except Exception as error:  # a rule error on one file is a miss, not a crash of the benchmark
        return [f"error: {error}"]


# ---- measurements ----
@dataclass
class Results:
    machine: str = ""
    recall: dict[str, Any] = field(default_factory=dict)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    synthetic: dict[str, Any] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)
    speed: dict[str, Any] = field(default_factory=dict)


def measure_recall(workdir: Path, samples: Path, matcher: Any) -> dict[str, Any]:
    from jagaweb.guard.files import scan_directory

    if not samples.is_dir():
        print(f"\nRecall: the sample folder {samples} is missing: not measured")
        return {"missing": str(samples)}
    target = workdir / "samples"
    names = copy_samples(samples, target)
    report = scan_directory(target)
    flagged = {finding.path: finding for finding in report.files}
    rows = []
    for name in names:
        finding = flagged.get(name)
        pmf = pmf_flags(matcher, target / name) if matcher is not None else None
        rows.append({
            "file": name,
            "jagaweb": f"{finding.severity}/{finding.verdict}" if finding else "-",
            "jagaweb_rules": list(finding.rules[:3]) if finding else [],
            "pmf": (",".join(pmf) or "-") if pmf is not None else None,
        })  # fmt: skip
    ours = sum(1 for row in rows if row["jagaweb"] != "-")
    theirs = sum(1 for row in rows if row["pmf"] not in (None, "-")) if matcher is not None else None
    print(f"\nRecall on {len(rows)} php-malware-finder samples ({samples})")
    print("| sample | JagaWeb | php-malware-finder |\n|---|---|---|")
    for row in rows:
        print(f"| {row['file']} | {row['jagaweb']} ({', '.join(row['jagaweb_rules'])}) | {row['pmf'] or 'n/a'} |")
    print(f"JagaWeb: {ours}/{len(rows)} = {ours / len(rows):.1%}", end="")
    print(f"; php-malware-finder: {theirs}/{len(rows)} = {theirs / len(rows):.1%}" if theirs is not None else "")
    return {"samples": len(rows), "jagaweb": ours, "pmf": theirs, "rows": rows}


def measure_false_alarms(workdir: Path, packages: list[str], matcher: Any) -> list[dict[str, Any]]:
    from jagaweb.guard.files import scan_directory

    results = []
    for package in packages:
        tree = cms_tree(workdir, package)
        if tree is None:
            results.append({"package": package, "missing": True})
            continue
        version = urllib.parse.unquote((workdir / f"cms-{package}.ready").read_text().split("_")[1])
        php = php_files(tree)
        report = scan_directory(tree)
        flagged = report.files
        flagged_php = [f for f in flagged if f.path.rsplit(".", 1)[-1].lower() in PHP_EXTENSIONS]
        row: dict[str, Any] = {
            "package": package, "version": version, "files": report.scanned, "php_files": len(php),
            "flagged": len(flagged), "flagged_php": len(flagged_php), "rate": len(flagged_php) / max(1, len(php)),
            "examples": [f"{f.path}: {f.reasons[0]}" for f in flagged[:5]],
        }  # fmt: skip
        if matcher is not None:
            row["pmf_flagged_php"] = sum(1 for rel in php if pmf_flags(matcher, tree / rel))
        results.append(row)
        print(f"\nFalse alarms, Debian {package} {version}: {len(flagged_php)} of {len(php)} PHP files "
              f"({row['rate']:.3%}), {len(flagged)} of {report.scanned} files in all")  # fmt: skip
        for example in row["examples"]:
            print(f"  {example}")
        if "pmf_flagged_php" in row:
            print(f"  php-malware-finder's rules (no whitelist): {row['pmf_flagged_php']} PHP files "
                  f"({row['pmf_flagged_php'] / max(1, len(php)):.1%})")  # fmt: skip
    return results


def measure_synthetic(workdir: Path, source: Path) -> dict[str, Any]:
    from jagaweb.guard.files import scan_directory

    if not source.is_dir():
        print(f"\nSynthetic fixtures: {source} is missing: not measured")
        return {"missing": str(source)}
    target = workdir / "synthetic"
    expected = build_synthetic(source, target)
    found = {finding.path: finding for finding in scan_directory(target).files}
    rows = []
    for rel, verdict in expected.items():
        got = str(found[rel].verdict) if rel in found else "clean"
        rows.append({"path": rel, "expected": verdict, "got": got, "ok": got == verdict,
                     "severity": str(found[rel].severity) if rel in found else ""})  # fmt: skip
    print("\nSynthetic injections\n| web-root path | expected | JagaWeb | |\n|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['path']} | {row['expected']} | {row['got']} {row['severity']} | {'ok' if row['ok'] else 'WRONG'} |"
        )
    passed = sum(row["ok"] for row in rows)
    print(f"{passed}/{len(rows)} with the expected verdict")
    return {"passed": passed, "total": len(rows), "rows": rows}


def measure_own_fixtures(workdir: Path, matcher: Any) -> dict[str, Any]:
    """JagaWeb's test fixtures (tests/fixtures/guard/files): written together with the rules, so not an
    independent measure of JagaWeb; shown for what php-malware-finder's rules do with the judi-online attacks."""
    from jagaweb.guard.files import scan_directory
    from tests.guard.files_tree import build_tree, expectations

    target = workdir / "own-fixtures"
    if target.exists():
        shutil.rmtree(target)
    build_tree(target)
    found = {finding.path for finding in scan_directory(target).files}
    attacks = [row for row in expectations() if row.verdict != "clean"]
    clean = [row for row in expectations() if row.verdict == "clean"]
    result: dict[str, Any] = {
        "attacks": len(attacks),
        "clean": len(clean),
        "jagaweb_attacks": sum(row.path in found for row in attacks),
        "jagaweb_clean": sum(row.path in found for row in clean),
    }
    line = (
        f"\nOwn fixtures (written with the rules): JagaWeb flags {result['jagaweb_attacks']}/{len(attacks)} attacks, "
        f"{result['jagaweb_clean']}/{len(clean)} clean look-alikes"
    )
    if matcher is not None:
        result["pmf_attacks"] = sum(bool(pmf_flags(matcher, target / row.path)) for row in attacks)
        result["pmf_clean"] = sum(bool(pmf_flags(matcher, target / row.path)) for row in clean)
        missed = [row.path for row in attacks if not pmf_flags(matcher, target / row.path)]
        result["pmf_missed"] = missed
        line += (
            f"; php-malware-finder's rules {result['pmf_attacks']}/{len(attacks)} attacks, "
            f"{result['pmf_clean']}/{len(clean)} clean; missed: {', '.join(missed)}"
        )
    print(line)
    return result


def measure_speed(tree: Path | None, rounds: int, matcher: Any) -> dict[str, Any]:
    from jagaweb.guard.files import scan_directory

    if tree is None:
        return {}
    runs = []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        report = scan_directory(tree)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu, report.scanned, report.bytes_read))
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    files, read = runs[0][2], runs[0][3]
    size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
    result: dict[str, Any] = {
        "files": files, "bytes_read": read, "tree_bytes": size, "wall_s": wall, "cpu_s": cpu,
        "first_wall_s": runs[0][0], "files_per_s": files / wall, "mb_per_s": read / wall / 1e6,
        "files_per_cpu_s": files / cpu, "mb_per_cpu_s": read / cpu / 1e6,
    }  # fmt: skip
    print(f"\nSpeed on {tree.name}: {files} files, {read / 1e6:.1f} MB read of {size / 1e6:.1f} MB; "
          f"median of {rounds}: "
          f"{wall:.2f} s wall ({result['files_per_s']:.0f} files/s, {result['mb_per_s']:.1f} MB/s), "
          f"{cpu:.2f} s CPU ({result['files_per_cpu_s']:.0f} files/s, {result['mb_per_cpu_s']:.1f} MB/s); "
          f"first run {runs[0][0]:.2f} s")  # fmt: skip
    if matcher is not None:
        php = php_files(tree)
        started = time.perf_counter()
        for rel in php:
            pmf_flags(matcher, tree / rel)
        took = time.perf_counter() - started
        result["pmf_php_files"] = len(php)
        result["pmf_wall_s"] = took
        print(f"  php-malware-finder's rules through yara-python on its {len(php)} PHP files: {took:.2f} s")
    return result


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration), open("/proc/cpuinfo") as info:
        cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jagaweb-bench-guard-files"))
    parser.add_argument("--samples", type=Path, default=SHARED / "webshell-samples-pmf")
    parser.add_argument("--synthetic", type=Path, default=SHARED / "synthetic")
    parser.add_argument(
        "--cms", default="wordpress", help="Debian packages to scan as clean web roots, comma-separated"
    )
    parser.add_argument("--pmf-rules", type=Path, default=os.environ.get("JAGAWEB_PMF_RULES") or None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    setup_django()
    results = Results(machine=machine())
    print(f"Machine: {results.machine}")
    if args.pmf_rules is None:
        print("php-malware-finder's rules were not given (--pmf-rules): JagaWeb's recall only")
    matcher = pmf_matcher(args.pmf_rules)
    packages = [p.strip() for p in args.cms.split(",") if p.strip()]
    results.recall = measure_recall(args.workdir, args.samples, matcher)
    results.false_alarms = measure_false_alarms(args.workdir, packages, matcher)
    results.synthetic = measure_synthetic(args.workdir, args.synthetic)
    results.own = measure_own_fixtures(args.workdir, matcher)
    speed_tree = args.workdir / f"cms-{packages[0]}" if packages else None
    results.speed = measure_speed(speed_tree if speed_tree and speed_tree.exists() else None, args.rounds, matcher)
    if args.json:
        args.json.write_text(json.dumps(results.__dict__, indent=2, default=str))


if __name__ == "__main__":
    main()
