"""Database guard: rows per second on a generated WordPress database, and the synthetic injection found.

    python benchmarks/guard_database.py [--posts 20000] [--repeat 2] [--data ../shared/data/guard]

Needs the MariaDB server on 127.0.0.1:3306 (root, no password). Creates a throwaway database (dropped at the
end) from the test fixture's WordPress schema, adds `--posts` generated posts of a regency office (news and
announcements of 1-8 KB with links, images, tables and embeds; 1 in 100 a gambling spam post, 1 in 200 a
clean post with hidden gambling links appended), then times `scan_database` (all tables; the posts are most
of the rows). CPU is this process's time: the database server's share is in the wall time only.

When `<data>/synthetic/db_injection.sql` exists it is applied too, and the script says whether its spam post
and header script were found (it says so and goes on when the folder is missing).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jagaweb.settings")
os.environ.setdefault("JAGAWEB_DATA_DIR", "/tmp/jagaweb-bench-guard")

import django  # noqa: E402

django.setup()

import pymysql  # noqa: E402
from django.utils import translation  # noqa: E402
from pymysql.constants import CLIENT  # noqa: E402

from jagaweb.guard.database import DbLogin, scan_database  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "guard" / "database" / "wordpress.sql"
HOST = "127.0.0.1"
_TEXT = (
    "pelayanan publik informasi kabupaten dinas kegiatan program masyarakat pemerintah daerah pembangunan "
    "kesehatan pendidikan anggaran laporan kinerja rapat koordinasi bupati sekretariat bidang sosialisasi "
    "peraturan pengumuman berita agenda desa kecamatan warga bantuan data statistik layanan pengaduan inovasi "
    "digital aplikasi jaringan pelatihan aparatur sipil negara tahun realisasi target capaian penyusunan dokumen "
    "rencana strategis evaluasi monitoring pembinaan kerja sama kunjungan posyandu puskesmas jembatan irigasi"
)
WORDS = _TEXT.split(" ")
SPAM = ('<p>Situs slot gacor hari ini, rtp live tertinggi, bonus new member 100.</p>'
        '<p><a href="https://gacor{n}.invalid/daftar">daftar slot gacor</a></p>')
HIDDEN = ('<div style="display:none"><a href="https://slot{n}.invalid/">slot gacor maxwin</a> '
          '<a href="https://togel{n}.invalid/">bandar togel online</a></div>')


def admin(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(host=HOST, user="root", password="", database=database, charset="utf8mb4",
                           autocommit=True, client_flag=CLIENT.MULTI_STATEMENTS)


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(40, 120))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        at = rng.randrange(len(words))
        words[at] = f'<a href="/{rng.choice(WORDS)}/{rng.choice(WORDS)}-{rng.randint(1, 999)}/">{words[at]}</a>'
    return "<p>" + " ".join(words) + ".</p>"


def post(rng: random.Random, number: int) -> tuple[str, str, str, str]:
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).title()
    parts = ["<!-- wp:paragraph -->" + paragraph(rng) + "<!-- /wp:paragraph -->" for _ in range(rng.randint(2, 12))]
    if rng.random() < 0.3:
        parts.insert(1, f'<figure><img src="/wp-content/uploads/2024/0{rng.randint(1, 9)}/foto-{number}.jpg" '
                        f'alt="{title}"></figure>')
    if rng.random() < 0.1:
        rows = "".join(f"<tr><td>{rng.choice(WORDS)}</td><td>{rng.randint(1, 9999)}</td></tr>" for _ in range(8))
        parts.append(f"<table>{rows}</table>")
    if rng.random() < 0.05:
        parts.append('<iframe src="https://www.youtube.com/embed/abcdefghijk"></iframe>')
    slug = title.lower().replace(" ", "-")
    if number % 100 == 0:
        title, slug, parts = "Slot Gacor Maxwin Hari Ini", f"slot-gacor-maxwin-{number}", [SPAM.format(n=number)]
    elif number % 200 == 50:
        parts.append(HIDDEN.format(n=number))
    return "".join(parts), title, slug, "publish" if rng.random() < 0.95 else "draft"


def fill(database: str, posts: int) -> int:
    rng = random.Random(5)
    with admin(database) as conn, conn.cursor() as cursor:
        cursor.execute(FIXTURE.read_text(encoding="utf-8").replace("{{prefix}}", "wp_"))
        while cursor.nextset():
            pass
        size = 0
        for start in range(1000, 1000 + posts, 1000):
            rows = []
            for number in range(start, min(start + 1000, 1000 + posts)):
                content, title, slug, status = post(rng, number)
                size += len(content)
                rows.append((number, content, title, status, slug))
            cursor.executemany("INSERT INTO wp_posts (ID, post_content, post_title, post_status, post_name, "
                               "post_type) VALUES (%s, %s, %s, %s, %s, 'post')", rows)
    return size


def synthetic(database: str, data: Path) -> None:
    path = data / "synthetic" / "db_injection.sql"
    if not path.exists():
        print(f"[synthetic] {path} is missing: the shared injection sample was not checked")
        return
    with admin(database) as conn, conn.cursor() as cursor:
        cursor.execute("UPDATE wp_options SET option_value = '' WHERE option_name = 'ihaf_insert_header'")
        cursor.execute(path.read_text(encoding="utf-8"))
        while cursor.nextset():
            pass
    report = scan_database(DbLogin(engine="mysql", database=database, host=HOST), "wordpress",
                           site_host="diskominfo.contohkab.go.id", limit=50)
    found = {f.locator: f for f in report.findings}
    for locator in ("wp_posts ID=90001 post_content", "wp_options option_name=ihaf_insert_header"):
        finding = found.get(locator)
        print(f"[synthetic] {locator}: " + (f"{finding.verdict} / {finding.severity} ({', '.join(finding.codes)})"
                                           if finding else "NOT FOUND"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "guard")
    args = parser.parse_args()
    translation.activate("en")
    database = f"jagaweb_bench_guarddb_{uuid.uuid4().hex[:10]}"
    try:
        with admin() as conn, conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    except pymysql.MySQLError as error:
        sys.exit(f"MariaDB on {HOST}:3306 is needed (root, no password): {error}")
    try:
        started = time.monotonic()
        size = fill(database, args.posts)
        print(f"generated {args.posts} posts ({size / args.posts / 1024:.1f} KB of content on average) "
              f"in {time.monotonic() - started:.1f} s")
        login = DbLogin(engine="mysql", database=database, host=HOST)
        for run in range(1, args.repeat + 1):
            wall, cpu = time.perf_counter(), time.process_time()
            report = scan_database(login, "wordpress", site_host="diskominfo.contohkab.go.id")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            judol = sum(1 for f in report.findings if f.table == "wp_posts" and f.verdict == "judol")
            print(f"run {run}: {report.rows} rows ({report.scanned['wp_posts']} posts) in {wall:.2f} s wall, "
                  f"{cpu:.2f} s CPU: {report.rows / wall:,.0f} rows/s wall, {report.rows / cpu:,.0f} rows/s CPU; "
                  f"{len(report.findings)} findings ({judol} gambling posts), {len(report.errors)} errors")
        synthetic(database, args.data)
    finally:
        with admin() as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")


if __name__ == "__main__":
    main()
