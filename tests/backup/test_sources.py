"""Web root, extra system paths and crontab sources, through the real Archiver and Restorer."""

import os
from pathlib import Path

import pytest

from jagaweb.backup.sources import (
    SOURCES,
    ExtraPathsSource,
    SourceError,
    WebRootSource,
    crontab_source,
)
from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.repository import Repository
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.targets.local import LocalTarget


def write(path: Path, text: str = "isi") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_site(root: Path) -> Path:
    write(root / "index.php", "<?php echo 'Selamat datang'; ?>\n")
    write(root / ".htaccess", "RewriteEngine On\n")
    write(root / "wp-content/uploads/2024/08/pengumuman.pdf", "%PDF-1.4 ...")
    write(root / "wp-content/cache/supercache/index.html", "cached page")
    write(root / "storage/framework/cache/data/ab/cd", "laravel cache")
    write(root / "storage/app/surat.docx", "surat")
    write(root / "upload.tmp", "half an upload")
    write(root / "themes/portal/cache/keep.css", "not a top-level cache: kept")
    write(root / "backup-2024.zip", "an old backup lying in the web root")
    return root


def run(tmp_path: Path, *sources, excludes=None):
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    with repo.locked():
        archiver = Archiver(repo, excludes=excludes)
        reports = [source.add_to(archiver) for source in sources]
        info = archiver.finish(source="portal")
    _, manifest = repo.load_snapshot(info.id)
    return repo, info, manifest, reports


def test_web_root_is_stored_under_webroot_without_caches(tmp_path):
    root = make_site(tmp_path / "www")
    source = WebRootSource(root, excludes=["backup-*.zip"])
    repo, _, manifest, (report,) = run(tmp_path, source)
    paths = {e.path for e in manifest}
    assert {"webroot/index.php", "webroot/.htaccess", "webroot/wp-content/uploads/2024/08/pengumuman.pdf",
            "webroot/storage/app/surat.docx", "webroot/themes/portal/cache/keep.css"} <= paths
    assert "webroot/wp-content/cache/supercache" not in paths
    assert "webroot/storage/framework/cache/data" not in paths
    assert "webroot/upload.tmp" not in paths and "webroot/backup-2024.zip" not in paths
    assert manifest.get("webroot/wp-content/cache").kind == "dir"  # the folder stays, empty
    assert report.source == f"web root {root}"
    assert report.files == 5 and report.warnings == []
    assert report.bytes == sum(e.size for e in manifest if e.kind == "file")

    Restorer(repo, manifest).restore(tmp_path / "out")
    assert (tmp_path / "out/webroot/index.php").read_text() == "<?php echo 'Selamat datang'; ?>\n"
    assert (tmp_path / "out/webroot/wp-content/cache").is_dir()
    assert not any((tmp_path / "out/webroot/wp-content/cache").iterdir())


def test_web_root_excludes_apply_to_the_web_root_only(tmp_path):
    root = make_site(tmp_path / "www")
    conf = write(tmp_path / "etc/app/upload.tmp", "kept: only the web root leaves out *.tmp")
    archiver_wide = ["*.zip"]
    _, _, manifest, _ = run(tmp_path, WebRootSource(root), ExtraPathsSource([conf]), excludes=archiver_wide)
    assert manifest.get(f"system{conf}") is not None
    assert manifest.get("webroot/backup-2024.zip") is None  # the caller's archiver-wide exclude applies
    assert manifest.get("webroot/upload.tmp") is None


def test_without_defaults_nothing_is_left_out(tmp_path):
    root = make_site(tmp_path / "www")
    _, _, manifest, _ = run(tmp_path, WebRootSource(root, defaults=False))
    assert manifest.get("webroot/wp-content/cache/supercache/index.html") is not None


def test_missing_web_root_is_an_error_naming_it(tmp_path):
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    archiver = Archiver(repo)
    with pytest.raises(SourceError, match=f"web root {tmp_path}/nothing does not exist"):
        WebRootSource(tmp_path / "nothing").add_to(archiver)
    with pytest.raises(SourceError, match="is not a folder"):
        WebRootSource(write(tmp_path / "file")).add_to(archiver)
    archiver.abort()


def make_system(base: Path) -> dict[str, Path]:
    available = write(base / "etc/nginx/sites-available/portal", "server { root /var/www/portal; }\n")
    enabled = base / "etc/nginx/sites-enabled/portal"
    enabled.parent.mkdir(parents=True)
    enabled.symlink_to("../sites-available/portal")
    php = write(base / "etc/php/8.2/fpm/pool.d/portal.conf", "[portal]\nuser = www-data\n")
    write(base / "etc/php/8.2/fpm/php.ini", "memory_limit = 256M\n")
    return {"available": available, "enabled": enabled, "php_dir": php.parent.parent, "php_pool": php}


def test_extra_paths_are_stored_under_system_with_their_absolute_path(tmp_path):
    files = make_system(tmp_path)
    missing = tmp_path / "etc/apache2/sites-enabled/portal.conf"
    source = ExtraPathsSource([files["enabled"], files["php_dir"], files["php_pool"], missing])
    repo, info, manifest, (report,) = run(tmp_path, source)

    link = manifest.get(f"system{files['enabled']}")
    assert link.kind == "symlink" and link.target == "../sites-available/portal"
    assert manifest.get(f"system{files['available']}").kind == "file"  # what the link points to
    assert manifest.get(f"system{files['php_dir']}").kind == "dir"
    assert manifest.get(f"system{files['php_dir']}/php.ini").kind == "file"
    pool = [e for e in manifest if e.path == f"system{files['php_pool']}"]
    assert len(pool) == 1  # listed itself and inside a listed folder: stored once
    assert report.warnings == [f"system path {missing} does not exist"]
    assert info.summary["warnings"] == report.warnings  # the snapshot says so too
    assert report.files == 3

    Restorer(repo, manifest).restore(tmp_path / "out")
    restored = tmp_path / "out" / f"system{files['available']}"
    assert restored.read_text() == "server { root /var/www/portal; }\n"
    assert os.readlink(tmp_path / "out" / f"system{files['enabled']}") == "../sites-available/portal"


def test_extra_paths_must_be_absolute():
    with pytest.raises(SourceError, match="must be absolute"):
        ExtraPathsSource(["etc/nginx"])


def fake_crontab(folder: Path) -> None:
    folder.mkdir()
    script = folder / "crontab"
    script.write_text(
        "#!/bin/sh\n"
        '[ "$1 $2" = "-l -u" ] || exit 2\n'
        'if [ "$3" = "www-data" ]; then echo "*/5 * * * * php /var/www/portal/wp-cron.php"; exit 0; fi\n'
        'echo "no crontab for $3" >&2\nexit 1\n'
    )
    script.chmod(0o755)


def test_crontab_is_stored_and_a_missing_one_is_a_warning(tmp_path, monkeypatch):
    fake_crontab(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    repo, _, manifest, reports = run(tmp_path, crontab_source("www-data"), crontab_source("nobody"))
    entry = manifest.get("system/crontab/www-data")
    assert repo.read_bytes(entry.chunks) == b"*/5 * * * * php /var/www/portal/wp-cron.php\n"
    assert manifest.get("system/crontab/nobody") is None
    assert reports[0].files == 1 and reports[0].warnings == []
    assert reports[1].warnings == ["crontab of nobody not stored: no crontab for nobody"]


def test_crontab_not_installed_is_a_warning(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    _, _, manifest, (report,) = run(tmp_path, crontab_source("www-data"))
    assert report.warnings == ["crontab of www-data not stored: crontab is not installed"]
    assert len(manifest) == 0


def test_crontab_user_name_is_checked():
    with pytest.raises(SourceError):
        crontab_source("-r")


def test_registry_names_every_kind():
    assert set(SOURCES) == {"webroot", "paths", "crontab", "mysql", "postgresql"}
    assert all(cls.kind == kind for kind, cls in SOURCES.items())
