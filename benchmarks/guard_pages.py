"""Page guard: verdicts on the synthetic injection fixtures, and how long page analysis takes.

    python benchmarks/guard_pages.py [--data ../shared/data/guard] [--pages 300] [--repeat 3]

1. Runs the page analyser (and the sitemap analyser for sitemaps) over every file in
   `<data>/synthetic/`, and prints each verdict next to the expectation of that folder's README table.
   Files that only the file guard can judge (.htaccess, PHP, SQL dumps) are listed as such.
2. Times `analyse_page` (parse + all detectors + summary; no fetch) over a few hundred pages: the
   project's test fixtures, the demo sites' pages, and generated real-sized government pages (a
   WordPress-like portal of 30-200 KB: menus, news list, sidebar widgets, inline CSS and scripts),
   some with an injection. Prints the median and 95th percentile per page size class.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jagaweb.settings")
os.environ.setdefault("JAGAWEB_DATA_DIR", "/tmp/jagaweb-bench-guard")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from jagaweb.guard.page import analyse_page, analyse_sitemap  # noqa: E402

# What the README's "expected detection" column means for the page analyser.
EXPECTED = {
    "landing_slot.html": "judol",
    "footer_hidden_links.html": "judol",
    "defaced_index.html": "defaced",
    "google0123456789abcdef.html": "suspicious",
    "sitemap_injected.xml": "judol",
}
FILE_GUARD = ("wp_htaccess_clean", "wp_htaccess_injected", "index_cloak.php.txt", "db_injection.sql")

WORDS = [
    "pelayanan", "publik", "informasi", "kabupaten", "dinas", "kegiatan", "program", "masyarakat", "pemerintah",
    "daerah", "pembangunan", "kesehatan", "pendidikan", "anggaran", "laporan", "kinerja", "rapat", "koordinasi",
    "bupati", "sekretariat", "bidang", "sosialisasi", "peraturan", "pengumuman", "berita", "agenda", "desa",
    "kecamatan", "warga", "bantuan", "data", "statistik", "layanan", "online", "pengaduan", "inovasi", "digital",
    "aplikasi", "jaringan", "internet", "pelatihan", "aparatur", "sipil", "negara", "tahun", "realisasi", "target",
    "capaian", "penyusunan", "dokumen", "rencana", "strategis", "evaluasi", "monitoring", "pembinaan", "kerja", "sama",
    "kunjungan",
]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def government_page(rng: random.Random, news_items: int, injected: str = "") -> str:
    """A WordPress-shaped portal page of a regency office."""
    menu = "".join(
        f'<li class="menu-item menu-item-has-children"><a href="/{w}/">{w.title()}</a><ul class="sub-menu">'
        + "".join(f'<li class="menu-item"><a href="/{w}/{v}/">{v.title()} {w}</a></li>'
                  for v in rng.sample(WORDS, 6))
        + "</ul></li>" for w in rng.sample(WORDS, 9))
    news = "".join(
        f'<article class="post type-post status-publish"><h3 class="entry-title"><a href="/berita/{i}-'
        f'{rng.choice(WORDS)}-{rng.choice(WORDS)}/">{sentence(rng, 8)}</a></h3><div class="entry-meta">'
        f'<time datetime="2024-05-{i % 28 + 1:02d}">{i % 28 + 1} Mei 2024</time> oleh Admin</div>'
        f'<div class="entry-summary"><p>{" ".join(sentence(rng, 14) for _ in range(3))}</p></div>'
        f'<a class="more-link" href="/berita/{i}/">Selengkapnya<span class="screen-reader-text"> {sentence(rng, 5)}'
        f'</span></a></article>' for i in range(news_items))
    links = "".join(f'<li><a href="https://{w}.contoh.go.id/" target="_blank">{w.title()}</a></li>'
                    for w in rng.sample(WORDS, 12))
    css = "".join(f".wp-block-{w}-{i}{{margin:0 0 {i}px;padding:{i % 7}px;color:#{i * 7919 % 0xFFFFFF:06x}}}"
                  for i, w in enumerate(rng.choices(WORDS, k=350)))
    script = "".join(f"var wp_{w}_{i}={{\"url\":\"/wp-json/{w}/{i}\",\"nonce\":\"{rng.getrandbits(40):x}\"}};"
                     for i, w in enumerate(rng.choices(WORDS, k=120)))
    return f"""<!DOCTYPE html><html lang="id-ID"><head><meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{sentence(rng, 4)} &#8211; Dinas Contoh</title>
<meta name="description" content="{sentence(rng, 20)}"><meta property="og:title" content="{sentence(rng, 5)}">
<link rel="canonical" href="https://dinas.contoh.go.id/">
<link rel="stylesheet" href="/wp-content/themes/portal/style.css?ver=6.5">
<style id="global-styles-inline-css">{css}.screen-reader-text{{border:0;clip:rect(1px,1px,1px,1px);height:1px;
margin:-1px;overflow:hidden;padding:0;position:absolute!important;width:1px}}.sub-menu{{display:none}}</style>
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script><script>{script}</script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXX"></script></head>
<body class="home blog"><a class="skip-link screen-reader-text" href="#content">Langsung ke konten</a>
<header class="site-header"><div class="site-branding"><a href="/" rel="home">Dinas Contoh Kabupaten Contoh</a></div>
<nav class="main-navigation"><ul id="primary-menu" class="menu">{menu}</ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">{news}
<nav class="pagination"><a href="/page/2/">2</a><a href="/page/3/">3</a><a href="/page/2/">Berikutnya</a></nav></main>
<aside class="widget-area"><section class="widget"><h2 class="widget-title">Agenda</h2><ul>
{"".join(f"<li>{sentence(rng, 6)}</li>" for _ in range(8))}</ul></section><section class="widget">
<h2 class="widget-title">Tautan</h2><ul>{links}</ul></section><section class="widget"><ul class="social">
<li><a href="https://www.facebook.com/dinascontoh">Facebook</a></li><li><a href="https://instagram.com/dinascontoh">
Instagram</a></li><li><a href="https://www.youtube.com/@dinascontoh">YouTube</a></li></ul></section></aside></div>
<footer class="site-footer"><p>{sentence(rng, 12)}</p><p>Jl. {rng.choice(WORDS).title()} No. {rng.randint(1, 99)},
Telp. (0123) 456789</p>{injected}<p>&copy; 2024 Dinas Contoh</p></footer>
<script src="/wp-content/themes/portal/js/navigation.js?ver=1.0"></script></body></html>"""


INJECTIONS = (
    "",
    '<div style="display:none"><a href="https://slot-gacor.example.invalid/">slot gacor</a> '
    '<a href="https://toto.example.invalid/">situs toto</a></div>',
    '<p style="position:absolute;left:-9999px"><a href="https://rtp.example.invalid/">rtp live hari ini</a></p>',
)


def fixtures() -> list[tuple[str, bytes]]:
    pages = []
    for folder in (ROOT / "tests" / "fixtures" / "guard" / "pages", ROOT / "jagaweb" / "demo" / "content"):
        pages += [(str(path.relative_to(ROOT)), path.read_bytes()) for path in sorted(folder.rglob("*.html"))]
    return pages


def synthetic(data: Path) -> int:
    folder = data / "synthetic"
    if not folder.is_dir():
        print(f"!! {folder} is missing: the synthetic fixtures cannot be checked (see ../shared/README.md)")
        return 0
    readme = (folder / "README.md").read_text(encoding="utf-8") if (folder / "README.md").exists() else ""
    rows = dict(re.findall(r"^\|\s*`([^`]+)`\s*\|[^|]*\|\s*([^|]+?)\s*\|$", readme, re.MULTILINE))
    print(f"{'file':<30} {'README expects':<48} {'verdict':<11} {'score':>5}  ok")
    misses = 0
    for path in sorted(folder.iterdir()):
        if path.name == "README.md":
            continue
        said = rows.get(path.name, "(not in the README table)")[:47]
        if path.name in FILE_GUARD or path.name not in EXPECTED:
            print(f"{path.name:<30} {said:<48} {'-':<11} {'':>5}  file guard (jagaweb guard scan-files)")
            continue
        data_bytes = path.read_bytes()
        verdict = analyse_sitemap(data_bytes) if path.suffix == ".xml" else analyse_page(data_bytes, filename=path.name)
        ok = verdict.verdict == EXPECTED[path.name]
        misses += not ok
        codes = ", ".join(reason.code for reason in verdict.reasons[:4])
        print(f"{path.name:<30} {said:<48} {verdict.verdict:<11} {verdict.score:>5}  {'yes' if ok else 'NO'}  {codes}")
    return misses


def percentiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.95))], values[-1]


def timing(pages: int, repeat: int) -> None:
    rng = random.Random(20240501)
    corpus = fixtures()
    while len(corpus) < pages:
        index = len(corpus)
        items = rng.randint(8, 40) if index % 10 else rng.randint(90, 160)  # one page in ten is a long one
        html = government_page(rng, items, INJECTIONS[index % len(INJECTIONS)])
        corpus.append((f"generated-{index}", html.encode()))
    analyse_page(corpus[0][1])  # first use builds the vocabulary and the normalisation table
    # CPU time of this thread (what the analysis costs, whatever else the machine runs) and wall time.
    classes: dict[str, tuple[list[float], list[float]]] = {
        "< 20 KB": ([], []), "20-100 KB": ([], []), ">= 100 KB": ([], []), "all": ([], [])}
    for _ in range(repeat):
        for name, data in corpus:
            wall, cpu = time.perf_counter(), time.thread_time()
            analyse_page(data, url="https://dinas.contoh.go.id/" if name.startswith("generated") else "")
            cpu_ms, wall_ms = (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
            size = len(data)
            key = "< 20 KB" if size < 20_000 else ("20-100 KB" if size < 100_000 else ">= 100 KB")
            for bucket in (key, "all"):
                classes[bucket][0].append(cpu_ms)
                classes[bucket][1].append(wall_ms)
    sizes = sorted(len(data) for _, data in corpus)
    print(f"\n{len(corpus)} pages x {repeat} rounds; sizes {sizes[0]} B .. {sizes[-1]} B, "
          f"median {statistics.median(sizes) / 1024:.0f} KiB; load average {os.getloadavg()[0]:.1f}")
    print(f"{'pages':<12} {'n':>5} {'CPU median':>11} {'CPU p95':>8} {'wall median':>12} {'wall p95':>9}"
          f" {'wall max':>9}")
    for key, (cpu_values, wall_values) in classes.items():
        if cpu_values:
            cpu_median, cpu_p95, _ = percentiles(cpu_values)
            wall_median, wall_p95, wall_max = percentiles(wall_values)
            print(f"{key:<12} {len(cpu_values):>5} {cpu_median:>9.2f}ms {cpu_p95:>6.2f}ms {wall_median:>10.2f}ms "
                  f"{wall_p95:>7.2f}ms {wall_max:>7.2f}ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "guard")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    translation.activate("en")
    misses = synthetic(args.data)
    timing(args.pages, args.repeat)
    return 1 if misses else 0


if __name__ == "__main__":
    raise SystemExit(main())
