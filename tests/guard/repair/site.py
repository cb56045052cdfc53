"""A government web root, its backup with the real store, an attack on it, and the helpers the
repair tests compare trees with. The change list is computed here in a minimal way (the integrity
check builds the real one)."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import blake3

from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.manifest import Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.targets.local import LocalTarget
from jagaweb.guard.repair import Change, ChangeKind

SHELL = b"<?php if (isset($_POST['c'])) { system($_POST['c']); } ?>\n"
JUDI = b"<?php /* hacked */ ?><h1>SLOT GACOR MAXWIN hari ini</h1><a href='https://judi.example'>daftar</a>\n"


@dataclass
class Site:
    root: Path
    outside: Path  # a folder next to the root that attacker links point into
    repo_path: Path
    passphrase: str | None
    snapshot_id: str = ""

    def repo(self) -> Repository:
        return Repository.open(LocalTarget(self.repo_path), self.passphrase)

    def manifest(self) -> Manifest:
        return self.repo().load_snapshot(self.snapshot_id)[1]


def write(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)


def build_site(work: Path, passphrase: str | None = None, pages: int = 0, seed: int = 5) -> Site:
    """The web root and an outside folder, backed up; `pages` extra small pages for long repairs."""
    rng = random.Random(seed)
    root, outside = work / "www", work / "outside"
    write(root / "index.php", b"<?php require 'wp-blog-header.php'; ?>\n")
    write(root / ".htaccess", b"RewriteEngine On\nRewriteRule ^index\\.php$ - [L]\n")
    write(root / "wp-config.php", b"<?php define('DB_NAME', 'portal'); ?>\n", 0o640)
    write(root / "readme.html", b"<html><body>Portal Pemerintah Kabupaten</body></html>\n")
    write(root / "cron.php", b"<?php // jadwal ?>\n")
    write(root / "robots.txt", b"User-agent: *\nDisallow: /wp-admin/\n")
    write(root / "big.bin", rng.randbytes(1_500_000) * 2)  # several chunks
    write(root / "wp-content/uploads/2024/photo.jpg", b"\xff\xd8\xff\xe0" + rng.randbytes(200_000))
    write(root / "wp-content/themes/dinas/style.css", b"body { color: #123; }\n")
    write(root / "assets/app.js", b"console.log('portal');\n")
    write(root / "assets/img/logo.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(3000))
    (root / "home").symlink_to("index.php")
    for number in range(pages):
        write(root / f"berita/{number % 10}/halaman-{number}.html", rng.randbytes(rng.randint(200, 2000)))
    write(outside / "rahasia.txt", b"outside the web root\n")
    write(outside / "sub/data.txt", b"also outside\n")
    site = Site(root, outside, work / "repo", passphrase)
    repo = Repository.init(LocalTarget(site.repo_path), passphrase)
    with repo.locked():
        archiver = Archiver(repo)
        archiver.add_tree(root, prefix="webroot")
        site.snapshot_id = archiver.finish("portal").id
    return site


def attack(site: Site, pages: int = 0) -> None:
    """What the issue lists: changed index.php and .htaccess, a webshell in uploads, a doorway folder,
    a deleted file, a chmod, a folder swapped for a link out of the root, link loops; and more."""
    root = site.root
    (root / "index.php").write_bytes(JUDI)
    (root / ".htaccess").write_bytes(b"RewriteEngine On\nRewriteRule ^(.*)$ https://judi.example/$1 [R=302,L]\n")
    with (root / "big.bin").open("r+b") as handle:
        handle.seek(1_000_000)
        handle.write(b"INJECTED" * 1000)
    write(root / "wp-content/uploads/2024/shell.php", SHELL)
    write(root / "slot-gacor/index.html", b"<h1>Slot gacor</h1>\n")
    write(root / "slot-gacor/daftar/togel.html", b"<h1>Togel</h1>\n", 0o600)
    (root / "slot-gacor/kosong").mkdir()
    (root / "folder-kosong").mkdir()
    (root / "readme.html").unlink()
    (root / "cron.php").chmod(0o777)
    os.chown(root / "wp-config.php", 4321, 4321)
    shutil.rmtree(root / "assets")
    (root / "assets").symlink_to(site.outside)
    (root / "loop").symlink_to("loop")
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")
    (root / "up").symlink_to("..")
    (root / "home").unlink()
    (root / "home").symlink_to("/etc/passwd")
    (root / "robots.txt").unlink()
    write(root / "robots.txt/payload.php", SHELL + b"// in a folder named like a file\n")
    os.mkfifo(root / "wp-content/uploads/pipe")
    os.link(site.outside / "rahasia.txt", root / "wp-content/uploads/tautan.txt")
    for number in range(pages):
        page = root / f"berita/{number % 10}/halaman-{number}.html"
        page.write_bytes(JUDI + f"<!-- {number} -->\n".encode())
        write(root / f"berita/{number % 10}/doorway-{number}.php", SHELL + f"// {number}\n".encode())


# ---- looking at trees, never following links ----
def entries(root: Path) -> dict[str, os.stat_result]:
    found = {}
    for folder, dirs, files in os.walk(root):  # followlinks=False: linked folders are listed, not entered
        for name in dirs + files:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.lstat()
    return found


def describe(path: Path, st: os.stat_result) -> tuple:
    owner = (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return ("dir", *owner)
    if stat.S_ISREG(st.st_mode):
        return ("file", path.read_bytes(), *owner)
    return ("other", stat.S_IFMT(st.st_mode), *owner)


def listing(root: Path) -> dict[str, tuple]:
    return {rel: describe(root / rel, st) for rel, st in entries(root).items()}


def snapshot_listing(site: Site, out: Path) -> dict[str, tuple]:
    """The snapshot as a fresh restore of it lays it out."""
    report = Restorer(site.repo(), site.manifest()).restore(out)
    assert report.failed == {}
    return listing(out / "webroot")


def find_changes(root: Path, manifest: Manifest) -> list[Change]:
    snapshot = manifest.subtree("webroot")
    now = entries(root)
    changes = []
    for rel in sorted(set(now) | {entry.path for entry in snapshot}):
        entry, st = snapshot.get(rel), now.get(rel)
        if entry is None:
            changes.append(Change(rel, ChangeKind.ADDED))
            continue
        if st is None:
            changes.append(Change(rel, ChangeKind.DELETED))
            continue
        kind = ("symlink" if stat.S_ISLNK(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode)
                else "file" if stat.S_ISREG(st.st_mode) else "other")
        if kind != entry.kind:
            changes.append(Change(rel, ChangeKind.TYPE))
        elif kind == "symlink":
            if os.readlink(root / rel) != entry.target:
                changes.append(Change(rel, ChangeKind.TARGET))
        elif kind == "file" and blake3.blake3((root / rel).read_bytes()).hexdigest() != entry.hash:
            changes.append(Change(rel, ChangeKind.MODIFIED))
        elif (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) != (entry.mode, entry.uid, entry.gid):
            changes.append(Change(rel, ChangeKind.PERMISSIONS))
    return changes


def outside_state(outside: Path) -> dict[str, tuple]:
    """Contents, modes and mtimes of everything in the outside folder, the folder itself included."""
    state = {"": ("dir", outside.stat().st_mtime_ns, stat.S_IMODE(outside.stat().st_mode))}
    for rel, st in entries(outside).items():
        path = outside / rel
        content = path.read_bytes() if stat.S_ISREG(st.st_mode) else b""
        state[rel] = (content, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    return state


def untrusted(attacked: dict[str, tuple], snapshot: dict[str, tuple]) -> dict[str, tuple]:
    """What the attacked tree has that the snapshot has not exactly: what the quarantine must hold."""
    return {rel: value for rel, value in attacked.items() if snapshot.get(rel) != value}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def b3(data: bytes) -> str:
    return blake3.blake3(data).hexdigest()
