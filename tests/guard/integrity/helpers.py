"""A small web root, backed up with the real store, for the integrity tests."""

from __future__ import annotations

import io
import os
from pathlib import Path

from jagaweb.backup.sources.webroot import WebRootSource
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.manifest import Manifest
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.targets.local import LocalTarget

BIG = 5 * 1024 * 1024  # above hashing.WHOLE: read a block at a time


def make_site(root: Path) -> Path:
    (root / "wp-content/themes/tema").mkdir(parents=True)
    (root / "wp-content/uploads/2026/01").mkdir(parents=True)
    (root / "wp-content/cache").mkdir(parents=True)
    (root / "kosong").mkdir()
    (root / "index.php").write_text("<?php require 'wp-blog-header.php'; ?>\n")
    (root / ".htaccess").write_text("RewriteEngine On\n")
    (root / "wp-config.php").write_text("<?php define('DB_NAME', 'portal'); ?>\n")
    os.chmod(root / "wp-config.php", 0o640)
    (root / "wp-content/themes/tema/style.css").write_text("body { color: #123; }\n")
    (root / "wp-content/uploads/2026/01/foto.jpg").write_bytes(bytes(range(256)) * 40)
    (root / "wp-content/cache/halaman.html").write_text("<html>cache</html>\n")  # excluded by default
    (root / "video.bin").write_bytes(os.urandom(1024) * (BIG // 1024))
    (root / "kosong.txt").write_bytes(b"")
    (root / "tautan").symlink_to("index.php")
    return root


def take_snapshot(root: Path, repo_path: Path, passphrase: str | None = None, *, cache: bool | Path = False,
                  excludes: list[str] | None = None, extra_stream: bool = False) -> tuple[str, Manifest]:
    """Back the web root up under webroot/ (and a database dump beside it), then load the snapshot from a
    freshly opened repository, as the guard would."""
    repo = Repository.open_or_init(LocalTarget(repo_path), passphrase, cache=cache)
    with repo.locked():
        archiver = Archiver(repo)
        WebRootSource(root, excludes).add_to(archiver)
        if extra_stream:
            archiver.add_stream("database/mysql-portal.sql", io.BytesIO(b"CREATE TABLE wp_posts (id int);\n"))
        snapshot = archiver.finish("portal").id
    _, manifest = Repository.open(LocalTarget(repo_path), passphrase, cache=cache).load_snapshot(snapshot)
    return snapshot, manifest


def changes(report: object) -> set[tuple[str, str]]:
    return {(change.path, str(change.kind)) for change in report.changes}  # type: ignore[attr-defined]
