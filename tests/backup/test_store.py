import os
from pathlib import Path

import pytest

from jagaweb.backup.store.archiver import Archiver
from jagaweb.backup.store.lock import RepositoryLocked
from jagaweb.backup.store.repository import Repository, RepositoryError
from jagaweb.backup.store.restorer import Restorer
from jagaweb.backup.store.sealing import WrongPassphrase
from jagaweb.backup.targets.local import LocalTarget


def make_tree(root: Path) -> Path:
    (root / "wp-content/uploads").mkdir(parents=True)
    (root / "empty-dir").mkdir()
    (root / "index.php").write_text("<?php echo 'Selamat datang'; ?>\n")
    (root / ".htaccess").write_text("RewriteEngine On\n")
    (root / "wp-content/big.bin").write_bytes(os.urandom(3_000_000) * 2)  # repeats: dedupe inside a file
    (root / "zero").write_bytes(b"")
    (root / "link").symlink_to("index.php")
    (root / "loop").symlink_to(".")
    return root


def backup(repo: Repository, source: Path, parent=None, excludes=None):
    with repo.locked():
        archiver = Archiver(repo, parent=parent, excludes=excludes)
        archiver.add_tree(source)
        return archiver.finish("site")


def same_tree(a: Path, b: Path) -> bool:
    def listing(root: Path) -> dict[str, tuple]:
        out = {}
        for dirpath, dirs, files in os.walk(root):
            for name in dirs + files:
                p = Path(dirpath) / name
                rel = p.relative_to(root).as_posix()
                if p.is_symlink():
                    out[rel] = ("link", os.readlink(p))
                elif p.is_file():
                    out[rel] = ("file", p.read_bytes(), p.stat().st_mode & 0o7777)
                else:
                    out[rel] = ("dir",)
        return out

    return listing(a) == listing(b)


@pytest.mark.parametrize("passphrase", [None, "kata sandi rahasia"])
def test_round_trip_is_byte_identical(tmp_path, passphrase):
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"), passphrase)
    info = backup(repo, source)
    repo = Repository.open(LocalTarget(tmp_path / "repo"), passphrase)
    _, manifest = repo.load_snapshot(info.id)
    report = Restorer(repo, manifest).restore(tmp_path / "out")
    assert report.failed == {}
    assert same_tree(source, tmp_path / "out")


def test_unchanged_tree_reads_nothing_and_stores_nothing(tmp_path):
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    first = backup(repo, source)
    _, manifest = repo.load_snapshot(first.id)
    second = backup(repo, source, parent=manifest)
    assert second.summary["unchanged_files"] == first.summary["files"]
    assert second.summary["new_blobs"] == 0


def test_changed_file_stores_only_new_chunks(tmp_path):
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    first = backup(repo, source)
    _, manifest = repo.load_snapshot(first.id)
    (source / "index.php").write_text("<?php echo 'Halo'; ?>\n")
    second = backup(repo, source, parent=manifest)
    assert second.summary["unchanged_files"] == first.summary["files"] - 1
    assert 1 <= second.summary["new_blobs"] <= 2  # the file, and the manifest chunk that lists it


def test_excludes_and_symlinks_are_not_followed(tmp_path):
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    info = backup(repo, source, excludes=["wp-content/uploads", "*.bin"])
    _, manifest = repo.load_snapshot(info.id)
    paths = {e.path for e in manifest}
    assert "wp-content/big.bin" not in paths and "wp-content/uploads" not in paths
    assert manifest.get("loop").kind == "symlink" and manifest.get("loop").target == "."
    assert manifest.get("empty-dir").kind == "dir"


def test_single_path_restore(tmp_path):
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    info = backup(repo, source)
    _, manifest = repo.load_snapshot(info.id)
    report = Restorer(repo, manifest).restore(tmp_path / "out", paths=[".htaccess"])
    assert report.restored == [".htaccess"]
    assert (tmp_path / "out/.htaccess").read_text() == "RewriteEngine On\n"


def test_dry_run_lists_changes_and_writes_nothing(tmp_path):
    source = make_tree(tmp_path / "src")
    repo = Repository.init(LocalTarget(tmp_path / "repo"))
    info = backup(repo, source)
    _, manifest = repo.load_snapshot(info.id)
    (source / "index.php").write_text("defaced")
    (source / ".htaccess").unlink()
    plan = Restorer(repo, manifest).restore(source, dry_run=True).plan
    assert plan.replace == ["index.php"] and plan.create == [".htaccess"]
    assert (source / "index.php").read_text() == "defaced"


def test_wrong_passphrase_and_missing_repository(tmp_path):
    Repository.init(LocalTarget(tmp_path / "repo"), "benar")
    with pytest.raises(WrongPassphrase):
        Repository.open(LocalTarget(tmp_path / "repo"), "salah")
    with pytest.raises(WrongPassphrase, match="passphrase is needed"):
        Repository.open(LocalTarget(tmp_path / "repo"))
    with pytest.raises(RepositoryError, match="no repository"):
        Repository.open(LocalTarget(tmp_path / "nothing"))
    with pytest.raises(RepositoryError, match="exists already"):
        Repository.init(LocalTarget(tmp_path / "repo"))


def test_lock_refuses_a_second_writer_and_clears_a_dead_ones(tmp_path):
    target = LocalTarget(tmp_path / "repo")
    repo = Repository.init(target)
    with repo.locked(), pytest.raises(RepositoryLocked, match="in use by process"):
        Repository.open(target).locked().__enter__()
    # a lock left by a process that no longer exists is stale
    target.write("locks/dead", b'{"host": "%s", "pid": 999999999, "time": 0}' % os.uname().nodename.encode())
    with Repository.open(target).locked():
        assert not target.exists("locks/dead")


def test_leftovers_of_an_interrupted_run_are_removed(tmp_path):
    target = LocalTarget(tmp_path / "repo")
    repo = Repository.init(target)
    info = backup(repo, make_tree(tmp_path / "src"))
    target.write("data/ff/" + "f" * 64, b"orphan pack without index")
    (tmp_path / "repo/data/ff/.tmp-123-half").write_bytes(b"half written")
    repo = Repository.open(target)
    with repo.locked():
        pass
    assert not target.exists("data/ff/" + "f" * 64)
    assert not (tmp_path / "repo/data/ff/.tmp-123-half").exists()
    Repository.open(target).load_snapshot(info.id)


def test_flipped_byte_is_named_with_pack_and_files_and_others_still_restore(tmp_path):
    from jagaweb.backup.store.verify import Verifier

    source = make_tree(tmp_path / "src")
    target = LocalTarget(tmp_path / "repo")
    repo = Repository.init(target)
    info = backup(repo, source)
    assert Verifier(Repository.open(target)).run(read_data=True).ok
    _, manifest = repo.load_snapshot(info.id)
    location = repo.load_index().get(bytes.fromhex(manifest.get("index.php").chunks[0]))
    path = tmp_path / "repo" / f"data/{location.pack[:2]}/{location.pack}"
    content = bytearray(path.read_bytes())
    content[location.offset + 3] ^= 0xFF
    path.write_bytes(bytes(content))

    report = Verifier(Repository.open(target)).run(read_data=True)
    assert not report.ok
    (damage,) = report.damage
    assert damage.pack == location.pack
    assert damage.affected == {info.id: ["index.php"]}
    out = Restorer(Repository.open(target), manifest).restore(tmp_path / "out")
    assert set(out.failed) == {"index.php"}
    assert (tmp_path / "out/.htaccess").read_text() == "RewriteEngine On\n"
